"""A unit whose own sources vanish with its supply: power loss, whatever the thermostat says.

Boards powered by the heat pump (ESPHome, HeishaMon, ESPAltherma, CN105) take
every entity of the unit down at once when it loses power.  Replayed from
both history formats, as an owner would replay an export.
"""

from __future__ import annotations

from dataclasses import replace
import json
from pathlib import Path

from heat_pump_sim.export import to_history_csv, to_history_json
from heat_pump_sim.physics import StateRecord, replay_config, simulate
from heat_pump_sim.scenarios import breaker_trip, humid_near_freezing_day
import pytest

from custom_components.heat_pump_health.engine import Evaluator, EvaluatorOptions, FaultKey
from custom_components.heat_pump_health.engine.model import InputKey
from custom_components.heat_pump_health.replay import run

HOUR = 3600.0
# How the trip's end was chosen in the preset: 12:00 to 15:00.
TRIP_FROM, TRIP_TO = 12 * HOUR, 15 * HOUR


def _vanish(
    records: list[StateRecord],
    entities: set[str],
    start: float,
    end: float,
    *,
    thermostat: str | None = None,
) -> list[StateRecord]:
    """Every entity in ``entities`` goes unavailable within a minute at ``start`` until ``end``.

    ``thermostat``: what the climate entity reports meanwhile ("off", or
    None for whatever the simulation had it say).
    """
    kept = [
        record
        for record in records
        if not (record.entity_id in entities and start <= record.last_updated < end)
        and not (
            thermostat
            and record.entity_id.startswith("climate.")
            and start <= record.last_updated < end
        )
    ]
    template = {record.entity_id: record for record in records}
    for offset, entity_id in enumerate(sorted(entities)):
        at = start + 5 + 7 * offset
        kept.append(StateRecord(entity_id, "unavailable", {"friendly_name": entity_id}, at, at))
    if thermostat:
        climate = next(e for e in template if e.startswith("climate."))
        attributes = {**template[climate].attributes, "hvac_action": "off"}
        kept.append(StateRecord(climate, thermostat, attributes, start + 2, start + 2))
    return sorted(kept, key=lambda record: record.last_updated)


def _unit_entities(config: dict[str, str]) -> set[str]:
    return {
        value
        for key, value in config.items()
        if key.endswith("_entity") and not value.startswith("climate.")
    }


@pytest.mark.parametrize("thermostat", [None, "off"])
@pytest.mark.parametrize("export", ["json", "csv"])
def test_sources_vanishing_together_is_a_power_loss(
    tmp_path: Path, export: str, thermostat: str | None
) -> None:
    scenario = replace(breaker_trip(), faults=())  # the supply goes; only the records say so
    config = replay_config(scenario)
    start = scenario.start.timestamp()
    records = _vanish(
        simulate(scenario),
        _unit_entities(config),
        start + TRIP_FROM,
        start + TRIP_TO,
        thermostat=thermostat,
    )
    history = tmp_path / f"history.{export}"
    history.write_text(
        to_history_json(records) if export == "json" else to_history_csv(records), encoding="utf-8"
    )
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    report = run(history, config_path)
    [episode] = [f for f in report["faults"] if f["fault"] == "power_loss"]
    assert [f["fault"] for f in report["faults"]] == ["power_loss"]
    assert episode["reason"] == "sources_lost"
    confirmed = _epoch(episode["confirmed"])
    assert start + TRIP_FROM <= _epoch(episode["start"]) <= start + TRIP_FROM + 60
    assert confirmed - (start + TRIP_FROM) <= 15 * 60
    assert episode["end"] is not None  # back with the sources


def test_one_flaky_sensor_going_away_is_not_a_power_loss(tmp_path: Path) -> None:
    scenario = humid_near_freezing_day()
    config = replay_config(scenario)
    start = scenario.start.timestamp()
    records = _vanish(
        simulate(scenario), {config["coil_temperature_entity"]}, start + 8 * HOUR, start + 12 * HOUR
    )
    history = tmp_path / "history.json"
    history.write_text(to_history_json(records), encoding="utf-8")
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    assert run(history, config_path)["faults"] == []


def _epoch(iso: str) -> float:
    from datetime import datetime  # noqa: PLC0415

    return datetime.fromisoformat(iso).timestamp()


def _evaluator(**options: object) -> Evaluator:
    return Evaluator(
        options=EvaluatorOptions.from_mapping(
            {
                "power_entity": "sensor.p",
                "coil_temperature_entity": "sensor.c",
                "outdoor_temperature_entity": "sensor.o",
                "climate_entity": "climate.t",
                **options,
            }
        )
    )


def test_sources_never_seen_are_not_lost() -> None:
    """After a restart, sources still connecting are unavailable: that is no loss."""
    ev = _evaluator()
    for minute in range(30):
        for key in (InputKey.POWER, InputKey.COIL_TEMPERATURE, InputKey.OUTDOOR_TEMPERATURE):
            ev.observe(key, None, minute * 60.0, unavailable=True)
        result = ev.evaluate(minute * 60.0 + 30)
    assert result.statuses[FaultKey.POWER_LOSS].active is not True
    assert not result.statuses[FaultKey.POWER_LOSS].suspect


def test_a_meter_outside_the_unit_that_still_reads_power_says_it_has_supply() -> None:
    ev = _evaluator(unit_inputs=["coil_temperature_entity", "outdoor_temperature_entity"])
    for minute in range(40):
        at = minute * 60.0
        ev.observe(InputKey.POWER, 900.0, at)
        available = minute < 10
        ev.observe(
            InputKey.COIL_TEMPERATURE, -3.0 if available else None, at, unavailable=not available
        )
        ev.observe(
            InputKey.OUTDOOR_TEMPERATURE, 2.0 if available else None, at, unavailable=not available
        )
        result = ev.evaluate(at + 30)
    assert result.statuses[FaultKey.POWER_LOSS].active is False
