"""Is the compressor running, since when, and what this unit's power normally looks like."""

from __future__ import annotations

from typing import Any

from .model import InputKey
from .readings import Readings
from .stats import Ewma, as_float, blend, stored_count

# Idle draw (controls, crankcase heater, circulation pump) averaged over hours.
_STANDBY_TAU_S = 3 * 3600.0
_STANDBY_TRUSTED_S = 3600.0
# A standby is expected where the weather is this much cooler than the warmest
# it was shown in: near that edge its heater's thermostat may just switch it off.
_STANDBY_EDGE_K = 1.0
# Running power envelope: rises within half an hour to a new high, sinks over
# a day, so it sits near the top of what the unit draws when working hard.
_HIGH_UP_TAU_S = 1800.0
_HIGH_DOWN_TAU_S = 24 * 3600.0
_HIGH_TRUSTED_S = 3 * 3600.0
# A start's transient: supply, return and coil settle this long after the
# compressor starts; a reading before it is not steady running.
STEADY_RUN_S = 10 * 60.0
# Anything below this is "no power" whatever the unit: meters read a few watts
# of noise on a dead circuit.
ZERO_W = 3.0
# With a large standby (crankcase heater) the "no power" limit rises with it,
# but never past this: a unit whose heater cycles off still shows its controls.
_ZERO_CAP_W = 8.0
# A compressor at minimum speed draws a few hundred watts; idle units draw
# controls, crankcase heat and (water systems) a circulation pump, ~10-100 W.
_MIN_RUN_W = 100.0
_UNLEARNED_RUN_W = 150.0
# Once running, the unit counts as running until its draw falls this far below
# the start threshold: modulating units hover near it at minimum speed.
_RUN_EXIT_SHARE = 0.75

# Two healthy idle spells at ~0 W, or a learned idle draw under 5 W, say the
# meter sees only the outdoor unit, which draws nothing when it has nothing to do.
_ZERO_IDLE_EPISODES = 2
_ZERO_IDLE_FLOOR_W = 5.0
# A lost supply reads below this share of the unit's own idle draw (W/W),
# kept between ZERO_W and _ZERO_CAP_W: well under any idle draw, well over a
# dead meter's noise.
_ZERO_SHARE_OF_STANDBY = 0.3
# The compressor runs above this multiple of the idle draw plus a margin, W:
# idle draws wander by tens of watts, a compressor adds hundreds.
_RUN_STANDBY_FACTOR = 1.5
_RUN_MARGIN_W = 50.0
# Counts stop here, and a stored count past it is corrupt: they only need to
# pass a few (_ZERO_IDLE_EPISODES, _STANDBY_STOPS).
_MAX_STORED_EPISODES = 1000
# Stops seen to land on the standby draw, none ever on ~0 W, before ~0 W
# straight out of a run is no longer taken for a crankcase heater that a warm
# compressor keeps off.  What a stop does to the draw is the unit's wiring,
# the same at every stop: a few say it (an inverter may stop once a day).
_STANDBY_STOPS = 3
# An energy counter's stillness through a call for heat: steps seen within
# calls before the longest stillness is trusted, and the longest one learned
# from.  A longer stillness is no healthy call of any unit: the counter would
# say the unit barely ran for hours.
_CALL_STEPS_TRUSTED = 10
_MAX_CALL_STILL_S = 3 * 3600.0

RUN_ACTIONS = frozenset({"heating", "cooling", "drying", "preheating", "defrosting"})
_STOP_ACTIONS = frozenset({"idle", "off", "fan"})


def says_rest(readings: Readings) -> bool:
    """Whether the thermostat says the unit stands still (idle, off, fan only)."""
    return readings.action in _STOP_ACTIONS or readings.mode == "off"


