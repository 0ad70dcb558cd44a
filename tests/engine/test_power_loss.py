"""power_loss: fires on a dead supply, stays silent on the many ways 0 W is normal."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest

from custom_components.heat_pump_health.engine import (
    ClimateReading,
    FaultKey,
    FaultStatus,
    InputKey,
    Severity,
    SystemType,
)
from custom_components.heat_pump_health.engine.evaluator import Evaluation

from .traces import (
    MINUTE,
    POWER_CLIMATE_SPLIT,
    T0,
    Sample,
    Trace,
    Unit,
    any_fault,
    cloud_counter,
    drive,
    evaluator,
    ever_active,
    first_active,
    number,
    only,
    overlay,
    polled,
    restarted,
)

HOURS = 60


def breaker_trip(minute: int, readings: Sample) -> Sample:
    """Everything electrical dies; a separate thermostat keeps calling for heat."""
    ret = readings[InputKey.RETURN_TEMPERATURE]
    return readings | {
        InputKey.POWER: 0.0,
        InputKey.SUPPLY_TEMPERATURE: ret,
        InputKey.DEFROST: False,
        InputKey.CLIMATE: ClimateReading("heat", "heating", 19.0, 21.0),
    }


def test_breaker_trip_with_demand_fires_after_about_ten_minutes() -> None:
    ev = evaluator(POWER_CLIMATE_SPLIT)
    trip = 6 * HOURS + 5  # while running
    results = drive(ev, overlay(Unit(), trip, breaker_trip), trip + 30)
    index = first_active(results, FaultKey.POWER_LOSS)
    assert index is not None
    assert trip + 8 <= index <= trip + 12
    status = results[index].statuses[FaultKey.POWER_LOSS]
    assert status.reason == "no_power"
    assert status.severity is Severity.ERROR
    assert status.since == T0 + trip * MINUTE
    assert status.evidence["power_w"] == 0.0
    assert results[index].started == (FaultKey.POWER_LOSS,)
    # Watched before it is confirmed.
    assert results[trip + 5].statuses[FaultKey.POWER_LOSS].suspect


def test_power_loss_clears_when_power_returns() -> None:
    ev = evaluator(POWER_CLIMATE_SPLIT)
    trip, back = 6 * HOURS + 5, 6 * HOURS + 65
    unit = Unit()
    trace = overlay(unit, trip, lambda m, r: breaker_trip(m, r) if m < back else r)
    results = drive(ev, trace, back + 30)
    assert results[back - 1].statuses[FaultKey.POWER_LOSS].active
    cleared = [i for i, r in enumerate(results) if FaultKey.POWER_LOSS in r.cleared]
    assert cleared
    assert back <= cleared[0] <= back + 5
    assert not results[-1].statuses[FaultKey.POWER_LOSS].active


def test_lost_standby_fires_without_demand() -> None:
    """A trip while the thermostat is satisfied: the standby draw just vanishes."""
    idle = Unit(on=0, off=1, room=21.0)
    ev = evaluator(POWER_CLIMATE_SPLIT)
    trip = 4 * HOURS
    results = drive(ev, overlay(idle, trip, lambda m, r: r | {InputKey.POWER: 0.0}), trip + 60)
    index = first_active(results, FaultKey.POWER_LOSS)
    assert index is not None
    assert trip + 20 <= index <= trip + 35
    status = results[index].statuses[FaultKey.POWER_LOSS]
    assert status.reason == "no_standby_power"
    assert status.since == T0 + trip * MINUTE


def test_lost_standby_fires_with_only_a_power_meter() -> None:
    idle = Unit(on=0, off=1)
    ev = evaluator([InputKey.POWER])
    trip = 4 * HOURS
    results = drive(
        ev,
        overlay(only(idle, [InputKey.POWER]), trip, lambda m, r: {InputKey.POWER: 0.0}),
        trip + 60,
    )
    assert ever_active(results, FaultKey.POWER_LOSS)


def test_power_and_climate_both_vanish_after_running() -> None:
    """The unit's own integration dies with it: power 0, climate unavailable.

    Fourteen hours in: ten idle minutes an hour take twelve to learn the standby.
    """
    ev = evaluator(POWER_CLIMATE_SPLIT)
    trip = 14 * HOURS + 5

    def dead(minute: int, readings: Sample) -> Sample:
        ret = readings[InputKey.RETURN_TEMPERATURE]
        return readings | {
            InputKey.POWER: 0.0,
            InputKey.CLIMATE: None,
            InputKey.SUPPLY_TEMPERATURE: ret,
        }

    results = drive(ev, overlay(Unit(), trip, dead), trip + 60)
    assert ever_active(results, FaultKey.POWER_LOSS)


def test_meter_unavailable_with_demand_and_no_delivery() -> None:
    ev = evaluator(POWER_CLIMATE_SPLIT)
    trip = 6 * HOURS + 5

    def gone(minute: int, readings: Sample) -> Sample:
        return breaker_trip(minute, readings) | {InputKey.POWER: None}

    results = drive(ev, overlay(Unit(), trip, gone), trip + 30)
    index = first_active(results, FaultKey.POWER_LOSS)
    assert index is not None
    assert results[index].statuses[FaultKey.POWER_LOSS].reason == "power_unavailable"


def _loss_read_every_ten_minutes(
    live: Trace, trip: int, inputs: Iterable[InputKey] = POWER_CLIMATE_SPLIT
) -> tuple[int, FaultStatus]:
    """Minutes from ``trip`` until a 10-minute poll of ``live`` raises power loss; its status."""
    results = drive(evaluator(inputs), polled(live, 10), trip + 60)
    index = first_active(results, FaultKey.POWER_LOSS)
    assert index is not None
    return index - trip, results[index].statuses[FaultKey.POWER_LOSS]


def test_a_polled_meter_gone_with_demand_and_no_delivery_is_a_power_loss() -> None:
    """Read every ten minutes, the meter on the unit's circuit goes with the breaker."""
    trip = 6 * HOURS + 5

    def gone(minute: int, readings: Sample) -> Sample:
        return breaker_trip(minute, readings) | {InputKey.POWER: None}

    latency, status = _loss_read_every_ten_minutes(overlay(Unit(), trip, gone), trip)
    # The first poll without it, and two more.
    assert latency <= 30
    assert status.reason == "power_unavailable"


