"""power_loss: the unit is not receiving its supply.

Two independent signs:
- demand without delivery: the thermostat wants heat (or cooling), the meter
  reads ~0 W (or has vanished) and supply and return show nothing going out
  (without them, the outdoor coil has sat at the air's temperature); an
  energy counter never reads 0 W, but one that stands still through a call
  far longer than it ever does on this unit, while the backup heater carries
  the house, says the same;
- the standby draw vanished: a unit that always shows its controls and
  crankcase heater when idle suddenly reads ~0 W for a long time.  Units whose
  meter sees only the outdoor unit idle at 0 W as a matter of course; once that
  has been seen, 0 W alone proves nothing.
"""

from __future__ import annotations

from typing import Any

from .cadence import Cadence
from .defrost import DefrostTracker
from .detector import Context
from .model import FaultKey, InputKey
from .operation import Operation, PowerProfile, says_rest
from .persistence import Finding, Verdict
from .readings import Readings
from .stats import as_float, rounded

# The rule a coarse meter rules out; named in the diagnostics.
RULE_STANDBY = "standby"
# 0 W from standby is only evidence after this long: outdoor units switch their
# crankcase heater off on their own, and a real trip lasts until someone acts.
_STANDBY_LOSS_S = 20 * 60.0
# Shown as "watch" once the standby draw has been gone this long: past the
# few minutes a start or stop transient lasts, so the owner sees the build-up
# long before it counts.
_STANDBY_SUSPECT_S = 5 * 60.0
# Below this outdoor temperature a crankcase heater is on whenever the unit
# stands still; above it, its own thermostat may have switched it off.
_CRANKCASE_ALWAYS_ON_C = 5.0
# A standby this small is indistinguishable from 0 W on a household meter.
_MIN_STANDBY_W = 5.0
# A healthy 0 W idle spell this long teaches that the unit idles at 0 W.
_ZERO_IDLE_LEARN_S = 10 * 60.0
# Idle draw is learned only once the start/stop transient has passed.
_SETTLED_S = 5 * 60.0


# The unit's own sources going unavailable this close together went with it:
# an ESPHome or Modbus board powered by the unit, or its cloud gateway.
_TOGETHER_S = 2 * 60.0
# Without a thermostat, a meter lost while the unit ran speaks for this long:
# a tripped unit's supply cools within minutes (a water loop's in a quarter
# of an hour or so); later stops are the unit's own.
_LOST_RUNNING_S = 30 * 60.0
# A meter reporting at least this often is as good as live.
_FRESH_S = 2 * 60.0
# A polled meter's 0 W with demand counts after this many polling intervals.
_STALE_POLLS = 2.0
# Without supply and return, the outdoor coil tells whether refrigerant moves:
# a working coil runs kelvins colder than the air (hotter, cooling); one that
# sits within this of the air for this long with heat asked for is dead.
# The time covers a start's delay and anti-short-cycle timer and the minutes
# a coil takes to come back to the air after a stop or a defrost.  A coil
# only says "nothing moves": read a little off, it must not vouch for a
# supply the meter says is gone.
_COIL_AT_AIR_K = 1.0
_COIL_AT_AIR_S = 10 * 60.0
# Switched off this long with its standby showing, a unit has shown that
# being off does not cut its standby.
_OFF_WITH_STANDBY_S = 3600.0
# An energy counter still through an explicit call counts once it has stood
# still this many times longer than through any healthy call, and for at
# least this many polls: a unit at minimum speed steps its counter seldom,
# and a healthy call's longest stillness is its start delay and a poll.
_CALL_STILL_MARGIN = 1.5
_CALL_STILL_POLLS = 2.0
# The actions that call for heat or cold: not a preheat or a drying spell,
# which need not step the counter, nor a defrost, the unit's own doing.
_CALL_ACTIONS = frozenset({"heating", "cooling"})

_RUNNING = "running"
_STANDBY = "standby"


