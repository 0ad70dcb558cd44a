"""The diagnostics download."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator


async def test_diagnostics(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, loaded_entry: MockConfigEntry
) -> None:
    assert await async_setup_component(hass, "diagnostics", {})
    result = await get_diagnostics_for_config_entry(hass, hass_client, loaded_entry)
    assert result["options"] == dict(loaded_entry.options)
    monitor = result["monitor"]
    assert set(monitor["faults"]) == {
        "power_loss",
        "ice_buildup",
        "insufficient_heat",
        "abnormal_noise",
    }
    assert monitor["sources"]["power_entity"]["entity_id"] == "sensor.hp_power"
    assert monitor["last_evaluation"]["statuses"]["power_loss"]["active"] is False
    assert "learned" in monitor
    assert "state" in monitor
