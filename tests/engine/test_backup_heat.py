"""The backup heater: its shapes, its share per outdoor band, and its runs in mild weather."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.heat_pump_health.engine import Evaluator, EvaluatorOptions, FaultKey
from custom_components.heat_pump_health.engine.backup_heat import BackupHeat
from custom_components.heat_pump_health.engine.evaluator import Evaluation
from custom_components.heat_pump_health.engine.model import ClimateReading, InputKey
from custom_components.heat_pump_health.explain import Explainer, load_texts
from custom_components.heat_pump_health.ingest import UnitError, to_value

MINUTE = 60.0
HOUR = 3600.0
HEATING = ClimateReading("heat", "heating", 20.5, 21.0)
INPUTS = (
    InputKey.POWER,
    InputKey.CLIMATE,
    InputKey.SUPPLY_TEMPERATURE,
    InputKey.RETURN_TEMPERATURE,
    InputKey.OUTDOOR_TEMPERATURE,
    InputKey.BACKUP_HEATER,
)


@pytest.mark.parametrize(
    ("state", "attributes", "value"),
    [
        ("3.0", {"unit_of_measurement": "kW"}, 3000.0),  # Nibe's electrical addition
        ("0.0", {"unit_of_measurement": "kW"}, 0.0),
        ("on", {}, True),  # HeishaMon, Stiebel Eltron, Ecodan ESPHome
        ("off", {}, False),
        ("On", {}, True),  # Ecodan over MQTT: text, not a binary sensor
        ("Active", {}, True),  # myUplink's enum
        ("Blocked", {}, False),
        ("Alarm", {}, None),  # says nothing of running
        ("2", {}, True),  # a stage count
        ("0", {}, False),
        ("45", {"unit_of_measurement": "%"}, True),
        ("unavailable", {}, None),
    ],
)
def test_backup_heater_from_any_shape(state: str, attributes: dict[str, str], value: Any) -> None:
    assert to_value(InputKey.BACKUP_HEATER, state, attributes).value == value


def test_an_energy_counter_is_no_backup_heater_reading() -> None:
    with pytest.raises(UnitError, match="backup heater"):
        to_value(InputKey.BACKUP_HEATER, "12.5", {"unit_of_measurement": "kWh"})


def _evaluator() -> Evaluator:
    options = {key.value: f"sensor.{key.value}" for key in INPUTS}
    return Evaluator(
        options=EvaluatorOptions.from_mapping({**options, "system_type": "air_to_water"})
    )


def _run(
    ev: Evaluator,
    minutes: range,
    *,
    outdoor: float,
    backup: Any = False,
    split: float = 5.0,
    power: float = 2000.0,
    climate: ClimateReading = HEATING,
) -> Evaluation:
    """Steady heating, a minute at a time; ``backup`` is a value or a function of the minute."""
    result = None
    for minute in minutes:
        at = minute * MINUTE
        ev.observe(InputKey.CLIMATE, climate, at)
        ev.observe(InputKey.POWER, power + minute % 2, at)
        ev.observe(InputKey.OUTDOOR_TEMPERATURE, outdoor, at)
        ev.observe(InputKey.SUPPLY_TEMPERATURE, 35.0 + split + 0.1 * (minute % 2), at)
        ev.observe(InputKey.RETURN_TEMPERATURE, 35.0, at)
        ev.observe(InputKey.BACKUP_HEATER, backup(minute) if callable(backup) else backup, at)
        result = ev.evaluate(at + 30)
    assert result is not None
    return result


def test_a_mild_weather_run_is_pointed_out_not_raised() -> None:
    """A set point step brings the heater in at 10 °C: a word in the evidence, no fault."""
    ev = _evaluator()
    _run(ev, range(240), outdoor=10.0)
    result = _run(ev, range(240, 300), outdoor=10.0, backup=True)
    result = _run(ev, range(300, 330), outdoor=10.0)
    status = result.statuses[FaultKey.INSUFFICIENT_HEAT]
    assert status.active is False
    assert not status.suspect
    assert status.evidence["backup_mild_minutes_24h"] == 60
    assert status.evidence["backup_mild_outdoor_c"] == 10.0
    sentences = Explainer(load_texts()).sentences(FaultKey.INSUFFICIENT_HEAT, None, status.evidence)
    assert any("backup heater ran for 1 h" in sentence for sentence in sentences), sentences
    assert all(not status.active for status in result.statuses.values())
    record = ev.backup_heat(result.now)
    assert record is not None
    assert record["mild_weather"] == {
        "backup_mild_minutes_24h": 60,
        "backup_mild_outdoor_c": 10.0,
    }


def test_a_day_later_the_mild_run_is_forgotten() -> None:
    ev = _evaluator()
    _run(ev, range(60), outdoor=10.0, backup=True)
    result = _run(ev, range(60, 60 + 25 * 60, 1), outdoor=10.0)
    assert "backup_mild_minutes_24h" not in result.statuses[FaultKey.INSUFFICIENT_HEAT].evidence


def test_in_the_cold_the_heater_is_its_job_and_its_share_is_counted() -> None:
    """At -8 °C a third of the time at 3 kW: no word in the evidence, the share per band."""
    ev = _evaluator()
    result = _run(
        ev, range(600), outdoor=-8.0, backup=lambda minute: 3000.0 if minute % 3 == 0 else 0.0
    )
    assert "backup_mild_minutes_24h" not in result.statuses[FaultKey.INSUFFICIENT_HEAT].evidence
    record = ev.backup_heat(result.now)
    assert record is not None
    assert record["mild_weather"] is None
    (band,) = record["bands"]
    assert band["outdoor_c"] == [-10.0, -5.0]
    assert band["heating_hours"] == pytest.approx(10.0, abs=0.1)
    assert band["backup_time_percent"] == pytest.approx(33.3, abs=0.5)
    # 3 kW a third of the time against the unit's 2 kW all the time.
    assert band["backup_energy_percent"] == pytest.approx(33.3, abs=0.5)
    assert band["backup_heat_percent_at_most"] == band["backup_energy_percent"]


def test_an_on_off_heater_has_a_time_share_and_no_energy() -> None:
    ev = _evaluator()
    result = _run(ev, range(120), outdoor=-3.0, backup=lambda minute: minute < 30)
    record = ev.backup_heat(result.now)
    assert record is not None
    (band,) = record["bands"]
    assert band["backup_time_percent"] == pytest.approx(25.0, abs=1.0)
    assert "backup_energy_percent" not in band


def test_strips_during_a_defrost_are_not_a_mild_weather_run() -> None:
    record = BackupHeat()
    for minute in range(60):
        record.tick(
            minute * MINUTE,
            MINUTE,
            backup_on=True,
            backup_w=None,
            unit_running=True,
            unit_w=1500.0,
            outdoor=6.0,
            heating=True,
            defrosting=True,
        )
    assert record.mild_weather(HOUR) is None


def test_the_split_is_not_learned_while_the_heater_adds_to_it() -> None:
    """Learning a split that holds the heater's heat would hide a later leak."""
    with_heater, without = _evaluator(), _evaluator()
    _run(with_heater, range(300), outdoor=-2.0, backup=True, split=9.0)
    _run(without, range(300), outdoor=-2.0, split=9.0)
    assert not with_heater.export_learned()["heat"]["bands"]
    assert without.export_learned()["heat"]["bands"]


