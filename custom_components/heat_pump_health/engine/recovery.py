"""A recovery from a set-up, and how wide this unit's split runs in one when healthy.

When the heating target rises (a morning's set-up, heating switched back
on), the room is well short and the unit runs as hard as it can.  An
inverter then shows a split its quieter hours never did, and behind an energy
counter, which cannot say the load, that looks like the wide split of a
clogged filter.  So insufficient_heat does not judge a wide split there until
the room has come within reach of its target.  A clogged filter's room never
does, though, and the recovery would cover the fault for as long as it lasts.

So the widest split each healthy recovery showed is learned, as a share of
the band's typical split, per outdoor band (a milder day's recovery runs
further above its smaller typical split), from recoveries that ran long
enough for an inverter to wind up, with how far below its target the room
was and the coldest weather they ran in.  Once one in a band has been seen
to end well, a later recovery there from no further below and in weather no
colder is judged after all, as any hour is, with that share of the typical
split in place of the typical split: a fixed-speed unit, whose recoveries
run no wider than its ordinary runs, as in any other hour; an inverter with
the room its own recoveries took.  A recovery that did not end well (the
target fell again before the room got there, or a fault was building
meanwhile) teaches nothing.
"""

from __future__ import annotations

from collections.abc import Callable
import math
from typing import Any

from .stats import as_float, blend, stored_count

# A rise of the heating target this large starts a recovery, over once an
# hour has passed and the room is within this much of its target.
CALL_STEP_K = 0.5
_MIN_RECOVERY_S = 3600.0
_RECOVERED_K = 1.0
# The split's share is smoothed over this long before its peak is taken: a
# reading or two caught just after a defrost is not the recovery's width.
_SMOOTHING_S = 15 * 60.0
# A peak counts once the smoothed share has had this much steady running.
_SETTLED_S = _SMOOTHING_S
# A recovery teaches a band its width only with this much steady running
# there: long enough for an inverter to have wound up to what a set-up asks.
_TEACHING_S = 30 * 60.0
# A recovery is judged only as far as one that ended well reached: with the
# room no further below its target than it was in them (give or take a
# thermostat's half-degree display).  An inverter under a room thermostat's
# control answers a larger set-up by running harder, and a house cold after
# days off returns colder air or water, which widens the split further still.
_DEFICIT_REACH_K = 0.5
# Nor in weather more than this much colder than they ran in: a backup heater
# the owner did not pick is let in below some outdoor temperature, and its
# heat in the supply widens the split as much as a clogged filter does.
_COLD_REACH_K = 1.0
# Peaks outside these are not a split's share, deficits not a room's,
# temperatures not the weather's (a sensor's garbage).
_MAX_SHARE = 5.0
_MAX_DEFICIT_K = 50.0
_MAX_OUTDOOR_C = 60.0


