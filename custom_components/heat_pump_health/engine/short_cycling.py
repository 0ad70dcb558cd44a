"""Short cycling: a compressor that starts far more often, and runs far shorter, than it should.

Each start wears the compressor (a rush of current, oil pushed round before
it lubricates), and a unit that keeps stopping never reaches its efficient
steady state.  A healthy air-source unit starts about once every four hours
at the median and rarely more than once an hour averaged over a year; a
fixed-speed unit at part load, or an inverter at its lowest speed on a mild
afternoon, may cycle several times an hour by design.  A rule tested on a
fleet needed at least 6 starts in an hour with runs of a quarter of an hour
or less, sustained, after "3 starts an hour" flagged 10 of 14 healthy units.

An oversized unit may cycle fast all its life, a mild afternoon at a time:
that is its normal, for an installer to tune, not a change to warn about.
So, once a day of this unit's hours is known (learned while the fault is
not confirmed: over two days' memory, the hour a real fault takes to
confirm moves it little, while the first mild days of an inverter that
idles and cycles teach it that this is its normal): at least 6 starts in
the last hour, and far above its usual hour -- its mean plus four standard
deviations of the starts an hour -- with runs of 6 minutes or less in the
middle.  Before that, only what no controls do by design: 10 starts in the
hour with runs of 5 minutes or less (anti-short-cycle timers hold a
compressor off for 3 to 5 minutes, minimum run timers keep it on as long).
Either held for the fault's confirmation time (an hour by default) on top.
A cut-out restarts as soon as the timers allow, so an hour that falls short
of the limit only by the call's pauses (stops longer than any restart
timer) neither builds nor clears the fault.

Not counted as starts: the restart after a defrost's pause (see cycling.py),
and starts within minutes of the owner changing the thermostat's mode or
set point.  A set-back recovery is long runs, not short ones.
"""

from __future__ import annotations

from collections import deque
import math
import statistics
from typing import Any, Final

from .cadence import Cadence
from .cycling import Cycles
from .detector import Context
from .model import ClimateReading, FaultKey
from .persistence import Finding, Verdict
from .readings import Readings
from .stats import HOUR_S, Ewma, stored_durations

RULE_CYCLES: Final = "cycles"
REASON_SHORT_CYCLES: Final = "short_cycles"
# Starts in the last hour that make short cycling, at normal sensitivity...
_MIN_STARTS: Final = 6.0
# ...and runs this short or shorter in the middle, seconds: about a minimum
# run timer's length, so a unit stopping as soon as it may, or sooner (a
# protection trip), and not the 7 to 15 minute runs of an inverter idling
# along at its lowest speed on a mild day.
_MAX_MEDIAN_RUN_S: Final = 6 * 60.0
# A unit that usually cycles often (an oversized unit on a mild day) learns a
# high usual hour, and a cut-out hides under it.  But its controls never stop
# it sooner than their minimum run: a cut-out does.  Its shortest healthy
# runs (the low percentile of the last ones, kept while the fault is neither
# suspect nor active) tell that minimum; runs this share of it or shorter in
# the middle of the hour, with the starts this many spreads above the usual
# hour, are short cycling too.
_OWN_RUN_SHARE: Final = 0.8
_OWN_RUN_SPREADS: Final = 2.0
_HEALTHY_RUNS_KEPT: Final = 200
_HEALTHY_RUNS_TRUSTED: Final = 40
_HEALTHY_RUN_PERCENTILE: Final = 0.05
# Runs that short, this many starts an hour: a fault may be building.
_CUT_SHORT_STARTS: Final = 3
# Not worked out yet (None: too few runs to tell).
_UNKNOWN: Final = -1.0
# An hour this close to the limit, with runs as short, is no sign of health.
_NEAR_STARTS: Final = 2.0
# A stop longer than this is the call pausing, seconds: a cut-out's restart
# waits only for the anti-short-cycle timer (3 to 5 minutes, 10 at most).
_CALL_PAUSE_S: Final = 15 * 60.0
# The rate over the rest of the hour is weighed from this many starts in this
# much asked-for time, seconds.
_RATE_MIN_STARTS: Final = 3
_MIN_ASKED_S: Final = 20 * 60.0
# The same while this unit's usual rate is not known yet.
_UNLEARNED_MIN_STARTS: Final = 10.0
_UNLEARNED_MAX_MEDIAN_RUN_S: Final = 5 * 60.0
# ...and this many standard deviations above this unit's usual hour.
_OWN_SPREADS: Final = 4.0
# Its usual hour: the starts an hour while healthy, averaged over days.  (Per
# band of outdoor temperature it was worse: a band learned on a calm day
# does not know the sunny afternoon that makes an inverter idle and cycle.)
_USUAL_TAU_S: Final = 2 * 24 * HOUR_S
_USUAL_TRUSTED_S: Final = 24 * HOUR_S
_LEARN_EVERY_S: Final = 300.0
# Starts hide between readings polled less often than this, seconds.
_MAX_SAMPLING_S: Final = 120.0
# A start this soon after the owner changed the thermostat is theirs, seconds.
_OWNER_CHANGE_S: Final = 5 * 60.0
_OWNER_CHANGES_KEPT: Final = 64


