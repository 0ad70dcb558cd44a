"""The credit a rounded split gets: half a step while still, none once the readings move."""

from __future__ import annotations

import pytest

from custom_components.heat_pump_health.engine.rounding import RoundingCredit


def test_before_any_reading_a_rounded_split_gets_half_a_step() -> None:
    assert RoundingCredit().credit(1.0) == 0.5


def test_unrounded_sensors_get_no_credit() -> None:
    credit = RoundingCredit()
    credit.follow(3.0, 60.0)
    assert credit.credit(None) == 0.0


def test_readings_that_stand_still_keep_half_a_step() -> None:
    credit = RoundingCredit()
    for _ in range(600):
        credit.follow(2.0, 60.0)
    assert credit.credit(1.0) == pytest.approx(0.5)


def test_readings_moving_across_steps_leave_no_credit() -> None:
    """A 3.5 K split read as 3 and 4 in turn: its mean is the true split."""
    credit = RoundingCredit()
    for minute in range(600):
        credit.follow(3.0 if minute % 2 else 4.0, 60.0)
    assert credit.credit(1.0) == pytest.approx(0.0, abs=0.01)


def test_a_split_near_a_step_keeps_part_of_the_credit() -> None:
    """Read as 2 nine times in ten, 3 once: its spread is 0.3 of a step."""
    credit = RoundingCredit()
    for minute in range(1200):
        credit.follow(3.0 if minute % 10 == 0 else 2.0, 60.0)
    assert 0.1 < credit.credit(1.0) < 0.3
