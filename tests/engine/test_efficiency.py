"""The daily draw per kelvin: a leak on a unit with capacity to spare, and ordinary days."""

from __future__ import annotations

import random

from custom_components.heat_pump_health.engine import Evaluation, FaultKey
from custom_components.heat_pump_health.engine.efficiency import DrawPerKelvin

from .traces import Sample, Unit, drive, evaluator, ever_active, first_active, overlay

HOURS = 60
MINUTE_S = 60.0


def _days(
    meter: DrawPerKelvin, days: int, power: float, *, start_day: int = 0, short: bool = False
) -> None:
    """Whole days of heating, a minute at a time: 20 °C inside, 0 °C out."""
    for minute in range(days * 24 * 60):
        now = (start_day * 24 * 60 + minute) * MINUTE_S
        meter.add(now, MINUTE_S, power=power, inside=20.0, outdoor=0.0, short=short, learn=True)


def test_a_third_more_draw_every_day_rises_within_a_day_and_a_half() -> None:
    meter = DrawPerKelvin()
    _days(meter, 4, 1500.0)
    assert not meter.rising
    _days(meter, 2, 2000.0, start_day=4)
    assert meter.risen
    assert meter.share is not None
    assert meter.share > 1.25


def test_days_at_capacity_are_not_judged() -> None:
    """A cold spell with the room well short of its target: the unit does what it can."""
    meter = DrawPerKelvin()
    _days(meter, 4, 1500.0)
    _days(meter, 3, 2000.0, start_day=4, short=True)
    assert meter.score == 0.0


def test_ordinary_days_within_a_tenth_never_rise() -> None:
    """Sun, wind and appliances move the daily draw: a week of ±10 % days is normal."""
    rng = random.Random(3)
    meter = DrawPerKelvin()
    _days(meter, 3, 1500.0)
    for day in range(3, 17):
        _days(meter, 1, 1500.0 * rng.uniform(0.9, 1.1), start_day=day)
        assert not meter.rising, day


def test_the_reference_does_not_follow_a_slow_rise() -> None:
    """Five per cent more a day: the reference holds once the score builds."""
    meter = DrawPerKelvin()
    _days(meter, 4, 1500.0)
    for day in range(4, 14):
        _days(meter, 1, 1500.0 * 1.05 ** (day - 3), start_day=day)
    assert meter.risen


def test_what_was_learned_survives_a_restart() -> None:
    meter = DrawPerKelvin()
    _days(meter, 4, 1500.0)
    again = DrawPerKelvin()
    again.load_learned(meter.learned_dict())
    again.load_state(meter.state_dict())
    _days(again, 2, 2000.0, start_day=4)
    assert again.risen
    broken = DrawPerKelvin()
    broken.load_learned({"x": [1, 2], "3": "no", "4": [float("nan"), 5]})
    broken.load_state({"score": "high", "hours": [[1, 2]]})
    assert broken.score == 0.0
    broken.load_learned({"n": 30, "x": 1.0, "t": 2.0, "tt": 1.0, "xt": 2.0})
    assert broken.refs == {}


def test_an_inverter_that_hides_a_leak_in_its_split_is_found_by_its_draw() -> None:
    """Same split, same room, but 40 % more power for it: the unit is doing worse."""
    unit = Unit(on=100, off=20, run_w=1500.0, standby_w=25.0)

    def hungrier(minute: int, readings: Sample) -> Sample:
        return unit.but(run_w=2100.0)(minute)

    ev = evaluator()
    results = drive(ev, overlay(unit, 4 * 24 * HOURS, hungrier), 7 * 24 * HOURS)
    index = first_active(results, FaultKey.INSUFFICIENT_HEAT)
    assert index is not None
    assert index <= (4 + 2) * 24 * HOURS
    status = results[index].statuses[FaultKey.INSUFFICIENT_HEAT]
    assert status.reason == "capacity_drop"
    assert status.evidence["draw_share"] > 1.3


def _leaning(split_share: float, power_share: float) -> list[Evaluation]:
    """Four healthy days, then three with this share of the split and of the power."""
    unit = Unit(on=100, off=20, run_w=1500.0, standby_w=25.0)
    changed = unit.but(split=unit.split * split_share, run_w=unit.run_w * power_share)
    trace = overlay(unit, 4 * 24 * HOURS, lambda m, r: changed(m))
    return drive(evaluator(), trace, 7 * 24 * HOURS)


def test_a_leak_that_both_signatures_show_a_little_is_found() -> None:
    """An eighth less split for an eighth more power: neither alone is enough, both together are."""
    results = _leaning(0.88, 1.13)
    index = first_active(results, FaultKey.INSUFFICIENT_HEAT)
    assert index is not None
    assert index <= (4 + 2) * 24 * HOURS
    status = results[index].statuses[FaultKey.INSUFFICIENT_HEAT]
    assert status.reason == "capacity_drop"
    assert status.evidence["draw_share"] >= 1.1
    assert status.evidence["delivery_share"] < 0.95


def test_one_signature_leaning_alone_is_normal() -> None:
    """A faster fan's smaller split, or a day drawing an eighth more: each is an ordinary week."""
    assert not ever_active(_leaning(0.88, 1.0), FaultKey.INSUFFICIENT_HEAT)
    assert not ever_active(_leaning(1.0, 1.13), FaultKey.INSUFFICIENT_HEAT)
