"""Device triggers, so automations on a fault can be built in the UI."""

from __future__ import annotations

from typing import Any

from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.components.homeassistant.triggers import event as event_trigger
from homeassistant.const import (
    CONF_DEVICE_ID,
    CONF_DOMAIN,
    CONF_EVENT,
    CONF_EVENT_DATA,
    CONF_PLATFORM,
    CONF_TYPE,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
from homeassistant.helpers.typing import ConfigType
import probatio as vol

from .const import DOMAIN, EVENT_FAULT, EVENT_STATE_CLEARED, EVENT_STATE_STARTED
from .engine.model import FaultKey
from .engine.options import EvaluatorOptions

# "<fault>_detected" and "<fault>_cleared" for every fault.
_STATES = {"detected": EVENT_STATE_STARTED, "cleared": EVENT_STATE_CLEARED}
TRIGGER_TYPES = {
    f"{fault.value}_{suffix}": (fault, state)
    for fault in FaultKey
    for suffix, state in _STATES.items()
}

TRIGGER_SCHEMA = DEVICE_TRIGGER_BASE_SCHEMA.extend(
    {vol.Required(CONF_TYPE): vol.In(list(TRIGGER_TYPES))}
)


def _faults_on_device(hass: HomeAssistant, device_id: str) -> list[FaultKey]:
    """The faults judged by the monitors whose entities sit on this device."""
    registry = er.async_get(hass)
    entry_ids = {
        entity.config_entry_id
        for entity in er.async_entries_for_device(registry, device_id)
        if entity.platform == DOMAIN and entity.config_entry_id
    }
    faults: set[FaultKey] = set()
    for entry_id in entry_ids:
        if entry := hass.config_entries.async_get_entry(entry_id):
            options = {k: v for k, v in entry.options.items() if k != "name"}
            faults.update(EvaluatorOptions.from_mapping(options).evaluable_faults())
    return [fault for fault in FaultKey if fault in faults]


async def async_get_triggers(hass: HomeAssistant, device_id: str) -> list[dict[str, Any]]:
    """List the triggers of a device that a heat pump monitor is attached to."""
    return [
        {
            CONF_PLATFORM: "device",
            CONF_DOMAIN: DOMAIN,
            CONF_DEVICE_ID: device_id,
            CONF_TYPE: f"{fault.value}_{suffix}",
        }
        for fault in _faults_on_device(hass, device_id)
        for suffix in _STATES
    ]


async def async_attach_trigger(
    hass: HomeAssistant,
    config: ConfigType,
    action: TriggerActionType,
    trigger_info: TriggerInfo,
) -> CALLBACK_TYPE:
    """Listen for the fault event that matches the trigger."""
    fault, state = TRIGGER_TYPES[config[CONF_TYPE]]
    event_config = event_trigger.TRIGGER_SCHEMA(
        {
            CONF_PLATFORM: CONF_EVENT,
            event_trigger.CONF_EVENT_TYPE: EVENT_FAULT,
            CONF_EVENT_DATA: {
                CONF_DEVICE_ID: config[CONF_DEVICE_ID],
                "fault": fault.value,
                "state": state,
            },
        }
    )
    return await event_trigger.async_attach_trigger(
        hass, event_config, action, trigger_info, platform_type="device"
    )