def test_satisfied_thermostat_for_hours_is_not_a_fault() -> None:
    ev = evaluator()
    results = drive(ev, Unit(on=0, off=1, room=21.5), 24 * HOURS)
    assert any_fault(results) == []
    assert results[-1].statuses[FaultKey.POWER_LOSS].active is False


def test_unit_switched_off_for_hours_is_not_a_fault() -> None:
    off = Unit(on=0, off=1, mode="off", room=15.0)
    ev = evaluator()
    assert any_fault(drive(ev, off, 24 * HOURS)) == []


def test_meter_dropout_while_heating_is_not_a_fault() -> None:
    ev = evaluator()
    unit = Unit(always_on=True)
    results = drive(
        ev, overlay(unit, 3 * HOURS, lambda m, r: r | {InputKey.POWER: None}), 9 * HOURS
    )
    assert not ever_active(results, FaultKey.POWER_LOSS)
    assert not any(r.statuses[FaultKey.POWER_LOSS].suspect for r in results)


def test_meter_dropout_without_other_evidence_is_unknown_not_fault() -> None:
    ev = evaluator([InputKey.POWER])
    unit = only(Unit(), [InputKey.POWER])
    results = drive(ev, overlay(unit, 3 * HOURS, lambda m, r: {InputKey.POWER: None}), 6 * HOURS)
    assert not ever_active(results, FaultKey.POWER_LOSS)
    assert results[-1].statuses[FaultKey.POWER_LOSS].active is None


def test_outdoor_unit_reads_zero_after_each_start() -> None:
    """Outdoor-unit meters read 0 W for a minute or two after every start."""
    unit = Unit(on=20, off=15, standby_w=44.0)

    def lag(minute: int, readings: Sample) -> Sample:
        in_cycle = minute % (unit.on + unit.off)
        if in_cycle < 2:
            return readings | {InputKey.POWER: 0.0}
        return readings

    ev = evaluator()
    results = drive(ev, overlay(unit, 0, lag), 24 * HOURS)
    assert any_fault(results) == []
    assert not any(r.statuses[FaultKey.POWER_LOSS].suspect for r in results)


def test_unit_that_idles_at_zero_watts_is_not_a_fault() -> None:
    """Outdoor-unit metering: 44 W crankcase heat at first, then 0 W when idle."""
    unit = Unit(on=12, off=20, standby_w=0.0, room=21.0, target=21.0)

    def crankcase(minute: int, readings: Sample) -> Sample:
        if minute < 5 * HOURS:
            return readings | {
                InputKey.POWER: 44.0,
                InputKey.CLIMATE: ClimateReading("heat", "idle", 21.0, 21.0),
            }
        return readings

    for inputs in (POWER_CLIMATE_SPLIT, (InputKey.POWER,), (InputKey.POWER, InputKey.CLIMATE)):
        ev = evaluator(inputs)
        trace = only(overlay(unit, 0, crankcase), inputs)
        results = drive(ev, trace, 36 * HOURS)
        assert any_fault(results) == [], inputs


def test_idle_at_zero_is_learned() -> None:
    unit = Unit(on=12, off=40, standby_w=0.0, room=21.0, target=21.0)
    ev = evaluator([InputKey.POWER, InputKey.CLIMATE])
    drive(ev, only(unit, [InputKey.POWER, InputKey.CLIMATE]), 8 * HOURS)
    learned = ev.export_learned()["power"]
    assert learned["zero_idle_episodes"] >= 2


def test_standby_floor_is_learned_from_idle() -> None:
    ev = evaluator()
    drive(ev, Unit(on=30, off=30, standby_w=37.0), 12 * HOURS)
    standby = ev.export_learned()["power"]["standby"]
    assert abs(standby["mean"] - 37.0) < 1.0


