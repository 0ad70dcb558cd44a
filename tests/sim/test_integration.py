"""The simulator's Home Assistant layer: entities, controls, the tick, unload."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

import custom_components

SIM_DIR = Path(__file__).resolve().parents[2] / "config" / "custom_components"
DEVICE = "simulated_heat_pump"


@pytest.fixture(autouse=True)
def sim_discoverable() -> Iterator[None]:
    """Let Home Assistant's loader find heat_pump_sim next to the project's integration.

    The loader lists ``custom_components.__path__``; the simulator lives in the
    development configuration's folder, outside the package HACS ships.
    """
    paths = custom_components.__path__
    paths.append(str(SIM_DIR))
    yield
    paths.remove(str(SIM_DIR))


async def _setup(hass: HomeAssistant, speed: int = 1) -> None:
    assert await async_setup_component(hass, "heat_pump_sim", {"heat_pump_sim": {"speed": speed}})
    await hass.async_block_till_done()


async def _tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: int) -> None:
    for _ in range(seconds // 5):
        freezer.tick(timedelta(seconds=5))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()


async def test_entities_like_a_real_unit(hass: HomeAssistant) -> None:
    await hass.config.async_set_time_zone("UTC")
    await _setup(hass)
    power = hass.states.get(f"sensor.{DEVICE}_power")
    assert power is not None
    assert power.attributes["unit_of_measurement"] == "W"
    assert power.attributes["device_class"] == "power"
    for name in ("outdoor_coil", "outdoor", "supply_air", "return_air"):
        state = hass.states.get(f"sensor.{DEVICE}_{name}_temperature")
        assert state is not None, name
        assert state.attributes["unit_of_measurement"] == "°C"
        float(state.state)
    noise = hass.states.get(f"sensor.{DEVICE}_noise_level")
    assert noise is not None
    assert noise.attributes["unit_of_measurement"] == "dB"
    assert hass.states.get(f"binary_sensor.{DEVICE}_defrost").state in {"on", "off"}
    climate = hass.states.get(f"climate.{DEVICE}")
    assert climate.state == "heat"
    assert climate.attributes["hvac_action"] in {"heating", "idle", "defrosting"}
    assert hass.states.get(f"select.{DEVICE}_fault").state == "none"
    assert hass.states.get(f"select.{DEVICE}_simulation_speed").state == "1"
    entry_id = _entry_id(hass)
    device = dr.async_get(hass).async_get_device_by_identifier(
        ("heat_pump_sim", entry_id), entry_id
    )
    assert device is not None
    assert device.name == "Simulated heat pump"


def _entry_id(hass: HomeAssistant) -> str:
    (entry,) = hass.config_entries.async_entries("heat_pump_sim")
    return entry.entry_id


async def test_states_written_only_on_change(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await _setup(hass)
    writes: list[str] = []
    hass.bus.async_listen("state_changed", lambda event: writes.append(event.data["entity_id"]))
    await _tick(hass, freezer, 600)
    # Ten minutes at 5 s ticks is 120 ticks per entity; report-on-change
    # writes a fraction of that.
    assert writes
    assert writes.count(f"sensor.{DEVICE}_outdoor_temperature") < 60


async def test_breaker_trip_and_restore(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await _setup(hass)
    await hass.services.async_call(
        "select",
        "select_option",
        {"entity_id": f"select.{DEVICE}_fault", "option": "breaker_trip"},
        blocking=True,
    )
    await _tick(hass, freezer, 30)
    assert hass.states.get(f"select.{DEVICE}_fault").state == "breaker_trip"
    assert float(hass.states.get(f"sensor.{DEVICE}_power").state) == 0.0
    await hass.services.async_call(
        "select",
        "select_option",
        {"entity_id": f"select.{DEVICE}_fault", "option": "none"},
        blocking=True,
    )
    # Back on: standby draw at least (crankcase heater and controls).
    await _tick(hass, freezer, 30)
    assert float(hass.states.get(f"sensor.{DEVICE}_power").state) > 0.0


async def test_speed_and_thermostat(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    await _setup(hass)
    await hass.services.async_call(
        "select",
        "select_option",
        {"entity_id": f"select.{DEVICE}_simulation_speed", "option": "60"},
        blocking=True,
    )
    (entry,) = hass.config_entries.async_entries("heat_pump_sim")
    assert entry.options["speed"] == 60
    before = entry.runtime_data.model.time_s
    await _tick(hass, freezer, 10)
    assert entry.runtime_data.model.time_s - before == pytest.approx(600.0)
    await hass.services.async_call(
        "climate",
        "set_temperature",
        {"entity_id": f"climate.{DEVICE}", "temperature": 19.5},
        blocking=True,
    )
    await hass.services.async_call(
        "climate",
        "set_hvac_mode",
        {"entity_id": f"climate.{DEVICE}", "hvac_mode": "off"},
        blocking=True,
    )
    await _tick(hass, freezer, 5)
    climate = hass.states.get(f"climate.{DEVICE}")
    assert climate.state == "off"
    assert climate.attributes["hvac_action"] == "off"


async def test_unload_stops_the_tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    await _setup(hass)
    (entry,) = hass.config_entries.async_entries("heat_pump_sim")
    model = entry.runtime_data.model
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    before = model.time_s
    await _tick(hass, freezer, 30)
    assert model.time_s == before


async def test_user_flow_and_single_entry(hass: HomeAssistant) -> None:
    result = await hass.config_entries.flow.async_init("heat_pump_sim", context={"source": "user"})
    assert result["type"] == "form"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"speed": "10"})
    assert result["type"] == "create_entry"
    assert result["options"] == {"speed": 10}
    await hass.async_block_till_done()
    again = await hass.config_entries.flow.async_init("heat_pump_sim", context={"source": "user"})
    assert again["type"] == "abort"


async def test_yaml_only_gives_the_first_speed(hass: HomeAssistant) -> None:
    await _setup(hass, speed=1)
    (entry,) = hass.config_entries.async_entries("heat_pump_sim")
    hass.config_entries.async_update_entry(entry, options={"speed": 60})
    result = await hass.config_entries.flow.async_init(
        "heat_pump_sim", context={"source": "import"}, data={"speed": 1}
    )
    assert result["type"] == "abort"
    assert entry.options["speed"] == 60
