"""Bad readings, bad clocks and gaps never cause a fault or an exception."""

from __future__ import annotations

import math

import pytest

from custom_components.heat_pump_health.engine import (
    ClimateReading,
    FaultKey,
    Health,
    InputKey,
    Value,
)

from .traces import MINUTE, T0, Sample, Unit, any_fault, drive, evaluator, first_active, overlay

HOURS = 60


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        (InputKey.COIL_TEMPERATURE, 85.0, "probe_error"),
        (InputKey.COIL_TEMPERATURE, -127.0, "probe_error"),
        (InputKey.SUPPLY_TEMPERATURE, 85.0, "probe_error"),
        (InputKey.RETURN_TEMPERATURE, -127.0, "probe_error"),
        (InputKey.OUTDOOR_TEMPERATURE, -127.0, "probe_error"),
        (InputKey.SUPPLY_TEMPERATURE, math.nan, "not_finite"),
        (InputKey.POWER, math.inf, "not_finite"),
        (InputKey.POWER, -500.0, "negative"),
        (InputKey.POWER, 1e9, "out_of_range"),
        (InputKey.NOISE, math.nan, "not_finite"),
        (InputKey.POWER, True, "bad_type"),
        (InputKey.DEFROST, 3.0, "bad_type"),
        (InputKey.CLIMATE, 21.0, "bad_type"),
    ],
)
def test_implausible_readings_are_unknown_and_counted(
    key: InputKey, value: Value, reason: str
) -> None:
    unit = Unit(defrost_every=40)
    ev = evaluator()
    # Broken for six hours after a healthy start.
    results = drive(ev, overlay(unit, 3 * HOURS, lambda m, r: r | {key: value}), 9 * HOURS)
    assert any_fault(results) == []
    assert results[-1].diagnostics.rejected_readings.get(f"{key.value}:{reason}", 0) >= 1


def test_probe_errors_flickering_in_and_out() -> None:
    unit = Unit(defrost_every=40)

    def flicker(minute: int, readings: Sample) -> Sample:
        if minute % 7 == 0:
            return readings | {InputKey.COIL_TEMPERATURE: 85.0, InputKey.SUPPLY_TEMPERATURE: -127.0}
        return readings

    ev = evaluator()
    assert any_fault(drive(ev, overlay(unit, 0, flicker), 24 * HOURS)) == []


def test_absurd_climate_temperatures_are_dropped() -> None:
    ev = evaluator()
    unit = Unit(on=0, off=1, room=21.0)
    bad = ClimateReading("heat", "idle", 85.0, -127.0)
    results = drive(ev, overlay(unit, 60, lambda m, r: r | {InputKey.CLIMATE: bad}), 12 * HOURS)
    assert any_fault(results) == []
    assert "climate_entity:target_temperature" in results[-1].diagnostics.rejected_readings


def test_sensor_dropouts_during_heating() -> None:
    unit = Unit(defrost_every=40)

    def dropouts(minute: int, readings: Sample) -> Sample:
        if minute % 90 < 25:
            return readings | {
                InputKey.SUPPLY_TEMPERATURE: None,
                InputKey.COIL_TEMPERATURE: None,
                InputKey.CLIMATE: None,
            }
        return readings

    ev = evaluator()
    assert any_fault(drive(ev, overlay(unit, 0, dropouts), 24 * HOURS)) == []


def test_unconfigured_input_is_ignored() -> None:
    ev = evaluator([InputKey.POWER])
    ev.observe(InputKey.NOISE, 99.0, T0)
    result = ev.evaluate(T0)
    assert set(result.statuses) == {FaultKey.POWER_LOSS, FaultKey.SHORT_CYCLING}
    assert result.diagnostics.rejected_readings == {"noise_entity:not_configured": 1}


def test_time_going_backwards() -> None:
    ev = evaluator()
    unit = Unit(defrost_every=40)
    drive(ev, unit, 3 * HOURS)
    now = T0 + 3 * HOURS * MINUTE
    # A clock stepped back an hour, and readings stamped in the past.
    result = ev.evaluate(now - 3600.0)
    assert result.now == now - 3600.0
    for key, value in unit(0).items():
        ev.observe(key, value, now - 7200.0)
    ev.observe(InputKey.POWER, 0.0, now - 30.0)
    ev.observe(InputKey.POWER, 1200.0, now - 10.0)
    ev.evaluate(now - 120.0)
    ev.evaluate(math.nan)
    results = drive(ev, unit, 6 * HOURS, start_minute=3 * HOURS)
    assert any_fault(results) == []
    rejected = results[-1].diagnostics.rejected_readings
    assert rejected.get("power_entity:out_of_order", 0) >= 1


def test_gap_of_hours_does_not_confirm_on_its_own() -> None:
    """Six hours with no tick while the power meter reads 0: one tick is not ten minutes."""
    ev = evaluator()
    unit = Unit(always_on=True)
    drive(ev, unit, 3 * HOURS)
    now = T0 + 3 * HOURS * MINUTE
    ev.observe(InputKey.POWER, 0.0, now)
    ev.observe(InputKey.CLIMATE, ClimateReading("heat", "heating", 19.0, 21.0), now)
    ev.observe(InputKey.SUPPLY_TEMPERATURE, 20.5, now)
    result = ev.evaluate(now + 6 * 3600.0)
    assert not result.statuses[FaultKey.POWER_LOSS].active
    # It still confirms after enough further evidence.
    for minute in range(1, 15):
        result = ev.evaluate(now + 6 * 3600.0 + minute * MINUTE)
    assert result.statuses[FaultKey.POWER_LOSS].active


