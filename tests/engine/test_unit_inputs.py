"""The unit's own compressor state and error code, where its integration has them."""

from __future__ import annotations

import pytest

from custom_components.heat_pump_health.engine import Evaluator, EvaluatorOptions, FaultKey
from custom_components.heat_pump_health.engine.model import ClimateReading, InputKey
from custom_components.heat_pump_health.ingest import to_value

MINUTE = 60.0
HEATING = ClimateReading("heat", "heating", 19.0, 21.0)


@pytest.mark.parametrize(
    ("state", "attributes", "running"),
    [
        ("52", {"unit_of_measurement": "Hz"}, True),  # CN105, Samsung, Nibe
        ("0", {"unit_of_measurement": "Hz"}, False),
        ("35", {"unit_of_measurement": "%"}, True),  # ViCare modulation
        ("2400", {"unit_of_measurement": "U/min"}, True),  # LG over Modbus
        ("on", {}, True),  # Stiebel Eltron's compressor binary sensor
        ("off", {}, False),
        ("heating", {}, True),  # ViCare compressor phase
        ("ready", {}, False),
        ("preparing", {}, False),
        ("unavailable", {}, None),
    ],
)
def test_compressor_state_from_any_shape(
    state: str, attributes: dict[str, str], running: bool | None
) -> None:
    assert to_value(InputKey.COMPRESSOR, state, attributes).value is running


@pytest.mark.parametrize(
    ("state", "code"),
    [
        ("No error", ""),  # CN105
        ("No Error Reported", ""),  # mitsubishi_itp
        ("alarm_code_0", ""),  # Hitachi Yutaki
        ("0", ""),
        ("off", ""),  # a problem binary sensor
        ("on", "problem"),
        ("H99", "H99"),  # HeishaMon
        ("Error 0x6C sub 0x00", "Error 0x6C sub 0x00"),
    ],
)
def test_unit_error_codes(state: str, code: str) -> None:
    assert to_value(InputKey.ERROR, state, {}).value == code


def _evaluator(*inputs: InputKey) -> Evaluator:
    return Evaluator(
        options=EvaluatorOptions.from_mapping({key.value: f"sensor.{key.value}" for key in inputs})
    )


def test_the_compressor_says_running_without_a_power_meter() -> None:
    """Supply and return with a compressor state: insufficient heat can be judged."""
    ev = _evaluator(InputKey.COMPRESSOR, InputKey.SUPPLY_TEMPERATURE, InputKey.RETURN_TEMPERATURE)
    assert FaultKey.INSUFFICIENT_HEAT in ev.faults
    for minute in range(60):
        at = minute * MINUTE
        ev.observe(InputKey.COMPRESSOR, True, at)
        ev.observe(InputKey.SUPPLY_TEMPERATURE, 35.0 + 0.1 * (minute % 2), at)
        ev.observe(InputKey.RETURN_TEMPERATURE, 30.0, at)
        result = ev.evaluate(at + 30)
    assert result.statuses[FaultKey.INSUFFICIENT_HEAT].active is False


def test_a_unit_stopped_with_an_error_is_not_without_power() -> None:
    ev = _evaluator(InputKey.POWER, InputKey.CLIMATE, InputKey.ERROR)
    for minute in range(120):
        at = minute * MINUTE
        ev.observe(InputKey.CLIMATE, HEATING, at)
        stopped = minute >= 60
        ev.observe(InputKey.POWER, 0.0 if stopped else 1200.0 + minute % 2, at)
        ev.observe(InputKey.ERROR, "E6" if stopped else "", at)
        result = ev.evaluate(at + 30)
    assert result.statuses[FaultKey.POWER_LOSS].active is False
    assert result.diagnostics.unit_error == "E6"
    assert result.diagnostics.unit_error_since == 60 * MINUTE


def test_without_the_error_the_same_stop_is_a_power_loss() -> None:
    ev = _evaluator(InputKey.POWER, InputKey.CLIMATE, InputKey.ERROR)
    for minute in range(120):
        at = minute * MINUTE
        ev.observe(InputKey.CLIMATE, HEATING, at)
        ev.observe(InputKey.POWER, 0.0 if minute >= 60 else 1200.0 + minute % 2, at)
        ev.observe(InputKey.ERROR, "", at)
        result = ev.evaluate(at + 30)
    status = result.statuses[FaultKey.POWER_LOSS]
    assert status.active is True
    assert "unit_error" not in status.evidence


def test_the_units_error_goes_with_a_fault_that_builds() -> None:
    ev = _evaluator(InputKey.DEFROST, InputKey.ERROR)
    ev.observe(InputKey.DEFROST, False, 0.0)
    ev.observe(InputKey.ERROR, "A5", 0.0)
    ev.observe(InputKey.DEFROST, True, MINUTE)
    for minute in range(2, 60):
        result = ev.evaluate(minute * MINUTE)
    status = result.statuses[FaultKey.ICE_BUILDUP]
    assert status.active is True
    assert status.evidence["unit_error"] == "A5"
    assert status.evidence["unit_error_since"] == 0.0
