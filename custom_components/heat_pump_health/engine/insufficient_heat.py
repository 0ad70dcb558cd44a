"""insufficient_heat: the unit runs but delivers much less heat than it normally does.

Judged only in steady heating: compressor running for a while, not defrosting
and not recovering from a defrost.  The reference is what this unit delivered
while healthy: its supply-return split against power, per 5 °C outdoor band
(see split_model), with days of memory and learned only while no shortfall is
building (and ten times slower while the split slides a little below it: see
reference_drift), so that a slow leak cannot drag it down with it.  The signs:
- the split is suddenly well below the reference (or a default before one is
  learned).  The expectation follows power, so an inverter idling along in
  mild weather, with a small split at low power, is not a fault; below the
  powers learned, the shortfall is judged against the least a healthy unit
  shows there (split_model.least_expected);
- a sustained shortfall against the reference, however slow it came: a
  one-sided CUSUM on log(split / expected) over hours of steady heating.
  Shortfalls within an allowance are weather, fans and sensors and add
  nothing (a unit whose delivery swings for hours at a time gets its own,
  wider allowance: see delivery_spread; rounded sensors get up to half a
  step of credit where the stiller of supply and return stands still, or
  stood still while the reference learned: see rounding); a leak that has
  cost a third of the capacity raises it within hours of heating, sooner
  where the outdoor coil runs clearly further below the air than when
  healthy (coil_gap: never enough alone), or where the draw per kelvin
  has leaned a tenth higher for a day with it (efficiency: each alone is an
  ordinary week);
- the split is far above the reference for long: the heat cannot get out
  because too little air (or water) moves through a clogged filter, strainer
  or closed vents.  Above the powers learned, a water loop's reference may
  grow with the power (split_model.most_expected); an air handler's holds.
A room that stays below its target while the unit runs flat out is not a
fault by itself: below the house's balance point a healthy unit runs at its
capacity and still falls short.  It is shown as "at capacity", and counts
towards the fault only together with a shortfall of delivery.
"""

from __future__ import annotations

from dataclasses import dataclass
import math
from typing import Any

from .backup_heat import BackupHeat
from .cadence import FETCH_S, Cadence
from .coil_gap import CoilGap
from .defrost import DEFROST_RECOVERY_S, DefrostTracker
from .delivery_spread import DeliverySpread
from .detector import Context
from .efficiency import DrawPerKelvin
from .model import FaultKey, InputKey, SystemType
from .operation import STEADY_RUN_S, Operation, PowerProfile
from .persistence import Finding, Verdict
from .plausibility import believable_target
from .readings import Readings
from .reference_drift import SLOW_LEARNING, ReferenceDrift
from .rounding import ReadingsSpread, credit
from .split_model import SplitBand, load_bands, save_bands
from .stats import as_float, blend, rounded

