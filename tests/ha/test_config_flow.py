"""The config, options and reconfigure flows."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.heat_pump_health.const import DOMAIN

from .conftest import ALL_SOURCES, COIL, OUTDOOR, POWER, RETURN, SUPPLY, make_entry

TUNING = {"tuning": {"sensitivity": "normal"}}


async def _user_flow(hass: HomeAssistant, user_input: dict[str, Any]) -> Any:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return await hass.config_entries.flow.async_configure(result["flow_id"], user_input)


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
        result["flow_id"],
        {"name": "Heat pump", "system_type": "air_to_air", "power_entity": POWER, **TUNING},
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
async def test_same_sources_twice_aborts(hass: HomeAssistant) -> None:
    make_entry().add_to_hass(hass)
    result = await _user_flow(
        hass, {"name": "Again", "system_type": "air_to_air", **ALL_SOURCES, **TUNING}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


@pytest.mark.usefixtures("heating")
async def test_options_flow_changes_and_reloads(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "system_type": "air_to_air",
            "power_entity": POWER,
            "tuning": {"sensitivity": "low", "clear_minutes": 30},
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert loaded_entry.options == {
        "system_type": "air_to_air",
        "power_entity": POWER,
        "sensitivity": "low",
        "clear_minutes": 30,
    }
    assert loaded_entry.state is ConfigEntryState.LOADED
    # Reloaded: only the power-loss sensor and the overall one remain.
    assert hass.states.get("binary_sensor.heat_pump_power_loss") is not None
    assert hass.states.get("binary_sensor.heat_pump_ice_buildup") is None


@pytest.mark.usefixtures("heating")
async def test_options_flow_errors(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "system_type": "air_to_air",
            "supply_temperature_entity": SUPPLY,
            "tuning": {"sensitivity": "normal"},
        },
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"return_temperature_entity": "supply_return_pair"}


@pytest.mark.usefixtures("heating")
async def test_reconfigure(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    result = await loaded_entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "system_type": "air_to_air",
            "coil_temperature_entity": COIL,
            "tuning": {"sensitivity": "normal"},
        },
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "no_fault_evaluable"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "system_type": "air_to_air",
            "coil_temperature_entity": COIL,
            "outdoor_temperature_entity": OUTDOOR,
            "tuning": {"sensitivity": "normal"},
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert loaded_entry.options["coil_temperature_entity"] == COIL
    assert "power_entity" not in loaded_entry.options
    assert loaded_entry.state is ConfigEntryState.LOADED


@pytest.mark.usefixtures("heating")
async def test_reconfigure_onto_another_entry_aborts(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    other = make_entry({"power_entity": POWER}, title="Other")
    other.add_to_hass(hass)
    result = await loaded_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"system_type": "air_to_air", "power_entity": POWER, **TUNING}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


@pytest.mark.usefixtures("heating")
async def test_options_flow_refuses_another_entrys_sources(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    make_entry({"power_entity": POWER}, title="Other").add_to_hass(hass)
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"system_type": "air_to_air", "power_entity": POWER, **TUNING}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "already_configured"}
