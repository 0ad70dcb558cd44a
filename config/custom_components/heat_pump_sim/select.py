"""The simulator's controls: which fault to inject, and how fast to run."""

from __future__ import annotations

from typing import override

from homeassistant.components.select import SelectEntity
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import SimConfigEntry
from .const import CONF_SPEED, FAULTS, NO_FAULT, SPEEDS
from .entity import SimEntity
from .simulator import Simulator


async def async_setup_entry(
    hass: HomeAssistant, entry: SimConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the fault and speed selects."""
    simulator = entry.runtime_data
    async_add_entities(
        [
            FaultSelect(entry=entry, simulator=simulator, key="fault"),
            SpeedSelect(entry=entry, simulator=simulator, key="speed"),
        ]
    )


class FaultSelect(SimEntity, SelectEntity):
    """The one fault the unit has now; "none" restores normal operation.

    Not restored after a restart: the simulation starts healthy.
    """

    _attr_entity_category = EntityCategory.CONFIG
    listen_key = "fault"

    def __init__(self, *, entry: SimConfigEntry, simulator: Simulator, key: str) -> None:
        super().__init__(entry=entry, simulator=simulator, key=key)
        self._attr_options = [NO_FAULT, *FAULTS]

    @override
    def _update_from_simulator(self) -> bool:
        if self._attr_current_option == self.simulator.fault:
            return False
        self._attr_current_option = self.simulator.fault
        return True

    @override
    async def async_select_option(self, option: str) -> None:
        self.simulator.set_fault(option)
        self._update_from_simulator()
        self.async_write_ha_state()


class SpeedSelect(SimEntity, SelectEntity):
    """Simulated seconds per real second; kept in the entry's options."""

    _attr_entity_category = EntityCategory.CONFIG
    listen_key = "speed"

    def __init__(self, *, entry: SimConfigEntry, simulator: Simulator, key: str) -> None:
        super().__init__(entry=entry, simulator=simulator, key=key)
        self._attr_options = [str(speed) for speed in SPEEDS]

    @override
    def _update_from_simulator(self) -> bool:
        current = str(self.simulator.speed)
        if self._attr_current_option == current:
            return False
        self._attr_current_option = current
        return True

    @override
    async def async_select_option(self, option: str) -> None:
        self.simulator.set_speed(int(option))
        entry = self.entry
        self.hass.config_entries.async_update_entry(
            entry, options={**entry.options, CONF_SPEED: int(option)}
        )
        self._update_from_simulator()
        self.async_write_ha_state()
