"""abnormal_noise: sustained or recurring excursions above the unit's own baseline."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.heat_pump_health.engine import Evaluator, FaultKey, InputKey, SystemType
from custom_components.heat_pump_health.engine.abnormal_noise import AbnormalNoiseDetector
from custom_components.heat_pump_health.engine.cadence import Cadence
from custom_components.heat_pump_health.engine.evaluator import Evaluation
from custom_components.heat_pump_health.engine.reversed_split import ReversedSplit

from .traces import (
    MINUTE,
    T0,
    Sample,
    Unit,
    any_fault,
    drive,
    evaluator,
    ever_active,
    first_active,
    number,
    overlay,
    without_action,
)

HOURS = 60
UNIT = Unit(on=50, off=10, defrost_every=40, defrost_minutes=5)


def louder(extra: float, *, start: int, end: int | None = None) -> Unit | object:
    """The trace with `extra` dB while running between start and end."""

    def change(minute: int, readings: Sample) -> Sample:
        if end is not None and minute >= end:
            return readings
        if UNIT.running(minute) and not UNIT.defrosting(minute):
            return readings | {InputKey.NOISE: number(readings, InputKey.NOISE) + extra}
        return readings

    return overlay(UNIT, start, change)


def test_healthy_noise_is_silent() -> None:
    ev = evaluator()
    assert any_fault(drive(ev, UNIT, 48 * HOURS)) == []


def test_sustained_grinding_fires() -> None:
    ev = evaluator()
    results = drive(ev, louder(8.0, start=12 * HOURS), 14 * HOURS)  # type: ignore[arg-type]
    index = first_active(results, FaultKey.ABNORMAL_NOISE)
    assert index is not None
    assert index - 12 * HOURS <= 60
    status = results[index].statuses[FaultKey.ABNORMAL_NOISE]
    assert status.reason == "sustained"
    assert status.evidence["elevated_share"] >= 0.7
    assert status.evidence["baseline"] < 46.0


def test_baseline_is_not_learned_from_the_fault() -> None:
    ev = evaluator()
    drive(ev, louder(8.0, start=12 * HOURS), 24 * HOURS)  # type: ignore[arg-type]
    baselines = ev.export_learned()["noise"]
    running = [base["mean"] for state, base in baselines.items() if state.startswith("running")]
    assert running
    assert max(running) < 46.5
    assert ev.evaluate(T0 + 24 * HOURS * MINUTE).statuses[FaultKey.ABNORMAL_NOISE].active


def test_rattling_bursts_fire() -> None:
    """Half-minute rattles every ~10 minutes, for hours."""
    bursts_from = 12 * HOURS

    ev = evaluator()
    results = drive(ev, UNIT, bursts_from)
    base = UNIT
    for minute in range(bursts_from, bursts_from + 4 * HOURS):
        at = T0 + minute * MINUTE
        for key, value in base(minute).items():
            ev.observe(key, value, at)
        if minute % 10 == 3 and base.running(minute) and not base.defrosting(minute):
            ev.observe(InputKey.NOISE, 58.0, at + 10.0)
            ev.observe(InputKey.NOISE, 45.0, at + 40.0)
        results.append(ev.evaluate(at + 50.0))
    index = first_active(results, FaultKey.ABNORMAL_NOISE)
    assert index is not None
    assert results[index].statuses[FaultKey.ABNORMAL_NOISE].reason == "bursts"
    # A rattle that comes with every run is found within an hour of the first.
    assert bursts_from + 15 <= index <= bursts_from + HOURS


def test_three_passing_cars_in_an_hour_are_not_a_rattle() -> None:
    """Loud, short, while running, but only three, and never again."""
    cars_from = 12 * HOURS
    ev = evaluator()
    results = drive(ev, UNIT, cars_from)
    for minute in range(cars_from, cars_from + 4 * HOURS):
        at = T0 + minute * MINUTE
        for key, value in UNIT(minute).items():
            ev.observe(key, value, at)
        if minute - cars_from in {3, 23, 43} and UNIT.running(minute):
            ev.observe(InputKey.NOISE, 58.0, at + 10.0)
            ev.observe(InputKey.NOISE, 45.0, at + 40.0)
        results.append(ev.evaluate(at + 50.0))
    assert not ever_active(results, FaultKey.ABNORMAL_NOISE)


def test_reversing_valve_bang_at_each_defrost_is_normal() -> None:
    """A loud spike right at every defrost start and end."""
    assert any_fault(_bangs_and_rattles(evaluator(), rattle_from=None)) == []


def test_passing_car_is_normal() -> None:
    ev = evaluator()
    results = drive(ev, UNIT, 12 * HOURS)
    at = T0 + 12 * HOURS * MINUTE
    ev.observe(InputKey.NOISE, 75.0, at + 15.0)
    ev.observe(InputKey.NOISE, 45.0, at + 45.0)
    results += drive(ev, UNIT, 6 * HOURS, start_minute=12 * HOURS)
    assert not ever_active(results, FaultKey.ABNORMAL_NOISE)


def test_nothing_is_judged_before_the_baseline_is_learned() -> None:
    """A unit that is loud from the start is learned as it is, not reported."""
    ev = evaluator([InputKey.NOISE, InputKey.POWER])
    results = drive(ev, UNIT.but(noise_run=60.0), 30)
    assert not ever_active(results, FaultKey.ABNORMAL_NOISE)


def test_noise_sensor_dropout_is_unknown() -> None:
    ev = evaluator()
    results = drive(
        ev, overlay(UNIT, 6 * HOURS, lambda m, r: r | {InputKey.NOISE: None}), 8 * HOURS
    )
    assert results[-1].statuses[FaultKey.ABNORMAL_NOISE].active is None
    assert not ever_active(results, FaultKey.ABNORMAL_NOISE)


def test_louder_at_higher_speed_is_normal() -> None:
    """An inverter's compressor and fans get louder as it speeds up."""
    slow = Unit(on=50, off=10, run_w=500.0, noise_run=45.0)
    fast = Unit(on=50, off=10, run_w=2400.0, noise_run=54.0)

    def by_speed(minute: int) -> Sample:
        # Mornings at full speed, the rest of the day slow.
        return fast(minute) if (minute // 60) % 24 in (6, 7) else slow(minute)

    ev = evaluator()
    assert any_fault(drive(ev, by_speed, 4 * 24 * HOURS)) == []


def test_ambient_day_night_shift_while_idle_is_normal() -> None:
    quiet = Unit(on=0, off=1, noise_idle=35.0)

    def street(minute: int) -> Sample:
        readings = quiet(minute)
        if 7 <= (minute // 60) % 24 < 22:
            return readings | {InputKey.NOISE: number(readings, InputKey.NOISE) + 3.0}
        return readings

    ev = evaluator()
    assert any_fault(drive(ev, street, 3 * 24 * HOURS)) == []


SHORT_CYCLES = Unit(on=6, off=24)


def _runs_louder(unit: Unit, extra: float, start: int, *, street: float = 0.0) -> object:
    """`extra` dB in each run from `start`; `street` dB more everywhere for the first 25 minutes."""

    def change(minute: int, readings: Sample) -> Sample:
        level = number(readings, InputKey.NOISE)
        if unit.running(minute):
            level += extra
        if minute < start + 25:
            level += street
        return readings | {InputKey.NOISE: level}

    return overlay(unit, start, change)


def _sustained_within_the_hour(unit: Unit) -> dict[str, Any]:
    """A bearing heard in every run from 24 h on: found as a sustained sound within the hour."""
    ev = evaluator()
    results = drive(ev, _runs_louder(unit, 8.0, 24 * HOURS), 28 * HOURS)  # type: ignore[arg-type]
    index = first_active(results, FaultKey.ABNORMAL_NOISE)
    assert index is not None
    assert index - 24 * HOURS < HOURS
    status = results[index].statuses[FaultKey.ABNORMAL_NOISE]
    assert status.reason == "sustained"
    return status.evidence


def test_a_bearing_heard_in_every_short_run_is_sustained() -> None:
    """Six-minute runs never fill a quarter hour; two loud runs in a row do it."""
    assert _sustained_within_the_hour(SHORT_CYCLES)["loud_runs"] >= 2


def test_short_runs_of_a_healthy_unit_are_silent() -> None:
    ev = evaluator()
    assert any_fault(drive(ev, SHORT_CYCLES, 48 * HOURS)) == []


# A fixed-speed unit in mild weather: one eight-minute run an hour.
HOURLY = Unit(on=8, off=52)


def test_one_run_loud_to_its_stop_is_found_before_the_next_run() -> None:
    """The second loud run comes an hour after the first: too late for the hour."""
    _sustained_within_the_hour(HOURLY)


def test_a_loud_street_through_a_run_and_after_it_is_not_the_unit() -> None:
    """A mower through one run: the level stays up after the compressor stops."""
    ev = evaluator()
    trace = _runs_louder(HOURLY, 0.0, 24 * HOURS - 5, street=10.0)
    assert any_fault(drive(ev, trace, 27 * HOURS)) == []  # type: ignore[arg-type]


def test_hourly_runs_of_a_healthy_unit_are_silent() -> None:
    ev = evaluator()
    assert any_fault(drive(ev, HOURLY, 48 * HOURS)) == []


# No defrost source, no thermostat: only the coil crossing the outdoor air
# shows the reversing valve moving.
_NO_DEFROST = (
    InputKey.POWER,
    InputKey.COIL_TEMPERATURE,
    InputKey.OUTDOOR_TEMPERATURE,
    InputKey.NOISE,
)


def _bangs_and_rattles(
    ev: Evaluator,
    *,
    rattle_from: int | None,
    unit: Unit = UNIT,
    coil_late: int = 0,
    melt: bool = False,
    action: bool = True,
) -> list[Evaluation]:
    """36 h of a bang at every defrost start and end; rattles every 10 minutes from a minute.

    ``coil_late``: minutes into a defrost before the coil reads warmer than
    the air (rising all the while through 10 K and more, or with ``melt``
    stalling at 0 °C after its first minute, the probe wavering by a
    tenth); ``action``:
    whether the thermostat (where there is one) says "defrosting".
    """
    results = []
    period = unit.defrost_every + unit.defrost_minutes
    for minute in range(36 * HOURS):
        at = T0 + minute * MINUTE
        readings = unit(minute)
        into = minute % period - unit.defrost_every
        if unit.defrosting(minute) and into < coil_late:
            # Rising from where it ran to just short of 2 K above the air.
            cold = unit.outdoor - unit.gap
            warmed = (unit.outdoor + 1.5 - cold) * into / coil_late
            coil = cold + warmed if not melt or into == 0 else -0.1 * (minute % 2)
            readings |= {InputKey.COIL_TEMPERATURE: round(coil, 1)}
        if not action:
            readings = without_action(minute, readings)
        for key, value in readings.items():
            ev.observe(key, value, at)
        starts = unit.defrosting(minute) and not unit.defrosting(minute - 1)
        ends = unit.defrosting(minute - 1) and not unit.defrosting(minute)
        if starts or ends:
            # The bang can reach Home Assistant just before the defrost flag does.
            ev.observe(InputKey.NOISE, 70.0, at + 5.0)
            ev.observe(InputKey.NOISE, number(readings, InputKey.NOISE), at + 25.0)
        rattling = rattle_from is not None and minute >= rattle_from
        if rattling and minute % 10 == 3 and unit.running(minute) and not unit.defrosting(minute):
            ev.observe(InputKey.NOISE, 58.0, at + 10.0)
            ev.observe(InputKey.NOISE, 45.0, at + 40.0)
        results.append(ev.evaluate(at + 50.0))
    return results


def test_a_valve_bang_seen_only_in_the_coil_is_normal() -> None:
    """Without a defrost source the coil swinging above the outdoor air excuses the bang."""
    results = _bangs_and_rattles(evaluator(_NO_DEFROST), rattle_from=None)
    assert any_fault(results) == []


# Humid air near freezing: a defrost every 12 minutes of running.
_FROSTY = UNIT.but(defrost_every=12)


def test_a_valve_bang_minutes_before_the_coil_warms_past_the_air_is_normal() -> None:
    """The defrost's bang, then four minutes until the coil reads warmer than the air.

    A thermostat without an action (Daikin Onecta's) says nothing of the
    defrost either: the coil is all there is.
    """
    ev = evaluator((*_NO_DEFROST, InputKey.CLIMATE))
    results = _bangs_and_rattles(ev, rattle_from=None, unit=_FROSTY, coil_late=4, action=False)
    assert any_fault(results) == []


def test_a_valve_bang_before_the_coil_stalls_melting_its_ice_is_normal() -> None:
    """The coil rises to 0 °C, wavers there while the ice melts, then warms past the air."""
    ev = evaluator((*_NO_DEFROST, InputKey.CLIMATE))
    results = _bangs_and_rattles(
        ev, rattle_from=None, unit=_FROSTY, coil_late=4, melt=True, action=False
    )
    assert any_fault(results) == []


# Neither a defrost source nor a coil probe: only the split turning negative
# shows the cycle reversed.
_SPLIT_ONLY = (
    InputKey.POWER,
    InputKey.SUPPLY_TEMPERATURE,
    InputKey.RETURN_TEMPERATURE,
    InputKey.NOISE,
)


@pytest.mark.parametrize("inputs", ["coil", "split"])
def test_rattles_between_the_valves_turns_are_still_found(inputs: str) -> None:
    """The turns seen in the coil swinging past the air, or in the split turning negative."""
    seen_by = _NO_DEFROST if inputs == "coil" else _SPLIT_ONLY
    results = _bangs_and_rattles(evaluator(seen_by), rattle_from=24 * HOURS)
    index = first_active(results, FaultKey.ABNORMAL_NOISE)
    assert index is not None
    # Where nothing shows the defrosts, the rule waits for more bursts.
    assert 24 * HOURS + 15 <= index <= 26 * HOURS


@pytest.mark.parametrize("system", [SystemType.AIR_TO_AIR, SystemType.AIR_TO_WATER])
def test_a_valve_bang_seen_only_in_the_split_is_normal(system: SystemType) -> None:
    """Supply falling below return at each defrost, and back: the valve's bangs are forgiven."""
    ev = evaluator(_SPLIT_ONLY, system_type=system)
    results = _bangs_and_rattles(ev, rattle_from=None, unit=_FROSTY.but(system_type=system))
    assert any_fault(results) == []


def test_a_negative_split_alone_excuses_nothing() -> None:
    """A split that never turns round (cooling) forgives no bang."""
    turns = ReversedSplit()
    assert turns.follow(T0, -3.0, watched=True) is None
    assert turns.follow(T0 + 60.0, -3.2, watched=True) is None
    # Stopped, then started again already reversed: no turn is seen.
    assert turns.follow(T0 + 120.0, -3.0, watched=False) is None
    assert turns.reversed is None
    assert turns.follow(T0 + 180.0, -3.0, watched=True) is None


def test_a_turn_is_dated_from_where_the_split_began_to_move() -> None:
    turns = ReversedSplit()
    for minute, split in enumerate([5.0, 5.0, 3.0, 0.0, -1.0]):
        turned = turns.follow(T0 + 60.0 * minute, split, watched=True)
    # Into the defrost: from the last of the warmest readings, three minutes back.
    assert turned == 180.0
    for minute, split in enumerate([-2.0, -2.0, 4.0], start=5):
        turned = turns.follow(T0 + 60.0 * minute, split, watched=True)
    # Out of it: from the last of the coldest, a minute back.
    assert turned == 60.0


def test_a_turn_is_not_dated_from_a_steady_runs_wobble() -> None:
    """The warmest reading of the last minutes came before a dip: the fall began after it."""
    turns = ReversedSplit()
    for minute, split in enumerate([6.0, 5.0, 5.5, 5.0, 3.0, -1.0]):
        turned = turns.follow(T0 + 60.0 * minute, split, watched=True)
    assert turned == 180.0


def _learned(cadence: Cadence | None = None) -> AbnormalNoiseDetector:
    """A detector that knows idle and two running speeds, an octave apart and more."""
    detector = AbnormalNoiseDetector(margin_scale=1.0, cadence=cadence)
    detector.load_learned(
        {
            "idle": {"mean": 37.0, "dev": 1.0, "seconds": 86400.0},
            "running_6": {"mean": 47.0, "dev": 0.3, "seconds": 7200.0},
            "running_10": {"mean": 53.0, "dev": 0.3, "seconds": 7200.0},
        }
    )
    return detector


def test_a_speed_not_yet_learned_borrows_from_the_speeds_around_it() -> None:
    detector = _learned()
    between = detector.limit("running_8")
    assert between is not None
    assert between[0] == 50.0  # halfway, as the speed is
    six, ten = detector.limit("running_6"), detector.limit("running_10")
    assert six is not None
    assert ten is not None
    assert six[1] < between[1] < ten[1]
    # Below the quietest learned speed, the louder neighbour's limit: a
    # rattle may be missed there, never a normal sound taken for one.
    assert detector.limit("running_4") == six
    # Above the loudest, nothing: a faster compressor is louder than any
    # level learned, and an hour there learns its own.
    assert detector.limit("running_12") is None
    # Further than an octave and a half from anything learned: nothing.
    assert detector.limit("running_2") is None


def test_a_reading_from_before_a_slowdown_is_not_a_burst() -> None:
    detector = _learned()
    t = T0
    detector.state_changed(t, "running_10", transition=True)
    detector.level_changed(t + 200.0, 53.2)
    detector.advance(t + 240.0)
    # The compressor slows to its minimum; the last noise reading was taken
    # before, at full speed, and says nothing of the new speed's sound.
    detector.state_changed(t + 240.0, "running_6", transition=False)
    assert not detector.elevated
    detector.level_changed(t + 255.0, 47.2)
    assert not detector.elevated
    assert list(detector.onsets) == []
    # A reading taken as it slows down is judged: 6 dB above that speed is.
    detector.state_changed(t + 400.0, "running_10", transition=False)
    detector.level_changed(t + 400.0, 53.1)
    detector.level_changed(t + 460.0, 53.1)
    detector.state_changed(t + 460.0, "running_6", transition=False)
    assert detector.elevated
    assert list(detector.onsets) == [t + 460.0]


def test_a_transitions_quiet_time_follows_how_often_the_noise_is_read() -> None:
    unknown = _learned()
    unknown.transition(T0)
    assert unknown.quiet_until == T0 + 150.0
    cadence = Cadence(frozenset({InputKey.NOISE}))
    for step in range(8):
        cadence.seen(InputKey.NOISE, T0 + 15.0 * step)
    read_often = _learned(cadence)
    read_often.transition(T0)
    # The valve's bang lasts seconds; one reading later it is over.
    assert read_often.quiet_until == T0 + 45.0 + 15.0
    # A burst heard a minute and a half before a defrost is known to have
    # started may be that defrost's bang: it is forgotten.
    read_often.onsets.append(T0 + 1000.0)
    read_often.transition(T0 + 1090.0)
    assert list(read_often.onsets) == []


def test_a_stop_seen_at_once_forgives_only_its_own_moment() -> None:
    """A rattle two minutes before a stop the power showed at once is still a burst."""
    detector = _learned()
    detector.onsets.extend([T0 + 1000.0, T0 + 1070.0, T0 + 1095.0])
    detector.transition(T0 + 1100.0, known_within_s=10.0)
    # The stop may have been seen one 10-second report late: only a reading
    # within that can be its sound.
    assert list(detector.onsets) == [T0 + 1000.0, T0 + 1070.0]


# A fixed-speed unit in mild weather: eight minutes on, twelve off (40 % duty).
CYCLING = Unit(on=8, off=12)


def _sounds_in_runs(
    unit: Unit,
    minutes_in_cycle: set[int],
    *,
    start: int,
    rest_from: int | None = None,
) -> list[Evaluation]:
    """A 15-second sound in each cycle for an hour from `start`, at these minutes of the cycle.

    From `rest_from` on the unit rests for two hours (the rattle with it).
    """
    ev = evaluator()
    results = drive(ev, unit, start)
    period = unit.on + unit.off
    resting = unit.but(on=0, off=1)
    for minute in range(start, start + 3 * HOURS):
        at = T0 + minute * MINUTE
        rests = rest_from is not None and rest_from <= minute < rest_from + 2 * HOURS
        for key, value in (resting if rests else unit)(minute).items():
            ev.observe(key, value, at)
        if minute % period in minutes_in_cycle and minute < start + HOURS and not rests:
            ev.observe(InputKey.NOISE, unit.noise_run + 12.0, at + 20.0)
            ev.observe(InputKey.NOISE, unit.noise_run, at + 35.0)
        results.append(ev.evaluate(at + 50.0))
    return results


def test_a_rattle_in_every_run_of_a_cycling_unit_is_found_within_the_hour() -> None:
    """One burst a run, three runs an hour: too few for the bursts-an-hour rules alone."""
    start = 24 * HOURS
    results = _sounds_in_runs(CYCLING, {4}, start=start)
    index = first_active(results, FaultKey.ABNORMAL_NOISE)
    assert index is not None
    assert index - start <= HOURS
    status = results[index].statuses[FaultKey.ABNORMAL_NOISE]
    assert status.reason == "bursts"
    assert status.evidence["runs_heard"] == 3
    assert status.evidence["bursts_last_hour"] == 3
    # The pattern spans forty minutes already: believed at once, from its first burst.
    assert status.since == T0 + (start + 4) * MINUTE + 20.0


def test_a_rattle_heard_with_the_runs_is_not_cleared_by_a_quiet_rest() -> None:
    """Found, then the unit rests for two hours: the street is calm, the rattle is not gone."""
    start = 24 * HOURS
    found = first_active(_sounds_in_runs(CYCLING, {4}, start=start), FaultKey.ABNORMAL_NOISE)
    assert found is not None
    results = _sounds_in_runs(CYCLING, {4}, start=start, rest_from=found + 2)
    assert all(
        result.statuses[FaultKey.ABNORMAL_NOISE].active
        for result in results[found : found + 2 * HOURS]
    )


def test_three_sounds_in_runs_of_a_unit_that_seldom_rests_are_not_a_rattle() -> None:
    """Sixteen minutes on, four off: a car in three runs is no sign the runs make it."""
    start = 24 * HOURS
    results = _sounds_in_runs(Unit(on=16, off=4), {8}, start=start)
    assert not ever_active(results, FaultKey.ABNORMAL_NOISE)


def test_the_runs_heard_in_survive_a_restart_and_garbage_is_ignored() -> None:
    detector = _learned()
    detector.state_changed(T0, "running_5", transition=True)
    detector.state_changed(T0 + 480.0, "idle", transition=True)
    detector.state_changed(T0 + 1200.0, "running_5", transition=True)
    saved = detector.state_dict()
    assert saved["runs"] == [[T0, T0 + 480.0], [T0 + 1200.0, None]]
    restored = _learned()
    restored.load_state(saved)
    assert [[run.start, run.end] for run in restored.runs] == saved["runs"]
    restored.load_state(
        saved | {"runs": [[T0, "x"], "run", [T0 + 10.0, T0], [T0, T0 + 60.0], [T0 + 30.0, None]]}
    )
    # Only the well-formed, ordered, non-overlapping runs are kept.
    assert [[run.start, run.end] for run in restored.runs] == [[T0, T0 + 60.0]]
