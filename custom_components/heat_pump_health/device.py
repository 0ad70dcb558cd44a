"""Which device is "the heat pump": the one the entities of an entry attach to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.device import async_entity_id_to_device_id

from .const import DEVICE_SOURCE_ORDER


def primary_device_id(hass: HomeAssistant, options: Mapping[str, Any]) -> str | None:
    """The device of the first source that has one: the heat pump itself, usually."""
    for key in DEVICE_SOURCE_ORDER:
        if (entity_id := options.get(key.value)) and (
            device_id := async_entity_id_to_device_id(hass, entity_id)
        ):
            return device_id
    return None
