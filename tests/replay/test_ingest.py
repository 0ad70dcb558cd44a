"""Home Assistant states to canonical values: units, rejections, climate, defrost."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.heat_pump_health.engine.model import ClimateReading, EnergyReading, InputKey
from custom_components.heat_pump_health.ingest import (
    IngestResult,
    UnitError,
    converter,
    expected_units,
    normalise_unit,
    source_unit,
    to_value,
)

TEMPERATURE_KEYS = [
    InputKey.OUTDOOR_TEMPERATURE,
    InputKey.SUPPLY_TEMPERATURE,
    InputKey.RETURN_TEMPERATURE,
    InputKey.COIL_TEMPERATURE,
]


@pytest.mark.parametrize("key", TEMPERATURE_KEYS)
@pytest.mark.parametrize(
    ("state", "unit", "celsius"),
    [
        ("21.5", "°C", 21.5),
        ("212", "°F", 100.0),
        ("32", "°F", 0.0),
        ("273.15", "K", 0.0),
        ("50", "F", 10.0),  # hand-written config spelling
        ("10", "degC", 10.0),
        ("-40", "℉", -40.0),
    ],
)
def test_temperatures_become_celsius(key: InputKey, state: str, unit: str, celsius: float) -> None:
    result = to_value(key, state, {"unit_of_measurement": unit})
    assert result.reason is None
    assert result.value == pytest.approx(celsius)


@pytest.mark.parametrize(
    ("state", "unit", "watts"),
    [("1500", "W", 1500.0), ("1.5", "kW", 1500.0), ("0.002", "MW", 2000.0), ("2500", "mW", 2.5)],
)
def test_power_becomes_watts(state: str, unit: str, watts: float) -> None:
    assert to_value(InputKey.POWER, state, {"unit_of_measurement": unit}).value == pytest.approx(
        watts
    )


@pytest.mark.parametrize("unit", ["dB", "dBA", "level", None])
def test_noise_is_taken_as_is_in_any_unit(unit: str | None) -> None:
    attributes = {} if unit is None else {"unit_of_measurement": unit}
    assert to_value(InputKey.NOISE, "48.5", attributes) == IngestResult(48.5)


def test_unit_argument_overrides_the_attribute() -> None:
    # A CSV export has no attributes; the replay passes the configured unit.
    assert to_value(InputKey.OUTDOOR_TEMPERATURE, "212", {}, unit="°F").value == pytest.approx(100)
    overridden = to_value(
        InputKey.OUTDOOR_TEMPERATURE, "212", {"unit_of_measurement": "°C"}, unit="°F"
    )
    assert overridden.value == pytest.approx(100)


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        ("unknown", "unknown"),
        ("unavailable", "unavailable"),
        ("", "empty"),
        ("  ", "empty"),
        ("nan", "not_finite"),
        ("NaN", "not_finite"),
        ("inf", "not_finite"),
        ("-inf", "not_finite"),
        ("warm", "not_numeric"),
        ("12 W", "not_numeric"),
    ],
)
@pytest.mark.parametrize("key", [InputKey.POWER, InputKey.SUPPLY_TEMPERATURE, InputKey.NOISE])
def test_unusable_states_are_none_with_a_reason(key: InputKey, state: str, reason: str) -> None:
    unit = {"unit_of_measurement": "W" if key is InputKey.POWER else "°C"}
    assert to_value(key, state, unit) == IngestResult(None, reason)


@pytest.mark.parametrize(
    ("key", "unit"),
    [
        (InputKey.POWER, "kWh/h"),
        (InputKey.POWER, "°C"),
        (InputKey.OUTDOOR_TEMPERATURE, "W"),
        (InputKey.OUTDOOR_TEMPERATURE, "bananas"),
        (InputKey.CLIMATE, "W"),
    ],
)
def test_unconvertible_unit_is_a_unit_error(key: InputKey, unit: str) -> None:
    with pytest.raises(UnitError) as caught:
        to_value(key, "12", {}, unit=unit, entity_id="sensor.x")
    message = str(caught.value)
    assert "sensor.x" in message
    assert key.value in message
    assert repr(unit) in message
    assert caught.value.key is key


def test_missing_unit_matters_only_for_a_number() -> None:
    # Unavailable sensors often lose their unit: that is not a config problem.
    assert to_value(InputKey.POWER, "unavailable", {}).reason == "unavailable"
    with pytest.raises(UnitError, match="has no unit of measurement"):
        to_value(InputKey.POWER, "1200", {}, entity_id="sensor.power")


def test_unit_error_message_without_entity() -> None:
    err = UnitError(InputKey.POWER, None)
    assert str(err).startswith("power_entity has no unit of measurement; expected one of: W")


def test_expected_units() -> None:
    assert "kW" in expected_units(InputKey.POWER)
    assert "°F" in expected_units(InputKey.CLIMATE)
    assert expected_units(InputKey.NOISE) == ("any",)


def test_normalise_unit() -> None:
    assert normalise_unit(InputKey.POWER, " kW ") == "kW"
    assert normalise_unit(InputKey.POWER, "kw") == "kW"
    assert normalise_unit(InputKey.OUTDOOR_TEMPERATURE, "Celsius") == "°C"
    assert normalise_unit(InputKey.OUTDOOR_TEMPERATURE, None) is None
    assert normalise_unit(InputKey.NOISE, "whatever") == "whatever"
    # mW and MW differ by 10^9: no case folding that could confuse them.
    assert normalise_unit(InputKey.POWER, "MW") == "MW"
    with pytest.raises(UnitError):
        normalise_unit(InputKey.POWER, "mw")


@pytest.mark.parametrize(
    ("state", "value"),
    [
        ("on", True),
        ("off", False),
        ("ON", True),
        ("true", True),
        ("False", False),
        ("1", True),
        ("0", False),
        ("defrosting", True),
        ("defrost", True),
        ("heating", False),
        ("heat", False),
        ("standby", False),
        ("idle", False),
    ],
)
def test_defrost_states(state: str, value: bool) -> None:
    assert to_value(InputKey.DEFROST, state, {}, entity_id="binary_sensor.defrost") == IngestResult(
        value
    )


@pytest.mark.parametrize(
    ("state", "reason"),
    [("unknown", "unknown"), ("unavailable", "unavailable"), ("", "empty"), ("maybe", None)],
)
def test_defrost_rejections(state: str, reason: str | None) -> None:
    result = to_value(InputKey.DEFROST, state, {})
    assert result.value is None
    assert result.reason == (reason or "unrecognised_state")


@pytest.mark.parametrize(
    ("state", "attributes", "expected"),
    [
        ("heat", {"hvac_action": "defrosting"}, IngestResult(True)),
        ("heat", {"hvac_action": "heating"}, IngestResult(False)),
        ("off", {"hvac_action": "off"}, IngestResult(False)),
        ("heat", {}, IngestResult(None, "no_hvac_action")),
        ("unavailable", {}, IngestResult(None, "unavailable")),
    ],
)
def test_defrost_from_a_climate_entity(
    state: str, attributes: dict[str, Any], expected: IngestResult
) -> None:
    assert to_value(InputKey.DEFROST, state, attributes, entity_id="climate.hp") == expected


def test_defrost_climate_detected_by_attributes() -> None:
    attributes = {"hvac_modes": ["heat"], "hvac_action": "defrosting"}
    assert to_value(InputKey.DEFROST, "heat", attributes).value is True


def test_climate_reading_converts_the_system_unit() -> None:
    attributes = {
        "hvac_modes": ["off", "heat"],
        "hvac_action": "heating",
        "current_temperature": 68,
        "temperature": 71.6,
    }
    result = to_value(InputKey.CLIMATE, "heat", attributes, climate_unit="°F")
    assert result.reason is None
    assert isinstance(result.value, ClimateReading)
    assert result.value.hvac_mode == "heat"
    assert result.value.hvac_action == "heating"
    assert result.value.current_temperature == pytest.approx(20.0)
    assert result.value.target_temperature == pytest.approx(22.0)


def test_climate_unit_from_attribute_or_override() -> None:
    attributes = {"current_temperature": 293.15, "temperature_unit": "K"}
    reading = to_value(InputKey.CLIMATE, "heat", attributes, climate_unit="°F").value
    assert isinstance(reading, ClimateReading)
    assert reading.current_temperature == pytest.approx(20.0)
    reading = to_value(InputKey.CLIMATE, "heat", {"current_temperature": 68}, unit="°F").value
    assert isinstance(reading, ClimateReading)
    assert reading.current_temperature == pytest.approx(20.0)


@pytest.mark.parametrize(
    ("mode", "action", "target"),
    [
        ("heat_cool", "heating", 20.0),
        ("heat_cool", "idle", 20.0),
        ("heat_cool", "cooling", 25.0),
        ("cool", None, 25.0),
    ],
)
def test_dual_set_point_target(mode: str, action: str | None, target: float) -> None:
    attributes: dict[str, Any] = {"target_temp_low": 20.0, "target_temp_high": 25.0}
    if action:
        attributes["hvac_action"] = action
    reading = to_value(InputKey.CLIMATE, mode, attributes, climate_unit="°C").value
    assert isinstance(reading, ClimateReading)
    assert reading.target_temperature == target


def test_dual_set_point_with_one_side_missing() -> None:
    reading = to_value(InputKey.CLIMATE, "heat_cool", {"target_temp_high": 25.0}, climate_unit="°C")
    assert isinstance(reading.value, ClimateReading)
    assert reading.value.target_temperature == 25.0


def test_climate_with_odd_attributes() -> None:
    attributes = {
        "current_temperature": "n/a",
        "temperature": float("nan"),
        "hvac_action": 3,
    }
    reading = to_value(InputKey.CLIMATE, "auto", attributes)
    assert reading.value == ClimateReading(hvac_mode="auto")
    boolean = to_value(InputKey.CLIMATE, "heat", {"current_temperature": True})
    assert boolean.value == ClimateReading(hvac_mode="heat")


@pytest.mark.parametrize(
    ("state", "reason"),
    [("unavailable", "unavailable"), ("unknown", "unknown"), ("heating", "unrecognised_state")],
)
def test_climate_rejections(state: str, reason: str) -> None:
    assert to_value(InputKey.CLIMATE, state, {}) == IngestResult(None, reason)


def test_climate_temperature_without_a_unit_is_a_unit_error() -> None:
    # Without temperatures the unit does not matter (a CSV export).
    assert to_value(InputKey.CLIMATE, "heat", {}).value == ClimateReading(hvac_mode="heat")
    with pytest.raises(UnitError, match=r"climate\.hp \(climate_entity\) has no unit"):
        to_value(InputKey.CLIMATE, "heat", {"current_temperature": 20}, entity_id="climate.hp")


def test_source_unit() -> None:
    assert source_unit(InputKey.POWER, {"unit_of_measurement": "kW"}) == "kW"
    assert source_unit(InputKey.POWER, {"unit_of_measurement": 3}) is None
    assert source_unit(InputKey.POWER, {"unit_of_measurement": "kW"}, unit="W") == "W"
    assert source_unit(InputKey.CLIMATE, {}, climate_unit="°F") == "°F"
    assert source_unit(InputKey.CLIMATE, {"temperature_unit": "K"}, climate_unit="°F") == "K"


def test_converters_are_shared() -> None:
    # The replay asks once per source and unit; the cache keeps it cheap.
    assert converter(InputKey.POWER, "kW") is converter(InputKey.POWER, "kW")


@pytest.mark.parametrize(
    ("state", "value"),
    [
        ("DEFROST", True),  # Mitsubishi CN105 sub_mode
        ("OP_DEICE", True),  # Samsung EHS outdoor unit mode
        ("Defrosting", True),  # Ecodan MQTT bridge
        ("Active", True),  # Nibe "Defrosting outdoor unit"
        ("passive_defrost", True),  # ViCare compressor phase
        ("Dégivrage", True),
        ("Abtauen", True),
        ("de-ice", True),
        ("NORMAL", False),
        ("WARMUP", False),  # any other phase: not defrosting
        ("Waiting Restart", False),
        ("OP_SAFETY", False),
        ("No", False),
        ("unavailable", None),
    ],
)
def test_defrost_from_a_phase_sensor(state: str, value: bool | None) -> None:
    assert to_value(InputKey.DEFROST, state, {}, entity_id="sensor.hp_mode").value is value


def test_chosen_defrost_states_are_the_only_ones() -> None:
    chosen = frozenset({"op_deice"})
    assert to_value(
        InputKey.DEFROST, "OP_DEICE", {}, entity_id="sensor.m", defrost_states=chosen
    ).value
    assert not to_value(
        InputKey.DEFROST, "OP_NONSTOP_DEICE", {}, entity_id="sensor.m", defrost_states=chosen
    ).value


def test_a_switch_still_knows_only_on_and_off() -> None:
    result = to_value(InputKey.DEFROST, "WARMUP", {}, entity_id="binary_sensor.defrost")
    assert result == IngestResult(None, "unrecognised_state")


@pytest.mark.parametrize(
    ("entity_id", "attributes", "value"),
    [
        ("climate.kumo", {"hvac_action": "heating", "defrost": True}, True),
        ("climate.kumo", {"hvac_action": "heating", "defrost": False}, False),
        ("water_heater.ecodan", {"status": "defrost"}, True),
        ("water_heater.ecodan", {"status": "heat"}, False),
    ],
)
def test_defrost_attribute_of_a_climate_or_water_heater(
    entity_id: str, attributes: dict[str, Any], value: bool
) -> None:
    assert to_value(InputKey.DEFROST, "heat", attributes, entity_id=entity_id).value is value


@pytest.mark.parametrize(("state", "unit", "kwh"), [("12.5", "kWh", 12.5), ("800", "Wh", 0.8)])
def test_an_energy_counter_in_the_power_field(state: str, unit: str, kwh: float) -> None:
    value = to_value(InputKey.POWER, state, {"unit_of_measurement": unit}).value
    assert isinstance(value, EnergyReading)
    assert value.kwh == pytest.approx(kwh)
