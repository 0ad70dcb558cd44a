"""Fixtures for tests that run a real Home Assistant."""

from __future__ import annotations

from typing import Any

from homeassistant.const import UnitOfPower, UnitOfTemperature
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.heat_pump_health.const import DOMAIN

POWER = "sensor.hp_power"
CLIMATE = "climate.hp"
DEFROST = "binary_sensor.hp_defrost"
SUPPLY = "sensor.hp_supply"
RETURN = "sensor.hp_return"
COIL = "sensor.hp_coil"
OUTDOOR = "sensor.hp_outdoor"
NOISE = "sensor.hp_noise"

ALL_SOURCES: dict[str, str] = {
    "power_entity": POWER,
    "climate_entity": CLIMATE,
    "defrost_entity": DEFROST,
    "supply_temperature_entity": SUPPLY,
    "return_temperature_entity": RETURN,
    "coil_temperature_entity": COIL,
    "outdoor_temperature_entity": OUTDOOR,
    "noise_entity": NOISE,
}


def temperature(unit: str = UnitOfTemperature.CELSIUS) -> dict[str, Any]:
    return {"unit_of_measurement": unit, "device_class": "temperature"}


def set_heating(
    hass: HomeAssistant,
    *,
    power: float | str = 900.0,
    supply: float | str = 34.0,
    ret: float | str = 20.5,
    coil: float | str = -4.0,
    outdoor: float | str = 3.0,
    noise: float | str = 50.0,
    defrost: str = "off",
    mode: str = "heat",
    action: str = "heating",
    room: float = 20.5,
    target: float = 21.0,
) -> None:
    """Put every source in a state of a heat pump heating normally."""
    hass.states.async_set(
        POWER, str(power), {"unit_of_measurement": UnitOfPower.WATT, "device_class": "power"}
    )
    hass.states.async_set(
        CLIMATE,
        mode,
        {"hvac_action": action, "current_temperature": room, "temperature": target},
    )
    hass.states.async_set(DEFROST, defrost, {"device_class": "running"})
    hass.states.async_set(SUPPLY, str(supply), temperature())
    hass.states.async_set(RETURN, str(ret), temperature())
    hass.states.async_set(COIL, str(coil), temperature())
    hass.states.async_set(OUTDOOR, str(outdoor), temperature())
    hass.states.async_set(NOISE, str(noise), {"unit_of_measurement": "dB"})


@pytest.fixture
def heating(hass: HomeAssistant) -> None:
    """All sources present, heating normally."""
    set_heating(hass)


def make_entry(
    options: dict[str, Any] | None = None, *, title: str = "Heat pump"
) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title=title,
        options={"system_type": "air_to_air", **(ALL_SOURCES if options is None else options)},
        version=1,
        minor_version=1,
    )


@pytest.fixture
async def loaded_entry(hass: HomeAssistant, heating: None) -> MockConfigEntry:
    """A config entry watching every source, set up."""
    entry = make_entry()
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry
