"""Learned baselines and fault state survive a restart; garbage is ignored."""

from __future__ import annotations

import json
from typing import Any

import pytest

from custom_components.heat_pump_health.engine import (
    ClimateReading,
    Evaluator,
    EvaluatorOptions,
    FaultKey,
    Health,
    InputKey,
    SystemType,
)
from custom_components.heat_pump_health.engine.operation import PowerProfile
from custom_components.heat_pump_health.engine.warm_coil import WarmCoil

from .traces import ALL_INPUTS, MINUTE, T0, Sample, Unit, drive, evaluator, first_active, overlay

HOURS = 60
OPTIONS = EvaluatorOptions(configured=ALL_INPUTS)


def test_learned_baselines_round_trip_through_json() -> None:
    ev = evaluator()
    drive(ev, Unit(on=100, off=20, defrost_every=45), 24 * HOURS)
    learned = json.loads(json.dumps(ev.export_learned()))
    resumed = Evaluator(options=OPTIONS, learned=learned)
    assert resumed.export_learned() == learned
    # No second learning period after a restart.
    result = drive(resumed, Unit(on=100, off=20, defrost_every=45), 2, start_minute=24 * HOURS)[-1]
    assert result.diagnostics.health is Health.OK


def test_learned_baselines_detect_what_defaults_would_miss() -> None:
    """A split of 6 K passes the 5 K default but not this unit's learned 16 K."""
    ev = evaluator()
    drive(ev, Unit(on=100, off=20), 24 * HOURS)
    learned = ev.export_learned()
    weak = Unit(always_on=True, split=6.0)
    fresh = drive(evaluator(), weak, 6 * HOURS)
    resumed = drive(Evaluator(options=OPTIONS, learned=learned), weak, 6 * HOURS)
    assert first_active(fresh, FaultKey.INSUFFICIENT_HEAT) is None
    assert first_active(resumed, FaultKey.INSUFFICIENT_HEAT) is not None


def test_reset_learned_forgets_one_fault() -> None:
    ev = evaluator()
    drive(ev, Unit(on=100, off=20, defrost_every=45), 24 * HOURS)
    before = ev.export_learned()
    assert before["heat"]["bands"]
    ev.reset_learned(FaultKey.INSUFFICIENT_HEAT)
    after = ev.export_learned()
    assert after["heat"]["bands"] == {}
    assert after["noise"] == before["noise"]
    assert after["power"]["standby"] == before["power"]["standby"]
    assert before["noise"]
    ev.reset_learned(FaultKey.ABNORMAL_NOISE)
    assert ev.export_learned()["noise"] == {}
    ev.reset_learned(FaultKey.POWER_LOSS)
    assert ev.export_learned()["power"]["standby"]["mean"] is None
    ev.reset_learned(FaultKey.ICE_BUILDUP)
    assert ev.export_learned()["ice"]["gap"]["mean"] is None


def test_reset_learned_clears_an_active_fault() -> None:
    ev = evaluator()
    results = drive(ev, Unit(always_on=True, split=2.0), 3 * HOURS)
    assert results[-1].statuses[FaultKey.INSUFFICIENT_HEAT].active
    ev.reset_learned(FaultKey.INSUFFICIENT_HEAT)
    result = ev.evaluate(T0 + 3 * HOURS * MINUTE)
    assert not result.statuses[FaultKey.INSUFFICIENT_HEAT].active


def tripped(minute: int, readings: Sample) -> Sample:
    return readings | {
        InputKey.POWER: 0.0,
        InputKey.SUPPLY_TEMPERATURE: readings[InputKey.RETURN_TEMPERATURE],
        InputKey.CLIMATE: ClimateReading("heat", "heating", 19.0, 21.0),
    }


def test_active_fault_survives_a_restart() -> None:
    ev = evaluator()
    trace = overlay(Unit(always_on=True), 4 * HOURS, tripped)
    results = drive(ev, trace, 4 * HOURS + 20)
    status = results[-1].statuses[FaultKey.POWER_LOSS]
    assert status.active
    state = json.loads(json.dumps(ev.export_state()))
    learned = json.loads(json.dumps(ev.export_learned()))

    resumed = Evaluator(options=OPTIONS, learned=learned)
    resumed.restore_state(state)
    after = drive(resumed, trace, 5, start_minute=4 * HOURS + 30)
    assert all(r.statuses[FaultKey.POWER_LOSS].active for r in after)
    assert after[0].statuses[FaultKey.POWER_LOSS].since == status.since
    assert after[0].statuses[FaultKey.POWER_LOSS].reason == "no_power"
    # Not announced again.
    assert all(FaultKey.POWER_LOSS not in r.started for r in after)


def test_ongoing_defrost_survives_a_restart() -> None:
    unit = Unit(always_on=True, defrost_every=45)
    ev = evaluator()
    drive(ev, unit, 47)  # in the middle of a defrost
    state = ev.export_state()
    resumed = evaluator()
    resumed.restore_state(state)
    result = drive(resumed, unit, 30, start_minute=47)[-1]
    assert result.diagnostics.defrosts_last_24h == 1


