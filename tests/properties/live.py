"""A Home Assistant-free stand-in for the live monitor, and the simulator traces it plays.

``Live`` does what ``HeatPumpMonitor`` does with states: unavailable/unknown
become "no value", every other state goes through ``ingest.converter`` for the
unit its attributes carry *now* (a sensor may change unit mid-stream), and the
evaluator is asked for a verdict every minute.  A restart is what the monitor
does: export, JSON round trip (the Store), a new evaluator restored from it,
and the current state of every source replayed once.

``Trace`` holds one simulator preset's records and, per hour, the evaluator's
exported state and learned baselines on the clean trace, so that a short
noisy slice can start from a warmed-up evaluator instead of replaying days.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
import json
from typing import Any

from heat_pump_sim.physics import StateRecord, replay_config, simulate
from heat_pump_sim.scenarios import EXPECTED_FAULT, PRESETS

from custom_components.heat_pump_health.clock import SteadyClock
from custom_components.heat_pump_health.engine import Evaluation, Evaluator, EvaluatorOptions
from custom_components.heat_pump_health.engine.model import FaultKey, InputKey
from custom_components.heat_pump_health.ingest import Converter, Rejected, UnitError, converter

TICK = 60.0
HOUR = 3600.0


def _json(data: Any) -> Any:
    """What the Store would give back."""
    return json.loads(json.dumps(data))


@dataclass(slots=True)
class Outcome:
    """What one played sequence produced."""

    active: set[FaultKey] = field(default_factory=set)  # active at any tick
    failed_rules: set[FaultKey] = field(default_factory=set)
    ticks: int = 0


class Live:
    """The monitor's state handling and minute tick, without Home Assistant."""

    def __init__(
        self,
        config: Mapping[str, Any],
        *,
        climate_unit: str,
        state: Mapping[str, Any] | None = None,
        learned: Mapping[str, Any] | None = None,
    ) -> None:
        self.options = EvaluatorOptions.from_mapping(config)
        self.keys = {
            entity_id: InputKey(key)
            for key, entity_id in config.items()
            if key in {k.value for k in InputKey}
        }
        self.climate_unit = climate_unit
        self.evaluator = Evaluator(options=self.options, learned=learned)
        if state is not None:
            self.evaluator.restore_state(state)
        self._converters: dict[tuple[str, str | None], Converter | None] = {}
        self.outcome = Outcome()
        # As the monitor: times come from a steady clock, here fed with the
        # true time of each moment and what the (maybe stepped) system clock says.
        self.true_now = 0.0
        self.wall_now = 0.0
        self.clock: SteadyClock | None = None

    def set_time(self, true_now: float, wall_now: float) -> float:
        """Move to a moment; returns the time the monitor would use."""
        self.true_now, self.wall_now = true_now, wall_now
        if self.clock is None:
            self.clock = SteadyClock(wall=lambda: self.wall_now, monotonic=lambda: self.true_now)
        return self.clock.now()

    def ingest(self, record: StateRecord, at: float | None = None) -> None:
        """Take in a state at ``at`` (default: the record's own time)."""
        key = self.keys.get(record.entity_id)
        if key is None:
            return
        when = record.last_updated if at is None else at
        if record.state in ("unavailable", "unknown"):
            self.evaluator.observe(key, None, when)
            return
        if key is InputKey.CLIMATE:
            unit: str | None = self.climate_unit
        else:
            found = record.attributes.get("unit_of_measurement")
            unit = found if isinstance(found, str) else None
        cache_key = (record.entity_id, unit)
        if cache_key not in self._converters:
            try:
                self._converters[cache_key] = converter(key, unit, entity_id=record.entity_id)
            except UnitError:
                self._converters[cache_key] = None
        convert = self._converters[cache_key]
        value = None if convert is None else convert(record.state, record.attributes)
        self.evaluator.observe(key, None if isinstance(value, Rejected) else value, when)

    def tick(self, now: float) -> Evaluation:
        evaluation = self.evaluator.evaluate(now)
        outcome = self.outcome
        outcome.ticks += 1
        for fault, status in evaluation.statuses.items():
            if status.active:
                outcome.active.add(fault)
            if status.evidence.get("error") == "rule_failed":
                outcome.failed_rules.add(fault)
        return evaluation

    def restarted(
        self, current: Iterable[StateRecord], now: float, wall: float | None = None
    ) -> Live:
        """Home Assistant stopped and started again at ``now`` (the clock said ``wall``)."""
        evaluator = self.evaluator
        state, learned = _json(evaluator.export_state()), _json(evaluator.export_learned())
        live = Live(
            {key.value: entity for entity, key in self.keys.items()}
            | {"system_type": self.options.system_type.value},
            climate_unit=self.climate_unit,
            state=state,
            learned=learned,
        )
        live.outcome = self.outcome
        at = live.set_time(now, now if wall is None else wall)
        for record in current:
            live.ingest(record, at)
        live.tick(at)
        return live


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The clean run's evaluator at one hour boundary."""

    at: float
    state: Mapping[str, Any]
    learned: Mapping[str, Any]


