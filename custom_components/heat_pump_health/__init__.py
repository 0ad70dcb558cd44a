"""Heat Pump Health: tells owners early when their heat pump needs attention."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

type HeatPumpHealthConfigEntry = ConfigEntry[None]


async def async_setup_entry(hass: HomeAssistant, entry: HeatPumpHealthConfigEntry) -> bool:
    """Set up one monitored heat pump from a config entry."""
    return True


async def async_unload_entry(hass: HomeAssistant, entry: HeatPumpHealthConfigEntry) -> bool:
    """Unload a config entry."""
    return True
