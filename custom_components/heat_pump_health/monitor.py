"""The live monitor of one heat pump: Home Assistant states in, evaluations out.

Thin glue around the plain-Python evaluator.  It feeds every state change of
the configured sources through the same ingest code as the replay tool, runs
the evaluator once a minute, and tells the entities, the event bus, the
repair issues and the store about the outcome.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
import logging
from typing import Any, override

from homeassistant.config_entries import ConfigEntry
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
from .driver import (
    TICK_SECONDS,
    Driver,
    Source,
    SourceChange,
    Transitions,
    iso_utc,
    jsonable,
    plan_sources,
)
from .engine.evaluator import Evaluation, Evaluator
from .engine.model import FaultKey, FaultStatus, InputKey
from .engine.options import CONF_UNIT_INPUTS, EvaluatorOptions
from .explain import Explainer, Units

_LOGGER = logging.getLogger(__name__)

TICK_INTERVAL = timedelta(seconds=TICK_SECONDS)


class HeatPumpStore(Store[dict[str, Any]]):
    """One entry's learned baselines and fault state, with one version for all of it."""

    @override
    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: dict[str, Any]
    ) -> dict[str, Any]:
        # Version 1 also versioned its two parts inside ("version": 1); a
        # part of another inner version was never read, so it is dropped.
        data = dict(old_data)
        if old_major_version < 2:
            for part in ("learned", "state"):
                inner = data.get(part)
                if isinstance(inner, dict) and inner.get("version") == 1:
                    data[part] = {k: v for k, v in inner.items() if k != "version"}
                else:
                    data.pop(part, None)
        return data


