"""The learned split-versus-power line of one outdoor band, and the split's own spread."""

from __future__ import annotations

import json
import math

from custom_components.heat_pump_health.engine.split_model import SplitBand

TAU = 3 * 86400.0


def _learned(splits: list[float]) -> SplitBand:
    band = SplitBand()
    for split in splits:
        band.add(split, None, 60.0, TAU)
    return band


def test_a_steady_split_has_little_spread_and_a_varying_one_more() -> None:
    steady = _learned([8.0, 8.2, 7.9, 8.1] * 60)
    varying = _learned([5.0, 8.0, 12.0, 16.0] * 60)
    assert steady.spread() < 0.02
    assert 0.3 < varying.spread() < 0.5
    assert steady.spread_seconds == 240 * 60.0


def test_the_spread_survives_a_restart() -> None:
    band = _learned([5.0, 8.0, 12.0] * 40)
    again = SplitBand.from_dict(json.loads(json.dumps(band.to_dict())))
    assert again is not None
    assert math.isclose(again.spread(), band.spread(), abs_tol=1e-3)
    assert again.spread_seconds == band.spread_seconds


def test_a_band_saved_before_the_spread_was_learned_starts_it_afresh() -> None:
    saved = _learned([8.0] * 100).to_dict()
    del saved["yy"], saved["spread_seconds"]
    again = SplitBand.from_dict(saved)
    assert again is not None
    assert again.seconds == 6000.0
    assert again.spread_seconds == 0.0
    # Its first reading after the restart is not a spread of zero over days.
    again.add(8.0, None, 60.0, TAU)
    assert again.spread_seconds == 60.0


def test_a_reference_keeps_how_far_its_readings_spread() -> None:
    """Learned for days from still readings, then for hours from moving ones."""
    band = SplitBand()
    for _ in range(3 * 24 * 60):
        band.add(3.0, 1500.0, 60.0, TAU, readings_spread=0.0)
    assert band.readings_spread == 0.0
    for _ in range(3 * 60):
        band.add(2.5, 1500.0, 60.0, TAU, readings_spread=0.5)
    assert 0.0 < band.readings_spread < 0.05
    restored = SplitBand.from_dict(band.to_dict())
    assert restored is not None
    assert math.isclose(restored.readings_spread, band.readings_spread, abs_tol=1e-4)


def test_a_band_saved_before_the_spread_was_kept_counts_as_learned_still() -> None:
    band = SplitBand()
    band.add(3.0, 1500.0, 3600.0, TAU, readings_spread=0.5)
    saved = band.to_dict()
    del saved["readings_spread_k"]
    restored = SplitBand.from_dict(saved)
    assert restored is not None
    assert restored.readings_spread == 0.0


def _line(points: list[tuple[float, float]]) -> SplitBand:
    """A band learned from (power W, split K) pairs, an hour each."""
    band = SplitBand()
    for _ in range(4):
        for power, split in points:
            band.add(split, power, 3600.0, TAU)
    return band


def test_within_the_powers_learned_the_least_expected_split_is_the_line() -> None:
    band = _line([(1000.0, 10.0), (1500.0, 12.0), (2000.0, 14.0)])
    assert band.least_expected(1400.0) == band.expected(1400.0)
    assert band.least_expected(None) == band.expected(None)


def test_above_the_powers_learned_nothing_is_expected() -> None:
    """A fan or pump speeding up with the compressor may move more than the heat grows."""
    band = _line([(1000.0, 10.0), (1500.0, 12.0), (2000.0, 14.0)])
    assert not band.covers(4000.0)
    assert band.least_expected(4000.0) is None


def test_below_the_powers_learned_the_split_may_fall_with_the_power_but_no_faster() -> None:
    band = _line([(1000.0, 10.0), (1500.0, 12.0), (2000.0, 14.0)])
    assert band.below(600.0)
    least = band.least_expected(600.0)
    lower = band.least_expected(450.0)
    assert least is not None
    assert lower is not None
    # Proportional to the power below the powers learned, and never more
    # than the line itself would give there.
    assert math.isclose(lower / least, 450.0 / 600.0)
    assert least < band.expected(600.0)
    # Too far below, a unit's own fixed draw weighs too much: not judged.
    assert band.least_expected(200.0) is None


def test_within_and_below_the_powers_learned_the_widest_split_is_the_line() -> None:
    band = _line([(1000.0, 10.0), (1500.0, 12.0), (2000.0, 14.0)])
    assert band.most_expected(1400.0) == band.expected(1400.0)
    assert band.most_expected(600.0) == band.expected(600.0)
    assert band.most_expected(None) == band.expected(None)


def test_above_the_powers_learned_the_split_may_grow_with_the_power_but_no_faster() -> None:
    """A fixed-flow loop learned at part load, its line's slope blurred: then flat out."""
    # Nearly flat as learned (whole-degree readings over a narrow range).
    band = _line([(450.0, 3.0), (550.0, 3.0), (650.0, 3.5)])
    assert not band.covers(1200.0)
    widest = band.most_expected(1200.0)
    further = band.most_expected(1500.0)
    # The line alone would expect hardly more than it learned.
    assert band.expected(1200.0) < 4.5
    # Proportional to the power above the top, and never less than the line.
    assert math.isclose(further / widest, 1500.0 / 1200.0)
    assert widest > band.expected(1200.0)
    assert widest < 3.5 * 1200.0 / 650.0
