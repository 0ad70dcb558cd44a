"""How far this unit's delivery strays from its reference while healthy.

The sustained-shortfall CUSUM of insufficient_heat lets a shortfall within
an allowance add nothing: weather, fans, sensors and a counter's averaging
move the split against its reference while nothing is wrong.  How much they
move it differs tenfold between units.  One with a fast power meter and
fine sensors holds its hourly delivery share within a few percent; one read
through a 15-minute energy counter, or heating its hot water in between,
swings by a third, and an ordinary day of it filled the score.

So a unit's allowance is the wider of the fixed one (the least: a fan a notch
up must not count, see reference_drift for how such a step is taken in) and
its own spread: the root mean square of its hourly mean log share (log(split
/ expected), averaged over each hour of judged heating).  Both ways count: the
reference sits among the hours, so a unit whose share swings a third above
it swings about as far below.  An hour is learned only where nothing leaned
towards a shortfall in any of its minutes (insufficient_heat decides, as for
its reference), with a memory of the last two days or so of judged hours.
The spread counts only once six hours are learned, and only up to a ceiling
(about a quarter): beyond it the split says too little, and a leak is left
to the other signatures (the draw per kelvin, the coil's gap).  A unit whose
allowance widened needs a larger shortfall, for longer, to raise the fault:
at the ceiling a third less delivery takes about ten hours of heating, and
a quarter less never adds up.
"""

from __future__ import annotations

import math
from typing import Any

from .stats import HOUR_S, as_float

# Each learned hour weighs at least 1 / this in the mean square: its memory,
# in judged hours.
_MEMORY_HOURS = 48.0
# Hours learned before the unit's own spread counts.
_TRUSTED_HOURS = 6.0
# The widest allowance a spread can give, in log share: 26 % below the reference.
_CEILING = 0.3
# A mean square, or an hour's mean, beyond these is not ours (the samples
# are clipped well within them).
_MAX_SQUARE = 4.0
_MAX_MEAN = 2.0


class DeliverySpread:
    """The learned spread of the hourly delivery share, and the hour being gathered."""

    __slots__ = ("_learnable", "_seconds", "_sum", "hours", "square")

    def __init__(self) -> None:
        # Mean square of the learned hourly means, and how many were learned.
        self.square = 0.0
        self.hours = 0.0
        # The hour being gathered: the sum of x * dt, its judged seconds, and
        # whether every minute of it may be learned from.
        self._sum = 0.0
        self._seconds = 0.0
        self._learnable = True

    def add(self, x: float, dt: float, *, learn: bool) -> None:
        """Fold in one judged minute's log share; ``learn``: nothing leans towards a shortfall."""
        if dt <= 0.0:
            return
        self._sum += x * dt
        self._seconds += dt
        self._learnable = self._learnable and learn
        if self._seconds < HOUR_S:
            return
        if self._learnable:
            mean = self._sum / self._seconds
            self.hours += 1.0
            weight = max(1.0 / self.hours, 1.0 / _MEMORY_HOURS)
            self.square += weight * (mean * mean - self.square)
        self._sum, self._seconds, self._learnable = 0.0, 0.0, True

    def allowance(self, floor: float) -> float:
        """The allowance for this unit (log share): its own spread where wider than ``floor``."""
        if self.hours < _TRUSTED_HOURS:
            return floor
        return max(floor, min(math.sqrt(self.square), _CEILING))

    def reset(self) -> None:
        """Forget what was learned and the hour being gathered."""
        self.square, self.hours = 0.0, 0.0
        self._sum, self._seconds, self._learnable = 0.0, 0.0, True

    def learned_dict(self) -> dict[str, Any]:
        """The learned spread, JSON-serialisable."""
        return {"square": round(self.square, 6), "hours": round(self.hours, 1)}

    def load_learned(self, data: object) -> None:
        """Restore the learned spread, ignoring anything unusable."""
        if not isinstance(data, dict):
            return
        square, hours = as_float(data.get("square")), as_float(data.get("hours"))
        if square is None or hours is None or not 0.0 <= square <= _MAX_SQUARE or hours < 0.0:
            return
        self.square, self.hours = square, hours

    def state_dict(self) -> dict[str, Any]:
        """The hour being gathered, JSON-serialisable."""
        return {
            "sum": round(self._sum, 3),
            "seconds": round(self._seconds, 1),
            "learnable": self._learnable,
        }

    def load_state(self, data: object) -> None:
        """Restore the hour being gathered, ignoring anything unusable."""
        if not isinstance(data, dict):
            return
        total, seconds = as_float(data.get("sum")), as_float(data.get("seconds"))
        if total is None or seconds is None or not 0.0 <= seconds < HOUR_S:
            return
        if abs(total) > _MAX_MEAN * seconds:
            return
        self._sum, self._seconds = total, seconds
        self._learnable = data.get("learnable") is True
