"""The heat pumps people have: each integration's entities, as its source creates them.

One fixture per integration in ``fixtures/integrations/`` (domains, device
classes, units, state classes, options, whether the climate entity reports an
action, the polling interval; each names the source files it was read from).
For each:

1. an owner picks its entities in the real config flow, as the README's table
   says (the fields the form has today), and the entry is created;
2. a simulated healthy day, put into those shapes (units, an energy counter
   for a power sensor, the vendor's defrost words, a climate attribute) and
   sampled at the integration's polling interval, is silent through the
   same path the live entry uses;
3. a fault day in the same shapes is found, where the integration's data can
   show one at that cadence (which fault, the table in the README says).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import timedelta
import json
from pathlib import Path
from typing import Any

from heat_pump_sim.export import as_energy_counter, polled
from heat_pump_sim.physics import Scenario, StateRecord, replay_config, simulate
from heat_pump_sim.scenarios import (
    air_to_water_day,
    breaker_trip,
    defrost_never_starts,
    defrost_too_long,
    humid_near_freezing_day,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.heat_pump_health.const import SOURCE_KEYS
from custom_components.heat_pump_health.engine import EvaluatorOptions, FaultKey
from custom_components.heat_pump_health.ingest import ENERGY_UNITS, is_defrost_word
from custom_components.heat_pump_health.playback import ReplayConfig, build_report, replay_rows

from .conftest import owner_flow

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "integrations").glob("*.json"))
SLUGS = [path.stem for path in FIXTURES]
HOUR = 3600.0


def _fixture(slug: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (Path(__file__).parent / "fixtures" / "integrations" / f"{slug}.json").read_text("utf-8")
    )
    return data


def _entities(fixture: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entity["entity_id"]: entity for entity in fixture["entities"]}


def _has_action(entity: dict[str, Any]) -> bool:
    action = (entity.get("attributes") or {}).get("hvac_action")
    return action is not None and not str(action).startswith("not set")


def owner_pick(fixture: dict[str, Any]) -> dict[str, str]:
    """What an owner enters in today's form, following the fixture's advice."""
    pick = {key: value for key, value in fixture["pick"].items() if key in SOURCE_KEYS}
    if ("supply_temperature_entity" in pick) != ("return_temperature_entity" in pick):
        # The split needs both; the form refuses one alone.
        pick.pop("supply_temperature_entity", None)
        pick.pop("return_temperature_entity", None)
    climate = pick.get("climate_entity")
    if climate and "defrost_entity" not in pick:
        attributes = _entities(fixture)[climate].get("attributes") or {}
        if "defrost" in attributes:
            # Kumo Cloud: the thermostat carries the defrost flag.
            pick["defrost_entity"] = climate
    return pick


def _shape(entity: dict[str, Any]) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "friendly_name": entity.get("original_name") or entity["entity_id"]
    }
    for key in ("device_class", "unit_of_measurement", "state_class"):
        if entity.get(key):
            attributes[key] = entity[key]
    if isinstance(entity.get("options"), list):
        attributes["options"] = entity["options"]
    return attributes


def _defrost_words(fixture: dict[str, Any], entity: dict[str, Any]) -> tuple[str, str]:
    """The state this integration shows while defrosting, and one while not."""
    states = [
        state
        for state in (entity.get("options") or entity.get("states") or [])
        if isinstance(state, str) and state not in ("unknown", "unavailable")
    ]
    on = next((state for state in states if is_defrost_word(state)), "Defrosting")
    off = next((state for state in states if not is_defrost_word(state)), "Normal")
    return on, off


def _is_counter(entity: dict[str, Any]) -> bool:
    return entity.get("unit_of_measurement") in ENERGY_UNITS


class Shaper:
    """Puts a simulated trace into one integration's entity shapes."""

    def __init__(self, fixture: dict[str, Any], pick: dict[str, str], scenario: Scenario) -> None:
        self.fixture = fixture
        self.pick = pick
        self.entities = _entities(fixture)
        self.sim = replay_config(scenario)

    def records(self, sim_records: Iterable[StateRecord]) -> list[StateRecord]:
        records = list(sim_records)
        power = self.pick.get("power_entity")
        if power and _is_counter(self.entities[power]):
            records = as_energy_counter(records, self.sim["power_entity"])
        by_sim = {self.sim[key]: key for key in self.pick if self.sim.get(key)}
        out: list[StateRecord] = []
        defrost_on = False
        for record in sorted(records, key=lambda item: item.last_updated):
            key = by_sim.get(record.entity_id)
            if record.entity_id == self.sim["power_entity"]:
                # The simulator has no compressor or error entity: they follow
                # its power, as the unit's own would.
                out.extend(self._unit_state(record))
            if key is None:
                continue
            if key == "defrost_entity":
                defrost_on = record.state == "on"
            out.extend(self._convert(key, record, defrost_on))
        return sorted(out, key=lambda item: item.last_updated)

    def _unit_state(self, power: StateRecord) -> list[StateRecord]:
        """The compressor's state and the error entity's "no error", in this integration's shape."""
        out: list[StateRecord] = []
        try:
            running = float(power.state) > 300.0
        except ValueError:
            return out
        at = power.last_updated
        if target := self.pick.get("compressor_entity"):
            entity = self.entities[target]
            if entity["domain"] == "binary_sensor":
                state = "on" if running else "off"
            elif entity.get("unit_of_measurement"):
                state = "45" if running else "0"
            else:
                state = "heating" if running else "off"
            out.append(StateRecord(target, state, _shape(entity), at, at))
        if target := self.pick.get("error_entity"):
            entity = self.entities[target]
            state = "off" if entity["domain"] == "binary_sensor" else "No error"
            out.append(StateRecord(target, state, _shape(entity), at, at))
        return out

    def _convert(self, key: str, record: StateRecord, defrost_on: bool) -> list[StateRecord]:
        target = self.pick[key]
        entity = self.entities[target]
        attributes = _shape(entity)
        state = record.state
        if key == "climate_entity":
            attributes = {**record.attributes, **attributes}
            if not _has_action(entity):
                attributes.pop("hvac_action", None)
            if self.pick.get("defrost_entity") == target:
                attributes["defrost"] = defrost_on
        elif key == "defrost_entity":
            if entity["domain"] in ("climate", "water_heater"):
                return []  # carried on the climate's own records
            if entity["domain"] == "sensor" and state in ("on", "off"):
                on, off = _defrost_words(self.fixture, entity)
                state = on if state == "on" else off
        elif key == "power_entity" and state not in ("unknown", "unavailable"):
            unit = entity.get("unit_of_measurement")
            if unit == "Wh":
                state = f"{float(state) * 1000.0:.0f}"
            elif unit == "kW":
                state = f"{float(state) / 1000.0:.3f}"
        return [StateRecord(target, state, attributes, record.last_changed, record.last_updated)]

    def vanish(self, records: list[StateRecord], start: float, end: float) -> list[StateRecord]:
        """The unit's own entities go unavailable with its supply (boards powered by it)."""
        unit = {value for key, value in self.pick.items() if key != "climate_entity"}
        kept = [r for r in records if not (r.entity_id in unit and start <= r.last_updated < end)]
        for offset, entity_id in enumerate(sorted(unit)):
            at = start + 3 + 5 * offset
            kept.append(StateRecord(entity_id, "unavailable", {}, at, at))
        return sorted(kept, key=lambda item: item.last_updated)


