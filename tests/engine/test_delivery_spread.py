"""delivery_spread: a unit whose delivery swings for hours at a time gets a wider allowance."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from custom_components.heat_pump_health.engine import FaultKey, InputKey
from custom_components.heat_pump_health.engine.delivery_spread import DeliverySpread
from custom_components.heat_pump_health.engine.evaluator import Evaluation

from .traces import (
    Sample,
    Trace,
    Unit,
    drive,
    evaluator,
    ever_active,
    first_active,
    number,
    overlay,
    restarted,
)

HOURS = 60
FIXED = math.log(1.0 / 0.85)


def _swinging(unit: Unit, share_at: dict[int, float]) -> Trace:
    """The split swings between 78 % and 128 % every few hours; ``share_at``: hours held at a share.

    What a unit read through a slow meter, or heating its hot water in
    between, shows against a reference learned over days.
    """

    def change(minute: int, readings: Sample) -> Sample:
        if not unit.running(minute) or InputKey.SUPPLY_TEMPERATURE not in readings:
            return readings
        hour = minute // HOURS
        share = share_at.get(hour, math.exp(math.copysign(0.25, math.sin(2.3 * (hour // 3)))))
        ret = number(readings, InputKey.RETURN_TEMPERATURE)
        split = number(readings, InputKey.SUPPLY_TEMPERATURE) - ret
        return readings | {InputKey.SUPPLY_TEMPERATURE: ret + split * share}

    return overlay(unit, 0, change)


def _dip(hours: int) -> dict[int, float]:
    """From day four, ``hours`` in a row at the unit's low share."""
    return dict.fromkeys(range(4 * 24, 4 * 24 + hours), math.exp(-0.25))


def _allowed_share(results: list[Evaluation]) -> float | None:
    """The lowest share below which a shortfall counted, where the unit's spread widened it."""
    shares = [
        result.statuses[FaultKey.INSUFFICIENT_HEAT].evidence.get("shortfall_below_share")
        for result in results
    ]
    return min((share for share in shares if share is not None), default=None)


def test_a_dip_ordinary_for_a_swinging_unit_is_not_raised() -> None:
    """Fourteen hours in a row at its low share: the fixed allowance's score filled 1½ times."""
    unit = Unit(on=100, off=20, run_w=1500.0)
    ev = evaluator()
    results = drive(ev, _swinging(unit, _dip(14)), 6 * 24 * HOURS)
    assert not ever_active(results, FaultKey.INSUFFICIENT_HEAT)
    allowed = _allowed_share(results[4 * 24 * HOURS : (4 * 24 + 14) * HOURS])
    assert allowed is not None
    assert 0.74 <= allowed < 0.85


def test_the_learned_spread_survives_a_restart() -> None:
    """Restarted just before the same dip: its own allowance is already there."""
    unit = Unit(on=100, off=20, run_w=1500.0)
    trace = _swinging(unit, _dip(14))
    ev = evaluator()
    drive(ev, trace, 4 * 24 * HOURS)
    results = drive(restarted(ev), trace, 24 * HOURS, start_minute=4 * 24 * HOURS)
    assert _allowed_share(results[: 2 * HOURS]) is not None
    assert not ever_active(results, FaultKey.INSUFFICIENT_HEAT)


def test_a_loss_beyond_a_swinging_units_spread_is_still_raised_and_not_learned() -> None:
    """Half its heat gone for good, on the same swinging unit: found, and its spread kept."""
    unit = Unit(on=100, off=20, run_w=1500.0)
    lost = dict.fromkeys(range(4 * 24, 6 * 24), 0.5)
    ev = evaluator()
    results = drive(ev, _swinging(unit, lost), 4 * 24 * HOURS)
    before = ev.export_learned()["heat"]["delivery_spread"]["square"]
    results += drive(ev, _swinging(unit, lost), 2 * 24 * HOURS, start_minute=4 * 24 * HOURS)
    index = first_active(results, FaultKey.INSUFFICIENT_HEAT)
    assert index is not None
    assert 4 * 24 * HOURS < index <= 4 * 24 * HOURS + 12 * HOURS
    # Two days at half the heat would have made it the unit's spread.
    assert ev.export_learned()["heat"]["delivery_spread"]["square"] <= before * 1.1


