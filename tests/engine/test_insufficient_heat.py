"""insufficient_heat: a collapsed split or a cold room at full power, never in normal operation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
import json
import math

import pytest

from custom_components.heat_pump_health.engine import (
    ClimateReading,
    Evaluator,
    EvaluatorOptions,
    FaultKey,
    InputKey,
    SystemType,
)
from custom_components.heat_pump_health.engine.evaluator import Evaluation

from .traces import (
    ALL_INPUTS,
    MINUTE,
    POWER_CLIMATE_SPLIT,
    T0,
    Sample,
    Trace,
    Unit,
    any_fault,
    cloud_counter,
    counted,
    drive,
    evaluator,
    ever_active,
    first_active,
    number,
    only,
    overlay,
    restarted,
    sine,
    without_action,
)

HOURS = 60


def test_split_collapse_after_learning_fires() -> None:
    """Learned split ~16 K; it drops to 6 K at the same power (above the 5 K default)."""
    ev = evaluator()
    unit = Unit(on=100, off=20)
    results = drive(ev, overlay(unit, 24 * HOURS, lambda m, r: unit.but(split=6.0)(m)), 30 * HOURS)
    assert not ever_active(results[: 24 * HOURS], FaultKey.INSUFFICIENT_HEAT)
    index = first_active(results, FaultKey.INSUFFICIENT_HEAT)
    assert index is not None
    status = results[index].statuses[FaultKey.INSUFFICIENT_HEAT]
    assert status.reason == "low_split"
    assert status.evidence["expectation"] == "learned"
    assert status.evidence["split_k"] == 6.0
    assert status.evidence["min_split_k"] > 6.0


def test_tiny_split_fires_before_anything_is_learned() -> None:
    ev = evaluator()
    results = drive(ev, Unit(always_on=True, split=2.0), 3 * HOURS)
    index = first_active(results, FaultKey.INSUFFICIENT_HEAT)
    assert index is not None
    status = results[index].statuses[FaultKey.INSUFFICIENT_HEAT]
    assert status.evidence["expectation"] == "default"
    assert not status.suspect


def test_water_system_defaults() -> None:
    healthy = Unit(system_type=SystemType.AIR_TO_WATER, always_on=True, split=5.0, run_w=2500.0)
    ev = evaluator(system_type=SystemType.AIR_TO_WATER)
    assert any_fault(drive(ev, healthy, 12 * HOURS)) == []
    ev = evaluator(system_type=SystemType.AIR_TO_WATER)
    assert ever_active(drive(ev, healthy.but(split=0.8), 3 * HOURS), FaultKey.INSUFFICIENT_HEAT)


def test_inverter_at_low_speed_in_mild_weather_is_normal() -> None:
    """Small split at small power is a small load, not a fault."""
    mild = Unit(always_on=True, outdoor=12.0, run_w=280.0, split=4.0, gap=3.0, room=20.8)
    for learned_first in (False, True):
        ev = evaluator()
        if learned_first:
            drive(ev, Unit(on=100, off=20, outdoor=12.0), 24 * HOURS)
        assert any_fault(drive(ev, mild, 24 * HOURS, start_minute=24 * HOURS)) == []


def test_cooling_is_never_insufficient_heat() -> None:
    summer = Unit(
        always_on=True, outdoor=30.0, split=-2.0, gap=-8.0, mode="cool", room=26.0, target=24.0
    )
    ev = evaluator()
    results = drive(ev, summer, 24 * HOURS)
    assert not ever_active(results, FaultKey.INSUFFICIENT_HEAT)
    assert results[-1].statuses[FaultKey.INSUFFICIENT_HEAT].active is False


def test_supply_below_return_is_never_insufficient_heat() -> None:
    """No climate entity: a unit blowing cold air is cooling, whatever the season."""
    inputs = (
        InputKey.POWER,
        InputKey.SUPPLY_TEMPERATURE,
        InputKey.RETURN_TEMPERATURE,
        InputKey.OUTDOOR_TEMPERATURE,
    )
    ev = evaluator(inputs)
    results = drive(ev, only(Unit(always_on=True, split=-6.0), inputs), 12 * HOURS)
    assert not ever_active(results, FaultKey.INSUFFICIENT_HEAT)


def test_startup_and_defrost_recovery_are_excluded() -> None:
    """Low split for the first minutes of a run and after each defrost."""
    every = 30
    unit = Unit(on=40, off=20, defrost_every=every, defrost_minutes=8, outdoor=0.0)

    def sluggish(minute: int, readings: Sample) -> Sample:
        in_run = minute % (unit.on + unit.off)
        after_defrost = minute % (every + unit.defrost_minutes)
        if (
            unit.running(minute)
            and not unit.defrosting(minute)
            and (in_run < 8 or after_defrost < 12)
        ):
            ret = number(readings, InputKey.RETURN_TEMPERATURE)
            return readings | {InputKey.SUPPLY_TEMPERATURE: ret + 1.0}
        return readings

    ev = evaluator()
    assert any_fault(drive(ev, overlay(unit, 0, sluggish), 36 * HOURS)) == []


def test_an_air_unit_whose_runs_last_eight_minutes_is_judged() -> None:
    """Duct air settles within minutes: short runs still teach and show the split."""
    unit = Unit(on=8, off=12)
    ev = evaluator()
    results = drive(ev, overlay(unit, 24 * HOURS, lambda m, r: unit.but(split=6.0)(m)), 30 * HOURS)
    assert not ever_active(results[: 24 * HOURS], FaultKey.INSUFFICIENT_HEAT)
    index = first_active(results, FaultKey.INSUFFICIENT_HEAT)
    assert index is not None
    assert results[index].statuses[FaultKey.INSUFFICIENT_HEAT].evidence["expectation"] == "learned"


def test_an_air_unit_in_eight_minute_runs_with_a_slow_first_minutes_is_normal() -> None:
    """Each run's first four minutes still warming the duct: not a low split."""
    unit = Unit(on=8, off=12)

    def warming(minute: int, readings: Sample) -> Sample:
        if unit.running(minute) and minute % (unit.on + unit.off) < 4:
            ret = number(readings, InputKey.RETURN_TEMPERATURE)
            return readings | {InputKey.SUPPLY_TEMPERATURE: ret + 2.0}
        return readings

    assert any_fault(drive(evaluator(), overlay(unit, 0, warming), 36 * HOURS)) == []


def test_idle_and_off_are_not_judged() -> None:
    ev = evaluator()
    results = drive(ev, Unit(on=0, off=1, room=19.0), 12 * HOURS)
    assert not ever_active(results, FaultKey.INSUFFICIENT_HEAT)


