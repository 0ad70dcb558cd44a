"""Real-home noise mixed into a clean simulator slice, and the slice played through ``Live``.

A ``Plan`` is what hypothesis generates: glitches (a bad state, then the true
one again), repeated records, records delivered late (out of order), unit
switches mid-stream with consistently converted values (°C/°F/K, W/kW),
hours-long gaps (Home Assistant down and restarted, or a stalled host that
misses ticks) and system clock steps (back up to an hour, forward hours).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, replace
import math
from typing import Final

from heat_pump_sim.physics import StateRecord
from hypothesis import strategies as st

from .live import HOUR, TICK, Live, Outcome, Trace

NUMERIC_TEXT: Final = ("unavailable", "unknown", "", "nan", "inf", "-inf", "NaN", "12,5", "abc")
NUMERIC_TEXT += ("on", "None", "0x1F", " ", "1e309", "--")
DEFROST_TEXT: Final = ("unavailable", "unknown", "", "2", "maybe", "nan", "None")
CLIMATE_TEXT: Final = ("unavailable", "unknown", "", "bogus", "HEAT", "None")
PROBE_ERRORS_C: Final = (85.0, -127.0)
ABSURD: Final = {
    "power": (1e9, -5000.0, 99_999.0, 1e300, -1e300),
    "temperature": (9999.0, -500.0, 1e300, -273.15, 4000.0),
    "noise": (1e9, -1e9, 1e300),
}
CLIMATE_ATTRIBUTE_GLITCHES: Final = (
    ("current_temperature", math.nan),
    ("current_temperature", "abc"),
    ("current_temperature", None),
    ("current_temperature", 85.0),
    ("current_temperature", -127.0),
    ("temperature", None),
    ("temperature", "abc"),
    ("temperature", 1e9),
    ("hvac_action", None),
    ("hvac_action", "foo"),
    ("hvac_action", 3),
)


@dataclass(frozen=True, slots=True)
class Glitch:
    """One bad state at ``at`` (fraction of the slice), the truth again ``recover_s`` later."""

    entity: int
    at: float
    choice: int
    recover_s: float


@dataclass(frozen=True, slots=True)
class UnitSwitch:
    """A sensor reports in another unit from ``start`` to ``end`` (fractions)."""

    entity: int
    start: float
    end: float
    choice: int


@dataclass(frozen=True, slots=True)
class Gap:
    """No Home Assistant (``down``: restart after) or no ticks (``stalled``) for hours."""

    at: float
    hours: float
    down: bool


@dataclass(frozen=True, slots=True)
class ClockStep:
    """The system clock steps by ``delta_s`` at ``at`` (fraction) and stays off."""

    at: float
    delta_s: float


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything mixed into one slice."""

    glitches: tuple[Glitch, ...] = ()
    duplicates: tuple[float, ...] = ()
    late: tuple[tuple[float, int], ...] = ()
    switches: tuple[UnitSwitch, ...] = ()
    gaps: tuple[Gap, ...] = ()
    clock: ClockStep | None = None

    @property
    def gap_s(self) -> float:
        return sum(gap.hours for gap in self.gaps) * HOUR

    @property
    def extra_s(self) -> float:
        """How much longer than asked ``play`` runs: gaps, and time lost to a step back."""
        lost = -self.clock.delta_s if self.clock is not None and self.clock.delta_s < 0 else 0.0
        return self.gap_s + lost


FRACTION = st.floats(0.0, 1.0, allow_nan=False)


def plans(*, max_glitches: int, gaps: bool, clock: bool) -> st.SearchStrategy[Plan]:
    """Noise plans; ``gaps``/``clock`` allow hours-long gaps and clock steps."""
    glitch = st.builds(
        Glitch,
        entity=st.integers(0, 7),
        at=FRACTION,
        choice=st.integers(0, 1000),
        recover_s=st.floats(0.0, 180.0),
    )
    switch = st.builds(
        UnitSwitch,
        entity=st.integers(0, 4),
        start=FRACTION,
        end=st.floats(0.0, 2.0),
        choice=st.integers(0, 1000),
    )
    gap = st.builds(Gap, at=FRACTION, hours=st.floats(0.5, 4.0), down=st.booleans())
    step = st.builds(
        ClockStep,
        at=FRACTION,
        delta_s=st.one_of(st.floats(-3600.0, -1.0), st.floats(60.0, 6 * HOUR)),
    )
    return st.builds(
        Plan,
        glitches=st.lists(glitch, max_size=max_glitches).map(tuple),
        duplicates=st.lists(FRACTION, max_size=20).map(tuple),
        late=st.lists(st.tuples(FRACTION, st.integers(1, 40)), max_size=10).map(tuple),
        switches=st.lists(switch, max_size=3).map(tuple),
        gaps=st.lists(gap, max_size=2 if gaps else 0).map(tuple),
        clock=st.none() | step if clock else st.none(),
    )