def test_meter_dropout_across_defrosts_is_not_a_fault() -> None:
    """During and just after a defrost no heat goes out: that is not a dead unit."""
    unit = Unit(always_on=True, outdoor=0.0, defrost_every=30, defrost_minutes=10)

    def cold_after_defrost(minute: int, readings: Sample) -> Sample:
        readings = readings | {InputKey.POWER: None}
        period = unit.defrost_every + unit.defrost_minutes if unit.defrost_every else 1
        if not unit.defrosting(minute) and minute % period < 8:
            ret = number(readings, InputKey.RETURN_TEMPERATURE)
            return readings | {InputKey.SUPPLY_TEMPERATURE: ret + 1.0}
        return readings

    ev = evaluator()
    results = drive(ev, overlay(unit, 3 * HOURS, cold_after_defrost), 12 * HOURS)
    assert not ever_active(results, FaultKey.POWER_LOSS)


def test_a_water_loop_that_keeps_its_warmth_after_a_trip_is_still_a_trip() -> None:
    """The pump stops with the unit; supply and return drift together for many minutes."""
    unit = Unit(system_type=SystemType.AIR_TO_WATER, split=5.0, run_w=2500.0, on=100, off=20)
    trip = 24 * HOURS + 5  # while running, its standby long learned

    def lingering(minute: int, readings: Sample) -> Sample:
        ret = number(readings, InputKey.RETURN_TEMPERATURE)
        split = max(5.0 * (1.0 - (minute - trip) / 25.0), 0.0)
        return breaker_trip(minute, readings) | {InputKey.SUPPLY_TEMPERATURE: ret + split}

    ev = evaluator(POWER_CLIMATE_SPLIT, system_type=SystemType.AIR_TO_WATER)
    results = drive(ev, overlay(unit, trip, lingering), trip + 40)
    index = first_active(results, FaultKey.POWER_LOSS)
    assert index is not None
    assert index <= trip + 12


def test_a_crankcase_heater_switching_off_in_warmer_weather_is_not_a_loss() -> None:
    """Its standby shown up to 8 °C; at 12 °C the heater's thermostat switches it off."""
    unit = Unit(on=30, off=90, standby_w=44.0, outdoor=8.0)

    def warmer(minute: int, readings: Sample) -> Sample:
        changed = readings | {InputKey.OUTDOOR_TEMPERATURE: 12.0}
        if not unit.running(minute):
            changed = changed | {InputKey.POWER: 0.0}
        return changed

    ev = evaluator()
    results = drive(ev, overlay(unit, 24 * HOURS, warmer), 30 * HOURS)
    assert not ever_active(results, FaultKey.POWER_LOSS)


def test_a_standby_lost_in_weather_it_was_shown_in_is_a_loss() -> None:
    unit = Unit(on=30, off=90, standby_w=44.0, outdoor=8.0)
    trip = 24 * HOURS + 40  # idle, nobody asking for heat

    def dead(minute: int, readings: Sample) -> Sample:
        return readings | {InputKey.POWER: 0.0, InputKey.OUTDOOR_TEMPERATURE: 6.0}

    ev = evaluator()
    results = drive(ev, overlay(unit, trip, dead), trip + 40)
    index = first_active(results, FaultKey.POWER_LOSS)
    assert index is not None
    assert results[index].statuses[FaultKey.POWER_LOSS].reason == "no_standby_power"


def _meter_gone(*, delivering_after: bool) -> list[Evaluation]:
    """No thermostat: the unit heats for 3 h, then its meter goes unavailable for 1 h."""
    ev = evaluator((InputKey.POWER, InputKey.SUPPLY_TEMPERATURE, InputKey.RETURN_TEMPERATURE))
    results = []
    for minute in range(4 * 60):
        at = T0 + minute * MINUTE
        gone = minute >= 3 * 60
        if gone:
            ev.observe(InputKey.POWER, None, at, unavailable=True)
        else:
            ev.observe(InputKey.POWER, 1200.0 + minute % 3, at)
        # The split fades over a few minutes when the unit has stopped.
        fade = 0.5 ** ((minute - 3 * 60) / 3.0) if gone and not delivering_after else 1.0
        ev.observe(InputKey.SUPPLY_TEMPERATURE, 20.5 + 14.0 * fade + 0.1 * (minute % 2), at)
        ev.observe(InputKey.RETURN_TEMPERATURE, 20.5, at)
        results.append(ev.evaluate(at + 30.0))
    return results


def test_a_meter_gone_with_the_heat_is_a_power_loss_without_a_thermostat() -> None:
    """The meter on the unit's circuit goes with the breaker; the supply cools with it."""
    results = _meter_gone(delivering_after=False)
    index = first_active(results, FaultKey.POWER_LOSS)
    assert index is not None
    assert index <= 3 * 60 + 30
    assert results[index].statuses[FaultKey.POWER_LOSS].reason == "power_unavailable"
    assert not ever_active(results, FaultKey.INSUFFICIENT_HEAT)


def test_a_meter_off_the_network_while_the_unit_heats_is_no_fault() -> None:
    results = _meter_gone(delivering_after=True)
    assert any_fault(results) == []


