"""Constants for Heat Pump Health."""

from __future__ import annotations

from typing import Final

from homeassistant.const import Platform

from .engine.model import InputKey

DOMAIN: Final = "heat_pump_health"
PLATFORMS: Final = (Platform.BINARY_SENSOR, Platform.SENSOR)

CONF_SYSTEM_TYPE: Final = "system_type"
CONF_SENSITIVITY: Final = "sensitivity"
CONF_CONFIRM_MINUTES: Final = "confirm_minutes"
CONF_CLEAR_MINUTES: Final = "clear_minutes"
# The collapsed form section that holds the tuning options; flattened into
# the entry's options.
SECTION_TUNING: Final = "tuning"

SOURCE_KEYS: Final = tuple(key.value for key in InputKey)
TUNING_KEYS: Final = (CONF_SENSITIVITY, CONF_CONFIRM_MINUTES, CONF_CLEAR_MINUTES)

# The device whose entities are linked to first: the one most likely to be
# "the heat pump" in the owner's device list.
DEVICE_SOURCE_ORDER: Final = (
    InputKey.CLIMATE,
    InputKey.POWER,
    InputKey.DEFROST,
    InputKey.COIL_TEMPERATURE,
    InputKey.SUPPLY_TEMPERATURE,
    InputKey.RETURN_TEMPERATURE,
    InputKey.OUTDOOR_TEMPERATURE,
    InputKey.NOISE,
    InputKey.COMPRESSOR,
    InputKey.ERROR,
    InputKey.BACKUP_HEATER,
)

EVENT_FAULT: Final = "heat_pump_health_fault"
EVENT_STATE_STARTED: Final = "started"
EVENT_STATE_CLEARED: Final = "cleared"

# The one version of what the store holds (learned baselines, fault state,
# announced faults); ``monitor.HeatPumpStore`` migrates older ones.
STORE_VERSION: Final = 2
# Learned baselines and fault state are written at most this often, and at
# shutdown: losing a few minutes of learning to a crash costs nothing.
STORE_SAVE_DELAY_S: Final = 600