def test_a_cold_room_at_full_power_with_normal_delivery_is_at_capacity() -> None:
    """Below the house's balance point a healthy unit runs flat out and still falls short."""
    ev = evaluator()
    unit = Unit(on=100, off=20, run_w=1500.0)
    cold = unit.but(always_on=True, room=18.5, target=21.0)
    results = drive(ev, overlay(unit, 24 * HOURS, lambda m, r: cold(m)), 30 * HOURS)
    assert not ever_active(results, FaultKey.INSUFFICIENT_HEAT)
    status = results[-1].statuses[FaultKey.INSUFFICIENT_HEAT]
    assert status.evidence["at_capacity"] is True
    assert not status.suspect


def test_a_cold_room_with_short_delivery_is_insufficient_heat() -> None:
    """Flat out, the room falling behind, and a split a third below this unit's normal."""
    ev = evaluator()
    unit = Unit(on=100, off=20, run_w=1500.0)
    short = unit.but(always_on=True, room=18.5, target=21.0, split=11.0)
    results = drive(ev, overlay(unit, 24 * HOURS, lambda m, r: short(m)), 36 * HOURS)
    index = first_active(results, FaultKey.INSUFFICIENT_HEAT)
    assert index is not None
    status = results[index].statuses[FaultKey.INSUFFICIENT_HEAT]
    assert status.reason in {"capacity_drop", "room_below_target"}
    assert status.evidence["delivery_share"] < 0.8


def _fading(unit: Unit, start: int, days: float, loss: float) -> Trace:
    """The split fades linearly by ``loss`` over ``days`` from ``start``: a slow leak."""

    def change(minute: int, readings: Sample) -> Sample:
        if not unit.running(minute) or InputKey.SUPPLY_TEMPERATURE not in readings:
            return readings
        progress = min((minute - start) / (days * 24 * HOURS), 1.0)
        ret = number(readings, InputKey.RETURN_TEMPERATURE)
        split = number(readings, InputKey.SUPPLY_TEMPERATURE) - ret
        return readings | {InputKey.SUPPLY_TEMPERATURE: ret + split * (1.0 - loss * progress)}

    return overlay(unit, start, change)


def test_a_slow_leak_is_found_although_it_never_jumps() -> None:
    """A 40 % loss over five days: the reference does not follow it down."""
    unit = Unit(on=100, off=20, run_w=1500.0)
    ev = evaluator()
    results = drive(ev, _fading(unit, 2 * 24 * HOURS, 5.0, 0.4), 8 * 24 * HOURS)
    index = first_active(results, FaultKey.INSUFFICIENT_HEAT)
    assert index is not None
    # 30 % lost after 3.75 days of the fade; found within a day of that.
    assert index <= (2 + 3.75 + 1) * 24 * HOURS
    status = results[index].statuses[FaultKey.INSUFFICIENT_HEAT]
    assert status.reason == "capacity_drop"
    assert ev.export_learned()["heat"]["bands"]["0"]["split_k"] > 14.0


def test_a_leak_too_slow_for_the_allowance_is_not_followed_down() -> None:
    """40 % over twelve days: never more than a few percent a day below the reference.

    A reference that learned every hour within the allowance followed it down
    and kept the shortfall under 15 % for good.
    """
    unit = Unit(on=100, off=20, run_w=1500.0)
    trace = _fading(unit, 2 * 24 * HOURS, 12.0, 0.4)
    ev = evaluator()
    drive(ev, trace, 7 * 24 * HOURS)
    # A restart on the way keeps what slowed the reference down.
    state = json.loads(json.dumps(ev.export_state()))
    assert state["heat"]["drift"]["score"] > 0.0
    resumed = Evaluator(options=ev.options, learned=ev.export_learned())
    resumed.restore_state(state)
    assert resumed.export_state()["heat"]["drift"] == state["heat"]["drift"]
    results = drive(resumed, trace, 6 * 24 * HOURS, start_minute=7 * 24 * HOURS)
    index = first_active(results, FaultKey.INSUFFICIENT_HEAT)
    assert index is not None
    # 30 % lost after nine days of the fade; found within a day of that.
    assert 7 * 24 * HOURS + index <= (2 + 9 + 1) * 24 * HOURS
    assert results[index].statuses[FaultKey.INSUFFICIENT_HEAT].reason == "capacity_drop"


def test_a_slow_leak_on_a_unit_that_never_stops_does_not_pass_for_a_step() -> None:
    """40 % over fifteen days, heating all day: the share slides, it never holds still.

    A reference let loose to take in a step trails a slide at a constant
    distance; read against where it stood before, the slide shows on.
    """
    unit = Unit(always_on=True, run_w=1500.0)
    ev = evaluator()
    results = drive(ev, _fading(unit, 2 * 24 * HOURS, 15.0, 0.4), 15 * 24 * HOURS)
    index = first_active(results, FaultKey.INSUFFICIENT_HEAT)
    assert index is not None
    # 30 % lost after 11.25 days of the fade; found within a day of that.
    assert index <= (2 + 11.25 + 1) * 24 * HOURS


def _turned_down(
    unit: Unit, start: int, days: float, *, power: float, split: float, colder: float = 0.0
) -> Trace:
    """From ``start``, power and split fall linearly to these shares over ``days``.

    ``colder``: how far the room falls meanwhile (K), where the heat falls short.
    """

    def change(minute: int, readings: Sample) -> Sample:
        progress = min((minute - start) / (days * 24 * HOURS), 1.0)
        climate = readings[InputKey.CLIMATE]
        assert isinstance(climate, ClimateReading)
        room = replace(climate, current_temperature=unit.room - colder * progress)
        if not unit.running(minute) or InputKey.SUPPLY_TEMPERATURE not in readings:
            return readings | {InputKey.CLIMATE: room}
        ret = number(readings, InputKey.RETURN_TEMPERATURE)
        now_split = number(readings, InputKey.SUPPLY_TEMPERATURE) - ret
        return readings | {
            InputKey.CLIMATE: room,
            InputKey.POWER: number(readings, InputKey.POWER) * (1.0 - (1.0 - power) * progress),
            InputKey.SUPPLY_TEMPERATURE: ret + now_split * (1.0 - (1.0 - split) * progress),
        }

    return overlay(unit, start, change)


