"""The credit a rounded split gets: half a step while still, none once the readings move."""

from __future__ import annotations

import pytest

from custom_components.heat_pump_health.engine.rounding import ReadingsSpread, credit


def _read(supplies: list[float], returns: list[float], minutes: int) -> ReadingsSpread:
    readings = ReadingsSpread()
    for minute in range(minutes):
        supply = supplies[minute % len(supplies)]
        readings.follow(supply, returns[minute % len(returns)], 60.0)
    return readings


def test_before_any_reading_a_rounded_split_gets_half_a_step() -> None:
    assert credit(1.0, ReadingsSpread().spread) == 0.5


def test_unrounded_sensors_get_no_credit() -> None:
    assert credit(None, _read([33.0], [30.0], 60).spread) == 0.0


def test_readings_that_stand_still_keep_half_a_step() -> None:
    assert credit(1.0, _read([33.0], [30.0], 600).spread) == pytest.approx(0.5)


def test_readings_moving_across_steps_leave_no_credit() -> None:
    """Both sensors read one step and the next in turn: their means are the true values."""
    spread = _read([33.0, 34.0], [30.0, 31.0], 600).spread
    assert credit(1.0, spread) == pytest.approx(0.0, abs=0.05)


def test_one_sensor_standing_still_keeps_the_credit() -> None:
    """An inverter modulates its supply; the return, held steady, keeps its rounding."""
    assert credit(1.0, _read([32.0, 33.0, 34.0], [30.0], 600).spread) == pytest.approx(0.5)


def test_a_sensor_that_flips_now_and_then_keeps_most_of_the_credit() -> None:
    """Read as 33 nine times in ten, 34 once: most of its rounding error is still there."""
    spread = _read([34.0] + [33.0] * 9, [30.0, 31.0], 1200).spread
    assert 0.35 < credit(1.0, spread) < 0.45
