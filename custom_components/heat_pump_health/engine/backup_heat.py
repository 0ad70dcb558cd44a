"""What the backup heater does: its share of the heating per outdoor band, and mild-weather runs.

A backup heater (an immersion or inline heater in a water circuit, electric
strips in an air handler) is there for weather colder than the heat pump
can carry alone, and for defrosts on some air units.  Its share of the
heating per outdoor band says where that point lies for this house.  A
backup heater that runs in mild weather, while the heat pump itself is
healthy, is no fault of the unit: a large set point step, an automation or
a hot-water disinfection cycle called it in.  It costs two to four times
what the heat pump would have, so it is worth showing.

The heater's heat is its electricity (it converts all of it); the heat
pump's is its electricity times its efficiency, which only a heat meter can
say.  The heater's share of the heat is therefore at most its share of the
energy, and that bound is what is shown when the heater's power is known.
"""

from __future__ import annotations

from collections import deque
import math
from typing import Any, Final

from .stats import DAY_S, HOUR_S, as_float

# The heating record covers this many days, a day at a time.
RECORD_DAYS: Final = 30
# Outdoor bands as wide as the split's (insufficient_heat.py), for one scale.
BAND_K: Final = 5.0
_BAND_LIMIT: Final = 8
# Above this outdoor temperature a heat pump sized for its house carries the
# load alone: the changeover (bivalent) points installers set lie between
# about -10 and +2 °C, and thermostats lock electric strips out above 2-4 °C.
MILD_C: Final = 5.0
# Minutes of mild-weather backup in the last day worth a word in the evidence
# (a short burst at a start-up is not).
MILD_MINUTES_SHOWN: Final = 10.0
# A heater reporting its power is running above this, W (standby electronics
# and a meter's zero offset stay below it).
RUNNING_W: Final = 50.0

# Per band and day: seconds heated (by either), seconds of backup, and the
# energies in kWh of the heat pump and of the heater (None: not measured).
_HEATED, _BACKUP, _UNIT_KWH, _BACKUP_KWH = range(4)
_J_PER_KWH: Final = 3_600_000.0


def band_of(outdoor: float) -> int:
    """The outdoor band's index (its lower edge over BAND_K)."""
    return max(-_BAND_LIMIT, min(_BAND_LIMIT, math.floor(outdoor / BAND_K)))


