"""Base entity: attached to the heat pump's own device, updated by the monitor."""

from __future__ import annotations

from typing import override

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity

from .const import DOMAIN
from .monitor import HeatPumpMonitor


def async_remove_stale_entities(
    hass: HomeAssistant, monitor: HeatPumpMonitor, domain: str, keys: set[str]
) -> None:
    """Remove this entry's entities of ``domain`` that the new options no longer provide.

    After the options drop a source, its fault can no longer be judged: its
    entity goes instead of lingering as "unavailable".
    """
    registry = er.async_get(hass)
    entry_id = monitor.entry.entry_id
    wanted = {f"{entry_id}_{key}" for key in keys}
    for entity in er.async_entries_for_config_entry(registry, entry_id):
        if entity.domain == domain and entity.unique_id not in wanted:
            registry.async_remove(entity.entity_id)


class HeatPumpHealthEntity(Entity):
    """An entity of one monitored heat pump."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, *, monitor: HeatPumpMonitor, key: str) -> None:
        self.monitor = monitor
        entry = monitor.entry
        self._attr_unique_id = f"{entry.entry_id}_{key}"
        self._attr_translation_key = key
        if monitor.device_id and (
            device := dr.async_get(monitor.hass).async_get(monitor.device_id)
        ):
            # Shown on the heat pump's own device page, beside its sensors.
            self.device_entry = device
        else:
            self._attr_device_info = DeviceInfo(
                identifiers={(DOMAIN, entry.entry_id)},
                name=entry.title,
                entry_type=DeviceEntryType.SERVICE,
                manufacturer="Heat Pump Health",
                model="Heat pump monitor",
            )

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the monitor's evaluations."""
        await super().async_added_to_hass()
        self.async_on_remove(self.monitor.async_add_listener(self._async_evaluated))
        self._attr_available = self.monitor.computable
        self._refresh()

    def _refresh(self) -> bool:
        """Take the monitor's latest evaluation; True when what is shown changed."""
        raise NotImplementedError

    @callback
    def _async_evaluated(self) -> None:
        # Writing only on change keeps the recorder free of once-a-minute noise.
        available = self.monitor.computable
        changed = available != self._attr_available
        self._attr_available = available
        if self._refresh() or changed:
            self.async_write_ha_state()
