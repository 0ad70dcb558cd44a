"""Whether the split's reference should learn slowly: a slide it must not follow.

The reference of the insufficient-heat check learns from every healthy hour
within its allowance, so a leak losing a few percent a day would drag it
along and never open a gap.  So a second, smaller CUSUM (5 % allowance, on
the two-hour smoothed log share of the split against the reference, in
log-units x hours) says when the split has stayed a little below it for
hours; the reference then learns ten times slower, and a leak's gap grows.

A lasting change of fan or flow is a step, not a slide: the share, smoothed
over half a day, then holds still.  Once it has held within 3 % for a day of
steady heating the reference learns at full speed again until it has caught
up (no drift left), so a second change days later is measured from the new
normal and not added to the first.  While it does, whether the share holds
still is read against the reference as it stood when the hold began (the
caller keeps that copy): a reference that learns at full speed trails a slide
at a constant distance and would make any slide look still.  The share
leaving the anchor by more than 3 % ends the hold.
"""

from __future__ import annotations

import math
from typing import Any

from .stats import as_float, blend

_ALLOWANCE = math.log(1.0 / 0.95)
_SLOWS = 0.25
_CAP = 1.0
# How much a drifted minute teaches the reference, against a healthy one.
SLOW_LEARNING = 0.1
_SETTLED_TAU_S = 12 * 3600.0
_HELD_LOG = math.log(1.03)
_HELD_S = 24 * 3600.0
# Log shares: anything saved outside these is not ours.
_MAX_LOG = 5.0


class ReferenceDrift:
    """The drift score and whether the share has since held still."""

    __slots__ = ("anchor", "held", "score", "settled", "steady_s")

    def __init__(self) -> None:
        self.score = 0.0
        # The log share smoothed over half a day, where it was when it last
        # moved by more than 3 %, and how long (judged seconds) it has stayed.
        self.settled: float | None = None
        self.anchor: float | None = None
        self.steady_s = 0.0
        self.held = False

    def follow(self, x: float, recent: float, dt: float, *, held_x: float | None = None) -> None:
        """Fold in one judged minute: its log share ``x`` and the two-hour smoothed one.

        ``held_x``: while held, the share against the reference as it stood
        when the hold began (None where that band was not learned then).
        """
        hours = dt / 3600.0
        self.score = min(max(self.score + (-recent - _ALLOWANCE) * hours, 0.0), _CAP)
        if self.score < _SLOWS:
            # No drift left (or none yet): nothing to hold.
            self._release()
            self.anchor, self.steady_s = None, 0.0
            self._settle(x, dt)
            return
        if self.held:
            if held_x is None:
                # Judged against a band the hold knows nothing of: no word
                # on whether the share holds still.
                return
            x = held_x
        settled = self._settle(x, dt)
        if self.anchor is None:
            self.anchor, self.steady_s = settled, 0.0
        elif abs(settled - self.anchor) > _HELD_LOG:
            self._release()
            self.anchor, self.steady_s = self.settled, 0.0
        else:
            self.steady_s += dt
            self.held = self.held or self.steady_s >= _HELD_S

    def _settle(self, x: float, dt: float) -> float:
        """Fold ``x`` into the half-day smoothed share and return it."""
        settled = self.settled
        settled = self.settled = (
            x if settled is None else settled + blend(dt, _SETTLED_TAU_S) * (x - settled)
        )
        return settled

    def _release(self) -> None:
        """End a hold: the share is read against the live reference again, afresh."""
        if self.held:
            self.settled = None
        self.held = False

    @property
    def slows(self) -> bool:
        """Whether the reference should learn slowly now."""
        return self.score >= _SLOWS and not self.held

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable form."""
        return {
            "score": round(self.score, 4),
            "settled": None if self.settled is None else round(self.settled, 4),
            "anchor": None if self.anchor is None else round(self.anchor, 4),
            "steady_s": round(self.steady_s, 1),
            "held": self.held,
        }

    @classmethod
    def from_dict(cls, data: object) -> ReferenceDrift:
        """Rebuild from to_dict output; a fresh one where unusable."""
        drift = cls()
        if not isinstance(data, dict):
            return drift
        drift.score = min(max(as_float(data.get("score")) or 0.0, 0.0), _CAP)
        settled = as_float(data.get("settled"))
        anchor = as_float(data.get("anchor"))
        if settled is not None and abs(settled) < _MAX_LOG:
            drift.settled = settled
        if anchor is not None and abs(anchor) < _MAX_LOG:
            drift.anchor = anchor
            drift.steady_s = max(as_float(data.get("steady_s")) or 0.0, 0.0)
            drift.held = data.get("held") is True
        return drift
