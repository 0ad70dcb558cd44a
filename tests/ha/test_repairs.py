"""Repair issues and their fix flows."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.heat_pump_health.const import DOMAIN
from scripts.harness.player import start_breaker_trip

from .conftest import POWER, make_entry


async def _open(hass: HomeAssistant, issue_id: str) -> Any:
    """Open an issue's fix flow, as clicking it in Settings → Repairs does."""
    assert await async_setup_component(hass, "repairs", {})
    manager = repairs_flow_manager(hass)
    assert manager is not None
    return await manager.async_init(DOMAIN, context={"issue_id": issue_id})


async def _fix(hass: HomeAssistant, issue_id: str, user_input: dict[str, Any] | None) -> Any:
    result = await _open(hass, issue_id)
    assert result["type"] is FlowResultType.FORM
    if user_input is None:
        return result
    manager = repairs_flow_manager(hass)
    assert manager is not None
    return await manager.async_configure(result["flow_id"], user_input)


async def _choose(hass: HomeAssistant, issue_id: str, choice: str) -> Any:
    result = await _open(hass, issue_id)
    assert result["type"] is FlowResultType.MENU
    manager = repairs_flow_manager(hass)
    assert manager is not None
    return await manager.async_configure(result["flow_id"], {"next_step_id": choice})


async def _entry_on_registry_source(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    key: str,
    unique_id: str,
    others: dict[str, str] | None = None,
) -> tuple[MockConfigEntry, str]:
    """A loaded entry whose ``key`` source is a registry entity; returns it and the entity id."""
    source = entity_registry.async_get_or_create(
        "sensor", "meter", unique_id, suggested_object_id=f"meter_{key}"
    )
    hass.states.async_set(source.entity_id, "900", {"unit_of_measurement": "W"})
    entry = make_entry({key: source.entity_id, **(others or {})})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry, source.entity_id


async def _remove(hass: HomeAssistant, entity_registry: er.EntityRegistry, entity_id: str) -> None:
    entity_registry.async_remove(entity_id)
    await hass.async_block_till_done()


async def test_serviced_resets_the_fault(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, issue_registry: ir.IssueRegistry
) -> None:
    entry, player, start = await start_breaker_trip(hass, freezer)
    issue_id = f"{entry.entry_id}_power_loss"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None

    result = await _choose(hass, issue_id, "serviced")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert hass.states.get("binary_sensor.heat_pump_power_loss").state == "off"

    # Still no power: the fault is found again, and raised again.
    await player.play_until(start + 14 * 3600)
    assert hass.states.get("binary_sensor.heat_pump_power_loss").state == "on"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None


async def test_fault_dialog_opens_with_the_diagnosis(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, issue_registry: ir.IssueRegistry
) -> None:
    """What the owner sees first: since when, the evidence in words, causes and checks."""
    entry, _, _ = await start_breaker_trip(hass, freezer)
    issue_id = f"{entry.entry_id}_power_loss"
    result = await _open(hass, issue_id)
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["keep", "serviced"]
    shown = result["description_placeholders"]
    assert shown["name"] == "Heat pump"
    assert shown["since"] != "-"
    assert shown["evidence"].startswith("- The unit draws 0 W while the thermostat calls for heat.")
    assert "warmer than the return: no heat is going out." in shown["evidence"]
    assert shown["causes"].startswith("- A tripped circuit breaker")
    assert shown["checks"].startswith("1. Look at the main electrical panel")
    assert "\n2. " in shown["checks"]

    # "Close" changes nothing: the issue stays until the fault clears.
    manager = repairs_flow_manager(hass)
    assert manager is not None
    closed = await manager.async_configure(result["flow_id"], {"next_step_id": "keep"})
    assert closed["type"] is FlowResultType.ABORT
    assert closed["reason"] == "kept"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    assert hass.states.get("binary_sensor.heat_pump_power_loss").state == "on"


async def test_fault_dialog_of_an_unloaded_entry_aborts(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    entry, _, _ = await start_breaker_trip(hass, freezer)
    assert await hass.config_entries.async_unload(entry.entry_id)
    result = await _open(hass, f"{entry.entry_id}_power_loss")
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "entry_not_loaded"


@pytest.mark.usefixtures("heating")
async def test_removed_source_raises_fixable_issue(
    hass: HomeAssistant, entity_registry: er.EntityRegistry, issue_registry: ir.IssueRegistry
) -> None:
    entry, source = await _entry_on_registry_source(
        hass, entity_registry, "power_entity", "power-1", {"noise_entity": "sensor.hp_noise"}
    )
    await _remove(hass, entity_registry, source)
    issue_id = f"{entry.entry_id}_source_power_entity"
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.is_fixable
    # The rest keeps working.
    assert hass.states.get("binary_sensor.heat_pump_abnormal_noise").state != "unavailable"

    result = await _fix(hass, issue_id, {"power_entity": POWER})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options["power_entity"] == POWER
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert hass.states.get("binary_sensor.heat_pump_power_loss") is not None


@pytest.mark.usefixtures("heating")
async def test_removed_source_can_be_dropped(
    hass: HomeAssistant, entity_registry: er.EntityRegistry, issue_registry: ir.IssueRegistry
) -> None:
    entry, source = await _entry_on_registry_source(
        hass, entity_registry, "noise_entity", "noise-1", {"power_entity": POWER}
    )
    await _remove(hass, entity_registry, source)

    issue_id = f"{entry.entry_id}_source_noise_entity"
    result = await _fix(hass, issue_id, {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert "noise_entity" not in entry.options
    assert hass.states.get("binary_sensor.heat_pump_abnormal_noise") is None


@pytest.mark.usefixtures("heating")
async def test_replacement_must_be_valid(
    hass: HomeAssistant, entity_registry: er.EntityRegistry, issue_registry: ir.IssueRegistry
) -> None:
    entry, source = await _entry_on_registry_source(
        hass, entity_registry, "power_entity", "power-2"
    )
    await _remove(hass, entity_registry, source)

    # Dropping the only source would leave nothing to judge.
    result = await _fix(hass, f"{entry.entry_id}_source_power_entity", {})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "no_fault_evaluable"}


@pytest.mark.usefixtures("heating")
async def test_renamed_source_is_followed(
    hass: HomeAssistant, entity_registry: er.EntityRegistry, issue_registry: ir.IssueRegistry
) -> None:
    entry, source = await _entry_on_registry_source(
        hass, entity_registry, "power_entity", "power-3"
    )
    entity_registry.async_update_entity(source, new_entity_id="sensor.heat_pump_power")
    await hass.async_block_till_done()
    assert entry.options["power_entity"] == "sensor.heat_pump_power"
    assert not [i for i in issue_registry.issues.values() if i.domain == DOMAIN]


@pytest.mark.usefixtures("heating")
async def test_unit_that_cannot_be_converted(
    hass: HomeAssistant, issue_registry: ir.IssueRegistry
) -> None:
    entry = make_entry({"power_entity": POWER, "noise_entity": "sensor.hp_noise"})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    issue_id = f"{entry.entry_id}_source_power_entity"

    hass.states.async_set(POWER, "4", {"unit_of_measurement": "A"})
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None

    hass.states.async_set(POWER, "0.9", {"unit_of_measurement": "kW"})
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
