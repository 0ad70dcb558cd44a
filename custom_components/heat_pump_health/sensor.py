"""Diagnostic sensors: split, coil gap, defrosts, last defrost and the health state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory, Platform, UnitOfTemperature, UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import HeatPumpHealthConfigEntry
from .engine.model import Diagnostics, Health, InputKey
from .entity import HeatPumpHealthEntity, async_remove_stale_entities
from .monitor import HeatPumpMonitor

PARALLEL_UPDATES = 0

# Temperature differences are shown as means over this many evaluations and
# written when they move by the deadband: a chart of the trend, not one
# recorder row a minute.  An hour spans a whole defrost cycle (50-90 minutes
# on a frosty day), whose sawtooth moved 15-minute means past the deadband
# almost every time: ~90 writes a day each instead of ~10 (scripts/bench).
MEAN_MINUTES = 60
DELTA_DEADBAND_K = 0.5
# ...but a value that has moved far from the one shown is shown at once: a
# split still reading the last hour's 11 K while supply and return are 2 K
# apart would contradict the power-loss fault beside it.  Judged on a short
# mean so a single odd reading writes nothing, and not around a defrost,
# whose swing is the normal sawtooth the hourly mean is there to smooth.
RECENT_MINUTES = 3
FAR_FROM_SHOWN_K = 2.0


@dataclass(frozen=True, kw_only=True)
class DiagnosticSensorDescription(SensorEntityDescription):
    """A diagnostic sensor: which number it shows and which sources it needs."""

    value: Callable[[Diagnostics], float | int | str | None]
    needs: Callable[[HeatPumpMonitor], bool]
    averaged: bool = False
    # A new value is written only this far from the one shown (None: any
    # change): a mean over a day moves a little every minute.
    deadband: float | None = None
    attributes: Callable[[Diagnostics], dict[str, Any]] | None = None


def _sampling(diagnostics: Diagnostics) -> dict[str, Any]:
    """How coarsely the unit is sampled, and the rules that sampling rules out."""
    known = [seconds for seconds in diagnostics.sampling_s.values() if seconds is not None]
    return {
        # The fastest source (cloud integrations fetch everything together),
        # in whole minutes so that a live unit's jitter writes nothing.
        "sampling_minutes": round(max(min(known) / 60.0, 1.0)) if known else None,
        "not_judged": list(diagnostics.not_judged),
        "unit_error": diagnostics.unit_error,
    }


def _has(*keys: InputKey) -> Callable[[HeatPumpMonitor], bool]:
    return lambda monitor: monitor.options.has(*keys)


def _has_running_state(monitor: HeatPumpMonitor) -> bool:
    return monitor.options.has(InputKey.POWER) or monitor.options.has(InputKey.COMPRESSOR)


def _has_defrost_source(monitor: HeatPumpMonitor) -> bool:
    return monitor.options.has(InputKey.DEFROST) or monitor.options.has(InputKey.CLIMATE)


SENSORS: tuple[DiagnosticSensorDescription, ...] = (
    DiagnosticSensorDescription(
        key="supply_return_split",
        device_class=SensorDeviceClass.TEMPERATURE_DELTA,
        native_unit_of_measurement=UnitOfTemperature.KELVIN,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        entity_category=EntityCategory.DIAGNOSTIC,
        value=lambda diagnostics: diagnostics.supply_return_split,
        needs=_has(InputKey.SUPPLY_TEMPERATURE, InputKey.RETURN_TEMPERATURE),
        averaged=True,
    ),
    DiagnosticSensorDescription(
        key="coil_outdoor_gap",
        device_class=SensorDeviceClass.TEMPERATURE_DELTA,
        native_unit_of_measurement=UnitOfTemperature.KELVIN,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        entity_category=EntityCategory.DIAGNOSTIC,
        value=lambda diagnostics: diagnostics.coil_outdoor_gap,
        needs=_has(InputKey.COIL_TEMPERATURE, InputKey.OUTDOOR_TEMPERATURE),
        averaged=True,
    ),
    DiagnosticSensorDescription(
        key="defrosts_last_24h",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value=lambda diagnostics: diagnostics.defrosts_last_24h,
        needs=_has_defrost_source,
    ),
    DiagnosticSensorDescription(
        key="last_defrost_duration",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        suggested_display_precision=1,
        entity_category=EntityCategory.DIAGNOSTIC,
        value=lambda diagnostics: diagnostics.last_defrost_minutes,
        needs=_has_defrost_source,
    ),
    DiagnosticSensorDescription(
        key="starts_per_hour",
        native_unit_of_measurement="starts/h",
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        entity_category=EntityCategory.DIAGNOSTIC,
        value=lambda diagnostics: diagnostics.starts_per_hour,
        needs=_has_running_state,
        deadband=0.1,
    ),
    DiagnosticSensorDescription(
        key="median_run_length",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        value=lambda diagnostics: diagnostics.median_run_minutes,
        needs=_has_running_state,
        deadband=1.0,
    ),
    DiagnosticSensorDescription(
        key="defrost_energy_share",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        value=lambda diagnostics: diagnostics.defrost_energy_percent,
        deadband=1.0,
        needs=lambda monitor: _has_defrost_source(monitor) and monitor.options.has(InputKey.POWER),
    ),
    DiagnosticSensorDescription(
        key="efficiency_index",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        value=lambda diagnostics: diagnostics.efficiency_percent,
        deadband=2.0,
        needs=_has(InputKey.POWER, InputKey.SUPPLY_TEMPERATURE, InputKey.RETURN_TEMPERATURE),
    ),
    DiagnosticSensorDescription(
        key="health",
        device_class=SensorDeviceClass.ENUM,
        options=[health.value for health in Health],
        value=lambda diagnostics: diagnostics.health.value,
        needs=lambda monitor: True,
        attributes=_sampling,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HeatPumpHealthConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the diagnostic sensors the configured sources allow."""
    monitor = entry.runtime_data
    descriptions = [description for description in SENSORS if description.needs(monitor)]
    async_remove_stale_entities(
        hass, monitor, Platform.SENSOR, {description.key for description in descriptions}
    )
    async_add_entities(
        DiagnosticSensor(monitor=monitor, description=description) for description in descriptions
    )


