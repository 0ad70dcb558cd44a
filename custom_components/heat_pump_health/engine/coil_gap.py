"""The outdoor coil's gap below the air in heating: a leak's second signature.

Short of refrigerant, the evaporator starves: the suction pressure falls and
the outdoor coil runs further below the air than it did at the same load and
weather.  Frost widens the gap too, and a defrost clears it, so the gap is
read only where no frost can hide in it (insufficient_heat chooses: a coil
above freezing, or the quarter hour after a defrost's recovery).  Its healthy
value is learned per outdoor band against power with the same power-law line
as the split (split_model: a gap, like a split, is a temperature difference
that grows with the load), and a one-sided CUSUM on log(gap / expected) says
when it has stayed clearly wider.  It never raises a fault alone (a probe can
drift, a fan slow down): it only corroborates a shortfall that the split or
the draw already leans towards.
"""

from __future__ import annotations

from collections.abc import Callable
import math
from typing import Any

from .split_model import SplitBand, load_bands, save_bands
from .stats import as_float, blend

# Gaps narrower than this are a unit barely working: a ratio says nothing.
_MIN_GAP_K = 1.0
# The healthy gap's memory, and the clean-coil time a band needs to be judged.
_TAU_S = 3 * 86400.0
_TRUSTED_S = 3 * 3600.0
# Up to a quarter wider than when healthy is weather and probes and adds
# nothing; beyond it the score grows by the excess per hour of clean coil,
# and at the alarm level the gap counts as wider (a gap half as wide again
# after about two hours).  Samples are clipped, and the score capped so that
# a repaired unit clears within hours.
_ALLOWANCE = math.log(1.25)
_ALARM = 0.5
_CAP = 1.0
_CLIP = 1.0
# The healthy gap learns only while the score stays below this share of the
# alarm, and only from gaps at most this much wider than it.
_LEARN_SHARE = 0.25
_LEARN_MAX = 1.1
_RECENT_TAU_S = 2 * 3600.0


class CoilGap:
    """The learned clean-coil gap per outdoor band, and how much wider it runs now."""

    __slots__ = ("_recent", "bands", "score")

    def __init__(self) -> None:
        self.bands: dict[int, SplitBand] = {}
        # CUSUM of log(gap / expected) beyond the allowance, log-units x hours.
        self.score = 0.0
        # The recent log(gap / expected), smoothed, for the evidence.
        self._recent: float | None = None

    def judge(self, band: int, gap: float, power: float, dt: float) -> float | None:
        """Fold in a clean-coil gap (K) at this power; the recent share of the healthy gap.

        None when it cannot be judged: a band not yet learned, a power it was
        not learned at, a gap too small to compare.
        """
        learned = self.bands.get(band)
        if (
            learned is None
            or learned.seconds < _TRUSTED_S
            or gap < _MIN_GAP_K
            or dt <= 0.0
            or not learned.covers(power)
        ):
            return None
        x = min(max(math.log(gap / learned.expected(power)), -_CLIP), _CLIP)
        self.score = min(max(self.score + (x - _ALLOWANCE) * dt / 3600.0, 0.0), _CAP)
        recent = self._recent
        self._recent = x if recent is None else recent + blend(dt, _RECENT_TAU_S) * (x - recent)
        return math.exp(self._recent)

    def learn(self, band: int, gap: float, power: float, dt: float) -> None:
        """Learn a healthy clean-coil gap, unless a wider gap is building."""
        if gap < _MIN_GAP_K or dt <= 0.0 or self.building:
            return
        learned = self.bands.get(band)
        if learned is None:
            learned = self.bands[band] = SplitBand()
        elif learned.seconds >= _TRUSTED_S and gap > _LEARN_MAX * learned.expected(power):
            # Wider than a healthy gap wanders: learning it would follow a
            # leak's slow start, before its score could build.
            return
        learned.add(gap, power, dt, _TAU_S)

    @property
    def wider(self) -> bool:
        """Whether the gap has stayed clearly wider than when healthy."""
        return self.score >= _ALARM

    @property
    def building(self) -> bool:
        """Whether a wider gap is building: nothing is learned meanwhile."""
        return self.score >= _LEARN_SHARE * _ALARM

    def reset(self) -> None:
        """Forget the learned gaps and the score."""
        self.bands.clear()
        self.score = 0.0
        self._recent = None

    def learned_dict(self) -> dict[str, Any]:
        """The learned gaps, JSON-serialisable."""
        return save_bands(self.bands)

    def load_learned(self, data: object, known: Callable[[int], bool]) -> None:
        """Restore the learned gaps of the bands ``known`` accepts, ignoring anything unusable."""
        self.bands.update(load_bands(data, known))

    def state_dict(self) -> dict[str, Any]:
        """The score, JSON-serialisable."""
        return {"score": round(self.score, 4)}

    def load_state(self, data: object) -> None:
        """Restore the score, ignoring anything unusable."""
        if isinstance(data, dict):
            score = as_float(data.get("score")) or 0.0
            self.score = min(max(score, 0.0), _CAP)
