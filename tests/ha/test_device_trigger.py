"""Device triggers: automations on a fault, built in the UI."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from heat_pump_sim.scenarios import breaker_trip
from homeassistant.components import automation
from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import async_get_device_automations

from custom_components.heat_pump_health.const import DOMAIN
from scripts.harness.player import Player, entry_options, setup_entry, simulate


async def test_triggers_listed_and_fired(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    scenario = breaker_trip()
    player = Player(hass, freezer, simulate(scenario))
    player.start()
    entry = await setup_entry(hass, entry_options(scenario))
    start = scenario.start.timestamp()
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, entry.entry_id), entry.entry_id
    )
    assert device is not None

    triggers = await async_get_device_automations(hass, DeviceAutomationType.TRIGGER, device.id)
    ours = sorted(t["type"] for t in triggers if t["domain"] == DOMAIN)
    assert "power_loss_detected" in ours
    assert "power_loss_cleared" in ours
    assert "ice_buildup_detected" in ours

    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: [
                {
                    "triggers": [
                        {
                            "trigger": "device",
                            "domain": DOMAIN,
                            "device_id": device.id,
                            "type": kind,
                        }
                    ],
                    "actions": [{"event": "test_heat_pump", "event_data": {"kind": kind}}],
                }
                for kind in ("power_loss_detected", "power_loss_cleared", "ice_buildup_detected")
            ]
        },
    )
    fired: list[Event] = []
    hass.bus.async_listen("test_heat_pump", fired.append)

    await player.play_until(start + 16 * 3600)
    assert [event.data["kind"] for event in fired] == ["power_loss_detected", "power_loss_cleared"]


async def test_no_triggers_for_other_devices(
    hass: HomeAssistant, device_registry: dr.DeviceRegistry
) -> None:
    entry = await setup_entry(hass, {"power_entity": "sensor.power"})
    other = device_registry.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={("other", "1")}
    )
    triggers = await async_get_device_automations(hass, DeviceAutomationType.TRIGGER, other.id)
    assert [t for t in triggers if t["domain"] == DOMAIN] == []
