"""Compressor starts, run lengths and the energy defrost takes, over the last day.

Counted from the running state the evaluator derives (power, a compressor
frequency or running sensor, or the thermostat's action).  A stop that comes
with a defrost and the restart after it are one run: reverse-cycle units pause
the compressor to swap the four-way valve, which is no cycle of the
thermostat.  Starts are the main wear indicator of a compressor: across 304
air-source systems monitored for a year, the median unit started 0.27 times
an hour and the 90th percentile 0.58; only 2.3 % averaged more than one.
"""

from __future__ import annotations

from collections import deque
import statistics
from typing import Any, Final

from .stats import HOUR_S, as_float, count_since

DAY_S: Final = 24 * 3600.0
# Starts per hour are shown once this much of the day has been watched: an
# hour's count says little of a unit that starts twice a day.
_MIN_WATCHED_S: Final = 3 * HOUR_S
# A stop this close before a defrost starts, or during one, and a restart
# within this long of it, are the defrost's pause, not a cycle.
DEFROST_PAUSE_S: Final = 15 * 60.0
# Energy per hour kept for the defrost share: a day of hours.
_HOURS: Final = 24
# Below this much energy in a day the defrost share is noise, Wh.
_MIN_DAY_WH: Final = 100.0
_MAX_KEPT: Final = 2000
# The day's figures stand this long between starts and stops, seconds.
_SUMMARY_STANDS_S: Final = 300.0  # starts or runs in a day: a fault beyond any real cycling


