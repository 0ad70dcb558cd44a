"""Fixtures for tests that run a real Home Assistant."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import UnitOfPower, UnitOfTemperature
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

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


# The unit's own measurements and its thermostat: what a board or a cloud gives.
UNIT_AND_THERMOSTAT: dict[str, str] = {
    "power_entity": POWER,
    "climate_entity": CLIMATE,
    "coil_temperature_entity": COIL,
    "outdoor_temperature_entity": OUTDOOR,
    "supply_temperature_entity": SUPPLY,
    "return_temperature_entity": RETURN,
}


async def set_up_entry(hass: HomeAssistant, options: dict[str, Any]) -> MockConfigEntry:
    """Add a config entry watching these sources, and set it up."""
    entry = make_entry(options)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


@pytest.fixture
async def loaded_entry(hass: HomeAssistant, heating: None) -> MockConfigEntry:
    """A config entry watching every source, set up."""
    entry = make_entry()
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


FIRST_STEP = ("name", "system_type", "devices")


async def owner_flow(hass: HomeAssistant, user_input: dict[str, Any]) -> Any:
    """Add an entry as an owner does: name, system type and devices; then the sources.

    Returns the result of the sources step (a form with errors, an abort, the
    defrost-states question or the created entry).
    """
    from homeassistant.config_entries import SOURCE_USER  # noqa: PLC0415
    from homeassistant.data_entry_flow import FlowResultType  # noqa: PLC0415

    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    first = {key: value for key, value in user_input.items() if key in FIRST_STEP}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Heat pump", "system_type": "air_to_air", **first}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "sources"
    rest = {key: value for key, value in user_input.items() if key not in FIRST_STEP}
    return await hass.config_entries.flow.async_configure(result["flow_id"], rest)


async def sources_form(hass: HomeAssistant, devices: list[str] | None = None) -> Any:
    """The sources step's form, after the first step."""
    from homeassistant.config_entries import SOURCE_USER  # noqa: PLC0415

    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    first: dict[str, Any] = {"name": "Heat pump", "system_type": "air_to_air"}
    if devices is not None:
        first["devices"] = devices
    return await hass.config_entries.flow.async_configure(result["flow_id"], first)


def on_one_device(hass: HomeAssistant, *entity_ids: str, integration: str = "sim") -> str:
    """Put ``entity_ids`` on one device of another integration; return the device id.

    Registered before their states are set: a state of the same id would make
    the registry pick another id.
    """
    from homeassistant.helpers import device_registry as dr, entity_registry as er  # noqa: PLC0415

    source = MockConfigEntry(domain=integration)
    source.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=source.entry_id, identifiers={(integration, "unit")}, name="Heat pump"
    )
    registry = er.async_get(hass)
    for entity_id in entity_ids:
        hass.states.async_remove(entity_id)
        domain, object_id = entity_id.split(".")
        registry.async_get_or_create(
            domain,
            integration,
            object_id,
            suggested_object_id=object_id,
            config_entry=source,
            device_id=device.id,
        )
    return device.id


async def play_minutes(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    start: datetime,
    minutes: int,
    apply: Callable[[int], None],
) -> None:
    """Minute by minute from ``start``: the clock moves, ``apply`` sets the states, a tick runs."""
    for minute in range(1, minutes + 1):
        moment = start + timedelta(minutes=minute)
        freezer.move_to(moment)
        apply(minute)
        async_fire_time_changed(hass, moment)
        await hass.async_block_till_done()