# -- units ---------------------------------------------------------------------

_TO_C = {"°C": lambda v: v, "°F": lambda v: (v - 32.0) / 1.8, "K": lambda v: v - 273.15}
_FROM_C = {"°C": lambda v: v, "°F": lambda v: v * 1.8 + 32.0, "K": lambda v: v + 273.15}
_TO_W = {"W": lambda v: v, "kW": lambda v: v * 1000.0}
_FROM_W = {"W": lambda v: v, "kW": lambda v: v / 1000.0}


def _kind(entity_id: str, trace: Trace) -> str:
    for key, value in trace.config.items():
        if value == entity_id:
            if key == "power_entity":
                return "power"
            if key == "noise_entity":
                return "noise"
            if key == "defrost_entity":
                return "defrost"
            if key == "climate_entity":
                return "climate"
            return "temperature"
    raise KeyError(entity_id)


def _convert_state(state: str, kind: str, unit: str, target: str) -> str:
    try:
        number = float(state)
    except ValueError:
        return state
    if not math.isfinite(number):
        return state
    if kind == "power":
        return f"{_FROM_W[target](_TO_W[unit](number)):.4f}"
    return f"{_FROM_C[target](_TO_C[unit](number)):.3f}"


def _in_unit(value_c_or_w: float, kind: str, unit: str) -> float:
    if kind == "power":
        return _FROM_W[unit](value_c_or_w)
    if kind == "temperature":
        return _FROM_C[unit](value_c_or_w)
    return value_c_or_w


# -- building the sequence -------------------------------------------------------


@dataclass(slots=True)
class Slice:
    """A played slice: its window and what came out."""

    start: float
    end: float
    outcome: Outcome


def _entities(trace: Trace) -> list[str]:
    order = (
        "power_entity",
        "supply_temperature_entity",
        "return_temperature_entity",
        "coil_temperature_entity",
        "outdoor_temperature_entity",
        "noise_entity",
        "defrost_entity",
        "climate_entity",
    )
    return [trace.config[key] for key in order if key in trace.config]


def _glitch_record(trace: Trace, truth: StateRecord, choice: int, at: float) -> StateRecord:
    kind = _kind(truth.entity_id, trace)
    attributes = dict(truth.attributes)
    if kind == "defrost":
        state = DEFROST_TEXT[choice % len(DEFROST_TEXT)]
    elif kind == "climate":
        options = len(CLIMATE_TEXT) + len(CLIMATE_ATTRIBUTE_GLITCHES)
        pick = choice % options
        state = truth.state
        if pick < len(CLIMATE_TEXT):
            state = CLIMATE_TEXT[pick]
        else:
            name, value = CLIMATE_ATTRIBUTE_GLITCHES[pick - len(CLIMATE_TEXT)]
            attributes[name] = value
    else:
        unit = str(truth.attributes.get("unit_of_measurement"))
        specials: list[str] = list(NUMERIC_TEXT)
        specials += [repr(_in_unit(v, kind, unit)) for v in ABSURD[kind]]
        if kind == "temperature":
            probe = [f"{_in_unit(v, kind, unit):.1f}" for v in PROBE_ERRORS_C]
            # Probe errors are the commonest glitch of all: weigh them up.
            specials += probe * 4
        state = specials[choice % len(specials)]
    return StateRecord(truth.entity_id, state, attributes, at, at)


def _latest(trace: Trace, entity_id: str, at: float) -> StateRecord | None:
    times, records = trace.by_entity(entity_id)
    index = bisect_right(times, at) - 1
    return records[index] if index >= 0 else None


