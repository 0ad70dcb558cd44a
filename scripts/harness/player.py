"""Drive a real Home Assistant with the simulator's records, minute by minute."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from heat_pump_sim.physics import Scenario, StateRecord, replay_config, simulate
from heat_pump_sim.scenarios import breaker_trip
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.heat_pump_health.const import DOMAIN


def entry_options(scenario: Scenario) -> dict[str, Any]:
    """The config entry options that watch every simulated entity."""
    config = replay_config(scenario)
    return {key: value for key, value in config.items() if key != "units"}


class Player:
    """Sets simulated states and fires the minute ticks, in time order."""

    def __init__(
        self, hass: HomeAssistant, freezer: FrozenDateTimeFactory, records: Sequence[StateRecord]
    ) -> None:
        self.hass = hass
        self.freezer = freezer
        self.records = sorted(records, key=lambda record: record.last_updated)
        self.index = 0
        first = self.records[0].last_updated
        self.now = first - first % 60 + 60

    def apply_until(self, at: float) -> None:
        """Set every state reported up to ``at``."""
        records = self.records
        while self.index < len(records) and records[self.index].last_updated <= at:
            record = records[self.index]
            self.hass.states.async_set(record.entity_id, record.state, record.attributes)
            self.index += 1

    def start(self) -> None:
        """Move the clock to the first minute and set the states reported by then."""
        self.freezer.move_to(datetime.fromtimestamp(self.now, UTC))
        self.apply_until(self.now)

    async def play_until(self, end: float) -> None:
        """Advance minute by minute to ``end`` (epoch seconds)."""
        while self.now + 60 <= end:
            self.now += 60
            moment = datetime.fromtimestamp(self.now, UTC)
            self.freezer.move_to(moment)
            self.apply_until(self.now)
            async_fire_time_changed(self.hass, moment)
            await self.hass.async_block_till_done()


async def setup_entry(
    hass: HomeAssistant, options: dict[str, Any], *, title: str = "Heat pump"
) -> MockConfigEntry:
    """Add and set up a config entry with these options."""
    entry = MockConfigEntry(domain=DOMAIN, title=title, options=options)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def start_breaker_trip(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, *, hours: float = 13.0
) -> tuple[MockConfigEntry, Player, float]:
    """A heat pump whose breaker tripped at noon, played to ``hours`` after midnight."""
    scenario = breaker_trip()
    player = Player(hass, freezer, simulate(scenario))
    player.start()
    entry = await setup_entry(hass, entry_options(scenario))
    start = scenario.start.timestamp()
    await player.play_until(start + hours * 3600)
    return entry, player, start