class Cycles:
    """Starts and completed runs of the compressor, and energy by defrost, for a day."""

    __slots__ = (
        "_day_first",
        "_day_wh",
        "_energy",
        "_last_stop",
        "_paused_at",
        "_summary",
        "_summary_at",
        "_summary_key",
        "_unseen_start",
        "run_start",
        "runs",
        "starts",
        "watched_since",
    )

    def __init__(self) -> None:
        self.starts: deque[float] = deque(maxlen=_MAX_KEPT)
        # Completed runs as (start, stop).
        self.runs: deque[tuple[float, float]] = deque(maxlen=_MAX_KEPT)
        # Start of the current run (when first seen, if it was running then).
        self.run_start: float | None = None
        # The current run was already going when first seen: its length is
        # unknown, so it is no run in the median.
        self._unseen_start = False
        # The last stop as (run start, stop, start unseen): a defrost that
        # begins just after it makes it a pause.
        self._last_stop: tuple[float, float, bool] | None = None
        # A stop that may be a defrost's pause: when it happened.
        self._paused_at: float | None = None
        # Since when the running state has been known.
        self.watched_since: float | None = None
        # Per hour (index = epoch hour): [all Wh, defrost Wh].
        self._energy: dict[int, list[float]] = {}
        # The diagnostics' figures as last worked out (see summary).
        self._summary: dict[str, float | None] | None = None
        self._summary_key: tuple[int, int, float | None, bool] = (0, 0, None, False)
        self._summary_at = 0.0
        # The last day's sums, and the first hour they count from.
        self._day_wh: list[float] | None = None
        self._day_first = 0

    # -- what happens ---------------------------------------------------------

    def started(self, now: float) -> None:
        """The compressor started (it was seen stopped before)."""
        if self._paused_at is not None and now - self._paused_at <= DEFROST_PAUSE_S:
            # The restart after a defrost's pause: the same run goes on.
            self._paused_at = None
            return
        self._close_pause()
        self.run_start = now
        self._unseen_start = False
        self.starts.append(now)

    def running_when_seen(self, now: float) -> None:
        """The compressor was running when its state became known: a run of unknown start."""
        self.run_start = now
        self._unseen_start = True

    def stopped(self, now: float, *, defrosting: bool) -> None:
        """The compressor stopped; ``defrosting``: a defrost is under way."""
        if self.run_start is None:
            return
        if defrosting:
            self._paused_at = now
            return
        if not self._unseen_start:
            self.runs.append((self.run_start, now))
        self._last_stop = (self.run_start, now, self._unseen_start)
        self.run_start = None

    def defrost_started(self, now: float) -> None:
        """A defrost began: a stop just before it was the defrost's pause."""
        if self._paused_at is not None or self.run_start is not None:
            return
        if self._last_stop is not None and now - self._last_stop[1] <= DEFROST_PAUSE_S:
            start, stop, unseen = self._last_stop
            if not unseen:
                self.runs.pop()
            self.run_start = start
            self._unseen_start = unseen
            self._paused_at = stop

    def watch(self, now: float, *, known: bool) -> None:
        """Note whether the running state is known at ``now``."""
        if not known:
            return
        if self.watched_since is None:
            self.watched_since = now

    def tick(self, now: float, dt: float, *, power: float | None, defrosting: bool) -> None:
        """Count this interval's energy and close a pause that was not a defrost's after all."""
        if self._paused_at is not None and now - self._paused_at > DEFROST_PAUSE_S:
            self._close_pause()
        if power is not None and dt > 0.0:
            hour = int(now // HOUR_S)
            bucket = self._energy.get(hour)
            if bucket is None:
                # A new hour: the one a day before it leaves the window.
                for old in [h for h in self._energy if h <= hour - _HOURS]:
                    del self._energy[old]
                bucket = self._energy[hour] = [0.0, 0.0]
                self._day_wh = None
            wh = max(power, 0.0) * dt / HOUR_S
            bucket[0] += wh
            if defrosting:
                bucket[1] += wh
            if self._day_wh is not None:
                self._day_wh[0] += wh
                if defrosting:
                    self._day_wh[1] += wh

    def _close_pause(self) -> None:
        if self._paused_at is not None and self.run_start is not None:
            if not self._unseen_start:
                self.runs.append((self.run_start, self._paused_at))
            self.run_start = None
        self._paused_at = None

    # -- what it adds up to ---------------------------------------------------

    def starts_since(self, since: float) -> int:
        """Starts at or after ``since``."""
        return count_since(self.starts, since)

    def runs_since(self, since: float) -> list[float]:
        """Lengths (s) of the runs that ended at or after ``since``."""
        lengths: list[float] = []
        for start, stop in reversed(self.runs):
            if stop < since:
                break
            lengths.append(stop - start)
        return lengths

    def paused_s(self, since: float, now: float, *, longer_than: float) -> float:
        """Seconds since ``since`` in stops that lasted longer than ``longer_than``.

        A stop that long is the call pausing, not the controls waiting out
        their timers before the next start.
        """
        paused = 0.0
        # Walked back from now: the end of the stop being measured.
        stop_end = now if self.run_start is None else max(self.run_start, since)
        for start, stop in reversed(self.runs):
            if stop_end <= since:
                break
            gap = stop_end - max(stop, since)
            if stop_end - stop > longer_than and gap > 0.0:
                paused += gap
            stop_end = start
        if stop_end - since > longer_than:
            # The window began in a stop whose start is not kept.
            paused += stop_end - since
        return paused

    def watched(self, now: float) -> float:
        """Seconds of the last day in which the running state was known."""
        if self.watched_since is None:
            return 0.0
        return min(max(now - self.watched_since, 0.0), DAY_S)

    def starts_per_hour(self, now: float) -> float | None:
        """Mean starts an hour over the last day (or as much of it as was watched)."""
        watched = self.watched(now)
        if watched < _MIN_WATCHED_S:
            return None
        return self.starts_since(now - watched) / (watched / HOUR_S)

    def median_run_minutes(self, now: float) -> float | None:
        """Median length of the runs that ended within the last day, minutes."""
        lengths = self.runs_since(now - DAY_S)
        if not lengths:
            return None
        return statistics.median(lengths) / 60.0

    def defrost_energy_share(self, now: float) -> float | None:
        """Share of the last day's energy that went into defrosts, 0..1."""
        first = int(now // HOUR_S) - _HOURS + 1
        if self._day_wh is None or self._day_first != first:
            # Added up again once an hour; kept up to date in between.
            self._day_first = first
            self._day_wh = [0.0, 0.0]
            for hour, (all_wh, defrost_wh) in self._energy.items():
                if hour >= first:
                    self._day_wh[0] += all_wh
                    self._day_wh[1] += defrost_wh
        total, defrost = self._day_wh
        if total < _MIN_DAY_WH:
            return None
        return defrost / total

    def summary(self, now: float, *, defrost_known: bool) -> dict[str, float | None]:
        """The day's figures for the diagnostics.

        Worked out again when a run starts or stops and every few minutes
        between: they move slowly, and a tick comes every minute.
        """
        key = (len(self.starts), len(self.runs), self.run_start, defrost_known)
        if (
            self._summary is not None
            and self._summary_key == key
            and now - self._summary_at < (_SUMMARY_STANDS_S)
        ):
            return self._summary
        share = self.defrost_energy_share(now) if defrost_known else None
        per_hour = self.starts_per_hour(now)
        median = self.median_run_minutes(now)
        self._summary = {
            "starts_per_hour": None if per_hour is None else round(per_hour, 2),
            "median_run_minutes": None if median is None else round(median, 1),
            "defrost_energy_percent": None if share is None else round(100.0 * share, 1),
        }
        self._summary_key = key
        self._summary_at = now
        return self._summary

    # -- persistence ----------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable form."""
        return {
            "starts": [round(start, 1) for start in self.starts],
            "runs": [[round(start, 1), round(stop, 1)] for start, stop in self.runs],
            "run_start": self.run_start,
            "unseen_start": self._unseen_start,
            "paused_at": self._paused_at,
            "watched_since": self.watched_since,
            "energy": {
                str(hour): [round(v, 3) for v in pair] for hour, pair in self._energy.items()
            },
        }

    def load(self, data: object) -> None:
        """Restore from to_dict output, ignoring anything unusable."""
        if not isinstance(data, dict):
            return
        starts = data.get("starts")
        if isinstance(starts, list):
            self.starts.extend(v for v in (as_float(item) for item in starts) if v is not None)
        runs = data.get("runs")
        if isinstance(runs, list):
            for item in runs:
                if isinstance(item, list) and len(item) == 2:
                    start, stop = as_float(item[0]), as_float(item[1])
                    if start is not None and stop is not None and stop >= start:
                        self.runs.append((start, stop))
        self.run_start = as_float(data.get("run_start"))
        self._unseen_start = data.get("unseen_start") is True
        self._paused_at = as_float(data.get("paused_at"))
        self.watched_since = as_float(data.get("watched_since"))
        energy = data.get("energy")
        if isinstance(energy, dict):
            for hour, pair in energy.items():
                if isinstance(hour, str) and hour.isdigit() and isinstance(pair, list):
                    values = [as_float(v) for v in pair[:2]]
                    if len(values) == 2 and None not in values:
                        self._energy[int(hour)] = [float(v or 0.0) for v in values]
