"""Each fault raised by real state changes, announced, and cleared again."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from heat_pump_sim.scenarios import PRESETS, breaker_trip
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.heat_pump_health.const import DOMAIN, EVENT_FAULT
from scripts.harness.player import Player, entry_options, setup_entry, simulate, start_breaker_trip


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
    # The evidence in words, from the explainer, beside the raw values.
    summary = state.attributes["summary"]
    assert summary.endswith("."), (state.attributes["reason"], state.attributes["evidence"])
    assert "Nothing abnormal" not in summary
    assert len(state.attributes["checks"]) >= 3
    issue = issue_registry.async_get_issue(DOMAIN, f"{entry.entry_id}_{fault}")
    assert issue is not None
    expected = ir.IssueSeverity.ERROR if fault == "ice_buildup" else ir.IssueSeverity.WARNING
    assert issue.severity is expected
    assert issue.translation_placeholders == {"name": "Heat pump"}
    assert [(e.data["fault"], e.data["state"]) for e in events] == [(fault, "started")]
    assert events[0].data["message"]
    assert events[0].data["name"] == "Heat pump"
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


async def test_build_up_is_visible_from_the_first_abnormal_minute(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Between the trip and the confirmed fault the owner sees "watch", with the evidence."""
    _, player, start = await start_breaker_trip(hass, freezer, hours=11.9)
    power_loss = "binary_sensor.heat_pump_power_loss"
    assert hass.states.get(power_loss).attributes["watch"] is False
    assert hass.states.get("sensor.heat_pump_health").state != "watch"
    seen: list[tuple[float, str, bool, str, str]] = []
    minute = start + 11.9 * 3600
    while minute < start + 12.6 * 3600:
        minute += 60
        await player.play_until(minute)
        state = hass.states.get(power_loss)
        seen.append(
            (
                minute,
                state.state,
                state.attributes["watch"],
                hass.states.get("sensor.heat_pump_health").state,
                state.attributes["summary"],
            )
        )
    # The meter reads ~0 W from the trip (12:00) on.
    trip = start + 12 * 3600
    first_watch = next(at for at, _, watch, _, _ in seen if watch)
    confirmed = next(at for at, on, _, _, _ in seen if on == "on")
    assert trip <= first_watch <= trip + 2 * 60
    assert first_watch < confirmed
    for at, on, watch, health, summary in seen:
        if first_watch <= at < confirmed:
            assert (on, watch, health) == ("off", True, "watch")
            assert "Seen for" in summary
            assert "while the thermostat calls for heat" in summary
        if at >= confirmed:
            assert (on, watch, health) == ("on", False, "fault")


async def test_split_sensor_follows_a_trip_at_once(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """The hourly split does not keep showing heat going out while the unit has no power."""
    _, player, start = await start_breaker_trip(hass, freezer, hours=11.9)
    split = "sensor.heat_pump_supply_return_split"
    before = float(hass.states.get(split).state)
    assert before > 5.0
    await player.play_until(start + 12.25 * 3600)
    assert hass.states.get("binary_sensor.heat_pump_power_loss").state == "on"
    supply = float(hass.states.get("sensor.hp_supply_temperature").state)
    ret = float(hass.states.get("sensor.hp_return_temperature").state)
    shown = float(hass.states.get(split).state)
    # Within the far-move threshold (3 K) of the live split, and no longer
    # saying that heat is going out.
    assert abs(shown - (supply - ret)) < 3.5
    assert shown < 2.0
