"""Random homes for testing detection beyond the presets.

The presets are a handful of hand-picked houses; a rule tuned on them can
still be wrong on the next house.  :func:`draw_home` draws a house and its
heat pump at random: heat loss and thermal mass, a unit sized anywhere from
short to generous against the load, fixed-speed, two-stage or inverter,
demand or timed defrost, air or water, a schedule, the weather, and how its
integration reports (units, rounding, report-on-change or a cloud poll of
10 s to 30 min, an energy counter instead of a power sensor, inputs that are
missing).  A fault home gets one fault of the asked kind, at a random time
and severity, after enough healthy days for anything that learns.

:class:`Truth` watches the model while it runs and says when the fault
became real in the sense each deadline counts from (see ``DEADLINE_S``):
power gone, a coil iced beyond what a defrost clears, capacity down by a
third, a room 1 K short, the first rattle an owner could have heard.

Plain Python, deterministic for a seed, no Home Assistant imports.
"""

from __future__ import annotations

from collections import deque
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
import random
import statistics
from typing import Final

from .export import as_energy_counter, polled, without_action
from .physics import (
    BACKUP_HEATER,
    BLOCKED_FILTER,
    BREAKER_TRIP,
    CLIMATE,
    COIL_TEMPERATURE,
    DEFROST,
    DEFROST_ENDS_EARLY,
    DEFROST_MAX_S,
    DEFROST_NEVER_STARTS,
    DEFROST_TOO_LONG,
    NOISE,
    RATTLING,
    REFRIGERANT_LEAK,
    RETURN_TEMPERATURE,
    SHORT_CYCLING,
    SUPPLY_TEMPERATURE,
    TEMPERATURE_INPUTS,
    WORN_BEARING,
    FaultInjection,
    HeatPumpModel,
    Scenario,
    ScheduleEntry,
    StateRecord,
    TrueValues,
    simulate,
)

# The fault kinds a home can be drawn with, and the fault each must raise.
# A breaker trip while idle is its own kind: nothing runs to lose.
BREAKER_TRIP_IDLE: Final = "breaker_trip_idle"
FAULT_OF_KIND: Final = {
    BREAKER_TRIP: "power_loss",
    BREAKER_TRIP_IDLE: "power_loss",
    DEFROST_NEVER_STARTS: "ice_buildup",
    DEFROST_ENDS_EARLY: "ice_buildup",
    DEFROST_TOO_LONG: "ice_buildup",
    REFRIGERANT_LEAK: "insufficient_heat",
    BLOCKED_FILTER: "insufficient_heat",
    RATTLING: "abnormal_noise",
    WORN_BEARING: "abnormal_noise",
    SHORT_CYCLING: "short_cycling",
}
KINDS: Final = tuple(FAULT_OF_KIND)
# Faults that count from their first sound.
_HEARD: Final = frozenset({RATTLING, WORN_BEARING})

# Deadlines from the onset Truth finds (seconds).
DEADLINE_S: Final = {
    BREAKER_TRIP: 30 * 60.0,
    BREAKER_TRIP_IDLE: 30 * 60.0,
    DEFROST_NEVER_STARTS: 90 * 60.0,
    DEFROST_ENDS_EARLY: 90 * 60.0,
    DEFROST_TOO_LONG: 90 * 60.0,
    REFRIGERANT_LEAK: 24 * 3600.0,
    BLOCKED_FILTER: 3 * 3600.0,
    RATTLING: 3600.0,
    WORN_BEARING: 3600.0,
    # Sustained short cycling: the hour of starts the rule needs and its
    # confirmation, with an hour's margin.
    SHORT_CYCLING: 3 * 3600.0,
}
# Short cycling is real once the cut-outs repeat: this many within an hour.
SHORT_CYCLING_CUTOUTS: Final = 6
# A leak counts from the moment it has cost this share of capacity...
LEAK_ONSET_LOSS: Final = 0.3
# ...and the smaller-leak figure from this one, with its own deadline.
SMALL_LEAK_LOSS: Final = 0.25
SMALL_LEAK_DEADLINE_S: Final = 48 * 3600.0
# Leak severities whose "found within 24 h" share the scorecard tabulates.
LEAK_LOSS_STEPS: Final = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
# Frost (φ, the share of the coil it blocks) beyond which a healthy demand
# defrost would have started, and what an early-ended defrost must leave to
# count as not cleared.
ICED_SHARE: Final = 0.5
NOT_CLEARED_SHARE: Final = 0.1
# The fleet-tested rule for short cycling the issue cites: this many starts
# within an hour, with the runs that ended in it no longer than this at the
# median.  A healthy drawn home whose own model does so was drawn oversized.
FLEET_SHORT_STARTS: Final = 6
FLEET_SHORT_RUN_S: Final = 15 * 60.0
# A healthy home's coil is never encased for long: more than this share of
# the time beyond ENCASED_SHARE means the draw made a unit whose defrost
# cannot keep up, and the scorecard says so.
ENCASED_SHARE: Final = 0.8

