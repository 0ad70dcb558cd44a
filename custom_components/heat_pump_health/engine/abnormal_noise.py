"""abnormal_noise: the unit is louder than it normally is in the same state.

A baseline (time-weighted mean and mean absolute deviation) is learned per
state: idle, defrosting, and running, the last split by power (half-octave
bands) when power is known, because a compressor and its fans get louder
with speed.  A level beyond the baseline by several
deviations is "elevated".  Two patterns make a fault:
- sustained: elevated most of the time for a quarter of an hour or more
  (grinding, squealing: worn bearings);
- bursts: many separate short excursions an hour, hour after hour (rattling:
  loose panels or hardware).
Single spikes are ignored, and so is everything within a couple of minutes of
a defrost or compressor start/stop: the reversing valve bangs then.

Noise readings arrive between ticks, so they are integrated as they come.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
import math
from typing import Any

from .cadence import Cadence
from .detector import Context
from .model import FaultKey, InputKey
from .persistence import Finding, Verdict
from .stats import HOUR_S, Ewma, as_float, blend, rounded

# Noise read less often than this cannot show bursts or a sustained sound: a
# level polled every few minutes is a snapshot, not what was heard between.
MAX_NOISE_SAMPLING_S = 2 * 60.0
# The rule a coarse sampling rules out; named in the diagnostics.
RULE_NOISE = "noise"
RUN = "running"
IDLE = "idle"
DEFROST = "defrost"
ANY = "any"
_BASE_STATES = (RUN, IDLE, DEFROST, ANY)
# The states in which the unit itself sounds (or may: without a running
# state, everything is ANY).
_SOUNDING = frozenset({RUN, DEFROST, ANY})
# Running power bands: half an octave wide from 50 W, 16 of them (to ~13 kW).
_BAND_FLOOR_W = 50.0
_BANDS = 16
_STATES = frozenset(_BASE_STATES) | {f"{RUN}_{band}" for band in range(_BANDS)}
# A band not yet learned borrows from learned ones at most this far away (an
# octave and a half): further off, the fans and compressor sound too different.
_BORROW_BANDS = 3

# Around a start, stop or defrost transition the sound is expected to jump:
# the reversing valve's bang and a compressor's start last seconds, heard up
# to one reading later.  Where the noise's reporting interval is not yet
# known, the longest window.
_BANG_S = 45.0
_QUIET_WINDOW_S = 150.0
# Baselines: quick first estimate, then slow, so that a fault is not learned.
_FAST_TAU_S = 600.0
_FAST_LEARNING_S = 1800.0
_SLOW_TAU_S = 4 * 3600.0
_TRUSTED_S = 3600.0
# Elevated: beyond mean + K deviations; back to normal below half of that.
_K_DEV = 4.0
# A steady signal still varies a little; relative floor under the deviation.
_MIN_DEV_SHARE = 0.03
# Idle, a microphone mostly hears the street: traffic and the neighbours shift
# it by several dB through the day.  Only a much larger change counts then.
_IDLE_K_FACTOR = 2.0
_IDLE_MIN_DEV_SHARE = 0.05
# An excursion ends once the level falls back below this share of the margin.
_EXIT_SHARE = 0.75
_MIN_DEV_ABS = 1e-3
# Elevated share: exponential average of the "elevated" indicator.
_SHARE_TAU_S = 15 * 60.0
_SUSTAINED_SHARE = 0.7
# A unit that runs a few minutes at a time never fills a quarter hour: then
# this many runs in a row, each loud for most of its judged time (at least a
# minute past the start's quiet window), are a sustained sound too.
_LOUD_RUNS = 2
_MIN_JUDGED_RUN_S = 60.0
_CALM_SHARE = 0.3
# A unit that runs a few minutes an hour gives its second run too late to
# hear a fault within the hour.  One run loud without a break to its stop for
# this long is enough, if the street is quiet right after the stop: a sound
# that ends with the compressor is the unit's, a mower or rain goes on.
_LONE_LOUD_RUN_S = 5 * 60.0
# Quiet street: the idle level within this share of the idle margin.
_STREET_QUIET_SHARE = 0.5
_SUSPECT_SHARE = 0.4
# Bursts: this many separate excursions in each of the last two hours.
_BURSTS_PER_HOUR = 3
# ... and the first of them at least this long ago: a pattern, not a spell.
_BURSTS_SPAN_S = 90 * 60.0
# A rattle that comes with every run is found sooner: this many bursts in the
# last hour, spread over at least a quarter of an hour.  Passing cars and
# doors (a few a day) almost never bunch up like that.  Where no defrost
# state excuses the reversing valve's bangs at the start and end of each
# defrost, those alone give up to four an hour: one more is needed then.
_QUICK_BURSTS = 4
_QUICK_BURSTS_UNSEEN_DEFROST = 5
_QUICK_SPAN_S = 15 * 60.0
# A unit that cycles runs only part of each hour, so a rattle that comes with
# its runs gives few bursts an hour.  Heard in this many separate runs within
# the hour, spread over a quarter hour, and never while it rested, the sound
# is the unit's: a passing car or a door falls in a rest as readily as in a
# run, so three bursts all in runs are (1 / running share)³ times likelier
# from the unit; with the unit resting at least half the time, eight times
# or more.  Without a defrost state, a defrost's two bangs fall in a run:
# one more run is needed then.
_RUNS_HEARD = 3
_RUNS_HEARD_UNSEEN_DEFROST = 4
_MAX_RUNNING_SHARE = 0.5
_MAX_ONSETS = 128
# Runs remembered: two hours of a unit that starts every few minutes.
_MAX_RUNS = 64


@dataclass(slots=True)
class Run:
    """One run of the compressor: when it started, and when it stopped (None: running)."""

    start: float
    end: float | None = None

    def holds(self, at: float) -> bool:
        """Whether a sound at this time was heard during the run."""
        return self.start <= at and (self.end is None or at <= self.end)


class AbnormalNoiseDetector:
    """Judges abnormal_noise from the noise level, integrated between ticks."""

    __slots__ = (
        "_cadence",
        "_k",
        "_level",
        "_level_at",
        "_quick",
        "_run_elevated_s",
        "_run_judged_s",
        "_run_loud_tail_s",
        "_runs_needed",
        "_state",
        "_stopped_loud_at",
        "_t",
        "abnormal_in",
        "baselines",
        "elevated",
        "learn_allowed",
        "loud_runs",
        "onsets",
        "quiet_until",
        "runs",
        "share",
    )

    def __init__(
        self, *, margin_scale: float, defrost_seen: bool = True, cadence: Cadence | None = None
    ) -> None:
        self._cadence = cadence or Cadence()
        self._k = _K_DEV * margin_scale
        self._quick = _QUICK_BURSTS if defrost_seen else _QUICK_BURSTS_UNSEEN_DEFROST
        self._runs_needed = _RUNS_HEARD if defrost_seen else _RUNS_HEARD_UNSEEN_DEFROST
        self.baselines: dict[str, Ewma] = {}
        self.share = 0.0
        self.elevated = False
        # Runs in a row loud for most of their time, and the current run's tally.
        self.loud_runs = 0
        self._run_judged_s = 0.0
        self._run_elevated_s = 0.0
        # How long the current run has been loud without a break, and when a
        # run that ended so waits for the street's level after its stop.
        self._run_loud_tail_s = 0.0
        self._stopped_loud_at: float | None = None
        self.onsets: deque[float] = deque(maxlen=_MAX_ONSETS)
        # Recent runs; a defrost within a run does not end it, and nor does
        # a spell without a running state (a power reading lost).
        self.runs: deque[Run] = deque(maxlen=_MAX_RUNS)
        self.quiet_until: float | None = None
        # Set by the evaluator after each tick: no fault building.
        self.learn_allowed = True
        self._level: float | None = None
        self._level_at: float | None = None
        self._state = ANY
        self._t: float | None = None
        # The kind of state (running, idle, defrost) the abnormal sound was
        # heard in.  A bearing that grinds only while the compressor runs is
        # not cured by a quiet night: only calm in that kind of state clears.
        self.abnormal_in: str | None = None

    @staticmethod
    def family(state: str) -> str:
        """The kind of state, without the power band: running, idle or defrost."""
        return RUN if state.startswith(RUN) else state

    def clears_here(self) -> bool:
        """Whether calm now is evidence that an abnormal sound has gone."""
        return self.abnormal_in is None or self.family(self._state) == self.abnormal_in

    @staticmethod
    def running_state(power: float | None) -> str:
        """The running state, banded by power when it is known."""
        if power is None:
            return RUN
        band = int(2.0 * math.log2(max(power, _BAND_FLOOR_W) / _BAND_FLOOR_W))
        return f"{RUN}_{min(band, _BANDS - 1)}"

    def _baseline(self, state: str) -> Ewma:
        base = self.baselines.get(state)
        if base is None:
            base = self.baselines[state] = Ewma()
        return base

    def limit(self, state: str) -> tuple[float, float] | None:
        """(mean, elevated level) for the state, once its baseline is trusted.

        A running band not yet learned borrows from its learned neighbours.
        """
        return self._own_limit(state) or self._borrowed(state)

    def _own_limit(self, state: str) -> tuple[float, float] | None:
        """(mean, elevated level) from the state's own baseline, once it is trusted."""
        base = self.baselines.get(state)
        mean = None if base is None else base.mean
        if base is None or mean is None or base.seconds < _TRUSTED_S:
            return None
        if state == IDLE:
            dev = max(base.dev, _IDLE_MIN_DEV_SHARE * abs(mean), _MIN_DEV_ABS)
            return mean, mean + _IDLE_K_FACTOR * self._k * dev
        dev = max(base.dev, _MIN_DEV_SHARE * abs(mean), _MIN_DEV_ABS)
        return mean, mean + self._k * dev

    def _borrowed(self, state: str) -> tuple[float, float] | None:
        """The limit of a running band not yet learned, from the bands around it.

        An inverter at mild weather wanders through many speeds and stays an
        hour in few of them: without this, a rattle is never judged while it
        runs at a speed it rarely uses.  A compressor and its fans get louder
        with speed, so between two learned bands the level is interpolated;
        from a louder band alone it is over- rather than under-estimated (a
        rattle missed, not a false alarm).  From a quieter band alone
        nothing is borrowed.
        """
        if not state.startswith(f"{RUN}_"):
            return None
        band = int(state[len(RUN) + 1 :])
        below = above = None
        for step in range(1, _BORROW_BANDS + 1):
            if below is None and band - step >= 0:
                below = self._limit_of(band - step)
            if above is None and band + step < _BANDS:
                above = self._limit_of(band + step)
        if above is None:
            return None
        if below is None:
            return above[1], above[2]
        share = (band - below[0]) / (above[0] - below[0])
        return (
            below[1] + share * (above[1] - below[1]),
            max(below[2] + share * (above[2] - below[2]), below[2]),
        )

    def _limit_of(self, band: int) -> tuple[int, float, float] | None:
        limits = self._own_limit(f"{RUN}_{band}")
        return None if limits is None else (band, *limits)

    def advance(self, now: float) -> None:
        """Integrate the level held since the last call up to now."""
        start = self._t
        self._t = now if start is None else max(start, now)
        if start is None or now <= start or self._level is None:
            return
        quiet = self.quiet_until
        if quiet is not None and start < quiet:
            start = min(quiet, now)
        dt = now - start
        if dt <= 0.0:
            return
        level = self._level
        state = self._state
        limits = self.limit(state)
        if limits is not None and self.family(state) in _SOUNDING:
            # The share is of the time the unit makes its own sound: a unit
            # that cycles must not have a worn bearing's share diluted by
            # the quiet between its runs (idle is the street's sound).
            target = 1.0 if self.elevated else 0.0
            self.share += blend(dt, _SHARE_TAU_S) * (target - self.share)
            if self.family(state) == RUN:
                self._run_judged_s += dt
                self._run_elevated_s += dt if self.elevated else 0.0
                self._run_loud_tail_s = self._run_loud_tail_s + dt if self.elevated else 0.0
                if (
                    self._run_judged_s >= _SHARE_TAU_S
                    and self._run_elevated_s <= _CALM_SHARE * self._run_judged_s
                ):
                    # A long calm run needs no end to say the loud runs are over.
                    self.loud_runs = 0
        if self.learn_allowed and not self.elevated:
            base = self._baseline(state)
            tau = _FAST_TAU_S if base.seconds < _FAST_LEARNING_S else _SLOW_TAU_S
            base.add(level, dt, tau)

    def level_changed(self, now: float, level: float | None) -> None:
        """Take a new noise reading (the caller has advanced to now)."""
        self._level = level
        self._level_at = now
        self._reclassify(now)
        self._street_after_loud_run(now)

    def state_changed(
        self, now: float, state: str, *, transition: bool, known_within_s: float | None = None
    ) -> None:
        """The state changed (the caller has advanced to now).

        `transition`: a start, stop or defrost, rather than a change of speed;
        `known_within_s`: how late it may have been seen (see transition).
        """
        if state == self._state:
            return
        if transition and self.family(self._state) == RUN:
            self._run_ended(stopped_at=now if state == IDLE else None)
        self._follow_runs(now, state)
        self._state = state
        if transition:
            self.transition(now, known_within_s=known_within_s)
        if self._level_at is not None and self._level_at >= now:
            self._reclassify(now)
        elif self.limit(state) is None:
            self.elevated = False
        # Otherwise the level was heard before the change: a compressor that
        # just slowed down still sounds, in that reading, as it did before.
        # The next reading is judged against the new state.

    def _follow_runs(self, now: float, state: str) -> None:
        """Open a run at a start from rest, close it at the stop."""
        runs = self.runs
        running = bool(runs) and runs[-1].end is None
        if state == IDLE:
            if running:
                runs[-1].end = now
        elif self.family(state) == RUN and not running:
            runs.append(Run(now))

    def _run_of(self, at: float) -> Run | None:
        """The run a burst at this time was heard in (None: at rest)."""
        for run in reversed(self.runs):
            if run.holds(at):
                return run
            if run.start < at:
                return None
        return None

    def _run_ended(self, *, stopped_at: float | None) -> None:
        """Score the run that just ended: loud for most of it, or not.

        `stopped_at`: when it stopped to idle (not into a defrost), where the
        street can then be heard alone.
        """
        judged, elevated = self._run_judged_s, self._run_elevated_s
        tail = self._run_loud_tail_s
        self._run_judged_s = self._run_elevated_s = self._run_loud_tail_s = 0.0
        self._stopped_loud_at = stopped_at if tail >= _LONE_LOUD_RUN_S else None
        if judged < _MIN_JUDGED_RUN_S:
            return
        if elevated >= _SUSTAINED_SHARE * judged:
            self.loud_runs += 1
        elif elevated <= _CALM_SHARE * judged:
            self.loud_runs = 0

    def _street_after_loud_run(self, now: float) -> None:
        """After a run loud to its stop, the first idle reading says whose sound it was."""
        stopped = self._stopped_loud_at
        if stopped is None or self._state != IDLE or now < (self.quiet_until or stopped):
            return
        self._stopped_loud_at = None
        limits = self.limit(IDLE)
        level = self._level
        if limits is None or level is None:
            return
        mean, high = limits
        if level <= mean + _STREET_QUIET_SHARE * (high - mean):
            # As good as two loud runs in a row: the sustained pattern.
            self.loud_runs = max(self.loud_runs, _LOUD_RUNS)

    def _quiet_s(self) -> float:
        """How long a transition's sound lasts, as the noise readings show it."""
        interval = self._cadence.interval(InputKey.NOISE)
        if interval is None:
            return _QUIET_WINDOW_S
        return min(_BANG_S + interval, _QUIET_WINDOW_S)

    def transition(
        self,
        now: float,
        *,
        known_within_s: float | None = None,
        sounded_before_s: float = _QUIET_WINDOW_S,
    ) -> None:
        """Forgive spikes around a start, stop or defrost transition.

        Before it, as far back as the transition may have been seen late:
        `known_within_s` where its source says it within that (a start or
        stop in the power, one report of the unit's data), otherwise the
        whole window (a defrost is often known only a minute or two after
        its valve banged: a coil that has to warm past the air, a polled
        state).  With the whole window before every start and stop, a unit
        that runs a few minutes at a time had much of each run forgiven, and
        a rattle that comes with each run went unheard.  `sounded_before_s`:
        how long before it is known the transition may have sounded, where
        that is longer than the window (a coil warming past the air); the
        window at least.
        """
        self.quiet_until = now + self._quiet_s()
        back = max(sounded_before_s, _QUIET_WINDOW_S)
        if known_within_s is not None:
            # The bang sounds as the unit starts or stops, and its readings
            # come after that: only as long as the change may have taken to
            # show can a reading of it come before it is known.
            back = min(known_within_s, back)
        onsets = self.onsets
        while onsets and onsets[-1] >= now - back:
            onsets.pop()

    def _reclassify(self, now: float) -> None:
        level = self._level
        limits = self.limit(self._state)
        if level is None or limits is None:
            self.elevated = False
            return
        mean, high = limits
        if self.elevated:
            if level < mean + _EXIT_SHARE * (high - mean):
                self.elevated = False
            return
        if level > high:
            self.elevated = True
            if self.quiet_until is None or now >= self.quiet_until:
                self.onsets.append(now)

    @property
    def fault(self) -> FaultKey:
        """The fault this detector judges."""
        return FaultKey.ABNORMAL_NOISE

    def judgeable(self) -> bool:
        """Whether the noise is read often enough to hear bursts or a sustained sound.

        A level held for many minutes is not a sound: bursts and the share of
        a quarter hour above normal need frequent readings.
        """
        return not self._cadence.coarser_than(InputKey.NOISE, MAX_NOISE_SAMPLING_S)

    def not_judged(self) -> list[str]:
        """The noise tests, where the level is read too seldom."""
        return [] if self.judgeable() else [RULE_NOISE]

    def judge(self, now: float, dt: float, context: Context | None = None) -> Verdict:
        """The evidence now; the evaluator has advanced the level to now."""
        if not self.judgeable():
            return Verdict(Finding.UNKNOWN)
        reason, calm, suspect, details, pattern_since = self.assess(now)
        if reason is not None:
            # A pattern of bursts already spans a quarter hour or more: it
            # needs no further wait to be believed, and it began with its first.
            return Verdict(Finding.ABNORMAL, reason, details, onset=pattern_since)
        if self.level is None:
            return Verdict(Finding.UNKNOWN, evidence=details)
        if calm and self.trusted and self.clears_here():
            return Verdict(Finding.NORMAL, evidence=details)
        return Verdict(Finding.HOLD, evidence=details, suspect=suspect)

    def settle(self, *, suspect: bool, active: bool) -> None:
        """Learn only while the fault is neither suspect nor active; then calm counts again."""
        self.learn_allowed = not (suspect or active)
        if not suspect and not active:
            self.abnormal_in = None

    def learn(self, now: float, dt: float) -> None:
        """Nothing here: the baselines learn as the readings arrive (see advance)."""

    def assess(self, now: float) -> tuple[str | None, bool, bool, dict[str, Any], float | None]:
        """(reason if abnormal, calm, suspect, details, when a burst pattern began).

        The caller has advanced to now.
        """
        onsets = self.onsets
        while onsets and onsets[0] < now - 2 * HOUR_S:
            onsets.popleft()
        last_hour = 0
        first_in_hour: float | None = None
        for onset in reversed(onsets):
            if onset < now - HOUR_S:
                break
            last_hour += 1
            first_in_hour = onset
        hour_before = len(onsets) - last_hour
        limits = self.limit(self._state)
        details: dict[str, Any] = {
            "level": rounded(self._level, 2),
            "state": self._state,
            "baseline": rounded(limits[0], 2) if limits else None,
            "elevated_above": rounded(limits[1], 2) if limits else None,
            "elevated_share": round(self.share, 2),
            "sustained_share": _SUSTAINED_SHARE,
            "bursts_last_hour": last_hour,
            "bursts_hour_before": hour_before,
            "bursts_per_hour": _BURSTS_PER_HOUR,
        }
        reason: str | None = None
        pattern_since: float | None = None
        details["loud_runs"] = self.loud_runs
        if self.share >= _SUSTAINED_SHARE or self.loud_runs >= _LOUD_RUNS:
            reason = "sustained"
        elif (
            last_hour >= _BURSTS_PER_HOUR
            and hour_before >= _BURSTS_PER_HOUR
            and now - onsets[0] >= _BURSTS_SPAN_S
        ):
            reason, pattern_since = "bursts", onsets[0]
        elif (
            last_hour >= self._quick
            and first_in_hour is not None
            and onsets[-1] - first_in_hour >= _QUICK_SPAN_S
        ):
            reason, pattern_since = "bursts", first_in_hour
        elif last_hour >= self._runs_needed:
            recent = list(onsets)[len(onsets) - last_hour :]
            runs_heard, since = self._runs_heard(recent, now)
            if since is not None:
                reason, pattern_since = "bursts", since
                details["runs_heard"] = runs_heard
                # Heard with the running: only calm while it runs clears it.
                self.abnormal_in = RUN
        if reason is not None and self.elevated and self._state != ANY:
            self.abnormal_in = self.family(self._state)
        calm = self.share < _CALM_SHARE and last_hour <= 1 and self.loud_runs == 0
        suspect = (
            self.share >= _SUSPECT_SHARE
            or last_hour >= _BURSTS_PER_HOUR
            or self.loud_runs >= _LOUD_RUNS - 1
            or self._stopped_loud_at is not None
        )
        return reason, calm, suspect, details, pattern_since

    def _runs_heard(self, recent: list[float], now: float) -> tuple[int, float | None]:
        """In how many separate runs the bursts were heard, and when the pattern began.

        `recent`: the bursts of the last hour, oldest first.  The start (the
        first burst) is None unless every one was heard in a run, in enough
        separate runs over a quarter hour, of a unit that rested at least
        half the time since the first of those runs began.
        """
        heard = [self._run_of(onset) for onset in recent]
        runs = {run.start for run in heard if run is not None}
        if (
            len(runs) < self._runs_needed
            or None in heard
            or recent[-1] - recent[0] < _QUICK_SPAN_S
            or self._running_share(min(runs), now) > _MAX_RUNNING_SHARE
        ):
            return len(runs), None
        return len(runs), recent[0]

    def _running_share(self, since: float, now: float) -> float:
        """The share of the time since `since` the unit ran."""
        span = now - since
        if span <= 0.0:
            return 1.0
        ran = 0.0
        for run in self.runs:
            stop = now if run.end is None else min(run.end, now)
            ran += max(stop - max(run.start, since), 0.0)
        return ran / span

    @property
    def trusted(self) -> bool:
        """The current state's baseline is learned."""
        return self.limit(self._state) is not None

    @property
    def level(self) -> float | None:
        """The latest level."""
        return self._level

    def reset_learned(self) -> None:
        """Forget the baselines."""
        self.abnormal_in = None
        self.baselines = {}
        self.share = 0.0
        self.loud_runs = 0
        self._stopped_loud_at = None
        self.elevated = False
        self.onsets.clear()

    def learned_dict(self) -> dict[str, Any]:
        """Return the learned baselines, JSON-serialisable."""
        return {state: base.to_dict() for state, base in self.baselines.items()}

    def load_learned(self, data: object) -> None:
        """Restore baselines, ignoring anything unusable."""
        if not isinstance(data, dict):
            return
        for state, value in data.items():
            if state in _STATES:
                self.baselines[state] = Ewma.from_dict(value)

    def state_dict(self) -> dict[str, Any]:
        """Return the state, JSON-serialisable."""
        return {
            "share": round(self.share, 4),
            "loud_runs": self.loud_runs,
            "onsets": list(self.onsets),
            "runs": [[run.start, run.end] for run in self.runs],
            "abnormal_in": self.abnormal_in,
        }

    def load_state(self, data: object) -> None:
        """Restore state, ignoring anything unusable."""
        if not isinstance(data, dict):
            return
        share = as_float(data.get("share"))
        self.share = min(max(share, 0.0), 1.0) if share is not None else 0.0
        runs = data.get("loud_runs")
        if isinstance(runs, int) and not isinstance(runs, bool) and 0 <= runs < 1000:
            self.loud_runs = runs
        abnormal_in = data.get("abnormal_in")
        self.abnormal_in = abnormal_in if abnormal_in in (RUN, IDLE, DEFROST) else None
        onsets = data.get("onsets")
        if isinstance(onsets, list):
            values = sorted(v for v in (as_float(item) for item in onsets) if v is not None)
            self.onsets = deque(values[-_MAX_ONSETS:], maxlen=_MAX_ONSETS)
        runs = data.get("runs")
        if isinstance(runs, list):
            self.runs = deque(_stored_runs(runs)[-_MAX_RUNS:], maxlen=_MAX_RUNS)


def _stored_runs(items: list[Any]) -> list[Run]:
    """The well-formed runs of a stored list, in order and not overlapping."""
    kept: list[Run] = []
    for item in items:
        if not isinstance(item, list) or len(item) != 2:
            continue
        start, end = as_float(item[0]), as_float(item[1])
        if start is None or (end is None) != (item[1] is None):
            continue
        if end is not None and end < start:
            continue
        last = kept[-1] if kept else None
        if last is not None and (last.end is None or start < last.end):
            continue  # overlapping or out of order: not runs this detector wrote
        kept.append(Run(start, end))
    return kept