def _water(pick: dict[str, str]) -> bool:
    names = " ".join(pick.values())
    return any(
        word in names for word in ("water", "flow", "outlet", "leaving", "supply_line", "tw_")
    )


def _report(records: list[StateRecord], options: dict[str, Any]) -> dict[str, Any]:
    config = ReplayConfig.from_mapping(options)
    rows = [record.as_row() for record in records]
    return build_report(replay_rows(rows, config))


def _sampled(fixture: dict[str, Any], records: list[StateRecord]) -> list[StateRecord]:
    interval = float(fixture["update_interval_s"])
    return records if interval <= 60.0 else polled(records, interval, phase_s=17.0)


@pytest.mark.parametrize("slug", SLUGS)
async def test_an_owner_sets_it_up_as_the_readme_says(hass: HomeAssistant, slug: str) -> None:
    fixture = _fixture(slug)
    pick = owner_pick(fixture)
    entities = _entities(fixture)
    for entity_id in set(pick.values()):
        entity = entities[entity_id]
        attributes = _shape(entity)
        state = "20.5"
        if entity["domain"] == "climate":
            state = "heat"
            attributes |= {
                "current_temperature": 20.5,
                "temperature": 21.0,
                "hvac_modes": ["off", "heat"],
            }
            if _has_action(entity):
                attributes["hvac_action"] = "heating"
        elif entity["domain"] in ("binary_sensor", "switch"):
            state = "off"
        elif entity["domain"] == "sensor" and not entity.get("unit_of_measurement"):
            state = _defrost_words(fixture, entity)[1]
        hass.states.async_set(entity_id, state, attributes)
    system = "air_to_water" if _water(pick) else "air_to_air"
    result = await owner_flow(
        hass,
        {
            "name": fixture["integration"],
            "system_type": system,
            **pick,
            "tuning": {"sensitivity": "normal"},
        },
    )
    if result["type"] is FlowResultType.FORM and result["step_id"] == "defrost_states":
        result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY, result.get("errors")
    faults = EvaluatorOptions.from_mapping(result["options"]).evaluable_faults()
    assert faults, slug


