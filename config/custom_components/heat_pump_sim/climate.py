"""The thermostat: mode and targets in, the unit's action (defrosting too) out."""

from __future__ import annotations

from typing import Any, override

from homeassistant.components.climate import ClimateEntity
from homeassistant.components.climate.const import (
    ATTR_TARGET_TEMP_LOW,
    ClimateEntityFeature,
    HVACAction,
    HVACMode,
)
from homeassistant.const import ATTR_TEMPERATURE, UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import SimConfigEntry
from .entity import SimEntity
from .physics import CLIMATE
from .simulator import Simulator


async def async_setup_entry(
    hass: HomeAssistant, entry: SimConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the thermostat."""
    async_add_entities([SimClimate(entry=entry, simulator=entry.runtime_data, key=CLIMATE)])


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


class SimClimate(SimEntity, ClimateEntity):
    """The heat pump's thermostat; the device's main entity, so it has no name of its own."""

    listen_key = CLIMATE
    _attr_name = None
    _attr_translation_key = None
    _attr_temperature_unit = UnitOfTemperature.CELSIUS
    _attr_min_temp = 7.0
    _attr_max_temp = 35.0
    _attr_target_temperature_step = 0.5
    _attr_supported_features = (
        ClimateEntityFeature.TARGET_TEMPERATURE
        | ClimateEntityFeature.TARGET_TEMPERATURE_RANGE
        | ClimateEntityFeature.TURN_OFF
        | ClimateEntityFeature.TURN_ON
    )

    def __init__(self, *, entry: SimConfigEntry, simulator: Simulator, key: str) -> None:
        super().__init__(entry=entry, simulator=simulator, key=key)
        self._shown: tuple[str, dict[str, object]] | None = None
        self._attr_hvac_modes = [HVACMode.OFF, HVACMode.HEAT, HVACMode.COOL, HVACMode.HEAT_COOL]

    @override
    def _update_from_simulator(self) -> bool:
        reported = self.simulator.reported.get(CLIMATE)
        if reported is None:
            return False
        attrs = reported.attributes
        shown = (reported.state, dict(attrs))
        if shown == self._shown:
            return False
        self._shown = shown
        self._attr_hvac_mode = HVACMode(reported.state)
        self._attr_hvac_action = HVACAction(str(attrs["hvac_action"]))
        self._attr_current_temperature = _float(attrs.get("current_temperature"))
        self._attr_target_temperature = _float(attrs.get("temperature"))
        self._attr_target_temperature_low = _float(attrs.get("target_temp_low"))
        self._attr_target_temperature_high = _float(attrs.get("target_temp_high"))
        return True

    @override
    async def async_set_hvac_mode(self, hvac_mode: HVACMode) -> None:
        self.simulator.set_hvac_mode(hvac_mode.value)

    @override
    async def async_set_temperature(self, **kwargs: Any) -> None:
        # In heat_cool the model keeps the cooling target a fixed gap above
        # the heating one, so the low target is the one that counts.
        target = kwargs.get(ATTR_TEMPERATURE, kwargs.get(ATTR_TARGET_TEMP_LOW))
        if target is not None:
            self.simulator.set_setpoint(float(target))
