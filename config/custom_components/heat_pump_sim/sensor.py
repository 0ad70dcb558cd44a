"""Sensors: what a real installation's meters and probes report, and two truths."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import override

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    UnitOfMass,
    UnitOfPower,
    UnitOfSoundPressure,
    UnitOfTemperature,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import SimConfigEntry
from .entity import SimEntity
from .physics import (
    COIL_TEMPERATURE,
    NOISE,
    OUTDOOR_TEMPERATURE,
    POWER,
    RETURN_TEMPERATURE,
    SUPPLY_TEMPERATURE,
    TrueValues,
)
from .simulator import Simulator


def _temperature(key: str) -> SensorEntityDescription:
    return SensorEntityDescription(
        key=key,
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        suggested_display_precision=1,
    )


# Reported like the real thing: the unit's meter and probes, with the
# precision and deadbands of physics.Reporter.
REPORTED: tuple[SensorEntityDescription, ...] = (
    SensorEntityDescription(
        key=POWER,
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        suggested_display_precision=0,
    ),
    _temperature(COIL_TEMPERATURE),
    _temperature(OUTDOOR_TEMPERATURE),
    _temperature(SUPPLY_TEMPERATURE),
    _temperature(RETURN_TEMPERATURE),
    SensorEntityDescription(
        key=NOISE,
        device_class=SensorDeviceClass.SOUND_PRESSURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfSoundPressure.DECIBEL,
        suggested_display_precision=1,
    ),
)


@dataclass(frozen=True, kw_only=True)
class TruthDescription(SensorEntityDescription):
    """A true value of the model that no real unit would report."""

    value: Callable[[TrueValues], float]


# The model's hidden state, for watching the physics: a real unit has no
# sensor for either.
TRUTHS: tuple[TruthDescription, ...] = (
    TruthDescription(
        key="frost",
        device_class=SensorDeviceClass.WEIGHT,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfMass.KILOGRAMS,
        entity_category=EntityCategory.DIAGNOSTIC,
        value=lambda r: round(r.frost_kg, 2),
    ),
    TruthDescription(
        key="refrigerant_charge",
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=PERCENTAGE,
        entity_category=EntityCategory.DIAGNOSTIC,
        value=lambda r: round(100.0 * r.refrigerant_charge),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant, entry: SimConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the simulated heat pump's sensors."""
    simulator = entry.runtime_data
    entities: list[SensorEntity] = [
        ReportedSensor(entry=entry, simulator=simulator, description=d) for d in REPORTED
    ]
    entities.extend(TruthSensor(entry=entry, simulator=simulator, description=d) for d in TRUTHS)
    async_add_entities(entities)


class ReportedSensor(SimEntity, SensorEntity):
    """A meter or probe: its state moves only when the reporter reports."""

    def __init__(
        self, *, entry: SimConfigEntry, simulator: Simulator, description: SensorEntityDescription
    ) -> None:
        super().__init__(entry=entry, simulator=simulator, key=description.key)
        self.entity_description = description
        self.listen_key = description.key

    @override
    def _update_from_simulator(self) -> bool:
        reported = self.simulator.reported.get(self.listen_key)
        if reported is None or reported.state == "unavailable":
            value, available = None, False
        else:
            text = reported.state
            value, available = (float(text) if "." in text else int(text)), True
        if value == self._attr_native_value and available == self._attr_available:
            return False
        self._attr_native_value = value
        self._attr_available = available
        return True


class TruthSensor(SimEntity, SensorEntity):
    """A true value of the model, written when its rounded value moves."""

    entity_description: TruthDescription

    def __init__(
        self, *, entry: SimConfigEntry, simulator: Simulator, description: TruthDescription
    ) -> None:
        super().__init__(entry=entry, simulator=simulator, key=description.key)
        self.entity_description = description

    @override
    def _update_from_simulator(self) -> bool:
        value = self.entity_description.value(self.simulator.readings)
        if value == self._attr_native_value:
            return False
        self._attr_native_value = value
        return True
