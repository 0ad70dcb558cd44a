"""The Home Assistant-like history: report-on-change, units, gaps, exports."""

from __future__ import annotations

from collections import defaultdict
import csv
from dataclasses import replace
from datetime import datetime, timedelta
import io
import itertools
import json

from heat_pump_sim.export import polled, to_history_csv, to_history_json
from heat_pump_sim.physics import (
    BACKUP_HEATER,
    CLIMATE,
    INPUT_KEYS,
    NOISE,
    POWER,
    TEMPERATURE_INPUTS,
    Dropout,
    Scenario,
    StateRecord,
    replay_config,
    simulate,
)
from heat_pump_sim.scenarios import EXPECTED_FAULT, HEALTHY_PRESETS, PRESETS
import pytest

from .helpers import preset_records


def _by_entity(records: list[StateRecord]) -> dict[str, list[StateRecord]]:
    grouped: dict[str, list[StateRecord]] = defaultdict(list)
    for record in records:
        grouped[record.entity_id].append(record)
    return grouped


def _numbers(rows: list[StateRecord]) -> list[float]:
    return [float(r.state) for r in rows if r.state not in {"unavailable", "unknown"}]


def test_every_preset_builds_and_is_classified() -> None:
    assert set(PRESETS) == set(HEALTHY_PRESETS) | set(EXPECTED_FAULT)
    for name, preset in PRESETS.items():
        scenario = preset()
        assert scenario.name == name
        assert preset(seed=99).seed == 99
    for name in EXPECTED_FAULT:
        faults = PRESETS[name]().faults
        assert faults
        # The learning gets hours of healthy data before any fault.
        assert all(f.start_offset >= timedelta(hours=12) for f in faults)


def test_report_on_change() -> None:
    scenario = PRESETS["humid_near_freezing_day"]()
    records = preset_records("humid_near_freezing_day")
    times = [r.last_updated for r in records]
    assert times == sorted(times)
    grouped = _by_entity(records)
    assert set(grouped) == set(scenario.entities().values())
    steps = scenario.duration.total_seconds() / 30
    for entity_id, rows in grouped.items():
        assert rows[0].last_changed == scenario.start_epoch, entity_id
        for previous, current in itertools.pairwise(rows):
            assert (previous.state, previous.attributes) != (current.state, current.attributes)
            if current.state == previous.state:
                # Attribute-only change: HA keeps last_changed.
                assert current.last_changed == previous.last_changed
                assert current.last_updated > previous.last_updated
            else:
                assert current.last_changed == current.last_updated
        # Far fewer records than samples: only changes are written.
        assert len(rows) < 0.7 * steps, entity_id
    defrost = grouped[scenario.defrost_entity]
    assert {r.state for r in defrost} == {"on", "off"}


def test_a_poll_writes_its_entities_one_after_the_other() -> None:
    """As Home Assistant writes a coordinator's entities: milliseconds apart, in one poll."""
    records = polled(preset_records("humid_near_freezing_day"), 600.0, phase_s=17.0)
    times = [r.last_updated for r in records]
    assert times == sorted(times)
    assert len(set(times)) == len(times)
    start = records[0].last_updated
    for record in records:
        into_poll = (record.last_updated - start) % 600.0
        assert into_poll < 1.0, record


def test_precision_and_attributes() -> None:
    scenario = PRESETS["humid_near_freezing_day"]()
    grouped = _by_entity(preset_records("humid_near_freezing_day"))
    power = grouped[scenario.power_entity]
    assert all(r.state.isdigit() for r in power)
    assert power[0].attributes["unit_of_measurement"] == "W"
    assert power[0].attributes["device_class"] == "power"
    coil = grouped[scenario.coil_temperature_entity]
    assert all(len(r.state.split(".")[1]) == 1 for r in coil)
    assert coil[0].attributes["unit_of_measurement"] == "°C"
    noise = grouped[scenario.noise_entity]
    assert noise[0].attributes["unit_of_measurement"] == "dB"
    climate = grouped[scenario.climate_entity]
    assert {r.state for r in climate} == {"heat"}
    actions = {r.attributes["hvac_action"] for r in climate}
    assert {"heating", "defrosting"} <= actions
    assert climate[0].attributes["temperature"] == 21.0
    assert isinstance(climate[0].attributes["current_temperature"], float)


def test_fahrenheit_and_kilowatts() -> None:
    base = replace(PRESETS["humid_near_freezing_day"](), duration=timedelta(hours=6))
    metric = _by_entity(simulate(base, step_s=30.0))
    us = _by_entity(simulate(replace(base, temperature_unit="°F", power_unit="kW"), step_s=30.0))
    kelvin = _by_entity(simulate(replace(base, temperature_unit="K"), step_s=30.0))
    outdoor = base.outdoor_temperature_entity
    c = float(metric[outdoor][0].state)
    assert float(us[outdoor][0].state) == pytest.approx(c * 1.8 + 32, abs=0.1)
    assert float(kelvin[outdoor][0].state) == pytest.approx(c + 273.15, abs=0.1)
    assert us[outdoor][0].attributes["unit_of_measurement"] == "°F"
    assert kelvin[outdoor][0].attributes["unit_of_measurement"] == "K"
    watts = _numbers(metric[base.power_entity])
    kilowatts = _numbers(us[base.power_entity])
    assert us[base.power_entity][0].attributes["unit_of_measurement"] == "kW"
    assert max(kilowatts) == pytest.approx(max(watts) / 1000, rel=0.05)
    # The climate entity follows the unit system: °F, and °C for Kelvin sensors.
    assert us[base.climate_entity][0].attributes["temperature"] == 70.0
    assert kelvin[base.climate_entity][0].attributes["temperature"] == 21.0


