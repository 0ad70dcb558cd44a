"""A split that turns negative in heating: a defrost no source reports, told by the water or air.

Heating, the supply runs warmer than the return.  A reverse-cycle defrost
takes its heat from the indoor side: a water unit's supply falls below its
return within a minute or two, a ducted unit's supply air below the room's,
and both climb back once the cycle turns round again.  The reversing valve
bangs at each turn.  Where neither a defrost source nor the coil against
the outdoor air says when that happens, the split crossing below the return
is the only sign, and the noise rule must not count the bangs as rattles.

Only while the unit runs and is not known to cool (a cooling split is
negative throughout and crosses only at its start, a transition already).
"""

from __future__ import annotations

from collections import deque

# Supply below return by more than this is the cycle reversed, K: past the
# half step of whole-degree readings, well short of a defrost's 1-5 K.
REVERSED_K = 0.5
# The split starts to fall (or rise) as the valve turns, and crosses the
# return up to this long after: a water loop's mass, a polled reading.
_CROSS_LATE_S = 6 * 60.0


class ReversedSplit:
    """Whether the split is reversed, and when it last turned round."""

    __slots__ = ("_recent", "reversed")

    def __init__(self) -> None:
        # None: not running in heating, or no split yet.
        self.reversed: bool | None = None
        self._recent: deque[tuple[float, float]] = deque()

    def follow(self, now: float, split: float | None, *, watched: bool) -> float | None:
        """Note the split; how long ago the valve may have turned, where it just did.

        ``watched``: the unit runs and is not known to cool.  The turn is
        dated from the reading the split's last steady fall (going into a
        defrost) or rise (coming out) began at, within the last minutes (the
        last of equal readings before it).  Not from the warmest reading of
        those minutes: a steady run's wobble can put that well before the
        turn, where it would excuse a rattle.
        """
        recent = self._recent
        if not watched or split is None:
            self.reversed = None
            recent.clear()
            return None
        while recent and recent[0][0] < now - _CROSS_LATE_S:
            recent.popleft()
        recent.append((now, split))
        reversed_now = split < -REVERSED_K
        before, self.reversed = self.reversed, reversed_now
        if before is None or before == reversed_now:
            return None
        sign = 1.0 if reversed_now else -1.0
        index = len(recent) - 1
        while index > 0 and sign * (recent[index - 1][1] - recent[index][1]) > 0.0:
            index -= 1
        return now - recent[index][0]
