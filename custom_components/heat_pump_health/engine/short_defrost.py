"""A defrost too short to clear the coil, the ice_buildup sign a unit without a coil probe can show.

A defrost melts the frost off the outdoor coil, and the heat comes back after
it.  One that ends far sooner than this unit's defrosts last (a termination
sensor or timer gone wrong) leaves ice behind: the unit goes back to heating
on a coil that is still iced, and until the next defrost delivers a fraction
of what it did before.  Each half alone is normal: a demand defrost on a
lightly frosted coil ends early and the heat comes back; a leak or a weak
compressor delivers as little before a defrost as after it; an inverter turned
down as the room reaches its target delivers little for a while after any
defrost.  Together, a short defrost after which delivery stayed collapsed
until the next one, from a healthy level before it, is ice that defrosts are
not clearing.  With a coil probe, the coil's peak during the defrost says it
directly (ice_buildup); this is for where it cannot.
"""

from __future__ import annotations

import statistics
from typing import Any

from .defrost import CompletedDefrost
from .overdue_defrost import CLEARED_SHARE, OverdueDefrost
from .stats import HealthyDurations, as_float, stored_count

# Healthy defrost lengths kept (minutes), and how many before they are trusted.
_LENGTHS_KEPT = 24
_LENGTHS_TO_TRUST = 5
# Short: under this share of the shorter quarter of this unit's defrosts.
# Lengths vary with the frost a defrost finds, and a defrost switch polled by
# a cloud reads in whole polls: the lower quartile of the lengths learned at
# the same sampling holds both.  The heat until the next defrost, not the
# length, is the evidence; the length says the defrost is what changed.
_SHORT_SHARE = 2.0 / 3.0
# A flag with no defrost since to renew it is forgotten after this.
_EXPIRY_S = 4 * 3600.0
# A short defrost whose window found no next defrost this long after it ended
# is forgotten undecided: the unit stopped or the weather warmed, and whatever
# ice it left has melted.
_PENDING_S = 3 * 3600.0
# Short defrosts that left the heat collapsed, in a row, that raise the fault:
# one where a live meter says the power the heat is judged at (a unit turned
# down shows it); two where it cannot, as a set-back looks the same once.
_FAILED_WITH_POWER = 1
_FAILED_WITHOUT_POWER = 2


