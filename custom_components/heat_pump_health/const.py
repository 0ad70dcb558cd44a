"""Constants for Heat Pump Health."""

from typing import Final

from homeassistant.const import Platform

from .engine.model import InputKey

DOMAIN: Final = "heat_pump_health"
PLATFORMS: Final = (Platform.BINARY_SENSOR, Platform.SENSOR)

CONF_SYSTEM_TYPE: Final = "system_type"
CONF_SENSITIVITY: Final = "sensitivity"
CONF_CONFIRM_MINUTES: Final = "confirm_minutes"
CONF_CLEAR_MINUTES: Final = "clear_minutes"
CONF_TUNING: Final = "tuning"

SOURCE_KEYS: Final = tuple(key.value for key in InputKey)
