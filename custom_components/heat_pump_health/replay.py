"""Replay exported Home Assistant history through the fault evaluator.

    ./scripts/replay HISTORY --config CONFIG.json [--text]

HISTORY is the history panel's CSV download or the JSON of
``GET /api/history/period``.  CONFIG.json holds what a config entry holds: the
input entities (``power_entity``...), ``system_type``, the evaluator options,
optionally ``name``, and optionally ``"units": {"<entity_id>": "<unit>"}``
(a CSV export carries no units).

The replay does what the live integration does: every state goes through
``ingest`` (the same conversion, the same rejections), and the evaluator is
asked for a verdict on every minute boundary from the first record to the
last, as the live minute tick does.  Stdout is one JSON object (or a report
with ``--text``); see ``build_report`` for its keys.  Any problem with the
input is one ``replay: error: ...`` line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import UTC, datetime
from enum import Enum
import gc
import json
import math
from operator import itemgetter
from pathlib import Path
import sys
from typing import Any, Final, NoReturn, override

from .engine.evaluator import Evaluation, Evaluator
from .engine.model import FaultKey, InputKey
from .engine.options import EvaluatorOptions
from .explain import Explainer, Units, load_texts, load_titles
from .history import HistoryError, Row, StateRecord, read_history
from .ingest import (
    ATTR_TEMPERATURE_UNIT,
    ATTR_UNIT,
    REASON_UNAVAILABLE,
    Converter,
    Rejected,
    UnitError,
    converter,
    normalise_unit,
)

PROG: Final = "replay"
# The live integration ticks once a minute; the replay must tick identically.
TICK_SECONDS: Final = 60
# When nothing says which unit a climate entity's temperatures are in, this
# is Home Assistant's default (metric) system unit.
DEFAULT_CLIMATE_UNIT: Final = "°C"
_TEMPERATURE_KEYS: Final = (
    InputKey.OUTDOOR_TEMPERATURE,
    InputKey.SUPPLY_TEMPERATURE,
    InputKey.RETURN_TEMPERATURE,
    InputKey.COIL_TEMPERATURE,
)
_CLIMATE_UNITS: Final = frozenset({"°C", "°F", "K"})


class ReplayError(Exception):
    """The replay configuration is unusable."""


@dataclass(slots=True)
class _Source:
    """One configured entity: the input(s) it feeds and its converters."""

    entity_id: str
    keys: tuple[InputKey, ...]
    unit: str | None  # from the config's "units": wins over attributes
    climate: bool
    defrost_states: frozenset[str] | None
    # Converters per unit seen in the attributes; a sensor may change unit.
    cache: dict[str | None, tuple[tuple[InputKey, Converter], ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ReplayConfig:
    """A validated replay configuration."""

    entities: Mapping[InputKey, str]
    units: Mapping[str, str]
    options: EvaluatorOptions
    name: str | None = None

    @classmethod
    def from_mapping(cls, data: Any) -> ReplayConfig:
        """Validate a decoded CONFIG.json; ``ReplayError`` says what is wrong."""
        if not isinstance(data, dict):
            raise ReplayError(f"the configuration must be a JSON object, not {type(data).__name__}")
        try:
            options = EvaluatorOptions.from_mapping(data)
        except ValueError as err:
            raise ReplayError(str(err)) from None
        entities: dict[InputKey, str] = {}
        for key in InputKey:
            value = data.get(key.value)
            if isinstance(value, str) and value:
                if "." not in value:
                    raise ReplayError(f"{key.value}: {value!r} is not an entity id")
                entities[key] = value
        name = data.get("name")
        if name is not None and not isinstance(name, str):
            raise ReplayError("name must be a string")
        units = data.get("units", {})
        if not isinstance(units, dict) or not all(
            isinstance(entity, str) and isinstance(unit, str) for entity, unit in units.items()
        ):
            raise ReplayError('units must map entity ids to units, e.g. {"sensor.x": "°F"}')
        config = cls(entities=entities, units=units, options=options, name=name)
        _sources(config)  # an entity used twice or a bad unit: say so before reading
        return config


def load_config(path: str | Path) -> ReplayConfig:
    """Read and validate CONFIG.json."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReplayError(f"{path}: no such configuration file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ReplayError(f"{path}: cannot read the configuration ({err})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ReplayError(
            f"{path}: not valid JSON: {err.msg} at line {err.lineno} column {err.colno}"
        ) from None
    try:
        return ReplayConfig.from_mapping(data)
    except ReplayError as err:
        raise ReplayError(f"{path}: {err}") from None


