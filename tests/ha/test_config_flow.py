"""The config, options and reconfigure flows."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.heat_pump_health.const import DOMAIN

from .conftest import (
    ALL_SOURCES,
    CLIMATE,
    COIL,
    NOISE,
    OUTDOOR,
    POWER,
    RETURN,
    SUPPLY,
    make_entry,
    on_one_device,
    owner_flow,
    set_heating,
    sources_form,
)

TUNING = {"tuning": {"sensitivity": "normal"}}


async def _user_flow(hass: HomeAssistant, user_input: dict[str, Any]) -> Any:
    return await owner_flow(hass, user_input)


@pytest.mark.usefixtures("heating")
async def test_user_flow_creates_entry(hass: HomeAssistant) -> None:
    result = await _user_flow(
        hass,
        {
            "name": "Garden heat pump",
            "system_type": "air_to_water",
            **ALL_SOURCES,
            "tuning": {"sensitivity": "high", "confirm_minutes": 15},
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Garden heat pump"
    assert result["data"] == {}
    assert result["options"] == {
        "system_type": "air_to_water",
        **ALL_SOURCES,
        "sensitivity": "high",
        "confirm_minutes": 15,
    }
    await hass.async_block_till_done()
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    assert entry.state is ConfigEntryState.LOADED


@pytest.mark.usefixtures("heating")
async def test_user_flow_only_power(hass: HomeAssistant) -> None:
    result = await _user_flow(
        hass, {"name": "Heat pump", "system_type": "air_to_air", "power_entity": POWER, **TUNING}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["options"] == {
        "system_type": "air_to_air",
        "power_entity": POWER,
        "sensitivity": "normal",
    }


@pytest.mark.parametrize(
    ("user_input", "errors"),
    [
        (
            {"power_entity": POWER, "supply_temperature_entity": POWER},
            {
                "supply_temperature_entity": "duplicate_entity",
                "return_temperature_entity": "supply_return_pair",
            },
        ),
        (
            {"power_entity": POWER, "supply_temperature_entity": SUPPLY},
            {"return_temperature_entity": "supply_return_pair"},
        ),
        (
            {"power_entity": POWER, "return_temperature_entity": RETURN},
            {"supply_temperature_entity": "supply_return_pair"},
        ),
        ({"outdoor_temperature_entity": OUTDOOR}, {"base": "no_fault_evaluable"}),
        ({"power_entity": "sensor.wrong_power"}, {"power_entity": "unit_power"}),
        (
            {"coil_temperature_entity": "sensor.humidity", "outdoor_temperature_entity": OUTDOOR},
            {"coil_temperature_entity": "unit_temperature"},
        ),
    ],
)
@pytest.mark.usefixtures("heating")
async def test_user_flow_errors(
    hass: HomeAssistant, user_input: dict[str, str], errors: dict[str, str]
) -> None:
    hass.states.async_set("sensor.wrong_power", "3", {"unit_of_measurement": "A"})
    hass.states.async_set("sensor.humidity", "60", {"unit_of_measurement": "%"})
    result = await _user_flow(
        hass, {"name": "Heat pump", "system_type": "air_to_air", **user_input, **TUNING}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors

    # Fixing the input finishes the flow.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"power_entity": POWER, **TUNING}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_unknown_entity_is_accepted(hass: HomeAssistant) -> None:
    """An entity not loaded yet has no unit to judge; the monitor checks it later."""
    result = await _user_flow(
        hass,
        {
            "name": "Heat pump",
            "system_type": "air_to_air",
            "power_entity": "sensor.later",
            **TUNING,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.usefixtures("heating")
async def test_second_entry_sharing_a_source_is_refused(hass: HomeAssistant) -> None:
    """One heat pump, one entry: a subset of another entry's sources is refused by name."""
    make_entry(title="Garden heat pump").add_to_hass(hass)
    result = await _user_flow(
        hass, {"name": "Again", "system_type": "air_to_air", "power_entity": POWER, **TUNING}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "sources_in_use"}
    assert result["description_placeholders"]["other"] == "Garden heat pump"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


def _heat_pump_device(hass: HomeAssistant, *entity_ids: str) -> str:
    """Put ``entity_ids`` on one device of another integration; return the device id."""
    device_id = on_one_device(hass, *entity_ids)
    set_heating(hass)
    return device_id


@pytest.mark.usefixtures("heating")
async def test_second_entry_on_the_same_device_aborts(hass: HomeAssistant) -> None:
    """Different entities of the same heat-pump device: the entry already exists."""
    device_id = _heat_pump_device(hass, POWER, COIL, OUTDOOR)
    first = await _user_flow(
        hass, {"name": "First", "system_type": "air_to_air", "power_entity": POWER, **TUNING}
    )
    assert first["type"] is FlowResultType.CREATE_ENTRY
    assert first["result"].unique_id == device_id
    second = await _user_flow(
        hass,
        {
            "name": "Second",
            "system_type": "air_to_air",
            "coil_temperature_entity": COIL,
            "outdoor_temperature_entity": OUTDOOR,
            **TUNING,
        },
    )
    assert second["type"] is FlowResultType.ABORT
    assert second["reason"] == "already_configured"
    assert second["description_placeholders"] == {"other": "First"}