class Recovery:
    """The call for heat's rises, and the healthy width of the recoveries they start."""

    __slots__ = ("_call", "_deficit", "_peaks", "_spoiled", "learned", "rose_at")

    def __init__(self) -> None:
        # The heating target asked for (-inf: not heating), and when it last rose.
        self._call: float | None = None
        self.rose_at: float | None = None
        # This recovery's smoothed share, steady seconds, peak share and
        # coldest outdoor temperature (°C, inf: none), per outdoor band.
        self._peaks: dict[int, tuple[float, float, float, float]] = {}
        # A fault was suspect or building during this recovery: it teaches nothing.
        self._spoiled = False
        # How far below its target the room has been in this recovery, K.
        self._deficit = 0.0
        # Per band, of the healthy recoveries seen: the widest smoothed share,
        # how many, how far below its target the room was at most in them, and
        # the coldest outdoor temperature they ran in (inf: none known).
        self.learned: dict[int, tuple[float, int, float, float]] = {}

    def follow(self, now: float, *, mode: str | None, target: float | None) -> None:
        """Note a rise of the call for heat: a set-up, or heating switched on."""
        if mode is None:
            return
        call = target if mode == "heat" else -math.inf
        if call is None:
            return
        previous = self._call
        if previous is not None and call >= previous + CALL_STEP_K:
            self._start(now)
        elif previous is not None and call < previous:
            # The target fell back before the room got there: the recovery
            # goes on towards the new one, but says nothing of how wide a
            # recovery that ends well runs.
            self._spoiled = True
        self._call = call

    def _start(self, now: float) -> None:
        self._forget()
        self.rose_at = now

    def _forget(self) -> None:
        self.rose_at = None
        self._peaks = {}
        self._spoiled = False
        self._deficit = 0.0

    def active(self, now: float, deficit: float | None) -> bool:
        """Whether the room is still recovering; one that has ended well is learned from."""
        rose = self.rose_at
        if rose is None:
            return False
        if deficit is not None:
            self._deficit = max(self._deficit, deficit)
        if now - rose >= _MIN_RECOVERY_S and (deficit is None or deficit <= _RECOVERED_K):
            if deficit is not None and not self._spoiled:
                self._learn()
            self._forget()
            return False
        return True

    def observe(
        self, band: int, share: float, dt: float, *, outdoor: float | None, suspect: bool
    ) -> None:
        """Fold in a steady split's share of the band's typical split during the recovery."""
        if self.rose_at is None or dt <= 0.0:
            return
        if suspect:
            self._spoiled = True
        if not 0.0 < share < _MAX_SHARE:
            return
        smoothed, seconds, peak, coldest = self._peaks.get(band, (share, 0.0, 0.0, math.inf))
        smoothed += blend(dt, _SMOOTHING_S) * (share - smoothed)
        seconds += dt
        if seconds >= _SETTLED_S:
            peak = max(peak, smoothed)
        if outdoor is not None:
            coldest = min(coldest, outdoor)
        self._peaks[band] = (smoothed, seconds, peak, coldest)

    def _learn(self) -> None:
        for band, (_, seconds, peak, coldest) in self._peaks.items():
            if seconds < _TEACHING_S or peak <= 0.0:
                continue
            widest, count, deficit, cold = self.learned.get(band, (0.0, 0, 0.0, math.inf))
            self.learned[band] = (
                max(widest, peak),
                count + 1,
                max(deficit, self._deficit),
                min(cold, coldest),
            )

    def widening(self, band: int, outdoor: float | None) -> float | None:
        """The widest share of the typical split this band's healthy recoveries showed.

        None until one has ended well there, and for a recovery from further
        below the target, or in colder weather, than they reached.
        """
        learned = self.learned.get(band)
        if learned is None:
            return None
        widest, _, deficit, coldest = learned
        if self._deficit > deficit + _DEFICIT_REACH_K:
            return None
        if outdoor is not None and outdoor < coldest - _COLD_REACH_K:
            return None
        return widest

    def reset(self) -> None:
        """Forget what recoveries taught (the splits they were shares of are gone)."""
        self.learned.clear()
        self._forget()

    def learned_dict(self) -> dict[str, Any]:
        """The learned widths per band, JSON-serialisable."""
        return {
            str(band): [
                round(widest, 4),
                count,
                round(deficit, 2),
                None if math.isinf(coldest) else round(coldest, 2),
            ]
            for band, (widest, count, deficit, coldest) in sorted(self.learned.items())
        }

    def load_learned(self, data: object, known: Callable[[int], bool]) -> None:
        """Restore the learned widths of the bands ``known`` accepts, ignoring anything unusable."""
        if not isinstance(data, dict):
            return
        for key, value in data.items():
            try:
                band = int(key)
            except TypeError, ValueError:
                continue
            if not known(band) or not isinstance(value, list) or len(value) != 4:
                continue
            widest, count, deficit = as_float(value[0]), stored_count(value[1]), as_float(value[2])
            coldest = math.inf if value[3] is None else as_float(value[3])
            if (
                widest is not None
                and 0.0 < widest < _MAX_SHARE
                and count > 0
                and deficit is not None
                and 0.0 <= deficit < _MAX_DEFICIT_K
                and coldest is not None
                and (math.isinf(coldest) or abs(coldest) < _MAX_OUTDOOR_C)
            ):
                self.learned[band] = (widest, count, deficit, coldest)
