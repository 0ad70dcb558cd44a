"""An overdue defrost, the ice_buildup sign a unit without a coil probe can show.

No defrost long after this unit's usual interval, while the heat it delivers
falls away from what it was just after the last one.  Frost on the outdoor
coil costs heat as it grows, and a defrost brings the heat back: a unit whose
defrost never starts shows both signs together.  Either alone is weather or
another fault: dry air frosts a coil slowly, and a leak or a weak compressor
costs heat right after a defrost as much as before the next.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
import statistics
from typing import Any

from .defrost import DefrostTracker
from .operation import STEADY_RUN_S, Operation
from .readings import Readings
from .stats import HealthyDurations, as_float, blend, rounded

# Frost forms on a coil in air up to about this warm: running in warmer air
# does not count towards the next defrost.
_FROSTING_OUTDOOR_MAX_C = 7.0
# Running between defrosts, learned from healthy cycles: the last this many,
# and how many before this unit's own usual interval is trusted.
_INTERVALS_KEPT = 24
_INTERVALS_TO_TRUST = 3
# Back-to-back defrosts (a retry) say nothing of the usual interval.
_MIN_INTERVAL_S = 10 * 60.0
# A defrost is overdue after this share of the usual interval, never sooner
# than the minimum.  Not before the usual interval is known: a unit never
# seen to defrost here may have a defrost source that does not report it.
_OVERDUE_SHARE = 1.5
_OVERDUE_MIN_S = 45 * 60.0
# The split's share of the healthy one since the last defrost, smoothed over
# minutes, at its best: a cleared coil delivers near its healthy share, a
# leaking unit does not even then.  Trusted once this much running is in.
_SMOOTH_TAU_S = 10 * 60.0
_BEST_TRUSTED_S = 10 * 60.0
# At its best since a defrost, a cleared coil delivers at least this share.
CLEARED_SHARE = 0.8
# A window between defrosts judged this long says what the heat was in it
# (its best once trusted, else its last smoothed share).
_WINDOW_SEEN_S = 5 * 60.0
# Delivery below this share of the healthy split has collapsed: frost at the
# point a healthy defrost starts costs a fraction of that.
_COLLAPSED_SHARE = 0.5
# Seconds of overdue and collapsed (leaky) that confirm, and that make it suspect.
_CONFIRM_S = 15 * 60.0
_SUSPECT_S = 5 * 60.0


class OverdueDefrost:
    """Follows running since the last defrost and the split since; learns the usual interval."""

    __slots__ = (
        "_defrost",
        "_margin",
        "_operation",
        "_readings",
        "_split_share",
        "best",
        "frosting_run_s",
        "intervals",
        "judged_s",
        "score",
        "smoothed",
        "start_seen",
        "window_bests",
    )

    def __init__(
        self,
        *,
        readings: Readings,
        operation: Operation,
        defrost: DefrostTracker,
        split_share: Callable[[float], float | None],
        margin_scale: float,
    ) -> None:
        self._readings = readings
        self._operation = operation
        self._defrost = defrost
        # This reading's split as a share of the unit's healthy split (the
        # insufficient_heat reference), where one is known.
        self._split_share = split_share
        self._margin = margin_scale
        # Running in frosting air since the last defrost began, and the
        # start last counted.
        self.frosting_run_s = 0.0
        self.start_seen: float | None = None
        # The split's share since the last defrost: smoothed, its best, and
        # how long it has been judged.
        self.smoothed: float | None = None
        self.best: float | None = None
        self.judged_s = 0.0
        # The share of the last two windows between defrost starts that
        # ended, oldest first (None: too little judged in it to say).
        self.window_bests: deque[float | None] = deque(maxlen=2)
        # How long (leaky) a defrost has been overdue with delivery collapsed.
        self.score = 0.0
        # Learned: running between healthy defrosts, s.
        self.intervals = HealthyDurations(_INTERVALS_KEPT, minimum=_MIN_INTERVAL_S)

    @property
    def confirmed(self) -> bool:
        """Overdue with delivery collapsed for long enough to raise the fault."""
        return self.score >= _CONFIRM_S

    @property
    def suspect(self) -> bool:
        """Overdue with delivery collapsed, not yet for long enough."""
        return self.score >= _SUSPECT_S

    def usual_interval(self) -> float | None:
        """Usual running between defrosts in frosting air, s; None until known."""
        if len(self.intervals.values) < _INTERVALS_TO_TRUST:
            return None
        return statistics.median(self.intervals.values)

    def overdue_after(self) -> float | None:
        """Running in frosting air after which a defrost is overdue, s (None: not yet known)."""
        usual = self.usual_interval()
        if usual is None:
            return None
        return max(_OVERDUE_SHARE * usual, _OVERDUE_MIN_S) * self._margin

    def collapsed(self, share: float) -> bool:
        """Whether a share of the healthy split is delivery collapsed, at this sensitivity."""
        return share < 1.0 - (1.0 - _COLLAPSED_SHARE) * self._margin

    def best_share(self) -> float | None:
        """The best smoothed share of the healthy split since the last defrost; None until known."""
        return self.best if self.judged_s >= _BEST_TRUSTED_S else None

    def _window_share(self) -> float | None:
        """What the heat was in the window now ending, as a share of the healthy split."""
        best = self.best_share()
        if best is None and self.judged_s >= _WINDOW_SEEN_S:
            return self.smoothed
        return best

    def judge(self, now: float, dt: float, details: dict[str, Any], *, unpowered: bool) -> None:
        """Follow this tick; ``unpowered``: the unit has lost power (no frost, no heat)."""
        defrost = self._defrost
        latest = defrost.starts[-1] if defrost.starts else None
        if latest is not None and latest != self.start_seen:
            if self.start_seen is not None:
                self.intervals.offer(self.frosting_run_s)
                self.window_bests.append(self._window_share())
            self.start_seen = latest
            self.frosting_run_s = 0.0
            self.smoothed = self.best = None
            self.judged_s = 0.0
            self.score = 0.0
        readings = self._readings
        operation = self._operation
        outdoor = readings.outdoor
        frosting = (
            not unpowered
            and operation.running is True
            and not defrost.on
            and readings.heating_context() is not False
            and outdoor is not None
            and outdoor <= _FROSTING_OUTDOOR_MAX_C
        )
        if unpowered:
            self.score = 0.0
        if not frosting:
            return
        self.frosting_run_s += dt
        limit = self.overdue_after()
        overdue = False
        if limit is not None and self.frosting_run_s >= limit:
            overdue = True
            details["running_since_defrost_minutes"] = round(self.frosting_run_s / 60.0)
            details["overdue_after_minutes"] = round(limit / 60.0)
        share = (
            self._split_share(now)
            if not defrost.recovering(now) and operation.running_for(now) >= STEADY_RUN_S
            else None
        )
        if share is None:
            return
        details["split_share"] = round(share, 2)
        smoothed = self.smoothed
        smoothed = (
            share if smoothed is None else smoothed + blend(dt, _SMOOTH_TAU_S) * (share - smoothed)
        )
        self.smoothed = smoothed
        self.judged_s += dt
        if self.judged_s >= _BEST_TRUSTED_S:
            self.best = smoothed if self.best is None else max(self.best, smoothed)
        best = self.best_share()
        collapsed = best is not None and best >= CLEARED_SHARE and self.collapsed(share)
        if collapsed and overdue:
            self.score += dt
        else:
            self.score = max(self.score - dt, 0.0)
        if self.score > 0.0:
            details["overdue_minutes"] = round(self.score / 60.0, 1)

    def settle(self, *, healthy: bool) -> None:
        """An interval that ended while the fault built is not a healthy one."""
        self.intervals.settle(healthy=healthy)

    def learn(self) -> None:
        """Keep the interval that just ended, if it was a healthy one."""
        self.intervals.learn()

    def reset_learned(self) -> None:
        """Forget the usual interval."""
        self.intervals.clear()

    def learned_list(self) -> list[float]:
        """The learned intervals, s, JSON-serialisable."""
        return self.intervals.to_list(0)

    def load_learned(self, data: object) -> None:
        """Restore the learned intervals, ignoring anything unusable."""
        self.intervals.load(data)

    def state_dict(self) -> dict[str, Any]:
        """Return the state, JSON-serialisable."""
        return {
            "frosting_run_s": round(self.frosting_run_s, 1),
            "start_seen": self.start_seen,
            "smoothed": None if self.smoothed is None else round(self.smoothed, 3),
            "best": None if self.best is None else round(self.best, 3),
            "window_bests": [rounded(best, 3) for best in self.window_bests],
            "judged_s": round(self.judged_s, 1),
            "score": round(self.score, 1),
        }

    def load_state(self, data: object) -> None:
        """Restore the state, ignoring anything unusable."""
        if not isinstance(data, dict):
            return
        self.frosting_run_s = max(as_float(data.get("frosting_run_s")) or 0.0, 0.0)
        self.start_seen = as_float(data.get("start_seen"))
        self.smoothed = _share(data.get("smoothed"))
        self.best = _share(data.get("best"))
        bests = data.get("window_bests")
        if isinstance(bests, list):
            self.window_bests.extend(_share(best) for best in bests[-2:])
        self.judged_s = max(as_float(data.get("judged_s")) or 0.0, 0.0)
        self.score = max(as_float(data.get("score")) or 0.0, 0.0)


def _share(value: object) -> float | None:
    """A restored share of the healthy split, or None if it is not one."""
    share = as_float(value)
    # Twice the healthy split is already more than any unit delivers.
    return share if share is not None and 0.0 <= share <= 3.0 else None