def test_a_unit_that_stops_hours_after_its_meter_went_off_the_network_is_no_fault() -> None:
    """The meter's Wi-Fi drops while the unit heats; an hour later the house is warm."""
    ev = evaluator((InputKey.POWER, InputKey.SUPPLY_TEMPERATURE, InputKey.RETURN_TEMPERATURE))
    results = []
    for minute in range(5 * 60):
        at = T0 + minute * MINUTE
        if minute >= 3 * 60:
            ev.observe(InputKey.POWER, None, at, unavailable=True)
        else:
            ev.observe(InputKey.POWER, 1200.0 + minute % 3, at)
        stopped = minute >= 4 * 60
        ev.observe(InputKey.SUPPLY_TEMPERATURE, 20.5 + (0.2 if stopped else 14.0), at)
        ev.observe(InputKey.RETURN_TEMPERATURE, 20.5 + 0.1 * (minute % 2), at)
        results.append(ev.evaluate(at + 30.0))
    assert any_fault(results) == []


# An air unit with a thermostat, a meter on its circuit and a coil sensor, but
# no supply and return: only the coil can say whether heat is going out.
POWER_CLIMATE_COIL = (
    InputKey.POWER,
    InputKey.CLIMATE,
    InputKey.COIL_TEMPERATURE,
    InputKey.OUTDOOR_TEMPERATURE,
)


def _calling_with_meter_gone(minute: int, readings: Sample) -> Sample:
    """The meter has gone; a battery thermostat keeps calling for heat."""
    return readings | {
        InputKey.POWER: None,
        InputKey.CLIMATE: ClimateReading("heat", "heating", 19.0, 21.0),
    }


def test_a_meter_gone_and_the_coil_at_the_air_is_a_power_loss() -> None:
    """The breaker takes the meter with it; the coil comes back to the air's temperature."""
    ev = evaluator(POWER_CLIMATE_COIL)
    trip = 6 * HOURS + 5  # while running

    def tripped(minute: int, readings: Sample) -> Sample:
        outdoor = number(readings, InputKey.OUTDOOR_TEMPERATURE)
        coil = outdoor - 0.3 + 0.1 * (minute % 2)
        return _calling_with_meter_gone(minute, readings) | {InputKey.COIL_TEMPERATURE: coil}

    results = drive(ev, overlay(Unit(), trip, tripped), trip + 40)
    index = first_active(results, FaultKey.POWER_LOSS)
    assert index is not None
    assert index - trip <= 25
    status = results[index].statuses[FaultKey.POWER_LOSS]
    assert status.reason == "power_unavailable"
    assert status.evidence["coil_at_air_minutes"] >= 10.0


def test_a_meter_off_the_network_while_the_coil_works_is_no_fault() -> None:
    ev = evaluator(POWER_CLIMATE_COIL)
    unit = Unit(always_on=True)

    def working(minute: int, readings: Sample) -> Sample:
        return readings | {InputKey.POWER: None}

    assert any_fault(drive(ev, overlay(unit, 6 * HOURS, working), 12 * HOURS)) == []


def test_a_start_held_back_by_its_timer_with_the_meter_gone_is_no_fault() -> None:
    """The thermostat calls; the unit waits a quarter of an hour to restart, its coil at the air.

    Some water units hold the compressor off that long after a stop.
    """
    ev = evaluator(POWER_CLIMATE_COIL)
    unit = Unit(on=40, off=20)

    def waiting(minute: int, readings: Sample) -> Sample:
        readings = readings | {InputKey.POWER: None}
        if minute % 60 >= 45:
            # The call comes fifteen minutes before the unit may start again.
            readings |= {InputKey.CLIMATE: ClimateReading("heat", "heating", 20.6, 21.0)}
        return readings

    assert any_fault(drive(ev, overlay(unit, 6 * HOURS, waiting), 12 * HOURS)) == []


# No thermostat: the meter and the outdoor temperature alone.
POWER_OUTDOOR = (InputKey.POWER, InputKey.OUTDOOR_TEMPERATURE)


def _stops(*, zero_after_stop: int, trip: int | None = None, poll: int = 1) -> list[Evaluation]:
    """A unit that runs 50 minutes an hour; every other stop reads 0 W for a while first.

    From `trip` on it reads 0 W for good.  `poll`: read every so many
    minutes, as a cloud integration does.
    """
    unit = only(Unit(), POWER_OUTDOOR)

    def draw(minute: int, readings: Sample) -> Sample:
        if trip is not None and minute >= trip:
            return readings | {InputKey.POWER: 0.0}
        if 50 <= minute % 60 < 50 + zero_after_stop and minute // 60 % 2 == 0:
            return readings | {InputKey.POWER: 0.0}
        # A live meter: the draw wavers by a watt or two from minute to minute.
        return readings | {InputKey.POWER: number(readings, InputKey.POWER) + minute % 3}

    end = 9 * HOURS if trip is None else trip + 60
    live = overlay(unit, 0, draw)
    return drive(evaluator(POWER_OUTDOOR), polled(live, poll), end)


def test_zero_straight_out_of_a_run_is_a_loss_where_stops_land_on_standby() -> None:
    """No thermostat to ask; the unit has stopped onto its standby every hour."""
    trip = 14 * HOURS + 20
    results = _stops(zero_after_stop=0, trip=trip)
    index = first_active(results, FaultKey.POWER_LOSS)
    assert index is not None
    assert index - trip <= 35
    assert results[index].statuses[FaultKey.POWER_LOSS].reason == "no_standby_power"


