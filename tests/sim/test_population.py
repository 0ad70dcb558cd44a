"""The random homes the scorecard draws, and the ground truth it measures against."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from itertools import pairwise

from heat_pump_sim.physics import (
    BLOCKED_FILTER,
    BREAKER_TRIP,
    DEFROST_NEVER_STARTS,
    RATTLING,
    REFRIGERANT_LEAK,
    FaultInjection,
    HeatPumpModel,
    Scenario,
    ScheduleEntry,
    TrueValues,
    simulate,
)
from heat_pump_sim.population import (
    DEADLINE_S,
    KINDS,
    LEAK_ONSET_LOSS,
    Home,
    Truth,
    draw_home,
)
import pytest

from scripts.scoring.homes import score_home

from .helpers import run_readings


def test_a_seed_gives_the_same_home() -> None:
    assert draw_home(3, None) == draw_home(3, None)
    assert draw_home(3, None) != draw_home(4, None)


def test_the_population_spans_what_real_homes_have() -> None:
    homes = [draw_home(seed, None) for seed in range(80)]
    scenarios = [home.scenario for home in homes]
    assert {sc.compressor for sc in scenarios} == {"fixed", "two_stage", "inverter"}
    assert {sc.system_type for sc in scenarios} == {"air_to_air", "air_to_water"}
    assert {sc.defrost_control for sc in scenarios} == {"demand", "timed"}
    polls = {home.poll_s for home in homes}
    assert None in polls
    assert min(p for p in polls if p) <= 10.0
    assert max(p for p in polls if p) >= 1800.0
    assert any(home.energy_counter for home in homes)
    assert any(sc.lockouts for sc in scenarios)
    assert any(sc.omit_inputs for sc in scenarios)
    silent = [home for home in homes if not home.climate_action]
    assert any(home.energy_counter for home in silent)
    assert all(home.poll_s is not None for home in silent)


def test_a_thermostat_without_an_action_records_none() -> None:
    """Daikin Onecta's climate: mode, room and target, and no hvac_action at all."""
    home = next(
        home for home in (draw_home(seed, None) for seed in range(40)) if not home.climate_action
    )
    home = replace(home, scenario=replace(home.scenario, duration=timedelta(hours=6)))
    climate = [r for r in home.records() if r.entity_id == home.scenario.climate_entity]
    assert climate
    assert all("hvac_action" not in record.attributes for record in climate)
    assert all("current_temperature" in record.attributes for record in climate)


@pytest.mark.parametrize("kind", KINDS)
def test_every_fault_home_injects_its_fault_after_healthy_time(kind: str) -> None:
    home = draw_home(1, kind)
    (injection,) = home.scenario.faults
    assert injection.start_offset >= timedelta(hours=24)
    assert home.fault is not None


def test_a_fixed_speed_unit_runs_only_at_full_speed() -> None:
    """Apart from its soft start it is on or off; an inverter in the same house modulates."""

    def full_share(compressor: str) -> float:
        scenario = Scenario(compressor=compressor, duration=timedelta(hours=12), seed=5)
        running = [
            r.compressor_speed
            for r in run_readings(scenario)
            if r.compressor_speed > 0 and not r.defrost
        ]
        return sum(speed >= 0.99 for speed in running) / len(running)

    assert full_share("fixed") > 0.7
    assert full_share("inverter") < 0.3


def test_a_timed_defrost_comes_at_its_interval_frost_or_not() -> None:
    """Dry cold air: hardly any frost, yet a defrost every interval of running."""
    base = Scenario(mean_c=-6.0, swing_c=1.0, humidity=0.5, duration=timedelta(hours=12), seed=2)
    demand = run_readings(base)
    timed = run_readings(replace(base, defrost_control="timed"))

    def starts(rows: list[TrueValues]) -> int:
        return sum(1 for a, b in pairwise(rows) if b.defrost and not a.defrost)

    assert starts(timed) > starts(demand) + 3


def test_a_lockout_holds_the_unit_off_however_cold_the_room() -> None:
    scenario = Scenario(
        mean_c=-5.0,
        duration=timedelta(days=1),
        lockouts=((6.0, 2.0),),
        schedule=(ScheduleEntry(hour=0.0, setpoint_c=21.0),),
    )
    rows = run_readings(scenario)
    locked = [r for r in rows if 6.1 <= (r.time / 3600.0) % 24.0 < 7.9]
    assert locked
    assert all(r.compressor_speed == 0.0 for r in locked)
    assert {r.hvac_action for r in locked} == {"idle"}
    assert any(r.compressor_speed > 0.0 for r in rows)


def _reported_live(kind: str, scenario: Scenario) -> Home:
    """A home whose integration reports every change, unrounded."""
    return Home(
        index=0,
        kind=kind,
        scenario=scenario,
        poll_s=None,
        energy_counter=False,
        temperature_step=0.1,
    )


def test_a_leak_costs_the_drawn_share_of_capacity_and_truth_says_when() -> None:
    scenario = Scenario(
        duration=timedelta(days=3),
        mean_c=0.0,
        leak_ramp=timedelta(days=2),
        leak_capacity_loss=0.4,
        faults=(FaultInjection(kind=REFRIGERANT_LEAK, start_offset=timedelta(hours=6)),),
    )
    home = _reported_live(REFRIGERANT_LEAK, scenario)
    truth = Truth(home)
    home.records(truth)
    assert truth.onset is not None
    injected = scenario.start_epoch + 6 * 3600.0
    # Linear over two days to 40 %: 30 % after three quarters of the ramp.
    expected = injected + LEAK_ONSET_LOSS / 0.4 * 2 * 86400.0
    assert truth.onset == pytest.approx(expected, abs=120.0)
    assert set(truth.leak_reached) == {0.2, 0.25, 0.3, 0.35, 0.4}


