"""Each injected fault leaves its physical signature, and only after it starts."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from heat_pump_sim.physics import (
    BREAKER_TRIP,
    DEFROST_ENDS_EARLY,
    FaultInjection,
    HeatPumpModel,
    Scenario,
    TrueValues,
    simulate,
)
from heat_pump_sim.scenarios import PRESETS
import pytest

from .helpers import defrosts, intervals_min, median, preset_readings, running, split, window


def test_breaker_trip_stops_everything() -> None:
    rows = preset_readings("breaker_trip")
    tripped = window(rows, 12.0, 15.0)
    before = window(rows, 9.0, 12.0)
    assert all(r.power_w == 0.0 and not r.powered for r in tripped)
    assert all(r.compressor_speed == 0.0 and not r.defrost for r in tripped)
    assert all(r.faults == {BREAKER_TRIP} for r in tripped)
    # The battery thermostat keeps calling for heat that never comes.
    assert tripped[-1].hvac_mode == "heat"
    assert tripped[-1].hvac_action == "heating"
    assert tripped[-1].room_c < before[-1].room_c - 1.5
    assert abs(split(tripped[-1])) < 0.5
    assert abs(tripped[-1].coil_c - tripped[-1].outdoor_air_c) < 1.0
    after = window(rows, 15.5, 18.0)
    assert median([r.power_w for r in after]) > 500.0


def test_breaker_trip_can_make_power_unavailable() -> None:
    scenario = replace(
        PRESETS["breaker_trip"](), breaker_power_state="unavailable", duration=timedelta(hours=16)
    )
    records = [r for r in simulate(scenario, step_s=30.0) if r.entity_id == scenario.power_entity]
    start = scenario.start_epoch
    unavailable = [r for r in records if r.state == "unavailable"]
    assert len(unavailable) == 1
    assert unavailable[0].last_changed == pytest.approx(start + 12 * 3600, abs=30)
    # Everything else keeps reporting: the temperatures drift.
    assert records[-1].state != "unavailable"


def test_defrost_never_starts() -> None:
    rows = preset_readings("defrost_never_starts")
    healthy, faulty = window(rows, 0, 24), window(rows, 24, 48)
    assert len(defrosts(healthy)) >= 12
    assert not any(r.defrost for r in faulty)
    late = window(rows, 36, 48)
    # Ice keeps building: the coil falls far below the outdoor air and the
    # delivered heat collapses although the compressor runs flat out.
    assert max(r.frost_kg for r in late) >= 2.5
    gap_healthy = median([r.outdoor_air_c - r.coil_c for r in running(healthy)])
    gap_late = median([r.outdoor_air_c - r.coil_c for r in running(late)])
    assert gap_late > gap_healthy + 6.0
    assert median([split(r) for r in running(late)]) < 0.5 * median(
        [split(r) for r in running(healthy)]
    )
    assert median([r.power_w for r in running(late)]) > 0.8 * max(
        median([r.power_w for r in running(healthy)]), 1000.0
    )


def test_defrost_ends_early() -> None:
    rows = preset_readings("defrost_ends_early")
    faulty = defrosts(window(rows, 24.5, 48))
    assert len(faulty) > 40
    assert all(episode.minutes <= 2.0 for episode in faulty)
    # The coil never clears: still at or below 0 °C when the defrost ends...
    assert all(episode.coil_at_end <= 0.5 for episode in faulty)
    # ...so the next one follows back to back.
    assert median(intervals_min(faulty)) <= 20.0


def test_defrost_too_long() -> None:
    rows = preset_readings("defrost_too_long")
    healthy = defrosts(window(rows, 0, 24))
    faulty = defrosts(window(rows, 24.5, 47))
    assert all(episode.minutes <= 10.0 for episode in healthy)
    assert faulty
    assert all(24.0 <= episode.minutes <= 41.0 for episode in faulty)
    # Heat stays off for the whole defrost while the power stays up.
    long_rows = [r for r in window(rows, 24.5, 47) if r.defrost]
    assert all(r.heat_w <= 0.0 and r.power_w > 500.0 for r in long_rows)


def test_refrigerant_leak_fades_capacity() -> None:
    rows = preset_readings("refrigerant_leak")
    healthy = running(window(rows, 24, 48))
    leaking = running(window(rows, 86, 96))
    assert max(r.refrigerant_charge for r in healthy) == 1.0
    assert min(r.refrigerant_charge for r in leaking) == pytest.approx(0.55)

    def cop(sample: list[TrueValues]) -> float:
        return sum(r.heat_w for r in sample) / sum(r.power_w for r in sample)

    def full_speed_split(sample: list[TrueValues]) -> float:
        return median([split(r) for r in sample if r.compressor_speed > 0.9])

    # Heat per watt and the split at full speed fall to 30-50 %...
    assert 0.25 <= cop(leaking) / cop(healthy) <= 0.55
    assert 0.3 <= full_speed_split(leaking) / full_speed_split(healthy) <= 0.55
    # ...while the inverter runs flat out and the power stays high.
    assert median([r.compressor_speed for r in leaking]) > 0.95
    assert median([r.power_w for r in leaking]) > 1.2 * median([r.power_w for r in healthy])
    # Starved of refrigerant, the coil runs colder.
    coil_gap_healthy = median([r.outdoor_air_c - r.coil_c for r in healthy])
    assert median([r.outdoor_air_c - r.coil_c for r in leaking]) > coil_gap_healthy + 3.0
    # The room can no longer be held.
    assert min(r.room_c for r in window(rows, 86, 96)) < 19.0


def test_blocked_filter_widens_the_split() -> None:
    rows = preset_readings("blocked_filter")
    healthy = running(window(rows, 24, 48))
    blocked = running(window(rows, 50, 72))
    ratio = median([split(r) for r in blocked]) / median([split(r) for r in healthy])
    assert ratio > 1.4


def _noise(rows: list[TrueValues], start_h: float, end_h: float) -> list[float]:
    return [r.noise_db for r in running(window(rows, start_h, end_h))]


def test_worn_bearing_is_sustained() -> None:
    rows = preset_readings("worn_bearing")
    before = _noise(rows, 24, 48)
    after = _noise(rows, 48, 72)
    speed_before = median([r.compressor_speed for r in running(window(rows, 24, 48))])
    speed_after = median([r.compressor_speed for r in running(window(rows, 48, 72))])
    rise = median(after) - median(before) - 10.0 * (speed_after - speed_before)
    assert 6.0 <= rise <= 12.5
    idle_after = [r.noise_db for r in window(rows, 48, 72) if r.compressor_speed == 0.0]
    assert median(idle_after) < 42.0


def test_rattling_bursts() -> None:
    rows = preset_readings("rattling")
    after = running(window(rows, 48, 72))
    before = running(window(rows, 24, 48))
    base = median([r.noise_db for r in after])

    def bursts(sample: list[TrueValues]) -> int:
        count, inside = 0, False
        for r in sample:
            loud = r.noise_db > base + 7.0
            count += loud and not inside
            inside = loud
        return count

    hours_after = len(after) * 30 / 3600
    hours_before = len(before) * 30 / 3600
    assert bursts(after) / hours_after >= 3.0
    assert bursts(before) / hours_before < 1.0
    # Bursts, not a shift: the median barely moves.
    assert abs(base - median([r.noise_db for r in before])) < 3.0


def test_inject_by_hand() -> None:
    model = HeatPumpModel(scenario=Scenario(mean_c=-3.0), warmup_s=3600)
    model.inject(BREAKER_TRIP, True)
    model.step(60)
    assert model.readings.power_w == 0.0
    assert model.faults == {BREAKER_TRIP}
    model.inject(BREAKER_TRIP, False)
    model.step(1200)
    assert model.faults == frozenset()
    assert model.readings.power_w > 100.0
    with pytest.raises(ValueError, match="fault"):
        model.inject("gremlins", True)


def test_faults_scheduled_with_an_end() -> None:
    scenario = Scenario(
        name="brief",
        duration=timedelta(hours=8),
        faults=(
            FaultInjection(
                kind=DEFROST_ENDS_EARLY,
                start_offset=timedelta(hours=2),
                end_offset=timedelta(hours=4),
            ),
        ),
    )
    model = HeatPumpModel(scenario=scenario)
    seen = set()
    for _ in range(8 * 60):
        model.step(60)
        seen.add((model.time_s // 3600, bool(model.faults)))
    assert (3.0, True) in seen
    assert (5.0, True) not in seen
    with pytest.raises(ValueError, match="fault"):
        FaultInjection(kind="nope", start_offset=timedelta(0))
