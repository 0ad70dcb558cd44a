"""A real stop and start of Home Assistant in the middle of a fault."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant import loader
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_test_home_assistant,
)

from custom_components.heat_pump_health.const import DOMAIN, EVENT_FAULT
from scripts.harness.player import start_breaker_trip


async def test_stop_and_start_with_an_active_fault(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    entry, player, start = await start_breaker_trip(hass, freezer)
    state = hass.states.get("binary_sensor.heat_pump_power_loss")
    assert state.state == "on"
    since = state.attributes["since"]
    learned = entry.runtime_data.evaluator.export_learned()

    # Stopping writes the delayed saves: the monitor's store, the issue registry.
    await hass.async_stop()
    assert f"{DOMAIN}.{entry.entry_id}" in hass_storage

    async with async_test_home_assistant(config_dir=hass.config.config_dir) as hass2:
        hass2.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
        events: list[Event] = []
        hass2.bus.async_listen(EVENT_FAULT, events.append)
        player.hass = hass2
        player.apply_until(player.now)
        # The sources' current states, as their integrations would set them.
        for record in player.records[: player.index]:
            hass2.states.async_set(record.entity_id, record.state, record.attributes)
        # The same entry, as Home Assistant loads it from its storage.
        entry = MockConfigEntry(
            domain=DOMAIN, entry_id=entry.entry_id, title=entry.title, options=dict(entry.options)
        )
        entry.add_to_hass(hass2)
        assert await hass2.config_entries.async_setup(entry.entry_id)
        await hass2.async_block_till_done()

        state = hass2.states.get("binary_sensor.heat_pump_power_loss")
        assert state.state == "on"
        assert state.attributes["since"] == since
        assert entry.runtime_data.evaluator.export_learned() == learned
        issues = [i for i in ir.async_get(hass2).issues.values() if i.domain == DOMAIN]
        assert [i.issue_id for i in issues] == [f"{entry.entry_id}_power_loss"]

        await player.play_until(start + 14 * 3600)
        assert events == []
        await hass2.async_stop()