def test_same_result_whatever_the_tick_cadence() -> None:
    """Ticks exactly on the minute, or late and irregular, give the same verdicts."""
    unit = Unit(defrost_every=40)

    def trip(minute: int, readings: Sample) -> Sample:
        return readings | {
            InputKey.POWER: 0.0,
            InputKey.SUPPLY_TEMPERATURE: readings[InputKey.RETURN_TEMPERATURE],
            InputKey.CLIMATE: ClimateReading("heat", "heating", 19.0, 21.0),
        }

    trace = overlay(unit, 10 * HOURS, trip)
    exact = drive(evaluator(), trace, 11 * HOURS)
    irregular = drive(evaluator(), trace, 11 * HOURS, offset=30.0, jitter=25.0, seed=3)
    a = first_active(exact, FaultKey.POWER_LOSS)
    b = first_active(irregular, FaultKey.POWER_LOSS)
    assert a is not None
    assert b is not None
    assert abs(a - b) <= 1
    assert (
        exact[a].statuses[FaultKey.POWER_LOSS].since
        == irregular[b].statuses[FaultKey.POWER_LOSS].since
    )
    # Transitions may land one tick apart, nothing more.
    differ = sum(
        x.diagnostics.health is not y.diagnostics.health
        for x, y in zip(exact, irregular, strict=True)
    )
    assert differ <= 2


def test_health_goes_from_learning_to_ok() -> None:
    ev = evaluator()
    results = drive(ev, Unit(defrost_every=40), 6 * HOURS)
    assert results[0].diagnostics.health is Health.LEARNING
    assert results[-1].diagnostics.health is Health.OK
    assert results[-1].diagnostics.learning_progress == 1.0


def test_health_shows_watch_then_fault() -> None:
    ev = evaluator()
    unit = Unit(always_on=True)

    def trip(minute: int, readings: Sample) -> Sample:
        return readings | {
            InputKey.POWER: 0.0,
            InputKey.SUPPLY_TEMPERATURE: readings[InputKey.RETURN_TEMPERATURE],
        }

    results = drive(ev, overlay(unit, 5 * HOURS, trip), 5 * HOURS + 20)
    healths = [r.diagnostics.health for r in results[5 * HOURS :]]
    assert Health.WATCH in healths
    assert healths[-1] is Health.FAULT


def test_no_inputs_at_all() -> None:
    ev = evaluator([])
    assert ev.faults == ()
    result = ev.evaluate(T0)
    assert result.statuses == {}
    assert result.diagnostics.defrosts_last_24h is None


def test_a_failing_rule_is_isolated_and_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    """A bug in one rule: logged once with context, the others and later ticks go on."""
    from unittest.mock import patch  # noqa: PLC0415

    from custom_components.heat_pump_health.engine import (  # noqa: PLC0415
        Evaluator,
        EvaluatorOptions,
        FaultKey,
        InputKey,
    )

    evaluator = Evaluator(
        options=EvaluatorOptions(configured=frozenset({InputKey.POWER, InputKey.NOISE}))
    )
    evaluator.observe(InputKey.POWER, 900.0, 0.0)
    evaluator.observe(InputKey.NOISE, 50.0, 0.0)
    from custom_components.heat_pump_health.engine.power_loss import (  # noqa: PLC0415
        PowerLossDetector,
    )

    with patch.object(PowerLossDetector, "judge", side_effect=ZeroDivisionError("boom")):
        for minute in range(1, 4):
            result = evaluator.evaluate(minute * 60.0)
            assert result.statuses[FaultKey.POWER_LOSS].active is None
            assert result.statuses[FaultKey.ABNORMAL_NOISE].active is not True
    failures = [r for r in caplog.records if "power_loss rule failed" in r.getMessage()]
    assert len(failures) == 1
    assert "power" in failures[0].getMessage()
    result = evaluator.evaluate(5 * 60.0)
    assert result.statuses[FaultKey.POWER_LOSS].active is False
    assert any("works again" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(("state", "unit"), [("358.15", "K"), ("146.15", "K"), ("185.0", "°F")])
def test_probe_errors_in_other_units_are_refused(state: str, unit: str) -> None:
    """Regression: 146.15 K converts to -126.99999999999997 °C and passed as a reading."""
    from custom_components.heat_pump_health.ingest import to_value  # noqa: PLC0415

    value = to_value(InputKey.SUPPLY_TEMPERATURE, state, {"unit_of_measurement": unit}).value
    ev = evaluator()
    ev.observe(InputKey.SUPPLY_TEMPERATURE, value, T0)
    result = ev.evaluate(T0)
    assert result.diagnostics.rejected_readings == {"supply_temperature_entity:probe_error": 1}