GARBAGE: list[Any] = [
    {},
    {"version": 99},
    {"faults": "nope"},
    {"faults": {"power_loss": {"active": "yes", "since": "x", "score": [1]}}},
    {"faults": {"power_loss": {"active": True, "since": None, "score": 1e308}}},
    {"clock": "soon", "defrost": {"starts": ["a", None, 5.0], "on": 1}},
    {"noise": {"onsets": {"a": 1}, "share": float("nan")}},
    {"ice": {"deep_since": 5.0}, "heat": [], "power": {"zero_origin": 3}},
    {"ice": {"overdue": {"best": 1e9, "smoothed": "x", "judged_s": -1, "score": -5}}},
    {"ice": {"warm_coil": {"since": "x", "last_end": [1], "last_minutes": -3}}},
    {"ice": {"warm_coil": "warm"}},
    {"operation": {"running": "maybe"}, "rejected": {"x": -1, "y": True, "z": 2}},
    {"version": True},
    [],
    None,
    "state",
]


@pytest.mark.parametrize("garbage", GARBAGE)
def test_restore_state_ignores_garbage(garbage: Any) -> None:
    ev = evaluator()
    ev.restore_state(garbage)
    results = drive(ev, Unit(defrost_every=45), 3 * HOURS)
    # A restored "active" may show at first; healthy readings clear it.
    assert not any(s.active for s in results[-1].statuses.values())
    json.dumps(ev.export_state(), allow_nan=False)


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        "warm",
        {"since": 5.0, "last_end": [1], "last_minutes": -3},
        {"last_end": True, "last_minutes": float("nan")},
    ],
)
def test_a_garbled_warm_coil_state_starts_afresh(garbage: Any) -> None:
    """The coil-timed defrost's state restores nothing it cannot read, and no spell under way."""
    warm = WarmCoil()
    warm.load_state(garbage)
    assert (warm.since, warm.last_end, warm.last_minutes) == (None, None, None)
    json.dumps(warm.state_dict(), allow_nan=False)


def test_the_warm_coil_restores_its_last_spell() -> None:
    warm = WarmCoil()
    warm.follow(T0, warm=True)
    warm.follow(T0 + 1800.0, warm=False)
    restored = WarmCoil()
    restored.load_state(json.loads(json.dumps(warm.state_dict())))
    assert (restored.last_end, restored.last_minutes) == (T0 + 1800.0, 30.0)


@pytest.mark.parametrize(
    "garbage",
    [
        {"power": {"standby": {"mean": "x"}, "high": -5}},
        {
            "heat": {"bands": {"x": {}, "3": "no", "99": {"split": {"mean": 5}}, "400": {}}},
        },
        {
            "noise": {"running": {"mean": float("inf"), "dev": -1}},
            "ice": {"peak_count": "7", "intervals": ["x", -5, 1e12, None, 2700]},
        },
        {"system_type": "air_to_water"},
        {"healthy_seconds": "long"},
        "learned",
        None,
    ],
)
def test_learned_ignores_garbage(garbage: Any) -> None:
    ev = Evaluator(options=OPTIONS, learned=garbage)
    results = drive(ev, Unit(defrost_every=45), 3 * HOURS)
    assert not any(s.active for r in results for s in r.statuses.values())
    json.dumps(ev.export_learned())


def test_learned_from_another_system_type_is_not_used() -> None:
    ev = evaluator()
    drive(ev, Unit(on=100, off=20), 24 * HOURS)
    water = Evaluator(
        options=EvaluatorOptions(system_type=SystemType.AIR_TO_WATER, configured=ALL_INPUTS),
        learned=ev.export_learned(),
    )
    assert water.export_learned()["heat"]["bands"] == {}


def test_statuses_and_diagnostics_are_json_serialisable() -> None:
    ev = evaluator()
    trace = overlay(Unit(always_on=True, defrost_every=45), 4 * HOURS, tripped)
    confirmed = False
    for result in drive(ev, trace, 4 * HOURS + 30):
        for status in result.statuses.values():
            # Strict JSON (no NaN) that reads back as it was written.
            assert json.loads(json.dumps(status.evidence, allow_nan=False)) == status.evidence
            confirmed = confirmed or bool(status.active and status.evidence)
        json.dumps(result.diagnostics.rejected_readings)
    # The trip was confirmed, so real evidence was serialised, not only empty dicts.
    assert confirmed
    for exported in (ev.export_state(), ev.export_learned()):
        assert json.loads(json.dumps(exported, allow_nan=False)) == exported


def test_an_overdue_defrost_carries_on_after_a_restart() -> None:
    """Running since the last defrost and the split just after it are not lost on a restart."""
    ev = evaluator()
    drive(ev, Unit(always_on=True, outdoor=1.0, defrost_every=45), 20 * HOURS)
    state = json.loads(json.dumps(ev.export_state()))
    resumed = evaluator()
    resumed.restore_state(state)
    assert resumed.export_state()["ice"]["overdue"] == state["ice"]["overdue"]
    assert state["ice"]["overdue"]["judged_s"] > 0


def test_how_a_units_stops_land_round_trips_and_garbage_counts_nothing() -> None:
    profile = PowerProfile()
    profile.standby_stops, profile.zero_after_runs = 7, 1
    restored = PowerProfile()
    restored.load(json.loads(json.dumps(profile.to_dict())))
    assert (restored.standby_stops, restored.zero_after_runs) == (7, 1)
    assert not restored.stops_land_on_standby
    for garbage in (-3, "5", 2.5, True, None):
        broken = PowerProfile()
        broken.load({"standby_stops": garbage, "zero_after_runs": garbage})
        assert (broken.standby_stops, broken.zero_after_runs) == (0, 0)
