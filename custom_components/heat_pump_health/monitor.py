"""The live monitor of one heat pump: Home Assistant states in, evaluations out.

Thin glue around the plain-Python evaluator.  It feeds every state change of
the configured sources through the same ingest code as the replay tool, runs
the evaluator once a minute, and tells the entities, the event bus, the
repair issues and the store about the outcome.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import ATTR_UNIT_OF_MEASUREMENT, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    State,
    callback,
)
from homeassistant.helpers.event import async_track_state_change_event, async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util

from . import issues
from .clock import SteadyClock
from .const import (
    DOMAIN,
    EVENT_FAULT,
    EVENT_STATE_CLEARED,
    EVENT_STATE_STARTED,
    SOURCE_KEYS,
    STORE_SAVE_DELAY_S,
    STORE_VERSION,
)
from .engine.evaluator import Evaluation, Evaluator
from .engine.model import FaultKey, FaultStatus, InputKey
from .engine.options import CONF_UNIT_INPUTS, EvaluatorOptions
from .explain import Explainer, Units
from .ingest import Converter, Rejected, UnitError, converter

_LOGGER = logging.getLogger(__name__)

TICK_INTERVAL = timedelta(minutes=1)


@dataclass(slots=True)
class Source:
    """One configured source entity and how its states are converted."""

    key: InputKey
    entity_id: str
    unit: str | None = None
    convert: Converter | None = None
    # Availability as last logged, so a lost source is logged once, and its
    # return once.
    available: bool = True
    unit_problem: bool = False


def store_for(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    """The store holding one entry's learned baselines and fault state."""
    return Store(hass, STORE_VERSION, f"{DOMAIN}.{entry_id}", private=True)


