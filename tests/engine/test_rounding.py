"""The credit a rounded split gets: half a step while still, none once the readings move."""

from __future__ import annotations

import pytest

from custom_components.heat_pump_health.engine.rounding import RoundingCredit, credit


def _read(splits: list[float], minutes: int) -> RoundingCredit:
    readings = RoundingCredit()
    for minute in range(minutes):
        readings.follow(splits[minute % len(splits)], 60.0)
    return readings


def test_before_any_reading_a_rounded_split_gets_half_a_step() -> None:
    assert credit(1.0, RoundingCredit().spread) == 0.5


def test_unrounded_sensors_get_no_credit() -> None:
    assert credit(None, _read([3.0], 60).spread) == 0.0


def test_readings_that_stand_still_keep_half_a_step() -> None:
    assert credit(1.0, _read([2.0], 600).spread) == pytest.approx(0.5)


def test_readings_moving_across_steps_leave_no_credit() -> None:
    """A 3.5 K split read as 3 and 4 in turn: its mean is the true split."""
    assert credit(1.0, _read([3.0, 4.0], 600).spread) == pytest.approx(0.0, abs=0.01)


def test_a_split_near_a_step_keeps_part_of_the_credit() -> None:
    """Read as 2 nine times in ten, 3 once: its spread is 0.3 of a step."""
    assert 0.1 < credit(1.0, _read([3.0] + [2.0] * 9, 1200).spread) < 0.3
