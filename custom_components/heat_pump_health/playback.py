"""Recorded history through the driver, minute by minute, and the report it gives.

The command-line replay, the backtest action and the upload view all play
recorded states through ``Playback``: each state goes to the ``Driver`` (the
same conversion and evaluator as the live entry), and a verdict is asked for
on every minute boundary from the first state to the last, as the live
minute tick does.  ``build_report`` makes the outcome JSON and
``format_text`` makes it readable (Markdown-friendly plain text).

Plain Python: no Home Assistant imports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from operator import itemgetter
from typing import Any, Final

from .driver import (
    TICK_SECONDS,
    Driver,
    Source,
    Transitions,
    iso_utc,
    jsonable,
    plan_sources,
    source_problems,
)
from .engine.evaluator import Evaluation, Evaluator
from .engine.model import FaultKey, InputKey
from .engine.options import EvaluatorOptions
from .explain import Explainer, Units, load_texts, load_titles
from .history import Row, StateRecord
from .ingest import ATTR_TEMPERATURE_UNIT, ATTR_UNIT, UnitError

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
# The words of ``source_problems``' codes, for a replay configuration.
_PROBLEMS: Final = {
    "duplicate_entity": "{key}: {entity} is already configured for another input",
    "supply_return_pair": "{key} is missing: supply and return temperatures go together",
}


class ReplayError(Exception):
    """The replay configuration is unusable."""


@dataclass(frozen=True, slots=True)
class ReplayConfig:
    """A validated replay configuration: what a config entry holds, and units."""

    entities: Mapping[InputKey, str]
    units: Mapping[str, str]
    options: EvaluatorOptions
    name: str | None = None

    @classmethod
    def from_mapping(cls, data: Any) -> ReplayConfig:
        """Validate a decoded CONFIG.json or an entry's options; ``ReplayError`` says why not."""
        if not isinstance(data, Mapping):
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
        for field_key, problem in source_problems(data).items():
            raise ReplayError(_PROBLEMS[problem].format(key=field_key, entity=data.get(field_key)))
        name = data.get("name")
        if name is not None and not isinstance(name, str):
            raise ReplayError("name must be a string")
        units = data.get("units", {})
        if not isinstance(units, Mapping) or not all(
            isinstance(entity, str) and isinstance(unit, str) for entity, unit in units.items()
        ):
            raise ReplayError('units must map entity ids to units, e.g. {"sensor.x": "°F"}')
        config = cls(entities=entities, units=units, options=options, name=name)
        config.sources()  # a bad unit: say so before reading
        if not options.evaluable_faults():
            raise ReplayError(
                "these inputs allow no fault to be judged; see the README for what each fault needs"
            )
        return config

    def sources(self) -> dict[str, Source]:
        """The driver's sources for this configuration; ``ReplayError`` if unusable."""
        try:
            return plan_sources(
                self.entities, units=self.units, defrost_states=self.options.defrost_states
            )
        except UnitError as err:
            raise ReplayError(f'"units": {err}') from None
        except ValueError as err:
            raise ReplayError(str(err)) from None


def climate_unit_of(config: ReplayConfig, rows: Sequence[Row]) -> tuple[str | None, str | None]:
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
class Episode:
    """One confirmed fault, from its first evidence to when it cleared."""

    fault: FaultKey
    start: float
    confirmed: float
    severity: str
    reason: str | None
    evidence: dict[str, Any]
    end: float | None = None


@dataclass(slots=True)
class ReplayResult:
    """Everything a playback learned; ``build_report`` makes it JSON."""

    config: ReplayConfig
    episodes: list[Episode]
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
    # Per fault, the minutes its evidence could be judged (active not None).
    judged: dict[FaultKey, int] = field(default_factory=dict)
    # A source whose unit could not be converted (the first one met).
    unit_error: UnitError | None = None
    # When Home Assistant was not running, within the period (start, end).
    pauses: list[tuple[float, float]] = field(default_factory=list)
    # The backup heater's record at the end (None: no backup heater input).
    backup_heater: dict[str, Any] | None = None


