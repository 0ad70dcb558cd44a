"""Short cycling: a compressor that starts far more often, and runs far shorter, than it should.

Each start wears the compressor (a rush of current, oil pushed round before
it lubricates), and a unit that keeps stopping never reaches its efficient
steady state.  A healthy air-source unit starts about once every four hours
at the median and rarely more than once an hour averaged over a year; a
fixed-speed unit at part load may cycle a few times an hour by design.  A
rule tested on a fleet needed at least 6 starts in an hour with runs of a
quarter of an hour or less, sustained, after "3 starts an hour" flagged 10 of
14 healthy units.  So: at least 6 starts in the last hour (and three times
this unit's own usual rate, once learned), runs of 10 minutes or less in the
middle, held for the fault's confirmation time (an hour by default) on top.

Not counted as starts: the restart after a defrost's pause (see cycling.py),
and starts within minutes of the owner changing the thermostat's mode or
set point.  A set-back recovery is long runs, not short ones.
"""

from __future__ import annotations

from collections import deque
import statistics
from typing import Any, Final

from .cadence import Cadence
from .cycling import HOUR_S, Cycles
from .detector import Context
from .model import ClimateReading, FaultKey
from .persistence import Finding, Verdict
from .readings import Readings
from .stats import Ewma

RULE_CYCLES: Final = "cycles"
REASON_SHORT_CYCLES: Final = "short_cycles"
# Starts in the last hour that make short cycling, at normal sensitivity.
_MIN_STARTS: Final = 6.0
# ...and runs this short or shorter in the middle, seconds.
_MAX_MEDIAN_RUN_S: Final = 10 * 60.0
# ...and this many times this unit's usual starts an hour, once that is known.
_OWN_FACTOR: Final = 3.0
# The usual rate: averaged over days of healthy running.
_USUAL_TAU_S: Final = 3 * 24 * HOUR_S
_USUAL_TRUSTED_S: Final = 24 * HOUR_S
# Starts hide between readings polled less often than this, seconds.
_MAX_SAMPLING_S: Final = 120.0
# A start this soon after the owner changed the thermostat is theirs, seconds.
_OWNER_CHANGE_S: Final = 5 * 60.0
_OWNER_CHANGES_KEPT: Final = 64


class ShortCyclingDetector:
    """Judges short_cycling from the compressor's starts and run lengths."""

    __slots__ = ("_cadence", "_changes", "_cycles", "_margin", "_readings", "_thermostat", "usual")

    def __init__(
        self, *, cycles: Cycles, readings: Readings, cadence: Cadence, margin_scale: float = 1.0
    ) -> None:
        self._cycles = cycles
        self._readings = readings
        self._cadence = cadence
        self._margin = margin_scale
        # Starts an hour while healthy, averaged over days.
        self.usual = Ewma()
        # The thermostat's mode and set point as last seen, and when the
        # owner changed them.
        self._thermostat: tuple[str | None, float | None] | None = None
        self._changes: deque[float] = deque(maxlen=_OWNER_CHANGES_KEPT)

    @property
    def fault(self) -> FaultKey:
        """The fault this detector judges."""
        return FaultKey.SHORT_CYCLING

    def judgeable(self) -> bool:
        """Whether the running state is sampled finely enough to count starts."""
        return self._cadence.finer_than(_MAX_SAMPLING_S)

    def not_judged(self) -> list[str]:
        """The start count, where the unit is read too seldom to see its starts."""
        return [] if self.judgeable() else [RULE_CYCLES]

    def judge(self, now: float, dt: float, context: Context | None = None) -> Verdict:
        """Judge whether the compressor short-cycles now."""
        self._follow_thermostat(now, self._readings.climate)
        cycles = self._cycles
        if not self.judgeable() or cycles.watched(now) < HOUR_S:
            return Verdict(Finding.UNKNOWN)
        if context is not None and context.unpowered:
            return Verdict(Finding.HOLD)
        since = now - HOUR_S
        starts = [start for start in cycles.starts if start >= since and not self._owners(start)]
        runs = cycles.runs_since(since)
        median = statistics.median(runs) if runs else None
        limit = _MIN_STARTS * self._margin
        usual = self.usual.mean if self.usual.seconds >= _USUAL_TRUSTED_S else None
        if usual is not None:
            limit = max(limit, _OWN_FACTOR * usual)
        evidence: dict[str, Any] = {
            "starts_last_hour": len(starts),
            "start_limit": round(limit, 1),
            "median_run_minutes": None if median is None else round(median / 60.0, 1),
            "run_limit_minutes": round(_MAX_MEDIAN_RUN_S / 60.0 / self._margin, 1),
        }
        if usual is not None:
            evidence["usual_starts_per_hour"] = round(usual, 2)
        short = median is not None and median <= _MAX_MEDIAN_RUN_S / self._margin
        if len(starts) >= limit and short:
            return Verdict(Finding.ABNORMAL, REASON_SHORT_CYCLES, evidence)
        return Verdict(Finding.NORMAL, evidence=evidence)

    def _follow_thermostat(self, now: float, climate: ClimateReading | None) -> None:
        seen = None if climate is None else (climate.hvac_mode, climate.target_temperature)
        if seen is None:
            return
        if self._thermostat is not None and seen != self._thermostat:
            self._changes.append(now)
        self._thermostat = seen

    def _owners(self, start: float) -> bool:
        """Whether a start came just after the owner changed the thermostat."""
        return any(0.0 <= start - change <= _OWNER_CHANGE_S for change in self._changes)

    def settle(self, *, suspect: bool, active: bool) -> None:
        """Nothing to remember: the evaluator holds learning while the fault is suspect."""

    def learn(self, now: float, dt: float) -> None:
        """Fold this tick's hourly start rate into the usual one."""
        if dt <= 0.0 or not self.judgeable() or self._cycles.watched(now) < HOUR_S:
            return
        self.usual.add(float(self._cycles.starts_since(now - HOUR_S)), dt, _USUAL_TAU_S)

    def reset_learned(self) -> None:
        """Forget the usual start rate."""
        self.usual = Ewma()

    def learned_dict(self) -> dict[str, Any]:
        """What was learned, JSON-serialisable."""
        return {"usual": self.usual.to_dict()}

    def load_learned(self, data: object) -> None:
        """Restore what was learned, ignoring anything unusable."""
        if isinstance(data, dict):
            self.usual = Ewma.from_dict(data.get("usual"))

    def state_dict(self) -> dict[str, Any]:
        """The owner's recent thermostat changes (the starts live in Cycles)."""
        return {"changes": list(self._changes)}

    def load_state(self, data: object) -> None:
        """Restore the state, ignoring anything unusable."""
        if isinstance(data, dict) and isinstance(changes := data.get("changes"), list):
            self._changes.extend(
                float(v) for v in changes if isinstance(v, int | float) and not isinstance(v, bool)
            )
