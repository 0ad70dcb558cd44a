"""The live simulation: one model stepped in real time, its readings published.

Entities subscribe to the input key they show and are told when its reported
state changes; the reporting itself (precision, deadbands, the climate
entity's attributes) is :class:`~.physics.Reporter`, the same code that writes
the simulator's recorded histories.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
import logging

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util

from .const import DEFAULT_SPEED, DOMAIN, LEAK_RAMP, NO_FAULT, TICK
from .physics import INPUT_KEYS, HeatPumpModel, Reporter, StateRecord, TrueValues
from .scenarios import humid_near_freezing_day

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Reported:
    """One entity's state as the reporter last published it."""

    state: str
    attributes: dict[str, object]


class Simulator:
    """A heat pump model advanced on a timer, publishing report-on-change states."""

    def __init__(self, hass: HomeAssistant, *, speed: int = DEFAULT_SPEED, seed: int = 1) -> None:
        self.hass = hass
        self.speed = speed
        now = dt_util.utcnow()
        offset = dt_util.now().utcoffset()
        # Foggy weather around +1.5 °C, the worst for frost: a healthy unit
        # defrosts every hour or so, so frost faults have something to break.
        # The scenario starts now, in the owner's time zone, so that the
        # simulated night is the real one at 1x.
        self.scenario = replace(
            humid_near_freezing_day(seed=seed, start=now),
            utc_offset_h=offset.total_seconds() / 3600.0 if offset else 0.0,
            leak_ramp=LEAK_RAMP,
        )
        self.model = HeatPumpModel(scenario=self.scenario)
        self._reporter = Reporter(self.scenario)
        self._key_of = {self.scenario.entity_id(key): key for key in INPUT_KEYS}
        self.reported: dict[str, Reported] = {}
        self.fault = NO_FAULT
        self._listeners: dict[str, list[CALLBACK_TYPE]] = {}
        self._publish(0.0)

    @property
    def readings(self) -> TrueValues:
        """The model's true values now."""
        return self.model.readings

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Advance the model every tick; returns the function that stops it."""
        return async_track_time_interval(
            self.hass, self._async_tick, TICK, name=f"{DOMAIN} tick", cancel_on_shutdown=True
        )

    @callback
    def _async_tick(self, _now: datetime) -> None:
        dt_s = TICK.total_seconds() * self.speed
        self.model.step(dt_s)
        self._publish(dt_s)

    def _publish(self, dt_s: float) -> None:
        records: list[StateRecord] = []
        self._reporter.sample(self.model, dt_s, records)
        changed: set[str] = set()
        for record in records:
            key = self._key_of[record.entity_id]
            self.reported[key] = Reported(record.state, record.attributes)
            changed.add(key)
        # Entities that show true values (frost, charge) decide themselves
        # whether anything changed; they listen to every tick.
        changed.add("")
        for key in changed:
            for update in self._listeners.get(key, ()):
                update()

    @callback
    def async_listen(self, key: str, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call ``update`` when the state reported for ``key`` changes ("" = every tick)."""
        listeners = self._listeners.setdefault(key, [])
        listeners.append(update)

        def remove() -> None:
            listeners.remove(update)

        return remove

    # -- controls -----------------------------------------------------------

    def set_fault(self, fault: str) -> None:
        """Make ``fault`` the one active fault (``none``: normal operation)."""
        if fault == self.fault:
            return
        if self.fault != NO_FAULT:
            self.model.inject(self.fault, active=False)
        if fault != NO_FAULT:
            self.model.inject(fault, active=True)
        _LOGGER.info("Simulated fault: %s (was %s)", fault, self.fault)
        self.fault = fault
        # Show the change at once rather than at the next tick.
        self._publish(0.0)

    def set_speed(self, speed: int) -> None:
        """Simulated seconds per real second from now on."""
        _LOGGER.info("Simulation speed: %sx", speed)
        self.speed = speed

    def set_hvac_mode(self, mode: str) -> None:
        """The thermostat's mode, as the owner sets it."""
        self.model.set_hvac_mode(mode)
        self._publish(0.0)

    def set_setpoint(self, setpoint_c: float) -> None:
        """The thermostat's target, as the owner sets it."""
        self.model.set_setpoint(setpoint_c)
        self._publish(0.0)
