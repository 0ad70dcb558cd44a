"""Compressor starts, run lengths, the defrost bill, and the short_cycling fault."""

from __future__ import annotations

from dataclasses import replace

import pytest

from custom_components.heat_pump_health.engine import Evaluator, FaultKey
from custom_components.heat_pump_health.engine.cycling import Cycles
from custom_components.heat_pump_health.engine.model import ClimateReading, InputKey

from .traces import Sample, Unit, any_fault, drive, evaluator, first_active, only, overlay

HOUR = 60  # minutes


def _compressor(unit: Unit) -> object:
    """The unit as a compressor running sensor and a thermostat (no power meter)."""

    def trace(minute: int) -> Sample:
        sample = unit(minute)
        return {
            InputKey.COMPRESSOR: unit.running(minute),
            InputKey.CLIMATE: sample[InputKey.CLIMATE],
            InputKey.OUTDOOR_TEMPERATURE: sample[InputKey.OUTDOOR_TEMPERATURE],
        }

    return trace


def test_starts_and_run_length_from_power() -> None:
    ev = evaluator()
    results = drive(ev, Unit(on=20, off=10), 6 * HOUR)
    diagnostics = results[-1].diagnostics
    # A start every 30 minutes: two an hour, 20-minute runs.
    assert diagnostics.starts_per_hour == pytest.approx(2.0, abs=0.2)
    assert diagnostics.median_run_minutes == pytest.approx(20.0, abs=1.0)


def test_starts_from_the_compressors_own_state() -> None:
    ev = evaluator({InputKey.COMPRESSOR, InputKey.CLIMATE, InputKey.OUTDOOR_TEMPERATURE})
    results = drive(ev, _compressor(Unit(on=15, off=15)), 6 * HOUR)  # type: ignore[arg-type]
    diagnostics = results[-1].diagnostics
    assert diagnostics.starts_per_hour == pytest.approx(2.0, abs=0.2)
    assert diagnostics.median_run_minutes == pytest.approx(15.0, abs=1.0)


def test_unknown_until_hours_have_been_watched() -> None:
    ev = evaluator()
    results = drive(ev, Unit(on=20, off=10), 2 * HOUR)
    assert results[-1].diagnostics.starts_per_hour is None
    assert results[0].diagnostics.median_run_minutes is None


def test_a_defrosts_pause_is_no_start() -> None:
    """Reverse-cycle units stop the compressor to swap the valve: one run, not two."""
    unit = Unit(always_on=True, defrost_every=54, defrost_minutes=6)

    def pause_in_defrost(minute: int, sample: Sample) -> Sample:
        if unit.defrosting(minute) and minute % 60 in (54, 59):
            # The compressor stops at the defrost's start and end.
            return {**sample, InputKey.POWER: 20.0}
        return sample

    ev = evaluator()
    results = drive(ev, overlay(unit, 0, pause_in_defrost), 8 * HOUR)
    diagnostics = results[-1].diagnostics
    assert diagnostics.defrosts_last_24h is not None
    assert diagnostics.defrosts_last_24h >= 7
    assert diagnostics.starts_per_hour == 0.0
    assert not any_fault(results)


def test_defrost_energy_share() -> None:
    unit = Unit(always_on=True, defrost_every=54, defrost_minutes=6)
    results = drive(evaluator(), unit, 6 * HOUR)
    share = results[-1].diagnostics.defrost_energy_percent
    # 6 of every 60 minutes at 70 % of the running power: 0.1 * 0.7 / 0.97.
    assert share == pytest.approx(100 * 4.2 / 58.2, abs=1.0)
    no_defrost_source = drive(evaluator(ALL_BUT_DEFROST), unit, 6 * HOUR)
    assert no_defrost_source[-1].diagnostics.defrost_energy_percent is None


ALL_BUT_DEFROST = frozenset(InputKey) - {InputKey.DEFROST, InputKey.CLIMATE}


