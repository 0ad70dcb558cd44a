"""Restarts and reloads in the middle of a fault."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import issue_registry as ir

from custom_components.heat_pump_health.const import DOMAIN, EVENT_FAULT, STORE_VERSION
from scripts.harness.player import start_breaker_trip


def _our_issues(issue_registry: ir.IssueRegistry) -> list[str]:
    return sorted(
        issue.issue_id for issue in issue_registry.issues.values() if issue.domain == DOMAIN
    )


async def test_restart_with_active_fault_keeps_it_without_announcing_again(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, issue_registry: ir.IssueRegistry
) -> None:
    entry, player, start = await start_breaker_trip(hass, freezer)
    assert hass.states.get("binary_sensor.heat_pump_power_loss").state == "on"
    since = hass.states.get("binary_sensor.heat_pump_power_loss").attributes["since"]
    learned = entry.runtime_data.evaluator.export_learned()
    events: list[Event] = []
    hass.bus.async_listen(EVENT_FAULT, events.append)

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    state = hass.states.get("binary_sensor.heat_pump_power_loss")
    assert state.state == "on"
    assert state.attributes["since"] == since
    assert entry.runtime_data.evaluator.export_learned() == learned
    assert _our_issues(issue_registry) == [f"{entry.entry_id}_power_loss"]

    await player.play_until(start + 14 * 3600)
    assert hass.states.get("binary_sensor.heat_pump_power_loss").state == "on"
    assert events == []
    assert _our_issues(issue_registry) == [f"{entry.entry_id}_power_loss"]


async def test_fault_that_cleared_while_stopped_is_cleared(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, issue_registry: ir.IssueRegistry
) -> None:
    entry, player, start = await start_breaker_trip(hass, freezer)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    events: list[Event] = []
    hass.bus.async_listen(EVENT_FAULT, events.append)

    # Power comes back at 15:00 while the monitor is not running.
    await player.play_until(start + 17 * 3600)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await player.play_until(start + 18 * 3600)

    assert hass.states.get("binary_sensor.heat_pump_power_loss").state == "off"
    assert _our_issues(issue_registry) == []
    assert [(e.data["fault"], e.data["state"]) for e in events] == [("power_loss", "cleared")]


async def test_a_version_1_store_is_migrated_and_resumed(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """What an earlier release stored (each part versioned inside) resumes the fault."""
    entry, _, _ = await start_breaker_trip(hass, freezer)
    monitor = entry.runtime_data
    since = hass.states.get("binary_sensor.heat_pump_power_loss").attributes["since"]
    learned = monitor.evaluator.export_learned()
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    key = f"{DOMAIN}.{entry.entry_id}"
    saved = hass_storage[key]["data"]
    hass_storage[key] = {
        "version": 1,
        "minor_version": 1,
        "key": key,
        "data": {
            "learned": {"version": 1, **saved["learned"]},
            "state": {"version": 1, **saved["state"]},
            "announced": saved["announced"],
        },
    }

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    state = hass.states.get("binary_sensor.heat_pump_power_loss")
    assert state.state == "on"
    assert state.attributes["since"] == since
    assert entry.runtime_data.evaluator.export_learned() == learned
    await entry.runtime_data.async_stop()
    assert hass_storage[key]["version"] == STORE_VERSION == 2
    assert "version" not in hass_storage[key]["data"]["learned"]


async def test_a_version_1_part_of_another_inner_version_is_dropped(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, hass_storage: dict[str, Any]
) -> None:
    entry, _, _ = await start_breaker_trip(hass, freezer)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    key = f"{DOMAIN}.{entry.entry_id}"
    hass_storage[key] = {
        "version": 1,
        "minor_version": 1,
        "key": key,
        "data": {"learned": {"version": 7, "healthy_seconds": 9e9}, "state": "x"},
    }
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.runtime_data.evaluator.export_learned()["healthy_seconds"] < 9e9