def test_dropouts_each_sensor() -> None:
    scenario = PRESETS["dropouts_each_sensor"]()
    grouped = _by_entity(preset_records("dropouts_each_sensor"))
    assert {d.input_key for d in scenario.dropouts} == set(INPUT_KEYS)
    for dropout in scenario.dropouts:
        rows = grouped[scenario.entity_id(dropout.input_key)]
        gone = [r for r in rows if r.state == "unavailable"]
        assert len(gone) == 1, dropout.input_key
        start = scenario.start_epoch + dropout.start_offset.total_seconds()
        assert gone[0].last_changed == pytest.approx(start, abs=30)
        back = rows[rows.index(gone[0]) + 1]
        end = start + dropout.duration.total_seconds()
        assert back.last_changed == pytest.approx(end, abs=30)
        assert back.state != "unavailable"
        if dropout.input_key == CLIMATE:
            # State attributes go while unavailable, capability ones stay.
            assert "hvac_action" not in gone[0].attributes
            assert "hvac_modes" in gone[0].attributes
            assert "hvac_action" in back.attributes
        elif dropout.input_key in {POWER, NOISE}:
            assert "unit_of_measurement" in gone[0].attributes


def test_probe_errors_are_single_samples() -> None:
    scenario = PRESETS["probe_errors"]()
    grouped = _by_entity(preset_records("probe_errors"))
    glitches = 0
    for key in TEMPERATURE_INPUTS:
        rows = grouped[scenario.entity_id(key)]
        for index, row in enumerate(rows[:-1]):
            if row.state in {"85.0", "-127.0"}:
                glitches += 1
                following = rows[index + 1]
                assert following.state not in {"85.0", "-127.0"}
                assert following.last_changed - row.last_changed <= 30.0
    assert glitches >= 2
    clean = _by_entity(preset_records("humid_near_freezing_day"))
    assert not any(r.state in {"85.0", "-127.0"} for rows in clean.values() for r in rows)


def test_omitted_inputs() -> None:
    scenario = Scenario(
        name="bare",
        duration=timedelta(hours=2),
        omit_inputs=("noise_entity", "coil_temperature_entity"),
    )
    entities = {r.entity_id for r in simulate(scenario, step_s=30.0)}
    assert scenario.noise_entity not in entities
    assert scenario.coil_temperature_entity not in entities
    config = replay_config(scenario)
    assert "noise_entity" not in config
    assert config["power_entity"] == "sensor.hp_power"


def test_replay_config() -> None:
    scenario = PRESETS["fahrenheit_kw"]()
    config = replay_config(scenario)
    # Every input but the backup heater, which this unit has none of.
    assert {k for k in config if k.endswith("_entity")} == set(INPUT_KEYS) - {BACKUP_HEATER}
    assert config["system_type"] == "air_to_air"
    assert config["units"] == {
        "sensor.hp_power": "kW",
        "sensor.hp_coil_temperature": "°F",
        "sensor.hp_outdoor_temperature": "°F",
        "sensor.hp_supply_temperature": "°F",
        "sensor.hp_return_temperature": "°F",
        "sensor.hp_noise": "dB",
    }
    assert replay_config(PRESETS["air_to_water_day"]())["system_type"] == "air_to_water"
    with_heater = replay_config(replace(scenario, backup_heater_w=6000.0))
    assert with_heater["units"]["sensor.hp_backup_heater_power"] == "W"
    json.dumps(config)


def test_history_json_round_trip() -> None:
    records = simulate(Scenario(name="short", duration=timedelta(hours=3)), step_s=30.0)
    payload = json.loads(to_history_json(records))
    assert isinstance(payload, list)
    assert sum(len(rows) for rows in payload) == len(records)
    for rows in payload:
        assert len({row["entity_id"] for row in rows}) == 1
        for row in rows:
            assert set(row) == {"entity_id", "state", "attributes", "last_changed", "last_updated"}
            assert row["last_changed"].endswith("+00:00")
            changed = datetime.fromisoformat(row["last_changed"])
            updated = datetime.fromisoformat(row["last_updated"])
            assert changed <= updated
        stamps = [datetime.fromisoformat(row["last_updated"]) for row in rows]
        assert stamps == sorted(stamps)
    first = {rows[0]["entity_id"]: rows[0] for rows in payload}
    assert first["climate.hp"]["state"] == "heat"
    assert first["sensor.hp_power"]["attributes"]["unit_of_measurement"] == "W"


def test_history_csv_round_trip() -> None:
    records = simulate(Scenario(name="short", duration=timedelta(hours=3)), step_s=30.0)
    text = to_history_csv(records)
    assert text.startswith("entity_id,state,last_changed\n")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == sum(1 for r in records if r.last_changed == r.last_updated)
    for row in rows:
        assert row["last_changed"].endswith("Z")
        assert len(row["last_changed"]) == len("2026-01-12T00:00:00.000Z")
        datetime.fromisoformat(row["last_changed"])
    # Line-chart entities (with a unit, and climate) come before timelines.
    order = list(dict.fromkeys(row["entity_id"] for row in rows))
    assert order.index("binary_sensor.hp_defrost") == len(order) - 1


def test_scenario_validation() -> None:
    with pytest.raises(ValueError, match="system_type"):
        Scenario(system_type="geothermal")
    with pytest.raises(ValueError, match="input key"):
        Dropout(input_key="humidity_entity", start_offset=timedelta(0), duration=timedelta(1))
    with pytest.raises(ValueError, match="timezone"):
        Scenario(start=datetime(2026, 1, 1))  # noqa: DTZ001
    with pytest.raises(ValueError, match="step_s"):
        simulate(Scenario(), step_s=0)