def test_a_lasting_change_then_another_is_taken_in_not_raised() -> None:
    """The fan a notch up (12 % less split for good), ten days later a little more.

    A step holds still where a leak slides on: once the share has held for a
    day, the reference takes the new normal in, and the second change is
    measured from it.
    """
    unit = Unit(on=100, off=20, run_w=1500.0)

    def steps(minute: int, readings: Sample) -> Sample:
        if not unit.running(minute) or InputKey.SUPPLY_TEMPERATURE not in readings:
            return readings
        share = 0.88 * (0.9 if minute >= 13 * 24 * HOURS else 1.0)
        ret = number(readings, InputKey.RETURN_TEMPERATURE)
        split = number(readings, InputKey.SUPPLY_TEMPERATURE) - ret
        return readings | {InputKey.SUPPLY_TEMPERATURE: ret + split * share}

    ev = evaluator()
    results = drive(ev, overlay(unit, 3 * 24 * HOURS, steps), 20 * 24 * HOURS)
    assert not ever_active(results, FaultKey.INSUFFICIENT_HEAT)
    assert ev.export_learned()["heat"]["bands"]["0"]["split_k"] < 13.5


def test_an_inverters_lasting_changes_a_week_apart_are_taken_in_not_raised() -> None:
    """Power swinging with the load through the day, the split with it; two fan steps.

    The line tilts towards the power it learns at: the hold reads the share
    against a copy of the bands as they stood, not by adding up their moves.
    """
    unit = Unit(on=100, off=20, run_w=1500.0)

    def inverter(minute: int, readings: Sample) -> Sample:
        if not unit.running(minute) or InputKey.SUPPLY_TEMPERATURE not in readings:
            return readings
        load = math.exp(0.4 * math.sin(2 * math.pi * minute / (24 * HOURS)))
        share = load**0.5
        share *= 0.88 if minute >= 3 * 24 * HOURS else 1.0
        share *= 0.87 if minute >= 10 * 24 * HOURS else 1.0
        ret = number(readings, InputKey.RETURN_TEMPERATURE)
        split = number(readings, InputKey.SUPPLY_TEMPERATURE) - ret
        return readings | {
            InputKey.POWER: number(readings, InputKey.POWER) * load,
            InputKey.SUPPLY_TEMPERATURE: ret + split * share,
        }

    ev = evaluator()
    results = drive(ev, overlay(unit, 0, inverter), 16 * 24 * HOURS)
    assert not ever_active(results, FaultKey.INSUFFICIENT_HEAT)


def test_a_leak_that_turns_the_compressor_down_is_still_judged() -> None:
    """Low suction draws less: the power falls below any learned, the heat faster still.

    A unit that already runs all the time cannot make up for it: the room
    cools, so the energy per degree of demand cannot speak.
    """
    unit = Unit(always_on=True, run_w=1500.0)
    ev = evaluator()
    trace = _turned_down(unit, 2 * 24 * HOURS, 4.0, power=0.6, split=0.45, colder=3.0)
    results = drive(ev, trace, 7 * 24 * HOURS)
    index = first_active(results, FaultKey.INSUFFICIENT_HEAT)
    assert index is not None
    status = results[index].statuses[FaultKey.INSUFFICIENT_HEAT]
    assert status.reason in {"capacity_drop", "room_below_target"}
    assert status.evidence["delivery_share"] < 0.85


def test_a_unit_turned_down_below_any_power_learned_is_normal() -> None:
    """Milder hours at 60 % of the power: the split falls with it, at most in proportion."""
    unit = Unit(on=100, off=20, run_w=1500.0)
    for split in (0.6**0.5, 0.6):  # an air handler slowing its fan, a fixed-flow loop
        ev = evaluator()
        results = drive(
            ev, _turned_down(unit, 2 * 24 * HOURS, 0.5, power=0.6, split=split), 5 * 24 * HOURS
        )
        assert not ever_active(results, FaultKey.INSUFFICIENT_HEAT), split


def test_a_unit_running_harder_than_ever_with_a_smaller_split_is_normal() -> None:
    """A morning's recovery: a fan on high moves more air than the heat grows."""
    unit = Unit(on=100, off=20, run_w=1500.0)
    harder = _turned_down(unit, 0, 1 / 24 / HOURS, power=1.8, split=0.75)

    def mornings(minute: int) -> Sample:
        return (harder if minute % (24 * HOURS) < 2 * HOURS else unit)(minute)

    ev = evaluator()
    results = drive(ev, overlay(unit, 2 * 24 * HOURS, lambda m, r: mornings(m)), 6 * 24 * HOURS)
    assert not ever_active(results, FaultKey.INSUFFICIENT_HEAT)


def test_a_small_fade_within_normal_variation_is_not_a_fault() -> None:
    """A tenth less split over days (a dirtier coil, a fan setting) is within the allowance."""
    unit = Unit(on=100, off=20, run_w=1500.0)
    ev = evaluator()
    results = drive(ev, _fading(unit, 24 * HOURS, 3.0, 0.1), 7 * 24 * HOURS)
    assert not ever_active(results, FaultKey.INSUFFICIENT_HEAT)


def test_room_a_little_below_target_is_normal() -> None:
    ev = evaluator()
    unit = Unit(on=100, off=20, run_w=1500.0)
    cool_room = unit.but(always_on=True, room=20.2, target=21.0)
    results = drive(ev, overlay(unit, 24 * HOURS, lambda m, r: cool_room(m)), 36 * HOURS)
    assert any_fault(results) == []


def test_faulty_split_is_not_learned_as_normal() -> None:
    ev = evaluator()
    drive(ev, Unit(always_on=True, split=2.0), 24 * HOURS)
    bands = ev.export_learned()["heat"]["bands"]
    assert all(band["split_k"] > 4.0 for band in bands.values())
    assert ev.evaluate(ev_time(ev)).statuses[FaultKey.INSUFFICIENT_HEAT].active


def test_learned_split_per_outdoor_band() -> None:
    ev = evaluator()
    drive(ev, Unit(on=100, off=20, outdoor=2.0, split=16.0), 24 * HOURS)
    drive(ev, Unit(on=100, off=20, outdoor=-7.0, split=11.0), 24 * HOURS, start_minute=24 * HOURS)
    bands = ev.export_learned()["heat"]["bands"]
    assert abs(bands["0"]["split_k"] - 16.0) < 0.5
    assert abs(bands["-2"]["split_k"] - 11.0) < 0.5
    # The cold-band split (11 K) is normal there even though the mild band expects 16 K.
    results = drive(
        ev, Unit(on=100, off=20, outdoor=-7.0, split=10.0), 12 * HOURS, start_minute=48 * HOURS
    )
    assert any_fault(results) == []


