"""A defrost too short to clear the coil, the ice_buildup sign a unit without a coil probe can show.

A defrost melts the frost off the outdoor coil, and the heat comes back after
it.  One that ends far sooner than this unit's defrosts usually last (a
termination sensor or timer gone wrong) leaves ice behind: the unit goes back
to heating on a coil that is still iced, and delivers a fraction of what it
did before the defrost.  Each half alone is normal: a demand defrost on a
lightly frosted coil ends early and the heat comes back; a leak or a weak
compressor delivers little after a defrost as before it.  Together, a short
defrost after which delivery has collapsed from a healthy level before it,
they are ice that defrosts are not clearing.  With a coil probe, the coil's
peak during the defrost says it directly (ice_buildup); this is for where it
cannot.
"""

from __future__ import annotations

from collections import deque
import statistics
from typing import Any

from .defrost import CompletedDefrost
from .overdue_defrost import OverdueDefrost
from .stats import as_bool, as_float, stored_durations

# Healthy defrost lengths kept, and how many before this unit's usual is trusted.
_LENGTHS_KEPT = 24
_LENGTHS_TO_TRUST = 5
# Shorter than this share of the usual length, sampling allowed for, is short.
# Lengths vary with the frost a defrost finds; the heat after it tells a
# light frost cleared from ice left behind.
_SHORT_SHARE = 0.6
# Delivery before the defrost at least this share of the healthy split, and
# after it below the collapsed share (overdue_defrost's: frost at the point a
# healthy defrost starts costs a fraction of that).
_BEFORE_MIN_SHARE = 0.8
_COLLAPSED_SHARE = 0.5
# A flag with no defrost since to renew it is forgotten after this.
_EXPIRY_S = 4 * 3600.0


class ShortDefrost:
    """Learns how long this unit's defrosts last; flags short ones that left the heat collapsed."""

    __slots__ = (
        "_delivery",
        "_margin",
        "_pending",
        "failed",
        "failed_at",
        "lengths",
        "waiting",
    )

    def __init__(self, *, delivery: OverdueDefrost, margin_scale: float) -> None:
        # The split's share of the healthy one between defrosts.
        self._delivery = delivery
        self._margin = margin_scale
        # Learned: healthy defrost lengths, minutes; the latest waits for the
        # judgement to say whether it was healthy.
        self.lengths: deque[float] = deque(maxlen=_LENGTHS_KEPT)
        self._pending: float | None = None
        # A short defrost whose aftermath is still to be seen.
        self.waiting = False
        # Short defrosts in a row that left the heat collapsed, and the latest.
        self.failed = 0
        self.failed_at: float | None = None

    def usual_minutes(self) -> float | None:
        """How long this unit's defrosts usually last, minutes; None until known."""
        if len(self.lengths) < _LENGTHS_TO_TRUST:
            return None
        return statistics.median(self.lengths)

    def absorb(self, done: CompletedDefrost, *, sampling_minutes: float, checked: bool) -> None:
        """Take a finished defrost that was not too long and not seen to fail.

        ``sampling_minutes``: how much a sampled defrost's length may be off;
        ``checked``: the coil's peak showed it cleared the coil.
        """
        self._pending = done.minutes
        usual = self.usual_minutes()
        short = usual is not None and done.minutes + sampling_minutes < _SHORT_SHARE * usual
        if checked or not short:
            # A defrost of the usual length clears the coil.
            self.waiting = False
            self.failed = 0
            return
        self.waiting = True

    def judge(self, now: float, details: dict[str, Any]) -> bool:
        """Follow this tick (after the delivery's); whether defrosts are not clearing."""
        if self.failed_at is not None and now - self.failed_at > _EXPIRY_S:
            self.failed = 0
            self.failed_at = None
        after = self._delivery.best_share()
        collapsed_below = 1.0 - (1.0 - _COLLAPSED_SHARE) * self._margin
        if self.waiting and after is not None:
            self.waiting = False
            # The first needs the heat to have been fine before it: else it
            # was already short (a leak), and the defrost changed nothing.
            before = self._delivery.previous_best
            fine_before = before is not None and before >= _BEFORE_MIN_SHARE
            if after < collapsed_below and (self.failed > 0 or fine_before):
                self.failed += 1
                self.failed_at = now
            elif after >= collapsed_below:
                self.failed = 0
        elif self.failed > 0 and after is not None and after >= collapsed_below:
            # The heat came back after all: the coil was cleared.
            self.failed = 0
        if self.failed > 0:
            details["short_defrosts_not_clearing"] = self.failed
            if after is not None:
                details["split_share_after_defrost"] = round(after, 2)
            usual = self.usual_minutes()
            if usual is not None:
                details["usual_defrost_minutes"] = round(usual, 1)
        return self.failed > 0

    def settle(self, *, healthy: bool) -> None:
        """A defrost that ended while the fault built says nothing of the usual length."""
        if not healthy:
            self._pending = None

    def learn(self) -> None:
        """Keep the defrost that just ended, if it was a healthy one."""
        pending = self._pending
        self._pending = None
        if pending is not None and pending > 0.0:
            self.lengths.append(pending)

    def reset_learned(self) -> None:
        """Forget the usual length."""
        self.lengths.clear()

    def learned_list(self) -> list[float]:
        """The learned lengths, minutes, JSON-serialisable."""
        return [round(value, 2) for value in self.lengths]

    def load_learned(self, data: object) -> None:
        """Restore the learned lengths, ignoring anything unusable."""
        # Minutes, not seconds: the day bound of stored_durations is loose enough.
        self.lengths = deque(stored_durations(data, _LENGTHS_KEPT), maxlen=_LENGTHS_KEPT)

    def state_dict(self) -> dict[str, Any]:
        """Return the state, JSON-serialisable."""
        return {
            "waiting": self.waiting,
            "failed": self.failed,
            "failed_at": self.failed_at,
        }

    def load_state(self, data: object) -> None:
        """Restore the state, ignoring anything unusable."""
        if not isinstance(data, dict):
            return
        self.waiting = as_bool(data.get("waiting"))
        failed = data.get("failed")
        self.failed = failed if isinstance(failed, int) and not isinstance(failed, bool) else 0
        self.failed = max(self.failed, 0)
        self.failed_at = as_float(data.get("failed_at"))
        if self.failed_at is None:
            self.failed = 0
