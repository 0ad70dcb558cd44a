"""The defrost signal, as a unit's controller or a relay tap reports it."""

from __future__ import annotations

from typing import override

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import SimConfigEntry
from .entity import SimEntity
from .physics import DEFROST


async def async_setup_entry(
    hass: HomeAssistant, entry: SimConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the defrost binary sensor."""
    async_add_entities(
        [DefrostBinarySensor(entry=entry, simulator=entry.runtime_data, key=DEFROST)]
    )


class DefrostBinarySensor(SimEntity, BinarySensorEntity):
    """On while the unit runs a defrost cycle."""

    listen_key = DEFROST

    @override
    def _update_from_simulator(self) -> bool:
        reported = self.simulator.reported.get(DEFROST)
        is_on = None if reported is None else reported.state == "on"
        if is_on == self._attr_is_on:
            return False
        self._attr_is_on = is_on
        return True