# The rule a coarse sampling rules out; named in the diagnostics.
RULE_SPLIT = "split"
# Split that is clearly too small before anything is learned, at full load.
_DEFAULT_ALARM_K = {SystemType.AIR_TO_AIR: 5.0, SystemType.AIR_TO_WATER: 1.5}
# A learned expectation must be missed by at least this much.
_MIN_MARGIN_K = {SystemType.AIR_TO_AIR: 3.0, SystemType.AIR_TO_WATER: 1.0}
# Typical full-load draw, until this unit's own is learned.
_NOMINAL_W = {SystemType.AIR_TO_AIR: 1500.0, SystemType.AIR_TO_WATER: 3000.0}
# Share of the learned split below which it counts as low (normal sensitivity).
_LOW_SHARE = 0.5
# Supply and return read less often than this cannot tell steady running from
# a start, a defrost or its recovery: the split is then not judged.
_MAX_SPLIT_SAMPLING_S = 5 * 60.0
# Supply below return by more than this is cooling, whatever the mode says.
_COOLING_SPLIT_K = -0.5
# Without a climate entity, warm weather running is taken to be cooling.
_HEATING_SEASON_MAX_C = 18.0
# A start's transient: the split is read as steady this long after a start.
# Duct air follows the indoor coil within a few minutes; a water loop's mass
# takes longer.  An oversized air unit whose runs last 5-10 minutes would
# otherwise never be judged, nor teach its reference anything.  Behind an
# energy counter a start is dated only to within a poll: the longer time then.
_AIR_STEADY_S = 5 * 60.0
# Behind a counter without the thermostat's action, a poll's step counts as
# a run's only above this share of the unit's running envelope (W/W): the
# unit ran most of the poll, at about its usual draw.  An idle draw near the
# run threshold stays under it, and so does a unit that cycles within a half-
# hour poll (and an inverter well below its top speed, then not judged).
_RUN_SHARE_OF_HIGH = 0.75
_BAND_K = 5.0
_BAND_LIMIT = 8
_NO_OUTDOOR_BAND = 99
# The reference's memory, in hours of steady heating (see split_model).
_BAND_TAU_S = 3 * 86400.0
_BAND_TRUSTED_S = 3600.0
# The sustained-shortfall CUSUM, on x = log(split / expected): shortfalls up to
# the allowance (15 %, or the unit's own spread where wider) add nothing;
# beyond it the score grows by the excess per hour of steady heating, and at
# the alarm level the fault is raised (at 15 %, a 30 % shortfall after about 5
# hours, a 50 % one after 2).  Samples are clipped so one wild reading cannot
# do it, the score is capped so a repaired unit clears in hours, and it is
# judged only against a well-learned band.
_DROP_ALLOWANCE = math.log(1.0 / 0.85)
_DROP_ALARM = 1.0
_DROP_CAP = 2.0
_DROP_CLIP = 1.2
# Polled every few minutes or more, a reading may fall on a start or a
# defrost no state shows: each may move the score less.
_COARSE_DROP_CLIP = 0.5
_DROP_TRUSTED_S = 6 * 3600.0
# The reference learns only while the score stays below this share of the alarm.
_DROP_LEARN_SHARE = 0.25
# The outdoor coil's gap below the air is read only where no frost can hide
# in it: on a coil above freezing, or this soon after a defrost's recovery.
_FROST_FREE_C = 1.0
_CLEAN_AFTER_RECOVERY_S = 15 * 60.0
# A gap clearly wider than when healthy (coil_gap) corroborates a smaller
# shortfall: a second CUSUM on the same samples with this allowance, or a day
# drawing this much more per kelvin.  Alone, a split 10 % short for days is
# as likely a faster fan or an opened zone; with a colder outdoor coil it is
# the refrigerant side, which an indoor change does not touch.
_LEAN_ALLOWANCE = math.log(1.0 / 0.91)
_MORE_DRAW = 1.05
# What contradicts the other signature: a day drawing clearly less per kelvin
# than when healthy, a split per power clearly better than it ever was.  (A
# split merely as good proves little: an inverter hides a leak in its split
# by running harder, and learns the harder running as it goes.)
_LESS_DRAW = 0.95
_BETTER_SPLIT = 1.03
# How the recent delivery is smoothed for the evidence.
_RECENT_TAU_S = 2 * 3600.0
_FLAT_SHARE = 0.85
_FLAT_DEFICIT_K = 1.5
_ROOM_OK_K = 0.5
_FLAT_S = {SystemType.AIR_TO_AIR: 2 * 3600.0, SystemType.AIR_TO_WATER: 3 * 3600.0}
# A split this many times the learned one means little air (or water) gets
# through: a clogged filter or strainer, closed vents.  Only judged once the
# band is well learned, and only when it lasts: fan modes change splits too.
_HIGH_SHARE = 1.5
_HIGH_TRUSTED_S = 3 * 3600.0
# A band not yet learned borrows the high limit of the next band, this much
# wider: 5 K of outdoor temperature change a split by about a tenth.
_NEIGHBOUR_HIGH_SHARE = 1.1
# Without the load, a split beyond this many spreads of the band's own.
_SPREAD_SDS = 3.0
_SPREAD_TRUSTED_S = 6 * 3600.0
# A rise of the heating target this large starts a recovery, judged over once
# an hour has passed and the room is within this much of its target.
_CALL_STEP_K = 0.5
_CALL_RECOVERY_S = 3600.0
_RECOVERED_K = 1.0
_HIGH_S = 45 * 60.0
# Judged against the band's spread (an energy counter cannot say the load),
# a wide split must outlast a morning's recovery at full power.
_BLIND_HIGH_S = 90 * 60.0
_HIGH_SUSPECT_S = 15 * 60.0
# The first half hour of a run after a rest: a healthy unit catching up.
_CATCH_UP_S = 30 * 60.0
_LEARN_MAX = 1.3


def _known_band(index: int) -> bool:
    """Whether a saved band index is one band_of gives."""
    return index == _NO_OUTDOOR_BAND or abs(index) <= _BAND_LIMIT


@dataclass(frozen=True, slots=True)
class Expectation:
    """The split this unit should show now (K) and the limits either side."""

    low: float
    high: float | None
    expected: float | None
    # Splits above this are not learned from (learning them would hide a fault).
    learn_max: float