def _sources(config: ReplayConfig) -> dict[str, _Source]:
    """Map each configured entity to the input(s) it feeds."""
    by_entity: dict[str, list[InputKey]] = {}
    for key, entity_id in config.entities.items():
        by_entity.setdefault(entity_id, []).append(key)
    sources: dict[str, _Source] = {}
    for entity_id, keys in by_entity.items():
        climate = entity_id.startswith("climate.")
        # The one legitimate sharing: a climate entity that reports defrost in
        # hvac_action is both the climate and the defrost source.
        if len(keys) > 1 and not (climate and set(keys) == {InputKey.CLIMATE, InputKey.DEFROST}):
            raise ReplayError(
                f"{entity_id} is configured for more than one input: "
                + ", ".join(key.value for key in keys)
            )
        unit = config.units.get(entity_id)
        for key in keys:
            # Fail before replaying, not at the first reading.
            try:
                normalise_unit(key, unit, entity_id=entity_id)
            except UnitError as err:
                raise ReplayError(f'"units": {err}') from None
        sources[entity_id] = _Source(
            entity_id, tuple(keys), unit, climate, config.options.defrost_states
        )
    return sources


def _climate_unit(config: ReplayConfig, rows: Sequence[Row]) -> tuple[str | None, str | None]:
    """Find the unit of the climate entity's temperatures, and where it came from.

    Home Assistant shows a climate entity's temperatures in the system unit
    and does not say which.  Temperature sensors are shown in the system unit
    by default too, so the first configured temperature sensor that reports a
    unit is the best witness; failing that, Home Assistant's default.
    """
    climate = config.entities.get(InputKey.CLIMATE)
    if climate is None:
        return None, None
    if climate in config.units:
        return config.units[climate], "config"
    witnesses = {config.entities[key] for key in _TEMPERATURE_KEYS if key in config.entities}
    for entity_id, _, attributes, _, _ in rows:
        if entity_id == climate:
            found = attributes.get(ATTR_TEMPERATURE_UNIT)
        elif entity_id in witnesses:
            found = attributes.get(ATTR_UNIT)
        else:
            continue
        if isinstance(found, str) and found in _CLIMATE_UNITS:
            return found, "attributes"
    return DEFAULT_CLIMATE_UNIT, "assumed"


@dataclass(slots=True)
class _Episode:
    fault: FaultKey
    start: float
    confirmed: float
    severity: str
    reason: str | None
    evidence: dict[str, Any]
    end: float | None = None


@dataclass(slots=True)
class ReplayResult:
    """Everything the replay learned; ``build_report`` makes it JSON."""

    config: ReplayConfig
    episodes: list[_Episode]
    first: float | None
    last: float | None
    ticks: int
    records: int
    used: int
    unrelated: int
    ignored: dict[str, int]
    ignored_by_entity: dict[str, dict[str, int]]
    final: Evaluation | None
    climate_unit: tuple[str | None, str | None]


def replay(records: Iterable[StateRecord], config: ReplayConfig) -> ReplayResult:
    """Feed the records to a fresh evaluator, ticking every minute."""
    return replay_rows(
        [
            (
                record.entity_id,
                record.state,
                record.attributes,
                record.last_changed,
                record.last_updated,
            )
            for record in records
        ],
        config,
    )


