"""The backup heater input in a real Home Assistant: the flow, the evidence, the diagnostics."""

from __future__ import annotations

from datetime import UTC, datetime

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.heat_pump_health.diagnostics import async_get_config_entry_diagnostics

from .conftest import ALL_SOURCES, POWER, make_entry, owner_flow, play_minutes, set_heating

START = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
HEATER = "binary_sensor.hp_backup_heater"
HEATER_POWER = "sensor.hp_backup_heater_power"
TUNING = {"tuning": {"sensitivity": "normal"}}


@pytest.mark.usefixtures("heating")
async def test_the_flow_takes_an_on_off_heater_or_its_power(hass: HomeAssistant) -> None:
    hass.states.async_set(HEATER, "off", {"device_class": "heat"})
    result = await owner_flow(
        hass,
        {
            "name": "Heat pump",
            "system_type": "air_to_water",
            "power_entity": POWER,
            "backup_heater_entity": HEATER,
            **TUNING,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["options"]["backup_heater_entity"] == HEATER


@pytest.mark.usefixtures("heating")
async def test_the_flow_refuses_a_heater_measured_in_kwh(hass: HomeAssistant) -> None:
    hass.states.async_set("sensor.hp_backup_heater_energy", "812.4", {"unit_of_measurement": "kWh"})
    result = await owner_flow(
        hass,
        {
            "name": "Heat pump",
            "system_type": "air_to_water",
            "power_entity": POWER,
            "backup_heater_entity": "sensor.hp_backup_heater_energy",
            **TUNING,
        },
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"backup_heater_entity": "unit_backup_heater"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"power_entity": POWER, "backup_heater_entity": HEATER_POWER, **TUNING}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def _heat_for(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    *,
    outdoor: float,
    heater_kw: float,
    minutes: int,
) -> MockConfigEntry:
    """A healthy unit heating with the backup heater at ``heater_kw`` for ``minutes``."""
    freezer.move_to(START)

    def apply(minute: int) -> None:
        set_heating(hass, outdoor=outdoor, power=900.0 + minute % 2)
        hass.states.async_set(
            HEATER_POWER, str(heater_kw), {"unit_of_measurement": "kW", "device_class": "power"}
        )

    apply(0)
    entry = make_entry({**ALL_SOURCES, "backup_heater_entity": HEATER_POWER})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await play_minutes(hass, freezer, START, minutes, apply)
    return entry


async def test_a_mild_weather_run_is_told_in_the_evidence(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """The heater at 12 °C while the unit heats normally: a sentence, not a fault."""
    entry = await _heat_for(hass, freezer, outdoor=12.0, heater_kw=3.0, minutes=45)
    state = hass.states.get("binary_sensor.heat_pump_insufficient_heat")
    assert state is not None
    assert state.state == "off"
    assert state.attributes["evidence"]["backup_mild_minutes_24h"] >= 40, state.attributes
    assert "backup heater ran" in state.attributes["summary"]
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    record = diagnostics["monitor"]["backup_heater"]
    (band,) = record["bands"]
    assert band["outdoor_c"] == [10.0, 15.0]
    assert band["backup_time_percent"] == pytest.approx(100.0)
    # 3 kW of heater against 0.9 kW of heat pump.
    assert band["backup_energy_percent"] == pytest.approx(76.9, abs=0.5)


async def test_in_the_cold_the_heater_is_no_news(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await _heat_for(hass, freezer, outdoor=-9.0, heater_kw=3.0, minutes=45)
    state = hass.states.get("binary_sensor.heat_pump_insufficient_heat")
    assert state is not None
    assert "backup_mild_minutes_24h" not in state.attributes["evidence"]
    assert "backup heater ran" not in state.attributes.get("summary", "")
