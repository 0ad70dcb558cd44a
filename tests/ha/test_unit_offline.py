"""In Home Assistant: the heat pump's own entities going unavailable together."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from .conftest import (
    CLIMATE,
    COIL,
    OUTDOOR,
    POWER,
    RETURN,
    SUPPLY,
    UNIT_AND_THERMOSTAT,
    on_one_device,
    set_heating,
    set_up_entry,
)

UNIT = (POWER, COIL, OUTDOOR, SUPPLY, RETURN)


async def _minutes(hass: HomeAssistant, freezer: FrozenDateTimeFactory, count: int) -> None:
    for _ in range(count):
        freezer.tick(timedelta(minutes=1))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()


@pytest.mark.parametrize(("mode", "action"), [("heat", "heating"), ("off", "off")])
async def test_board_going_dark_is_a_power_loss_whatever_the_thermostat_says(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, mode: str, action: str
) -> None:
    freezer.move_to(datetime(2026, 1, 10, 6, 0, tzinfo=UTC))
    on_one_device(hass, *UNIT, integration="esphome")
    set_heating(hass)
    await set_up_entry(hass, UNIT_AND_THERMOSTAT)
    await _minutes(hass, freezer, 60)
    for entity_id in UNIT:
        hass.states.async_set(entity_id, "unavailable")
    hass.states.async_set(CLIMATE, mode, {"hvac_action": action, "current_temperature": 20.0})
    await _minutes(hass, freezer, 15)
    state = hass.states.get("binary_sensor.heat_pump_power_loss")
    assert state.state == "on"
    assert state.attributes["reason"] == "sources_lost"
    assert state.attributes["summary"].startswith(
        "All 5 of the unit's own sources went unavailable together"
    )


async def test_one_sensor_of_the_board_dropping_out_is_not(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(datetime(2026, 1, 10, 6, 0, tzinfo=UTC))
    on_one_device(hass, *UNIT, integration="esphome")
    set_heating(hass)
    await set_up_entry(
        hass,
        {
            "power_entity": POWER,
            "coil_temperature_entity": COIL,
            "outdoor_temperature_entity": OUTDOOR,
        },
    )
    await _minutes(hass, freezer, 60)
    hass.states.async_set(COIL, "unavailable")
    await _minutes(hass, freezer, 60)
    assert hass.states.get("binary_sensor.heat_pump_power_loss").state == "off"