def replay_rows(rows: Iterable[Row], config: ReplayConfig, *, unrelated: int = 0) -> ReplayResult:
    """Replay rows (``StateRecord`` fields as tuples, as the reader makes them).

    ``unrelated`` counts records the reader already left out.
    """
    # Stable: records of one instant keep their file order.  The effective
    # time is last_updated (an attribute-only update moves only that).
    ordered = sorted(rows, key=itemgetter(4))
    total = len(ordered) + unrelated
    sources = _sources(config)
    climate_unit = _climate_unit(config, ordered)
    evaluator = Evaluator(options=config.options, learned=None)
    observe = evaluator.observe
    evaluate = evaluator.evaluate
    episodes: list[_Episode] = []
    open_episodes: dict[FaultKey, _Episode] = {}
    ignored: dict[str, int] = {}
    ignored_by_entity: dict[str, dict[str, int]] = {}
    used = ticks = 0
    final: Evaluation | None = None
    first = ordered[0][4] if ordered else None
    tick = math.ceil(first / TICK_SECONDS) * TICK_SECONDS if first is not None else 0.0

    for entity_id, state, attributes, _, at in ordered:
        # Records at a boundary are seen by that tick, as a state written just
        # before the live timer fires would be.
        while tick < at:
            final = evaluate(tick)
            ticks += 1
            if final.started or final.cleared:
                _track(final, episodes, open_episodes)
            tick += TICK_SECONDS
        source = sources.get(entity_id)
        if source is None:
            unrelated += 1
            continue
        unit = source.unit
        if unit is None:
            unit = attributes.get(ATTR_TEMPERATURE_UNIT if source.climate else ATTR_UNIT)
        targets = source.cache.get(unit)
        if targets is None:
            targets = _converters(source, unit, climate_unit[0])
        used += 1
        for key, convert in targets:
            value = convert(state, attributes)
            if isinstance(value, Rejected):
                _count(ignored, ignored_by_entity.setdefault(source.entity_id, {}), value.reason)
                # The source is unknown from now on, as it would be live.
                observe(key, None, at, unavailable=value.reason == REASON_UNAVAILABLE)
            else:
                observe(key, value, at)

    last = ordered[-1][4] if ordered else None
    if last is not None:
        while tick <= last:
            final = evaluate(tick)
            ticks += 1
            if final.started or final.cleared:
                _track(final, episodes, open_episodes)
            tick += TICK_SECONDS
    return ReplayResult(
        config=config,
        episodes=episodes,
        first=first,
        last=last,
        ticks=ticks,
        records=total,
        used=used,
        unrelated=unrelated,
        ignored=ignored,
        ignored_by_entity=ignored_by_entity,
        final=final,
        climate_unit=climate_unit,
    )


def _count(ignored: dict[str, int], per_entity: dict[str, int], reason: str) -> None:
    ignored[reason] = ignored.get(reason, 0) + 1
    per_entity[reason] = per_entity.get(reason, 0) + 1


def _converters(
    source: _Source, unit: Any, climate_unit: str | None
) -> tuple[tuple[InputKey, Converter], ...]:
    """Build (once per source and unit) the converters for a source."""
    text_unit = unit if isinstance(unit, str) else None
    targets = tuple(
        (
            key,
            converter(
                key,
                (text_unit or climate_unit) if key is InputKey.CLIMATE else text_unit,
                entity_id=source.entity_id,
                defrost_states=source.defrost_states,
            ),
        )
        for key in source.keys
    )
    source.cache[unit] = targets
    return targets