def test_a_trip_while_running_counts_from_the_trip() -> None:
    scenario = Scenario(
        duration=timedelta(hours=8),
        mean_c=-3.0,
        faults=(FaultInjection(kind=BREAKER_TRIP, start_offset=timedelta(hours=5)),),
    )
    home = _reported_live(BREAKER_TRIP, scenario)
    score = score_home(home)
    assert score.onset == pytest.approx(scenario.start_epoch + 5 * 3600.0, abs=30.0)
    assert score.in_time
    assert score.false_alarms == []


@pytest.mark.parametrize(("meter_reads", "due_at_trip"), [("zero", True), ("unavailable", False)])
def test_an_idle_trip_is_due_at_once_only_where_the_meter_reads_zero(
    meter_reads: str, due_at_trip: bool
) -> None:
    """Mild weather, nobody asks for heat: only a meter reading 0 W shows the trip.

    One that vanishes with the supply looks like one off the network until
    the next call for heat.
    """
    scenario = Scenario(
        duration=timedelta(hours=8),
        mean_c=15.0,
        breaker_power_state=meter_reads,
        faults=(FaultInjection(kind=BREAKER_TRIP, start_offset=timedelta(hours=5)),),
    )
    truth = Truth(_reported_live(BREAKER_TRIP, scenario))
    truth.home.records(truth)
    tripped = scenario.start_epoch + 5 * 3600.0
    if due_at_trip:
        assert truth.onset == pytest.approx(tripped, abs=30.0)
    else:
        assert truth.onset is None or truth.onset > tripped + 600.0


def test_a_blocked_filter_is_not_blamed_for_a_mornings_set_up() -> None:
    """At 06:00 the target jumps 3 K: the room is short of it, filter or not.

    The fault counts only from when a healthy unit would have had the room
    within 1 K of its target and this one has not.
    """
    setback = (
        ScheduleEntry(hour=6.0, setpoint_c=21.0),
        ScheduleEntry(hour=22.5, setpoint_c=18.0),
    )
    scenario = Scenario(
        duration=timedelta(hours=34),
        mean_c=2.0,
        ua_w_per_k=100.0,
        rated_capacity_w=10000.0,
        schedule=setback,
        faults=(FaultInjection(kind=BLOCKED_FILTER, start_offset=timedelta(hours=20)),),
    )
    home = _reported_live(BLOCKED_FILTER, scenario)
    truth = Truth(home)
    set_up = scenario.start_epoch + 30 * 3600.0
    short: list[float] = []

    def watch(model: HeatPumpModel) -> None:
        truth.watch(model)
        readings = model.readings
        if set_up <= model.now < set_up + 60.0 and readings.target_c is not None:
            short.append(readings.target_c - readings.room_c)

    simulate(scenario, step_s=15.0, watch=watch)
    # The room was more than 1 K short of its new target at the set-up...
    assert short
    assert min(short) > 1.0
    # ...which a healthy unit would have been too: not yet the filter's doing.
    assert truth.onset is None or truth.onset >= set_up + 5 * 60.0


class _Compressor:
    """Just what Truth reads of a model, for a compressor on a fixed rhythm."""

    frost_share = 0.0

    def __init__(self) -> None:
        self.now = 0.0
        self.compressor_running = False


def _short_cycling_hours(on_s: float, off_s: float, hours: int) -> int:
    truth = Truth(draw_home(0, None))
    model = _Compressor()
    for step in range(int(hours * 3600 / 15)):
        model.now = step * 15.0
        model.compressor_running = model.now % (on_s + off_s) < on_s
        truth.watch(model)
    return len(truth.short_cycling_hours)


def test_truth_counts_the_hours_a_compressor_short_cycles_by_the_fleet_rule() -> None:
    # Eight starts an hour, four minutes each: every hour after the first.
    assert _short_cycling_hours(240.0, 210.0, 4) >= 3
    # Two long runs an hour, or many runs of twenty minutes: not short cycling.
    assert _short_cycling_hours(1500.0, 300.0, 4) == 0
    assert _short_cycling_hours(1200.0, 60.0, 4) == 0


def test_truth_counts_the_compressor_running_between_onset_and_deadline() -> None:
    """What a miss had to go on: a unit running half the time ran half its deadline."""
    truth = Truth(draw_home(0, RATTLING))
    truth.onset = 1800.0
    model = _Compressor()
    for step in range(int(4 * 3600 / 15)):
        model.now = step * 15.0
        model.compressor_running = model.now % 1200.0 < 600.0
        truth.watch(model)
    assert truth.ran_in_deadline_s == pytest.approx(0.5 * DEADLINE_S[RATTLING], abs=30.0)


@dataclass
class _Defrosting:
    """Just what Truth reads of the true values for a defrost."""

    defrost: bool


class _Coil(_Compressor):
    """A compressor whose coil holds frost, defrosting or not."""

    def __init__(self, *, frost_share: float, defrost: bool) -> None:
        super().__init__()
        self.frost_share = frost_share
        self.readings = _Defrosting(defrost)


def test_a_defrost_that_never_starts_counts_once_the_ice_is_back_after_the_last_one() -> None:
    """Injected while a defrost runs, that defrost still clears the coil: no onset yet."""
    truth = Truth(draw_home(0, DEFROST_NEVER_STARTS))
    assert truth.injected is not None
    start = truth.injected
    for minute, defrost in ((0, True), (5, True), (10, False)):
        model = _Coil(frost_share=0.6, defrost=defrost)
        model.now = start + minute * 60.0
        truth.watch(model)
        if defrost:
            assert truth.onset is None
    assert truth.onset == start + 600.0