class Playback:
    """Plays time-ordered rows through a fresh evaluator, ticking every minute.

    ``feed`` may be called several times with consecutive slices of one
    history (a backtest reads the recorder a day at a time); ``finish``
    ticks up to the last state and returns the result.
    """

    def __init__(
        self,
        config: ReplayConfig,
        *,
        climate_unit: tuple[str | None, str | None] = (None, None),
        options: EvaluatorOptions | None = None,
        pauses: Sequence[tuple[float, float]] = (),
    ) -> None:
        self.config = config
        # When Home Assistant was not running (start, end): no verdicts then,
        # as live; the evaluator resumes after each as after a restart.
        self.pauses = sorted(pauses)
        self._pause_index = 0
        self.climate_unit = climate_unit
        evaluator = Evaluator(options=options or config.options, learned=None)
        self.driver = Driver(evaluator, config.sources(), climate_unit=climate_unit[0])
        self.episodes: list[Episode] = []
        self._open: dict[FaultKey, Episode] = {}
        self.judged: dict[FaultKey, int] = dict.fromkeys(evaluator.faults, 0)
        self.ticks = 0
        self.first: float | None = None
        self.last: float | None = None
        self._tick = 0.0
        self.skipped = 0

    def feed(self, rows: Iterable[Row]) -> None:
        """Play rows in order of ``last_updated`` (the caller sorts)."""
        take = self.driver.take
        tick = self._tick
        for entity_id, state, attributes, _, at in rows:
            if self.first is None:
                self.first = at
                tick = _next_tick(at)
            # Records at a boundary are seen by that tick, as a state written
            # just before the live timer fires would be.
            if tick < at:
                tick = self._tick_until(tick, at)
            take(entity_id, state, attributes, at)
            self.last = at
        self._tick = tick

    def _tick_until(self, tick: float, until: float, *, inclusive: bool = False) -> float:
        """Evaluate every minute boundary before ``until`` (or at it), skipping the pauses."""
        pauses = self.pauses
        while tick < until or (inclusive and tick == until):
            while self._pause_index < len(pauses) and pauses[self._pause_index][1] <= tick:
                self._pause_index += 1
            if self._pause_index < len(pauses) and pauses[self._pause_index][0] <= tick:
                tick = _next_tick(pauses[self._pause_index][1])
                continue
            self._evaluate(tick)
            tick += TICK_SECONDS
        return tick

    def _evaluate(self, now: float) -> None:
        # The diagnostic numbers only at the end (finish): a third of a tick.
        transitions = self.driver.evaluate(now, diagnose=False)
        self.ticks += 1
        judged = self.judged
        for fault, status in transitions.evaluation.statuses.items():
            if status.active is not None and fault in judged:
                judged[fault] += 1
        if transitions.started or transitions.cleared:
            self._track(transitions)

    def _track(self, transitions: Transitions) -> None:
        """Open an episode for each confirmed fault, close those that cleared."""
        now = transitions.evaluation.now
        for status in transitions.started:
            since = status.since if status.since is not None else now
            episode = Episode(
                fault=status.fault,
                start=min(since, now),
                confirmed=now,
                severity=str(status.severity),
                reason=status.reason,
                evidence=dict(status.evidence),
            )
            self.episodes.append(episode)
            self._open[status.fault] = episode
        for status in transitions.cleared:
            ended = self._open.pop(status.fault, None)
            if ended is not None:
                ended.end = now

    def finish(self) -> ReplayResult:
        """Tick up to the last state and return what was found."""
        if self.last is not None:
            self._tick = self._tick_until(self._tick, self.last, inclusive=True)
        driver = self.driver
        final = driver.last
        if final is not None:
            final = replace(
                final, diagnostics=driver.evaluator.diagnostics(final.now, final.statuses)
            )
        unit_error = next(
            (source.unit_error for source in driver.sources.values() if source.unit_error), None
        )
        return ReplayResult(
            config=self.config,
            episodes=self.episodes,
            first=self.first,
            last=self.last,
            ticks=self.ticks,
            records=driver.used + driver.unrelated + self.skipped,
            used=driver.used,
            unrelated=driver.unrelated + self.skipped,
            ignored=driver.ignored,
            ignored_by_entity=driver.ignored_by_entity,
            final=final,
            climate_unit=self.climate_unit,
            judged=self.judged,
            unit_error=unit_error,
            backup_heater=None if final is None else driver.evaluator.backup_heat(final.now),
            pauses=[
                pause
                for pause in self.pauses
                if self.first is not None
                and self.last is not None
                and pause[1] > self.first
                and pause[0] < self.last
            ],
        )