def test_zero_after_some_stops_is_a_warm_compressors_crankcase_heater() -> None:
    """Some stops read 0 W for a few minutes first; one day the heater stays off longer."""
    trip = 30 * HOURS + 50  # a stop: 0 W for an hour this time (standby long learned)
    results = _stops(zero_after_stop=8, trip=trip)
    assert not ever_active(results, FaultKey.POWER_LOSS)


def test_a_standby_lost_between_polls_is_a_loss_where_stops_land_on_standby() -> None:
    """Read every ten minutes: every stop the polls caught landed on the standby draw."""
    trip = 14 * HOURS + 52  # idle, between the polls at :50 and :00
    results = _stops(zero_after_stop=0, trip=trip, poll=10)
    index = first_active(results, FaultKey.POWER_LOSS)
    assert index is not None
    assert index - trip <= 30
    status = results[index].statuses[FaultKey.POWER_LOSS]
    assert status.reason == "no_standby_power"
    # Three polls at 0 W: the first and two more.
    assert status.evidence["standby_lost_after_minutes"] == 20.0


def test_polls_of_a_unit_that_reads_zero_after_some_stops_do_not_judge_its_standby() -> None:
    """A run between two polls may end on 0 W: a polled 0 W then proves nothing."""
    trip = 30 * HOURS + 52
    results = _stops(zero_after_stop=8, trip=trip, poll=10)
    assert not ever_active(results, FaultKey.POWER_LOSS)
    assert "standby" in results[-1].diagnostics.not_judged


def test_an_energy_counter_standing_still_while_heat_goes_out_is_no_fault() -> None:
    """A unit at a few hundred watts moves a 0.1 kWh counter once in several polls."""
    low = Unit(run_w=300.0, on=55, off=5)
    end = 12 * HOURS
    results = drive(evaluator(POWER_CLIMATE_SPLIT), cloud_counter(low, poll=10, minutes=end), end)
    assert any_fault(results) == []


@pytest.mark.parametrize(("wait", "poll"), [(20, 10), (40, 10), (30, 5), (40, 1)])
def test_an_energy_counter_standing_still_while_the_unit_waits_is_no_fault(
    wait: int, poll: int
) -> None:
    """The thermostat calls; the unit waits on its own flow control, at its standby draw.

    A 0.1 kWh counter at a standby of 25 W moves once in four hours: it cannot
    tell this wait from a trip, so neither is a power loss by the counter.
    """

    def waiting(minute: int, readings: Sample) -> Sample:
        if minute % 60 < 60 - wait:
            return readings
        ret = readings[InputKey.RETURN_TEMPERATURE]
        return readings | {
            InputKey.SUPPLY_TEMPERATURE: ret,
            InputKey.CLIMATE: ClimateReading("heat", "heating", 20.0, 21.0),
        }

    end = 12 * HOURS
    trace = cloud_counter(overlay(Unit(on=60 - wait, off=wait), 0, waiting), poll=poll, minutes=end)
    results = drive(evaluator(POWER_CLIMATE_SPLIT), trace, end)
    assert not ever_active(results, FaultKey.POWER_LOSS)


def test_a_lock_out_behind_an_energy_counter_is_no_fault() -> None:
    """Two hours of a utility lock-out at standby while the room thermostat calls."""

    def locked(minute: int, readings: Sample) -> Sample:
        if not 8 * HOURS <= minute < 10 * HOURS:
            return readings
        ret = readings[InputKey.RETURN_TEMPERATURE]
        return readings | {
            InputKey.POWER: 25.0,
            InputKey.SUPPLY_TEMPERATURE: ret,
            InputKey.CLIMATE: ClimateReading("heat", "heating", 20.0, 21.0),
        }

    end = 12 * HOURS
    trace = cloud_counter(overlay(Unit(), 0, locked), poll=10, minutes=end)
    assert not ever_active(drive(evaluator(POWER_CLIMATE_SPLIT), trace, end), FaultKey.POWER_LOSS)


def test_a_polled_trip_counts_from_its_first_poll_at_zero_watts() -> None:
    """The first poll after the trip still catches the supply's warmth; three polls settle it."""
    trip = 20 * HOURS + 9  # running, a minute before the poll at :10 (standby long learned)

    def coasting(minute: int, readings: Sample) -> Sample:
        tripped = breaker_trip(minute, readings)
        if minute - trip < 3:
            # The fan coasts down: the supply is still warm for a minute or two.
            return tripped | {InputKey.SUPPLY_TEMPERATURE: readings[InputKey.SUPPLY_TEMPERATURE]}
        return tripped

    latency, status = _loss_read_every_ten_minutes(overlay(Unit(), trip, coasting), trip)
    assert latency <= 30
    assert status.since == T0 + (trip + 1) * MINUTE


def _never_idle(minute: int) -> Sample:
    """A unit that runs all day, its draw wavering by a watt or two from poll to poll."""
    readings = Unit(always_on=True)(minute)
    return readings | {
        InputKey.POWER: number(readings, InputKey.POWER) + minute // 10 % 3,
        InputKey.BACKUP_HEATER: False,
    }