def _fault_day(
    fixture: dict[str, Any], pick: dict[str, str], faults: tuple[FaultKey, ...]
) -> str | None:
    """Which fault this integration's data can show, at its cadence (None: none can)."""
    interval = float(fixture["update_interval_s"])
    entities = _entities(fixture)
    power = pick.get("power_entity")
    live_power = power is not None and not _is_counter(entities[power])
    vanishes = bool(fixture.get("unit_loses_power_makes_entities_unavailable"))
    if FaultKey.POWER_LOSS in faults and (vanishes or (live_power and "climate_entity" in pick)):
        return "power_loss"
    if FaultKey.ICE_BUILDUP in faults and interval <= 600:
        # Defrosts that run too long, or (coil and outdoor only) a coil icing up.
        return "ice_buildup" if "defrost_entity" in pick else "coil_icing"
    return None


@pytest.mark.parametrize("slug", SLUGS)
def test_a_healthy_day_is_silent_and_a_fault_day_is_found(slug: str) -> None:
    fixture = _fixture(slug)
    pick = owner_pick(fixture)
    water = _water(pick)
    options: dict[str, Any] = {**pick, "system_type": "air_to_water" if water else "air_to_air"}
    faults = EvaluatorOptions.from_mapping(options).evaluable_faults()

    healthy = air_to_water_day() if water else humid_near_freezing_day()
    healthy = replace(healthy, duration=timedelta(days=1))
    shaper = Shaper(fixture, pick, healthy)
    report = _report(_sampled(fixture, shaper.records(simulate(healthy))), options)
    assert report["faults"] == [], slug

    expected = _fault_day(fixture, pick, faults)
    if expected is None:
        # Nothing this integration reports can show a fault at its cadence: the
        # README's table says so; the diagnostics name what is not judged.
        return
    if expected == "power_loss":
        scenario = replace(breaker_trip(), system_type=healthy.system_type)
        shaper = Shaper(fixture, pick, scenario)
        records = shaper.records(simulate(scenario))
        start = scenario.start.timestamp()
        if fixture.get("unit_loses_power_makes_entities_unavailable"):
            records = shaper.vanish(records, start + 12 * HOUR, start + 15 * HOUR)
    else:
        icing = defrost_too_long() if expected == "ice_buildup" else defrost_never_starts()
        scenario = replace(icing, system_type=healthy.system_type)
        shaper = Shaper(fixture, pick, scenario)
        records = shaper.records(simulate(scenario))
        expected = "ice_buildup"
    found = {episode["fault"] for episode in _report(_sampled(fixture, records), options)["faults"]}
    assert expected in found, (slug, found)