@dataclass(slots=True)
class Trace:
    """One preset's clean records, their hourly checkpoints and the clean verdicts."""

    name: str
    records: list[StateRecord]
    config: dict[str, Any]
    climate_unit: str
    checkpoints: list[Checkpoint]
    expected: FaultKey | None
    # Clean run: when the expected fault first showed abnormal evidence and
    # when it was confirmed.
    onset: float | None
    confirmed: float | None
    times: list[float] = field(default_factory=list)
    _by_entity: dict[str, tuple[list[float], list[StateRecord]]] = field(default_factory=dict)

    @property
    def start(self) -> float:
        return self.checkpoints[0].at

    @property
    def end(self) -> float:
        return self.records[-1].last_updated

    def checkpoint_at(self, at: float) -> Checkpoint:
        index = bisect_right([c.at for c in self.checkpoints], at) - 1
        return self.checkpoints[max(index, 0)]

    def current(self, at: float) -> list[StateRecord]:
        """The latest record of every entity at or before ``at``: Home Assistant's states."""
        latest: dict[str, StateRecord] = {}
        for record in self.records[: bisect_right(self.times, at)]:
            latest[record.entity_id] = record
        return list(latest.values())

    def by_entity(self, entity_id: str) -> tuple[list[float], list[StateRecord]]:
        """One entity's record times and records, in time order."""
        found = self._by_entity.get(entity_id)
        if found is None:
            records = [record for record in self.records if record.entity_id == entity_id]
            found = ([record.last_updated for record in records], records)
            self._by_entity[entity_id] = found
        return found

    def between(self, start: float, end: float) -> list[StateRecord]:
        """Records with start < last_updated <= end."""
        return self.records[bisect_right(self.times, start) : bisect_right(self.times, end)]


@cache
def trace(name: str) -> Trace:
    """Simulate a preset once and checkpoint its clean run every hour."""
    scenario = PRESETS[name]()
    records = sorted(simulate(scenario), key=lambda record: record.last_updated)
    config = {key: value for key, value in replay_config(scenario).items() if key != "units"}
    climate_unit = "°F" if scenario.temperature_unit == "°F" else "°C"
    expected = FaultKey(EXPECTED_FAULT[name]) if name in EXPECTED_FAULT else None
    live = Live(config, climate_unit=climate_unit)
    start = scenario.start_epoch
    checkpoints: list[Checkpoint] = []
    onset = confirmed = None
    tick = start + TICK
    index = 0
    end = records[-1].last_updated
    while tick <= end:
        while index < len(records) and records[index].last_updated <= tick:
            live.ingest(records[index])
            index += 1
        evaluation = live.tick(tick)
        if expected is not None and confirmed is None:
            status = evaluation.statuses[expected]
            if status.active:
                confirmed = tick
                onset = status.since
        if (tick - start) % HOUR == 0:
            checkpoints.append(
                Checkpoint(
                    tick,
                    _json(live.evaluator.export_state()),
                    _json(live.evaluator.export_learned()),
                )
            )
        tick += TICK
    return Trace(
        name=name,
        records=records,
        config=config,
        climate_unit=climate_unit,
        checkpoints=checkpoints,
        expected=expected,
        onset=onset,
        confirmed=confirmed,
        times=[record.last_updated for record in records],
    )
