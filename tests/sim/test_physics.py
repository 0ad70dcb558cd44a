"""Physical sanity of healthy runs."""

from __future__ import annotations

from datetime import timedelta

from heat_pump_sim.physics import (
    HeatPumpModel,
    Scenario,
    ScheduleEntry,
    dewpoint_c,
    saturation_pressure_pa,
    simulate,
)
from heat_pump_sim.scenarios import PRESETS
import pytest

from .helpers import (
    STEP_S,
    defrosts,
    intervals_min,
    median,
    preset_readings,
    run_readings,
    running,
    split,
)


def test_psychrometrics() -> None:
    # Textbook values: 611 Pa at 0 °C, 2339 Pa at 20 °C; 20 °C and 50 % RH
    # has its dew point at 9.3 °C.
    assert saturation_pressure_pa(0.0) == pytest.approx(611.2, rel=1e-3)
    assert saturation_pressure_pa(20.0) == pytest.approx(2339, rel=0.01)
    assert dewpoint_c(20.0, 0.5) == pytest.approx(9.3, abs=0.2)
    assert dewpoint_c(-5.0, 1.0) == pytest.approx(-5.0, abs=0.05)


def test_deterministic_with_seed() -> None:
    scenario = PRESETS["humid_near_freezing_day"]()
    short = Scenario(name="short", duration=timedelta(hours=6), seed=scenario.seed)
    assert simulate(short) == simulate(short)
    other = Scenario(name="short", duration=timedelta(hours=6), seed=scenario.seed + 1)
    assert simulate(short) != simulate(other)


def test_week_simulates() -> None:
    records = simulate(Scenario(duration=timedelta(days=7)), step_s=STEP_S)
    assert records[-1].last_updated - records[0].last_updated > 6.9 * 86400


@pytest.mark.parametrize("name", ["humid_near_freezing_day", "air_to_water_day", "cooling_week"])
def test_energy_balance(name: str) -> None:
    """What the heat pump and the gains bring equals losses plus storage."""
    rows = preset_readings(name)
    first, last = rows[0], rows[-1]
    brought = sum((r.heat_w + r.gains_w) * STEP_S for r in rows[1:])
    lost = sum(r.loss_w * STEP_S for r in rows[1:])
    stored = last.stored_j - first.stored_j
    assert abs(brought - lost - stored) < 0.03 * abs(lost)


@pytest.mark.parametrize(
    "name", ["humid_near_freezing_day", "dry_cold_week", "air_to_water_day", "probe_errors"]
)
def test_room_holds_setpoint(name: str) -> None:
    rows = preset_readings(name)
    errors = sorted(abs(r.room_c - (r.target_c or 0.0)) for r in rows)
    assert errors[int(0.99 * len(errors))] < 1.0
    assert abs(median([r.room_c - (r.target_c or 0.0) for r in rows])) < 0.4


def test_humid_near_freezing_defrosts_often() -> None:
    rows = preset_readings("humid_near_freezing_day")
    episodes = defrosts(rows)
    gaps = intervals_min(episodes)
    assert 12 <= len(episodes) <= 40
    assert 30.0 <= median(gaps) <= 90.0
    assert min(gaps) >= 30.0  # the minimum runtime between defrosts
    for episode in episodes:
        assert 2.0 <= episode.minutes <= 10.0
        # A good defrost clears the coil and ends warm.
        assert 10.0 <= episode.coil_max <= 22.0
        assert episode.coil_at_end >= 10.0


def test_dry_cold_rarely_defrosts() -> None:
    rows = preset_readings("dry_cold_week")
    assert len(defrosts(rows)) <= 3 * 7
    # Dry air: the coil sits well below freezing without building much frost.
    assert max(r.frost_kg for r in rows) < 2.0


