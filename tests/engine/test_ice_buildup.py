"""ice_buildup: regular defrosts are normal; long, failing or back-to-back ones are not."""

from __future__ import annotations

from dataclasses import replace

from custom_components.heat_pump_health.engine import ClimateReading, FaultKey, InputKey, Severity

from .traces import (
    Sample,
    Trace,
    Unit,
    any_fault,
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
DEFROST_ONLY = (InputKey.DEFROST,)
COIL_OUTDOOR = (InputKey.COIL_TEMPERATURE, InputKey.OUTDOOR_TEMPERATURE, InputKey.CLIMATE)


def frosty(**changes: object) -> Unit:
    """A humid near-freezing day: a defrost every 45 minutes of running."""
    return Unit(always_on=True, outdoor=1.0, defrost_every=45, defrost_minutes=6).but(**changes)


def test_regular_successful_defrosts_are_normal() -> None:
    ev = evaluator()
    results = drive(ev, frosty(), 48 * HOURS)
    assert any_fault(results) == []
    diagnostics = results[-1].diagnostics
    assert diagnostics.defrosts_last_24h is not None
    assert 25 <= diagnostics.defrosts_last_24h <= 33
    assert diagnostics.last_defrost_minutes == 6.0


def test_frequent_short_defrosts_on_a_wet_day_are_normal() -> None:
    """Every 30 minutes, 10 minutes each: the busiest normal pattern."""
    ev = evaluator()
    results = drive(ev, frosty(defrost_every=20, defrost_minutes=10), 24 * HOURS)
    assert any_fault(results) == []


def test_defrost_too_long_fires_from_the_defrost_switch_alone() -> None:
    unit = frosty()
    stuck_from = 5 * HOURS

    def stuck(minute: int, readings: Sample) -> Sample:
        if stuck_from <= minute < stuck_from + 35:
            return readings | {InputKey.DEFROST: True}
        return readings

    ev = evaluator(DEFROST_ONLY)
    results = drive(ev, only(overlay(unit, 0, stuck), DEFROST_ONLY), 8 * HOURS)
    index = first_active(results, FaultKey.ICE_BUILDUP)
    assert index is not None
    status = results[index].statuses[FaultKey.ICE_BUILDUP]
    assert status.reason == "defrost_too_long"
    assert status.severity is Severity.ERROR
    assert status.evidence["max_defrost_minutes"] == 20.0


def test_back_to_back_defrosts_fire() -> None:
    unit = frosty()
    ev = evaluator()
    bad = overlay(unit, 6 * HOURS, lambda m, r: frosty(defrost_every=8, defrost_minutes=5)(m))
    results = drive(ev, bad, 9 * HOURS)
    index = first_active(results, FaultKey.ICE_BUILDUP)
    assert index is not None
    assert results[index].statuses[FaultKey.ICE_BUILDUP].reason == "back_to_back_defrosts"


def test_defrost_that_does_not_warm_the_coil_fires() -> None:
    ev = evaluator()
    failing = overlay(frosty(), 8 * HOURS, lambda m, r: frosty(defrost_peak=-1.0)(m))
    results = drive(ev, failing, 12 * HOURS)
    index = first_active(results, FaultKey.ICE_BUILDUP)
    assert index is not None
    assert results[index].statuses[FaultKey.ICE_BUILDUP].reason == "defrost_not_clearing"


def test_ice_clears_after_good_defrosts_return() -> None:
    ev = evaluator()
    start, end = 8 * HOURS, 11 * HOURS
    failing = overlay(frosty(), start, lambda m, r: frosty(defrost_peak=-1.0)(m) if m < end else r)
    results = drive(ev, failing, 16 * HOURS)
    assert ever_active(results, FaultKey.ICE_BUILDUP)
    assert not results[-1].statuses[FaultKey.ICE_BUILDUP].active


def test_coil_icing_without_defrost_signal_fires() -> None:
    """No defrost at all: the coil gap keeps growing for hours."""
    ev = evaluator(COIL_OUTDOOR)
    healthy = frosty()
    iced = frosty(defrost_every=10_000, frost_rate=0.06)
    trace = only(overlay(healthy, 8 * HOURS, lambda m, r: iced(m - 8 * HOURS)), COIL_OUTDOOR)
    results = drive(ev, trace, 16 * HOURS)
    index = first_active(results, FaultKey.ICE_BUILDUP)
    assert index is not None
    status = results[index].statuses[FaultKey.ICE_BUILDUP]
    assert status.reason == "coil_icing"
    assert status.evidence["coil_outdoor_gap_k"] > status.evidence["alarm_gap_k"] - 2


# What a unit without any defrost source gives: coil, air, a meter, and a
# thermostat that says its mode but not what it does.
COIL_NO_DEFROST = (
    InputKey.COIL_TEMPERATURE,
    InputKey.OUTDOOR_TEMPERATURE,
    InputKey.POWER,
    InputKey.CLIMATE,
)


def _without_action(trace: Trace) -> Trace:
    def silent(minute: int, readings: Sample) -> Sample:
        climate = readings[InputKey.CLIMATE]
        assert isinstance(climate, ClimateReading)
        return readings | {InputKey.CLIMATE: replace(climate, hvac_action=None)}

    return only(overlay(trace, 0, silent), COIL_NO_DEFROST)


# A defrost's start on a frosty() unit: one every 51 minutes.
STUCK_FROM = 10 * 51 + 45
DEFROST_PEAK = Unit().defrost_peak


def _coil_held_warm(unit: Trace, *, coil: float = DEFROST_PEAK, minutes: int = 35) -> Trace:
    """The unit, its coil held at `coil` (a defrost's peak) for `minutes` from STUCK_FROM."""

    def stuck(minute: int, readings: Sample) -> Sample:
        if STUCK_FROM <= minute < STUCK_FROM + minutes:
            return readings | {InputKey.COIL_TEMPERATURE: coil}
        return readings

    return overlay(unit, 0, stuck)


def test_a_defrost_too_long_is_timed_by_the_coil_where_nothing_says_defrost() -> None:
    """Thirty-five minutes of a coil held above the air while the unit heats."""
    ev = evaluator(COIL_NO_DEFROST)
    results = drive(ev, _without_action(_coil_held_warm(frosty())), 12 * HOURS)
    index = first_active(results, FaultKey.ICE_BUILDUP)
    assert index is not None
    assert STUCK_FROM + 20 <= index <= STUCK_FROM + 30
    status = results[index].statuses[FaultKey.ICE_BUILDUP]
    assert status.reason == "defrost_too_long"
    assert status.evidence["warm_coil_minutes"] > status.evidence["max_defrost_minutes"]


def test_a_coil_timed_defrost_too_long_stays_evidence_until_a_normal_one() -> None:
    """Ended, the long spell is still the evidence; the next defrost of normal length clears it."""
    ev = evaluator(COIL_NO_DEFROST)
    results = drive(ev, _without_action(_coil_held_warm(frosty())), 12 * HOURS)
    after = results[STUCK_FROM + 40].statuses[FaultKey.ICE_BUILDUP]
    assert after.active
    assert after.evidence["long_warm_coil_minutes"] >= 30
    assert "warm_coil_minutes" not in after.evidence
    # The next defrost (minutes 606 to 611) is timed while the long one still stands...
    during = results[STUCK_FROM + 55].statuses[FaultKey.ICE_BUILDUP].evidence
    assert 0 < during["warm_coil_minutes"] < during["max_defrost_minutes"]
    assert during["long_warm_coil_minutes"] >= 30
    # ...and, at its normal length, replaces it.
    assert (
        "long_warm_coil_minutes"
        not in results[STUCK_FROM + 70].statuses[FaultKey.ICE_BUILDUP].evidence
    )
    assert not results[-1].statuses[FaultKey.ICE_BUILDUP].active


def test_a_coil_timed_defrost_too_long_is_forgotten_without_another_defrost() -> None:
    """No defrost after the long one (the weather turned dry): forgotten after four hours."""
    dry = frosty(defrost_every=None, frost_rate=0.0)
    trace = overlay(frosty(), STUCK_FROM + 40, lambda m, r: dry(m))
    ev = evaluator(COIL_NO_DEFROST)
    results = drive(ev, _without_action(_coil_held_warm(trace)), STUCK_FROM + 8 * HOURS)
    ended = STUCK_FROM + 35
    before = results[ended + 4 * HOURS - 10].statuses[FaultKey.ICE_BUILDUP]
    assert before.active
    assert before.evidence["long_warm_coil_minutes"] >= 30
    # Four hours after it ended the spell is no evidence, and the fault clears in its hour.
    after = results[ended + 4 * HOURS + 10].statuses[FaultKey.ICE_BUILDUP]
    assert "long_warm_coil_minutes" not in after.evidence
    assert not results[ended + 5 * HOURS + 10].statuses[FaultKey.ICE_BUILDUP].active


def test_a_warm_coil_in_mild_air_is_no_defrost() -> None:
    """At 12 °C no frost forms: a coil above the air is the unit cooling, whatever the mode says."""
    ev = evaluator(COIL_NO_DEFROST)
    trace = _coil_held_warm(frosty(outdoor=12.0), coil=24.0)
    results = drive(ev, _without_action(trace), 12 * HOURS)
    assert not ever_active(results, FaultKey.ICE_BUILDUP)


def test_a_warm_coil_while_cooling_is_no_defrost() -> None:
    """Cooling, the outdoor coil is the condenser: warmer than the air all the time."""
    cooling = frosty(defrost_every=None, outdoor=8.0, gap=-8.0, mode="cool")
    trace = overlay(frosty(), 12 * HOURS, lambda m, r: cooling(m))
    ev = evaluator(COIL_NO_DEFROST)
    results = drive(ev, _without_action(trace), 24 * HOURS)
    assert not ever_active(results, FaultKey.ICE_BUILDUP)


def test_a_coil_read_every_quarter_hour_times_no_defrost() -> None:
    """Read this seldom, a warm reading may stand for minutes or for the whole quarter."""
    warm = _coil_held_warm(frosty())
    quarterly = polled(warm, 15)

    def polled_coil(minute: int, readings: Sample) -> Sample:
        return readings | {InputKey.COIL_TEMPERATURE: quarterly(minute)[InputKey.COIL_TEMPERATURE]}

    ev = evaluator(COIL_NO_DEFROST)
    results = drive(ev, _without_action(overlay(warm, 0, polled_coil)), 12 * HOURS)
    assert not ever_active(results, FaultKey.ICE_BUILDUP)


def test_a_warm_spell_under_way_at_a_restart_is_timed_afresh() -> None:
    """A spell under way at a restart is timed from the restart: its start went unwatched."""
    trace = _without_action(_coil_held_warm(frosty()))
    ev = evaluator(COIL_NO_DEFROST)
    drive(ev, trace, STUCK_FROM + 10)
    resumed = restarted(ev)
    results = drive(resumed, trace, 2 * HOURS, start_minute=STUCK_FROM + 10)
    # Fifteen minutes on, the spell counts fifteen minutes, not twenty-five.
    assert results[15].statuses[FaultKey.ICE_BUILDUP].evidence["warm_coil_minutes"] <= 15.5
    index = first_active(results, FaultKey.ICE_BUILDUP)
    assert index is not None
    assert results[index].statuses[FaultKey.ICE_BUILDUP].reason == "defrost_too_long"


def test_defrosts_timed_by_the_coil_of_normal_length_are_normal() -> None:
    ev = evaluator(COIL_NO_DEFROST)
    results = drive(ev, _without_action(frosty(defrost_minutes=12)), 24 * HOURS)
    assert any_fault(results) == []


def test_a_probe_that_reads_warm_while_the_unit_heats_is_no_defrost() -> None:
    """A probe on a hot pipe, named the coil: never colder than the air, so never believed."""

    def hot_pipe(minute: int, readings: Sample) -> Sample:
        return readings | {InputKey.COIL_TEMPERATURE: 45.0}

    ev = evaluator(COIL_NO_DEFROST)
    results = drive(ev, _without_action(overlay(frosty(), 0, hot_pipe)), 24 * HOURS)
    assert not ever_active(results, FaultKey.ICE_BUILDUP)


def test_a_coil_warmed_by_the_sun_while_the_unit_rests_is_no_defrost() -> None:
    """Long rests in the sun: the idle coil's probe reads well above the air."""
    unit = Unit(on=40, off=80, outdoor=3.0)

    def sunny(minute: int, readings: Sample) -> Sample:
        if unit.running(minute):
            return readings
        return readings | {InputKey.COIL_TEMPERATURE: unit.outdoor + 9.0}

    ev = evaluator(COIL_NO_DEFROST)
    results = drive(ev, _without_action(overlay(unit, 0, sunny)), 24 * HOURS)
    assert not ever_active(results, FaultKey.ICE_BUILDUP)


def test_cold_coil_with_regular_defrosts_is_normal() -> None:
    ev = evaluator(COIL_OUTDOOR)
    results = drive(ev, only(frosty(frost_rate=0.15), COIL_OUTDOOR), 24 * HOURS)
    assert any_fault(results) == []


def test_cooling_never_reports_ice() -> None:
    summer = Unit(always_on=True, outdoor=32.0, gap=-8.0, mode="cool", room=25.0, target=24.0)
    ev = evaluator()
    results = drive(ev, summer, 24 * HOURS)
    assert not ever_active(results, FaultKey.ICE_BUILDUP)


def test_defrost_source_unknown_midway_does_not_count_as_long() -> None:
    unit = frosty()

    def unknown(minute: int, readings: Sample) -> Sample:
        if 5 * HOURS <= minute < 7 * HOURS:
            return readings | {InputKey.DEFROST: None}
        return readings

    ev = evaluator(DEFROST_ONLY)
    results = drive(ev, only(overlay(unit, 0, unknown), DEFROST_ONLY), 10 * HOURS)
    assert not ever_active(results, FaultKey.ICE_BUILDUP)


NO_COIL = (
    InputKey.DEFROST,
    InputKey.POWER,
    InputKey.SUPPLY_TEMPERATURE,
    InputKey.RETURN_TEMPERATURE,
    InputKey.OUTDOOR_TEMPERATURE,
    InputKey.CLIMATE,
)
STOPS_AT = 24 * HOURS


def with_split(readings: Sample, split: float) -> Sample:
    """The readings with the supply this far above the return; a defrost's left as it is."""
    if readings[InputKey.DEFROST]:
        return readings
    supply = number(readings, InputKey.RETURN_TEMPERATURE) + split
    return readings | {InputKey.SUPPLY_TEMPERATURE: round(supply, 1)}


def defrost_stops(*, fading: bool, outdoor: float = 1.0) -> Trace:
    """A day of defrosts every 45 minutes, then none; the split fades as frost grows, or holds.

    ``outdoor``: the air from when the defrosts stop (the day before is at 1 °C).
    """
    healthy = frosty()
    never = frosty(defrost_every=None, outdoor=outdoor)

    def after(minute: int, readings: Sample) -> Sample:
        readings = never(minute)
        if not fading:
            return readings
        # Frost that is never cleared takes more and more of the coil.
        share = max(1.0 - 0.012 * (minute - STOPS_AT), 0.15)
        return with_split(readings, healthy.split * share)

    return only(overlay(healthy, STOPS_AT, after), NO_COIL)


def test_defrost_overdue_with_delivery_collapsed_fires_without_a_coil_sensor() -> None:
    ev = evaluator(NO_COIL)
    results = drive(ev, defrost_stops(fading=True), STOPS_AT + 6 * HOURS)
    index = first_active(results, FaultKey.ICE_BUILDUP)
    assert index is not None
    # Found as ice within the hour and a half after a defrost was due, and
    # not first as a unit short of heat: the coil, not the unit, is short.
    assert index - STOPS_AT <= 90
    assert not ever_active(results[:index], FaultKey.INSUFFICIENT_HEAT)
    status = results[index].statuses[FaultKey.ICE_BUILDUP]
    assert status.reason == "defrost_overdue"
    assert status.evidence["split_share"] < 0.5
    assert status.evidence["running_since_defrost_minutes"] >= 1.5 * 45


def test_defrost_overdue_is_found_on_the_first_night_in_colder_air() -> None:
    """The weather band of that night was never learned: the next band's split stands in."""
    ev = evaluator(NO_COIL)
    results = drive(ev, defrost_stops(fading=True, outdoor=-1.0), STOPS_AT + 6 * HOURS)
    index = first_active(results, FaultKey.ICE_BUILDUP)
    assert index is not None
    assert index - STOPS_AT <= 90
    assert results[index].statuses[FaultKey.ICE_BUILDUP].reason == "defrost_overdue"


def test_a_first_cold_night_at_a_fifth_of_the_power_is_not_taken_for_ice() -> None:
    """Far below the powers the next band saw, its line says nothing of this split."""
    healthy = frosty()
    never = frosty(defrost_every=None, outdoor=-1.0)

    def slow(minute: int, readings: Sample) -> Sample:
        readings = never(minute)
        if minute < STOPS_AT + 40:
            return readings  # full power first: delivery at its best since the defrost
        readings = with_split(readings, 0.2 * healthy.split)
        return readings | {InputKey.POWER: 0.2 * healthy.run_w}

    ev = evaluator(NO_COIL)
    results = drive(ev, only(overlay(healthy, STOPS_AT, slow), NO_COIL), STOPS_AT + 8 * HOURS)
    assert not ever_active(results, FaultKey.ICE_BUILDUP)


def test_no_defrost_for_hours_in_colder_air_with_delivery_holding_is_normal() -> None:
    ev = evaluator(NO_COIL)
    results = drive(ev, defrost_stops(fading=False, outdoor=-1.0), STOPS_AT + 12 * HOURS)
    assert not ever_active(results, FaultKey.ICE_BUILDUP)
    assert not any(result.statuses[FaultKey.ICE_BUILDUP].suspect for result in results)


def test_no_defrost_for_hours_with_delivery_holding_is_normal() -> None:
    """Dry air: the coil hardly frosts, so the control leaves it be."""
    ev = evaluator(NO_COIL)
    results = drive(ev, defrost_stops(fading=False), STOPS_AT + 12 * HOURS)
    assert any_fault(results) == []
    assert not any(result.statuses[FaultKey.ICE_BUILDUP].suspect for result in results)


def test_delivery_collapsed_with_defrosts_on_time_is_not_ice() -> None:
    """Defrosts keep coming: whatever costs the heat, it is not an undefrosted coil."""
    unit = frosty()

    def weak(minute: int, readings: Sample) -> Sample:
        return with_split(readings, 0.3 * unit.split)

    ev = evaluator(NO_COIL)
    results = drive(ev, only(overlay(unit, STOPS_AT, weak), NO_COIL), STOPS_AT + 6 * HOURS)
    assert not ever_active(results, FaultKey.ICE_BUILDUP)
    assert ever_active(results, FaultKey.INSUFFICIENT_HEAT)


def test_delivery_low_since_the_last_defrost_is_not_ice() -> None:
    """Short of heat right after a defrost as much as later: a leak, not a frosting coil."""
    unit = frosty()
    never = frosty(defrost_every=None)
    # The last defrost ends a little after the change; from then on no more.
    last_end = STOPS_AT + 45 + 6

    def weak(minute: int, readings: Sample) -> Sample:
        return with_split(unit(minute) if minute < last_end else never(minute), 0.35 * unit.split)

    ev = evaluator(NO_COIL)
    results = drive(ev, only(overlay(unit, STOPS_AT, weak), NO_COIL), STOPS_AT + 8 * HOURS)
    assert not ever_active(results, FaultKey.ICE_BUILDUP)
    assert ever_active(results, FaultKey.INSUFFICIENT_HEAT)


def short_defrosts(
    *,
    collapsing: bool,
    before: float = 1.0,
    minutes: int = 1,
    inputs: tuple[InputKey, ...] = NO_COIL,
) -> tuple[Trace, int]:
    """A day of 6-minute defrosts, then shorter ones; the trace and the first short one's end.

    ``collapsing``: the heat after each short defrost falls to a fifth (ice
    left on the coil); else it comes back as after a long one (a light frost).
    ``before``: the heat's share of the healthy split from the change on.
    """
    healthy = frosty()
    short = frosty(defrost_minutes=minutes)
    first = next(minute for minute in range(STOPS_AT, STOPS_AT + HOURS) if short.defrosting(minute))

    def after(minute: int, readings: Sample) -> Sample:
        readings = short(minute)
        share = 0.2 if collapsing and minute > first else before
        return with_split(readings, share * healthy.split)

    return only(overlay(healthy, STOPS_AT, after), inputs), first + minutes


def test_short_defrosts_that_leave_the_heat_collapsed_fire_without_a_coil_sensor() -> None:
    """A defrost that ends at a sixth of its usual length and leaves a fifth of the heat."""
    trace, first_end = short_defrosts(collapsing=True)
    results = drive(evaluator(NO_COIL), trace, STOPS_AT + 6 * HOURS)
    index = first_active(results, FaultKey.ICE_BUILDUP)
    assert index is not None
    # Found as ice within the hour and a half after the first short defrost
    # (at the next defrost, the heat having stayed collapsed until then), and
    # not first as a unit short of heat: the coil, not the unit, is short.
    assert index - first_end <= 90
    assert not ever_active(results[:index], FaultKey.INSUFFICIENT_HEAT)
    status = results[index].statuses[FaultKey.ICE_BUILDUP]
    assert status.reason == "defrost_not_clearing"
    assert status.evidence["short_defrosts_not_clearing"] >= 1
    assert status.evidence["usual_defrost_minutes"] == 6
    assert status.evidence["split_share_after_defrost"] < 0.5


def test_short_defrosts_with_the_heat_coming_back_are_normal() -> None:
    """A lightly frosted coil clears in a minute: the heat after it says so."""
    trace, _ = short_defrosts(collapsing=False)
    results = drive(evaluator(NO_COIL), trace, STOPS_AT + 8 * HOURS)
    assert any_fault(results) == []


def test_short_defrosts_of_a_unit_already_short_of_heat_are_not_ice() -> None:
    """The heat was a third before the short defrosts as after: a leak, not ice left behind."""
    trace, _ = short_defrosts(collapsing=False, before=0.3)
    results = drive(evaluator(NO_COIL), trace, STOPS_AT + 8 * HOURS)
    assert not ever_active(results, FaultKey.ICE_BUILDUP)
    assert ever_active(results, FaultKey.INSUFFICIENT_HEAT)


NO_POWER = tuple(key for key in NO_COIL if key is not InputKey.POWER)


def test_a_short_defrost_then_half_an_hour_of_little_heat_is_not_ice() -> None:
    """Without a meter, an inverter turned down after a light frost's short defrost looks the same.

    Its heat comes back before the next defrost: the coil was cleared.
    """
    healthy = frosty()
    trace, first_end = short_defrosts(collapsing=False, minutes=2, inputs=NO_POWER)

    def dip(minute: int, readings: Sample) -> Sample:
        readings = trace(minute)
        if minute < first_end + 40:
            return with_split(readings, 0.4 * healthy.split)
        return readings

    results = drive(evaluator(NO_POWER), overlay(trace, first_end, dip), STOPS_AT + 6 * HOURS)
    assert not ever_active(results, FaultKey.ICE_BUILDUP)


def test_without_a_meter_it_takes_two_short_defrosts_in_a_row() -> None:
    """A set-back turns a unit without a meter down much as ice does: once is not enough."""
    trace, first_end = short_defrosts(collapsing=True, inputs=NO_POWER)
    results = drive(evaluator(NO_POWER), trace, STOPS_AT + 6 * HOURS)
    index = first_active(results, FaultKey.ICE_BUILDUP)
    assert index is not None
    # The second short defrost's window ends about 45 + 46 minutes after the first.
    assert 85 <= index - first_end <= 150
    status = results[index].statuses[FaultKey.ICE_BUILDUP]
    assert status.reason == "defrost_not_clearing"
    assert status.evidence["short_defrosts_not_clearing"] == 2


def test_a_short_defrost_then_warm_weather_leaves_no_lasting_suspicion() -> None:
    """No next defrost comes in mild air: the short one is forgotten, and a leak later is found."""
    healthy = frosty()
    trace, first_end = short_defrosts(collapsing=False, minutes=2)
    mild = frosty(defrost_every=None, outdoor=9.0)
    leak_at = first_end + 6 * HOURS

    def later(minute: int, readings: Sample) -> Sample:
        readings = trace(minute) if minute < first_end + 30 else only(mild, NO_COIL)(minute)
        share = 0.4 if minute < first_end + 40 else 0.3 if minute >= leak_at else 1.0
        return with_split(readings, share * healthy.split)

    results = drive(evaluator(NO_COIL), overlay(trace, first_end, later), leak_at + 4 * HOURS)
    assert not ever_active(results, FaultKey.ICE_BUILDUP)
    assert not results[first_end + 4 * HOURS].statuses[FaultKey.ICE_BUILDUP].suspect
    found = first_active(results, FaultKey.INSUFFICIENT_HEAT)
    assert found is not None
    assert leak_at <= found <= leak_at + 2 * HOURS


def test_a_leak_seen_only_before_busy_defrosts_is_not_taken_for_ice() -> None:
    """Defrosts too close to judge the heat between them: the last judged 'fine' is from before.

    The heat before the short defrosts must be what was seen just before
    them, not a healthy figure from hours earlier.
    """
    healthy = frosty()
    busy = frosty(defrost_every=20, defrost_minutes=8)
    light = frosty(defrost_minutes=2)

    def leaking(minute: int, readings: Sample) -> Sample:
        unit = busy if minute < STOPS_AT + 3 * HOURS else light
        return with_split(unit(minute), 0.3 * healthy.split)

    trace = only(overlay(healthy, STOPS_AT, leaking), NO_COIL)
    results = drive(evaluator(NO_COIL), trace, STOPS_AT + 8 * HOURS)
    assert not ever_active(results, FaultKey.ICE_BUILDUP)
    assert ever_active(results, FaultKey.INSUFFICIENT_HEAT)


def test_defrost_lengths_are_learned_only_where_defrosts_can_be_timed() -> None:
    """A defrost read through a 15-minute poll lasts whole polls: no usual length comes of it."""
    ev = evaluator(NO_COIL)
    drive(ev, only(polled(frosty(), 15), NO_COIL), 30 * HOURS)
    assert ev.export_learned()["ice"]["defrost_minutes"] == []
    drive(ev, only(frosty(), NO_COIL), 12 * HOURS, start_minute=30 * HOURS)
    assert ev.export_learned()["ice"]["defrost_minutes"][-5:] == [6.0] * 5
