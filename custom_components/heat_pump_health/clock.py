"""A UTC clock that a stepped system clock cannot move.

The evaluator measures real durations (how long a defrost ran, how long power
has been missing).  If the system clock is stepped (NTP catching up after a
boot, a manual change) those durations would jump with it: a defrost that
straddles a step forward looks a quarter of an hour longer, and a step back
makes every reading look older than the last.  This clock follows the system
clock while it only drifts, and a monotonic clock across a step, catching up
with the system clock slowly afterwards.  Daylight saving is no step:
everything here is UTC.
"""

from __future__ import annotations

from collections.abc import Callable
import time
from typing import Final

# The system clock may drift this far from the monotonic one (NTP slewing,
# scheduling) before the difference counts as a step.
STEP_TOLERANCE_S: Final = 2.0
# After a step this clock catches up with the system clock at most this
# fraction faster or slower than real time: durations measured meanwhile are
# off by at most 10 %, and "since" times are right again after ten times the
# step (an hour's step: ten hours), instead of wrong until a restart.
CATCH_UP_RATE: Final = 0.1


class SteadyClock:
    """UTC epoch seconds that advance like a monotonic clock across clock steps."""

    __slots__ = ("_last_monotonic", "_monotonic", "_value", "_wall", "stepped")

    def __init__(
        self,
        *,
        wall: Callable[[], float] | None = None,
        monotonic: Callable[[], float] | None = None,
    ) -> None:
        # Looked up at each call, not bound now, so that a test's frozen
        # time applies.
        self._wall = wall or _time
        self._monotonic = monotonic or _monotonic
        self._value = self._wall()
        self._last_monotonic = self._monotonic()
        # Seconds the system clock is ahead of this one (after a step).
        self.stepped = 0.0

    def now(self) -> float:
        """The current time as UTC epoch seconds; never goes backwards."""
        wall = self._wall()
        monotonic = self._monotonic()
        # A monotonic clock cannot go back; a test's stand-in might.  Count
        # only time that has not been counted yet.
        elapsed = max(monotonic - self._last_monotonic, 0.0)
        self._last_monotonic = max(monotonic, self._last_monotonic)
        steady = self._value + elapsed
        offset = wall - steady
        if abs(offset) <= STEP_TOLERANCE_S and wall >= self._value:
            # Only drift: follow the system clock, it is the better judge of UTC.
            self._value = wall
            self.stepped = 0.0
            return wall
        # A step: run a little fast (or slow) until the system clock is met.
        limit = CATCH_UP_RATE * elapsed
        self._value = steady + min(max(offset, -limit), limit)
        self.stepped = wall - self._value
        return self._value


def _time() -> float:
    return time.time()


def _monotonic() -> float:
    return time.monotonic()
