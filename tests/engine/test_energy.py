"""Power from an energy counter: steps, standstill, daily resets."""

from __future__ import annotations

import pytest

from custom_components.heat_pump_health.engine import Evaluator, EvaluatorOptions, FaultKey
from custom_components.heat_pump_health.engine.energy import EnergyMeter
from custom_components.heat_pump_health.engine.model import EnergyReading, InputKey

MINUTE = 60.0


def test_a_step_gives_the_average_power_over_it() -> None:
    meter = EnergyMeter()
    meter.observe(10.0, 0.0)
    assert meter.power(0.0) is None  # one reading says nothing yet
    meter.observe(10.1, 6 * MINUTE)  # 0.1 kWh in 6 minutes
    assert meter.power(6 * MINUTE) == pytest.approx(1000.0)
    assert meter.step_kwh == pytest.approx(0.1)


def test_a_counter_standing_still_bounds_the_power() -> None:
    meter = EnergyMeter()
    meter.observe(10.0, 0.0)
    meter.observe(10.1, 6 * MINUTE)
    # An hour without a step: at most 0.1 kWh in an hour, 100 W.
    assert meter.power(66 * MINUTE) == pytest.approx(100.0)
    assert meter.resolution(66 * MINUTE) == pytest.approx(100.0)
    # Never sharper than one step over six hours, however long it stands.
    assert meter.power(48 * 60 * MINUTE) == pytest.approx(0.1 * 3_600_000 / (6 * 3600))


def test_a_daily_reset_is_not_a_negative_power() -> None:
    meter = EnergyMeter()
    meter.observe(24.9, 0.0)
    meter.observe(25.0, 6 * MINUTE)
    meter.observe(0.0, 7 * MINUTE)  # midnight
    assert meter.power(7 * MINUTE) == pytest.approx(1000.0)
    meter.observe(0.1, 13 * MINUTE)
    assert meter.power(13 * MINUTE) == pytest.approx(1000.0)


def test_lag_is_from_the_middle_of_the_last_step() -> None:
    meter = EnergyMeter()
    assert meter.lag(0.0) is None
    meter.observe(1.0, 0.0)
    meter.observe(1.1, 10 * MINUTE)
    assert meter.lag(12 * MINUTE) == pytest.approx(7 * MINUTE)


def test_restore_carries_on() -> None:
    meter = EnergyMeter()
    meter.observe(1.0, 0.0)
    meter.observe(1.2, 12 * MINUTE)
    again = EnergyMeter()
    again.load(meter.to_dict())
    assert again.power(12 * MINUTE) == meter.power(12 * MINUTE)
    again.load("garbage")
    assert again.power(0.0) is None


def test_the_evaluator_reads_a_counter_as_power_and_says_how_sharp() -> None:
    ev = Evaluator(
        options=EvaluatorOptions.from_mapping(
            {"power_entity": "sensor.energy", "climate_entity": "climate.hp"}
        )
    )
    for step in range(20):
        ev.observe(InputKey.POWER, EnergyReading(5.0 + 0.1 * step), step * 6 * MINUTE)
        result = ev.evaluate(step * 6 * MINUTE + 30)
    status = result.statuses[FaultKey.POWER_LOSS]
    assert status.active is not True
    assert status.evidence["power_w"] == pytest.approx(1000.0)
    assert status.evidence["power_resolution_w"] == pytest.approx(1000.0, rel=0.1)
    # The average over the last step (6 min), half a step and 30 s old.
    assert status.evidence["power_lag_minutes"] == pytest.approx(3.5)
    assert "standby" in result.diagnostics.not_judged
    assert ev.export_state()["energy"]["step_kwh"] == pytest.approx(0.1)


def test_a_large_step_is_not_capped_by_the_smallest_one() -> None:
    """A cloud counter read every 15 minutes moves by a few steps at once."""
    meter = EnergyMeter()
    meter.observe(10.0, 0.0)
    meter.observe(10.1, 15 * MINUTE)  # a quiet quarter: 400 W
    meter.observe(10.5, 30 * MINUTE)  # running: 0.4 kWh in 15 minutes
    assert meter.power(30 * MINUTE) == pytest.approx(1600.0)
    # Until the next poll is due the counter cannot have moved.
    assert meter.power(44 * MINUTE) == pytest.approx(1600.0)
    # A poll and a half without a step: below 0.1 kWh over the wait.
    assert meter.power(60 * MINUTE) == pytest.approx(200.0)


def test_after_an_outage_the_average_is_held_for_a_poll_only() -> None:
    """Three hours without a reading, then one step: the unit may have stopped since."""
    meter = EnergyMeter()
    meter.observe(10.0, 0.0)
    meter.observe(10.4, 15 * MINUTE)
    meter.observe(10.8, 30 * MINUTE)  # read every 15 minutes
    meter.observe(14.8, 210 * MINUTE)  # the cloud was away for three hours
    assert meter.power(215 * MINUTE) == pytest.approx(1333.3, rel=0.01)
    # Overdue by its poll, not by the outage's three hours: below 0.4 kWh in 40 minutes.
    assert meter.power(250 * MINUTE) == pytest.approx(600.0)