def build(trace: Trace, start: float, end: float, plan: Plan) -> list[StateRecord]:
    """The clean records of (start, end] with the plan's noise, in delivery order."""
    span = end - start
    entities = _entities(trace)
    records = list(trace.between(start, end))
    for glitch in plan.glitches:
        entity = entities[glitch.entity % len(entities)]
        at = start + glitch.at * span
        truth = _latest(trace, entity, at)
        if truth is None:
            continue
        records.append(_glitch_record(trace, truth, glitch.choice, at))
        recover = at + glitch.recover_s
        again = _latest(trace, entity, recover)
        if again is not None and recover <= end:
            records.append(replace(again, last_changed=recover, last_updated=recover))
    records.sort(key=lambda record: record.last_updated)
    for fraction in plan.duplicates:
        if records:
            index = min(int(fraction * len(records)), len(records) - 1)
            records.insert(index, records[index])
    for fraction, shift in plan.late:
        if len(records) > 1:
            index = min(int(fraction * len(records)), len(records) - 1)
            record = records.pop(index)
            # Late behind other entities' updates, never behind a newer state of
            # its own: Home Assistant keeps one entity's states in order, so a
            # stale value overtaking a newer one would be the truth to a monitor.
            target = index
            limit = min(index + shift, len(records))
            while target < limit and records[target].entity_id != record.entity_id:
                target += 1
            records.insert(target, record)
    for switch in plan.switches:
        entity = entities[switch.entity % len(entities)]
        kind = _kind(entity, trace)
        if kind not in ("power", "temperature"):
            continue
        units = ("W", "kW") if kind == "power" else ("°C", "°F", "K")
        begin = start + switch.start * span
        stop = start + max(switch.end, switch.start) * span
        for index, record in enumerate(records):
            if record.entity_id != entity or not begin <= record.last_updated < stop:
                continue
            unit = str(record.attributes.get("unit_of_measurement"))
            target = [u for u in units if u != unit][switch.choice % (len(units) - 1)]
            records[index] = replace(
                record,
                state=_convert_state(record.state, kind, unit, target),
                attributes={**record.attributes, "unit_of_measurement": target},
            )
    return records


def play(
    trace: Trace,
    start: float,
    end: float,
    plan: Plan,
    *,
    gaps_before: float | None = None,
) -> Slice:
    """Restore the clean run's checkpoint at ``start`` and play the noisy slice to ``end``.

    ``gaps_before``: gaps must end by then (a fault's onset: a gap over it
    would hide what there is to find).
    """
    checkpoint = trace.checkpoint_at(start)
    start = checkpoint.at
    end = end + plan.gap_s
    if plan.clock is not None and plan.clock.delta_s < 0:
        end -= plan.clock.delta_s  # time lost to a clock stepped back
    live = Live(
        trace.config,
        climate_unit=trace.climate_unit,
        state=checkpoint.state,
        learned=checkpoint.learned,
    )
    # Home Assistant (re)starting: the current states, then a first verdict.
    live = live.restarted(trace.current(start), start)
    span = end - start
    windows: list[tuple[float, float, bool]] = []
    for gap in plan.gaps:
        length = gap.hours * HOUR
        if gaps_before is None:
            begin = start + gap.at * span
        else:
            room = gaps_before - start - length
            if room <= 0:
                continue
            begin = start + gap.at * room
        windows.append((begin, begin + length, gap.down))
    down = [(a, b) for a, b, is_down in windows if is_down]
    stalled = [(a, b) for a, b, is_down in windows if not is_down]
    step_at = start + plan.clock.at * span if plan.clock is not None else math.inf
    step = plan.clock.delta_s if plan.clock is not None else 0.0

    def wall(at: float) -> float:
        """What the (possibly stepped) system clock says at true time ``at``."""
        return at + step if at >= step_at else at

    def inside(at: float, windows: list[tuple[float, float]]) -> tuple[float, float] | None:
        for window in windows:
            if window[0] < at <= window[1]:
                return window
        return None

    tick = start + TICK
    restarts_done: set[tuple[float, float]] = set()

    def advance_to(at: float) -> None:
        nonlocal tick, live
        while tick < at and tick <= end:
            window = inside(tick, down)
            if window is None:
                if not inside(tick, stalled):
                    live.tick(live.set_time(tick, wall(tick)))
            elif window not in restarts_done and tick + TICK > window[1]:
                restarts_done.add(window)
                live = live.restarted(trace.current(window[1]), window[1], wall(window[1]))
            tick += TICK

    for record in build(trace, start, end, plan):
        advance_to(record.last_updated)
        if inside(record.last_updated, down):
            continue
        # The monitor takes a state in when it arrives, on its steady clock.
        live.ingest(record, live.set_time(record.last_updated, wall(record.last_updated)))
    advance_to(end + TICK)
    return Slice(start, end, live.outcome)