class BackupHeat:
    """The heater's running time and energy per outdoor band, day by day, and its mild runs."""

    __slots__ = ("_days", "_mild", "power_known")

    def __init__(self) -> None:
        # (day, band) -> [heated s, backup s, unit kWh, backup kWh]
        self._days: dict[tuple[int, int], list[float]] = {}
        # Mild-weather backup per hour: (hour index, seconds, coldest outdoor °C).
        self._mild: deque[tuple[int, float, float]] = deque()
        # The heater reports its power (not only on or off).
        self.power_known = False

    def tick(
        self,
        now: float,
        dt: float,
        *,
        backup_on: bool | None,
        backup_w: float | None,
        unit_running: bool | None,
        unit_w: float | None,
        outdoor: float | None,
        heating: bool | None,
        defrosting: bool,
    ) -> None:
        """Add the minute since the last tick to the record.

        Nothing is counted without an outdoor temperature (no band) or while
        the heater's state is unknown, and nothing in cooling service.
        """
        if dt <= 0.0 or backup_on is None or outdoor is None or heating is False:
            return
        if backup_w is not None:
            self.power_known = True
        day = math.floor(now / DAY_S)
        key = (day, band_of(outdoor))
        totals = self._days.get(key)
        if totals is None:
            self._forget_before(day - RECORD_DAYS + 1)
            totals = self._days[key] = [0.0, 0.0, 0.0, 0.0]
        if backup_on or unit_running:
            totals[_HEATED] += dt
        if unit_w is not None:
            totals[_UNIT_KWH] += unit_w * dt / _J_PER_KWH
        if backup_on:
            totals[_BACKUP] += dt
            if backup_w is not None:
                totals[_BACKUP_KWH] += backup_w * dt / _J_PER_KWH
            # Electric strips temper the air during a defrost by design.
            if outdoor >= MILD_C and not defrosting:
                self._add_mild(now, dt, outdoor)

    def _add_mild(self, now: float, dt: float, outdoor: float) -> None:
        hour = math.floor(now / HOUR_S)
        mild = self._mild
        if mild and mild[-1][0] == hour:
            _, seconds, coldest = mild[-1]
            mild[-1] = (hour, seconds + dt, min(coldest, outdoor))
        else:
            mild.append((hour, dt, outdoor))
        while mild and mild[0][0] <= hour - 24:
            mild.popleft()

    def _forget_before(self, day: int) -> None:
        for key in [key for key in self._days if key[0] < day]:
            del self._days[key]

    def mild_weather(self, now: float) -> dict[str, float] | None:
        """Minutes of backup in mild weather over the last day, and the coldest outdoor then.

        None when there were too few to mention.
        """
        hour = math.floor(now / HOUR_S)
        recent = [(seconds, coldest) for at, seconds, coldest in self._mild if at > hour - 24]
        minutes = sum(seconds for seconds, _ in recent) / 60.0
        if minutes < MILD_MINUTES_SHOWN:
            return None
        return {
            "backup_mild_minutes_24h": round(minutes),
            "backup_mild_outdoor_c": round(min(coldest for _, coldest in recent), 1),
        }

    def bands(self, now: float) -> list[dict[str, Any]]:
        """The last RECORD_DAYS days per outdoor band, coldest first."""
        first = math.floor(now / DAY_S) - RECORD_DAYS + 1
        sums: dict[int, list[float]] = {}
        for (day, band), totals in self._days.items():
            if day < first:
                continue
            into = sums.setdefault(band, [0.0, 0.0, 0.0, 0.0])
            for index, value in enumerate(totals):
                into[index] += value
        return [self._band_summary(band, sums[band]) for band in sorted(sums)]

    def _band_summary(self, band: int, totals: list[float]) -> dict[str, Any]:
        heated, backup, unit_kwh, backup_kwh = totals
        low = band * BAND_K
        summary: dict[str, Any] = {
            "outdoor_c": [
                None if band == -_BAND_LIMIT else low,
                None if band == _BAND_LIMIT else low + BAND_K,
            ],
            "heating_hours": round(heated / HOUR_S, 1),
            "backup_hours": round(backup / HOUR_S, 1),
            "backup_time_percent": round(100.0 * backup / heated, 1) if heated > 0.0 else None,
        }
        if self.power_known:
            total = unit_kwh + backup_kwh
            share = round(100.0 * backup_kwh / total, 1) if total > 0.0 else None
            summary |= {
                "heat_pump_kwh": round(unit_kwh, 1),
                "backup_kwh": round(backup_kwh, 1),
                "backup_energy_percent": share,
                # Its heat share is at most its energy share (see the docstring).
                "backup_heat_percent_at_most": share,
            }
        return summary

    def to_dict(self) -> dict[str, Any]:
        """The record, JSON-serialisable."""
        return {
            "days": [
                [day, band, *(round(value, 4) for value in totals)]
                for (day, band), totals in sorted(self._days.items())
            ],
            "mild": [[hour, round(seconds, 1), coldest] for hour, seconds, coldest in self._mild],
            "power_known": self.power_known,
        }

    def load(self, data: object) -> None:
        """Restore to_dict output; rows that do not fit are dropped."""
        if not isinstance(data, dict):
            return
        self.power_known = data.get("power_known") is True
        for row in data.get("days") or ():
            numbers = _numbers(row, 6)
            if numbers is None:
                continue
            day, band = int(numbers[0]), int(numbers[1])
            if abs(band) > _BAND_LIMIT or min(numbers[2:]) < 0.0:
                continue
            self._days[(day, band)] = numbers[2:]
        for row in data.get("mild") or ():
            numbers = _numbers(row, 3)
            if numbers is not None and numbers[1] >= 0.0:
                self._mild.append((int(numbers[0]), numbers[1], numbers[2]))


def _numbers(row: object, length: int) -> list[float] | None:
    """A stored row of ``length`` finite numbers, or None."""
    if not isinstance(row, list | tuple) or len(row) != length:
        return None
    numbers = [as_float(item) for item in row]
    if any(number is None for number in numbers):
        return None
    return [number for number in numbers if number is not None]