def test_thermostat_idle_with_room_below_target_in_auto_mode() -> None:
    auto = Unit(on=0, off=1, mode="heat_cool")

    def reading(minute: int, readings: Sample) -> Sample:
        return readings | {InputKey.CLIMATE: ClimateReading("heat_cool", "idle", 18.0, 21.0)}

    ev = evaluator()
    assert any_fault(drive(ev, overlay(auto, 0, reading), 12 * HOURS)) == []


def ev_time(ev: object) -> float:
    """The time of the evaluator's latest tick, plus a minute."""
    state = ev.export_state()  # type: ignore[attr-defined]
    return float(state["last_eval"]) + 60.0


def test_clogged_filter_split_far_above_normal_fires() -> None:
    """Little air through the indoor coil: the split widens while power rises."""
    ev = evaluator()
    unit = Unit(on=100, off=20)
    clogged = unit.but(split=30.0, run_w=1450.0)
    results = drive(ev, overlay(unit, 30 * HOURS, lambda m, r: clogged(m)), 36 * HOURS)
    assert not ever_active(results[: 30 * HOURS], FaultKey.INSUFFICIENT_HEAT)
    index = first_active(results, FaultKey.INSUFFICIENT_HEAT)
    assert index is not None
    status = results[index].statuses[FaultKey.INSUFFICIENT_HEAT]
    assert status.reason == "high_split"
    assert status.evidence["split_k"] > status.evidence["max_split_k"]


def _clogged_at(minute: int, *, until: int | None = None) -> list[Evaluation]:
    """A unit running 100 minutes in 120, its filter clogged from `minute` (until `until`)."""
    unit = Unit(on=100, off=20)
    clogged = unit.but(split=30.0, run_w=1450.0)

    def clog(at: int, readings: Sample) -> Sample:
        return clogged(at) if until is None or at < until else readings

    return drive(evaluator(), overlay(unit, minute, clog), minute + 4 * HOURS)


def test_a_split_gone_wide_well_into_a_run_needs_no_confirmation_on_top() -> None:
    """Clogged forty minutes into a run: no catching up explains it, its own wait is enough."""
    clogged_at = 30 * HOURS + 40
    results = _clogged_at(clogged_at)
    index = first_active(results, FaultKey.INSUFFICIENT_HEAT)
    assert index is not None
    # The run ends an hour after the clog: raised within it, not in the next run.
    assert index - clogged_at < 60
    status = results[index].statuses[FaultKey.INSUFFICIENT_HEAT]
    assert status.reason == "high_split"
    # Dated from when the split went wide.
    assert status.since is not None
    assert abs(status.since - (T0 + clogged_at * MINUTE)) <= 2 * MINUTE


def test_a_split_wide_for_fifty_minutes_from_a_runs_start_is_normal() -> None:
    """Wide from the first minute of a run after a rest, as a unit catching up runs: not enough."""
    run_starts = 30 * HOURS
    results = _clogged_at(run_starts, until=run_starts + 50)
    assert not ever_active(results, FaultKey.INSUFFICIENT_HEAT)


def test_a_set_up_with_a_split_wide_for_fifty_minutes_is_normal() -> None:
    """The target rises 2 K in a long run; a backup heater the meter misses widens the split."""
    unit = Unit(always_on=True)
    set_up = 30 * HOURS

    def warmer(minute: int, readings: Sample) -> Sample:
        since = minute - set_up
        room = min(unit.room + since / 60.0, unit.target + 2.0)
        split = 30.0 if since < 50 else unit.split
        return readings | {
            InputKey.CLIMATE: ClimateReading("heat", "heating", room, unit.target + 2.0),
            InputKey.SUPPLY_TEMPERATURE: number(readings, InputKey.RETURN_TEMPERATURE) + split,
        }

    results = drive(evaluator(), overlay(unit, set_up, warmer), set_up + 4 * HOURS)
    assert not ever_active(results, FaultKey.INSUFFICIENT_HEAT)


def _water_wide_mid_run(action: str | None) -> list[Evaluation]:
    """A water unit heating steadily, its split doubled for 50 minutes, its thermostat `action`."""
    unit = Unit(system_type=SystemType.AIR_TO_WATER, always_on=True, split=5.0, run_w=2500.0)
    start = 30 * HOURS

    def wide(minute: int, readings: Sample) -> Sample:
        if minute - start >= 50:
            return readings
        return readings | {
            InputKey.CLIMATE: ClimateReading("heat", action, unit.room, unit.target),
            InputKey.SUPPLY_TEMPERATURE: number(readings, InputKey.RETURN_TEMPERATURE) + 10.0,
        }

    ev = evaluator(system_type=SystemType.AIR_TO_WATER)
    return drive(ev, overlay(unit, start, wide), start + 4 * HOURS)


def test_a_water_units_hot_water_cycle_mid_run_is_normal() -> None:
    """Fifty minutes of hot water mid-run, the flow as wide; the thermostat silent, then heating.

    Heating again, the split is back, while its score still lingers above its wait.
    """
    assert not ever_active(_water_wide_mid_run(None), FaultKey.INSUFFICIENT_HEAT)


def test_a_water_units_split_gone_wide_while_heating_the_rooms_needs_no_confirmation() -> None:
    """The thermostat says the unit heats the rooms: fifty minutes of a doubled split is enough."""
    assert ever_active(_water_wide_mid_run("heating"), FaultKey.INSUFFICIENT_HEAT)


def test_split_rising_with_load_is_normal() -> None:
    """Harder work, wider split: in proportion to power, not a fault."""
    ev = evaluator()
    unit = Unit(on=100, off=20)
    harder = unit.but(split=19.0, run_w=1700.0)
    results = drive(ev, overlay(unit, 30 * HOURS, lambda m, r: harder(m)), 40 * HOURS)
    assert any_fault(results) == []


def test_a_water_loop_flat_out_above_the_powers_it_learned_is_normal() -> None:
    """Days at part load, its split in whole kelvins whatever the speed; then a cold morning.

    The line learned over 450-650 W is flat (the readings' rounding hides
    the slope); two hours at twice the draw with the split grown in
    proportion, the room a kelvin short and no set-up under way.
    """
    unit = Unit(system_type=SystemType.AIR_TO_WATER, always_on=True, split=3.0, run_w=550.0)

    def part_load(minute: int, readings: Sample) -> Sample:
        return readings | {InputKey.POWER: 550.0 + sine(minute, 6 * HOURS, 100.0)}

    flat_out = 30 * HOURS

    def morning(minute: int, readings: Sample) -> Sample:
        if minute - flat_out >= 2 * HOURS:
            return part_load(minute, readings)
        ret = number(readings, InputKey.RETURN_TEMPERATURE)
        return readings | {
            InputKey.POWER: 1150.0,
            InputKey.SUPPLY_TEMPERATURE: ret + 6.0,
            InputKey.CLIMATE: ClimateReading("heat", "heating", unit.target - 1.0, unit.target),
        }

    trace = overlay(overlay(unit, 0, part_load), flat_out, morning)
    ev = evaluator(system_type=SystemType.AIR_TO_WATER)
    results = drive(ev, trace, flat_out + 4 * HOURS)
    assert any_fault(results) == []