def _backup_after(trip: int) -> Callable[[int, Sample], Sample]:
    """0 W from ``trip`` (a minute before a poll); then the backup heater carries the house."""

    def tripped(minute: int, readings: Sample) -> Sample:
        dead = breaker_trip(minute, readings) | {InputKey.BACKUP_HEATER: False}
        if minute - trip < 3:
            # The poll just after the trip still catches the fan coasting down.
            return dead | {InputKey.SUPPLY_TEMPERATURE: readings[InputKey.SUPPLY_TEMPERATURE]}
        # From the next poll the heater warms the supply: the unit's delivery is hidden.
        return dead | {
            InputKey.BACKUP_HEATER: True,
            InputKey.SUPPLY_TEMPERATURE: readings[InputKey.RETURN_TEMPERATURE] + 15.0,
        }

    return tripped


def test_a_polled_trip_the_backup_heater_covers_counts_from_its_first_poll_at_zero_watts() -> None:
    """Never seen idle, its standby unknown: the heater hides the delivery, the 0 W says it all."""
    trip = 20 * HOURS + 9
    live = overlay(_never_idle, trip, _backup_after(trip))
    inputs = (*POWER_CLIMATE_SPLIT, InputKey.BACKUP_HEATER)
    latency, status = _loss_read_every_ten_minutes(live, trip, inputs)
    assert latency <= 25
    assert status.reason == "no_power"


def test_the_backup_heater_covering_a_units_late_start_is_not_a_loss() -> None:
    """A set-up: two polls catch the unit at 0 W, the heater on at the second; the third runs."""
    start = 20 * HOURS + 9
    waiting = _backup_after(start)

    def late_start(minute: int, readings: Sample) -> Sample:
        if minute >= start + 21:
            return readings | {InputKey.BACKUP_HEATER: True}
        return waiting(minute, readings)

    live = overlay(_never_idle, start, late_start)
    inputs = (*POWER_CLIMATE_SPLIT, InputKey.BACKUP_HEATER)
    results = drive(evaluator(inputs), polled(live, 10), start + 3 * HOURS)
    assert not ever_active(results, FaultKey.POWER_LOSS)


# A unit read by a cloud: a 0.1 kWh counter and everything else every ten minutes.
_COUNTER_BACKUP = (*POWER_CLIMATE_SPLIT, InputKey.BACKUP_HEATER, InputKey.OUTDOOR_TEMPERATURE)


def _with_backup(readings: Sample, *, on: bool) -> Sample:
    return readings | {InputKey.BACKUP_HEATER: on}


def _unit_heater_off() -> Trace:
    """The standard unit with a backup heater input that reads off."""
    return overlay(Unit(), 0, lambda _, readings: _with_backup(readings, on=False))


def _counter_trip(
    trip: int, *, idle_from: int | None = None, idle_for: int = 60
) -> Callable[[int, Sample], Sample]:
    """A trip at ``trip``; the backup heater carries the house from the next poll.

    From ``idle_from``, for ``idle_for`` minutes, the thermostat is content
    and the heater off: the call ends while the unit is still dead.
    """
    tripped = _backup_after(trip)

    def state(minute: int, readings: Sample) -> Sample:
        dead = tripped(minute, readings)
        if idle_from is not None and idle_from <= minute < idle_from + idle_for:
            return dead | {
                InputKey.BACKUP_HEATER: False,
                InputKey.SUPPLY_TEMPERATURE: readings[InputKey.RETURN_TEMPERATURE],
                InputKey.CLIMATE: ClimateReading("heat", "idle", 21.0, 21.0),
            }
        return dead

    return state


def test_a_trip_behind_an_energy_counter_is_found_once_the_backup_heater_carries_the_house() -> (
    None
):
    """The counter never reads 0 W: it stands still through a call as it never has before.

    A 1.2 kW unit steps a 0.1 kWh counter at every ten-minute poll of its
    runs; tripped, its thermostat calls on and the backup heater comes in.
    Once the call has gone unanswered by a step for one and a half times the
    longest a healthy call ever did, the unit has lost its supply; the call
    then ends for an hour, and the counter still not moving, the fault
    neither clears nor comes back as a second one.
    """
    trip = 20 * HOURS + 9
    end = trip + 3 * HOURS
    unit = _unit_heater_off()
    live = overlay(unit, trip, _counter_trip(trip, idle_from=trip + HOURS))
    results = drive(evaluator(_COUNTER_BACKUP), cloud_counter(live, poll=10, minutes=end), end)
    index = first_active(results, FaultKey.POWER_LOSS)
    assert index is not None
    assert index - trip <= 30
    assert results[index].statuses[FaultKey.POWER_LOSS].reason == "counter_still"
    assert all(result.statuses[FaultKey.POWER_LOSS].active for result in results[index:])


def test_a_trip_behind_an_energy_counter_is_found_across_a_restart() -> None:
    """What the counter did and how long calls take here outlive Home Assistant's restart.

    A restart 12 minutes into the trip, the stillness not yet long enough,
    still finds it in time; one during the hour the call pauses, the fault
    held, keeps it held rather than letting the counter's falling bound
    clear it.
    """
    trip = 20 * HOURS + 9
    end = trip + 3 * HOURS
    unit = _unit_heater_off()
    tripped = overlay(unit, trip, _counter_trip(trip, idle_from=trip + HOURS))
    counter = cloud_counter(tripped, poll=10, minutes=end)
    ev = evaluator(_COUNTER_BACKUP)
    drive(ev, counter, trip + 12)
    ev = restarted(ev)
    results = drive(ev, counter, HOURS + 20 - 12, start_minute=trip + 12)
    index = first_active(results, FaultKey.POWER_LOSS)
    assert index is not None
    assert index + 12 <= 30
    later = drive(restarted(ev), counter, end - trip - HOURS - 20, start_minute=trip + HOURS + 20)
    assert all(result.statuses[FaultKey.POWER_LOSS].active for result in later)


