"""Reliability in a real Home Assistant: unload, two heat pumps, clock steps, DST, bad states."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
import logging
import time
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from heat_pump_sim.physics import simulate
from heat_pump_sim.scenarios import breaker_trip, humid_near_freezing_day
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.heat_pump_health.clock import SteadyClock
from custom_components.heat_pump_health.const import DOMAIN
from scripts.harness.player import Player, entry_options, setup_entry

from .conftest import NOISE, POWER, make_entry


def _our_issues(issue_registry: ir.IssueRegistry) -> list[str]:
    return sorted(i.issue_id for i in issue_registry.issues.values() if i.domain == DOMAIN)


def _live_timers(hass: HomeAssistant) -> int:
    return sum(1 for handle in hass.loop._scheduled if not handle.cancelled())


@pytest.mark.usefixtures("heating")
async def test_reload_and_unload_leave_no_listener_and_no_timer(hass: HomeAssistant) -> None:
    entry = make_entry()
    entry.add_to_hass(hass)
    # One cycle first: the sensor platforms register their own listeners once.
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    listeners = hass.bus.async_listeners()
    timers = _live_timers(hass)

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert _live_timers(hass) > timers
    for _ in range(3):
        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()

    after = hass.bus.async_listeners()
    assert {event: count for event, count in after.items() if count > listeners.get(event, 0)} == {}
    assert _live_timers(hass) <= timers


async def test_two_heat_pumps_never_share_state(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, issue_registry: ir.IssueRegistry
) -> None:
    tripped = breaker_trip()
    healthy = replace(
        humid_near_freezing_day(),
        **{
            key: value.replace("hp_", "other_").replace("climate.hp", "climate.other")
            for key, value in tripped.entities().items()
        },
    )
    player = Player(hass, freezer, simulate(tripped) + simulate(healthy))
    player.start()
    first = await setup_entry(hass, entry_options(tripped), title="Garage")
    second = await setup_entry(hass, entry_options(healthy), title="House")
    await player.play_until(tripped.start.timestamp() + 13 * 3600)

    assert hass.states.get("binary_sensor.garage_power_loss").state == "on"
    assert hass.states.get("binary_sensor.house_power_loss").state == "off"
    assert _our_issues(issue_registry) == [f"{first.entry_id}_power_loss"]
    assert first.runtime_data.evaluator is not second.runtime_data.evaluator
    assert first.runtime_data.evaluator.export_learned() != (
        second.runtime_data.evaluator.export_learned()
    )


@pytest.mark.parametrize(
    "start",
    [
        # The breaker trips at 02:00 UTC, an hour after clocks in Berlin went
        # forward (29 March) or back (25 October).
        datetime(2026, 3, 28, 14, tzinfo=UTC),
        datetime(2026, 10, 24, 14, tzinfo=UTC),
    ],
    ids=["spring_forward", "fall_back"],
)
async def test_daylight_saving_changes_neither_raise_nor_hide_a_fault(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
    start: datetime,
) -> None:
    await hass.config.async_set_time_zone("Europe/Berlin")
    scenario = breaker_trip(start=start)
    player = Player(hass, freezer, simulate(scenario))
    player.start()
    entry = await setup_entry(hass, entry_options(scenario))
    # Across the change (01:00 UTC) and up to the trip: nothing.
    await player.play_until(start.timestamp() + 12 * 3600)
    assert _our_issues(issue_registry) == []
    await player.play_until(start.timestamp() + 12.5 * 3600)
    assert _our_issues(issue_registry) == [f"{entry.entry_id}_power_loss"]
    assert hass.states.get("binary_sensor.heat_pump_ice_buildup").state == "off"


@pytest.mark.parametrize("step_s", [-3600.0, -600.0, 900.0, 6 * 3600.0])
async def test_system_clock_step_neither_raises_nor_loses_a_fault(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
    step_s: float,
) -> None:
    scenario = breaker_trip()
    player = Player(hass, freezer, simulate(scenario))
    player.start()
    entry = await setup_entry(hass, entry_options(scenario))
    start = scenario.start.timestamp()
    await player.play_until(start + 11.5 * 3600)
    monitor = entry.runtime_data
    offset = [0.0]
    monitor.clock = SteadyClock(wall=lambda: time.time() + offset[0])
    # From now on the system clock is off by step_s; the monotonic clock is not.
    offset[0] = step_s
    await player.play_until(start + 12.5 * 3600)

    # An hour later the monitor's clock has caught up a tenth of an hour.
    assert abs(monitor.clock.stepped) == pytest.approx(abs(step_s) - 360.0, abs=5.0)
    assert _our_issues(issue_registry) == [f"{entry.entry_id}_power_loss"]
    since = datetime.fromisoformat(
        hass.states.get("binary_sensor.heat_pump_power_loss").attributes["since"]
    )
    assert abs(since.timestamp() - (start + 12 * 3600)) < 15 * 60
    # Power comes back at 15:00: it clears, nothing else was raised.
    await player.play_until(start + 15.5 * 3600)
    assert _our_issues(issue_registry) == []


def test_steady_clock_follows_drift_and_ignores_steps() -> None:
    wall, mono = [1000.0], [5.0]
    clock = SteadyClock(wall=lambda: wall[0], monotonic=lambda: mono[0])
    assert clock.now() == 1000.0
    wall[0], mono[0] = 1061.5, 66.0  # 0.5 s of drift: follow the system clock
    assert clock.now() == 1061.5
    wall[0], mono[0] = 1061.5 - 3600.0 + 60.0, 126.0  # stepped back an hour
    assert clock.now() == pytest.approx(1121.5 - 6.0)  # a tenth slower, never back
    assert clock.stepped == pytest.approx(-3600.0 + 6.0)
    wall[0], mono[0] = 1181.5, 186.0  # NTP puts it right again
    assert clock.now() == pytest.approx(1181.5 - 6.0 + 6.0)
    assert clock.stepped == pytest.approx(0.0, abs=1e-6)


def test_steady_clock_catches_up_after_a_step_forward() -> None:
    wall, mono = [0.0], [0.0]
    clock = SteadyClock(wall=lambda: wall[0], monotonic=lambda: mono[0])
    clock.now()
    wall[0] = 3600.0  # the system clock jumps an hour ahead
    previous = clock.now()
    assert previous == 0.0
    for minute in range(1, 700):
        wall[0], mono[0] = 3600.0 + 60.0 * minute, 60.0 * minute
        now = clock.now()
        # Never faster than 10 % over real time: no minute is stretched much.
        assert 60.0 <= now - previous <= 66.0 + 1e-9
        previous = now
    assert clock.stepped == 0.0
    assert clock.now() == wall[0]


@pytest.mark.usefixtures("heating")
async def test_unit_switch_mid_stream_is_no_false_alarm(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, issue_registry: ir.IssueRegistry
) -> None:
    scenario = humid_near_freezing_day()

    def fahrenheit(record):  # type: ignore[no-untyped-def]
        if record.attributes.get("unit_of_measurement") != "°C":
            return record
        if record.last_updated < scenario.start.timestamp() + 4 * 3600:
            return record
        try:
            value = float(record.state) * 1.8 + 32.0
        except ValueError:
            return record
        return replace(
            record,
            state=f"{value:.2f}",
            attributes={**record.attributes, "unit_of_measurement": "°F"},
        )

    def kilowatts(record):  # type: ignore[no-untyped-def]
        if record.attributes.get("unit_of_measurement") != "W":
            return record
        if not 2 * 3600 <= record.last_updated - scenario.start.timestamp() < 8 * 3600:
            return record
        return replace(
            record,
            state=f"{float(record.state) / 1000.0:.4f}",
            attributes={**record.attributes, "unit_of_measurement": "kW"},
        )

    records = [kilowatts(fahrenheit(record)) for record in simulate(scenario)]
    player = Player(hass, freezer, records)
    player.start()
    await setup_entry(hass, entry_options(scenario))
    await player.play_until(scenario.start.timestamp() + 12 * 3600)
    assert _our_issues(issue_registry) == []
    for fault in ("power_loss", "ice_buildup", "insufficient_heat", "abnormal_noise"):
        assert hass.states.get(f"binary_sensor.heat_pump_{fault}").state == "off"


@pytest.mark.usefixtures("heating")
async def test_number_without_a_unit_is_a_fixable_issue_not_a_traceback(
    hass: HomeAssistant, issue_registry: ir.IssueRegistry, caplog: pytest.LogCaptureFixture
) -> None:
    """Regression: a unit-less number raised UnitError out of the state listener."""
    entry = make_entry({"power_entity": POWER, "noise_entity": NOISE})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    issue_id = f"{entry.entry_id}_source_power_entity"

    for watts in ("900", "950", "1000"):
        hass.states.async_set(POWER, watts, {})
        await hass.async_block_till_done()
    assert "Traceback" not in caplog.text
    assert "Error" not in {record.levelname for record in caplog.records}
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.is_fixable
    # The rest keeps working.
    assert hass.states.get("binary_sensor.heat_pump_abnormal_noise").state != "unavailable"

    hass.states.async_set(POWER, "900", {"unit_of_measurement": "W"})
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert entry.runtime_data.evaluator.export_state()["rejected"] == {}


@pytest.mark.usefixtures("heating")
async def test_a_failing_ingest_is_logged_once_and_isolated(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture, loaded_entry: MockConfigEntry
) -> None:
    driver = loaded_entry.runtime_data.driver
    with patch.object(type(driver), "take", side_effect=RuntimeError("boom")):
        for watts in ("900", "950", "1000"):
            hass.states.async_set(POWER, watts, {"unit_of_measurement": "W"})
            await hass.async_block_till_done()
    failures = [r for r in caplog.records if "cannot take in sensor.hp_power" in r.getMessage()]
    assert len(failures) == 1
    assert failures[0].levelno == logging.ERROR
    hass.states.async_set(POWER, "800", {"unit_of_measurement": "W"})
    await hass.async_block_till_done()
    assert "sensor.hp_power is taken in again" in caplog.text
    assert hass.states.get("binary_sensor.heat_pump_power_loss").state != "unavailable"


def test_steady_clock_counts_no_time_twice() -> None:
    """If the monotonic source ever went back, the time would not be counted again."""
    wall, mono = [1000.0], [0.0]
    clock = SteadyClock(wall=lambda: wall[0], monotonic=lambda: mono[0])
    clock.now()
    wall[0], mono[0] = 1060.0, 60.0
    assert clock.now() == 1060.0
    wall[0], mono[0] = 1030.0, 30.0  # both back by half a minute
    assert clock.now() == 1060.0  # never backwards
    wall[0], mono[0] = 1120.0, 120.0
    assert clock.now() == 1120.0
    assert clock.stepped == 0.0