def test_a_split_twice_as_wide_at_a_higher_stage_of_an_air_unit_is_raised() -> None:
    """Learned at its low stage; at the high one the split doubles: its fan moves too little.

    An air handler steps its fan up with the compressor: above the powers
    learned its line holds, not the water loop's growth with the power.
    """
    unit = Unit(on=100, off=20, split=15.0, run_w=2000.0)
    clogged = unit.but(split=31.0, run_w=3400.0)
    clog_at = 30 * HOURS
    results = drive(
        evaluator(), overlay(unit, clog_at, lambda m, r: clogged(m)), clog_at + 6 * HOURS
    )
    assert not ever_active(results[:clog_at], FaultKey.INSUFFICIENT_HEAT)
    index = first_active(results, FaultKey.INSUFFICIENT_HEAT)
    assert index is not None
    assert results[index].statuses[FaultKey.INSUFFICIENT_HEAT].reason == "high_split"


def test_iced_coil_is_not_also_insufficient_heat() -> None:
    """A coil encased in ice delivers little heat: one fault (ice), not two."""
    ev = evaluator()
    healthy = Unit(always_on=True, outdoor=1.0, defrost_every=45)
    iced = Unit(always_on=True, outdoor=1.0, defrost_every=10_000, frost_rate=0.06)

    def icing(minute: int, readings: Sample) -> Sample:
        since = minute - 24 * HOURS
        # Once the ice is thick, the split shrinks.
        split = max(16.0 - max(since - 160, 0) * 0.1, 1.0)
        return iced(since) | {
            InputKey.SUPPLY_TEMPERATURE: number(readings, InputKey.RETURN_TEMPERATURE) + split
        }

    results = drive(ev, overlay(healthy, 24 * HOURS, icing), 30 * HOURS)
    assert ever_active(results, FaultKey.ICE_BUILDUP)
    assert not ever_active(results, FaultKey.INSUFFICIENT_HEAT)


def _polled_low_split(every_min: int) -> bool:
    """An air unit read with a 2 K split from its first reading on; True if it was raised."""
    keys = (
        InputKey.POWER,
        InputKey.CLIMATE,
        InputKey.SUPPLY_TEMPERATURE,
        InputKey.RETURN_TEMPERATURE,
    )
    ev = Evaluator(
        options=EvaluatorOptions.from_mapping({k.value: f"sensor.{k.value}" for k in keys})
    )
    raised = False
    for minute in range(3 * 60):
        at = minute * 60.0
        if minute % every_min == 0:
            step = minute // every_min
            ev.observe(InputKey.CLIMATE, ClimateReading("heat", "heating", 20.5, 21.0), at)
            ev.observe(InputKey.POWER, 1500.0 + step % 3, at)
            ev.observe(InputKey.SUPPLY_TEMPERATURE, 22.0 + 0.1 * (step % 2), at)
            ev.observe(InputKey.RETURN_TEMPERATURE, 20.0, at)
        status = ev.evaluate(at + 30.0).statuses[FaultKey.INSUFFICIENT_HEAT]
        raised = raised or bool(status.active)
    return raised


def test_a_cloud_units_first_polls_are_not_taken_for_a_live_unit() -> None:
    """Until two gaps show a 30-minute poll, one low reading must not stand for half an hour."""
    assert not _polled_low_split(30)


def test_the_same_low_split_read_live_is_raised() -> None:
    assert _polled_low_split(1)


def test_clogged_filter_read_through_an_energy_counter_fires() -> None:
    """No load to follow: a fixed-speed unit's split hardly varies, so doubling is news."""
    ev = evaluator()
    unit = Unit(on=100, off=20)
    clogged = unit.but(split=30.0)
    trace = counted(overlay(unit, 30 * HOURS, lambda m, r: clogged(m)))
    results = drive(ev, trace, 36 * HOURS)
    assert not ever_active(results[: 30 * HOURS], FaultKey.INSUFFICIENT_HEAT)
    index = first_active(results, FaultKey.INSUFFICIENT_HEAT)
    assert index is not None
    assert results[index].statuses[FaultKey.INSUFFICIENT_HEAT].reason == "high_split"


def test_a_morning_set_up_through_an_energy_counter_is_normal() -> None:
    """At 06:00 the target rises 4 K and the unit runs flat out, its split far above the night's."""
    unit = Unit(always_on=True, split=12.0)

    def day(minute: int, readings: Sample) -> Sample:
        hour = minute % (24 * HOURS) / HOURS
        if hour < 6:
            room, target = 17.0, 17.0
        else:
            # Two hours of recovery, a degree every half hour, then steady.
            room, target = min(17.0 + (hour - 6.0) * 2.0, 21.0), 21.0
        recovering = 6 <= hour < 8
        split = 26.0 if recovering else 12.0
        return readings | {
            InputKey.CLIMATE: ClimateReading("heat", "heating", room, target),
            InputKey.RETURN_TEMPERATURE: room,
            InputKey.SUPPLY_TEMPERATURE: room + split,
            InputKey.POWER: 2400.0 if recovering else 1200.0,
        }

    ev = evaluator()
    results = drive(ev, counted(overlay(unit, 0, day)), 4 * 24 * HOURS)
    assert not ever_active(results, FaultKey.INSUFFICIENT_HEAT)


def _slow_mornings() -> Trace:
    """At 06:00 the target rises 4 K; the room takes 7 hours, its split twice the night's."""
    unit = Unit(always_on=True, split=12.0)

    def day(minute: int, readings: Sample) -> Sample:
        hour = minute % (24 * HOURS) / HOURS
        room = 17.0 if hour < 6 else min(17.0 + (hour - 6.0) * 0.5, 21.0)
        target = 17.0 if hour < 6 else 21.0
        split = 24.0 if hour >= 6 and room < 20.5 else 12.0
        return readings | {
            InputKey.CLIMATE: ClimateReading("heat", "heating", room, target),
            InputKey.RETURN_TEMPERATURE: room,
            InputKey.SUPPLY_TEMPERATURE: room + split,
            InputKey.POWER: 2400.0 if split > 12.0 else 1200.0,
        }

    return counted(overlay(unit, 0, day))