class DiagnosticSensor(HeatPumpHealthEntity, SensorEntity):
    """One derived number or the health state."""

    entity_description: DiagnosticSensorDescription

    def __init__(
        self, *, monitor: HeatPumpMonitor, description: DiagnosticSensorDescription
    ) -> None:
        super().__init__(monitor=monitor, key=description.key)
        self.entity_description = description
        self._window: list[float] = []
        self._shown: float | int | str | None = None
        self._has_shown = False
        self._attributes_shown: dict[str, Any] | None = None

    @override
    def _refresh(self) -> bool:
        last = self.monitor.last
        if last is None:
            return False
        value = self.entity_description.value(last.diagnostics)
        describe = self.entity_description.attributes
        attributes = None if describe is None else describe(last.diagnostics)
        if attributes is not None and attributes != self._attributes_shown:
            self._attributes_shown = attributes
            self._attr_extra_state_attributes = attributes
            return self._show(value)
        if self.entity_description.averaged:
            return self._refresh_mean(value, steady=not last.diagnostics.defrost_recovering)
        if self._has_shown and value == self._shown:
            return False
        deadband = self.entity_description.deadband
        shown = self._shown
        if (
            deadband is not None
            and self._has_shown
            and isinstance(value, int | float)
            and isinstance(shown, int | float)
            and abs(value - shown) < deadband
        ):
            return False
        return self._show(value)

    def _refresh_mean(self, value: float | int | str | None, *, steady: bool) -> bool:
        if not isinstance(value, int | float):
            # Unknown now: say so at once rather than keep a stale mean.
            self._window.clear()
            if self._has_shown and self._shown is None:
                return False
            return self._show(None)
        self._window.append(float(value))
        shown = self._shown
        recent = self._window[-RECENT_MINUTES:]
        recent_mean = round(sum(recent) / len(recent), 1)
        if (
            steady
            and isinstance(shown, float)
            and len(recent) == RECENT_MINUTES
            and abs(recent_mean - shown) >= FAR_FROM_SHOWN_K
        ):
            self._window.clear()
            return self._show(recent_mean)
        if self._has_shown and shown is not None and len(self._window) < MEAN_MINUTES:
            return False
        mean = round(sum(self._window) / len(self._window), 1)
        self._window.clear()
        if isinstance(shown, float) and abs(mean - shown) < DELTA_DEADBAND_K:
            return False
        return self._show(mean)

    def _show(self, value: float | int | str | None) -> bool:
        self._shown = value
        self._has_shown = True
        self._attr_native_value = value
        return True
