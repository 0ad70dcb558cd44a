"""Electrical draw per kelvin of heating: a lost capacity the split cannot show.

A unit with capacity to spare answers a refrigerant leak by running faster
or longer: the heat it delivers, and so its supply-return split, stay what
the house needs, while the power it takes for it rises.  Over a day, the
energy drawn per kelvin-hour of indoor-outdoor difference is the house's heat
loss divided by the unit's efficiency; the house does not change, so a rise
of that ratio against this unit's own healthy days, at a similar outdoor
temperature, is the unit doing worse.  The reference is a line of the daily
log ratio against the day's mean outdoor temperature (a unit is less
efficient in the cold), so that a colder week is not a worse unit.  Sun and
appliances move the ratio from day to day, so it is judged over whole days,
against an allowance, with a one-sided CUSUM: days of a clearly higher draw
raise the score, ordinary ones bring it back down.
"""

from __future__ import annotations

from collections import deque
import math
from typing import Any

from .stats import HOUR_S, as_float, stored_count

_WINDOW_HOURS = 24
# A day counts when heating was possible for half of it or more (a schedule
# that switches the heating off while out repeats every day) and the house
# was clearly warmer than outside (else the ratio is noise over nothing).
_MIN_WINDOW_S = 12 * HOUR_S
_MIN_KELVIN_HOURS = 12 * 4.0
# A day with the room well short of its target for longer than this share of
# it is not judged: the unit was at its capacity or held off.
_MAX_SHORT_SHARE = 0.15
# The line's slope (log-units per K) within what heat pumps show: the ratio
# falls as it gets milder (a better efficiency), by 0-6 % a kelvin; 3 % until
# the days have spread enough to learn it.
_SLOPE_RANGE = (-0.06, 0.0)
_DEFAULT_SLOPE = -0.03
_MIN_SPREAD_K2 = 4.0
# The line is trusted this far beyond the temperatures it was learned at.
_REACH_K = 4.0
# The reference: days of memory (in hourly updates of the daily ratio), and
# the updates it needs before it judges.  Its first day's windows overlap
# into one day and a half of weather: a reference from them took a healthy
# week's ordinary days for a fifth more draw (leak home 49, two days before
# its leak).  Three days of updates span three and a half days of weather
# and more.
_REFERENCE_UPDATES = 7 * 24
_TRUSTED_UPDATES = 3 * 24
# Days drawing up to this much more than the reference are ordinary; beyond
# it each hourly update adds its excess as a 24th of a day, and this many
# log-unit days raise it.  A third more draw, every day, raises it within
# about half a day of the window showing it; a sunless day after a sunny
# week adds a little and is taken back.
_ALLOWANCE = math.log(1.15)
_ALARM = 0.08
_CAP = 0.3
_LEARN_SHARE = 0.25
# Leaning: every hourly update for a day and more at this share or above.
_LEANING_SHARE = 1.10
_LEANING_UPDATES = 24


