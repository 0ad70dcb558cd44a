"""Problem binary sensors: one per fault the sources allow, and one for any fault."""

from __future__ import annotations

from typing import Any, override

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import HeatPumpHealthConfigEntry
from .driver import iso_utc
from .engine.model import FaultKey, FaultStatus
from .entity import HeatPumpHealthEntity, async_remove_stale_entities
from .explain import note_keys
from .monitor import HeatPumpMonitor

PARALLEL_UPDATES = 0

# Evidence, its summary and the advice are long and change with every
# reading; the recorder keeps the state and the reason, not these.
_UNRECORDED = frozenset({"evidence", "summary", "causes", "checks"})


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HeatPumpHealthConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the problem sensors of one heat pump."""
    monitor = entry.runtime_data
    async_remove_stale_entities(
        hass, monitor, Platform.BINARY_SENSOR, {*(f.value for f in monitor.faults), "problem"}
    )
    async_add_entities(
        [
            *(FaultBinarySensor(monitor=monitor, fault=fault) for fault in monitor.faults),
            AnyFaultBinarySensor(monitor=monitor),
        ]
    )


class FaultBinarySensor(HeatPumpHealthEntity, BinarySensorEntity):
    """On while one fault is confirmed."""

    _attr_device_class = BinarySensorDeviceClass.PROBLEM
    _unrecorded_attributes = _UNRECORDED

    def __init__(self, *, monitor: HeatPumpMonitor, fault: FaultKey) -> None:
        super().__init__(monitor=monitor, key=fault.value)
        self.fault = fault
        self._note_keys = note_keys(fault)
        self._shown: tuple[object, ...] | None = None

    @override
    def _refresh(self) -> bool:
        status = self.monitor.status(self.fault)
        if status is None:
            return False
        attributes = self._attributes(status)
        # Written only when what is shown changes.  While the fault is healthy
        # no numbers are shown (so none go stale and nothing is written every
        # minute); while it builds or is active, every evaluation's evidence.
        shown = (status.active, attributes)
        if shown == self._shown:
            return False
        self._shown = shown
        self._attr_is_on = status.active
        self._attr_extra_state_attributes = attributes
        return True

    def _notes(self, evidence: dict[str, Any]) -> dict[str, Any]:
        """Of a healthy fault's evidence, what its notes are told from (usually nothing)."""
        return {key: value for key, value in evidence.items() if key in self._note_keys}

    def _attributes(self, status: FaultStatus) -> dict[str, Any]:
        watching = bool(status.active or status.suspect)
        attributes: dict[str, Any] = {
            "severity": status.severity.value,
            "since": iso_utc(status.since),
            "reason": status.reason,
            "watch": status.suspect,
            "summary": self.monitor.summary(status),
            "evidence": status.evidence if watching else self._notes(status.evidence),
        }
        if status.active:
            explainer = self.monitor.explainer
            attributes["causes"] = explainer.causes(self.fault)
            attributes["checks"] = explainer.checks(self.fault)
        return attributes


class AnyFaultBinarySensor(HeatPumpHealthEntity, BinarySensorEntity):
    """On while any fault of the heat pump is confirmed."""

    _attr_device_class = BinarySensorDeviceClass.PROBLEM

    def __init__(self, *, monitor: HeatPumpMonitor) -> None:
        super().__init__(monitor=monitor, key="problem")
        self._shown: tuple[object, ...] | None = None

    @override
    def _refresh(self) -> bool:
        last = self.monitor.last
        if last is None:
            return False
        statuses = last.statuses.values()
        active = sorted(status.fault.value for status in statuses if status.active)
        if active:
            is_on: bool | None = True
        elif statuses and all(status.active is None for status in statuses):
            is_on = None
        else:
            is_on = False
        shown = (is_on, tuple(active))
        if shown == self._shown:
            return False
        self._shown = shown
        self._attr_is_on = is_on
        self._attr_extra_state_attributes = {"faults": active}
        return True
