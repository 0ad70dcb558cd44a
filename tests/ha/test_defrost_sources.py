"""Defrost from every shape real integrations give it, counted by the defrosts sensor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from .conftest import POWER, make_entry, owner_flow

DEFROSTS = "sensor.heat_pump_defrosts_in_the_last_24_hours"
LAST = "sensor.heat_pump_last_defrost_duration"
ODU_MODES = ["OP_NORMAL", "OP_SAFETY", "OP_DEICE", "OP_NONSTOP_DEICE"]


@dataclass(frozen=True)
class Shape:
    """One way an integration reports defrost: the entity, its two states and attributes."""

    entity_id: str
    off: tuple[str, dict[str, Any]]
    on: tuple[str, dict[str, Any]]
    options: dict[str, Any]


HEATING = {"hvac_action": "heating", "current_temperature": 20.0, "temperature": 21.0}
DEFROSTING = {**HEATING, "hvac_action": "defrosting"}

SHAPES = {
    # ESPAltherma, Aquarea, Stiebel Eltron ISG...
    "binary_sensor": Shape(
        "binary_sensor.hp_defrost",
        ("off", {}),
        ("on", {}),
        {"defrost_entity": "binary_sensor.hp_defrost"},
    ),
    # HeishaMon's defrosting state switch.
    "switch": Shape(
        "switch.hp_defrost", ("off", {}), ("on", {}), {"defrost_entity": "switch.hp_defrost"}
    ),
    # CN105 sub_mode, Ecodan MQTT, Nibe: a text sensor in the vendor's words.
    "text_sensor": Shape(
        "sensor.hp_sub_mode",
        ("NORMAL", {}),
        ("DEFROST", {}),
        {"defrost_entity": "sensor.hp_sub_mode"},
    ),
    # Samsung EHS: an enum sensor; the owner ticked which options mean defrost.
    "enum_sensor": Shape(
        "sensor.hp_odu_mode",
        ("OP_NORMAL", {"device_class": "enum", "options": ODU_MODES}),
        ("OP_DEICE", {"device_class": "enum", "options": ODU_MODES}),
        {
            "defrost_entity": "sensor.hp_odu_mode",
            "defrost_states": ["OP_DEICE", "OP_NONSTOP_DEICE"],
        },
    ),
    # Hitachi Yutaki: the thermostat itself reports the defrosting action.
    "climate_action": Shape(
        "climate.hp",
        ("heat", HEATING),
        ("heat", DEFROSTING),
        {"defrost_entity": "climate.hp", "climate_entity": "climate.hp"},
    ),
    # Kumo Cloud: a defrost attribute on the climate entity.
    "climate_attribute": Shape(
        "climate.hp",
        ("heat", {**HEATING, "defrost": False}),
        ("heat", {**HEATING, "defrost": True}),
        {"defrost_entity": "climate.hp", "climate_entity": "climate.hp"},
    ),
}


async def _minutes(hass: HomeAssistant, freezer: FrozenDateTimeFactory, count: int) -> None:
    for _ in range(count):
        freezer.tick(timedelta(minutes=1))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()


@pytest.mark.parametrize("kind", list(SHAPES))
async def test_each_kind_of_defrost_source_is_counted(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, kind: str
) -> None:
    shape = SHAPES[kind]
    freezer.move_to(datetime(2026, 1, 10, 6, 0, tzinfo=UTC))
    hass.states.async_set(POWER, "900", {"unit_of_measurement": "W", "device_class": "power"})
    hass.states.async_set(shape.entity_id, shape.off[0], shape.off[1])
    entry = make_entry({"power_entity": POWER, **shape.options})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await _minutes(hass, freezer, 30)
    for _ in range(2):
        hass.states.async_set(shape.entity_id, shape.on[0], shape.on[1])
        await _minutes(hass, freezer, 6)
        hass.states.async_set(shape.entity_id, shape.off[0], shape.off[1])
        await _minutes(hass, freezer, 50)
    assert hass.states.get(DEFROSTS).state == "2"
    assert float(hass.states.get(LAST).state) == pytest.approx(6.0)


async def test_a_thermostat_that_never_reports_defrost_is_unknown_not_normal(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Most thermostats never say "defrosting": their "heating" proves nothing."""
    freezer.move_to(datetime(2026, 1, 10, 6, 0, tzinfo=UTC))
    hass.states.async_set("climate.hp", "heat", HEATING)
    entry = make_entry({"defrost_entity": "climate.hp", "climate_entity": "climate.hp"})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await _minutes(hass, freezer, 60)
    # Ice can't be judged from a source that has not shown it reports defrosts.
    assert hass.states.get("binary_sensor.heat_pump_ice_buildup").state == "unknown"
    hass.states.async_set("climate.hp", "heat", DEFROSTING)
    await _minutes(hass, freezer, 5)
    hass.states.async_set("climate.hp", "heat", HEATING)
    await _minutes(hass, freezer, 5)
    assert hass.states.get("binary_sensor.heat_pump_ice_buildup").state == "off"


async def test_enum_sensor_asks_which_states_mean_defrost(hass: HomeAssistant) -> None:
    hass.states.async_set(
        "sensor.hp_odu_mode", "OP_NORMAL", {"device_class": "enum", "options": ODU_MODES}
    )
    result = await owner_flow(
        hass,
        {
            "name": "Samsung",
            "system_type": "air_to_water",
            "defrost_entity": "sensor.hp_odu_mode",
            "tuning": {"sensitivity": "normal"},
        },
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "defrost_states"
    marker = next(iter(result["data_schema"].schema))
    # The vendor codes we know are ticked already.
    assert marker.default() == ["OP_DEICE", "OP_NONSTOP_DEICE"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"defrost_states": ["OP_DEICE"]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["options"]["defrost_states"] == ["OP_DEICE"]


async def test_thermostat_may_also_be_the_defrost_source(hass: HomeAssistant) -> None:
    """The README advises it; the flow used to refuse it as a duplicate."""
    hass.states.async_set("climate.hp", "heat", HEATING)
    result = await owner_flow(
        hass,
        {
            "name": "Yutaki",
            "system_type": "air_to_water",
            "climate_entity": "climate.hp",
            "defrost_entity": "climate.hp",
            "tuning": {"sensitivity": "normal"},
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["options"]["defrost_entity"] == result["options"]["climate_entity"]
