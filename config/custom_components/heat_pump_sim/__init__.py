"""A simulated air-source heat pump for developing and demonstrating Heat Pump Health.

Lives in the development configuration only, never in the package HACS ships.
Its entities behave like a real installation's (see :mod:`.physics`); a select
injects the faults Heat Pump Health knows and another sets how fast the
simulation runs.

Set up from the UI (one entry), or from ``configuration.yaml``::

    heat_pump_sim:
      speed: 1
"""

from __future__ import annotations

from homeassistant.config_entries import SOURCE_IMPORT, ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.typing import ConfigType
import probatio as vol

from .const import CONF_SPEED, DEFAULT_SPEED, DOMAIN, SPEEDS
from .simulator import Simulator

PLATFORMS = (Platform.BINARY_SENSOR, Platform.CLIMATE, Platform.SELECT, Platform.SENSOR)

CONFIG_SCHEMA = vol.Schema(
    {DOMAIN: vol.Schema({vol.Optional(CONF_SPEED): vol.All(vol.Coerce(int), vol.In(SPEEDS))})},
    extra=vol.ALLOW_EXTRA,
)

type SimConfigEntry = ConfigEntry[Simulator]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Import the YAML configuration, if any, into the single config entry."""
    if DOMAIN in config:
        hass.async_create_task(
            hass.config_entries.flow.async_init(
                DOMAIN, context={"source": SOURCE_IMPORT}, data=dict(config[DOMAIN])
            )
        )
    return True


async def async_setup_entry(hass: HomeAssistant, entry: SimConfigEntry) -> bool:
    """Start the simulation and its entities."""
    simulator = Simulator(hass, speed=int(entry.options.get(CONF_SPEED, DEFAULT_SPEED)))
    entry.runtime_data = simulator
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    entry.async_on_unload(simulator.async_start())
    return True


async def async_unload_entry(hass: HomeAssistant, entry: SimConfigEntry) -> bool:
    """Stop the simulation; the timer goes with the entry's unload callbacks."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
