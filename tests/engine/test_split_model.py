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