def test_a_restart_mid_call_does_not_teach_its_downtime_as_a_calls_stillness() -> None:
    """Home Assistant down for an hour of a call: the hour is no stillness of this unit's."""
    end = 24 * HOURS
    unit = _unit_heater_off()
    counter = cloud_counter(unit, poll=10, minutes=end)
    ev = evaluator(_COUNTER_BACKUP)
    down = 20 * HOURS + 15  # a quarter of an hour into a run
    drive(ev, counter, down)
    learned = ev.export_learned()["power"]["call_still_s"]
    back = down + HOURS
    resumed = restarted(ev)
    drive(resumed, counter, end - back, start_minute=back)
    assert resumed.export_learned()["power"]["call_still_s"] == learned


def test_a_slow_counter_beside_a_running_backup_heater_is_no_loss() -> None:
    """A unit seen stepping its counter only every half hour through calls does so again.

    A morning at full power steps the counter at every poll; from then on,
    at minimum speed, once in three.  When the backup heater comes in beside
    it in the evening, the same stillness is this unit's normal, learned as
    such, not a trip.
    """
    end = 24 * HOURS
    fast = Unit(always_on=True)
    slow = fast.but(run_w=200.0)

    def unit(minute: int) -> Sample:
        readings = fast(minute) if minute < 6 * HOURS else slow(minute)
        return _with_backup(readings, on=minute >= 18 * HOURS)

    results = drive(evaluator(_COUNTER_BACKUP), cloud_counter(unit, poll=10, minutes=end), end)
    assert not ever_active(results, FaultKey.POWER_LOSS)


def test_a_unit_leaving_colder_weather_than_it_ever_ran_in_to_its_backup_heater_is_no_loss() -> (
    None
):
    """Run bivalent-alternative, the unit stops below its changeover point on purpose.

    Through a mild day its counter steps at every poll of each run; then the
    air drops to -8 °C, colder than it has ever been seen running through a
    call in, and the controls leave the house to the backup heater while the
    thermostat calls on: the same stillness as a trip, but no fault.
    """
    cold = 20 * HOURS + 9
    end = cold + 3 * HOURS
    unit = _unit_heater_off()

    def changed_over(minute: int, readings: Sample) -> Sample:
        return _counter_trip(cold)(minute, readings) | {InputKey.OUTDOOR_TEMPERATURE: -8.0}

    live = overlay(unit, cold, changed_over)
    results = drive(evaluator(_COUNTER_BACKUP), cloud_counter(live, poll=10, minutes=end), end)
    assert not ever_active(results, FaultKey.POWER_LOSS)


def test_a_counter_still_through_a_call_without_the_backup_heater_is_no_loss() -> None:
    """Without the heater carrying the house, a still counter may be a lock-out at standby."""
    trip = 20 * HOURS + 9
    end = trip + 3 * HOURS
    unit = _unit_heater_off()

    def locked(minute: int, readings: Sample) -> Sample:
        return _with_backup(_counter_trip(trip)(minute, readings), on=False) | {
            InputKey.SUPPLY_TEMPERATURE: readings[InputKey.RETURN_TEMPERATURE]
        }

    live = overlay(unit, trip, locked)
    results = drive(evaluator(_COUNTER_BACKUP), cloud_counter(live, poll=10, minutes=end), end)
    assert not ever_active(results, FaultKey.POWER_LOSS)


