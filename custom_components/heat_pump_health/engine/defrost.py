"""Defrost cycles as events: when they start, how long they last, how warm the coil got."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

from .stats import as_bool, as_float, count_since

# Coil probes and their integrations lag: the coil's peak at the end of a
# defrost can arrive a little after the defrost switch has dropped.
_PEAK_GRACE_S = 90.0
# Defrosts happen at most every ~20 minutes even on a bad day; this bounds memory.
_MAX_STARTS = 160
# After a defrost the supply stays cold and the coil warm for a while: the
# split and the coil gap say nothing about the unit's health until then.
DEFROST_RECOVERY_S = 15 * 60.0


@dataclass(frozen=True, slots=True)
class CompletedDefrost:
    """One finished defrost."""

    start: float
    end: float
    # Highest coil temperature seen during it (and just after), °C.
    peak_coil: float | None
    # The defrost source was unknown for part of it: its length is unreliable.
    tainted: bool

    @property
    def minutes(self) -> float:
        """Length in minutes."""
        return (self.end - self.start) / 60.0


class DefrostTracker:
    """Turns the defrost on/off signal into cycles."""

    __slots__ = (
        "_completed",
        "_pending",
        "last_end",
        "last_minutes",
        "on",
        "peak_coil",
        "started_at",
        "starts",
        "tainted",
    )

    def __init__(self) -> None:
        self.on = False
        self.started_at: float | None = None
        self.tainted = False
        self.peak_coil: float | None = None
        self.starts: deque[float] = deque(maxlen=_MAX_STARTS)
        self.last_end: float | None = None
        self.last_minutes: float | None = None
        # A finished defrost still collecting its coil peak.
        self._pending: CompletedDefrost | None = None
        self._completed: list[CompletedDefrost] = []

    def change(self, now: float, on: bool | None, coil: float | None) -> None:
        """Follow the defrost signal (switch or climate action)."""
        if on is None:
            if self.on:
                self.tainted = True
            return
        if on == self.on:
            return
        self.settle(now)
        self.on = on
        if on:
            self._flush_pending()
            self.started_at = now
            self.tainted = False
            self.peak_coil = coil
            self.starts.append(now)
        elif self.started_at is not None:
            self._pending = CompletedDefrost(
                start=self.started_at, end=now, peak_coil=self.peak_coil, tainted=self.tainted
            )
            self.last_end = now
            self.last_minutes = round((now - self.started_at) / 60.0, 1)
            self.started_at = None

    def coil_seen(self, now: float, coil: float | None) -> None:
        """Note a coil reading: it may be the defrost's peak."""
        if coil is None:
            return
        if self.on and self.started_at is not None:
            if self.peak_coil is None or coil > self.peak_coil:
                self.peak_coil = coil
            return
        pending = self._pending
        if (
            pending is not None
            and now - pending.end <= _PEAK_GRACE_S
            and (pending.peak_coil is None or coil > pending.peak_coil)
        ):
            self._pending = CompletedDefrost(
                start=pending.start, end=pending.end, peak_coil=coil, tainted=pending.tainted
            )

    def settle(self, now: float) -> None:
        """Close the coil-peak window of the last defrost once it has passed."""
        pending = self._pending
        if pending is not None and now - pending.end > _PEAK_GRACE_S:
            self._flush_pending()

    def _flush_pending(self) -> None:
        if self._pending is not None:
            self._completed.append(self._pending)
            self._pending = None

    def take_completed(self) -> list[CompletedDefrost]:
        """Defrosts finished since the last call, oldest first."""
        if not self._completed:
            return []
        done, self._completed = self._completed, []
        return done

    def running_minutes(self, now: float) -> float | None:
        """Length so far of the defrost under way, or None."""
        if not self.on or self.started_at is None:
            return None
        return max(now - self.started_at, 0.0) / 60.0

    def recovering(self, now: float) -> bool:
        """Defrosting now, or within DEFROST_RECOVERY_S of the end of one."""
        return self.on or self.just_ended(now)

    def just_ended(self, now: float) -> bool:
        """A defrost ended less than DEFROST_RECOVERY_S ago."""
        return self.last_end is not None and 0.0 <= now - self.last_end < DEFROST_RECOVERY_S

    def count_since(self, since: float) -> int:
        """Defrost starts at or after the given time."""
        return count_since(self.starts, since)

    def recent_starts(self, since: float) -> list[float]:
        """Defrost start times at or after the given time, oldest first."""
        found: list[float] = []
        for start in reversed(self.starts):
            if start < since:
                break
            found.append(start)
        found.reverse()
        return found

    def forget_before(self, cutoff: float) -> None:
        """Drop start times older than the cutoff."""
        starts = self.starts
        while starts and starts[0] < cutoff:
            starts.popleft()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable form."""
        return {
            "on": self.on,
            "started_at": self.started_at,
            "tainted": self.tainted,
            "peak_coil": self.peak_coil,
            "starts": list(self.starts),
            "last_end": self.last_end,
            "last_minutes": self.last_minutes,
        }

    def load(self, data: object) -> None:
        """Restore from to_dict output, ignoring anything unusable."""
        if not isinstance(data, dict):
            return
        started_at = as_float(data.get("started_at"))
        self.on = as_bool(data.get("on")) and started_at is not None
        self.started_at = started_at if self.on else None
        # A restart may have hidden part of a defrost: do not trust its length.
        self.tainted = self.on
        self.peak_coil = as_float(data.get("peak_coil")) if self.on else None
        starts = data.get("starts")
        if isinstance(starts, list):
            values = sorted(v for v in (as_float(item) for item in starts) if v is not None)
            self.starts = deque(values[-_MAX_STARTS:], maxlen=_MAX_STARTS)
        self.last_end = as_float(data.get("last_end"))
        last_minutes = as_float(data.get("last_minutes"))
        self.last_minutes = last_minutes if last_minutes is not None and last_minutes >= 0 else None