def test_a_counter_that_reads_zero_for_a_moment_is_not_a_megawatt() -> None:
    meter = EnergyMeter()
    meter.observe(1234.4, 0.0)
    meter.observe(1234.5, 15 * MINUTE)
    meter.observe(0.0, 16 * MINUTE)  # a glitch, or a reset
    meter.observe(1234.6, 30 * MINUTE)  # and back
    assert meter.power(30 * MINUTE) == pytest.approx(400.0)
    meter.observe(1234.7, 45 * MINUTE)
    assert meter.power(45 * MINUTE) == pytest.approx(400.0)


def test_a_reset_carries_the_power_as_it_stood_not_a_stale_average() -> None:
    """A run before midnight, an hour idle, the reset: the run's average is long gone."""
    meter = EnergyMeter()
    meter.observe(23.9, 0.0)
    meter.observe(24.0, 5 * MINUTE)
    # The first value may have been there for hours: no word on when it was drawn.
    assert meter.drawn_since(5 * MINUTE) is None
    meter.observe(24.1, 10 * MINUTE)  # running: 1200 W
    # Its energy may have been drawn from a poll before its first reading.
    assert meter.drawn_since(10 * MINUTE) == 0.0
    # Idle since: at the reset, the power can only have been below 0.1 kWh in 55 min.
    bound = 0.1 * 3_600_000 / (55 * 60)
    assert meter.power(65 * MINUTE) == pytest.approx(bound)
    assert meter.drawn_since(65 * MINUTE) is None  # a bound, not an average
    meter.observe(0.0, 65 * MINUTE)  # midnight
    meter.observe(0.1, 75 * MINUTE)  # the first step after it is not trusted
    assert meter.power(75 * MINUTE) == pytest.approx(bound)
    assert meter.drawn_since(75 * MINUTE) is None
    meter.observe(0.2, 105 * MINUTE)  # 0.1 kWh in half an hour, from a value not seen reached
    assert meter.power(105 * MINUTE) == pytest.approx(200.0)
    assert meter.drawn_since(105 * MINUTE) is None
    meter.observe(0.3, 135 * MINUTE)
    assert meter.drawn_since(135 * MINUTE) == 100 * MINUTE  # a poll before 105


def test_a_restart_between_a_reset_and_its_return_is_not_a_megawatt() -> None:
    meter = EnergyMeter()
    meter.observe(1234.4, 0.0)
    meter.observe(1234.5, 15 * MINUTE)
    meter.observe(0.0, 16 * MINUTE)  # a glitch
    again = EnergyMeter()
    again.load(meter.to_dict())
    again.observe(1234.6, 30 * MINUTE)  # and back, after the restart
    assert again.power(30 * MINUTE) == pytest.approx(400.0)
    # A restart forgets when the counter stepped: nothing vouches for its energy's time.
    assert again.drawn_since(30 * MINUTE) is None


def test_the_step_before_is_kept_once_it_was_a_seen_step() -> None:
    """Half-hour polls of a 1.5 kW run: what the step before drew, where it is known."""
    meter = EnergyMeter()
    meter.observe(10.0, 0.0)
    meter.observe(10.8, 30 * MINUTE)
    assert meter.previous_power is None  # a step from the first reading: none before it
    meter.observe(11.5, 60 * MINUTE)
    assert meter.previous_power is None  # the step before began at a value first seen
    meter.observe(12.3, 90 * MINUTE)
    assert meter.previous_power == pytest.approx(1400.0)
    meter.observe(12.4, 120 * MINUTE)
    assert meter.previous_power == pytest.approx(1600.0)
    assert meter.power(120 * MINUTE) == pytest.approx(200.0)


def test_a_reset_forgets_the_step_before_it() -> None:
    meter = EnergyMeter()
    for poll, kwh in enumerate((10.0, 10.7, 11.5, 12.2)):
        meter.observe(kwh, poll * 30 * MINUTE)
    meter.observe(0.0, 100 * MINUTE)  # midnight
    meter.observe(0.1, 120 * MINUTE)  # back from the reset: not a step drawn
    meter.observe(0.9, 150 * MINUTE)
    assert meter.previous_power is None


def test_a_reset_is_no_step_of_energy_drawn() -> None:
    """A reset moves the counter's figure, not when it last counted energy; a glitch neither."""
    meter = EnergyMeter()
    meter.observe(24.9, 0.0)
    assert meter.stepped_at is None  # first seen there: no step yet
    meter.observe(25.0, 6 * MINUTE)
    meter.observe(0.0, 7 * MINUTE)  # a glitch
    assert meter.stepped_at == 6 * MINUTE
    meter.observe(25.0, 9 * MINUTE)  # and its way back
    assert meter.stepped_at == 6 * MINUTE
    assert meter.figure_at == 9 * MINUTE
    meter.observe(0.0, 10 * MINUTE)  # midnight
    meter.observe(0.1, 16 * MINUTE)  # the day's first step is energy drawn
    assert meter.stepped_at == 16 * MINUTE
    again = EnergyMeter()
    again.load(meter.to_dict())
    assert again.stepped_at == 16 * MINUTE