class ShortCyclingDetector:
    """Judges short_cycling from the compressor's starts and run lengths."""

    __slots__ = (
        "_cadence",
        "_changes",
        "_cycles",
        "_fine",
        "_healthy",
        "_learning",
        "_margin",
        "_readings",
        "_runs_seen_to",
        "_shortest",
        "_thermostat",
        "_unlearned_s",
        "healthy_runs",
        "usual",
    )

    def __init__(
        self, *, cycles: Cycles, readings: Readings, cadence: Cadence, margin_scale: float = 1.0
    ) -> None:
        self._cycles = cycles
        self._readings = readings
        self._cadence = cadence
        self._margin = margin_scale
        # Starts an hour while healthy, and their square (for the spread),
        # averaged over days.
        self.usual = (Ewma(), Ewma())
        # The last runs while the fault was neither suspect nor active, seconds.
        self.healthy_runs: deque[float] = deque(maxlen=_HEALTHY_RUNS_KEPT)
        # Its low percentile, worked out once each time runs are kept: asked
        # several times a minute.
        self._shortest: float | None = _UNKNOWN
        self._healthy = True
        self._runs_seen_to: float | None = None
        # The thermostat's mode and set point as last seen, and when the
        # owner changed them.
        self._thermostat: tuple[str | None, float | None] | None = None
        self._changes: deque[float] = deque(maxlen=_OWNER_CHANGES_KEPT)
        # Set by the evaluator after each tick: the fault is not active.
        self._learning = True
        # Healthy time not yet folded into the usual hour.
        self._unlearned_s = 0.0
        # Whether the sampling was fine enough, as last seen while running.
        self._fine: bool | None = None

    @property
    def fault(self) -> FaultKey:
        """The fault this detector judges."""
        return FaultKey.SHORT_CYCLING

    def judgeable(self) -> bool:
        """Whether the running state is sampled finely enough to count starts.

        As last measured while the compressor ran: a unit standing idle
        leaves sources that report on change quiet for long spells, which
        would read as a coarse poll, while a poll shows itself in every run.
        """
        fine = self._fine
        return self._cadence.finer_than(_MAX_SAMPLING_S) if fine is None else fine

    def not_judged(self) -> list[str]:
        """The start count, where the unit is read too seldom to see its starts."""
        return [] if self.judgeable() else [RULE_CYCLES]

    def judge(self, now: float, dt: float, context: Context | None = None) -> Verdict:
        """Judge whether the compressor short-cycles now."""
        self._follow_thermostat(now, self._readings.climate)
        cycles = self._cycles
        if cycles.run_start is not None:
            self._fine = self._cadence.finer_than(_MAX_SAMPLING_S)
        if not self.judgeable() or cycles.watched(now) < HOUR_S:
            return Verdict(Finding.UNKNOWN)
        if self._learning:
            self._learn_usual(now, dt)
        if context is not None and context.unpowered:
            return Verdict(Finding.HOLD)
        since = now - HOUR_S
        if not cycles.starts or cycles.starts[-1] < since:
            # No start in the hour: nothing to weigh (the usual case).
            return Verdict(Finding.NORMAL)
        starts: list[float] = []
        for start in reversed(cycles.starts):
            if start < since:
                break
            if not self._owners(start):
                starts.append(start)
        runs = cycles.runs_since(since)
        median = statistics.median(runs) if runs else None
        usual = self._usual_limit()
        limit, run_limit = self._limits(usual, median)
        evidence: dict[str, Any] = {
            "starts_last_hour": len(starts),
            "start_limit": round(limit, 1),
            "median_run_minutes": None if median is None else round(median / 60.0, 1),
            "run_limit_minutes": round(run_limit / 60.0, 1),
        }
        if usual is not None:
            evidence["usual_starts_per_hour"] = round(self.usual[0].mean or 0.0, 2)
            shortest = self._shortest_run()
            if shortest is not None:
                evidence["shortest_usual_run_minutes"] = round(shortest / 60.0, 1)
        short = median is not None and median <= run_limit
        if len(starts) >= limit and short:
            return Verdict(Finding.ABNORMAL, REASON_SHORT_CYCLES, evidence)
        if short and usual is not None and usual < limit and self._paused_call(now, starts, limit):
            # A cut-out restarts as soon as the timers allow, but a call that
            # pauses stretches an hour's count below the limit for a while.
            # For a unit that usually starts far less often than the fleet's
            # limit, such an hour neither builds nor clears the fault.  (One
            # whose own usual hour sets the limit may cycle so by design.)
            return Verdict(Finding.HOLD, evidence=evidence)
        # Runs cut shorter than the controls allow, not yet often enough to
        # judge: watched, and not taken as what its healthy runs look like.
        return Verdict(Finding.NORMAL, evidence=evidence, suspect=self._cut_short(median, starts))

    def _limits(self, usual: float | None, median: float | None) -> tuple[float, float]:
        """(starts, middle run in seconds) that make short cycling in this hour."""
        if usual is None:
            return (
                _UNLEARNED_MIN_STARTS * self._margin,
                _UNLEARNED_MAX_MEDIAN_RUN_S / self._margin,
            )
        limit = max(_MIN_STARTS * self._margin, usual)
        run_limit = _MAX_MEDIAN_RUN_S / self._margin
        cut_short = self._cut_short_s()
        if cut_short is None or median is None:
            return limit, run_limit
        # Runs shorter than the controls ever stop it are a second,
        # independent sign: the starts need then be only well above the
        # usual hour.
        own = self._usual_limit(_OWN_RUN_SPREADS)
        shorter = min(cut_short, run_limit)
        if own is not None and own < limit and median <= shorter:
            return max(_MIN_STARTS * self._margin, own), shorter
        return limit, run_limit

    def _paused_call(self, now: float, starts: list[float], limit: float) -> bool:
        """Whether the hour falls short of the limit only by the call's pauses.

        Near the limit, or at it over the part of the hour in which the unit
        was asked to run: the stops too long for any restart timer taken out.
        """
        if len(starts) >= limit - _NEAR_STARTS:
            return True
        if len(starts) < _RATE_MIN_STARTS:
            return False
        asked = HOUR_S - self._cycles.paused_s(now - HOUR_S, now, longer_than=_CALL_PAUSE_S)
        return asked >= _MIN_ASKED_S and len(starts) * HOUR_S / asked >= limit

    def _cut_short(self, median: float | None, starts: list[float]) -> bool:
        """Whether the hour's runs are shorter than this unit's controls allow."""
        cut_short = self._cut_short_s()
        return (
            cut_short is not None
            and median is not None
            and len(starts) >= _CUT_SHORT_STARTS
            and median <= cut_short
        )

    def _cut_short_s(self) -> float | None:
        """A middle run this short or shorter is cut short of the controls' minimum, seconds."""
        shortest = self._shortest_run()
        return None if shortest is None else shortest * _OWN_RUN_SHARE / self._margin

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
        """Learn the usual hour while the fault is not active, suspect or not.

        A unit that cycles fast for hours on its first mild days is suspect
        then: held back, it would never learn that this is its normal.  Over
        two days' memory an hour of a real fault building moves it little.
        (Held back until the suspect stretch cleared, the fault's own hours
        would not lift the limit out of its reach while it builds; but an
        oversized inverter's first mild afternoon then confirms in an hour,
        and the two look alike: seven starts an hour at the minimum run,
        against one usually.  A false alarm costs more.)  The runs, though,
        are kept only while it is neither: a suspect hour's runs are what
        the fault looks like, not the controls' minimum.
        """
        self._learning = not active
        self._healthy = not (suspect or active)
        if not self._healthy:
            # Kept again from the first healthy tick on, never from before.
            self._runs_seen_to = None

    def learn(self, now: float, dt: float) -> None:
        """Nothing here: the usual hour is learned in ``judge`` (see ``settle``)."""

    def _learn_usual(self, now: float, dt: float) -> None:
        if dt <= 0.0 or not self.judgeable() or self._cycles.watched(now) < HOUR_S:
            return
        # The hour's count moves slowly: folded in every few minutes, with
        # the time since, rather than every minute.
        self._unlearned_s += dt
        if self._unlearned_s < _LEARN_EVERY_S:
            return
        count = float(self._cycles.starts_since(now - HOUR_S))
        mean, square = self.usual
        mean.add(count, self._unlearned_s, _USUAL_TAU_S)
        square.add(count * count, self._unlearned_s, _USUAL_TAU_S)
        if self._healthy and self._runs_seen_to is not None:
            self._keep_runs_since(self._runs_seen_to)
        self._runs_seen_to = now
        self._unlearned_s = 0.0

    def _usual_limit(self, spreads: float = _OWN_SPREADS) -> float | None:
        """The starts an hour far above this unit's usual hour, once a day of it is known."""
        mean, square = self.usual[0].mean, self.usual[1].mean
        if self.usual[0].seconds < _USUAL_TRUSTED_S or mean is None or square is None:
            return None
        spread = math.sqrt(max(square - mean * mean, 0.0))
        return (mean + spreads * spread) * self._margin

    def _keep_runs_since(self, since: float) -> None:
        """Keep the runs that ended after ``since``, oldest first."""
        ended: list[float] = []
        for start, stop in reversed(self._cycles.runs):
            if stop <= since:
                break
            ended.append(stop - start)
        if ended:
            self.healthy_runs.extend(reversed(ended))
            self._shortest = _UNKNOWN

    def _shortest_run(self) -> float | None:
        """How short this unit's healthy runs get, seconds, once enough are known."""
        shortest = self._shortest
        if shortest == _UNKNOWN:
            runs = self.healthy_runs
            shortest = self._shortest = (
                sorted(runs)[int(len(runs) * _HEALTHY_RUN_PERCENTILE)]
                if len(runs) >= _HEALTHY_RUNS_TRUSTED
                else None
            )
        return shortest

    def reset_learned(self) -> None:
        """Forget the usual hour."""
        self.usual = (Ewma(), Ewma())
        self.healthy_runs.clear()
        self._shortest = _UNKNOWN

    def learned_dict(self) -> dict[str, Any]:
        """What was learned, JSON-serialisable."""
        return {
            "starts": self.usual[0].to_dict(),
            "square": self.usual[1].to_dict(),
            "runs": [round(run, 1) for run in self.healthy_runs],
        }

    def load_learned(self, data: object) -> None:
        """Restore what was learned, ignoring anything unusable."""
        if isinstance(data, dict):
            self.usual = (Ewma.from_dict(data.get("starts")), Ewma.from_dict(data.get("square")))
            self.healthy_runs.clear()
            self.healthy_runs.extend(stored_durations(data.get("runs"), _HEALTHY_RUNS_KEPT))
            self._shortest = _UNKNOWN

    def state_dict(self) -> dict[str, Any]:
        """The owner's recent thermostat changes (the starts live in Cycles)."""
        return {"changes": list(self._changes)}

    def load_state(self, data: object) -> None:
        """Restore the state, ignoring anything unusable."""
        if isinstance(data, dict) and isinstance(changes := data.get("changes"), list):
            self._changes.extend(
                float(v) for v in changes if isinstance(v, int | float) and not isinstance(v, bool)
            )