def test_a_low_split_while_the_heater_runs_says_so() -> None:
    ev = _evaluator()
    result = _run(ev, range(120), outdoor=-2.0, backup=True, split=0.3)
    status = result.statuses[FaultKey.INSUFFICIENT_HEAT]
    assert status.active is True
    assert status.reason == "low_split"
    assert status.evidence["backup_on"] is True
    assert "backup_mild_minutes_24h" not in status.evidence
    sentences = Explainer(load_texts()).sentences(
        FaultKey.INSUFFICIENT_HEAT, status.reason, status.evidence
    )
    assert any("backup heater is running" in sentence for sentence in sentences), sentences


def test_the_record_survives_a_restart_and_garbage_is_dropped() -> None:
    ev = _evaluator()
    result = _run(ev, range(180), outdoor=-7.0, backup=lambda minute: 2500.0 * (minute < 60))
    _run(ev, range(180, 240), outdoor=9.0, backup=True)
    saved = ev.export_state()
    resumed = _evaluator()
    resumed.restore_state(saved)
    assert resumed.backup_heat(result.now + HOUR) == ev.backup_heat(result.now + HOUR)
    garbled = _evaluator()
    garbled.restore_state(
        {
            **saved,
            "backup": {
                "days": [[0, 99, 1.0, 1.0, 1.0, 1.0], ["x"], [0, 0, -1.0, 0.0, 0.0, 0.0]],
                "mild": [[1, -5.0, 3.0], "y"],
                "power_known": "yes",
            },
        }
    )
    assert garbled.backup_heat(result.now) == {
        "record_days": 30,
        "bands": [],
        "mild_weather": None,
    }


def test_the_record_keeps_thirty_days() -> None:
    record = BackupHeat()
    for day in range(40):
        record.tick(
            day * 24 * HOUR,
            MINUTE,
            backup_on=True,
            backup_w=2000.0,
            unit_running=True,
            unit_w=1000.0,
            outdoor=-12.0,
            heating=None,
            defrosting=False,
        )
    (band,) = record.bands(39 * 24 * HOUR)
    assert band["backup_hours"] == pytest.approx(30 / 60, abs=0.05)
    assert band["outdoor_c"] == [-15.0, -10.0]
    assert len(record.to_dict()["days"]) == 30


def test_without_an_outdoor_temperature_or_in_cooling_nothing_is_counted() -> None:
    record = BackupHeat()
    common: dict[str, Any] = {
        "backup_on": True,
        "backup_w": None,
        "unit_running": True,
        "unit_w": 900.0,
        "defrosting": False,
    }
    record.tick(0.0, MINUTE, outdoor=None, heating=True, **common)
    record.tick(MINUTE, MINUTE, outdoor=25.0, heating=False, **common)
    assert record.bands(HOUR) == []


def test_without_a_backup_heater_input_there_is_no_record() -> None:
    ev = Evaluator(options=EvaluatorOptions.from_mapping({"power_entity": "sensor.power"}))
    assert ev.backup_heat(0.0) is None
    assert "backup" not in ev.export_state()


def test_a_wide_split_from_the_heater_is_not_too_little_air() -> None:
    """Strips add several kelvin to the supply: no 'high split' for it."""
    ev = _evaluator()
    _run(ev, range(8 * 60), outdoor=-2.0, split=5.0)
    result = _run(ev, range(8 * 60, 10 * 60), outdoor=-2.0, backup=3000.0, split=14.0)
    status = result.statuses[FaultKey.INSUFFICIENT_HEAT]
    assert status.active is False
    assert not status.suspect
    # Nor a limit named for a wide split that was not judged.
    assert status.evidence["max_split_k"] is None


def test_the_heater_warming_the_supply_hides_no_power_loss() -> None:
    """The unit trips; its controller calls the backup heater in: still a power loss."""
    ev = _evaluator()
    _run(ev, range(180), outdoor=-2.0)
    result = _run(ev, range(180, 240), outdoor=-2.0, backup=True, split=6.0, power=0.0)
    status = result.statuses[FaultKey.POWER_LOSS]
    assert status.active is True
    assert status.reason == "no_power"