def test_a_restart_in_the_middle_of_a_recovery_keeps_the_set_up() -> None:
    """Home Assistant restarts at 06:30: the recovery it was in is still one."""
    trace = _slow_mornings()
    ev = evaluator()
    before = drive(ev, trace, 2 * 24 * HOURS + 6 * HOURS + 30)
    assert not ever_active(before, FaultKey.INSUFFICIENT_HEAT)
    after = drive(restarted(ev), trace, 10 * HOURS, start_minute=2 * 24 * HOURS + 6 * HOURS + 31)
    assert not ever_active(after, FaultKey.INSUFFICIENT_HEAT)


def test_a_stored_call_for_heat_that_is_garbage_is_ignored() -> None:
    ev = evaluator()
    drive(ev, _slow_mornings(), 2 * HOURS)
    state = ev.export_state()
    garbage = (
        {"heating": True, "target": "warm"},
        {"heating": True, "target": 500.0},
        {"heating": "yes"},
        [21.0],
        None,
    )
    for call in garbage:
        resumed = Evaluator(options=ev.options)
        resumed.restore_state(state | {"heat": state["heat"] | {"call": call}})
        assert resumed.export_state()["heat"]["call"]["heating"] is None


def _rounded(trace: Trace, step: float) -> Trace:
    """Supply and return as a sensor showing whole steps reports them."""

    def rounding(minute: int) -> Sample:
        readings = trace(minute)
        return readings | {
            key: round(number(readings, key) / step) * step
            for key in (InputKey.SUPPLY_TEMPERATURE, InputKey.RETURN_TEMPERATURE)
        }

    return rounding


def test_a_split_read_in_half_kelvin_steps_gets_credit_for_its_rounding() -> None:
    """A 2.3 K split reads 2.5 K; 4 % less reads 2.0 K, a fifth less: that is rounding."""
    unit = Unit(system_type=SystemType.AIR_TO_WATER, always_on=True, split=2.3, run_w=1500.0)
    smaller = unit.but(split=2.2)
    trace = _rounded(overlay(unit, 2 * 24 * HOURS, lambda m, r: smaller(m)), 0.5)
    ev = evaluator(system_type=SystemType.AIR_TO_WATER)
    results = drive(ev, trace, 5 * 24 * HOURS)
    assert ev.export_state()["heat"]["drop_score"] < 0.5
    assert not ever_active(results, FaultKey.INSUFFICIENT_HEAT)


def _warming_loop(unit: Unit) -> Trace:
    """The loop warms by 4 K through each run: supply and return rise together."""
    period = unit.on + unit.off

    def warming(minute: int, readings: Sample) -> Sample:
        rise = 4.0 * min(minute % period, unit.on) / unit.on
        return readings | {
            key: number(readings, key) + rise
            for key in (InputKey.SUPPLY_TEMPERATURE, InputKey.RETURN_TEMPERATURE)
        }

    return lambda minute: warming(minute, unit(minute))


# A water unit whose whole-kelvin split of 3.6 K reads 3 or 4 as its loop warms.
_ROUNDED_LOOP = Unit(system_type=SystemType.AIR_TO_WATER, on=100, off=20, split=3.6, run_w=1500.0)


def test_a_leak_read_through_whole_kelvin_sensors_whose_readings_move_is_found() -> None:
    """Readings that move across steps average their rounding out: no credit then.

    A 30 % shortfall reads 2 or 3 K against 3 or 4: half a kelvin of credit
    would leave it a 16 % one, hardly past the allowance, for days.
    """
    start = 2 * 24 * HOURS
    leaking = _ROUNDED_LOOP.but(split=_ROUNDED_LOOP.split * 0.7)
    leaky = _warming_loop(leaking)
    trace = _rounded(overlay(_warming_loop(_ROUNDED_LOOP), start, lambda m, r: leaky(m)), 1.0)
    results = drive(evaluator(system_type=SystemType.AIR_TO_WATER), trace, start + 24 * HOURS)
    index = first_active(results, FaultKey.INSUFFICIENT_HEAT)
    assert index is not None
    assert results[index].statuses[FaultKey.INSUFFICIENT_HEAT].reason == "capacity_drop"


def test_a_healthy_split_read_through_whole_kelvin_sensors_whose_readings_move_is_normal() -> None:
    """The same unit without the leak, for days: the readings' rounding adds nothing."""
    trace = _rounded(_warming_loop(_ROUNDED_LOOP), 1.0)
    ev = evaluator(system_type=SystemType.AIR_TO_WATER)
    results = drive(ev, trace, 6 * 24 * HOURS)
    assert not ever_active(results, FaultKey.INSUFFICIENT_HEAT)
    assert ev.export_state()["heat"]["drop_score"] == 0.0


def _loop(
    unit: Unit, ret: Callable[[int], float], wave: Callable[[int], float] = lambda m: 0.0
) -> Trace:
    """The unit with its return at ``ret(minute)`` and the supply ``wave`` off its split."""

    def shaped(minute: int, readings: Sample) -> Sample:
        back = ret(minute)
        return readings | {
            InputKey.RETURN_TEMPERATURE: back,
            InputKey.SUPPLY_TEMPERATURE: back + unit.split + wave(minute),
        }

    return overlay(unit, 0, shaped)


def test_a_reference_learned_from_still_whole_kelvin_readings_keeps_its_credit() -> None:
    """Days of steady running read a true 2.2 K split as 3 K; then the loop warms and cools.

    The readings that move average out to the true split, over a quarter below
    what the still ones taught: that is the reference's rounding, not a leak.
    """
    steady = _ROUNDED_LOOP.but(split=2.2, always_on=True)
    cycling = _warming_loop(_ROUNDED_LOOP.but(split=2.2))
    start = 3 * 24 * HOURS
    # Return 30.35-30.45 °C and supply 32.55-32.65 °C: read as 30 and 33.
    still = _loop(steady, lambda m: 30.35 + 0.1 * (m % 2))
    trace = _rounded(overlay(still, start, lambda m, r: cycling(m)), 1.0)
    ev = evaluator(system_type=SystemType.AIR_TO_WATER)
    results = drive(ev, trace, start + 2 * 24 * HOURS)
    assert not ever_active(results, FaultKey.INSUFFICIENT_HEAT)


