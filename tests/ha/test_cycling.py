"""Starts, run length and short cycling in a real Home Assistant, from three kinds of source."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.heat_pump_health.const import DOMAIN, EVENT_FAULT

from .conftest import CLIMATE, POWER, make_entry, play_minutes

START = datetime(2024, 1, 15, 6, 0, tzinfo=UTC)
FREQUENCY = "sensor.hp_compressor_frequency"
RUNNING = "binary_sensor.hp_compressor"

type States = dict[str, tuple[str, dict[str, Any]]]


def _climate(running: bool) -> tuple[str, dict[str, Any]]:
    return (
        "heat",
        {
            "hvac_action": "heating" if running else "idle",
            "current_temperature": 20.5,
            "temperature": 21.0,
        },
    )


SOURCES: dict[str, tuple[dict[str, str], Callable[[bool, int], States]]] = {
    "power": (
        {"power_entity": POWER, "climate_entity": CLIMATE},
        # A live meter wavers by a few watts from minute to minute.
        lambda on, minute: {
            POWER: (
                str(1200 + minute % 7 if on else 25 + minute % 2),
                {"unit_of_measurement": "W", "device_class": "power"},
            ),
            CLIMATE: _climate(on),
        },
    ),
    "compressor frequency": (
        {"compressor_entity": FREQUENCY, "climate_entity": CLIMATE},
        lambda on, minute: {
            FREQUENCY: ("48" if on else "0", {"unit_of_measurement": "Hz"}),
            CLIMATE: _climate(on),
        },
    ),
    "running binary sensor": (
        {"compressor_entity": RUNNING, "climate_entity": CLIMATE},
        lambda on, minute: {
            RUNNING: ("on" if on else "off", {"device_class": "running"}),
            CLIMATE: _climate(on),
        },
    ),
}


async def _run(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    source: str,
    *,
    on: int,
    off: int,
    minutes: int,
) -> MockConfigEntry:
    """A unit running ``on`` minutes of every ``on + off``, played minute by minute."""
    options, states = SOURCES[source]
    freezer.move_to(START)

    def apply(minute: int) -> None:
        for entity_id, (state, attributes) in states(minute % (on + off) < on, minute).items():
            hass.states.async_set(entity_id, state, attributes)

    apply(0)
    entry = make_entry(options)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await play_minutes(hass, freezer, START, minutes, apply)
    return entry


@pytest.mark.parametrize("source", list(SOURCES))
async def test_starts_and_median_run_counted_from_each_source(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, source: str
) -> None:
    await _run(hass, freezer, source, on=20, off=10, minutes=6 * 60)
    starts = hass.states.get("sensor.heat_pump_compressor_starts_per_hour")
    run = hass.states.get("sensor.heat_pump_median_run_length")
    assert starts is not None
    assert run is not None
    assert float(starts.state) == pytest.approx(2.0, abs=0.2)
    assert starts.attributes["state_class"] == "measurement"
    assert float(run.state) == pytest.approx(20.0, abs=1.0)
    assert hass.states.get("binary_sensor.heat_pump_short_cycling").state == "off"


@pytest.mark.parametrize("source", list(SOURCES))
async def test_short_cycling_raised_with_its_repair_and_event(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
    source: str,
) -> None:
    events: list[Event] = []
    hass.bus.async_listen(EVENT_FAULT, events.append)
    # Twelve starts an hour: beyond what any controls do by design.
    entry = await _run(hass, freezer, source, on=2, off=3, minutes=4 * 60)
    state = hass.states.get("binary_sensor.heat_pump_short_cycling")
    assert state.state == "on"
    assert state.attributes["severity"] == "warning"
    assert "started" in state.attributes["summary"]
    issue = issue_registry.async_get_issue(DOMAIN, f"{entry.entry_id}_short_cycling")
    assert issue is not None
    assert [(e.data["fault"], e.data["state"]) for e in events] == [("short_cycling", "started")]


async def test_a_steadily_running_unit_is_not_short_cycling(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await _run(hass, freezer, "power", on=55, off=5, minutes=6 * 60)
    assert hass.states.get("binary_sensor.heat_pump_short_cycling").state == "off"
    starts = hass.states.get("sensor.heat_pump_compressor_starts_per_hour")
    assert float(starts.state) == pytest.approx(1.0, abs=0.2)