def test_defrost_stops_heat_but_not_power() -> None:
    rows = preset_readings("humid_near_freezing_day")
    in_defrost = [r for r in rows if r.defrost]
    run = running(rows)
    assert all(r.heat_w <= 0.0 for r in in_defrost)
    assert median([r.power_w for r in in_defrost]) > 0.6 * median([r.power_w for r in run])
    # Cold blow: the supply air falls below the return air during defrost.
    late = [r for r in in_defrost if r.coil_c > 5.0]
    assert median([split(r) for r in late]) < 0.0


def test_coil_below_outdoor_when_heating() -> None:
    rows = preset_readings("humid_near_freezing_day")
    gaps = [r.outdoor_air_c - r.coil_c for r in running(rows) if r.frost_kg < 0.1]
    assert 3.0 <= median(gaps) <= 10.0
    # Frost only where the coil is below both 0 °C and the dew point.
    assert all(r.coil_c < 0.0 for r in rows if r.frost_kg > 0.3 and not r.defrost)


@pytest.mark.parametrize(
    ("name", "low", "high"),
    [
        ("humid_near_freezing_day", 8.0, 25.0),
        ("cold_week_inverter_low_speed", 8.0, 27.0),
        ("air_to_water_day", 1.5, 8.5),
    ],
)
def test_split_ranges(name: str, low: float, high: float) -> None:
    run = [r for r in running(preset_readings(name)) if r.compressor_speed > 0.3]
    splits = sorted(split(r) for r in run)
    assert low <= splits[len(splits) // 10]
    assert splits[-len(splits) // 10] <= high


def test_air_split_at_full_load() -> None:
    rows = run_readings(
        Scenario(name="full", duration=timedelta(hours=12), mean_c=-12.0, humidity=0.5)
    )
    full = [split(r) for r in running(rows) if r.compressor_speed > 0.95]
    assert full
    assert 12.0 <= median(full) <= 25.0


def test_inverter_runs_long_at_low_speed() -> None:
    rows = preset_readings("cold_week_inverter_low_speed")
    run = running(rows)
    assert len(run) > 0.6 * len(rows)
    assert median([r.compressor_speed for r in run]) < 0.45


def test_cooling_supply_below_return_and_hot_coil() -> None:
    rows = preset_readings("cooling_week")
    run = running(rows)
    assert run
    assert not any(r.defrost for r in rows)
    settled = [r for r in run if r.compressor_speed > 0.5]
    assert all(split(r) < -3.0 for r in settled[5:])
    assert all(r.coil_c > r.outdoor_air_c for r in settled)
    assert all(r.heat_w <= 0.0 for r in rows)


def test_cooling_week_outdoor_meter_like_the_lab() -> None:
    """Idle reads 0 W (or 44 W crankcase after a long pause), and 0 W at start."""
    rows = preset_readings("cooling_week")
    idle = {round(r.power_w) for r in rows if r.hvac_action == "idle"}
    assert idle <= {0, 44}
    starting = [r for r in rows if r.hvac_action == "cooling" and r.compressor_speed == 0.0]
    assert starting
    assert {round(r.power_w) for r in starting} <= {0, 44}


def test_cop_is_plausible() -> None:
    for name in ("humid_near_freezing_day", "dry_cold_week", "air_to_water_day"):
        run = running(preset_readings(name))
        cop = sum(r.heat_w for r in run) / sum(r.power_w for r in run)
        assert 1.8 <= cop <= 5.0, name


def test_thermostat_off_hours() -> None:
    rows = preset_readings("thermostat_off_hours")
    off = [r for r in rows if r.hvac_mode == "off"]
    assert off
    assert all(r.hvac_action == "off" and r.compressor_speed == 0.0 for r in off)
    # The house cools while off, then the heat pump recovers it at full speed.
    assert min(r.room_c for r in off) < 18.0
    assert max(r.compressor_speed for r in rows) == pytest.approx(1.0)


def test_noise_levels() -> None:
    rows = preset_readings("humid_near_freezing_day")
    run = running(rows)
    assert 44.0 <= median([r.noise_db for r in run]) <= 56.0
    idle = [r.noise_db for r in preset_readings("thermostat_off_hours") if r.hvac_mode == "off"]
    assert 33.0 <= median(idle) <= 40.0
    # Valve switching makes a short spike at each end of a defrost.
    in_defrost = [r.noise_db for r in rows if r.defrost]
    assert max(in_defrost) > 58.0
    assert 48.0 <= median(in_defrost) <= 53.0


def test_heat_cool_mode() -> None:
    scenario = Scenario(
        name="shoulder",
        duration=timedelta(days=1),
        mode="heat_cool",
        mean_c=17.0,
        swing_c=9.0,
        solar_gain_w=2500.0,
        internal_gains_w=600.0,
    )
    rows = run_readings(scenario)
    actions = {r.hvac_action for r in rows}
    assert {"heating", "cooling"} <= actions
    assert all(r.target_low_c is not None and r.target_high_c is not None for r in rows)


def test_live_model_overrides() -> None:
    model = HeatPumpModel(scenario=Scenario(mean_c=-5.0), warmup_s=3600)
    model.set_hvac_mode("off")
    model.step(600)
    assert model.readings.hvac_action == "off"
    assert model.readings.compressor_speed == 0.0
    model.set_hvac_mode(None)
    model.set_setpoint(25.0)
    model.step(1200)
    assert model.readings.target_c == 25.0
    assert model.readings.hvac_action == "heating"
    with pytest.raises(ValueError, match="mode"):
        model.set_hvac_mode("boost")


def test_air_to_water_defrost_pulls_the_flow_temperature_down() -> None:
    rows = preset_readings("air_to_water_day")
    in_defrost = [r for r in rows if r.defrost]
    assert in_defrost
    assert median([split(r) for r in in_defrost]) < -0.5
    # Circulation keeps running while idle: supply and return meet.
    idle = [r for r in rows if r.hvac_action == "idle"]
    assert idle
    assert median([abs(split(r)) for r in idle]) < 0.5


@pytest.mark.parametrize("system_type", ["air_to_air", "air_to_water"])
def test_a_backup_heater_carries_a_set_point_step(system_type: str) -> None:
    """Set back to 16 °C overnight, 21 °C at 06:00: the heater comes in, then goes out."""
    scenario = Scenario(
        name="set_back",
        system_type=system_type,
        duration=timedelta(hours=14),
        mean_c=-4.0,
        schedule=(
            ScheduleEntry(hour=0.0, setpoint_c=16.0),
            ScheduleEntry(hour=6.0, setpoint_c=21.0),
        ),
        initial_room_c=16.0,
        backup_heater_w=6000.0,
    )
    rows = run_readings(scenario)
    on = [r for r in rows if r.backup_w > 0.0]
    assert on, "the heater never came in"
    hours = [(r.time - scenario.start_epoch) / 3600.0 for r in on]
    assert min(hours) >= 6.0
    assert rows[-1].backup_w == 0.0
    assert all(r.backup_w in (0.0, 6000.0) for r in rows)
    # Its heat is in the house's balance like the unit's.
    brought = sum((r.heat_w + r.backup_w + r.gains_w) * STEP_S for r in rows[1:])
    lost = sum(r.loss_w * STEP_S for r in rows[1:])
    stored = rows[-1].stored_j - rows[0].stored_j
    assert abs(brought - lost - stored) < 0.03 * abs(lost)
    # And in the supply: the split is wider while it runs.
    assert (
        median([split(r) for r in on])
        > median([split(r) for r in running(rows) if r.backup_w == 0.0]) + 1.0
    )


def test_without_a_backup_heater_there_is_no_entity() -> None:
    assert "backup_heater_entity" not in Scenario().entities()
    assert "backup_heater_entity" in Scenario(backup_heater_w=3000.0).entities()
