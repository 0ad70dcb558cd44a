"""Device first: pick the heat pump's device, and each field is suggested from its entities."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.heat_pump_health.const import SOURCE_KEYS

from .conftest import sources_form
from .test_integrations import SLUGS, _entities, _fixture, _has_action, _shape, owner_pick


def _register(hass: HomeAssistant, fixture: dict[str, Any]) -> str:
    """The integration's entities on one device, as its own integration would create them."""
    source = MockConfigEntry(domain=fixture["slug"])
    source.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=source.entry_id,
        identifiers={(fixture["slug"], "unit")},
        name=(fixture.get("device") or {}).get("name") or "Heat pump",
    )
    registry = er.async_get(hass)
    for entity in fixture["entities"]:
        domain, object_id = entity["entity_id"].split(".", 1)
        enabled = entity.get("enabled_by_default", True) is not False
        registry.async_get_or_create(
            domain,
            fixture["slug"],
            entity["entity_id"],
            suggested_object_id=object_id,
            config_entry=source,
            device_id=device.id,
            original_name=entity.get("original_name"),
            original_device_class=entity.get("device_class"),
            translation_key=entity.get("translation_key"),
            unit_of_measurement=entity.get("unit_of_measurement"),
            disabled_by=None if enabled else er.RegistryEntryDisabler.INTEGRATION,
        )
        if enabled:
            state = "20.0" if entity.get("unit_of_measurement") else "off"
            attributes = _shape(entity)
            if domain == "climate":
                state = "heat"
                described = entity.get("attributes") or {}
                if "defrost" in described:
                    attributes["defrost"] = False
                if _has_action(entity):
                    attributes["hvac_action"] = "heating"
            hass.states.async_set(entity["entity_id"], state, attributes)
    return device.id


def _suggested(form: Any) -> dict[str, str]:
    return {
        str(marker.schema): marker.description["suggested_value"]
        for marker in form["data_schema"].schema
        if isinstance(marker.description, dict) and "suggested_value" in marker.description
    }


TEMPERATURES = {
    "supply_temperature_entity",
    "return_temperature_entity",
    "coil_temperature_entity",
    "outdoor_temperature_entity",
}


async def _suggestions(hass: HomeAssistant, fixture: dict[str, Any]) -> tuple[dict[str, str], Any]:
    form = await sources_form(hass, [_register(hass, fixture)])
    assert form["type"] is FlowResultType.FORM
    assert form["step_id"] == "sources"
    return {k: v for k, v in _suggested(form).items() if k in SOURCE_KEYS}, form


@pytest.mark.parametrize("slug", SLUGS)
async def test_each_suggestion_is_an_enabled_entity_of_the_right_kind(
    hass: HomeAssistant, slug: str
) -> None:
    fixture = _fixture(slug)
    entities = _entities(fixture)
    suggested, form = await _suggestions(hass, fixture)
    for key, entity_id in suggested.items():
        entity = entities[entity_id]
        assert entity.get("enabled_by_default", True) is not False, (key, entity_id)
        if key in TEMPERATURES:
            assert entity.get("device_class") == "temperature", (key, entity_id)
        if key == "power_entity":
            assert entity.get("device_class") in ("power", "energy"), (key, entity_id)
        if key == "climate_entity":
            assert entity["domain"] == "climate"
    # What the integration creates disabled is named, not silently missing.
    disabled = [e for e in fixture["entities"] if e.get("enabled_by_default") is False]
    shown = form["description_placeholders"]["disabled"]
    for entity in disabled:
        assert (entity.get("original_name") or entity["entity_id"]) in shown


async def test_most_of_what_an_owner_picks_is_suggested(hass: HomeAssistant) -> None:
    """Across every integration, the suggestion is the README's pick for most fields."""
    same = total = 0
    for slug in SLUGS:
        fixture = _fixture(slug)
        entities = _entities(fixture)
        suggested, _ = await _suggestions(hass, fixture)
        for key, entity_id in owner_pick(fixture).items():
            if entities[entity_id].get("enabled_by_default", True) is False:
                continue  # named in the form instead
            total += 1
            same += suggested.get(key) == entity_id
        await hass.async_block_till_done()
    assert total > 80
    assert same / total >= 0.85, (same, total)


async def test_no_device_suggests_nothing(hass: HomeAssistant) -> None:
    """Templates and helpers belong to no device: every field starts empty."""
    form = await sources_form(hass)
    assert not {key for key in _suggested(form) if key in SOURCE_KEYS}
    assert form["description_placeholders"]["disabled"] == "—"