def test_a_still_return_keeps_its_rounding_while_the_supply_moves() -> None:
    """An inverter modulates its supply; the return holds, read as 30, then 0.2 K warmer as 31.

    The supply's rounding averages out, the return's does not: the split
    reads a step lower than it was learned, and nothing about the unit
    changed.
    """
    start = 3 * 24 * HOURS
    steady = Unit(system_type=SystemType.AIR_TO_WATER, always_on=True, split=3.0)
    trace = _loop(
        steady,
        lambda m: (30.4 if m < start else 30.6) + 0.05 * (m % 2),
        lambda m: sine(m, 37, 1.0),
    )
    results = drive(
        evaluator(system_type=SystemType.AIR_TO_WATER), _rounded(trace, 1.0), 6 * 24 * HOURS
    )
    assert not ever_active(results, FaultKey.INSUFFICIENT_HEAT)


def test_a_supply_read_a_step_up_now_and_then_keeps_most_of_its_rounding() -> None:
    """Learned while the loop wandered; then it holds, the supply just under a step.

    Return 30.6 reads 31; supply 33.44 reads 33, and 34 one minute in ten:
    the readings say 2.1 K of a 2.84 K split.
    """
    start = 3 * 24 * HOURS
    unit = Unit(system_type=SystemType.AIR_TO_WATER, always_on=True, split=2.84)
    wandering = _loop(unit, lambda m: 30.3 + sine(m, 180, 2.0))
    still = _loop(unit, lambda m: 30.6, lambda m: 0.2 if m % 10 == 0 else 0.0)
    trace = _rounded(overlay(wandering, start, lambda m, r: still(m)), 1.0)
    results = drive(evaluator(system_type=SystemType.AIR_TO_WATER), trace, 6 * 24 * HOURS)
    assert not ever_active(results, FaultKey.INSUFFICIENT_HEAT)


@pytest.mark.xfail(strict=True, reason="both sensors' rounding on a step's edge: issue 11")
def test_both_sensors_on_a_steps_edge_keep_their_rounding() -> None:
    """Learned while the loop wandered; then it holds, both sensors on a step's edge.

    Return 30.52 reads 31 (30 one minute in ten), supply 32.45 reads 32
    (33 one minute in ten): the readings say about 1.2 K of a 1.93 K split,
    each sensor's error in it.

    Not yet: each sensor flips often enough to leave 0.4 of a step of
    credit, the split's error is 0.73 K, and the first hours after the loop
    stops wandering (the readings' spread remembers it) build the shortfall
    past where the reference stops learning.  The flat half step let the
    reference follow the still readings down instead.
    """
    start = 3 * 24 * HOURS
    unit = Unit(system_type=SystemType.AIR_TO_WATER, always_on=True, split=1.93)
    wandering = _loop(unit, lambda m: 30.3 + sine(m, 180, 2.0))
    still = _loop(
        unit,
        lambda m: 30.42 if m % 10 == 5 else 30.52,
        lambda m: 0.1 if m % 10 == 0 else 0.1 if m % 10 == 5 else 0.0,
    )
    trace = _rounded(overlay(wandering, start, lambda m, r: still(m)), 1.0)
    results = drive(evaluator(system_type=SystemType.AIR_TO_WATER), trace, 7 * 24 * HOURS)
    assert not ever_active(results, FaultKey.INSUFFICIENT_HEAT)