class PowerProfile:
    """Learned standby floor and running envelope of this unit's power."""

    __slots__ = (
        "call_coldest_c",
        "call_steps",
        "call_still_s",
        "high",
        "high_seconds",
        "standby",
        "standby_stops",
        "standby_warmest_c",
        "zero_after_runs",
        "zero_idle_episodes",
    )

    def __init__(self) -> None:
        self.standby = Ewma()
        self.high: float | None = None
        self.high_seconds = 0.0
        # Healthy idle spells at ~0 W: the meter sees only the outdoor unit,
        # which draws nothing when it has nothing to do.
        self.zero_idle_episodes = 0
        # The warmest outdoor temperature at which a healthy idle unit has
        # shown its standby draw: a crankcase heater's thermostat switches it
        # off above some temperature, which differs from unit to unit.
        self.standby_warmest_c: float | None = None
        # Healthy stops that went straight to the standby draw, and those
        # that went to ~0 W for a while first (a crankcase heater a warm
        # compressor keeps off, controls that sleep).
        self.standby_stops = 0
        self.zero_after_runs = 0
        # The longest an energy counter stood still through a healthy call
        # for heat (or cooling), s, and how many steps it was seen to make
        # within calls.
        self.call_still_s = 0.0
        self.call_steps = 0
        # The coldest weather in which the counter stepped through a call:
        # a unit run bivalent-alternative stops below its changeover point
        # and leaves the house to the backup heater on purpose.
        self.call_coldest_c: float | None = None

    def note_idle_at_zero(self) -> None:
        """A healthy idle spell read ~0 W long enough to say this unit idles so."""
        self.zero_idle_episodes = _one_more(self.zero_idle_episodes)

    def note_stop(self, *, onto_standby: bool) -> None:
        """A healthy stop went straight to the standby draw, or to ~0 W first."""
        if onto_standby:
            self.standby_stops = _one_more(self.standby_stops)
        else:
            self.zero_after_runs = _one_more(self.zero_after_runs)

    def note_call_still(
        self, seconds: float, *, stepped: bool, outdoor: float | None = None
    ) -> None:
        """A healthy call's counter stood still this long, until it stepped or the call ended."""
        if seconds > _MAX_CALL_STILL_S:
            return
        self.call_still_s = max(self.call_still_s, seconds)
        if stepped:
            self.call_steps = _one_more(self.call_steps)
            coldest = self.call_coldest_c
            if outdoor is not None and (coldest is None or outdoor < coldest):
                self.call_coldest_c = outdoor

    def ran_through_calls_at(self, outdoor: float | None) -> bool:
        """Whether the counter has stepped through calls in weather as cold as this or colder.

        Below its changeover point a unit run bivalent-alternative stops for
        the heater; one seen running in this cold is above that point.
        """
        coldest = self.call_coldest_c
        return outdoor is not None and coldest is not None and coldest <= outdoor

    @property
    def call_still_known(self) -> float | None:
        """The longest a counter stands still through a healthy call, s, once steps show it."""
        return self.call_still_s if self.call_steps >= _CALL_STEPS_TRUSTED else None

    @property
    def stops_land_on_standby(self) -> bool:
        """Whether this unit's stops go to its standby draw, never to ~0 W."""
        return self.standby_stops >= _STANDBY_STOPS and self.zero_after_runs == 0

    def standby_shown_at(self, outdoor: float) -> bool:
        """Whether this unit has shown its standby draw in weather this warm."""
        warmest = self.standby_warmest_c
        return warmest is not None and outdoor <= warmest - _STANDBY_EDGE_K

    @property
    def standby_floor(self) -> float | None:
        """The unit's usual idle draw, W, once learned."""
        if self.standby.seconds < _STANDBY_TRUSTED_S:
            return None
        return self.standby.mean

    @property
    def running_high(self) -> float | None:
        """Power when working hard, W, once learned."""
        if self.high_seconds < _HIGH_TRUSTED_S:
            return None
        return self.high

    @property
    def idles_at_zero(self) -> bool:
        """Whether this unit normally shows 0 W when idle."""
        floor = self.standby_floor
        return self.zero_idle_episodes >= _ZERO_IDLE_EPISODES or (
            floor is not None and floor < _ZERO_IDLE_FLOOR_W
        )

    def run_threshold(self) -> float:
        """Power above which the compressor is taken to be running, W."""
        floor = self.standby_floor
        if floor is None:
            return _UNLEARNED_RUN_W
        return max(_MIN_RUN_W, _RUN_STANDBY_FACTOR * floor + _RUN_MARGIN_W)

    def near_zero(self, power: float) -> bool:
        """Power so low that the unit cannot be receiving its supply."""
        floor = self.standby_floor
        limit = (
            ZERO_W
            if floor is None
            else max(ZERO_W, min(_ZERO_SHARE_OF_STANDBY * floor, _ZERO_CAP_W))
        )
        return power < limit

    def learn_idle(self, power: float, dt: float, *, outdoor: float | None = None) -> None:
        """Fold in a healthy idle reading, with the outdoor temperature if known."""
        self.standby.add(power, dt, _STANDBY_TAU_S)
        if outdoor is not None and power >= ZERO_W and dt > 0.0:
            warmest = self.standby_warmest_c
            self.standby_warmest_c = outdoor if warmest is None else max(warmest, outdoor)

    def learn_running(self, power: float, dt: float) -> None:
        """Fold in a healthy running reading."""
        if dt <= 0.0:
            return
        self.high_seconds += dt
        if self.high is None:
            self.high = power
            return
        tau = _HIGH_UP_TAU_S if power > self.high else _HIGH_DOWN_TAU_S
        self.high += blend(dt, tau) * (power - self.high)

    def reset_standby(self) -> None:
        """Forget the idle draw, and how the counter behaves through calls."""
        self.standby = Ewma()
        self.zero_idle_episodes = 0
        self.standby_warmest_c = None
        self.standby_stops = 0
        self.zero_after_runs = 0
        self.call_still_s = 0.0
        self.call_steps = 0
        self.call_coldest_c = None

    def reset_high(self) -> None:
        """Forget the running envelope."""
        self.high = None
        self.high_seconds = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable form."""
        return {
            "standby": self.standby.to_dict(),
            "high": None if self.high is None else round(self.high, 1),
            "high_seconds": round(self.high_seconds, 1),
            "zero_idle_episodes": self.zero_idle_episodes,
            "standby_stops": self.standby_stops,
            "zero_after_runs": self.zero_after_runs,
            "standby_warmest_c": (
                None if self.standby_warmest_c is None else round(self.standby_warmest_c, 1)
            ),
            "call_still_s": round(self.call_still_s, 1),
            "call_steps": self.call_steps,
            "call_coldest_c": (
                None if self.call_coldest_c is None else round(self.call_coldest_c, 1)
            ),
        }

    def load(self, data: object) -> None:
        """Restore from to_dict output, ignoring anything unusable."""
        if not isinstance(data, dict):
            return
        self.standby = Ewma.from_dict(data.get("standby"))
        high = as_float(data.get("high"))
        seconds = as_float(data.get("high_seconds"))
        if high is not None and high > 0.0 and seconds is not None and seconds > 0.0:
            self.high, self.high_seconds = high, seconds
        self.zero_idle_episodes = stored_count(data.get("zero_idle_episodes"), _MAX_STORED_EPISODES)
        self.standby_stops = stored_count(data.get("standby_stops"), _MAX_STORED_EPISODES)
        self.zero_after_runs = stored_count(data.get("zero_after_runs"), _MAX_STORED_EPISODES)
        warmest = as_float(data.get("standby_warmest_c"))
        if warmest is not None and -60.0 < warmest < 60.0:
            self.standby_warmest_c = warmest
        still = as_float(data.get("call_still_s"))
        if still is not None and 0.0 <= still <= _MAX_CALL_STILL_S:
            self.call_still_s = still
            self.call_steps = stored_count(data.get("call_steps"), _MAX_STORED_EPISODES)
        coldest = as_float(data.get("call_coldest_c"))
        if coldest is not None and -60.0 < coldest < 60.0:
            self.call_coldest_c = coldest


def _counter_ran(readings: Readings, profile: PowerProfile) -> bool:
    """An energy counter's last step says the compressor ran, where no thermostat says so.

    A counter too coarse to tell running from idle may still show a step no
    standby could make: one whose average, less a whole step's worth of
    rounding, is above the run threshold (two steps or more in a poll of a
    0.1 kWh counter, 1.2 kW and up at ten minutes).  Only a fresh step's
    average counts, not the falling bound of a counter standing still.
    """
    power, resolution = readings.power, readings.power_resolution_w
    return (
        readings.power_counter
        and readings.power_drawn_since is not None
        and power is not None
        and resolution is not None
        and power - resolution >= profile.run_threshold()
    )


def _counter_overdue(readings: Readings) -> bool:
    """A counter gives no fresh step's average (overdue, or just reset), and no action to go by."""
    return readings.power_counter and readings.action is None and readings.power_drawn_since is None


