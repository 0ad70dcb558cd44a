"""Diagnostics download: options, evaluator state, recent evidence."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant

from . import HeatPumpHealthConfigEntry


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: HeatPumpHealthConfigEntry
) -> dict[str, Any]:
    """Return what helps to understand a verdict; nothing here is secret."""
    return {
        "title": entry.title,
        "options": dict(entry.options),
        "monitor": entry.runtime_data.diagnostics(),
    }
