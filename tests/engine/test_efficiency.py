"""The daily draw per kelvin: a leak on a unit with capacity to spare, and ordinary days."""

from __future__ import annotations

import math
import random

from custom_components.heat_pump_health.engine import Evaluation, FaultKey
from custom_components.heat_pump_health.engine.efficiency import DrawPerKelvin

from .traces import Sample, Unit, drive, evaluator, ever_active, first_active, overlay

HOURS = 60
MINUTE_S = 60.0
# A unit that runs 100 minutes in every 120 at 1.5 kW, 25 W standby between.
_UNIT = Unit(on=100, off=20, run_w=1500.0, standby_w=25.0)


def _days(
    meter: DrawPerKelvin, days: int, power: float, *, start_day: int = 0, short: bool = False
) -> None:
    """Whole days of heating, a minute at a time: 20 °C inside, 0 °C out."""
    _hours(meter, days * 24, power, start_hour=start_day * 24, short=short)


def _hours(
    meter: DrawPerKelvin, hours: int, power: float, *, start_hour: int = 0, short: bool = False
) -> None:
    """Whole hours of heating, a minute at a time: 20 °C inside, 0 °C out."""
    for minute in range(hours * 60):
        now = (start_hour * 60 + minute) * MINUTE_S
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


def test_a_reference_from_the_first_day_and_a_half_does_not_judge_yet() -> None:
    """The first day and a half drew a quarter less than the healthy days after it (sun, say)."""
    meter = DrawPerKelvin()
    _hours(meter, 36, 1150.0)
    for hour in range(36, 7 * 24):
        _hours(meter, 1, 1500.0, start_hour=hour)
        assert not meter.rising, hour


def test_a_score_kept_from_a_reference_trusted_sooner_does_not_stop_the_learning() -> None:
    """Saved by a release that judged after a day: 30 updates and a score half way up."""
    meter = DrawPerKelvin()
    x = math.log(1500.0 / 20.0)
    meter.load_learned({"n": 30, "x": x, "t": 0.0, "tt": 0.0, "xt": 0.0})
    meter.load_state({"score": 0.05})
    assert meter.rising
    _days(meter, 3, 1500.0)
    assert not meter.rising
    assert meter.refs["n"] >= 72


def test_the_reference_does_not_follow_a_slow_rise() -> None:
    """Five per cent more a day: the reference holds once the score builds."""
    meter = DrawPerKelvin()
    _days(meter, 4, 1500.0)
    for day in range(4, 14):
        _days(meter, 1, 1500.0 * 1.05 ** (day - 3), start_day=day)
    assert meter.risen


def test_a_draw_creeping_up_leans_and_one_windy_day_does_not() -> None:
    """5 % more a day: a tenth more at every hourly update of the window, for a day and more."""
    meter = DrawPerKelvin()
    _days(meter, 4, 1500.0)
    _days(meter, 1, 1700.0, start_day=4)
    _days(meter, 1, 1500.0, start_day=5)
    assert not meter.leaning
    for day in range(6, 10):
        _days(meter, 1, 1500.0 * 1.05 ** (day - 5), start_day=day)
    assert meter.leaning
    assert not meter.rising
    again = DrawPerKelvin()
    again.load_state(meter.state_dict())
    assert again.leaning_hours == meter.leaning_hours
    again.load_state({"leaning_hours": -3})
    assert again.leaning_hours == 0


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

    def hungrier(minute: int, readings: Sample) -> Sample:
        return _UNIT.but(run_w=2100.0)(minute)

    ev = evaluator()
    results = drive(ev, overlay(_UNIT, 4 * 24 * HOURS, hungrier), 7 * 24 * HOURS)
    index = first_active(results, FaultKey.INSUFFICIENT_HEAT)
    assert index is not None
    assert index <= (4 + 2) * 24 * HOURS
    status = results[index].statuses[FaultKey.INSUFFICIENT_HEAT]
    assert status.reason == "capacity_drop"
    assert status.evidence["draw_share"] > 1.3


def _leaning(split_per_day: float, power_per_day: float) -> list[Evaluation]:
    """Four healthy days, then ten with the split and the power drifting by these shares a day."""
    start = 4 * 24 * HOURS

    def drifting(minute: int, readings: Sample) -> Sample:
        elapsed = (minute - start) / (24 * HOURS)
        return _UNIT.but(
            split=_UNIT.split * (1.0 - split_per_day * elapsed),
            run_w=_UNIT.run_w * (1.0 + power_per_day * elapsed),
        )(minute)

    return drive(evaluator(), overlay(_UNIT, start, drifting), (4 + 10) * 24 * HOURS)


def test_a_leak_that_both_signatures_show_a_little_is_found() -> None:
    """1.5 % less split and 3 % more power a day: both lean days before the split alone says it."""
    results = _leaning(0.015, 0.03)
    index = first_active(results, FaultKey.INSUFFICIENT_HEAT)
    assert index is not None
    assert index <= (4 + 8) * 24 * HOURS
    status = results[index].statuses[FaultKey.INSUFFICIENT_HEAT]
    assert status.reason == "capacity_drop"
    assert status.evidence["split_and_draw_lean"] is True
    assert status.evidence["draw_share"] >= 1.1
    # The shortfall score alone has not even begun.
    assert "shortfall_score" not in status.evidence


def test_one_signature_leaning_alone_is_normal() -> None:
    """The split a little lower, or the draw a little higher, day after day: neither is a leak."""
    assert not ever_active(_leaning(0.015, 0.0), FaultKey.INSUFFICIENT_HEAT)
    assert not ever_active(_leaning(0.0, 0.015), FaultKey.INSUFFICIENT_HEAT)


def test_a_faster_fan_then_a_windy_day_is_normal() -> None:
    """The split an eighth lower for good, then a day needing an eighth more heat per kelvin."""
    fan = _UNIT.but(split=_UNIT.split * 0.87)
    windy = fan.but(on=114, off=6)

    def week(minute: int, readings: Sample) -> Sample:
        return windy(minute) if minute // (24 * HOURS) == 6 else fan(minute)

    results = drive(evaluator(), overlay(_UNIT, 5 * 24 * HOURS, week), 11 * 24 * HOURS)
    assert not ever_active(results, FaultKey.INSUFFICIENT_HEAT)
