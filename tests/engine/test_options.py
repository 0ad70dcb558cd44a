"""Options parsing, evaluable faults and severities."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.heat_pump_health.engine import (
    SEVERITY,
    Evaluator,
    EvaluatorOptions,
    FaultKey,
    InputKey,
    Severity,
    SystemType,
)


def test_from_mapping_reads_a_config_entry() -> None:
    options = EvaluatorOptions.from_mapping(
        {
            "power_entity": "sensor.hp_power",
            "coil_temperature_entity": None,
            "outdoor_temperature_entity": "",
            "climate_entity": "climate.hp",
            "system_type": "air_to_water",
            "sensitivity": "high",
            "confirm_minutes": 15.0,
            "clear_minutes": 5,
            "units": {"power_entity": "kW"},
            "name": "Garage heat pump",
        }
    )
    assert options.configured == frozenset({InputKey.POWER, InputKey.CLIMATE})
    assert options.system_type is SystemType.AIR_TO_WATER
    assert options.sensitivity == "high"
    assert options.confirm_minutes == 15
    assert options.clear_minutes == 5
    assert options.evaluable_faults() == (
        FaultKey.POWER_LOSS,
        FaultKey.INSUFFICIENT_HEAT,
        FaultKey.SHORT_CYCLING,
    )


def test_from_mapping_defaults() -> None:
    options = EvaluatorOptions.from_mapping({})
    assert options == EvaluatorOptions()
    assert options.evaluable_faults() == ()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"power": "sensor.x"}, "unknown option: power"),
        ({"system_type": "geothermal"}, "system_type"),
        ({"sensitivity": "extreme"}, "sensitivity"),
        ({"confirm_minutes": 2.5}, "confirm_minutes"),
        ({"confirm_minutes": "10"}, "confirm_minutes"),
        ({"clear_minutes": -1}, "clear_minutes"),
        ({"clear_minutes": float("inf")}, "clear_minutes"),
        ({"confirm_minutes": True}, "confirm_minutes"),
        ({"power_entity": 5}, "power_entity"),
    ],
)
def test_from_mapping_refuses_bad_values(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        EvaluatorOptions.from_mapping(data)


@pytest.mark.parametrize(
    ("inputs", "faults"),
    [
        ({InputKey.POWER}, {FaultKey.POWER_LOSS, FaultKey.SHORT_CYCLING}),
        ({InputKey.COMPRESSOR}, {FaultKey.SHORT_CYCLING}),
        ({InputKey.DEFROST}, {FaultKey.ICE_BUILDUP}),
        ({InputKey.COIL_TEMPERATURE}, set()),
        ({InputKey.COIL_TEMPERATURE, InputKey.OUTDOOR_TEMPERATURE}, {FaultKey.ICE_BUILDUP}),
        ({InputKey.SUPPLY_TEMPERATURE, InputKey.RETURN_TEMPERATURE}, set()),
        (
            {InputKey.SUPPLY_TEMPERATURE, InputKey.RETURN_TEMPERATURE, InputKey.CLIMATE},
            {FaultKey.INSUFFICIENT_HEAT},
        ),
        (
            {InputKey.CLIMATE, InputKey.POWER},
            {FaultKey.POWER_LOSS, FaultKey.INSUFFICIENT_HEAT, FaultKey.SHORT_CYCLING},
        ),
        ({InputKey.NOISE}, {FaultKey.ABNORMAL_NOISE}),
        (set(InputKey), set(FaultKey)),
    ],
)
def test_evaluable_faults(inputs: set[InputKey], faults: set[FaultKey]) -> None:
    options = EvaluatorOptions(configured=frozenset(inputs))
    assert set(options.evaluable_faults()) == faults
    assert set(Evaluator(options=options).faults) == faults


def test_confirm_and_clear_overrides_apply() -> None:
    options = EvaluatorOptions(
        configured=frozenset({InputKey.POWER}), confirm_minutes=2, clear_minutes=1
    )
    ev = Evaluator(options=options)
    ev.observe(InputKey.POWER, 0.0, 0.0)
    assert ev.faults == (FaultKey.POWER_LOSS, FaultKey.SHORT_CYCLING)
    assert EvaluatorOptions(confirm_minutes=0).confirm_minutes == 0


def test_every_fault_has_a_severity() -> None:
    assert set(SEVERITY) == set(FaultKey)
    assert SEVERITY[FaultKey.POWER_LOSS] is Severity.ERROR
    assert SEVERITY[FaultKey.ICE_BUILDUP] is Severity.ERROR
    assert SEVERITY[FaultKey.INSUFFICIENT_HEAT] is Severity.WARNING
    assert SEVERITY[FaultKey.ABNORMAL_NOISE] is Severity.WARNING