def _next_tick(at: float) -> float:
    return float(-(-at // TICK_SECONDS) * TICK_SECONDS)


def replay(records: Iterable[StateRecord], config: ReplayConfig) -> ReplayResult:
    """Play ``StateRecord`` objects through a fresh evaluator."""
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
    """Play rows (``StateRecord`` fields as tuples) in any order.

    ``unrelated`` counts records the reader already left out.
    """
    # Stable: records of one instant keep their file order.  The effective
    # time is last_updated (an attribute-only update moves only that).
    ordered = sorted(rows, key=itemgetter(4))
    playback = Playback(config, climate_unit=climate_unit_of(config, ordered))
    playback.skipped = unrelated
    playback.feed(ordered)
    return playback.finish()


def build_report(result: ReplayResult, *, source: str | None = None) -> dict[str, Any]:
    """Build the JSON object a replay or backtest returns.

    ``faults``: one entry per confirmed fault episode, in order of
    confirmation: ``fault``, ``start`` (first abnormal evidence, the
    evaluator's ``since``), ``end`` (when it cleared, null if still active at
    the end of the history), ``confirmed`` (when it was raised), ``severity``,
    ``reason`` and ``evidence`` as they were *when the fault was confirmed* —
    the moment a live user would have been told.  ``judged``: per fault, the
    share of the one-minute evaluations at which its inputs allowed a verdict.
    """
    final = result.final
    statuses: dict[str, Any] = {}
    diagnostics: dict[str, Any] | None = None
    health: str | None = None
    if final is not None:
        diagnostics = jsonable(final.diagnostics)
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
        "period": {"start": iso_utc(result.first), "end": iso_utc(result.last)},
        "ticks": result.ticks,
        "records": {"total": result.records, "used": result.used, "unrelated": result.unrelated},
        "ignored": dict(sorted(result.ignored.items())),
        "ignored_by_entity": {
            entity: dict(sorted(counts.items()))
            for entity, counts in sorted(result.ignored_by_entity.items())
        },
        "not_running": [
            {"start": iso_utc(start), "end": iso_utc(end)} for start, end in result.pauses
        ],
        "judged": {
            str(fault): round(minutes / result.ticks, 3) if result.ticks else 0.0
            for fault, minutes in result.judged.items()
        },
        "faults": [
            {
                "fault": str(episode.fault),
                "start": iso_utc(episode.start),
                "end": iso_utc(episode.end),
                "confirmed": iso_utc(episode.confirmed),
                "severity": episode.severity,
                "reason": episode.reason,
                "evidence": jsonable(episode.evidence),
            }
            for episode in result.episodes
        ],
        "health": health,
        "status_at_end": statuses,
        "diagnostics": diagnostics,
    }
    if result.backup_heater is not None:
        report["backup_heater"] = result.backup_heater
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
    text = _minutes_text(minutes)
    return text if end else f"{text} so far"


def _minutes_text(minutes: int) -> str:
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def _when(iso: str | None) -> str:
    if iso is None:
        return "?"
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True, slots=True)
class _Told:
    """One episode of a report in words."""

    heading: str
    title: str
    severity: str
    when: str
    why: str
    sentences: list[str]
    causes: list[str]
    checks: list[str]


def _told(
    report: Mapping[str, Any], explainer: Explainer | None, titles: Mapping[FaultKey, str] | None
) -> list[_Told]:
    explainer = explainer or Explainer(load_texts(), Units())
    titles = titles if titles is not None else load_titles()
    period_end = report["period"]["end"]
    told: list[_Told] = []
    for fault in report["faults"]:
        key = FaultKey(fault["fault"])
        ended = f"until {_when(fault['end'])}" if fault["end"] else "still active at the end"
        told.append(
            _Told(
                heading=f"{titles.get(key, key.value)} [{fault['fault']}, {fault['severity']}]",
                title=titles.get(key, key.value),
                severity=fault["severity"],
                when=f"from {_when(fault['start'])} {ended} "
                f"({_duration(fault['start'], fault['end'], period_end)}); "
                f"reported at {_when(fault['confirmed'])}",
                why=explainer.reason(fault["reason"]) or "-",
                sentences=explainer.sentences(key, fault["reason"], fault["evidence"]),
                causes=explainer.causes(key),
                checks=explainer.checks(key),
            )
        )
    return told


