"""How much a rounded split is forgiven: only where readings stood still.

Supply and return shown in whole steps each read up to half a step off the
true value.  A sensor whose readings move across steps (a loop warming
through a run, a cycling unit) averages its rounding out over the hours a
shortfall is judged on; one that stands still, the same value hour after
hour, keeps its error in every reading.  The split keeps the error of the
stiller of the two, so that one sets the credit: half a step while it stands
still, shrinking as its readings spread, and nothing once they spread by
half a step.  The shape is a quarter circle, sqrt(half² - spread²): a value
read as one step most of the time and the next now and then still carries
most of its error.  A reference learned from readings that stood still may
be as far off, and moving readings of the same split would then read short
of it: each band keeps the spread of the readings it learned from
(split_model), and the stiller of that and the recent readings sets the
credit.  The spread is kept in kelvin, as readings that never moved have not
shown their step yet.
"""

from __future__ import annotations

import math

from .stats import blend

# The memory of the recent readings: about as long as the shortfall's own
# smoothing, so a still hour counts as still.
_TAU_S = 2 * 3600.0


class _Spread:
    """The time-weighted standard deviation of one sensor's readings."""

    __slots__ = ("_mean", "_square")

    def __init__(self) -> None:
        # Time-weighted means of the reading and of its square; None before
        # the first reading.
        self._mean: float | None = None
        self._square = 0.0

    def follow(self, value: float, dt: float) -> None:
        mean = self._mean
        if mean is None:
            self._mean, self._square = value, value * value
            return
        weight = blend(dt, _TAU_S)
        self._mean = mean + weight * (value - mean)
        self._square += weight * (value * value - self._square)

    @property
    def spread(self) -> float:
        if self._mean is None:
            return 0.0
        return math.sqrt(max(self._square - self._mean * self._mean, 0.0))


class ReadingsSpread:
    """How far the recent supply and return readings spread: the stiller one counts."""

    __slots__ = ("_return", "_supply")

    def __init__(self) -> None:
        self._supply = _Spread()
        self._return = _Spread()

    def follow(self, supply: float, ret: float, dt: float) -> None:
        """Fold in supply and return (°C) read for ``dt`` seconds."""
        self._supply.follow(supply, dt)
        self._return.follow(ret, dt)

    @property
    def spread(self) -> float:
        """The stiller sensor's standard deviation, K (0 before any reading: nothing moved)."""
        return min(self._supply.spread, self._return.spread)


def credit(step: float | None, spread: float) -> float:
    """The kelvin a split read in ``step`` steps is given, its readings spread by ``spread`` K.

    Half a step while still, nothing once spread by half a step; nothing
    where the sensors are not known to round (``step`` None).
    """
    if step is None or step <= 0.0:
        return 0.0
    half = 0.5 * step
    return math.sqrt(max(half * half - spread * spread, 0.0))