class ShortDefrost:
    """Learns how long this unit's defrosts last; flags short ones that left the heat collapsed."""

    __slots__ = (
        "_delivery",
        "after",
        "failed",
        "failed_at",
        "lengths",
        "short_at",
        "short_minutes",
        "window",
    )

    def __init__(self, *, delivery: OverdueDefrost) -> None:
        # The split's share of the healthy one, window by window between defrosts.
        self._delivery = delivery
        # Learned: healthy defrost lengths, minutes.
        self.lengths = HealthyDurations(_LENGTHS_KEPT)
        # The length and end of a short defrost whose aftermath is still to be
        # seen (None: none is), and the start of the delivery window last seen.
        self.short_minutes: float | None = None
        self.short_at: float | None = None
        self.window: float | None = None
        # Short defrosts in a row that left the heat collapsed, the latest,
        # and the best share of the healthy split after it.
        self.failed = 0
        self.failed_at: float | None = None
        self.after: float | None = None

    def usual_minutes(self) -> float | None:
        """Minutes this unit's defrosts usually last at least (lower quartile); None until known."""
        if len(self.lengths.values) < _LENGTHS_TO_TRUST:
            return None
        return statistics.quantiles(self.lengths.values, n=4)[0]

    def absorb(self, done: CompletedDefrost, *, checked: bool) -> None:
        """Take a finished defrost that was not too long and not seen to fail.

        ``checked``: the coil's peak showed it cleared the coil.
        """
        usual = self.usual_minutes()
        if checked or usual is None or done.minutes >= _SHORT_SHARE * usual:
            # A defrost of the usual length clears the coil.
            self.lengths.offer(done.minutes)
            self.short_minutes = self.short_at = None
            self.failed = 0
            return
        # Learned as healthy only once the heat after it has come back.
        self.short_minutes = done.minutes
        self.short_at = done.end

    def judge(self, now: float, details: dict[str, Any], *, power_known: bool) -> bool:
        """Follow this tick (after the delivery's); whether defrosts are not clearing.

        ``power_known``: a live meter says the power the heat is judged at.
        """
        if self.failed_at is not None and now - self.failed_at > _EXPIRY_S:
            self.failed = 0
        if self.short_at is not None and now - self.short_at > _PENDING_S:
            self.short_minutes = self.short_at = None
        delivery = self._delivery
        if delivery.start_seen != self.window:
            # A defrost began: the window after the last one is closed.
            closed = self.window is not None
            self.window = delivery.start_seen
            if closed and self.short_minutes is not None:
                self._decide()
        if self.failed == 0:
            self.failed_at = self.after = None
            return False
        details["short_defrosts_not_clearing"] = self.failed
        details["split_share_after_defrost"] = self.after
        usual = self.usual_minutes()
        if usual is not None:
            details["usual_defrost_minutes"] = round(usual, 1)
        return self.failed >= (_FAILED_WITH_POWER if power_known else _FAILED_WITHOUT_POWER)

    @property
    def suspect(self) -> bool:
        """A short defrost, the heat collapsed since from a healthy level: ice unless it returns."""
        if self.short_minutes is None:
            return False
        delivery = self._delivery
        now_best = delivery.best_share()
        before = delivery.window_bests[-1] if delivery.window_bests else None
        return (
            now_best is not None
            and delivery.collapsed(now_best)
            and (self.failed > 0 or (before is not None and before >= CLEARED_SHARE))
        )

    def _decide(self) -> None:
        """Judge the short defrost by the heat between it and the next one."""
        minutes = self.short_minutes
        self.short_minutes = self.short_at = None
        bests = list(self._delivery.window_bests)
        after = bests[-1] if bests else None
        before = bests[-2] if len(bests) > 1 else None
        if after is None:
            # Too little judged between the two defrosts to say.
            return
        if not self._delivery.collapsed(after):
            # The heat came back: a light frost, cleared.
            self.failed = 0
            if minutes is not None:
                self.lengths.offer(minutes)
            return
        # The first needs the heat to have been fine before it: else it was
        # already short (a leak), and the defrost changed nothing.
        if self.failed > 0 or (before is not None and before >= CLEARED_SHARE):
            self.failed += 1
            self.failed_at = self._delivery.start_seen
            self.after = round(after, 2)

    def settle(self, *, healthy: bool) -> None:
        """A defrost that ended while the fault built says nothing of the usual length."""
        self.lengths.settle(healthy=healthy)

    def learn(self) -> None:
        """Keep the defrost that just ended, if it was a healthy one."""
        self.lengths.learn()

    def reset_learned(self) -> None:
        """Forget the usual length."""
        self.lengths.clear()

    def learned_list(self) -> list[float]:
        """The learned lengths, minutes, JSON-serialisable."""
        return self.lengths.to_list(2)

    def load_learned(self, data: object) -> None:
        """Restore the learned lengths, ignoring anything unusable."""
        self.lengths.load(data)

    def state_dict(self) -> dict[str, Any]:
        """Return the state, JSON-serialisable."""
        return {
            "short_minutes": self.short_minutes,
            "short_at": self.short_at,
            "window": self.window,
            "failed": self.failed,
            "failed_at": self.failed_at,
            "after": self.after,
        }

    def load_state(self, data: object) -> None:
        """Restore the state, ignoring anything unusable."""
        if not isinstance(data, dict):
            return
        self.short_minutes = as_float(data.get("short_minutes"))
        self.short_at = as_float(data.get("short_at"))
        if self.short_minutes is None or self.short_at is None:
            self.short_minutes = self.short_at = None
        self.window = as_float(data.get("window"))
        self.failed = stored_count(data.get("failed"))
        self.failed_at = as_float(data.get("failed_at"))
        after = as_float(data.get("after"))
        self.after = after if after is not None and 0.0 <= after <= 3.0 else None
        if self.failed_at is None or self.after is None:
            self.failed = 0
            self.failed_at = self.after = None
