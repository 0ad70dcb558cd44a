"""Shared helpers: cached runs and the measurements the tests make on them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
import itertools
import statistics

from heat_pump_sim.physics import HeatPumpModel, Scenario, StateRecord, TrueValues, simulate
from heat_pump_sim.scenarios import PRESETS

STEP_S = 30.0


def run_readings(scenario: Scenario, step_s: float = STEP_S) -> list[TrueValues]:
    """The true values after every step."""
    model = HeatPumpModel(scenario=scenario)
    rows: list[TrueValues] = []
    for _ in range(round(scenario.duration.total_seconds() / step_s)):
        model.step(step_s)
        rows.append(model.readings)
    return rows


@cache
def preset_readings(name: str, step_s: float = STEP_S) -> list[TrueValues]:
    """A preset's true values, computed once per session."""
    return run_readings(PRESETS[name](), step_s)


@cache
def preset_records(name: str, step_s: float = STEP_S) -> list[StateRecord]:
    """A preset's recorded history, computed once per session."""
    return simulate(PRESETS[name](), step_s=step_s)


@dataclass(frozen=True, slots=True)
class Episode:
    """One defrost, from the first to the last step it was on."""

    start: float  # epoch s
    end: float
    coil_at_end: float
    coil_max: float

    @property
    def minutes(self) -> float:
        return (self.end - self.start) / 60.0


def defrosts(rows: Sequence[TrueValues], step_s: float = STEP_S) -> list[Episode]:
    """Defrost episodes in a trace (an episode still running at the end counts)."""
    episodes: list[Episode] = []
    begin: int | None = None
    for index, row in enumerate(rows):
        if row.defrost and begin is None:
            begin = index
        if begin is not None and (not row.defrost or index == len(rows) - 1):
            inside = rows[begin:index]
            last = rows[index - 1] if not row.defrost else row
            episodes.append(
                Episode(
                    start=rows[begin].time - step_s,
                    end=last.time,
                    coil_at_end=last.coil_c,
                    coil_max=max(r.coil_c for r in inside or [row]),
                )
            )
            begin = None
    return episodes


def intervals_min(episodes: Sequence[Episode]) -> list[float]:
    """Minutes between the starts of consecutive defrosts."""
    return [(b.start - a.start) / 60.0 for a, b in itertools.pairwise(episodes)]


def running(rows: Sequence[TrueValues]) -> list[TrueValues]:
    """Steps with the compressor heating or cooling (not defrosting)."""
    return [r for r in rows if r.compressor_speed > 0.0 and not r.defrost]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def split(row: TrueValues) -> float:
    return row.supply_c - row.return_c


def window(
    rows: Sequence[TrueValues], start_h: float, end_h: float, step_s: float = STEP_S
) -> list[TrueValues]:
    """Rows between two offsets (hours) from the scenario start."""
    t0 = rows[0].time - step_s  # the first row comes one step after the start
    return [r for r in rows if start_h * 3600 <= r.time - t0 < end_h * 3600]
