"""Incremental statistics over irregularly spaced, step-function readings.

Every average here is weighted by time, not by sample count, so that the same
readings give the same numbers however often the evaluator is ticked: an
exponential average over two back-to-back spans equals the one over their union.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Reversible
import math
from typing import Any

HOUR_S = 3600.0
DAY_S = 24 * HOUR_S


def blend(dt: float, tau: float) -> float:
    """Weight of a value held for dt seconds in an average with time constant tau."""
    if dt <= 0.0:
        return 0.0
    return 1.0 - math.exp(-dt / tau)


class Ewma:
    """Time-weighted exponential mean and mean absolute deviation of one signal."""

    __slots__ = ("dev", "mean", "seconds")

    def __init__(
        self, *, mean: float | None = None, dev: float = 0.0, seconds: float = 0.0
    ) -> None:
        self.mean = mean
        self.dev = dev
        # How much time has been learned from; decides when the average is trusted.
        self.seconds = seconds

    def add(self, value: float, dt: float, tau: float) -> None:
        """Fold in a value that held for dt seconds."""
        if dt <= 0.0:
            return
        self.seconds += dt
        if self.mean is None:
            self.mean = value
            return
        weight = blend(dt, tau)
        self.dev += weight * (abs(value - self.mean) - self.dev)
        self.mean += weight * (value - self.mean)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable form."""
        return {
            "mean": None if self.mean is None else round(self.mean, 4),
            "dev": round(self.dev, 4),
            "seconds": round(self.seconds, 1),
        }

    @classmethod
    def from_dict(cls, data: object) -> Ewma:
        """Rebuild from to_dict output; anything unusable gives a fresh average."""
        if not isinstance(data, dict):
            return cls()
        mean = as_float(data.get("mean"))
        dev = as_float(data.get("dev"))
        seconds = as_float(data.get("seconds"))
        return cls(
            mean=mean,
            dev=max(dev, 0.0) if dev is not None else 0.0,
            seconds=max(seconds, 0.0) if seconds is not None and mean is not None else 0.0,
        )


def as_float(value: object) -> float | None:
    """Read a finite float from stored data, or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def stored_durations(value: object, keep: int) -> list[float]:
    """The last ``keep`` of a stored list of durations, s: each finite, positive and under a day.

    Anything else in the list is dropped; anything but a list gives none.
    """
    if not isinstance(value, list):
        return []
    durations = (as_float(item) for item in value[-keep:])
    return [d for d in durations if d is not None and 0.0 < d < DAY_S]


class HealthyDurations:
    """The last durations of something seen while healthy (defrost intervals, lengths).

    The latest waits to be kept until the judgement after it says the fault
    was not building meanwhile (a fault's own durations must not become its
    normal).
    """

    __slots__ = ("_minimum", "_pending", "values")

    def __init__(self, keep: int, *, minimum: float = 0.0) -> None:
        self.values: deque[float] = deque(maxlen=keep)
        self._pending: float | None = None
        # Shorter ones are not durations of the thing (a retry, a blip).
        self._minimum = minimum

    def offer(self, value: float) -> None:
        """One that just ended, kept at the next learn() if still healthy then."""
        self._pending = value

    def settle(self, *, healthy: bool) -> None:
        """One that ended while the fault built is not a healthy one."""
        if not healthy:
            self._pending = None

    def learn(self) -> None:
        """Keep the one waiting, if any (called only while healthy)."""
        pending = self._pending
        self._pending = None
        if pending is not None and pending > 0.0 and pending >= self._minimum:
            self.values.append(pending)

    def clear(self) -> None:
        """Forget them."""
        self.values.clear()

    def to_list(self, digits: int) -> list[float]:
        """JSON-serialisable, rounded."""
        return [round(value, digits) for value in self.values]

    def load(self, data: object) -> None:
        """Restore from to_list output, ignoring anything unusable (nothing if not a list)."""
        if isinstance(data, list):
            self.values.clear()
            self.values.extend(stored_durations(data, self.values.maxlen or 0))


def stored_count(value: object, at_most: int | None = None) -> int:
    """A stored count, 0 where it is missing, negative or not a whole number (a bool is not one)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value if at_most is None else min(value, at_most)
    return 0


def as_bool(value: object, default: bool = False) -> bool:
    """Read a bool from stored data."""
    return value if isinstance(value, bool) else default


def rounded(value: float | None, digits: int = 1) -> float | None:
    """Round for evidence and diagnostics; None stays None."""
    return None if value is None else round(value, digits)


def count_since(times: Reversible[float], since: float) -> int:
    """How many of the ascending ``times`` are at or after ``since`` (counted from the end)."""
    count = 0
    for at in reversed(times):
        if at < since:
            break
        count += 1
    return count