def test_short_cycling_found_on_a_unit_cycling_every_few_minutes() -> None:
    ev = evaluator()
    healthy = Unit(on=40, off=20)
    cycling = healthy.but(on=3, off=4)

    def switch(minute: int, sample: Sample) -> Sample:
        return cycling(minute)

    # A day and more of its usual once-an-hour cycling first.
    results = drive(ev, overlay(healthy, 26 * HOUR, switch), 30 * HOUR)
    index = first_active(results, FaultKey.SHORT_CYCLING)
    assert index is not None
    # An hour of starts to see it, an hour more to confirm it.
    assert 26 * HOUR + 60 <= index <= 26 * HOUR + 150
    status = results[index].statuses[FaultKey.SHORT_CYCLING]
    assert status.reason == "short_cycles"
    assert status.evidence["starts_last_hour"] >= 8
    assert status.evidence["usual_starts_per_hour"] == pytest.approx(1.0, abs=0.3)
    assert status.evidence["median_run_minutes"] <= 4
    assert not [f for f in any_fault(results) if f[1] is not FaultKey.SHORT_CYCLING]


def test_short_cycling_from_the_compressor_alone() -> None:
    ev = evaluator({InputKey.COMPRESSOR, InputKey.CLIMATE, InputKey.OUTDOOR_TEMPERATURE})
    # Twelve starts an hour from the first: beyond what any controls do by design.
    results = drive(ev, _compressor(Unit(on=2, off=3)), 5 * HOUR)  # type: ignore[arg-type]
    assert first_active(results, FaultKey.SHORT_CYCLING) is not None


def test_a_unit_that_always_cycles_fast_is_its_own_normal() -> None:
    """Seven starts an hour from day one (an oversized unit): not a change to warn about."""
    results = drive(evaluator(), Unit(on=5, off=3), 3 * 24 * HOUR)
    assert first_active(results, FaultKey.SHORT_CYCLING) is None


@pytest.mark.parametrize(
    "unit",
    [
        pytest.param(Unit(always_on=True, defrost_every=50), id="inverter"),
        pytest.param(Unit(on=12, off=8), id="fixed-speed at part load"),
        pytest.param(Unit(on=25, off=5, outdoor=-5.0), id="fixed-speed in the cold"),
    ],
)
def test_healthy_units_do_not_short_cycle(unit: Unit) -> None:
    results = drive(evaluator(), unit, 24 * HOUR)
    assert first_active(results, FaultKey.SHORT_CYCLING) is None
    assert not any_fault(results)


def test_a_setback_morning_is_not_short_cycling() -> None:
    """Off all night, then a long recovery run: few starts, long runs."""
    night = Unit(always_on=True).but(mode="off")
    day = Unit(on=45, off=15)

    def morning(minute: int, sample: Sample) -> Sample:
        if minute < 8 * HOUR:
            return {**night(minute), InputKey.POWER: 20.0}
        if minute < 11 * HOUR:
            return Unit(always_on=True)(minute)
        return day(minute)

    results = drive(evaluator(), overlay(day, 0, morning), 16 * HOUR)
    assert first_active(results, FaultKey.SHORT_CYCLING) is None


