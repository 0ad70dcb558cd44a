"""Power from an energy counter: what cloud integrations give instead of a power sensor.

Daikin Onecta, MELCloud, ViCare, Aquarea and Toshiba report the unit's
consumption as a counter (kWh, often reset every day) that moves in steps of
0.1 kWh or more, every 5 to 30 minutes.  The average power over a step is
its energy over the time it took.  The counter moves only when it is read,
so until the next step is due (its poll, as the shortest step shows it, and
half again for a late poll) the estimate is the last step's average; once
it is overdue, the power can only have been below one step over the time
since the last, and the estimate falls as the counter stays put.  It is
never sharper than one step over the time since the last change: that
resolution goes with it into the evidence.
"""

from __future__ import annotations

from typing import Any

from .stats import as_float

_J_PER_KWH = 3_600_000.0
# A counter still for this many times its poll is overdue: the power was
# below one step over the wait (half a poll of slack for jitter).
_OVERDUE = 1.5
# A counter standing still longer than this says the unit draws (about) nothing.
_MAX_SPAN_S = 6 * 3600.0


class EnergyMeter:
    """Turns an energy counter's readings into an average power and its resolution."""

    __slots__ = (
        "_kwh",
        "_moved_at",
        "_power_w",
        "_previous_w",
        "_reset",
        "_reset_from",
        "_resumed",
        "_since",
        "_span",
        "_step_from",
        "_stepped_at",
        "poll_s",
        "step_kwh",
    )

    def __init__(self) -> None:
        self._kwh: float | None = None
        # When the counter last moved (or was first seen).
        self._since: float | None = None
        # The average power over the last step, W, and how long that step took.
        self._power_w: float | None = None
        self._span = 0.0
        # The step before the last's average, W (None where it was no seen
        # step's: the first after a first reading, a reset or a restart, or
        # one from a value first seen there).
        self._previous_w: float | None = None
        # The smallest step seen: the counter's resolution, kWh; and the
        # shortest time a step took: the poll, as far as the steps show it.
        self.step_kwh: float | None = None
        self.poll_s: float | None = None
        # The counter went back: its next step may be a glitch's way back up.
        self._reset = False
        # The value it went back from (None: not seen, as after a restart).
        self._reset_from: float | None = None
        # When the counter was seen to step to its value (None: first seen
        # there, or back from a reset), and the same for the value the last
        # step began from: the counter may have held a value first seen long
        # before it got there.  Not kept over a restart (see drawn_since).
        self._moved_at: float | None = None
        self._step_from: float | None = None
        # Restored after a restart: the first step from the value read before
        # it may have been taken at any time while Home Assistant was down.
        self._resumed = False
        # When the counter last went up by energy drawn: unlike the figure's
        # time, not moved by a reset, nor by a glitch's way back after one.
        self._stepped_at: float | None = None

    def observe(self, kwh: float, at: float) -> None:
        """Take a counter reading."""
        last, since = self._kwh, self._since
        self._kwh = kwh
        if last is None or since is None or kwh < last:
            # The first reading, or a reset (daily, or a new meter): from here.
            # The power carries on as it stood: the last step's average, or
            # only its bound once overdue.  Not the average itself: a run's
            # hours before midnight came back as new at the first step after.
            if last is not None:
                self._power_w = self.power(at)
            self._since = at
            self._reset = last is not None
            self._reset_from = last
            # No step's average until the next real one (see drawn_since).
            self._span = 0.0
            self._moved_at = self._step_from = None
            self._previous_w = None
            self._resumed = False
            return
        step = kwh - last
        span = at - since
        if step <= 0.0 or span <= 0.0:
            return
        if self._reset:
            # A counter that read 0 for a moment comes back with its whole
            # total in one step: after a reset, count from the first step.
            # Until then the power is what it was at the reset.  A step that
            # stays below where it went back from is energy drawn all the
            # same (a daily reset's first), and so is one after a reset whose
            # origin is not known (a restart between them).
            back_from = self._reset_from
            if back_from is None or kwh < back_from:
                self._stepped_at = at
            self._power_w = self.power(at)
            self._since = at
            self._reset = self._resumed = False
            return
        self._since = self._stepped_at = at
        self._previous_w = self._power_w if self._step_from is not None else None
        self._step_from, self._moved_at = self._moved_at, None if self._resumed else at
        self._resumed = False
        self._span = span
        self._power_w = step * _J_PER_KWH / span
        if self.step_kwh is None or step < self.step_kwh:
            self.step_kwh = step
        if self.poll_s is None or span < self.poll_s:
            self.poll_s = span

    def power(self, now: float) -> float | None:
        """The unit's average power as far as the counter can tell, W."""
        if self._power_w is None or self._since is None or self.step_kwh is None:
            return None
        waited = now - self._since
        # A step is due within the poll (and half again, for a late one): a
        # counter read every poll moves only then, whatever the unit draws
        # meanwhile.  Not the last step's own time: after a long outage
        # that would hold its average for hours.
        if waited <= _OVERDUE * (self.poll_s or self._span):
            return self._power_w
        # Overdue: less than one step was drawn over the wait.
        bound = self.step_kwh * _J_PER_KWH / min(waited, _MAX_SPAN_S)
        return min(self._power_w, bound)

    def drawn_since(self, now: float) -> float | None:
        """The earliest the energy behind the power may have been drawn.

        A step read at one poll and the next was drawn from some moment
        after the poll before its first reading: a poll before the step's
        start.  None while the power is only a bound (the counter overdue),
        not a step's average yet (after a reset), or from a step that began
        at a value the counter was not seen to step to (its first reading,
        a reset's return, the first after a restart): it may have been
        there for hours.
        """
        start = self._step_from
        if self._power_w is None or self._since is None or start is None:
            return None
        poll = self.poll_s or self._span
        if now - self._since > _OVERDUE * poll:
            return None
        return start - poll

    @property
    def previous_power(self) -> float | None:
        """The average over the step before the last, W; None where it was no seen step's."""
        return self._previous_w

    @property
    def stepped_at(self) -> float | None:
        """When the counter last went up by energy drawn (None: not seen to)."""
        return self._stepped_at

    @property
    def figure_at(self) -> float | None:
        """When the power's figure was last set: the counter's last move, first reading or reset."""
        return self._since

    def resolution(self, now: float) -> float | None:
        """How sharp the power is, W: one step over the longer of the last step and the wait.

        Right after a step the average over that step is known to within one
        step; as the counter then stands still, the power can only have been
        below one step over the wait.
        """
        if self.step_kwh is None or self._since is None:
            return None
        waited = min(max(now - self._since, self._span, 1.0), _MAX_SPAN_S)
        return self.step_kwh * _J_PER_KWH / waited

    def lag(self, now: float) -> float | None:
        """How old the power is, seconds: from the middle of the last step to now."""
        if self._power_w is None or self._since is None:
            return None
        return max(now - self._since, 0.0) + self._span / 2.0

    def to_dict(self) -> dict[str, Any]:
        """What a restart needs to carry on."""
        return {
            "kwh": self._kwh,
            "since": self._since,
            "power_w": self._power_w,
            "span": self._span,
            "step_kwh": self.step_kwh,
            "poll_s": self.poll_s,
            # Saved between a reset and the first step after it, that step
            # is still the counter's way back, not energy drawn.
            "reset": self._reset,
            "stepped_at": self._stepped_at,
            "reset_from": self._reset_from,
        }

    def load(self, data: object) -> None:
        """Restore to_dict output; garbage starts afresh."""
        values = data if isinstance(data, dict) else {}
        self._kwh = as_float(values.get("kwh"))
        self._since = as_float(values.get("since"))
        self._power_w = as_float(values.get("power_w"))
        self._span = as_float(values.get("span")) or 0.0
        self.step_kwh = as_float(values.get("step_kwh"))
        self.poll_s = as_float(values.get("poll_s"))
        self._reset = values.get("reset") is True
        self._stepped_at = as_float(values.get("stepped_at"))
        self._reset_from = as_float(values.get("reset_from"))
        self._moved_at = self._step_from = None
        self._previous_w = None
        self._resumed = self._kwh is not None