class PowerLossDetector:
    """Judges power_loss and learns the unit's standby draw."""

    __slots__ = (
        "_cadence",
        "_climate_configured",
        "_defrost",
        "_last_level",
        "_operation",
        "_profile",
        "_readings",
        "_unit_inputs",
        "_water_loop",
        "_zero_watch",
        "coil_at_air_since",
        "demand_zero_since",
        "fault_held",
        "lost_running",
        "no_power_since",
        "off_since",
        "still_outdoor",
        "still_since",
        "still_step",
        "still_watched",
        "zero_demand",
        "zero_origin",
        "zero_since",
    )

    def __init__(
        self,
        *,
        readings: Readings,
        operation: Operation,
        profile: PowerProfile,
        defrost: DefrostTracker,
        climate_configured: bool,
        unit_inputs: frozenset[InputKey] | None = None,
        configured: frozenset[InputKey] = frozenset(),
        cadence: Cadence | None = None,
        water_loop: bool = False,
    ) -> None:
        self._readings = readings
        self._cadence = cadence or Cadence()
        self._water_loop = water_loop
        # When 0 W with demand (and no delivery) began, and when 0 W with
        # demand began, whatever the delivery then.
        self.no_power_since: float | None = None
        self.demand_zero_since: float | None = None
        # When the meter went unavailable while the unit was running.
        self.lost_running: float | None = None
        # Without a device to tell, the thermostat and the backup heater (often
        # a relay of its own) are taken to stay when the unit loses power.
        self._unit_inputs = (
            unit_inputs
            if unit_inputs is not None
            else configured - {InputKey.CLIMATE, InputKey.BACKUP_HEATER}
        ) & configured
        self._defrost = defrost
        self._climate_configured = climate_configured
        self._zero_watch = False
        self._operation = operation
        self._profile = profile
        # Start of the current ~0 W spell, and what the unit did just before it.
        self.zero_since: float | None = None
        self.zero_origin: str | None = None
        # The thermostat asked for the unit during the current spell.
        self.zero_demand = False
        self._last_level: str | None = None
        # Set by the evaluator: abnormal evidence is building or confirmed.
        self.fault_held = False
        # Since when the outdoor coil has sat at the air's temperature with
        # heat (or cooling) asked for.
        self.coil_at_air_since: float | None = None
        # Since when the thermostat has been switched off.
        self.off_since: float | None = None
        # Since when an energy counter has stood still through an explicit
        # call: the later of the call's start and the counter's last step;
        # the outdoor temperature then (the next step's energy was drawn
        # between then and that step); and whether it was watched from then
        # (not across a restart).
        self.still_since: float | None = None
        self.still_outdoor: float | None = None
        self.still_watched = True
        # The counter's last step when it was last found still through a
        # call: until it moves again, the supply has not come back, call or not.
        self.still_step: float | None = None

    def power_seen(self, now: float, power: float | None) -> None:
        """Follow 0 W spells as readings arrive (they can be shorter than a tick)."""
        if power is None:
            if (
                InputKey.POWER in self._readings.lost
                and self._operation.running
                and self.lost_running is None
            ):
                # The meter went while the unit ran (the operation still
                # holds what it did before this reading).
                self.lost_running = now
            return
        self.lost_running = None
        profile = self._profile
        if profile.near_zero(power):
            if self.zero_since is None:
                self.zero_since = now
                self.zero_origin = self._last_level
                self.zero_demand = False
            return
        level = _RUNNING if power >= profile.run_threshold() else _STANDBY
        if self.zero_since is not None:
            lasted = now - self.zero_since
            healthy = not self.zero_demand and not self.fault_held
            if lasted >= _ZERO_IDLE_LEARN_S and healthy:
                profile.note_idle_at_zero()
            if self.zero_origin == _RUNNING and healthy:
                profile.note_stop(onto_standby=False)
            self.zero_since = None
            self.zero_origin = None
        elif self._last_level == _RUNNING and level == _STANDBY and not self.fault_held:
            profile.note_stop(onto_standby=True)
        self._last_level = level

    @property
    def fault(self) -> FaultKey:
        """The fault this detector judges."""
        return FaultKey.POWER_LOSS

    def settle(self, *, suspect: bool, active: bool) -> None:
        """Remember whether the fault is suspect or active: a 0 W spell then teaches nothing."""
        self.fault_held = suspect or active

    def not_judged(self) -> list[str]:
        """The standby test, where the meter cannot tell a lost standby from a stop."""
        return [] if self.standby_judgeable() else [RULE_STANDBY]

    def reset_learned(self) -> None:
        """Forget the learned standby draw."""
        self._profile.reset_standby()

    def learned_dict(self) -> dict[str, Any]:
        """The learned power profile (standby and running envelope)."""
        return self._profile.to_dict()

    def load_learned(self, data: object) -> None:
        """Restore the power profile, ignoring anything unusable."""
        self._profile.load(data)

    def judge(self, now: float, dt: float, context: Context | None = None) -> Verdict:
        """Judge whether the unit is without supply now."""
        self._follow_call(now)
        if self._readings.mode == "off":
            self.off_since = now if self.off_since is None else self.off_since
        else:
            self.off_since = None
        if self._readings.error_code:
            # A unit that stopped while reporting an error has its supply: it
            # is stopped with that code (in every fault's evidence), not
            # without power.
            self.no_power_since = self.coil_at_air_since = self.demand_zero_since = None
            return Verdict(Finding.HOLD, evidence={"unit_error": self._readings.error_code})
        lost = self._lost_together()
        if lost is not None:
            self.coil_at_air_since = None
            onset, count = lost
            details: dict[str, Any] = {
                "lost_sources": count,
                "lost_minutes": round(max(now - onset, 0.0) / 60.0, 1),
            }
            return Verdict(Finding.ABNORMAL, "sources_lost", details, onset=onset)
        return self._judge_supply(now)

    def _lost_together(self) -> tuple[float, int] | None:
        """When the unit's own sources all went unavailable together (and how many).

        One flaky sensor is not evidence: it takes at least two, all of the
        unit's, lost within two minutes of each other; and a meter outside
        the unit that still shows the unit drawing power says it has its
        supply (only its board or network is gone).
        """
        unit = self._unit_inputs
        lost = self._readings.lost
        if len(unit) < 2 or not unit <= lost.keys():
            return None
        times = [lost[key] for key in unit]
        if max(times) - min(times) > _TOGETHER_S:
            return None
        power = self._readings.power
        if InputKey.POWER not in unit and power is not None and not self._profile.near_zero(power):
            return None
        return min(times), len(unit)

    def _follow_call(self, now: float) -> None:
        """Follow an energy counter's stillness through the thermostat's explicit calls.

        Only an explicit heating or cooling action says the unit should be
        running: a room short of its target may wait out a lock-out, and a
        preheating crankcase or a drying spell need not step the counter.  A
        healthy call's stillness, ended by a step or by the call's end,
        teaches how long this unit's counter stands still through one (its
        start delay, its poll, its lowest speed); one while the fault builds
        teaches nothing, nor one that began before a restart (the time Home
        Assistant was down is in it) until a step seen since starts anew.
        """
        readings = self._readings
        moved = readings.power_stepped_at
        since = self.still_since
        if not readings.power_counter or moved is None or readings.action not in _CALL_ACTIONS:
            if since is not None and self._still_learnable():
                self._profile.note_call_still(now - since, stepped=False)
            self.still_since = None
            return
        outdoor = readings.outdoor
        if since is None:
            self.still_since = now
        elif moved > since:
            if self._still_learnable():
                # It ran somewhere in between: in weather as cold as the warmer end.
                ends = [value for value in (self.still_outdoor, outdoor) if value is not None]
                self._profile.note_call_still(
                    moved - since, stepped=True, outdoor=max(ends) if ends else None
                )
            self.still_since = moved
        else:
            return
        self.still_outdoor = outdoor
        self.still_watched = True

    def _still_learnable(self) -> bool:
        """The stillness was watched from its start, and the fault is not building."""
        return self.still_watched and not self.fault_held

    def _counter_still(self, now: float) -> float | None:
        """How long the counter has stood still through this call, once beyond all healthy ones."""
        since = self.still_since
        profile = self._profile
        known = profile.call_still_known
        poll = self._readings.power_poll_s
        if (
            since is None
            or known is None
            or poll is None
            or not profile.ran_through_calls_at(self._readings.outdoor)
        ):
            # No call yet, too few learned, no poll known, or never seen
            # running through a call in weather this cold (or no outdoor
            # temperature to say): a unit run bivalent-alternative leaves the
            # cold to its backup heater.
            return None
        still = now - since
        needed = max(_CALL_STILL_MARGIN * known, _CALL_STILL_POLLS * poll)
        return still if still >= needed else None

    def _judge_supply(self, now: float) -> Verdict:
        readings = self._readings
        profile = self._profile
        power = readings.power
        demand = readings.demand()
        # A running backup heater warms the supply on its own (many controls
        # call it in when the unit fails): no sign of the unit's supply then.
        warmed = readings.backup_warms(now, stopped=True)
        delivering = None if warmed else readings.delivering(demand)
        if delivering is None and not warmed:
            delivering = self._coil_delivering(now, demand)
        else:
            # Only an unbroken spell of the coil at the air counts.
            self.coil_at_air_since = None
        details: dict[str, Any] = {
            "power_w": rounded(power),
            "standby_w": rounded(profile.standby_floor),
            "demand": demand,
            "split_k": rounded(readings.split),
        }
        if self.coil_at_air_since is not None:
            details["coil_at_air_minutes"] = round(max(now - self.coil_at_air_since, 0.0) / 60.0, 1)
        if readings.power_resolution_w is not None:
            details["power_resolution_w"] = rounded(readings.power_resolution_w)
            lag = readings.power_lag_s
            details["power_lag_minutes"] = None if lag is None else round(lag / 60.0, 1)
        self._zero_watch = False
        self._follow_demand_zero(now, demand, power)
        counted = self._judge_counter(now, details, warmed=warmed)
        if counted is not None:
            self.no_power_since = None
            return counted
        if (
            (delivering and not self._meter_says_dead(power))
            or (power is not None and not profile.near_zero(power))
            or readings.defrost_on
        ):
            # Power is drawn, heat (or cold) is going out, or a defrost is
            # running, whatever the meter says: the unit has its supply.
            self.no_power_since = None
            return Verdict(Finding.NORMAL, evidence=details)
        if power is None:
            return self._judge_without_power(now, demand, delivering, details, warmed=warmed)
        if demand is None:
            self.no_power_since = None
            return self._judge_standby_lost(now, details)
        self.zero_demand = True
        # A unit that idles at 0 W shows 0 W also while it waits to start:
        # only a proven lack of delivery counts then.
        if delivering is False or not profile.idles_at_zero:
            verdict = Verdict(Finding.ABNORMAL, "no_power", details)
            return self._unless_stale(now, verdict, warmed=warmed)
        self.no_power_since = None
        return Verdict(Finding.HOLD, evidence=details)

    def _judge_counter(
        self, now: float, details: dict[str, Any], *, warmed: bool
    ) -> Verdict | None:
        """An energy counter still through a call far longer than ever here: None if it is not.

        A lock-out holds a unit at its standby through a call just as still
        as a trip, and a counter cannot tell a standby from nothing: only a
        backup heater the controls called in to carry the house says the
        unit itself has stopped heating, in weather it has been seen to heat
        through (below its changeover point, a unit run bivalent-alternative
        stops for the heater on purpose).  Found, the fault holds until the
        counter steps again, whether the call goes on or not.
        """
        readings = self._readings
        still = self._counter_still(now) if warmed and not readings.defrost_on else None
        if still is not None:
            # The counter's falling bound is no sign of power: its stillness
            # is one of none.
            self.still_step = readings.power_stepped_at
            details["counter_still_minutes"] = round(still / 60.0, 1)
            return Verdict(Finding.ABNORMAL, "counter_still", details, onset=now - still)
        if self.still_step is None:
            return None
        if readings.power_stepped_at == self.still_step:
            return Verdict(Finding.HOLD, evidence=details)
        self.still_step = None
        return None

    def _follow_demand_zero(self, now: float, demand: str | None, power: float | None) -> None:
        """Keep when 0 W with demand began, whatever the delivery."""
        if demand is not None and power is not None and self._profile.near_zero(power):
            if self.demand_zero_since is None:
                self.demand_zero_since = now
        else:
            self.demand_zero_since = None

    def _judge_without_power(
        self,
        now: float,
        demand: str | None,
        delivering: bool | None,
        details: dict[str, Any],
        *,
        warmed: bool,
    ) -> Verdict:
        """No power reading: a demand without delivery may still say the supply is gone."""
        readings = self._readings
        if readings.power_counter and InputKey.POWER not in readings.lost:
            # An energy counter that cannot give a power yet (between its
            # steps, after its reset) is not a meter gone: no evidence.
            self.no_power_since = None
            return Verdict(Finding.UNKNOWN, evidence=details)
        # A cold supply just after a defrost is no proof.  While the backup
        # heater warms the supply, the unit's meter gone is all there is: a
        # meter that drops out just while the heater runs is rarer than a
        # unit that failed and left the heater to carry the house.
        gone = warmed and InputKey.POWER in readings.lost
        # Without a thermostat to ask, a meter that went while the unit ran,
        # and the delivery gone with it, is the unit's supply gone: a meter
        # that merely drops off the network leaves the unit heating.
        # (Soon after: a meter long off the network sees the unit stop on
        # its own in the end, as every unit does.)
        lost = self.lost_running
        called = demand is not None or (
            not self._climate_configured
            and lost is not None
            and 0.0 <= now - lost <= _LOST_RUNNING_S
        )
        if called and (delivering is False or gone) and not self._defrost.just_ended(now):
            # Polled, one cold reading may be a start or a defrost no state
            # shows: the spell must span polls like a 0 W one.
            verdict = Verdict(Finding.ABNORMAL, "power_unavailable", details)
            return self._unless_stale(now, verdict)
        self.no_power_since = None
        return Verdict(Finding.UNKNOWN, evidence=details)

    def _coil_delivering(self, now: float, demand: str | None) -> bool | None:
        """False once the outdoor coil has sat at the air's temperature, with demand, for long.

        Never True: see _COIL_AT_AIR_K.
        """
        readings = self._readings
        gap = readings.gap
        if (
            gap is None
            or demand is None
            or abs(gap) > _COIL_AT_AIR_K
            or readings.defrost_on
            or self._defrost.just_ended(now)
        ):
            self.coil_at_air_since = None
            return None
        since = self.coil_at_air_since
        if since is None:
            since = self.coil_at_air_since = now
        return False if now - since >= _COIL_AT_AIR_S else None

    def _meter_says_dead(self, power: float | None) -> bool:
        """A live meter reads nothing where this water unit never idles at nothing.

        Then a split that lingers is not heat going out: the water holds its
        heat for many minutes after the pump stops with everything else.  (An
        air unit's fan stops with it, and its split collapses in a minute.)
        """
        profile = self._profile
        floor = profile.standby_floor
        return (
            self._water_loop
            and power is not None
            and profile.near_zero(power)
            and self._readings.power_resolution_w is None
            and floor is not None
            and floor >= _MIN_STANDBY_W
            and not profile.idles_at_zero
            and self._cadence.finer_than(_FRESH_S)
        )

    def _unless_stale(self, now: float, verdict: Verdict, *, warmed: bool = False) -> Verdict:
        """0 W with demand counts once the next poll could have shown the unit starting.

        A polled meter's 0 W is as old as the poll: a unit that started just
        after it shows its power only at the next one, while the thermostat
        already says it calls, and a cycling unit can be caught off at two
        polls in a row.  So the spell must span three polls (two intervals)
        before it is evidence, counted from its start.  On a unit whose 0 W
        is itself the evidence (it has shown a standby draw and never idles
        at 0 W), that is the poll at 0 W with demand just before, even if it
        still caught the supply's warmth (a trip's first poll often does);
        never earlier.  The same where the backup heater's heat is all the
        supply shows (``warmed``) on a unit not seen to idle at 0 W: the
        heater, called in because the room fell short, hides whether the
        unit delivers, and would otherwise put the spell's start at its
        first warm poll, a poll later than the 0 W began.  Where the unit
        may idle at 0 W, or is not known yet, 0 W says nothing until the
        delivery has stopped.
        """
        if self.no_power_since is None:
            self.no_power_since = now
        interval = self._cadence.unit_interval() or 0.0
        if interval <= _FRESH_S:
            # Live: the evidence began when the readings changed (the tracker knows).
            return verdict
        start = self.no_power_since
        if self.demand_zero_since is not None and (self._shows_standby() or warmed):
            start = max(min(start, self.demand_zero_since), start - interval)
        if now - start < _STALE_POLLS * interval:
            return Verdict(Finding.HOLD, evidence=verdict.evidence, suspect=True)
        verdict.onset = start
        return verdict

    def _shows_standby(self) -> bool:
        """The unit has a learned standby draw a meter can see, and does not idle at 0 W."""
        floor = self._profile.standby_floor
        return floor is not None and floor >= _MIN_STANDBY_W and not self._profile.idles_at_zero

    def standby_judgeable(self) -> bool:
        """Whether the meter can tell a lost standby from a stop.

        Polled every few minutes, a run that ends between two polls looks like
        standby dropping to 0 W on a meter that reads 0 W after a run, but
        not on one whose stops have all been seen to land on the standby
        draw, nor while the thermostat has long been off (see
        _off_throughout); an energy counter cannot resolve a standby draw of
        a few watts at all.
        """
        resolution = self._readings.power_resolution_w
        if resolution is not None and resolution > _MIN_STANDBY_W:
            return False
        return (
            self._cadence.finer_than(_FRESH_S)
            or self._profile.stops_land_on_standby
            or self._off_throughout()
        )

    def _off_throughout(self) -> bool:
        """The thermostat was off, the standby showing, well before this 0 W spell began.

        Then no run can have ended between two polls into the spell, and the
        unit has shown that switching it off leaves its standby on (some cut
        it when switched off, at once or after a while): a polled 0 W is a
        lost standby as surely as a live one.
        """
        off, zero = self.off_since, self.zero_since
        interval = self._cadence.unit_interval()
        return (
            off is not None
            and zero is not None
            and interval is not None
            and off <= zero - max(interval, _OFF_WITH_STANDBY_S)
        )

    def _judge_standby_lost(self, now: float, details: dict[str, Any]) -> Verdict:
        """0 W with nobody asking for heat: only a vanished standby draw counts."""
        if not self.standby_judgeable():
            return Verdict(Finding.NORMAL, evidence=details)
        profile = self._profile
        if not self._shows_standby():
            return Verdict(Finding.NORMAL, evidence=details)
        if (
            self.zero_origin == _RUNNING
            and (not self._climate_configured or self._readings.climate is not None)
            and not profile.stops_land_on_standby
        ):
            # The unit stopped and the thermostat, if there is one, is content:
            # a meter on the outdoor unit alone reads 0 W from here on, and a
            # crankcase heater stays off while the compressor is warm.  A unit
            # seen to stop onto its standby a few times, never onto 0 W, has
            # lost its supply instead.
            return Verdict(Finding.NORMAL, evidence=details)
        outdoor = self._readings.outdoor
        if (
            outdoor is not None
            and outdoor > _CRANKCASE_ALWAYS_ON_C
            and not profile.standby_shown_at(outdoor)
        ):
            # Most of an outdoor unit's standby is its crankcase heater, and
            # its thermostat switches it off in mild weather: unless this
            # unit has shown its standby in weather this warm, 0 W is then
            # no evidence either way.
            details["outdoor_c"] = rounded(self._readings.outdoor)
            return Verdict(Finding.HOLD, evidence=details)
        self._zero_watch = True
        zero_for = 0.0 if self.zero_since is None else max(now - self.zero_since, 0.0)
        # Polled, the spell must also span three polls: one 0 W poll can be
        # a start's or a stop's moment.
        loss_after = max(_STANDBY_LOSS_S, _STALE_POLLS * (self._cadence.unit_interval() or 0.0))
        details["zero_minutes"] = round(zero_for / 60.0, 1)
        details["standby_lost_after_minutes"] = round(loss_after / 60.0, 1)
        if zero_for >= loss_after:
            return Verdict(Finding.ABNORMAL, "no_standby_power", details, onset=self.zero_since)
        return Verdict(Finding.HOLD, evidence=details, suspect=zero_for >= _STANDBY_SUSPECT_S)

    def learn(self, now: float, dt: float) -> None:
        """Learn idle draw and running envelope from healthy readings."""
        power = self._readings.power
        if power is None or dt <= 0.0:
            return
        operation = self._operation
        if self._readings.defrost_on:
            return
        if operation.running:
            if operation.running_for(now) >= _SETTLED_S:
                self._profile.learn_running(power, dt)
            return
        if operation.running is None:
            return
        if not self._shows_idle_draw(now):
            return
        profile = self._profile
        if (
            self.zero_since is not None
            and (self.zero_origin != _RUNNING or profile.stops_land_on_standby)
            and not profile.idles_at_zero
        ):
            # A 0 W spell straight out of standby (or out of a run, on a unit
            # that stops onto its standby) is the very thing being watched
            # for; it must not teach that idle is 0 W.
            return
        self._profile.learn_idle(power, dt, outdoor=self._readings.outdoor)

    def _shows_idle_draw(self, now: float) -> bool:
        """Whether the power is the unit's idle draw, as far as its source can say.

        Not within a start's or stop's transient.  Past it, a live meter's
        reading is.  An energy counter's figure is an average over its last
        step: a step that may hold energy drawn before the rest began holds
        some of a run's (what the run left short of a whole step), and a
        counter overdue gives only a bound, one step over the wait.  Either
        learned as the idle draw made it hundreds of watts, then more, as
        the run threshold rose with it.  So where the thermostat says the
        unit rests, the step's energy must all be drawn within a rest
        watched from its start, and below the run threshold: a compressor
        running out its minimum run, or heating the hot water, while the
        heating's thermostat already says idle steps the counter every poll
        at its running draw, while a true rest's rare steps are mostly
        overdue.

        Without its word (no action, or no thermostat), the rest is the
        counter's own, and the same holds within it.  Where the thermostat
        says the unit runs, a counter's low figure is a long step's average
        that outlasted the start: nothing is learned.
        """
        operation = self._operation
        changed = operation.last_change
        if changed is not None and now - changed < _SETTLED_S:
            return False
        readings = self._readings
        if not readings.power_counter:
            return True
        since, rest, power = readings.power_drawn_since, operation.rest_since, readings.power
        # Without the thermostat's word, the rest is the counter's own (learn
        # asks only at rest).
        return (
            (readings.action is None or says_rest(readings))
            and since is not None
            and rest is not None
            and since >= rest
            and power is not None
            and power < self._profile.run_threshold()
        )

    def state_dict(self) -> dict[str, Any]:
        """Return the state, JSON-serialisable."""
        return {
            "zero_since": self.zero_since,
            "zero_origin": self.zero_origin,
            "zero_demand": self.zero_demand,
            "last_level": self._last_level,
            "coil_at_air_since": self.coil_at_air_since,
            "still_since": self.still_since,
            "still_step": self.still_step,
            "still_outdoor": self.still_outdoor,
        }

    def load_state(self, data: object) -> None:
        """Restore from state_dict output, ignoring anything unusable."""
        if not isinstance(data, dict):
            return
        self.zero_since = as_float(data.get("zero_since"))
        origin = data.get("zero_origin")
        self.zero_origin = origin if origin in (_RUNNING, _STANDBY) else None
        self.zero_demand = data.get("zero_demand") is True
        level = data.get("last_level")
        self._last_level = level if level in (_RUNNING, _STANDBY) else None
        self.coil_at_air_since = as_float(data.get("coil_at_air_since"))
        self.still_since = as_float(data.get("still_since"))
        # Home Assistant was down for part of it: kept to judge, not to learn.
        self.still_watched = self.still_since is None
        self.still_step = as_float(data.get("still_step"))
        self.still_outdoor = as_float(data.get("still_outdoor"))