class DrawPerKelvin:
    """The daily energy per kelvin-hour, its healthy reference and the rise score."""

    __slots__ = ("_bucket", "_bucket_start", "_hours", "leaning_hours", "refs", "score", "share")

    def __init__(self) -> None:
        # The current hour: (Wh, K·h, outdoor °C·s, seconds, seconds short).
        self._bucket = [0.0, 0.0, 0.0, 0.0, 0.0]
        self._bucket_start: float | None = None
        self._hours: deque[tuple[float, ...]] = deque(maxlen=_WINDOW_HOURS)
        # The reference line: means of x = log ratio, t = outdoor °C, t², x·t,
        # over this many updates.
        self.refs: dict[str, float] = {}
        self.score = 0.0
        # The last judged 24 hours' ratio against the reference (1 = as when
        # healthy), and for how many hourly updates in a row it has been at
        # least _LEANING_SHARE (a window that does not qualify ends the run).
        self.share: float | None = None
        self.leaning_hours = 0

    def add(
        self,
        now: float,
        dt: float,
        *,
        power: float | None,
        inside: float | None,
        outdoor: float | None,
        short: bool,
        learn: bool,
    ) -> None:
        """Fold in dt seconds of heating service (power W, inside and outdoor °C).

        ``short``: the room is well below its target (the unit at its
        capacity, or held off): the draw then says what the unit can do, not
        how well it does it.
        """
        if self._bucket_start is None:
            self._bucket_start = now
        if now - self._bucket_start >= HOUR_S:
            self._close_hour(learn=learn)
            self._bucket_start = now
        if dt <= 0.0 or power is None or inside is None or outdoor is None:
            return
        bucket = self._bucket
        bucket[0] += power * dt / HOUR_S
        bucket[1] += max(inside - outdoor, 0.0) * dt / HOUR_S
        bucket[2] += outdoor * dt
        bucket[3] += dt
        bucket[4] += dt if short else 0.0

    def _close_hour(self, *, learn: bool) -> None:
        self._hours.append(tuple(self._bucket))
        self._bucket = [0.0, 0.0, 0.0, 0.0, 0.0]
        energy = sum(hour[0] for hour in self._hours)
        kelvin_hours = sum(hour[1] for hour in self._hours)
        seconds = sum(hour[3] for hour in self._hours)
        short = sum(hour[4] for hour in self._hours)
        if (
            seconds < _MIN_WINDOW_S
            or kelvin_hours < _MIN_KELVIN_HOURS
            or energy <= 0.0
            or short > _MAX_SHORT_SHARE * seconds
        ):
            self.leaning_hours = 0
            return
        outdoor = sum(hour[2] for hour in self._hours) / seconds
        x = math.log(energy / kelvin_hours)
        expected = self.expected(outdoor)
        if expected is not None:
            excess = x - expected
            self.share = math.exp(excess)
            step = (excess - _ALLOWANCE) / _WINDOW_HOURS
            self.score = min(max(self.score + step, 0.0), _CAP)
        else:
            self.share = None
            if self.refs.get("n", 0.0) < _TRUSTED_UPDATES:
                # No score stands without a trusted reference: one kept from
                # a reference an earlier release trusted sooner would stop the
                # learning that could ever make this one trusted.
                self.score = 0.0
        leaning = self.share is not None and self.share >= _LEANING_SHARE
        self.leaning_hours = self.leaning_hours + 1 if leaning else 0
        if learn and self.score < _LEARN_SHARE * _ALARM:
            self._learn(x, outdoor)

    def _learn(self, x: float, t: float) -> None:
        refs = self.refs
        count = min(refs.get("n", 0.0) + 1.0, _REFERENCE_UPDATES)
        for name, value in (("x", x), ("t", t), ("tt", t * t), ("xt", x * t)):
            mean = refs.get(name, value)
            refs[name] = mean + (value - mean) / count
        refs["n"] = count

    def expected(self, outdoor: float) -> float | None:
        """The log ratio this unit showed on healthy days at this outdoor temperature."""
        refs = self.refs
        if refs.get("n", 0.0) < _TRUSTED_UPDATES:
            return None
        variance = refs["tt"] - refs["t"] ** 2
        if abs(outdoor - refs["t"]) > 2.0 * math.sqrt(max(variance, 0.0)) + _REACH_K:
            return None
        slope = _DEFAULT_SLOPE
        if variance >= _MIN_SPREAD_K2:
            slope = (refs["xt"] - refs["x"] * refs["t"]) / variance
            slope = min(max(slope, _SLOPE_RANGE[0]), _SLOPE_RANGE[1])
        return refs["x"] + slope * (outdoor - refs["t"])

    @property
    def risen(self) -> bool:
        """Whether the draw per kelvin has stayed well above its reference."""
        return self.score >= _ALARM

    @property
    def leaning(self) -> bool:
        """Whether the draw has stayed a little above its reference for a day and more.

        Short of the alarm, and never enough alone: one sunless, windy day
        keeps the window's share up for less than a day of updates.
        """
        return self.leaning_hours >= _LEANING_UPDATES

    @property
    def rising(self) -> bool:
        """Whether the score is half way there."""
        return self.score >= 0.5 * _ALARM

    def reset(self) -> None:
        """Forget the reference and the score."""
        self.refs.clear()
        self.score = 0.0
        self.share = None
        self.leaning_hours = 0

    def learned_dict(self) -> dict[str, Any]:
        """The reference line's moments, JSON-serialisable."""
        return {name: round(value, 6) for name, value in self.refs.items()}

    def load_learned(self, data: object) -> None:
        """Restore the reference, ignoring anything unusable."""
        if not isinstance(data, dict):
            return
        values = {name: as_float(data.get(name)) for name in ("n", "x", "t", "tt", "xt")}
        n, x, t, tt = values["n"], values["x"], values["t"], values["tt"]
        if any(value is None for value in values.values()) or n is None or n < 1.0:
            return
        # Logs of watts per kelvin and outdoor temperatures: anything else is not ours.
        if x is None or t is None or tt is None or not (-5.0 < x < 10.0 and -50.0 < t < 50.0):
            return
        if tt < t * t - 1e-6:
            return
        self.refs = {name: float(value or 0.0) for name, value in values.items()}
        self.refs["n"] = min(n, _REFERENCE_UPDATES)

    def state_dict(self) -> dict[str, Any]:
        """The day being gathered and the score, JSON-serialisable."""
        return {
            "score": round(self.score, 5),
            "leaning_hours": self.leaning_hours,
            "hours": [[round(value, 3) for value in hour] for hour in self._hours],
        }

    def load_state(self, data: object) -> None:
        """Restore the state, ignoring anything unusable."""
        if not isinstance(data, dict):
            return
        score = as_float(data.get("score"))
        if score is not None:
            self.score = min(max(score, 0.0), _CAP)
        self.leaning_hours = stored_count(data.get("leaning_hours"))
        hours = data.get("hours")
        if isinstance(hours, list):
            for hour in hours[-_WINDOW_HOURS:]:
                values = [as_float(value) for value in hour] if isinstance(hour, list) else []
                if len(values) == len(self._bucket) and all(v is not None for v in values):
                    self._hours.append(tuple(float(v or 0.0) for v in values))