class InsufficientHeatDetector:
    """Judges insufficient_heat and learns the normal split per outdoor band."""

    __slots__ = (
        "_backup",
        "_cadence",
        "_call",
        "_call_rose_at",
        "_clean",
        "_context",
        "_defrost",
        "_expectation",
        "_held",
        "_held_bands",
        "_margin",
        "_operation",
        "_profile",
        "_readings",
        "_readings_spread",
        "_recent",
        "_system",
        "_warmed",
        "_wide_now",
        "bands",
        "coil_gap",
        "delivery_spread",
        "draw",
        "drift",
        "drop_score",
        "efficiency",
        "flat_score",
        "high_score",
        "lean_score",
    )

    def __init__(
        self,
        *,
        readings: Readings,
        operation: Operation,
        profile: PowerProfile,
        defrost: DefrostTracker,
        system_type: SystemType,
        margin_scale: float,
        cadence: Cadence | None = None,
        backup: BackupHeat | None = None,
    ) -> None:
        self._cadence = cadence or Cadence()
        # The backup heater's record, where one is configured.
        self._backup = backup
        self._readings = readings
        self._operation = operation
        self._profile = profile
        self._defrost = defrost
        self._system = system_type
        self._margin = margin_scale
        self.bands: dict[int, SplitBand] = {}
        # Seconds of "room cold although flat out", leaky.
        self.flat_score = 0.0
        # What the other faults say this tick (see detector.Context).
        self._context = Context()
        # Seconds of "split far above normal", leaky.
        self.high_score = 0.0
        # Expectation of the latest judgement, for learning.
        self._expectation: Expectation | None = None
        # The sustained-shortfall CUSUM (log-units x hours), and the recent
        # log(split / expected), smoothed, for the evidence.
        self.drop_score = 0.0
        # The same CUSUM with the smaller allowance, read only with another
        # signature's word (the coil's, or the draw's).
        self.lean_score = 0.0
        # Whether the split slides below the reference: it then learns slowly.
        self.drift = ReferenceDrift()
        # The bands as they stood when a step began to be held (reference_drift).
        self._held_bands: dict[int, SplitBand] | None = None
        self._recent: float | None = None
        # Whether the split read now is above the high limit.
        self._wide_now = False
        # How still supply and return stand: what rounding may hide in them.
        self._readings_spread = ReadingsSpread()
        # The recent delivery share (split against the long reference at this
        # band and power) and when it was last judged: the efficiency index.
        self.efficiency: tuple[float, float] | None = None
        # Energy per kelvin-hour of heating against healthy days (efficiency.py).
        self.draw = DrawPerKelvin()
        # The outdoor coil's clean gap below the air against healthy (coil_gap.py),
        # and this tick's clean gap and band, for learning.
        self.coil_gap = CoilGap()
        # How far this unit's hourly delivery strays while healthy: the
        # shortfall score's own allowance (delivery_spread.py).
        self.delivery_spread = DeliverySpread()
        self._clean: tuple[int, float, float] | None = None
        # The fault built at the last tick: the draw's reference holds then.
        self._held = False
        # The backup heater warms the supply this tick: not the unit's split.
        self._warmed = False
        # The heating target asked for (-inf: not heating), and when it last
        # rose: a unit then runs as hard as it can, with a split to match.
        self._call: float | None = None
        self._call_rose_at: float | None = None

    @staticmethod
    def band_of(outdoor: float | None) -> int:
        """Outdoor-temperature band index (5 K wide)."""
        if outdoor is None:
            return _NO_OUTDOOR_BAND
        index = math.floor(outdoor / _BAND_K)
        return max(-_BAND_LIMIT, min(_BAND_LIMIT, index))

    def expectation(self, outdoor: float | None, power: float | None) -> Expectation:
        """What split this unit should show now, and the limits either side."""
        index = self.band_of(outdoor)
        band = self.bands.get(index)
        high_share = 1.0 + (_HIGH_SHARE - 1.0) * self._margin
        if band is not None and band.seconds >= _BAND_TRUSTED_S:
            expected = band.expected(power)
            low_share = 1.0 - (1.0 - _LOW_SHARE) * self._margin
            low = min(expected * low_share, expected - _MIN_MARGIN_K[self._system] * self._margin)
            high = (
                self._widest(band, power) * high_share
                if band.seconds >= _HIGH_TRUSTED_S
                else self._neighbour_high(index, power, high_share)
            )
            return Expectation(
                low=max(low, 0.0), high=high, expected=expected, learn_max=expected * _LEARN_MAX
            )
        if power is not None:
            reference = self._profile.running_high or _NOMINAL_W[self._system]
            load = min(max(math.sqrt(power / reference), 0.4), 1.0)
        else:
            # Without power the load is unknown: assume a part-load split.
            load = 0.6
        low = _DEFAULT_ALARM_K[self._system] * load / self._margin
        high = self._neighbour_high(index, power, high_share)
        return Expectation(low=low, high=high, expected=None, learn_max=math.inf)

    def _recovering(self, now: float) -> bool:
        """The call for heat rose, and the room has not yet come within reach of it.

        Forgets the rise once the recovery is over.
        """
        rose = self._call_rose_at
        if rose is None:
            return False
        deficit = self._readings.room_deficit()
        if now - rose >= _CALL_RECOVERY_S and (deficit is None or deficit <= _RECOVERED_K):
            self._call_rose_at = None
            return False
        return True

    def _follow_call(self, now: float) -> None:
        """Note when the call for heat rose: a set-up, or heating switched on."""
        climate = self._readings.climate
        if climate is None or climate.hvac_mode is None:
            return
        call = climate.target_temperature if climate.hvac_mode == "heat" else -math.inf
        if call is None:
            return
        previous = self._call
        if previous is not None and call >= previous + _CALL_STEP_K:
            self._call_rose_at = now
        self._call = call

    def _spread_high(self, now: float) -> float | None:
        """The high limit where an energy counter cannot say the load: the band's own spread.

        A fixed-speed unit's split hardly varies and gets a close limit; an
        inverter's varies with its speed and gets a wide one.
        """
        band = self.bands.get(self.band_of(self._readings.outdoor))
        if band is None or band.spread_seconds < _SPREAD_TRUSTED_S:
            return None
        if self._recovering(now):
            # Recovering from a set-up or a cold start: an inverter runs flat
            # out with a split its quieter hours never showed.
            return None
        share = 1.0 + (_HIGH_SHARE - 1.0) * self._margin
        return band.typical_split * max(share, math.exp(_SPREAD_SDS * band.spread()))

    def _widest(self, band: SplitBand, power: float | None) -> float:
        """The widest healthy split at this power that the high limit builds on, K.

        A water loop's pump moves the same water whatever the compressor's
        speed, so above the powers learned its split may grow with the heat
        (split_model.most_expected); an air handler steps its fan up with the
        compressor, and its line holds there.
        """
        if self._system is SystemType.AIR_TO_WATER:
            return band.most_expected(power)
        return band.expected(power)

    def _neighbours(self, index: int, learned_s: float) -> list[SplitBand]:
        """The bands either side of this one with this much learned (none without an outdoor)."""
        if index == _NO_OUTDOOR_BAND:
            return []
        return [
            band
            for band in (self.bands.get(index - 1), self.bands.get(index + 1))
            if band is not None and band.seconds >= learned_s
        ]

    def _neighbour_high(self, index: int, power: float | None, share: float) -> float | None:
        """The high limit the next well-learned band gives, widened; None if none is."""
        limits = [
            self._widest(neighbour, power) * share * _NEIGHBOUR_HIGH_SHARE
            for neighbour in self._neighbours(index, _HIGH_TRUSTED_S)
        ]
        return max(limits) if limits else None

    def split_share(self, now: float) -> float | None:
        """The split now as a share of this unit's healthy split here; None where unknown.

        Read by the ice detector: a coil left undefrosted delivers less and
        less.  Like the split tests, only where the unit is read often enough
        for one reading to stand for steady running, not while the backup
        heater's heat is in the supply, nor where only a counter says the unit
        runs and not for this reading (see _run_unconfirmed).
        """
        readings = self._readings
        split = readings.split
        if (
            split is None
            or not self.split_judgeable()
            or readings.backup_warms(now)
            or self._run_unconfirmed()
        ):
            return None
        index = self.band_of(readings.outdoor)
        power = self._split_power()
        band = self.bands.get(index)
        if band is not None and band.seconds >= _BAND_TRUSTED_S:
            return max(split, 0.0) / band.expected(power)
        # A band not yet learned (the first cold night) borrows the next
        # learned one's split at the same power, the smaller where both are:
        # a degree or two of weather moves it far less than the collapse a
        # coil left to ice shows, and the smaller one never makes it look worse
        # (nor one stretched below the powers it saw, where it would).
        borrowed = [
            neighbour.expected(power)
            for neighbour in self._neighbours(index, _BAND_TRUSTED_S)
            if not neighbour.below(power)
        ]
        return max(split, 0.0) / min(borrowed) if borrowed else None

    @property
    def fault(self) -> FaultKey:
        """The fault this detector judges."""
        return FaultKey.INSUFFICIENT_HEAT

    def settle(self, *, suspect: bool, active: bool) -> None:
        """Remember whether the fault is suspect or active: the draw's reference holds then."""
        self._held = suspect or active

    def not_judged(self) -> list[str]:
        """The single-reading split tests, where the unit is read too seldom."""
        # Only a sampling known to be coarse: an unknown one is judged as soon
        # as it is known to be fine.
        return [] if self._cadence.finer_than(_MAX_SPLIT_SAMPLING_S) else [RULE_SPLIT]

    def judge(self, now: float, dt: float, context: Context | None = None) -> Verdict:
        """Judge whether the unit is short of heat now."""
        self._context = context or Context()
        self._expectation = None
        readings = self._readings
        split = readings.split
        details: dict[str, Any] = {"split_k": rounded(split)}
        if readings.backup_on:
            details["backup_on"] = True
        warmed = self._warmed = readings.backup_warms(now)
        self._follow_call(now)
        self._follow_draw(now, dt)
        gate = self._gate(now, dt)
        if gate is not None:
            return Verdict(gate, evidence=self._backup_note(now, details))
        low: bool | None = None
        high = False
        drop_judged = False
        if split is not None:
            expectation = self.expectation(readings.outdoor, self._split_power())
            self._expectation = expectation
            details["min_split_k"] = round(expectation.low, 1)
            details["expected_split_k"] = rounded(expectation.expected)
            details["expectation"] = "default" if expectation.expected is None else "learned"
            fine = self.split_judgeable()
            if fine:
                # A single reading against the limits needs steady running
                # told apart from starts and defrosts: frequent readings.
                low = split < expectation.low
            # A wide split is normal at high load: it is judged against the load
            # where the power can follow it (a coarse poll's reading lasts 45
            # minutes only if the load does), against the band's own spread
            # where an energy counter's minutes-old average cannot; never while
            # the backup heater's heat widens it by design.
            high_limit: float | None = None
            if not warmed and readings.power_counter:
                high_limit = self._spread_high(now)
            elif not warmed and (fine or readings.power is not None):
                high_limit = expectation.high
            # The limit judged against, for the evidence: behind a counter the
            # band's own spread, not the load's.
            details["max_split_k"] = rounded(high_limit)
            high = self._judge_high(split, high_limit, dt, details)
            # Hours of readings average out the odd start or missed defrost
            # a coarse poll catches; its samples just weigh less each.
            drop_judged = not warmed and self._judge_drop(
                split, expectation, dt, details, fine=fine
            )
            if drop_judged and self._recent is not None:
                self.efficiency = (math.exp(self._recent), now)
        self._judge_coil(now, dt, details, warmed=warmed)
        alarm = self._drop_alarm
        dropped = self._dropped(alarm, details)
        flat = self._judge_flat(dt, details)
        # Short of its target at full power is the fault only when delivery
        # is short too; otherwise the unit is at its capacity in this weather.
        cold_and_short = bool(flat) and self.drop_score >= 0.5 * alarm
        if flat and not cold_and_short:
            details["at_capacity"] = True
        reason = (
            "low_split"
            if low
            else "high_split"
            if high
            else "capacity_drop"
            if dropped
            else "room_below_target"
            if cold_and_short
            else None
        )
        if reason is not None:
            onset = self._steady_wide_since(now) if reason == "high_split" else None
            return Verdict(Finding.ABNORMAL, reason, details, onset=onset)
        judged = low is not None or flat is not None or drop_judged
        finding = Finding.NORMAL if judged else Finding.UNKNOWN
        suspect = self.high_score >= _HIGH_SUSPECT_S or self.drop_score >= 0.5 * alarm
        if not suspect:
            self._backup_note(now, details)
        return Verdict(finding, evidence=details, suspect=suspect)

    def _steady_wide_since(self, now: float) -> float | None:
        """When a wide split began, where it has lasted its wait in steady heating.

        A healthy unit runs a wide split where it catches up: through a
        set-up, or in the first half hour of a run after a rest (a cold
        return, a lock-out's backlog, a backup heater the meter does not
        see).  Its long wait is what tells those from a clogged filter; the
        confirmation on top is needed there.  A split that went wide well
        into one run, with no set-up under way, has no such cause: it needs
        no further wait, and it began when it first ran wide.  A water unit
        may also be heating its hot water mid-run (flow at 50-60 °C, its
        split as wide): there only a thermostat that says the unit heats the
        rooms vouches for the split.
        """
        if (
            # Only while it is wide: its score lingers a few minutes after.
            not self._wide_now
            or (self._system is SystemType.AIR_TO_WATER and self._readings.action != "heating")
            or self._recovering(now)
            # Wide since the run's first half hour (not running: 0 s into one).
            or self._operation.running_for(now) - self.high_score < _CATCH_UP_S
        ):
            return None
        return now - self.high_score

    def _backup_note(self, now: float, details: dict[str, Any]) -> dict[str, Any]:
        """Add the backup heater's mild-weather runs, while the heat pump is healthy.

        Called only where this fault is not building; a unit without power
        leaves the heater to carry the house, which is no news then.
        """
        if self._backup is not None and not self._context.unpowered:
            mild = self._backup.mild_weather(now)
            if mild is not None:
                details.update(mild)
        return details

    @property
    def _drop_alarm(self) -> float:
        """The shortfall score that raises the fault, at this sensitivity."""
        return _DROP_ALARM * self._margin

    def _follow_draw(self, now: float, dt: float) -> None:
        """Every minute of heating service goes into the day's draw per kelvin."""
        readings = self._readings
        climate = readings.climate
        # The backup heater carries part of the load: the unit's draw then
        # says nothing of its own efficiency.
        heating = readings.heating_context() is True and not self._warmed
        # A power sensor read seldom says little of the energy a cycling unit
        # drew between its readings; an energy counter says it exactly.
        counter = readings.power_counter
        power = readings.power if counter or self.split_judgeable() else None
        self.draw.add(
            now,
            dt if heating else 0.0,
            power=power,
            inside=climate.current_temperature if climate is not None else None,
            outdoor=readings.outdoor,
            short=(readings.room_deficit() or 0.0) > _FLAT_DEFICIT_K,
            learn=not self._held,
        )

    def _dropped(self, alarm: float, details: dict[str, Any]) -> bool:
        """A sustained loss of capacity, by signatures that must not contradict.

        The split short against the reference, unless the unit draws less
        per kelvin than when healthy; or the draw per kelvin well up, unless
        the split per power is better than ever.  One of these alone, the
        other silent or unavailable, is enough; one contradicted is not.
        The coil's gap clearly wider than when healthy is never enough alone:
        it counts where the split or the draw leans the same way.  Without
        the coil, the split past the smaller allowance and the draw leaning
        (a tenth more per kelvin, update after update for a day: one windy
        day is not that), both at once, are enough together: each alone is
        an ordinary week (a faster fan, a sunless day), together the unit
        gets less for more.
        """
        draw = self.draw
        if draw.share is not None:
            details["draw_share"] = round(draw.share, 2)
        recent = None if self._recent is None else math.exp(self._recent)
        split_says = self.drop_score >= alarm and (draw.share is None or draw.share >= _LESS_DRAW)
        draw_says = draw.risen and (recent is None or recent < _BETTER_SPLIT)
        leaning = self.lean_score >= alarm or (draw.share is not None and draw.share >= _MORE_DRAW)
        coil_says = (
            self.coil_gap.wider
            and leaning
            and (recent is None or recent < _BETTER_SPLIT)
            and (draw.share is None or draw.share >= _LESS_DRAW)
        )
        both_lean = (
            self.lean_score >= alarm and draw.leaning and recent is not None and recent < 1.0
        )
        if coil_says:
            details["coil_gap_wider"] = True
        if both_lean:
            details["split_and_draw_lean"] = True
        return split_says or draw_says or coil_says or both_lean

    def _clean_gap(self, now: float) -> float | None:
        """The coil's gap below the air where no frost can be in it; None elsewhere."""
        readings = self._readings
        coil, outdoor = readings.coil, readings.outdoor
        if coil is None or outdoor is None:
            return None
        end = self._defrost.last_end
        fresh = end is not None and now - end < DEFROST_RECOVERY_S + _CLEAN_AFTER_RECOVERY_S
        return outdoor - coil if coil >= _FROST_FREE_C or fresh else None

    def _judge_coil(self, now: float, dt: float, details: dict[str, Any], *, warmed: bool) -> None:
        """Fold a clean coil's gap into its score, at a power the meter can say.

        Not while the backup heater runs: a meter that sees it too no longer
        says the unit's load.
        """
        self._clean = None
        power = self._split_power()
        gap = self._clean_gap(now)
        if warmed or power is None or gap is None:
            return
        band = self.band_of(self._readings.outdoor)
        self._clean = (band, gap, power)
        share = self.coil_gap.judge(band, gap, power, dt)
        if share is not None:
            details["coil_gap_share"] = round(share, 2)

    def _judge_drop(
        self,
        split: float,
        expectation: Expectation,
        dt: float,
        details: dict[str, Any],
        *,
        fine: bool,
    ) -> bool:
        """Add this minute to the sustained-shortfall score; False when not judged."""
        # Followed before a reference exists too: the reference keeps how
        # far the readings it learned from spread (rounding.py).
        readings = self._readings
        if readings.supply is not None and readings.ret is not None:
            self._readings_spread.follow(readings.supply, readings.ret, dt)
        band = self.bands.get(self.band_of(readings.outdoor))
        power = self._split_power()
        if (
            expectation.expected is None
            or band is None
            or band.seconds < _DROP_TRUSTED_S
            or dt <= 0.0
        ):
            # Nothing known of the delivery here: an older figure must not
            # speak for it (it could contradict the draw per kelvin).
            self._recent = None
            return False
        # Below the powers learned (an inverter turned down by a leak's low
        # suction), held to the least a healthy unit would show there.
        expected = band.least_expected(power)
        if expected is None:
            self._recent = None
            return False
        if not band.covers(power):
            details["expected_split_k"] = rounded(expected)
        x = self._log_share(split, expected, band, fine=fine)
        hours = dt / 3600.0
        cap = _DROP_CAP * self._margin
        allowance = self.delivery_spread.allowance(_DROP_ALLOWANCE)
        self.drop_score = min(max(self.drop_score + (-x - allowance) * hours, 0.0), cap)
        self.lean_score = min(max(self.lean_score + (-x - _LEAN_ALLOWANCE) * hours, 0.0), cap)
        recent = self._recent
        self._recent = x if recent is None else recent + blend(dt, _RECENT_TAU_S) * (x - recent)
        # The drift's score reads the smoothed share: a two-stage unit read
        # through a counter alternates above and below its band's one
        # expectation.  While a step is held, whether the share holds still
        # is read against the bands as they stood when the hold began: the
        # live ones learn at full speed then, and would trail a slide.
        held_x = self._held_share(split, power, fine=fine)
        self.drift.follow(x, self._recent, dt, held_x=held_x)
        if not self.drift.held:
            self._held_bands = None
        elif self._held_bands is None:
            self._held_bands = {index: band.copy() for index, band in self.bands.items()}
        # A shortfall building must not widen its own allowance.  A slide
        # below the reference (drift) still teaches the spread: hours within
        # the fixed allowance cannot lift it past that, and a unit that
        # swings for hours at a time slides by that measure every day.
        self.delivery_spread.add(x, dt, learn=not self._shortfall_building())
        details["delivery_share"] = round(math.exp(self._recent), 2)
        if allowance > _DROP_ALLOWANCE:
            # Where this unit's own spread widened the allowance: the share
            # below which a shortfall counts.
            details["shortfall_below_share"] = round(math.exp(-allowance), 2)
        if self.drop_score > 0.0:
            details["shortfall_score"] = round(self.drop_score / self._drop_alarm, 2)
        return True

    def _log_share(self, split: float, expected: float, band: SplitBand, *, fine: bool) -> float:
        """log(split / expected), with rounding's credit, clipped so one reading cannot do much.

        ``band``: the reference ``expected`` comes from.
        """
        x = math.log(max(split, 0.05) / expected)
        spread = min(self._readings_spread.spread, band.readings_spread)
        allowed = credit(self._readings.temperature_step, spread)
        if x < 0.0 and allowed > 0.0:
            # Readings that stood still, now or while the reference learned,
            # may be up to a step off: the shortfall counts only beyond the
            # credit (rounding.py).
            x = min(math.log((max(split, 0.05) + allowed) / expected), 0.0)
        clip = _DROP_CLIP if fine else _COARSE_DROP_CLIP
        return min(max(x, -clip), clip)

    def _held_share(self, split: float, power: float | None, *, fine: bool) -> float | None:
        """The log share against this band as it stood when the hold began; None if not held."""
        held = self._held_bands
        if held is None:
            return None
        band = held.get(self.band_of(self._readings.outdoor))
        if band is None or band.seconds < _DROP_TRUSTED_S:
            return None
        expected = band.least_expected(power)
        return None if expected is None else self._log_share(split, expected, band, fine=fine)

    def split_judgeable(self) -> bool:
        """Whether the unit is sampled often enough to judge the split.

        The unit's sampling, not supply's and return's own: a water
        temperature that holds for twenty minutes reports nothing new, while
        a cloud poll shows in every measurement at once.  Not before the
        sampling is known: a cloud's first two polls look like a live unit.
        """
        return self._cadence.proven_finer_than(_MAX_SPLIT_SAMPLING_S)

    def _judge_high(
        self, split: float, limit: float | None, dt: float, details: dict[str, Any]
    ) -> bool:
        """A split far above normal for the load: too little air (or water) moves."""
        self._wide_now = limit is not None and split > limit
        if self._wide_now:
            self.high_score += dt
        else:
            self.high_score = max(self.high_score - dt, 0.0)
        if self.high_score > 0.0:
            details["high_split_minutes"] = round(self.high_score / 60.0)
        return self.high_score >= (_BLIND_HIGH_S if self._readings.power_counter else _HIGH_S)

    def _gate(self, now: float, dt: float) -> Finding | None:
        """Why the split cannot be judged now, or None in steady heating."""
        readings = self._readings
        operation = self._operation
        heating = readings.heating_context()
        if heating is False:
            # Cooling, off or fan: the fault cannot be present; let it clear.
            self.flat_score = max(self.flat_score - dt, 0.0)
            return Finding.NORMAL
        if operation.running is None:
            return Finding.UNKNOWN
        if not operation.running:
            self.flat_score = max(self.flat_score - dt, 0.0)
            return Finding.HOLD
        outdoor = readings.outdoor
        split = readings.split
        # No climate entity: running in cold weather is taken to be heating;
        # without an outdoor temperature it could as well be cooling.
        unsure = heating is None and (outdoor is None or outdoor > _HEATING_SEASON_MAX_C)
        unsettled = (
            readings.defrost_on
            or self._defrost.just_ended(now)
            or operation.running_for(now) < self._steady_after()
        )
        cooling = split is not None and split < _COOLING_SPLIT_K
        # An iced coil delivers little heat (the ice fault), a unit without
        # power none (the power fault): neither is this one.
        context = self._context
        if unsure or unsettled or cooling or context.iced or context.unpowered:
            return Finding.HOLD
        if self._run_unconfirmed():
            return Finding.HOLD
        return None

    def _run_unconfirmed(self) -> bool:
        """Whether only a counter says the unit runs, and not for the split read now.

        Without the thermostat's action an energy counter alone says when
        the unit runs, and only for the polls it moved at: its figure stands
        until it moves again, and a water loop's split collapses within
        minutes of a stop.  The split is judged only where the counter's
        last two steps each drew three quarters of a poll's worth of the
        unit's usual running draw (it ran through most of both), and supply
        or return last changed within the last step's span, from a poll
        before its start: not after it (a split fetched with the counter
        still, a stop's), nor before (a split held from before the run,
        where the counter is read more often than the temperatures).  A
        unit without either is judged on its counter alone.

        Strict on purpose: allowing the counter's rounding in the steps, or
        a split that last changed in the step before, let idle splits after
        a stop through on synthetic half-hour and 15-minute polls.  Steady
        runs read through coarse sensors whose values hold for two polls,
        or polled every 10 minutes at a draw the rounding puts just under
        the share, are not judged.
        """
        readings = self._readings
        if not readings.power_counter or readings.action is not None:
            return False
        moved, since = readings.power_figure_at, readings.power_drawn_since
        power, before = readings.power, readings.power_previous_w
        high = self._profile.running_high
        if moved is None or since is None or power is None or before is None or high is None:
            return True
        least = max(self._profile.run_threshold(), _RUN_SHARE_OF_HIGH * high)
        if min(power, before) < least:
            return True
        cadence = self._cadence
        reports = [
            at
            for at in (
                cadence.last_report(InputKey.SUPPLY_TEMPERATURE),
                cadence.last_report(InputKey.RETURN_TEMPERATURE),
            )
            if at is not None
        ]
        latest = max(reports, default=None)
        return latest is not None and not since <= latest <= moved + FETCH_S

    def _steady_after(self) -> float:
        """How long after a start the split counts as steady running, s."""
        if self._system is SystemType.AIR_TO_AIR and not self._readings.power_counter:
            return _AIR_STEADY_S
        return STEADY_RUN_S

    def _judge_flat(self, dt: float, details: dict[str, Any]) -> bool | None:
        readings = self._readings
        power = readings.power
        high = self._profile.running_high
        deficit = readings.room_deficit()
        if power is None or high is None or deficit is None:
            return None
        details["room_deficit_k"] = round(deficit, 1)
        details["power_w"] = round(power)
        details["flat_out_w"] = round(_FLAT_SHARE * high)
        if power >= _FLAT_SHARE * high and deficit > _FLAT_DEFICIT_K * self._margin:
            self.flat_score += dt
        elif deficit <= _ROOM_OK_K:
            self.flat_score = max(self.flat_score - 2.0 * dt, 0.0)
        limit = _FLAT_S[self._system]
        details["cold_room_minutes"] = round(self.flat_score / 60.0)
        return self.flat_score >= limit

    def learn(self, now: float, dt: float) -> None:
        """Learn the split of healthy steady heating (judge has set the expectation)."""
        expectation = self._expectation
        split = self._readings.split
        if expectation is None or split is None or dt <= 0.0 or split <= 0.0:
            return
        if self._warmed:
            # The heater's heat is in the split: learning it would set the
            # unit's normal too high, and a later leak would hide below it.
            return
        if not expectation.low <= split <= expectation.learn_max:
            # Outside what is normal: learning it would teach the fault.
            return
        if self._shortfall_building():
            # The reference must not follow it (a leak would teach it a new
            # normal).
            return
        outdoor = self._readings.outdoor
        band = self.bands.get(self.band_of(outdoor))
        if band is None:
            band = self.bands[self.band_of(outdoor)] = SplitBand()
        if self.drift.slows and band.seconds >= _DROP_TRUSTED_S:
            # A slide the shortfall score cannot see yet (reference_drift).
            # A band not yet trusted learns at full speed: it has no
            # reference to hold to yet.
            dt *= SLOW_LEARNING
        band.add(
            split,
            self._split_power(),
            dt,
            _BAND_TAU_S,
            readings_spread=self._readings_spread.spread,
        )
        if self._clean is not None:
            self.coil_gap.learn(*self._clean, dt)

    def _shortfall_building(self) -> bool:
        """Whether a shortfall is building, by any signature: nothing is learned then."""
        learn_stop = _DROP_LEARN_SHARE * self._drop_alarm
        return (
            self.drop_score >= learn_stop
            or self.draw.rising
            # The coil runs wider and the smaller shortfall builds: a leak
            # the coil corroborates must not be learned while it does.
            or (self.coil_gap.score > 0.0 and self.lean_score >= learn_stop)
        )

    def _split_power(self) -> float | None:
        """The power the split is compared at, if the meter can say it.

        Worked out from an energy counter, the power is an average over
        minutes, late and in coarse steps: the split then has one expectation
        per band, whatever the speed.
        """
        if self._readings.power_counter:
            return None
        return self._readings.power

    def reset_learned(self) -> None:
        """Forget the learned splits and the full-load draw they were judged at."""
        self._profile.reset_high()
        self.bands.clear()
        self.flat_score = 0.0
        self.high_score = 0.0
        self.drop_score = 0.0
        self.lean_score = 0.0
        self.drift = ReferenceDrift()
        self._held_bands = None
        self._recent = None
        self.draw.reset()
        self.coil_gap.reset()
        self.delivery_spread.reset()

    def learned_dict(self) -> dict[str, Any]:
        """Return the learned baselines, JSON-serialisable."""
        return {
            "bands": save_bands(self.bands),
            "draw": self.draw.learned_dict(),
            "coil_gap": self.coil_gap.learned_dict(),
            "delivery_spread": self.delivery_spread.learned_dict(),
        }

    def load_learned(self, data: object) -> None:
        """Restore baselines, ignoring anything unusable."""
        if not isinstance(data, dict):
            return
        self.draw.load_learned(data.get("draw"))
        self.coil_gap.load_learned(data.get("coil_gap"), _known_band)
        self.delivery_spread.load_learned(data.get("delivery_spread"))
        self.bands.update(load_bands(data.get("bands"), _known_band))

    def state_dict(self) -> dict[str, Any]:
        """Return the state, JSON-serialisable."""
        return {
            "flat_score": round(self.flat_score, 1),
            "high_score": round(self.high_score, 1),
            "drop_score": round(self.drop_score, 4),
            "lean_score": round(self.lean_score, 4),
            "drift": self.drift.to_dict(),
            "held_bands": None if self._held_bands is None else save_bands(self._held_bands),
            "draw": self.draw.state_dict(),
            "coil_gap": self.coil_gap.state_dict(),
            "delivery_spread": self.delivery_spread.state_dict(),
            # A restart in the middle of a morning's recovery must not forget
            # the set-up: the wide split it runs with is then judged at once.
            "call": {
                "heating": None if self._call is None else math.isfinite(self._call),
                "target": None if self._call is None or math.isinf(self._call) else self._call,
                "rose_at": self._call_rose_at,
            },
        }

    def load_state(self, data: object) -> None:
        """Restore state, ignoring anything unusable."""
        if isinstance(data, dict):
            self.flat_score = max(as_float(data.get("flat_score")) or 0.0, 0.0)
            self.high_score = max(as_float(data.get("high_score")) or 0.0, 0.0)
            drop = as_float(data.get("drop_score")) or 0.0
            self.drop_score = min(max(drop, 0.0), _DROP_CAP * self._margin)
            lean = as_float(data.get("lean_score")) or 0.0
            self.lean_score = min(max(lean, 0.0), _DROP_CAP * self._margin)
            self.drift = ReferenceDrift.from_dict(data.get("drift"))
            held = load_bands(data.get("held_bands"), _known_band)
            self._held_bands = held if self.drift.held and held else None
            self.draw.load_state(data.get("draw"))
            self.coil_gap.load_state(data.get("coil_gap"))
            self.delivery_spread.load_state(data.get("delivery_spread"))
            self._load_call(data.get("call"))

    def _load_call(self, data: object) -> None:
        """Restore the call for heat and its last rise, ignoring anything unusable."""
        if not isinstance(data, dict):
            return
        heating, target = data.get("heating"), believable_target(data.get("target"))
        if heating is False:
            self._call = -math.inf
        elif heating is True and target is not None:
            self._call = target
        else:
            return
        self._call_rose_at = as_float(data.get("rose_at"))