@pytest.mark.usefixtures("heating")
async def test_options_flow_changes_tuning_and_keeps_sources(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert set(result["data_schema"].schema) == {"sensitivity", "confirm_minutes", "clear_minutes"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"sensitivity": "low", "clear_minutes": 30}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert loaded_entry.options == {
        "system_type": "air_to_air",
        **ALL_SOURCES,
        "sensitivity": "low",
        "clear_minutes": 30,
    }
    assert loaded_entry.state is ConfigEntryState.LOADED
    # Cleared again: back to each fault's default.
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"sensitivity": "normal"}
    )
    await hass.async_block_till_done()
    assert "clear_minutes" not in loaded_entry.options
    assert loaded_entry.options["sensitivity"] == "normal"


@pytest.mark.usefixtures("heating")
async def test_reconfigure(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    hass.config_entries.async_update_entry(
        loaded_entry, options={**loaded_entry.options, "confirm_minutes": 7}
    )
    await hass.async_block_till_done()
    result = await loaded_entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert "tuning" not in result["data_schema"].schema
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"system_type": "air_to_air", "coil_temperature_entity": COIL}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "no_fault_evaluable"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "system_type": "air_to_air",
            "coil_temperature_entity": COIL,
            "outdoor_temperature_entity": OUTDOOR,
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert loaded_entry.options == {
        "system_type": "air_to_air",
        "coil_temperature_entity": COIL,
        "outdoor_temperature_entity": OUTDOOR,
        "confirm_minutes": 7,
    }
    assert loaded_entry.state is ConfigEntryState.LOADED
    # Only the faults the remaining sources allow are left.
    assert hass.states.get("binary_sensor.heat_pump_power_loss") is None
    assert hass.states.get("binary_sensor.heat_pump_ice_buildup") is not None


@pytest.mark.usefixtures("heating")
async def test_reconfigure_errors(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    result = await loaded_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"system_type": "air_to_air", "supply_temperature_entity": SUPPLY}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"return_temperature_entity": "supply_return_pair"}


@pytest.mark.usefixtures("heating")
async def test_reconfigure_onto_another_entrys_sources_is_refused(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    make_entry({"power_entity": POWER}, title="Other").add_to_hass(hass)
    result = await loaded_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"system_type": "air_to_air", "power_entity": POWER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "sources_in_use"}
    assert result["description_placeholders"] == {"other": "Other"}


def _selector_config(result: Any, field: str) -> dict[str, Any]:
    for marker, selector in result["data_schema"].schema.items():
        if marker == field:
            config: dict[str, Any] = selector.config
            return config
    raise AssertionError(field)


@pytest.mark.usefixtures("heating")
async def test_pickers_offer_neither_own_entities_nor_unrelated_sensors(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    hass.states.async_set("sensor.street_sound", "41", {"device_class": "sound_pressure"})
    hass.states.async_set("sensor.fan_vibration", "1.2", {"unit_of_measurement": "mm/s"})
    hass.states.async_set("sensor.humidity", "55", {"unit_of_measurement": "%"})
    hass.states.async_set("sensor.kitchen_power", "5", {"unit_of_measurement": "W"})
    hass.states.async_set("sensor.hp_phase", "Heating")
    hass.states.async_set("sensor.hp_mode", "normal", {"device_class": "enum", "options": ["x"]})
    result = await sources_form(hass)
    own = {
        entity.entity_id
        for entity in er.async_entries_for_config_entry(er.async_get(hass), loaded_entry.entry_id)
    }
    assert "binary_sensor.heat_pump_power_loss" in own
    for field in (
        "power_entity",
        "climate_entity",
        "supply_temperature_entity",
        "coil_temperature_entity",
    ):
        assert set(_selector_config(result, field)["exclude_entities"]) == own, field
    # Defrost: on/off entities, thermostats and sensors that report words.
    defrost = set(_selector_config(result, "defrost_entity")["include_entities"])
    assert {"binary_sensor.hp_defrost", CLIMATE, "sensor.hp_phase", "sensor.hp_mode"} <= defrost
    assert not defrost & own
    assert not defrost & {POWER, SUPPLY, "sensor.humidity", "sensor.street_sound"}
    # Noise: only what reports a sound or vibration level.
    assert _selector_config(result, "noise_entity")["include_entities"] == [
        "sensor.fan_vibration",
        NOISE,
        "sensor.street_sound",
    ]


async def test_an_energy_counter_may_stand_in_for_power(hass: HomeAssistant) -> None:
    """Daikin Onecta, MELCloud, ViCare: only a kWh counter, often reset daily."""
    hass.states.async_set(
        "sensor.altherma_heating_daily_electrical_consumption",
        "3.4",
        {"unit_of_measurement": "kWh", "device_class": "energy", "state_class": "total_increasing"},
    )
    result = await _user_flow(
        hass,
        {
            "name": "Altherma",
            "system_type": "air_to_water",
            "power_entity": "sensor.altherma_heating_daily_electrical_consumption",
            **TUNING,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    picker = _selector_config(await sources_form(hass), "power_entity")
    assert picker["device_class"] == ["power", "energy"]