def test_the_owner_switching_the_thermostat_is_not_short_cycling() -> None:
    """Starts that follow the owner changing the mode or set point are theirs."""
    unit = Unit(on=2, off=3)
    # Without the owner's hand, this unit short-cycles.
    assert first_active(drive(evaluator(), unit, 5 * HOUR), FaultKey.SHORT_CYCLING) is not None

    def fiddle(minute: int, sample: Sample) -> Sample:
        climate = sample[InputKey.CLIMATE]
        assert isinstance(climate, ClimateReading)
        # Every cycle the set point is nudged just before the start.
        target = 21.0 + 0.5 * ((minute // 5) % 2)
        return {**sample, InputKey.CLIMATE: replace(climate, target_temperature=target)}

    results = drive(evaluator(), overlay(unit, 0, fiddle), 5 * HOUR)
    assert first_active(results, FaultKey.SHORT_CYCLING) is None


def test_not_judged_where_power_is_polled_coarsely() -> None:
    ev = evaluator()
    results = drive(
        ev, only(Unit(on=3, off=4), [InputKey.POWER, InputKey.CLIMATE]), 5 * HOUR, step=300.0
    )
    assert first_active(results, FaultKey.SHORT_CYCLING) is None
    assert "cycles" in results[-1].diagnostics.not_judged


_HOURLY = Unit(on=40, off=20)
_START = 26 * HOUR


def _calls_that_pause(during: Unit, *, call: int, pause: int) -> object:
    """A day of once an hour, then ``during`` while the call lasts, nothing in its pauses."""
    paused = _HOURLY.but(on=0, off=pause)

    def pattern(minute: int, sample: Sample) -> Sample:
        return during(minute) if (minute - _START) % (call + pause) < call else paused(minute)

    return overlay(_HOURLY, _START, pattern)


def test_an_idle_unit_whose_sources_fall_quiet_is_still_judged() -> None:
    """Reporting on change, its sensors speak every few minutes while it stands idle.

    That is no coarse poll: while it ran they spoke every minute.
    """
    unit = Unit(on=20, off=10)
    idle = unit.but(on=0, off=600)

    def quiet(minute: int, sample: Sample) -> Sample:
        # Only the outdoor air (and the coil at it) moves, every 3 minutes.
        outdoor = 2.0 + 0.2 * (minute // 3 % 2)
        return {
            **idle(minute),
            InputKey.SUPPLY_TEMPERATURE: 21.0,
            InputKey.RETURN_TEMPERATURE: 20.5,
            InputKey.NOISE: 30.0,
            InputKey.OUTDOOR_TEMPERATURE: outdoor,
            InputKey.COIL_TEMPERATURE: outdoor - 0.5,
        }

    results = drive(evaluator(), overlay(unit, 3 * HOUR, quiet), 8 * HOUR)
    assert "cycles" not in results[-1].diagnostics.not_judged


@pytest.mark.parametrize(
    ("call", "pause", "within_h"),
    [
        # The hour's count dips below the limit at each pause; for a unit
        # that usually starts once an hour, such a dip neither builds nor
        # clears it.
        pytest.param(60, 30, 3.0, id="half-hour pauses"),
        # It falls far below the limit in each pause, but over the time the
        # unit was asked to run it restarted as often as the timers allow:
        # such an hour holds what the others built (the fleet's six starts
        # come within the first hour; the rest is building).
        pytest.param(70, 40, 3.5, id="40-minute pauses"),
    ],
)
def test_a_cut_out_whose_call_pauses_is_still_found(call: int, pause: int, within_h: float) -> None:
    """Cut-outs while the heating calls, none in its pauses, over and over."""
    trace = _calls_that_pause(_HOURLY.but(on=4, off=4), call=call, pause=pause)
    results = drive(evaluator(), trace, _START + 8 * HOUR)  # type: ignore[arg-type]
    index = first_active(results, FaultKey.SHORT_CYCLING)
    assert index is not None
    assert index <= _START + within_h * HOUR


def test_the_calls_pauses_are_the_stops_longer_than_a_restart_timer() -> None:
    cycles = Cycles()
    cycles.watch(0.0, known=True)
    # Runs of 4 minutes with 4-minute stops, then a 40-minute stop, then one
    # more run under way.
    for start in (600.0, 1080.0, 1560.0):
        cycles.started(start)
        cycles.stopped(start + 240.0, defrosting=False)
    cycles.started(1800.0 + 2400.0)
    now = 4500.0
    # 1800 -> 4200 is the pause; 0 -> 600 began before anything was kept.
    assert cycles.paused_s(now - 3600.0, now, longer_than=900.0) == 2400.0
    assert cycles.paused_s(0.0, now, longer_than=900.0) == 2400.0
    assert cycles.paused_s(0.0, now, longer_than=300.0) == 2400.0 + 600.0
    # Stopped now: the stop so far counts once it is long.
    cycles.stopped(4500.0, defrosting=False)
    assert cycles.paused_s(0.0, 5000.0, longer_than=900.0) == 2400.0
    assert cycles.paused_s(0.0, 5500.0, longer_than=900.0) == 2400.0 + 1000.0


def test_a_healthy_unit_whose_calls_pause_is_silent() -> None:
    """Runs of ten minutes, three an hour, with long pauses: no cut-out."""
    trace = _calls_that_pause(_HOURLY.but(on=10, off=5), call=70, pause=40)
    results = drive(evaluator(), trace, _START + 12 * HOUR)  # type: ignore[arg-type]
    assert first_active(results, FaultKey.SHORT_CYCLING) is None


def _mild_and_cold(mild: Unit, cold: Unit) -> object:
    """Twelve hours of mild weather's fast cycling, twelve of cold's long runs, and again."""

    def trace(minute: int) -> Sample:
        return mild(minute) if (minute // (12 * HOUR)) % 2 else cold(minute)

    return trace


_COLD = Unit(on=40, off=20)
# An oversized unit in mild weather: it stops as soon as its 5-minute minimum
# run allows, seven or eight times an hour.
_MILD = Unit(on=5, off=3)


def test_runs_shorter_than_the_controls_allow_are_short_cycling() -> None:
    """Its usual hour swings from one start to six: a cut-out hides below that spread.

    Runs of three minutes, where its controls never stopped it before five,
    give it away.
    """
    start = 50 * HOUR
    cut_out = _MILD.but(on=3, off=2)

    def cutting_out(minute: int, sample: Sample) -> Sample:
        return cut_out(minute)

    trace = overlay(_mild_and_cold(_MILD, _COLD), start, cutting_out)
    results = drive(evaluator(), trace, start + 4 * HOUR)  # type: ignore[arg-type]
    index = first_active(results, FaultKey.SHORT_CYCLING)
    assert index is not None
    assert index <= start + 3 * HOUR
    evidence = results[index].statuses[FaultKey.SHORT_CYCLING].evidence
    assert evidence["shortest_usual_run_minutes"] == pytest.approx(5.0, abs=0.5)
    assert evidence["median_run_minutes"] <= 3.5


def test_an_oversized_unit_cycling_at_its_minimum_run_is_its_own_normal() -> None:
    """The same swing, and mild days that stop it after its minimum run: silent."""
    results = drive(evaluator(), _mild_and_cold(_MILD, _COLD), 5 * 24 * HOUR)  # type: ignore[arg-type]
    assert first_active(results, FaultKey.SHORT_CYCLING) is None


def test_the_healthy_runs_are_kept_and_bad_ones_ignored() -> None:
    ev = evaluator()
    drive(ev, _mild_and_cold(_MILD, _COLD), 30 * HOUR)  # type: ignore[arg-type]
    exported = ev.export_learned()
    learned = exported["cycling"]
    assert len(learned["runs"]) >= 40

    def restored(cycling: object) -> object:
        again = Evaluator(options=ev.options, learned={**exported, "cycling": cycling})
        return again.export_learned()["cycling"]["runs"]

    assert restored(learned) == learned["runs"]
    junk = [300.0, "300", True, -5.0, 1e9, None, 420]
    assert restored({**learned, "runs": junk}) == [300.0, 420.0]
    assert restored({**learned, "runs": "many"}) == []


def test_a_few_runs_cut_short_are_watched_and_not_learned() -> None:
    """Four three-minute runs an hour: not yet short cycling, nor a healthy minimum run."""
    start = 50 * HOUR
    seldom = _MILD.but(on=3, off=12)

    def cutting_out(minute: int, sample: Sample) -> Sample:
        return seldom(minute)

    ev = evaluator()
    trace = overlay(_mild_and_cold(_MILD, _COLD), start, cutting_out)
    results = drive(ev, trace, start + 30 * HOUR)  # type: ignore[arg-type]
    assert first_active(results, FaultKey.SHORT_CYCLING) is None
    assert results[-1].statuses[FaultKey.SHORT_CYCLING].suspect
    # The first of them, before an hour had three, are all it took in.
    runs = ev.export_learned()["cycling"]["runs"]
    assert sum(run < 4 * 60 for run in runs) <= 2


def test_the_runs_of_a_confirmed_fault_are_not_learned_once_it_clears() -> None:
    start = 50 * HOUR
    cut_out = _MILD.but(on=3, off=2)

    def cutting_out(minute: int, sample: Sample) -> Sample:
        return cut_out(minute) if minute < start + 6 * HOUR else _MILD(minute)

    ev = evaluator()
    trace = overlay(_mild_and_cold(_MILD, _COLD), start, cutting_out)
    results = drive(ev, trace, start + 12 * HOUR)  # type: ignore[arg-type]
    assert first_active(results, FaultKey.SHORT_CYCLING) is not None
    assert not results[-1].statuses[FaultKey.SHORT_CYCLING].active
    runs = ev.export_learned()["cycling"]["runs"]
    assert sum(run < 4 * 60 for run in runs) <= 2
