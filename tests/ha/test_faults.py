"""Each fault raised by real state changes, announced, and cleared again."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from heat_pump_sim.scenarios import PRESETS, breaker_trip
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.heat_pump_health.const import DOMAIN, EVENT_FAULT

from .sim import Player, entry_options, setup_entry, simulate


async def test_breaker_trip_raises_and_clears_power_loss(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, issue_registry: ir.IssueRegistry
) -> None:
    scenario = breaker_trip()
    player = Player(hass, freezer, simulate(scenario))
    events: list[Event] = []
    hass.bus.async_listen(EVENT_FAULT, events.append)
    player.start()
    entry = await setup_entry(hass, entry_options(scenario))
    start = scenario.start.timestamp()

    await player.play_until(start + 11.9 * 3600)
    assert hass.states.get("binary_sensor.heat_pump_power_loss").state == "off"
    assert issue_registry.async_get_issue(DOMAIN, f"{entry.entry_id}_power_loss") is None

    await player.play_until(start + 13 * 3600)
    state = hass.states.get("binary_sensor.heat_pump_power_loss")
    assert state.state == "on"
    assert state.attributes["severity"] == "error"
    assert state.attributes["checks"]
    assert hass.states.get("binary_sensor.heat_pump_problem").state == "on"
    assert hass.states.get("sensor.heat_pump_health").state == "fault"
    issue = issue_registry.async_get_issue(DOMAIN, f"{entry.entry_id}_power_loss")
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.ERROR
    assert [(e.data["fault"], e.data["state"]) for e in events] == [("power_loss", "started")]

    await player.play_until(start + 16 * 3600)
    assert hass.states.get("binary_sensor.heat_pump_power_loss").state == "off"
    assert issue_registry.async_get_issue(DOMAIN, f"{entry.entry_id}_power_loss") is None
    assert [(e.data["fault"], e.data["state"]) for e in events] == [
        ("power_loss", "started"),
        ("power_loss", "cleared"),
    ]


async def _play_preset(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, name: str
) -> tuple[MockConfigEntry, list[Event]]:
    scenario = PRESETS[name]()
    player = Player(hass, freezer, simulate(scenario))
    events: list[Event] = []
    hass.bus.async_listen(EVENT_FAULT, events.append)
    player.start()
    entry = await setup_entry(hass, entry_options(scenario))
    await player.play_until(scenario.start.timestamp() + scenario.duration.total_seconds())
    return entry, events


@pytest.mark.parametrize(
    ("name", "fault"),
    [
        ("defrost_too_long", "ice_buildup"),
        ("refrigerant_leak", "insufficient_heat"),
        ("worn_bearing", "abnormal_noise"),
    ],
)
async def test_fault_raised_in_home_assistant(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
    name: str,
    fault: str,
) -> None:
    entry, events = await _play_preset(hass, freezer, name)
    state = hass.states.get(f"binary_sensor.heat_pump_{fault}")
    assert state.state == "on"
    assert state.attributes["reason"]
    assert state.attributes["evidence"]
    issue = issue_registry.async_get_issue(DOMAIN, f"{entry.entry_id}_{fault}")
    assert issue is not None
    expected = ir.IssueSeverity.ERROR if fault == "ice_buildup" else ir.IssueSeverity.WARNING
    assert issue.severity is expected
    assert issue.translation_placeholders["evidence"] != "-"
    assert [(e.data["fault"], e.data["state"]) for e in events] == [(fault, "started")]
    assert hass.states.get("binary_sensor.heat_pump_problem").state == "on"


@pytest.mark.parametrize(
    "name", ["humid_near_freezing_day", "thermostat_off_hours", "cooling_week", "air_to_water_day"]
)
async def test_normal_operation_raises_nothing_in_home_assistant(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
    name: str,
) -> None:
    _, events = await _play_preset(hass, freezer, name)
    assert events == []
    assert [i for i in issue_registry.issues.values() if i.domain == DOMAIN] == []
    assert hass.states.get("binary_sensor.heat_pump_problem").state == "off"
    assert hass.states.get("sensor.heat_pump_health").state in ("ok", "learning")
