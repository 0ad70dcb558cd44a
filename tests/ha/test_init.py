"""Setting up, reloading, unloading and removing a config entry."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from .conftest import make_entry, set_heating


async def test_setup_reload_unload(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    assert loaded_entry.state is ConfigEntryState.LOADED
    assert hass.states.get("binary_sensor.heat_pump_problem") is not None

    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert loaded_entry.state is ConfigEntryState.LOADED

    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert loaded_entry.state is ConfigEntryState.NOT_LOADED
    assert hass.states.get("binary_sensor.heat_pump_problem").state == "unavailable"


async def test_remove_entry(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    assert await hass.config_entries.async_remove(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.heat_pump_problem") is None


async def test_entities_come_up_with_the_first_source_not_the_next_tick(
    hass: HomeAssistant,
) -> None:
    """At start-up the sources' integrations load after this one: no minute of 'unavailable'."""
    entry = make_entry()
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.heat_pump_power_loss").state == "unavailable"
    # No time passes: only the sources arrive.
    set_heating(hass)
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.heat_pump_power_loss").state != "unavailable"
    assert hass.states.get("sensor.heat_pump_health").state != "unavailable"