def _summary(report: Mapping[str, Any]) -> list[tuple[str, str]]:
    period = report["period"]
    records = report["records"]
    lines = [
        ("History", report.get("history") or "-"),
        (
            "Period",
            f"{_when(period['start'])} to {_when(period['end'])} "
            f"({report['ticks']} one-minute evaluations)",
        ),
        (
            "Records",
            f"{records['used']} states of its sources used, "
            f"{records['unrelated']} of other entities left aside",
        ),
    ]
    if report["ignored"]:
        ignored = ", ".join(f"{count} {reason}" for reason, count in report["ignored"].items())
        lines.append(("Ignored", ignored))
    if pauses := report.get("not_running"):
        stopped = sum(
            (datetime.fromisoformat(p["end"]) - datetime.fromisoformat(p["start"])).total_seconds()
            for p in pauses
        )
        lines.append(
            (
                "Not judged",
                f"Home Assistant was not running for {_minutes_text(round(stopped / 60))} "
                f"({len(pauses)} time{'s' if len(pauses) != 1 else ''})",
            )
        )
    if report.get("health"):
        lines.append(("Health at the end", report["health"]))
    return lines


_NO_FAULTS: Final = "No faults: the heat pump behaved normally throughout."


def format_text(
    report: Mapping[str, Any],
    *,
    explainer: Explainer | None = None,
    titles: Mapping[FaultKey, str] | None = None,
) -> str:
    """Render a readable report: per fault when, how long, why and what to check.

    ``explainer`` and ``titles`` default to the English texts.
    """
    lines = [f"Heat Pump Health replay{': ' + report['name'] if report.get('name') else ''}"]
    for label, text in _summary(report):
        # The short labels line up; "Health at the end" is a sentence of its own.
        aligned = len(label) < len("Records:") + 1
        lines.append(f"{label + ':':9} {text}" if aligned else f"{label}: {text}")
    if not report["faults"]:
        lines += ["", _NO_FAULTS]
        return "\n".join(lines) + "\n"
    count = len(report["faults"])
    lines += ["", f"{count} fault episode{'s' if count != 1 else ''}:"]
    for number, told in enumerate(_told(report, explainer, titles), 1):
        lines += ["", f"{number}. {told.heading}", f"   When:  {told.when}"]
        lines.append(f"   Why:   {told.why}")
        lines += [f"     {sentence}" for sentence in told.sentences]
        lines.append("   Likely causes:")
        lines += [f"     - {cause}" for cause in told.causes]
        lines.append("   What to check:")
        lines += [f"     - {check}" for check in told.checks]
    return "\n".join(lines) + "\n"


def format_markdown(
    report: Mapping[str, Any],
    *,
    explainer: Explainer | None = None,
    titles: Mapping[FaultKey, str] | None = None,
) -> str:
    """The same report as Markdown, for a persistent notification: lists, not walls of text."""
    lines = [f"- **{label}:** {text}" for label, text in _summary(report)]
    if not report["faults"]:
        return "\n".join([*lines, "", _NO_FAULTS]) + "\n"
    for number, told in enumerate(_told(report, explainer, titles), 1):
        lines += ["", f"**{number}. {told.title}** ({told.severity})", ""]
        lines.append(f"- **When:** {told.when}")
        lines.append(f"- **Why:** {_sentence(told.why)}")
        lines += [f"  - {sentence}" for sentence in told.sentences]
        lines.append("- **Likely causes:**")
        lines += [f"  - {cause}" for cause in told.causes]
        lines.append("- **What to check:**")
        lines += [f"  - {check}" for check in told.checks]
    return "\n".join(lines) + "\n"


def _sentence(phrase: str) -> str:
    """A reason phrase ("no power while ...") as a sentence."""
    phrase = phrase.strip()
    if not phrase or phrase == "-":
        return "-"
    phrase = phrase[0].upper() + phrase[1:]
    return phrase if phrase[-1] in ".!?" else f"{phrase}."