def store_for(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    """The store holding one entry's learned baselines and fault state."""
    return HeatPumpStore(hass, STORE_VERSION, f"{DOMAIN}.{entry_id}", private=True)


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
        open_faults = {
            FaultKey(item)
            for item in (announced if isinstance(announced, list) else [])
            if item in {fault.value for fault in self.evaluator.faults}
        }
        # A climate entity's temperatures are in the system unit, whatever
        # its attributes say.
        system_unit = hass.config.units.temperature_unit
        entities = {
            InputKey(key): entity_id for key in SOURCE_KEYS if (entity_id := entry.options.get(key))
        }
        climate = entities.get(InputKey.CLIMATE)
        self.driver = Driver(
            self.evaluator,
            plan_sources(
                entities,
                units={climate: system_unit} if climate else None,
                defrost_states=self.options.defrost_states,
            ),
            climate_unit=system_unit,
            open_faults=open_faults,
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
            notes = self.explainer.notes(status.fault, status.evidence)
            return " ".join((self.explainer.nothing_abnormal(), *notes))
        return self.explainer.summary(
            status.fault, status.reason, status.evidence, known=status.active
        )

    @callback
    def async_start(self) -> None:
        """Subscribe to the sources, replay their current states, start ticking."""
        entry = self.entry
        entry.async_on_unload(
            async_track_state_change_event(
                self.hass, list(self.driver.sources), self._async_source_changed
            )
        )
        now = self.clock.now()
        for entity_id in self.driver.sources:
            self._take_in(entity_id, self.hass.states.get(entity_id), now)
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
        return any(
            source.available and source.unit_error is None
            for source in self.driver.sources.values()
        )

    def inputs(self) -> list[tuple[InputKey, str]]:
        """Every configured input and its entity, in configuration order."""
        sources = self.driver.sources.values()
        return [(key, source.entity_id) for source in sources for key in source.keys]

    def status(self, fault: FaultKey) -> FaultStatus | None:
        """The latest verdict for one fault, None before the first evaluation."""
        return None if self.last is None else self.last.statuses.get(fault)

    # -- readings -------------------------------------------------------------

    @callback
    def _async_source_changed(self, event: Event[EventStateChangedData]) -> None:
        # Live states arrive in order as they happen: now is when they did.
        self._take_in(event.data["entity_id"], event.data["new_state"], self.clock.now())

    def _take_in(self, entity_id: str, state: State | None, at: float) -> None:
        readable = self.computable
        self._read(entity_id, state, at)
        if not readable and self.computable:
            # The first source readable again (at start-up, the sources'
            # integrations load after this one): the entities need not wait
            # for the next tick to stop being unavailable.
            self._notify()

    def _read(self, entity_id: str, state: State | None, at: float) -> None:
        try:
            if state is None:
                changes = self.driver.take(entity_id, None, {}, at)
            else:
                changes = self.driver.take(entity_id, state.state, state.attributes, at)
        except Exception:
            # A bug must not raise out of Home Assistant's state machine at
            # every state change: say so once per source, judge without it.
            if entity_id not in self._ingest_failed:
                self._ingest_failed.add(entity_id)
                _LOGGER.exception(
                    "%s: cannot take in %s = %r; judging without it",
                    self.name,
                    entity_id,
                    None if state is None else state.state,
                )
            for key in self.driver.sources[entity_id].keys:
                self.evaluator.observe(key, None, at)
            return
        if entity_id in self._ingest_failed:
            self._ingest_failed.discard(entity_id)
            _LOGGER.info("%s: %s is taken in again", self.name, entity_id)
        for source, change in changes:
            self._source_changed(source, change)

    def _source_changed(self, source: Source, change: SourceChange) -> None:
        """Log what changed about a source, and raise or clear its repair issue."""
        entity_id = source.entity_id
        match change:
            case SourceChange.GONE:
                _LOGGER.info("%s: %s is unavailable; judging without it", self.name, entity_id)
            case SourceChange.BACK:
                _LOGGER.info("%s: %s is back", self.name, entity_id)
            case SourceChange.UNIT if InputKey.NOISE in source.keys:
                # Noise levels are shown in the sensor's own unit (dB, mm/s...).
                self.explainer.units = Units(
                    temperature=self.explainer.units.temperature, noise=source.unit
                )
            case SourceChange.UNIT_UNUSABLE:
                _LOGGER.warning("%s: ignoring %s: %s", self.name, entity_id, source.unit_error)
                for key in source.keys:
                    self.raise_source_issue(key, entity_id, unit=source.unit, missing=False)
            case SourceChange.UNIT_USABLE:
                _LOGGER.info(
                    "%s: %s has a usable unit again (%s)", self.name, entity_id, source.unit
                )
                for key in source.keys:
                    issues.async_clear_source(self.hass, self.entry.entry_id, key)

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

    # -- the tick -------------------------------------------------------------

    @callback
    def _async_tick(self, now: datetime) -> None:
        self._evaluate(self.clock.now(), announce=True)
        self._store.async_delay_save(self._to_store, STORE_SAVE_DELAY_S)

    def _evaluate(self, now: float, *, announce: bool) -> None:
        try:
            transitions = self.driver.evaluate(now)
        except Exception:
            # A bug must not take the timer down with it: keep the last
            # verdict, say so once, and try again at the next tick.
            if not self._evaluate_failed:
                _LOGGER.exception("%s: evaluation failed; keeping the last verdict", self.name)
                self._evaluate_failed = True
            return
        self._evaluate_failed = False
        self.last = transitions.evaluation
        if announce:
            self._announce(transitions)
        self._notify()

    def _notify(self) -> None:
        """Tell the entities to show the latest verdict (and whether anything is readable)."""
        for update in list(self._listeners):
            update()

    def _announce(self, transitions: Transitions) -> None:
        """Fire events and raise or delete repair issues for faults that changed."""
        for status in transitions.started:
            issues.async_raise_fault(
                self.hass, entry_id=self.entry.entry_id, name=self.name, status=status
            )
            self._fire(status, EVENT_STATE_STARTED)
            _LOGGER.info("%s: %s detected: %s", self.name, status.fault, status.reason)
        for status in transitions.cleared:
            issues.async_clear_fault(self.hass, self.entry.entry_id, status.fault)
            self._fire(status, EVENT_STATE_CLEARED)
            _LOGGER.info("%s: %s cleared", self.name, status.fault)

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
            "announced": sorted(fault.value for fault in self.driver.open_faults),
        }

    def diagnostics(self) -> dict[str, Any]:
        """What the diagnostics download shows of the running monitor."""
        last = self.last
        return {
            "faults": [fault.value for fault in self.faults],
            "announced": sorted(fault.value for fault in self.driver.open_faults),
            "sources": {
                key.value: {
                    "entity_id": source.entity_id,
                    "unit": source.unit,
                    "available": source.available,
                    "unit_problem": source.unit_error is not None,
                }
                for source in self.driver.sources.values()
                for key in source.keys
            },
            "last_evaluation": None
            if last is None
            else {
                "at": iso_utc(last.now),
                "statuses": {
                    fault.value: _status_dict(status) for fault, status in last.statuses.items()
                },
                "diagnostics": jsonable(last.diagnostics),
            },
            "backup_heater": None if last is None else self.evaluator.backup_heat(last.now),
            "state": self.evaluator.export_state(),
            "learned": self.evaluator.export_learned(),
        }


def _status_dict(status: FaultStatus) -> dict[str, Any]:
    return {
        "active": status.active,
        "since": iso_utc(status.since),
        "severity": status.severity.value,
        "suspect": status.suspect,
        "reason": status.reason,
        "evidence": status.evidence,
    }
