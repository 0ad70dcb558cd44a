"""One path from a stream of source states to verdicts, live or replayed.

The live monitor, the backtest action, the upload view and the command-line
replay all hand their states to a ``Driver``: it converts each state with
``ingest`` (unit conversion, rejections), passes the reading to the
evaluator, asks for a verdict when told to (once a minute), and turns each
verdict into the faults that started and cleared since the last one.  What
a replay reports is therefore what the sensors would have shown.

Plain Python: no Home Assistant imports, times are UTC epoch seconds passed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import UTC, datetime
from enum import Enum, StrEnum
import math
from typing import Any, Final

from .engine.evaluator import Evaluation, Evaluator
from .engine.model import FaultKey, FaultStatus, InputKey
from .ingest import (
    ATTR_TEMPERATURE_UNIT,
    ATTR_UNIT,
    REASON_UNAVAILABLE,
    REASON_UNKNOWN,
    Converter,
    Rejected,
    UnitError,
    converter,
    normalise_unit,
)

# The live integration asks for a verdict once a minute; every replay must
# ask at the same instants, or its episodes would start at other times.
TICK_SECONDS: Final = 60
# Why a reading of a source whose unit cannot be converted was not used.
REASON_NO_UNIT: Final = "no_usable_unit"

# Form error codes of ``source_problems`` (the flow's translation keys).
ERROR_DUPLICATE: Final = "duplicate_entity"
ERROR_PAIR: Final = "supply_return_pair"
_THERMOSTAT_AND_DEFROST: Final = {InputKey.CLIMATE.value, InputKey.DEFROST.value}


def source_problems(options: Mapping[str, Any]) -> dict[str, str]:
    """What is wrong with a set of source entities, keyed by input (empty: nothing).

    The config flow and the replay configuration both ask here, so that a
    replay accepts exactly what the flow accepts.
    """
    problems: dict[str, str] = {}
    seen: dict[str, str] = {}
    for key in InputKey:
        entity_id = options.get(key.value)
        if not entity_id:
            continue
        # A thermostat that reports defrost is both sources, rightly.
        shared = {key.value, seen.get(entity_id)} == _THERMOSTAT_AND_DEFROST
        if entity_id in seen and not shared:
            problems[key.value] = ERROR_DUPLICATE
        seen.setdefault(entity_id, key.value)
    supply = bool(options.get(InputKey.SUPPLY_TEMPERATURE.value))
    if supply != bool(options.get(InputKey.RETURN_TEMPERATURE.value)):
        missing = InputKey.RETURN_TEMPERATURE if supply else InputKey.SUPPLY_TEMPERATURE
        problems[missing.value] = ERROR_PAIR
    return problems


class SourceChange(StrEnum):
    """Something about a source worth telling its owner (the live monitor logs it)."""

    GONE = "gone"
    BACK = "back"
    UNIT = "unit"  # it reports in another unit than before
    UNIT_UNUSABLE = "unit_unusable"
    UNIT_USABLE = "unit_usable"


@dataclass(slots=True)
class Source:
    """One configured entity: the input(s) it feeds and how its states convert."""

    entity_id: str
    keys: tuple[InputKey, ...]
    # Wins over the state's attributes: a CSV export has none, and a climate
    # entity's temperatures are in the system unit whatever it says.
    unit_override: str | None
    defrost_states: frozenset[str] | None
    climate: bool = False
    # The unit of the last state (None before the first).
    unit: str | None = None
    available: bool = True
    unit_error: UnitError | None = None
    # Converters per unit seen: a sensor may change unit.
    cache: dict[str | None, tuple[tuple[InputKey, Converter], ...]] = field(default_factory=dict)


def plan_sources(
    entities: Mapping[InputKey, str],
    *,
    units: Mapping[str, str] | None = None,
    defrost_states: frozenset[str] | None = None,
) -> dict[str, Source]:
    """Map each configured entity to the input(s) it feeds.

    Raises ``ValueError`` for an entity configured twice (except a thermostat
    that is also the defrost source) and ``UnitError`` for a unit override
    that cannot be converted: both before any state is read.
    """
    units = units or {}
    by_entity: dict[str, list[InputKey]] = {}
    for key, entity_id in entities.items():
        by_entity.setdefault(entity_id, []).append(key)
    sources: dict[str, Source] = {}
    for entity_id, keys in by_entity.items():
        climate = entity_id.startswith("climate.")
        if len(keys) > 1 and not (climate and set(keys) == {InputKey.CLIMATE, InputKey.DEFROST}):
            msg = f"{entity_id} is configured for more than one input: " + ", ".join(
                key.value for key in keys
            )
            raise ValueError(msg)
        unit = units.get(entity_id)
        for key in keys:
            normalise_unit(key, unit, entity_id=entity_id)
        sources[entity_id] = Source(
            entity_id, tuple(keys), unit, defrost_states, climate=InputKey.CLIMATE in keys
        )
    return sources


@dataclass(frozen=True, slots=True)
class Transitions:
    """One evaluation, and the faults it started and cleared."""

    evaluation: Evaluation
    started: tuple[FaultStatus, ...]
    cleared: tuple[FaultStatus, ...]


class Driver:
    """Feeds one heat pump's source states to its evaluator.

    ``open_faults``: the faults already announced (the live monitor keeps
    them across restarts), so that a restart announces nothing twice.
    ``climate_unit``: the unit of a climate entity's temperatures when no
    override says (Home Assistant's system unit).
    """

    def __init__(
        self,
        evaluator: Evaluator,
        sources: Mapping[str, Source],
        *,
        climate_unit: str | None = None,
        open_faults: set[FaultKey] | None = None,
    ) -> None:
        self.evaluator = evaluator
        self.sources = dict(sources)
        self.climate_unit = climate_unit
        self.open_faults: set[FaultKey] = set(open_faults or ())
        # States used, states of other entities, and why states were ignored.
        self.used = 0
        self.unrelated = 0
        self.ignored: dict[str, int] = {}
        self.ignored_by_entity: dict[str, dict[str, int]] = {}
        self.last: Evaluation | None = None

    def take(
        self, entity_id: str, state: str | None, attributes: Mapping[str, Any], at: float
    ) -> list[tuple[Source, SourceChange]]:
        """Take one state of one entity (``state`` None: the entity is gone).

        Returns what changed about the source, usually nothing.  Never
        raises for a bad state: it is counted as ignored, with its reason.
        """
        source = self.sources.get(entity_id)
        if source is None:
            self.unrelated += 1
            return []
        self.used += 1
        observe = self.evaluator.observe
        changes: list[tuple[Source, SourceChange]] = []
        if state is None:
            for key in source.keys:
                observe(key, None, at, unavailable=True)
            self._ignore(source, REASON_UNAVAILABLE)
            self._available(source, False, changes)
            return changes
        unit = source.unit_override
        if unit is None:
            found = attributes.get(ATTR_TEMPERATURE_UNIT if source.climate else ATTR_UNIT)
            unit = found if isinstance(found, str) else None
            if unit is None and source.climate:
                unit = self.climate_unit
        targets = source.cache.get(unit)
        if targets is None or unit != source.unit:
            targets = self._converters(source, unit, changes)
        for key, convert in targets:
            try:
                value = convert(state, attributes)
            except UnitError as err:
                # A number from a source without a unit: a configuration problem.
                value = Rejected(REASON_NO_UNIT)
                self._unit_unusable(source, err, changes)
            if isinstance(value, Rejected):
                self._ignore(source, value.reason)
                gone = value.reason == REASON_UNAVAILABLE
                self._available(source, not gone and value.reason != REASON_UNKNOWN, changes)
                # The source is unknown from now on, as it would be live.
                observe(key, None, at, unavailable=gone)
            else:
                self._available(source, True, changes)
                observe(key, value, at)
        return changes

    def _converters(
        self, source: Source, unit: str | None, changes: list[tuple[Source, SourceChange]]
    ) -> tuple[tuple[InputKey, Converter], ...]:
        if source.unit is not None and unit != source.unit:
            changes.append((source, SourceChange.UNIT))
        source.unit = unit
        targets = source.cache.get(unit)
        if targets is None:
            try:
                targets = tuple(
                    (
                        key,
                        converter(
                            key,
                            unit,
                            entity_id=source.entity_id,
                            defrost_states=source.defrost_states,
                        ),
                    )
                    for key in source.keys
                )
            except UnitError as err:
                self._unit_unusable(source, err, changes)
                targets = tuple((key, _no_unit) for key in source.keys)
            source.cache[unit] = targets
        # A unit that converts, where the last one did not: the problem is
        # solved.  (Without a unit, numbers are refused reading by reading.)
        if source.unit_error is not None and unit is not None and targets[0][1] is not _no_unit:
            source.unit_error = None
            changes.append((source, SourceChange.UNIT_USABLE))
        return targets

    def _unit_unusable(
        self, source: Source, err: UnitError, changes: list[tuple[Source, SourceChange]]
    ) -> None:
        if source.unit_error is None:
            source.unit_error = err
            changes.append((source, SourceChange.UNIT_UNUSABLE))

    def _available(
        self, source: Source, available: bool, changes: list[tuple[Source, SourceChange]]
    ) -> None:
        if available != source.available:
            source.available = available
            changes.append((source, SourceChange.BACK if available else SourceChange.GONE))

    def _ignore(self, source: Source, reason: str) -> None:
        self.ignored[reason] = self.ignored.get(reason, 0) + 1
        per_entity = self.ignored_by_entity.setdefault(source.entity_id, {})
        per_entity[reason] = per_entity.get(reason, 0) + 1

    def evaluate(self, now: float, *, diagnose: bool = True) -> Transitions:
        """Judge at ``now`` and say which faults started and cleared since the last verdict.

        ``diagnose=False``: without the diagnostic numbers (see ``Evaluator.evaluate``).
        """
        evaluation = self.evaluator.evaluate(now, diagnose=diagnose)
        self.last = evaluation
        statuses = evaluation.statuses
        active = {fault for fault, status in statuses.items() if status.active}
        opened = self.open_faults
        if active == opened:
            return Transitions(evaluation, (), ())
        started = tuple(statuses[fault] for fault in sorted(active - opened))
        cleared = tuple(
            statuses.get(fault) or FaultStatus(fault, False) for fault in sorted(opened - active)
        )
        self.open_faults = active
        return Transitions(evaluation, started, cleared)


def _no_unit(state: str, attributes: Mapping[str, Any]) -> Rejected:
    """The converter of a source whose unit cannot be converted: every state ignored."""
    if state in (REASON_UNAVAILABLE, REASON_UNKNOWN):
        # Still tell a source that is gone from one without a usable unit.
        return Rejected(state)
    return Rejected(REASON_NO_UNIT)


def iso_utc(timestamp: float | None) -> str | None:
    """An epoch time as ISO 8601 UTC, as attributes, events and reports show it."""
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat()


def jsonable(value: Any) -> Any:
    """Evidence and diagnostics as strict JSON: no NaN, enums as their values."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return jsonable(asdict(value))
    return value if value is None or isinstance(value, str | int | bool) else str(value)