def _learned(hourly: list[float], *, learn: bool = True) -> DeliverySpread:
    spread = DeliverySpread()
    for mean in hourly:
        for _ in range(60):
            spread.add(mean, 60.0, learn=learn)
    return spread


def test_the_fixed_allowance_stands_until_enough_hours_are_learned() -> None:
    assert _learned([0.25, -0.25] * 2).allowance(FIXED) == FIXED
    assert _learned([0.25, -0.25] * 4).allowance(FIXED) == pytest.approx(0.25)


def test_a_steady_unit_keeps_the_fixed_allowance_and_a_wild_one_is_capped() -> None:
    assert _learned([0.02, -0.03] * 10).allowance(FIXED) == FIXED
    assert _learned([1.0, -1.0] * 10).allowance(FIXED) == pytest.approx(0.3)


def test_hours_with_a_shortfall_building_are_not_learned() -> None:
    spread = _learned([0.01] * 10)
    for _ in range(60 * 20):
        spread.add(-0.6, 60.0, learn=False)
    assert spread.allowance(FIXED) == FIXED
    # One minute that cannot be learned spoils its hour.
    spread.add(-0.6, 60.0, learn=False)
    for _ in range(59):
        spread.add(-0.6, 60.0, learn=True)
    assert spread.hours == 10


def _restarted(spread: DeliverySpread) -> DeliverySpread:
    """What a restart restores of ``spread``, through JSON as the store keeps it."""
    restored = DeliverySpread()
    restored.load_learned(json.loads(json.dumps(spread.learned_dict())))
    restored.load_state(json.loads(json.dumps(spread.state_dict())))
    return restored


def test_an_hour_that_cannot_be_learned_stays_so_across_a_restart() -> None:
    spread = _learned([0.25, -0.25] * 4)
    spread.add(-0.9, 60.0, learn=False)
    restored = _restarted(spread)
    for _ in range(59):
        restored.add(-0.9, 60.0, learn=True)
    assert restored.hours == 8


def test_the_hour_being_gathered_and_what_was_learned_survive_a_restart() -> None:
    spread = _learned([0.25, -0.25] * 4)
    for _ in range(30):
        spread.add(-0.25, 60.0, learn=True)
    restored = _restarted(spread)
    for _ in range(30):
        spread.add(-0.25, 60.0, learn=True)
        restored.add(-0.25, 60.0, learn=True)
    assert restored.hours == spread.hours == 9
    assert restored.allowance(FIXED) == pytest.approx(spread.allowance(FIXED), abs=1e-4)


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        "wide",
        {"square": -1.0, "hours": 5},
        {"square": 99.0, "hours": 5},
        {"square": 0.04, "hours": -3},
        {"square": float("nan"), "hours": 12},
        {"square": True, "hours": 12},
    ],
)
def test_a_garbled_learned_spread_is_ignored(garbage: Any) -> None:
    spread = DeliverySpread()
    spread.load_learned(garbage)
    assert (spread.square, spread.hours) == (0.0, 0.0)
    json.dumps(spread.learned_dict(), allow_nan=False)


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        [],
        {"sum": "x", "seconds": 60},
        {"sum": 1.0, "seconds": 3600.0},
        {"sum": 1.0, "seconds": -5.0},
        {"sum": 1e6, "seconds": 60.0},
    ],
)
def test_a_garbled_hour_being_gathered_starts_afresh(garbage: Any) -> None:
    spread = DeliverySpread()
    spread.load_state(garbage)
    assert spread.state_dict() == {"sum": 0.0, "seconds": 0.0, "learnable": True}
