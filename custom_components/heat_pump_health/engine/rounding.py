"""How much a rounded split is forgiven: only while its readings stand still.

Supply and return shown in whole steps read a split up to a step off the
true one.  While the readings move across steps (a loop warming through a
run, an inverter modulating, a cycling unit), the rounding errors average
out over the hours a shortfall is judged on, and a reference learned from
the same sensors carries no bias either: a split a third short reads a third
short.  Only readings that stand still, the same split hour after hour, can
hide the true one anywhere within a step; a drop by one step there must not
count as a shortfall.  So the credit, half a step, shrinks to nothing as the
spread of the recent split readings grows to half a step (what a true split
halfway between two steps shows, read at random points of its steps).
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
        # before the first reading (the full credit then: nothing is known).
        self._mean: float | None = None
        self._square = 0.0

    def follow(self, split: float, dt: float) -> None:
        """Fold in a split (K) judged for ``dt`` seconds."""
        mean = self._mean
        if mean is None:
            self._mean, self._square = split, split * split
            return
        weight = blend(dt, _TAU_S)
        self._mean = mean + weight * (split - mean)
        self._square += weight * (split * split - self._square)

    @property
    def spread(self) -> float | None:
        """The recent readings' standard deviation, K; None before any."""
        if self._mean is None:
            return None
        return math.sqrt(max(self._square - self._mean * self._mean, 0.0))

    def credit(self, step: float | None) -> float:
        """The kelvin a split read in ``step`` steps is given (0 unless rounded)."""
        if step is None or step <= 0.0:
            return 0.0
        half = 0.5 * step
        spread = self.spread
        if spread is None:
            return half
        return half * max(1.0 - spread / half, 0.0)
