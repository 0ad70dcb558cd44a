"""A coil held warm while the unit heats: a defrost no source reports, timed by the coil.

Heating, the outdoor coil runs colder than the air.  A defrost reverses the
cycle and warms it well above the air (to +10 °C or more), and once the
defrost ends the coil falls back below the air within a minute or two.
Where nothing says when a defrost runs (no defrost state, a thermostat
without that action), a coil held several kelvins above the air while the
unit runs in heating is that defrost.  Its warm spell is shorter than the
defrost (the first minutes, while the coil climbs to the air and melts the
ice, do not count), so a spell past a defrost's longest is surely one.

Only a probe that has shown it sits on the outdoor coil is believed: one
seen running clearly colder than the air while heating (the ice rule's
learned working gap).  A probe on a hot pipe would read warm all the time.
"""

from __future__ import annotations

from typing import Any

from .stats import as_float

# A coil this much warmer than the air has had its cycle reversed, K: more
# than the sun warms an idle coil's probe, much less than a defrost's peak.
# Stricter than the evaluator's 2 K swing that forgives the valve's bang: a
# missed excuse costs a noise burst, a wrong defrost here raises a fault.
WARM_COIL_K = 5.0
# The working gap (air minus coil, heating) a probe must have shown, K.
OUTDOOR_COIL_GAP_K = 2.0
# A warm spell shorter than this is no defrost (the shortest last minutes).
_MIN_SPELL_S = 2 * 60.0


class WarmCoil:
    """How long the outdoor coil has been held above the air while the unit heats."""

    __slots__ = ("last_end", "last_minutes", "since")

    def __init__(self) -> None:
        self.since: float | None = None
        # When the last warm spell ended, and how long it lasted.
        self.last_end: float | None = None
        self.last_minutes: float | None = None

    def follow(self, now: float, *, warm: bool | None) -> None:
        """Note whether the coil is warm now; None: cannot say (the spell is dropped)."""
        if warm is None:
            self.since = None
            return
        if warm:
            if self.since is None:
                self.since = now
            return
        since = self.since
        self.since = None
        if since is not None and now - since >= _MIN_SPELL_S:
            # A blip (a sun-warmed coil at a start) is no defrost: it
            # neither times one nor clears a long one.
            self.last_end = now
            self.last_minutes = round((now - since) / 60.0, 1)

    def minutes(self, now: float) -> float | None:
        """Length of the warm spell under way, minutes (None: none)."""
        if self.since is None:
            return None
        return max(now - self.since, 0.0) / 60.0

    def state_dict(self) -> dict[str, Any]:
        """Return the state, JSON-serialisable (the spell under way shown, not restored)."""
        return {"since": self.since, "last_end": self.last_end, "last_minutes": self.last_minutes}

    def load_state(self, data: object) -> None:
        """Restore state_dict output; garbage starts afresh.

        A spell under way across a restart was not watched throughout: it
        starts again from the next reading.
        """
        values = data if isinstance(data, dict) else {}
        self.since = None
        self.last_end = as_float(values.get("last_end"))
        minutes = as_float(values.get("last_minutes"))
        self.last_minutes = minutes if minutes is not None and minutes >= 0.0 else None