def _switched_off(*, off_at: int, zero_at: int, end: int) -> list[Evaluation]:
    """Read every ten minutes; the thermostat is switched off at `off_at`, 0 W from `zero_at`.

    One early stop reads 0 W at its poll (a warm compressor's crankcase
    heater stays off), so this unit's stops are not known to land on standby.
    """

    def state(minute: int, readings: Sample) -> Sample:
        if minute < off_at:
            return (
                readings | {InputKey.POWER: 0.0}
                if 2 * HOURS + 50 <= minute < 3 * HOURS
                else readings
            )
        changed = readings | {
            InputKey.CLIMATE: ClimateReading("off", "off", 20.0, None),
            InputKey.SUPPLY_TEMPERATURE: readings[InputKey.RETURN_TEMPERATURE],
        }
        if minute < zero_at:
            # Switched off, it draws its standby (wavering by a watt from poll to poll).
            return changed | {InputKey.POWER: 25.0 + minute // 10 % 2}
        return changed | {InputKey.POWER: 0.0}

    live = overlay(Unit(outdoor=0.0), 0, state)
    return drive(evaluator(POWER_CLIMATE_SPLIT), polled(live, 10), end)


def test_a_polled_standby_lost_while_the_thermostat_is_off_is_a_loss() -> None:
    """Off since it was set up, the unit was never seen to stop, nor can it end a run unseen."""
    trip = 20 * HOURS + 3
    results = _switched_off(off_at=0, zero_at=trip, end=trip + 60)
    index = first_active(results, FaultKey.POWER_LOSS)
    assert index is not None
    assert index - trip <= 30
    assert results[index].statuses[FaultKey.POWER_LOSS].reason == "no_standby_power"


def test_zero_watts_as_the_thermostat_is_switched_off_is_no_fault() -> None:
    """The run it was in may have ended on 0 W just before the poll that shows it off."""
    off = 12 * HOURS + 25  # mid-run
    results = _switched_off(off_at=off, zero_at=off, end=off + 90)
    assert not ever_active(results, FaultKey.POWER_LOSS)


def test_a_standby_cut_within_the_hour_of_switching_off_is_no_fault() -> None:
    """Some units drop their standby a while after being switched off: not a trip."""
    off = 12 * HOURS + 52  # resting on its standby
    results = _switched_off(off_at=off, zero_at=off + 30, end=off + 150)
    assert not ever_active(results, FaultKey.POWER_LOSS)


def test_an_energy_counter_does_not_teach_a_run_as_the_standby_draw() -> None:
    """The first steps after a stop still hold the run's energy; an overdue one only a bound.

    Learned as the idle draw they made it hundreds of watts: the run
    threshold rose with it until runs were taken for idle.  Only a step
    wholly inside an idle spell says what the unit draws at rest.
    """
    unit = Unit(run_w=2000.0, standby_w=30.0, on=60, off=180)
    end = 2 * 24 * HOURS
    ev = evaluator(POWER_CLIMATE_SPLIT)
    results = drive(ev, cloud_counter(unit, poll=10, minutes=end), end)
    assert any_fault(results) == []
    standby = ev.export_learned()["power"]["standby"]["mean"]
    assert standby is None or standby <= 2 * unit.standby_w


@pytest.mark.parametrize("counter_late", [0, 30])
def test_a_run_hidden_by_a_restart_is_not_learned_as_the_standby_draw(counter_late: int) -> None:
    """Home Assistant down for a few hours while the unit ran one of its hours.

    The counter's first steps afterwards hold that run.  The thermostat,
    read first, says idle as it did before: the rest was not watched
    through, and a counter value first read after the restart may have been
    reached at any time while it was down (a cloud's counter often comes
    back minutes after the thermostat).
    """
    # A run whose tail, carried into the steps after it, averages under the
    # run threshold: only that the step was not seen tells it from a rest.
    unit = Unit(run_w=2047.0, standby_w=50.0, on=60, off=180)
    end = 3 * 24 * HOURS
    counter = cloud_counter(unit, poll=10, minutes=end)
    down, up = 43 * HOURS + 50, 45 * HOURS + 40  # the unit ran 44:00-45:00

    def thermostat_first(minute: int) -> Sample:
        readings = counter(minute)
        if up <= minute < up + counter_late:
            readings = {key: value for key, value in readings.items() if key is not InputKey.POWER}
        return {InputKey.CLIMATE: readings[InputKey.CLIMATE]} | readings

    ev = evaluator(POWER_CLIMATE_SPLIT)
    drive(ev, thermostat_first, down)
    ev = restarted(ev)
    drive(ev, thermostat_first, end - up, start_minute=up)
    standby = ev.export_learned()["power"]["standby"]["mean"]
    assert standby is None or standby <= 1.5 * unit.standby_w


def test_a_compressor_running_on_after_the_thermostat_says_idle_is_not_its_standby() -> None:
    """The thermostat says idle 20 minutes before each run ends (a minimum run time).

    The counter steps at the run's draw every poll of those minutes, while a
    true rest's rare steps are mostly overdue: learned as the idle draw,
    those steps made it over a kilowatt and every later run was taken for idle.
    """
    unit = Unit(run_w=2000.0, standby_w=30.0, on=60, off=120)

    def says_idle_early(minute: int, readings: Sample) -> Sample:
        if not 40 <= minute % 180 < 60:
            return readings
        return readings | {InputKey.CLIMATE: ClimateReading("heat", "idle", 20.5, 21.0)}

    end = 2 * 24 * HOURS
    ev = evaluator(POWER_CLIMATE_SPLIT)
    results = drive(ev, cloud_counter(overlay(unit, 0, says_idle_early), poll=10, minutes=end), end)
    assert any_fault(results) == []
    standby = ev.export_learned()["power"]["standby"]["mean"]
    assert standby is None or standby < unit.run_w / 10


def test_a_restart_at_rest_does_not_stop_a_counter_unit_learning_its_standby() -> None:
    """One run, then a rest for days, with a restart in it: the rest is watched again from there."""
    unit = Unit(run_w=2000.0, standby_w=60.0, on=60, off=10**6)
    end = 3 * 24 * HOURS
    counter = cloud_counter(unit, poll=10, minutes=end)
    restart = 6 * HOURS
    ev = evaluator(POWER_CLIMATE_SPLIT)
    drive(ev, counter, restart)
    before = ev.export_learned()["power"]["standby"]["seconds"]
    ev = restarted(ev)
    drive(ev, counter, end - restart, start_minute=restart)
    standby = ev.export_learned()["power"]["standby"]
    assert standby["seconds"] > before
    assert standby["mean"] == pytest.approx(unit.standby_w, rel=0.2)
