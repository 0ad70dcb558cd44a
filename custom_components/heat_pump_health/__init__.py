"""Heat Pump Health: tells owners early when their heat pump needs attention."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.device import async_entity_id_to_device_id
from homeassistant.helpers.helper_integration import async_handle_source_entity_changes
from homeassistant.helpers.typing import ConfigType

from . import issues
from .backtest import async_setup_services
from .const import DOMAIN, PLATFORMS, SOURCE_KEYS
from .device import primary_device_id
from .engine.model import InputKey
from .monitor import HeatPumpMonitor, store_for
from .upload import BacktestUploadView

type HeatPumpHealthConfigEntry = ConfigEntry[HeatPumpMonitor]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the backtest action and upload view, once for every entry."""
    async_setup_services(hass)
    hass.http.register_view(BacktestUploadView())
    return True


async def async_setup_entry(hass: HomeAssistant, entry: HeatPumpHealthConfigEntry) -> bool:
    """Set up one monitored heat pump from a config entry."""
    store = store_for(hass, entry.entry_id)
    device_id = primary_device_id(hass, entry.options)
    monitor = HeatPumpMonitor(
        hass=hass,
        entry=entry,
        store=store,
        stored=await store.async_load(),
        unit_inputs=_unit_inputs(hass, entry, device_id),
    )
    monitor.device_id = device_id
    await monitor.async_load_texts()
    entry.runtime_data = monitor

    for key, entity_id in monitor.inputs():
        entry.async_on_unload(_follow_source(hass, entry, monitor, key, entity_id))
        # A source that was fixed by reconfiguring no longer needs its issue.
        issues.async_clear_source(hass, entry.entry_id, key)

    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    device_registry = dr.async_get(hass)
    own = device_registry.async_get_device_by_identifier((DOMAIN, entry.entry_id), entry.entry_id)
    if monitor.device_id is None:
        monitor.device_id = own.id if own else None
    elif own is not None:
        # The entities moved to the heat pump's own device: ours is stale.
        device_registry.async_remove_device(own.id)
    monitor.async_start()
    entry.async_on_unload(monitor.async_stop)
    return True


def _unit_inputs(
    hass: HomeAssistant, entry: HeatPumpHealthConfigEntry, device_id: str | None
) -> frozenset[InputKey] | None:
    """The inputs whose entities belong to the heat pump's own device (None: unknown)."""
    if device_id is None:
        return None
    return frozenset(
        InputKey(key)
        for key in SOURCE_KEYS
        if (entity_id := entry.options.get(key))
        and async_entity_id_to_device_id(hass, entity_id) == device_id
    )


def _follow_source(
    hass: HomeAssistant,
    entry: HeatPumpHealthConfigEntry,
    monitor: HeatPumpMonitor,
    key: InputKey,
    entity_id: str,
) -> CALLBACK_TYPE:
    """Follow a source entity's renames, device moves and removal."""

    def set_source(new_entity_id: str) -> None:
        hass.config_entries.async_update_entry(
            entry, options={**entry.options, key.value: new_entity_id}
        )
        hass.config_entries.async_schedule_reload(entry.entry_id)

    async def source_removed() -> None:
        monitor.raise_source_issue(key, entity_id, missing=True)

    device_id = async_entity_id_to_device_id(hass, entity_id)
    return async_handle_source_entity_changes(
        hass,
        helper_config_entry_id=entry.entry_id,
        set_source_entity_id_or_uuid=set_source,
        # Only the source that gives the entities their device moves them.
        source_device_id=device_id if device_id == monitor.device_id else None,
        source_entity_id_or_uuid=entity_id,
        source_entity_removed=source_removed,
    )


async def async_unload_entry(hass: HomeAssistant, entry: HeatPumpHealthConfigEntry) -> bool:
    """Unload a config entry; the monitor's listeners go with it."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: HeatPumpHealthConfigEntry) -> None:
    """Forget everything learned about a heat pump that is no longer watched."""
    await store_for(hass, entry.entry_id).async_remove()
    issues.async_clear_entry(hass, entry.entry_id)