def _track(
    evaluation: Evaluation, episodes: list[_Episode], open_episodes: dict[FaultKey, _Episode]
) -> None:
    """Open an episode for each confirmed fault, close those that cleared."""
    now = evaluation.now
    for fault in evaluation.started:
        status = evaluation.statuses.get(fault)
        since = status.since if status is not None and status.since is not None else now
        episode = _Episode(
            fault=fault,
            start=min(since, now),
            confirmed=now,
            severity=str(status.severity) if status is not None else "warning",
            reason=status.reason if status is not None else None,
            evidence=dict(status.evidence) if status is not None else {},
        )
        episodes.append(episode)
        open_episodes[fault] = episode
    for fault in evaluation.cleared:
        ended = open_episodes.pop(fault, None)
        if ended is not None:
            ended.end = now


def _iso(at: float | None) -> str | None:
    if at is None:
        return None
    return datetime.fromtimestamp(at, UTC).isoformat()


def _jsonable(value: Any) -> Any:
    """Evidence as strict JSON: no NaN, enums as their values."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return _jsonable(asdict(value))
    return value if value is None or isinstance(value, str | int | bool) else str(value)


def build_report(result: ReplayResult, *, source: str | None = None) -> dict[str, Any]:
    """Build the JSON object the replay prints.

    ``faults``: one entry per confirmed fault episode, in order of
    confirmation: ``fault``, ``start`` (first abnormal evidence, the
    evaluator's ``since``), ``end`` (when it cleared, null if still active at
    the end of the history), ``confirmed`` (when it was raised), ``severity``,
    ``reason`` and ``evidence`` as they were *when the fault was confirmed* —
    the moment a live user would have been told.
    """
    final = result.final
    statuses: dict[str, Any] = {}
    diagnostics: dict[str, Any] | None = None
    health: str | None = None
    if final is not None:
        diagnostics = _jsonable(final.diagnostics)
        health = str(final.diagnostics.health)
        statuses = {
            str(fault): {
                "active": status.active,
                "suspect": status.suspect,
                "reason": status.reason,
            }
            for fault, status in final.statuses.items()
        }
    unit, unit_source = result.climate_unit
    report: dict[str, Any] = {
        "name": result.config.name,
        "history": source,
        "system_type": str(result.config.options.system_type),
        "period": {"start": _iso(result.first), "end": _iso(result.last)},
        "ticks": result.ticks,
        "records": {"total": result.records, "used": result.used, "unrelated": result.unrelated},
        "ignored": dict(sorted(result.ignored.items())),
        "ignored_by_entity": {
            entity: dict(sorted(counts.items()))
            for entity, counts in sorted(result.ignored_by_entity.items())
        },
        "faults": [
            {
                "fault": str(episode.fault),
                "start": _iso(episode.start),
                "end": _iso(episode.end),
                "confirmed": _iso(episode.confirmed),
                "severity": episode.severity,
                "reason": episode.reason,
                "evidence": _jsonable(episode.evidence),
            }
            for episode in result.episodes
        ],
        "health": health,
        "status_at_end": statuses,
        "diagnostics": diagnostics,
    }
    if unit is not None:
        report["climate_unit"] = {"unit": unit, "source": unit_source}
    return report


def _duration(start: str, end: str | None, period_end: str | None) -> str:
    stop = end or period_end
    if stop is None:
        return "?"
    minutes = round(
        (datetime.fromisoformat(stop) - datetime.fromisoformat(start)).total_seconds() / 60
    )
    text = f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
    return text if end else f"{text} so far"


def _when(iso: str | None) -> str:
    if iso is None:
        return "?"
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M UTC")


def format_text(report: Mapping[str, Any]) -> str:
    """Render a readable report: per fault when, how long, why and what to check."""
    period = report["period"]
    records = report["records"]
    lines = [
        f"Heat Pump Health replay{': ' + report['name'] if report.get('name') else ''}",
        f"History:  {report.get('history') or '-'}",
        f"Period:   {_when(period['start'])} to {_when(period['end'])} "
        f"({report['ticks']} one-minute evaluations)",
        f"Records:  {records['used']} used, {records['unrelated']} of other entities",
    ]
    if report["ignored"]:
        ignored = ", ".join(f"{count} {reason}" for reason, count in report["ignored"].items())
        lines.append(f"Ignored:  {ignored}")
    if report.get("health"):
        lines.append(f"Health at the end: {report['health']}")
    faults = report["faults"]
    if not faults:
        lines += ["", "No faults: the heat pump behaved normally throughout."]
        return "\n".join(lines) + "\n"
    lines += ["", f"{len(faults)} fault episode{'s' if len(faults) != 1 else ''}:"]
    explainer = Explainer(load_texts(), Units())
    titles = load_titles()
    for number, fault in enumerate(faults, 1):
        key = FaultKey(fault["fault"])
        ended = f"until {_when(fault['end'])}" if fault["end"] else "still active at the end"
        lines += [
            "",
            f"{number}. {titles.get(key, key.value)} [{fault['fault']}, {fault['severity']}]",
            f"   When:  from {_when(fault['start'])} {ended} "
            f"({_duration(fault['start'], fault['end'], period['end'])}); "
            f"reported at {_when(fault['confirmed'])}",
        ]
        lines.append(f"   Why:   {explainer.reason(fault['reason']) or '-'}")
        lines += [
            f"     {sentence}"
            for sentence in explainer.sentences(key, fault["reason"], fault["evidence"])
        ]
        lines.append("   Likely causes:")
        lines += [f"     - {cause}" for cause in explainer.causes(key)]
        lines.append("   What to check:")
        lines += [f"     - {check}" for check in explainer.checks(key)]
    return "\n".join(lines) + "\n"


def run(history: str | Path, config_path: str | Path) -> dict[str, Any]:
    """Replay one history file with one configuration; return the report."""
    config = load_config(config_path)
    wanted = set(config.entities.values())
    with _gc_paused():
        loaded = read_history(history, entities=wanted)
        if not loaded.rows:
            raise ReplayError(
                f"{history}: none of the configured entities ({', '.join(sorted(wanted))}) "
                "appear in this history"
            )
        result = replay_rows(loaded.rows, config, unrelated=loaded.skipped)
    return build_report(result, source=str(history))


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for one short, allocation-heavy run.

    A replay allocates hundreds of thousands of small objects and frees
    nothing until it ends; the collector would repeatedly walk them all
    (the decoded JSON too) for no gain.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error on one line, like every other error."""

    @override
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description=(
            "Replay Home Assistant history through Heat Pump Health's fault evaluator "
            "and report the faults it would have raised."
        ),
        epilog=(
            "HISTORY: the history panel's CSV download or the JSON of "
            "GET /api/history/period.  Exit status: 0 on success, 2 when the history "
            "or the configuration cannot be used."
        ),
    )
    parser.add_argument("history", metavar="HISTORY", help="history export (CSV or JSON)")
    parser.add_argument(
        "--config",
        required=True,
        metavar="CONFIG.json",
        help='input entities, system_type, options, optional "name" and "units"',
    )
    parser.add_argument("--text", action="store_true", help="print a readable report")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        report = run(args.history, args.config)
        output = (
            format_text(report)
            if args.text
            else json.dumps(report, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
        )
    except UnitError as err:
        return _fail(
            f"{err}; give the entity's unit in the configuration, "
            f'e.g. "units": {{"{err.entity_id or "sensor.x"}": "{_example_unit(err)}"}}'
        )
    except (HistoryError, ReplayError) as err:
        return _fail(str(err))
    except Exception as err:  # the contract is one line, never a traceback
        return _fail(f"unexpected {type(err).__name__}: {err}")
    sys.stdout.write(output)
    sys.stdout.flush()
    return 0


def _example_unit(err: UnitError) -> str:
    return "W" if err.key is InputKey.POWER else "°C"


def _fail(message: str) -> int:
    # One line, whatever the message holds.
    sys.stderr.write(f"{PROG}: error: {' '.join(message.split())}\n")
    return 2


if __name__ == "__main__":  # pragma: no cover - run by scripts/replay
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(1)