@pytest.mark.xfail(strict=True, reason="a counter's one split per band: issue 11")
def test_through_an_energy_counter_a_split_that_follows_the_load_is_normal() -> None:
    """A water inverter's split follows its speed; a counter cannot say the speed.

    Colder days in the same outdoor band run it harder, milder ones slower:
    the split swings by a fifth from day to day, within what is judged normal.
    (Slower is less power too: the same draw for a fifth less heat would be
    a unit doing worse, which the day's draw per kelvin shows.)

    Not yet: behind a counter the expectation is one split per band and the
    allowance 15 %, so a fifth for a whole day, after days that never
    swung, reaches the alarm.  Tenth-kelvin probes once hid that with the
    0.05 K their still split was credited; their readings jitter, so they
    earn none now (hundredth-kelvin probes raised it before as well).
    """
    unit = Unit(system_type=SystemType.AIR_TO_WATER, always_on=True, split=5.0, outdoor=1.0)
    milder = unit.but(split=4.0, outdoor=4.0, run_w=unit.run_w * 0.8)

    def weather(minute: int, readings: Sample) -> Sample:
        return milder(minute) if (minute // (24 * HOURS)) % 3 == 2 else readings

    ev = evaluator(system_type=SystemType.AIR_TO_WATER)
    results = drive(ev, counted(overlay(unit, 0, weather)), 9 * 24 * HOURS)
    assert not ever_active(results, FaultKey.INSUFFICIENT_HEAT)


def test_an_hour_at_full_power_through_a_counter_without_a_thermostat_is_normal() -> None:
    """A two-stage unit's morning at its high stage: a wide split nothing else explains."""
    unit = Unit(on=100, off=20, split=10.0)
    high = unit.but(split=22.0, run_w=2600.0, always_on=True)

    def morning(minute: int, readings: Sample) -> Sample:
        return high(minute) if 6 * HOURS <= minute % (24 * HOURS) < 7.25 * HOURS else readings

    inputs = ALL_INPUTS - {InputKey.CLIMATE}
    trace = only(counted(overlay(unit, 0, morning)), inputs)
    ev = evaluator(inputs)
    results = drive(ev, trace, 5 * 24 * HOURS)
    assert not ever_active(results, FaultKey.INSUFFICIENT_HEAT)


def _leaking(unit: Unit, start: int, split_share: float, gap: float) -> Trace:
    """From ``start`` the split is ``split_share`` of its own, the coil ``gap`` below the air."""
    leaking = unit.but(split=unit.split * split_share, gap=gap)
    return overlay(unit, start, lambda m, r: leaking(m))


# Mild weather: the coil stays above freezing, so every running minute shows
# its gap without frost in it.
_MILD = Unit(on=100, off=20, run_w=1500.0, outdoor=11.0, gap=5.0, frost_rate=0.0)


def test_a_wider_coil_gap_corroborates_a_shortfall_the_split_leans_towards() -> None:
    """A fifth less split and a coil 3 K colder: found hours before the split alone would be."""
    start = 2 * 24 * HOURS
    ev = evaluator()
    results = drive(ev, _leaking(_MILD, start, 0.8, 8.0), start + 14 * HOURS)
    index = first_active(results, FaultKey.INSUFFICIENT_HEAT)
    assert index is not None
    status = results[index].statuses[FaultKey.INSUFFICIENT_HEAT]
    assert status.reason == "capacity_drop"
    assert status.evidence["coil_gap_wider"] is True
    assert status.evidence["coil_gap_share"] > 1.3
    # The same split with the coil as before: not within those hours.
    alone = drive(evaluator(), _leaking(_MILD, start, 0.8, 5.0), start + 14 * HOURS)
    assert not ever_active(alone, FaultKey.INSUFFICIENT_HEAT)


def test_a_wider_coil_gap_alone_is_not_a_fault() -> None:
    """A probe that drifted, a fan slowing: the split says the heat still comes."""
    start = 2 * 24 * HOURS
    ev = evaluator()
    results = drive(ev, _leaking(_MILD, start, 1.0, 9.0), start + 2 * 24 * HOURS)
    assert not ever_active(results, FaultKey.INSUFFICIENT_HEAT)
    assert ev.export_state()["heat"]["coil_gap"]["score"] > 0.5


def test_frost_widening_the_gap_between_defrosts_is_not_read_as_a_leak() -> None:
    """Below freezing only the quarter hour after a defrost's recovery shows a clean coil.

    Drier days defrost every two and a half hours instead of every 45
    minutes: between defrosts the frost widens the gap by up to 9 K, far more
    than the healthy days ever showed on average.
    """
    often = Unit(always_on=True, outdoor=2.0, defrost_every=45, frost_rate=0.06)
    seldom = often.but(defrost_every=150)
    trace = overlay(often, 2 * 24 * HOURS, lambda m, r: seldom(m))
    ev = evaluator()
    results = drive(ev, trace, 4 * 24 * HOURS)
    assert not ever_active(results, FaultKey.INSUFFICIENT_HEAT)
    assert ev.export_learned()["heat"]["coil_gap"]
    assert ev.export_state()["heat"]["coil_gap"]["score"] < 0.1


def test_a_slowly_widening_coil_gap_is_not_learned_as_the_new_normal() -> None:
    """A gap widening by 40 % over three days: the healthy gap stays what it was."""
    start = 2 * 24 * HOURS

    def widening(minute: int, readings: Sample) -> Sample:
        progress = min((minute - start) / (3 * 24 * HOURS), 1.0)
        return _MILD.but(gap=5.0 * (1.0 + 0.4 * progress))(minute)

    ev = evaluator()
    results = drive(ev, overlay(_MILD, start, widening), start + 4 * 24 * HOURS)
    # The split is what it was: no fault, but the gap's score has built.
    assert not ever_active(results, FaultKey.INSUFFICIENT_HEAT)
    assert ev.export_learned()["heat"]["coil_gap"]["2"]["split_k"] < 5.5
    assert ev.export_state()["heat"]["coil_gap"]["score"] > 0.5


@pytest.mark.parametrize("step_kwh", [0.1, 0.01])
@pytest.mark.parametrize(
    ("standby_w", "on", "off"), [(60.0, 58, 62), (100.0, 23, 97), (140.0, 43, 77)]
)
def test_a_water_unit_behind_a_counter_without_a_thermostat_action_is_no_fault(
    step_kwh: float, standby_w: float, on: int, off: int
) -> None:
    """Daikin Onecta's climate has no action: a counter alone says when the unit runs.

    Its figure stands until it moves again, while the idle loop's split is a
    few tenths within minutes of a stop; an idle draw of 140 W moves a fine
    counter by steps that average 120 or 240 W, around the unlearned run
    threshold.
    """
    water = SystemType.AIR_TO_WATER
    unit = Unit(system_type=water, run_w=1500.0, standby_w=standby_w, on=on, off=off, split=5.0)
    end = 3 * 24 * HOURS
    trace = cloud_counter(overlay(unit, 0, without_action), poll=5, minutes=end, step_kwh=step_kwh)
    results = drive(evaluator(POWER_CLIMATE_SPLIT, system_type=water), trace, end)
    assert any_fault(results) == []


@pytest.mark.parametrize(("run_w", "step_kwh"), [(1500.0, 0.01), (3600.0, 0.1)])
def test_a_low_split_behind_a_counter_without_a_thermostat_action_fires(
    run_w: float, step_kwh: float
) -> None:
    """The counter moving by a run's worth at every poll says the unit runs: its split is judged.

    A counter in hundredths of a kWh tells a 1.5 kW run from a 60 W idle
    within a 5-minute poll.  One in tenths is worth 1.2 kW a step there: a
    poll of two steps or more, less one step's rounding, is still beyond
    any idle draw, and a 3.6 kW run makes three at every poll.
    """
    water = SystemType.AIR_TO_WATER
    unit = Unit(system_type=water, run_w=run_w, standby_w=60.0, on=100, off=20, split=5.0)
    weak = unit.but(split=1.0)
    end = 36 * HOURS
    trace = cloud_counter(
        overlay(overlay(unit, 30 * HOURS, lambda m, r: weak(m)), 0, without_action),
        poll=5,
        minutes=end,
        step_kwh=step_kwh,
    )
    results = drive(evaluator(POWER_CLIMATE_SPLIT, system_type=water), trace, end)
    assert not ever_active(results[: 30 * HOURS], FaultKey.INSUFFICIENT_HEAT)
    index = first_active(results, FaultKey.INSUFFICIENT_HEAT)
    assert index is not None
    assert index < 32 * HOURS


@pytest.mark.parametrize(("on", "off"), [(40, 50), (100, 50)])
def test_a_stop_within_a_half_hour_poll_behind_a_counter_without_an_action_is_no_fault(
    on: int, off: int
) -> None:
    """The counter still moves at the poll after a stop, by the run's last minutes' worth.

    Its step then falls short of the one before: the split fetched with it
    is the idle loop's, not the run's.
    """
    water = SystemType.AIR_TO_WATER
    unit = Unit(system_type=water, run_w=3000.0, standby_w=30.0, on=on, off=off, split=5.0)
    end = 4 * 24 * HOURS
    trace = cloud_counter(overlay(unit, 0, without_action), poll=30, minutes=end)
    results = drive(evaluator(POWER_CLIMATE_SPLIT, system_type=water), trace, end)
    assert any_fault(results) == []


def test_a_unit_behind_a_counter_without_an_action_or_a_split_is_still_judged() -> None:
    """Power and a thermostat only (an Onecta air unit): the room at full power is judged."""
    unit = Unit(run_w=1500.0, standby_w=60.0, on=100, off=20)
    end = 9 * HOURS  # an hour into a run
    trace = cloud_counter(overlay(unit, 0, without_action), poll=5, minutes=end, step_kwh=0.01)
    ev = evaluator((InputKey.POWER, InputKey.CLIMATE))
    status = drive(ev, trace, end)[-1].statuses[FaultKey.INSUFFICIENT_HEAT]
    assert status.active is False
    assert "room_deficit_k" in status.evidence  # judged, not held
