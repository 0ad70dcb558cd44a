"""How often the sources report: the time resolution every timed rule has to respect.

A local board reports within seconds of a change; a cloud integration polls
every 5 to 30 minutes, and Home Assistant records a state only when it
changes.  A defrost seen through a 10-minute poll can look up to 10 minutes
longer than it was, and a coil read every 15 minutes misses the warm peak of
a 6-minute defrost.  The gaps between a source's reports measure this.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from .model import InputKey

# Recent gaps kept per source: enough for a stable quartile, few enough to
# follow a change of polling (day and night cadences of Daikin Onecta).
_GAPS = 16
# Fewer gaps than this say nothing yet: two polls show a cloud's interval.
_MIN_GAPS = 2
# A longer silence is an outage or a quiet signal, not the polling interval.
_MAX_GAP_S = 3 * 3600.0
# Reports of the unit's measurements this soon after the first of a fetch are
# that fetch, seconds: a cloud integration writes each entity of one poll
# after the other, microseconds to seconds apart (several requests in turn).
# A live unit's reports merge too, into gaps of about this much, far finer
# than any rule needs.
FETCH_S = 15.0
# Measurements: they change at nearly every report, so their gaps are the
# polling interval (a defrost switch or a thermostat changes rarely).
MEASUREMENTS = frozenset(
    {
        InputKey.POWER,
        InputKey.COIL_TEMPERATURE,
        InputKey.OUTDOOR_TEMPERATURE,
        InputKey.SUPPLY_TEMPERATURE,
        InputKey.RETURN_TEMPERATURE,
        InputKey.NOISE,
    }
)


# Not worked out yet (None is an answer: too few gaps).
_UNKNOWN: Any = object()


def _lower_quartile(gaps: deque[float] | None) -> float | None:
    """The lower quartile of recent gaps; None while there are too few."""
    if gaps is None or len(gaps) < _MIN_GAPS:
        return None
    ordered = sorted(gaps)
    return ordered[len(ordered) // 4]


class Cadence:
    """The reporting interval of each source, from the gaps between its reports."""

    __slots__ = (
        "_gaps",
        "_known",
        "_last",
        "_shown",
        "_unit_gaps",
        "_unit_last",
        "measured",
    )

    def __init__(self, configured: frozenset[InputKey] = frozenset()) -> None:
        self._last: dict[InputKey, float] = {}
        self._gaps: dict[InputKey, deque[float]] = {}
        # The same over every measurement of the unit together: a poll brings
        # them all at one instant, a live unit's changes come apart.
        self._unit_last: float | None = None
        self._unit_gaps: deque[float] = deque(maxlen=_GAPS)
        # Intervals worked out since the gaps last changed (None as the key:
        # the unit's), and the diagnostics' dict: rules ask several times a
        # minute, and a steady poll rarely changes them.
        self._known: dict[InputKey | None, float | None] = {}
        self._shown: dict[str, Any] | None = None
        # The configured measurements (noise aside) that show the unit's sampling.
        self.measured = configured & MEASUREMENTS - {InputKey.NOISE}

    def seen(self, key: InputKey, at: float) -> None:
        """Note a report of ``key`` at ``at``."""
        last = self._last.get(key)
        self._last[key] = at
        if last is None:
            self._shown = None  # a new source in the diagnostics
        elif 0.0 < at - last <= _MAX_GAP_S:
            self._add(key, self._gaps.setdefault(key, deque(maxlen=_GAPS)), at - last)
        if key not in self.measured:
            return
        # The first report of the last fetch.
        unit_last = self._unit_last
        if unit_last is None or at - unit_last > FETCH_S:
            self._unit_last = at
            if unit_last is not None and at - unit_last <= _MAX_GAP_S:
                self._add(None, self._unit_gaps, at - unit_last)

    def _add(self, key: InputKey | None, gaps: deque[float], gap: float) -> None:
        """Append a gap; forget the interval worked out unless the gaps stay the same."""
        # A full window that drops the very gap it gains keeps its quartile:
        # the usual case of a steady poll.
        unchanged = len(gaps) == gaps.maxlen and gaps[0] == gap
        gaps.append(gap)
        if unchanged:
            return
        before = self._known.pop(key, _UNKNOWN)
        if key is None or self._shown is None:
            return
        # The diagnostics' dict changes only if this source's interval does;
        # the interval worked out to tell is kept for the next to ask.
        interval = self._known[key] = _lower_quartile(gaps)
        if before is _UNKNOWN or interval != before:
            self._shown = None

    def interval(self, key: InputKey) -> float | None:
        """The source's usual interval between reports, seconds; None until known.

        The lower quartile: a polled source reports at most once a poll, and
        an unchanged value skips polls, so the short gaps are the poll.
        """
        known = self._known
        if key in known:
            return known[key]
        interval = known[key] = _lower_quartile(self._gaps.get(key))
        return interval

    def last_report(self, key: InputKey) -> float | None:
        """When ``key`` last reported; None if it never has."""
        return self._last.get(key)

    def unit_interval(self) -> float | None:
        """How finely the unit's data is sampled: the usual gap between any two of its reports.

        Integrations fetch all of a unit's data together, so a cloud poll
        shows as reports bunched within seconds, one poll apart; a live unit
        reports each change as it comes.
        """
        known = self._known
        if None in known:
            return known[None]
        interval = known[None] = _lower_quartile(self._unit_gaps)
        return interval

    def finer_than(self, limit_s: float) -> bool:
        """Whether the unit's data is sampled at least every ``limit_s``, as far as known.

        A source that reports only on change and holds a steady value shows
        no gaps at all: unknown sampling is taken to be fine, and a coarse
        poll shows itself within its first three reports.
        """
        interval = self.unit_interval()
        return interval is None or interval <= limit_s

    def proven_finer_than(self, limit_s: float) -> bool:
        """Whether the unit's data is known to be sampled at least every ``limit_s``.

        For rules that judge a single reading: until two gaps have shown the
        interval (minutes for a live unit, an hour for a cloud polling every
        half hour, again after every restart), its readings could be half
        an hour apart.
        """
        interval = self.unit_interval()
        return interval is not None and interval <= limit_s

    def coarser_than(self, key: InputKey, limit_s: float) -> bool:
        """Whether ``key`` is known to report less often than every ``limit_s``."""
        interval = self.interval(key)
        return interval is not None and interval > limit_s

    def to_dict(self) -> dict[str, Any]:
        """Each source's interval in seconds (None: not known yet), for the diagnostics.

        The same dict until an interval changes: callers must not change it.
        """
        if self._shown is None:
            shown: dict[str, Any] = {}
            for key in sorted(self._last, key=lambda item: item.value):
                interval = self.interval(key)
                shown[key.value] = None if interval is None else round(interval, 1)
            self._shown = shown
        return self._shown