class HeatPumpMonitor:
    """Runs one heat pump's evaluator inside Home Assistant."""

    def __init__(
        self,
        *,
        hass: HomeAssistant,
        entry: ConfigEntry,
        store: Store[dict[str, Any]],
        stored: Mapping[str, Any] | None,
        unit_inputs: frozenset[InputKey] | None = None,
    ) -> None:
        self.hass = hass
        self.entry = entry
        options: dict[str, Any] = {k: v for k, v in entry.options.items() if k != "name"}
        if unit_inputs is not None:
            options[CONF_UNIT_INPUTS] = sorted(key.value for key in unit_inputs)
        self.options = EvaluatorOptions.from_mapping(options)
        stored = stored if isinstance(stored, Mapping) else {}
        self.evaluator = Evaluator(options=self.options, learned=stored.get("learned"))
        if isinstance(state := stored.get("state"), Mapping):
            self.evaluator.restore_state(state)
        # Faults whose start has been announced (event fired, issue raised):
        # kept across restarts so nothing is announced twice.
        announced = stored.get("announced")
        self.announced: set[FaultKey] = {
            FaultKey(item)
            for item in (announced if isinstance(announced, list) else [])
            if item in {fault.value for fault in self.evaluator.faults}
        }
        # Per entity, the input(s) it feeds: a thermostat that reports
        # defrost feeds both the climate and the defrost input.
        self.sources: dict[str, list[Source]] = {}
        for key in SOURCE_KEYS:
            if entity_id := entry.options.get(key):
                self.sources.setdefault(entity_id, []).append(
                    Source(key=InputKey(key), entity_id=entity_id)
                )
        self.device_id: str | None = None
        self.last: Evaluation | None = None
        self._store = store
        self._listeners: list[CALLBACK_TYPE] = []
        self._evaluate_failed = False
        # Sources whose last state could not be taken in (logged once).
        self._ingest_failed: set[str] = set()
        # Every time handed to the evaluator comes from here, not from the
        # system clock: a clock step must not stretch a defrost or age readings.
        self.clock = SteadyClock()
        # The words for evidence and advice, and each source's field label, in
        # the instance's language (loaded by async_load_texts).
        self.explainer = Explainer({})
        self.labels: dict[InputKey, str] = {}

    @property
    def faults(self) -> tuple[FaultKey, ...]:
        """The faults the configured sources allow to judge."""
        return self.evaluator.faults

    @property
    def name(self) -> str:
        """The heat pump's name as the owner gave it."""
        return self.entry.title

    # -- life cycle -----------------------------------------------------------

    async def async_load_texts(self) -> None:
        """Load the words the monitor shows people, in the instance's language."""
        language = self.hass.config.language
        common = await async_get_translations(self.hass, language, "common", [DOMAIN])
        config = await async_get_translations(self.hass, language, "config", [DOMAIN])
        prefix = f"component.{DOMAIN}.common."
        self.explainer = Explainer(
            {key.removeprefix(prefix): text for key, text in common.items()},
            Units(temperature=self.hass.config.units.temperature_unit),
        )
        field = f"component.{DOMAIN}.config.step.user.data."
        self.labels = {key: config.get(field + key.value, key.value) for key in InputKey}

    def summary(self, status: FaultStatus) -> str:
        """The latest evidence of one fault as sentences (or that nothing is wrong)."""
        if not (status.active or status.suspect):
            if status.active is None:
                return self.explainer.summary(status.fault, None, {}, known=None)
            return self.explainer.nothing_abnormal()
        return self.explainer.summary(
            status.fault, status.reason, status.evidence, known=status.active
        )

    @callback
    def async_start(self) -> None:
        """Subscribe to the sources, replay their current states, start ticking."""
        entry = self.entry
        entry.async_on_unload(
            async_track_state_change_event(
                self.hass, list(self.sources), self._async_source_changed
            )
        )
        now = self.clock.now()
        for source in self.each_source():
            self._ingest(source, self.hass.states.get(source.entity_id), now)
        entry.async_on_unload(
            async_track_time_interval(
                self.hass,
                self._async_tick,
                TICK_INTERVAL,
                name=f"{DOMAIN} {entry.title}",
                cancel_on_shutdown=True,
            )
        )
        # A first verdict straight away, so the entities start with the
        # restored state instead of "unknown" for a minute.
        self._evaluate(now, announce=True)
        issues.async_reconcile_faults(
            self.hass,
            entry_id=entry.entry_id,
            name=self.name,
            statuses={} if self.last is None else self.last.statuses,
        )

    async def async_stop(self) -> None:
        """Write what was learned now rather than at the next delayed save."""
        await self._store.async_save(self._to_store())

    # -- listeners (the entities) ---------------------------------------------

    @callback
    def async_add_listener(self, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call ``update`` after every evaluation; returns the unsubscribe."""
        self._listeners.append(update)

        @callback
        def remove() -> None:
            self._listeners.remove(update)

        return remove

    @property
    def computable(self) -> bool:
        """False only when no source can be read at all: then nothing can be judged."""
        return any(source.available and not source.unit_problem for source in self.each_source())

    def each_source(self) -> list[Source]:
        """Every configured input's source, in configuration order."""
        return [source for sources in self.sources.values() for source in sources]

    def status(self, fault: FaultKey) -> FaultStatus | None:
        """The latest verdict for one fault, None before the first evaluation."""
        return None if self.last is None else self.last.statuses.get(fault)

    # -- readings -------------------------------------------------------------

    @callback
    def _async_source_changed(self, event: Event[EventStateChangedData]) -> None:
        new_state = event.data["new_state"]
        # Live states arrive in order as they happen: now is when they did.
        at = self.clock.now()
        for source in self.sources.get(event.data["entity_id"], []):
            self._take_in(source, new_state, at)

    def _take_in(self, source: Source, new_state: State | None, at: float) -> None:
        try:
            self._ingest(source, new_state, at)
        except Exception:
            # A bug must not raise out of Home Assistant's state machine at
            # every state change: say so once per source, judge without it.
            if source.entity_id not in self._ingest_failed:
                self._ingest_failed.add(source.entity_id)
                _LOGGER.exception(
                    "%s: cannot take in %s = %r; judging without it",
                    self.name,
                    source.entity_id,
                    None if new_state is None else new_state.state,
                )
            self.evaluator.observe(source.key, None, at)
            return
        if source.entity_id in self._ingest_failed:
            self._ingest_failed.discard(source.entity_id)
            _LOGGER.info("%s: %s is taken in again", self.name, source.entity_id)

    def _ingest(self, source: Source, state: State | None, at: float) -> None:
        if state is None or state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
            self._set_available(source, False)
            # Gone (removed or unavailable) is evidence of its own; unknown is not.
            self.evaluator.observe(
                source.key, None, at, unavailable=state is None or state.state == STATE_UNAVAILABLE
            )
            return
        self._set_available(source, True)
        convert = self._converter(source, state)
        try:
            value = None if convert is None else convert(state.state, state.attributes)
        except UnitError as err:
            # A number from a source without a unit: a configuration problem.
            value = None
            self._unit_problem(source, source.unit, err)
        self.evaluator.observe(source.key, None if isinstance(value, Rejected) else value, at)

    def _converter(self, source: Source, state: State) -> Converter | None:
        """The converter for the source's current unit, rebuilt when the unit changes."""
        if source.key is InputKey.CLIMATE:
            unit: str | None = self.hass.config.units.temperature_unit
        else:
            unit = state.attributes.get(ATTR_UNIT_OF_MEASUREMENT)
        if source.convert is not None and unit == source.unit:
            return source.convert
        source.unit = unit
        if source.key is InputKey.NOISE:
            # Noise levels are shown in the sensor's own unit (dB, mm/s...).
            self.explainer.units = Units(temperature=self.explainer.units.temperature, noise=unit)
        try:
            source.convert = converter(
                source.key,
                unit,
                entity_id=source.entity_id,
                defrost_states=self.options.defrost_states,
            )
        except UnitError as err:
            source.convert = None
            self._unit_problem(source, unit, err)
            return None
        if source.unit_problem and unit is not None:
            source.unit_problem = False
            _LOGGER.info("%s: %s has a usable unit again (%s)", self.name, source.entity_id, unit)
            issues.async_clear_source(self.hass, self.entry.entry_id, source.key)
        return source.convert

    def _unit_problem(self, source: Source, unit: str | None, err: UnitError) -> None:
        if source.unit_problem:
            return
        _LOGGER.warning("%s: ignoring %s: %s", self.name, source.entity_id, err)
        source.unit_problem = True
        self.raise_source_issue(source.key, source.entity_id, unit=unit, missing=False)

    def raise_source_issue(
        self, key: InputKey, entity_id: str, *, unit: str | None = None, missing: bool
    ) -> None:
        """Tell the owner a source is gone (``missing``) or reports an unusable unit."""
        issues.async_raise_source(
            self.hass,
            entry_id=self.entry.entry_id,
            name=self.name,
            key=key,
            label=self.labels.get(key, key.value),
            entity_id=entity_id,
            unit=unit,
            missing=missing,
        )

    def _set_available(self, source: Source, available: bool) -> None:
        if available == source.available:
            return
        source.available = available
        if available:
            _LOGGER.info("%s: %s is back", self.name, source.entity_id)
        else:
            _LOGGER.info("%s: %s is unavailable; judging without it", self.name, source.entity_id)

    # -- the tick -------------------------------------------------------------

    @callback
    def _async_tick(self, now: datetime) -> None:
        self._evaluate(self.clock.now(), announce=True)
        self._store.async_delay_save(self._to_store, STORE_SAVE_DELAY_S)

    def _evaluate(self, now: float, *, announce: bool) -> None:
        try:
            evaluation = self.evaluator.evaluate(now)
        except Exception:
            # A bug must not take the timer down with it: keep the last
            # verdict, say so once, and try again at the next tick.
            if not self._evaluate_failed:
                _LOGGER.exception("%s: evaluation failed; keeping the last verdict", self.name)
                self._evaluate_failed = True
            return
        self._evaluate_failed = False
        self.last = evaluation
        if announce:
            self._announce(evaluation)
        for update in list(self._listeners):
            update()

    def _announce(self, evaluation: Evaluation) -> None:
        """Fire events and raise or delete repair issues for faults that changed."""
        active = {fault for fault, status in evaluation.statuses.items() if status.active}
        for fault in sorted(active - self.announced):
            status = evaluation.statuses[fault]
            self.announced.add(fault)
            issues.async_raise_fault(
                self.hass, entry_id=self.entry.entry_id, name=self.name, status=status
            )
            self._fire(status, EVENT_STATE_STARTED)
            _LOGGER.info("%s: %s detected: %s", self.name, fault, status.reason)
        for fault in sorted(self.announced - active):
            self.announced.discard(fault)
            issues.async_clear_fault(self.hass, self.entry.entry_id, fault)
            self._fire(
                evaluation.statuses.get(fault) or FaultStatus(fault, False), EVENT_STATE_CLEARED
            )
            _LOGGER.info("%s: %s cleared", self.name, fault)

    def _fire(self, status: FaultStatus, state: str) -> None:
        self.hass.bus.async_fire(
            EVENT_FAULT,
            {
                "entry_id": self.entry.entry_id,
                "device_id": self.device_id,
                "name": self.name,
                "fault": status.fault.value,
                "state": state,
                "severity": status.severity.value,
                "since": iso_utc(status.since),
                "reason": status.reason,
                "evidence": status.evidence,
                "message": self.summary(status)
                if state == EVENT_STATE_STARTED
                else self.explainer.cleared(),
            },
        )

    # -- owner actions ------------------------------------------------------

    @callback
    def async_reset_fault(self, fault: FaultKey) -> None:
        """The owner had the unit serviced: forget the fault's baseline and re-judge it."""
        self.evaluator.reset_learned(fault)
        self._evaluate(self.clock.now(), announce=True)
        self._store.async_delay_save(self._to_store, 0)

    # -- persistence ------------------------------------------------------------

    def _to_store(self) -> dict[str, Any]:
        return {
            "learned": self.evaluator.export_learned(),
            "state": self.evaluator.export_state(),
            "announced": sorted(fault.value for fault in self.announced),
        }

    def diagnostics(self) -> dict[str, Any]:
        """What the diagnostics download shows of the running monitor."""
        last = self.last
        return {
            "faults": [fault.value for fault in self.faults],
            "announced": sorted(fault.value for fault in self.announced),
            "sources": {
                source.key.value: {
                    "entity_id": source.entity_id,
                    "unit": source.unit,
                    "available": source.available,
                    "unit_problem": source.unit_problem,
                }
                for source in self.each_source()
            },
            "last_evaluation": None
            if last is None
            else {
                "at": iso_utc(last.now),
                "statuses": {
                    fault.value: _status_dict(status) for fault, status in last.statuses.items()
                },
                "diagnostics": _plain(last.diagnostics),
            },
            "state": self.evaluator.export_state(),
            "learned": self.evaluator.export_learned(),
        }


def iso_utc(timestamp: float | None) -> str | None:
    """An epoch time as ISO 8601 UTC, as attributes and events show it."""
    if timestamp is None:
        return None
    return dt_util.utc_from_timestamp(timestamp).isoformat()


def _status_dict(status: FaultStatus) -> dict[str, Any]:
    return {
        "active": status.active,
        "since": iso_utc(status.since),
        "severity": status.severity.value,
        "suspect": status.suspect,
        "reason": status.reason,
        "evidence": status.evidence,
    }


def _plain(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value
