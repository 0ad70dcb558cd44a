"""What every simulated entity shares: the device and the simulator."""

from __future__ import annotations

from typing import override

from homeassistant.config_entries import ConfigEntry
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity

from .const import DEVICE_NAME, DOMAIN
from .simulator import Simulator


class SimEntity(Entity):
    """An entity of the simulated heat pump, written only when its state changes."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    # The input key whose reported state this entity shows; "" for entities
    # that check the model's true values on every tick.
    listen_key = ""

    def __init__(self, *, entry: ConfigEntry, simulator: Simulator, key: str) -> None:
        self.entry = entry
        self.simulator = simulator
        self._attr_unique_id = f"{entry.entry_id}_{key}"
        self._attr_translation_key = key
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            name=DEVICE_NAME,
            manufacturer="Heat Pump Health",
            model="Air-source heat pump simulator",
        )

    @override
    async def async_added_to_hass(self) -> None:
        self.async_on_remove(self.simulator.async_listen(self.listen_key, self._async_changed))
        self._update_from_simulator()

    def _async_changed(self) -> None:
        if self._update_from_simulator():
            self.async_write_ha_state()

    def _update_from_simulator(self) -> bool:
        """Take the simulator's state; tell whether anything shown changed."""
        raise NotImplementedError
