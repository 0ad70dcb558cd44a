"""The diagnostics download, pinned as a snapshot."""

from __future__ import annotations

from datetime import UTC, datetime

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from custom_components.heat_pump_health.diagnostics import async_get_config_entry_diagnostics

from .conftest import make_entry, set_heating


async def test_diagnostics_download(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, loaded_entry: MockConfigEntry
) -> None:
    """The download works through Home Assistant's diagnostics API."""
    assert await async_setup_component(hass, "diagnostics", {})
    result = await get_diagnostics_for_config_entry(hass, hass_client, loaded_entry)
    assert result["title"] == loaded_entry.title
    assert result["monitor"]["last_evaluation"]["statuses"]["power_loss"]["active"] is False


async def test_diagnostics_content(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, snapshot: SnapshotAssertion
) -> None:
    """Everything the download holds, pinned: options, sources, verdicts, state, learning."""
    freezer.move_to(datetime(2026, 1, 10, 6, 0, tzinfo=UTC))
    set_heating(hass)
    entry: MockConfigEntry = make_entry()
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert await async_get_config_entry_diagnostics(hass, entry) == snapshot
