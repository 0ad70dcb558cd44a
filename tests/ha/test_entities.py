"""Entity registry entries and states, snapshotted per platform."""

from __future__ import annotations

from unittest.mock import patch

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.heat_pump_health.const import DOMAIN

from .conftest import ALL_SOURCES, POWER, set_heating


@pytest.mark.freeze_time("2026-01-12 08:00:00+00:00")
@pytest.mark.parametrize("platform", [Platform.BINARY_SENSOR, Platform.SENSOR])
async def test_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    platform: Platform,
) -> None:
    set_heating(hass)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Heat pump",
        entry_id="01KHEATPUMPHEALTHSNAPSHOT0",
        options={"system_type": "air_to_air", **ALL_SOURCES},
    )
    entry.add_to_hass(hass)
    with patch("custom_components.heat_pump_health.PLATFORMS", (platform,)):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)


async def test_entities_follow_the_heat_pump_device(
    hass: HomeAssistant, entity_registry: er.EntityRegistry, device_registry: dr.DeviceRegistry
) -> None:
    """With a source on a device, the entities appear on that device."""
    registry = device_registry
    source_entry = MockConfigEntry(domain="acme")
    source_entry.add_to_hass(hass)
    device = registry.async_get_or_create(
        config_entry_id=source_entry.entry_id, identifiers={("acme", "hp-1")}, name="Acme HP"
    )
    entity_registry.async_get_or_create(
        "sensor", "acme", "power", device_id=device.id, suggested_object_id="hp_power"
    )
    set_heating(hass)
    entry = MockConfigEntry(domain=DOMAIN, title="Heat pump", options={"power_entity": POWER})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    ours = er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    assert ours
    assert {entity.device_id for entity in ours} == {device.id}
    # No device of our own when the heat pump has one.
    assert registry.async_get_device_by_identifier((DOMAIN, entry.entry_id), entry.entry_id) is None


async def test_own_device_removed_when_heat_pump_device_appears(
    hass: HomeAssistant, entity_registry: er.EntityRegistry, device_registry: dr.DeviceRegistry
) -> None:
    set_heating(hass)
    entry = MockConfigEntry(domain=DOMAIN, title="Heat pump", options={"power_entity": POWER})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    own = device_registry.async_get_device_by_identifier((DOMAIN, entry.entry_id), entry.entry_id)
    assert own is not None

    source_entry = MockConfigEntry(domain="acme")
    source_entry.add_to_hass(hass)
    device = device_registry.async_get_or_create(
        config_entry_id=source_entry.entry_id, identifiers={("acme", "hp-2")}, name="Acme HP"
    )
    entity_registry.async_get_or_create(
        "sensor", "acme", "power-2", device_id=device.id, suggested_object_id="acme_power"
    )
    hass.config_entries.async_update_entry(entry, options={"power_entity": "sensor.acme_power"})
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()

    assert device_registry.async_get(own.id) is None
    ours = er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    assert {entity.device_id for entity in ours} == {device.id}