def _one_more(count: int) -> int:
    """A count one higher, kept within what a stored count may be."""
    return min(count + 1, _MAX_STORED_EPISODES)


class Operation:
    """Running state of the compressor and when it last changed."""

    __slots__ = ("last_change", "rest_since", "run_since", "running")

    def __init__(self) -> None:
        self.running: bool | None = None
        # Start of the current run; None when not running.
        self.run_since: float | None = None
        # Last start or stop: noise and splits are unsettled around it.
        self.last_change: float | None = None
        # Since when the unit has been seen at rest without a break: from a
        # stop, or from the rest's first sign after not knowing (a start,
        # a lost meter, a restart), when it may just have stopped.
        self.rest_since: float | None = None

    def update(self, now: float, readings: Readings, profile: PowerProfile) -> None:
        """Re-derive the running state after a reading changed."""
        running = self._judge(readings, profile)
        if (
            running is None
            and self.running is not None
            and (InputKey.POWER in readings.lost or _counter_overdue(readings))
        ):
            # The meter has gone, or a counter that alone says the unit runs
            # is overdue: what the unit does now is unknown, not what it did
            # when the meter last spoke.
            self.running = None
            self.run_since = None
            self.rest_since = None
            return
        if running is None or running == self.running:
            if running is False and self.rest_since is None:
                # Still at rest, first said so since a restart: watched from here.
                self.rest_since = now
            return
        if self.running is not None:
            self.last_change = now
        self.running = running
        self.run_since = now if running else None
        self.rest_since = None if running else now

    def _judge(self, readings: Readings, profile: PowerProfile) -> bool | None:
        if readings.compressor is not None:
            # The compressor's own frequency or state says it best.
            return readings.compressor
        power = readings.power
        action = readings.action
        if says_rest(readings):
            # The thermostat says the unit stands still: whatever it draws is
            # standby (a circulation pump, a crankcase heater).
            return False
        resolution = readings.power_resolution_w
        if power is not None and (resolution is None or resolution < profile.run_threshold()):
            # A call for heat with no compressor power is not running: the
            # compressor waits for its start delay, or has no supply.  (An
            # energy counter too coarse to tell running from idle says
            # nothing here: the thermostat's action decides.)
            threshold = profile.run_threshold()
            if self.running:
                return power >= _RUN_EXIT_SHARE * threshold
            return power >= threshold
        if action in RUN_ACTIONS or (action is None and _counter_ran(readings, profile)):
            return True
        return None

    def running_for(self, now: float) -> float:
        """Seconds since the current run began (0 when not running)."""
        if not self.running or self.run_since is None:
            return 0.0
        return max(now - self.run_since, 0.0)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable form."""
        return {
            "running": self.running,
            "run_since": self.run_since,
            "last_change": self.last_change,
        }

    def load(self, data: object) -> None:
        """Restore from to_dict output, ignoring anything unusable."""
        if not isinstance(data, dict):
            return
        running = data.get("running")
        self.running = running if isinstance(running, bool) else None
        self.run_since = as_float(data.get("run_since")) if self.running else None
        self.last_change = as_float(data.get("last_change"))
        # A rest across a restart was not watched: a run may have come and gone.
        self.rest_since = None
