"""How much a rounded split is forgiven: only where readings stood still.

Supply and return shown in whole steps read a split up to a step off the
true one.  While the readings move across steps (a loop warming through a
run, an inverter modulating, a cycling unit), the rounding errors average
out over the hours a shortfall is judged on: a split a third short reads a
third short.  Only readings that stand still, the same split hour after
hour, can hide the true one anywhere within a step; a drop by one step there
must not count as a shortfall.  Nor may a reference learned from such
readings, which may be as far off: moving readings of the same split would
read short of it.  So the credit is half a step while the recent readings
stand still, shrinking to nothing as their spread grows to half a step (what
a true split halfway between two steps shows, read at random points of its
steps); the reference keeps the spread of the readings it learned from
(split_model), and the stiller of the two sets the credit.  The spread is
kept in kelvin, as readings that never moved have not shown their step yet.
"""

from __future__ import annotations

import math

from .stats import blend

# The memory of the recent readings: about as long as the shortfall's own
# smoothing, so a still hour counts as still.
_TAU_S = 2 * 3600.0


class RoundingCredit:
    """The recent spread of the split readings, and the credit it leaves."""

    __slots__ = ("_mean", "_square")

    def __init__(self) -> None:
        # Time-weighted means of the split and of its square, K and K²; None
        # before the first reading.
        self._mean: float | None = None
        self._square = 0.0

    def follow(self, split: float, dt: float) -> None:
        """Fold in a split (K) read for ``dt`` seconds."""
        mean = self._mean
        if mean is None:
            self._mean, self._square = split, split * split
            return
        weight = blend(dt, _TAU_S)
        self._mean = mean + weight * (split - mean)
        self._square += weight * (split * split - self._square)

    @property
    def spread(self) -> float:
        """The recent readings' standard deviation, K (0 before any: nothing has moved)."""
        if self._mean is None:
            return 0.0
        return math.sqrt(max(self._square - self._mean * self._mean, 0.0))


def credit(step: float | None, spread: float) -> float:
    """The kelvin a split read in ``step`` steps is given, its readings spread by ``spread`` K.

    Half a step while still, nothing once spread by half a step; nothing
    where the sensors are not known to round (``step`` None).
    """
    if step is None or step <= 0.0:
        return 0.0
    half = 0.5 * step
    return half * max(1.0 - spread / half, 0.0)