HEALTHY_DAYS: Final = 7.0
_EPOCH: Final = datetime(2026, 1, 5, tzinfo=UTC)
# Cloud polls a home may have; None is report-on-change (a local integration).
_POLLS_S: Final = (None, None, None, 10.0, 30.0, 60.0, 300.0, 600.0, 900.0, 1800.0)
# The coarsest poll a fault kind can be expected to be judged through: sound
# needs a local sensor, a defrost of 5-10 minutes a poll well inside it.
_MAX_POLL_S: Final = {
    BREAKER_TRIP: 600.0,
    BREAKER_TRIP_IDLE: 600.0,
    DEFROST_NEVER_STARTS: 600.0,
    DEFROST_ENDS_EARLY: 60.0,
    DEFROST_TOO_LONG: 300.0,
    REFRIGERANT_LEAK: 1800.0,
    BLOCKED_FILTER: 1800.0,
    RATTLING: 10.0,
    WORN_BEARING: 60.0,
    # Starts a few minutes apart hide between coarser polls.
    SHORT_CYCLING: 60.0,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Home:
    """One drawn home: its scenario and how its integration reports."""

    index: int
    kind: str | None  # the fault kind, None for a healthy home
    scenario: Scenario
    poll_s: float | None  # None: report on change
    energy_counter: bool
    temperature_step: float  # the integration's rounding, in its unit (0.1 = none)
    # The thermostat reports its hvac_action (Daikin Onecta's does not).
    climate_action: bool = True
    description: str = ""

    @property
    def fault(self) -> str | None:
        """The fault key this home must raise (None: nothing)."""
        return None if self.kind is None else FAULT_OF_KIND[self.kind]

    def records(self, truth: Truth | None = None) -> list[StateRecord]:
        """What Home Assistant would have recorded of this home."""
        records = simulate(self.scenario, step_s=15.0, watch=truth.watch if truth else None)
        if self.temperature_step > 0.1:
            records = _coarsened(records, self.scenario, self.temperature_step)
        if self.energy_counter:
            records = as_energy_counter(records, self.scenario.power_entity)
        if not self.climate_action:
            records = without_action(records, self.scenario.climate_entity)
        if self.poll_s is not None:
            records = polled(records, self.poll_s, phase_s=self.index % 17 * 1.0)
        return records


@dataclass(slots=True)
class Truth:
    """When the home's fault became real, from the model's own state."""

    home: Home
    onset: float | None = None
    # Moment by moment capacity loss of a leak: the first time each loss in
    # LEAK_LOSS_STEPS was reached.
    leak_reached: dict[float, float] = field(default_factory=dict)
    # Steps watched, and of them with the coil encased in frost.
    steps: int = 0
    encased_steps: int = 0
    # Hours in which the model's own compressor short-cycled by the fleet rule.
    short_cycling_hours: set[int] = field(default_factory=set)
    # Seconds the compressor ran between the onset and its deadline: a fault
    # that becomes real just before a long stop can hardly show in time.
    ran_in_deadline_s: float = 0.0
    # When the fault was switched on (epoch seconds; None: a healthy home).
    injected: float | None = field(init=False)
    _defrost_since: float | None = None
    # The same home without its fault, run in step: what a healthy unit
    # would have done at the same moment (a blocked filter's only).
    _twin: HeatPumpModel | None = field(init=False, default=None)
    # The compressor's starts and finished runs (end, seconds) within the last hour.
    _run_since: float | None = None
    _watched_at: float | None = None
    _starts: deque[float] = field(default_factory=deque)
    _runs: deque[tuple[float, float]] = field(default_factory=deque)

    def __post_init__(self) -> None:
        scenario = self.home.scenario
        faults = scenario.faults
        self.injected = (
            scenario.start_epoch + faults[0].start_offset.total_seconds() if faults else None
        )
        if self.home.kind == BLOCKED_FILTER:
            self._twin = HeatPumpModel(scenario=replace(scenario, faults=()))

    @property
    def deadline_seen_s(self) -> float:
        """How much of the deadline after the onset the run covered, s (0 without an onset)."""
        if self.onset is None or self._watched_at is None:
            return 0.0
        return max(min(self.deadline_s, self._watched_at - self.onset), 0.0)

    @property
    def encased_share(self) -> float:
        """Share of the run the coil was nearly encased in frost."""
        return self.encased_steps / self.steps if self.steps else 0.0

    def watch(self, model: HeatPumpModel) -> None:
        """Called after every simulated step."""
        self.steps += 1
        if model.frost_share > ENCASED_SHARE:
            self.encased_steps += 1
        twin = self._twin
        if twin is not None:
            twin.step(model.now - twin.now)
        self._follow_compressor(model.now, running=model.compressor_running)
        onset, last = self.onset, self._watched_at
        self._watched_at = model.now
        if onset is not None and last is not None and model.compressor_running:
            ran = min(model.now, onset + self.deadline_s) - max(last, onset)
            self.ran_in_deadline_s += max(ran, 0.0)
        kind = self.home.kind
        injected = self.injected
        if kind is None or injected is None or model.now < injected:
            return
        if kind == REFRIGERANT_LEAK:
            self._leak(model)
        elif self.onset is None and self._became_real(kind, model, model.readings):
            self.onset = model.first_fault_sound if kind in _HEARD else model.now

    def _follow_compressor(self, now: float, *, running: bool) -> None:
        """Count the compressor's starts and runs; note hours that short-cycle by the fleet rule."""
        began = self._run_since
        if running == (began is not None):
            return
        if began is not None:
            self._runs.append((now, now - began))
            self._run_since = None
            return
        hour_ago = now - 3600.0
        self._run_since = now
        starts, runs = self._starts, self._runs
        starts.append(now)
        while starts[0] < hour_ago:
            starts.popleft()
        while runs and runs[0][0] < hour_ago:
            runs.popleft()
        if (
            len(starts) >= FLEET_SHORT_STARTS
            and runs
            and statistics.median(length for _, length in runs) <= FLEET_SHORT_RUN_S
        ):
            self.short_cycling_hours.add(int(now // 3600.0))

    def _leak(self, model: HeatPumpModel) -> None:
        loss = 1.0 - model.capacity_share
        for step in LEAK_LOSS_STEPS:
            if loss >= step - 1e-9:
                self.leak_reached.setdefault(step, model.now)
        if self.onset is None and loss >= LEAK_ONSET_LOSS - 1e-9:
            self.onset = model.now

    def _became_real(self, kind: str, model: HeatPumpModel, readings: TrueValues) -> bool:
        if kind in {BREAKER_TRIP, BREAKER_TRIP_IDLE}:
            # Lost power shows once something would have drawn it: at once
            # where the meter sees the controls and reads their 0 W, else at
            # the next call.  A meter that vanishes with the supply looks,
            # while nothing asks for heat, like one that lost its network;
            # an energy counter's 0.1 kWh takes hours of a standby's tens of
            # watts, so it shows no lost standby within any deadline.
            calling = readings.hvac_action in {"heating", "cooling", "defrosting"}
            scenario = self.home.scenario
            reads_zero = scenario.breaker_power_state == "zero" and not self.home.energy_counter
            return calling or (scenario.power_meter == "whole_unit" and reads_zero)
        if kind == DEFROST_NEVER_STARTS:
            # Injected during a defrost, that defrost still clears the coil:
            # the ice counts once it is back where the next one was due.
            return model.frost_share >= ICED_SHARE and not readings.defrost
        if kind in {DEFROST_ENDS_EARLY, DEFROST_TOO_LONG}:
            return self._defrost_went_wrong(kind, model.now, readings, model.frost_share)
        if kind == SHORT_CYCLING:
            cutouts = model.cutouts
            return (
                len(cutouts) >= SHORT_CYCLING_CUTOUTS
                and cutouts[-1] - cutouts[-SHORT_CYCLING_CUTOUTS] <= 3600.0
            )
        if kind == BLOCKED_FILTER:
            # The filter's doing only where a healthy unit would have kept
            # the room within 1 K: not a morning's set-up, nor a frost
            # beyond the unit's capacity, which leave a healthy room short too.
            twin = self._twin
            return _short_of_target(readings) and not (
                twin is not None and _short_of_target(twin.readings)
            )
        return model.first_fault_sound is not None

    def _defrost_went_wrong(
        self, kind: str, now: float, readings: TrueValues, frost_share: float
    ) -> bool:
        """A defrost ran past its normal end, or ended leaving the coil iced."""
        if readings.defrost:
            self._defrost_since = self._defrost_since or now
            return kind == DEFROST_TOO_LONG and now - self._defrost_since > DEFROST_MAX_S
        ended = self._defrost_since is not None
        self._defrost_since = None
        return kind == DEFROST_ENDS_EARLY and ended and frost_share >= NOT_CLEARED_SHARE

    @property
    def deadline_s(self) -> float:
        """Seconds from onset within which the fault counts as found in time."""
        kind = self.home.kind
        if kind is None:
            return 0.0
        return DEADLINE_S[kind]


def _short_of_target(readings: TrueValues) -> bool:
    """Heating, with the room more than 1 K below its target."""
    target = readings.target_c
    return readings.hvac_mode == "heat" and target is not None and readings.room_c < target - 1


def draw_home(seed: int, kind: str | None) -> Home:
    """A random home (healthy when ``kind`` is None), the same for the same seed."""
    rng = random.Random(f"home-{seed}-{kind}")
    water = rng.random() < 0.45
    compressor = rng.choice(("fixed", "two_stage", "inverter", "inverter"))
    ua = rng.uniform(80.0, 320.0)
    # Sized against the heat loss at -7 °C: from a third short to generous.
    sizing = rng.uniform(0.75, 1.6)
    rated = min(max(ua * 28.0 * sizing / 0.72, 3000.0), 16000.0)
    frosty = kind in {DEFROST_NEVER_STARTS, DEFROST_ENDS_EARLY, DEFROST_TOO_LONG}
    if frosty:
        mean_c, humidity = rng.uniform(-3.0, 4.0), rng.uniform(0.8, 0.95)
    elif kind == BLOCKED_FILTER:
        mean_c, humidity = rng.uniform(-10.0, 3.0), rng.uniform(0.5, 0.9)
    else:
        mean_c, humidity = rng.uniform(-10.0, 10.0), rng.uniform(0.5, 0.95)
    schedule = rng.choice(_SCHEDULES)
    lockouts: tuple[tuple[float, float], ...] = ()
    if rng.random() < 0.15:
        lockouts = ((rng.choice((6.0, 11.0, 17.0)), rng.uniform(0.5, 2.0)),)
    poll = rng.choice(_POLLS_S)
    if kind is not None and poll is not None and poll > _MAX_POLL_S[kind]:
        poll = None
    omit: list[str] = []
    if rng.random() < 0.3:
        omit.append(COIL_TEMPERATURE)
    if rng.random() < 0.3:
        omit.append(DEFROST)
    if rng.random() < 0.4 and kind not in {RATTLING, WORN_BEARING}:
        omit.append(NOISE)
    if frosty and COIL_TEMPERATURE in omit and DEFROST in omit:
        # Neither a coil nor a defrost state: ice cannot be judged at all.
        omit.remove(DEFROST)
    if rng.random() < 0.1 and kind not in {REFRIGERANT_LEAK, BLOCKED_FILTER}:
        omit.extend((SUPPLY_TEMPERATURE, RETURN_TEMPERATURE))
    if rng.random() < 0.1 and kind not in {BLOCKED_FILTER, BREAKER_TRIP_IDLE}:
        omit.append(CLIMATE)
    days, faults, leak_ramp, leak_loss = _fault_plan(rng, kind)
    backup_heater_w = _backup_heater(seed, omit)
    scenario = Scenario(
        name=f"home_{seed}_{kind or 'healthy'}",
        start=_EPOCH + timedelta(days=rng.randrange(0, 60)),
        duration=timedelta(days=days),
        system_type="air_to_water" if water else "air_to_air",
        compressor=compressor,
        mean_c=mean_c,
        swing_c=rng.uniform(1.0, 6.0),
        humidity=humidity,
        weather_noise_c=rng.uniform(0.2, 0.8),
        weather_drift_c=rng.uniform(0.5, 2.5),
        ua_w_per_k=ua,
        capacitance_j_per_k=rng.uniform(8e6, 30e6),
        internal_gains_w=rng.uniform(150.0, 600.0),
        solar_gain_w=rng.choice((0.0, 0.0, rng.uniform(200.0, 1500.0))),
        rated_capacity_w=rated,
        schedule=schedule,
        deadband_k=rng.uniform(0.3, 1.0),
        utc_offset_h=rng.choice((0.0, 1.0, -5.0)),
        power_meter=rng.choice(("whole_unit", "whole_unit", "outdoor_unit")),
        start_delay_s=rng.choice(((0.0, 0.0), (30.0, 120.0))),
        breaker_power_state=rng.choice(("zero", "zero", "unavailable")),
        leak_ramp=leak_ramp,
        leak_capacity_loss=leak_loss,
        # A cut-out after two to six minutes of running (the fault's severity),
        # from its own draw so that every other home stays as it was drawn.
        cutout_run_s=random.Random(f"cutout-{seed}").uniform(120.0, 360.0),
        # The simulator's frost feeds on itself in humid air above about 3 °C
        # (a colder coil frosts faster); a real coil does not run away like
        # that, so a timer that cannot react to it is drawn only where the
        # model stays believable.
        defrost_control=rng.choice(
            ("demand", "demand", "timed") if humidity < 0.75 or mean_c <= 3.0 else ("demand",)
        ),
        # Installers set a timed defrost to keep up with their climate: the
        # shortest interval where the air is humid, longer ones where it is dry.
        defrost_interval=timedelta(
            minutes=rng.choice(
                (30, 45, 60, 90) if humidity < 0.6 else (30, 45) if humidity < 0.75 else (30,)
            )
        ),
        lockouts=lockouts,
        backup_heater_w=backup_heater_w,
        faults=faults,
        temperature_unit=rng.choice(("°C", "°C", "°C", "°F")),
        power_unit=rng.choice(("W", "W", "kW")),
        probe_errors=rng.random() < 0.2,
        omit_inputs=tuple(omit),
        seed=rng.randrange(1 << 30),
    )
    step = rng.choice((0.1, 0.1, 0.5, 1.0)) if poll is not None else 0.1
    if scenario.temperature_unit == "°F" and step > 0.1:
        step = 1.0
    home = Home(
        index=seed,
        kind=kind,
        scenario=scenario,
        poll_s=poll,
        energy_counter=poll is not None and poll >= 300.0 and rng.random() < 0.4,
        temperature_step=step,
        # A cloud thermostat without an action in one polled home in four,
        # from its own draw so that every other home stays as it was drawn.
        climate_action=poll is None
        or CLIMATE in omit
        or random.Random(f"action-{seed}").random() >= 0.25,
    )
    return replace(home, description=describe(home))


def _backup_heater(seed: int, omit: list[str]) -> float:
    """A backup heater in a third of homes (W, 0: none); one owner in four does not pick it.

    From its own draw, so that every other home stays as it was drawn.
    """
    backup = random.Random(f"backup-{seed}")
    if backup.random() >= 0.3:
        return 0.0
    power = backup.choice((3000.0, 6000.0, 9000.0))
    if backup.random() < 0.25:
        omit.append(BACKUP_HEATER)
    return power


# Steady comfort, a night set-back, and off while out and at night.
_SCHEDULES: Final = (
    (ScheduleEntry(hour=0.0, setpoint_c=21.0),),
    (ScheduleEntry(hour=6.0, setpoint_c=21.0), ScheduleEntry(hour=22.5, setpoint_c=18.0)),
    (ScheduleEntry(hour=7.0, setpoint_c=20.5), ScheduleEntry(hour=23.0, setpoint_c=16.0)),
    (
        ScheduleEntry(hour=6.0, setpoint_c=21.0, mode="heat"),
        ScheduleEntry(hour=8.5, setpoint_c=21.0, mode="off"),
        ScheduleEntry(hour=16.5, setpoint_c=21.0, mode="heat"),
        ScheduleEntry(hour=23.0, setpoint_c=21.0, mode="off"),
    ),
)


def _fault_plan(
    rng: random.Random, kind: str | None
) -> tuple[float, tuple[FaultInjection, ...], timedelta, float]:
    """Days to run, the injection, the leak's ramp and its capacity loss."""
    ramp = timedelta(hours=36)
    loss = 0.63
    if kind is None:
        return HEALTHY_DAYS, (), ramp, loss
    if kind == REFRIGERANT_LEAK:
        start_h = rng.uniform(72.0, 120.0)
        ramp = timedelta(days=rng.uniform(2.0, 14.0))
        loss = rng.uniform(0.2, 0.6)
        days = (start_h / 24.0) + ramp.total_seconds() / 86400.0 + 2.0
        injection = FaultInjection(kind=kind, start_offset=timedelta(hours=start_h))
        return days, (injection,), ramp, loss
    slow = kind in {BLOCKED_FILTER, RATTLING, WORN_BEARING}
    start_h = rng.uniform(48.0, 96.0) if slow else rng.uniform(24.0, 60.0)
    physical = BREAKER_TRIP if kind == BREAKER_TRIP_IDLE else kind
    if kind == BREAKER_TRIP_IDLE:
        # Land between runs: the onset then waits for the next call.
        start_h = round(start_h) + 0.1
    injection = FaultInjection(kind=physical, start_offset=timedelta(hours=start_h))
    after_h = 30.0 if kind == BLOCKED_FILTER else 18.0
    return (start_h + after_h) / 24.0, (injection,), ramp, loss


def describe(home: Home) -> str:
    """One line that says what kind of home this is."""
    sc = home.scenario
    poll = "on change" if home.poll_s is None else f"poll {home.poll_s / 60.0:g} min"
    parts = [
        sc.system_type.replace("_", "-"),
        sc.compressor,
        f"{sc.rated_capacity_w / 1000.0:.1f} kW",
        f"{sc.ua_w_per_k:.0f} W/K",
        f"{sc.mean_c:+.0f} °C",
        f"{sc.defrost_control} defrost",
        poll,
    ]
    if home.energy_counter:
        parts.append("energy counter")
    if sc.lockouts:
        parts.append("daily lock-out")
    if not home.climate_action:
        parts.append("thermostat without action")
    if sc.backup_heater_w:
        parts.append(f"{sc.backup_heater_w / 1000.0:g} kW backup heater")
    if sc.omit_inputs:
        parts.append("without " + ", ".join(key.removesuffix("_entity") for key in sc.omit_inputs))
    return ", ".join(parts)


def _coarsened(records: list[StateRecord], scenario: Scenario, step: float) -> list[StateRecord]:
    """Temperatures as an integration that rounds to ``step`` reports them."""
    entities = {scenario.entity_id(key) for key in TEMPERATURE_INPUTS}
    out: list[StateRecord] = []
    shown: dict[str, str] = {}
    for record in records:
        state = record.state
        if record.entity_id in entities:
            # Unavailable and unknown are kept as they are.
            with suppress(ValueError):
                state = f"{round(float(record.state) / step) * step:.1f}"
            if shown.get(record.entity_id) == state:
                continue  # the rounded value did not move: nothing recorded
            shown[record.entity_id] = state
        out.append(
            StateRecord(
                record.entity_id, state, record.attributes, record.last_changed, record.last_updated
            )
        )
    return out
