"""The backtest action on a real recorder's history, through the live entry's code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from heat_pump_sim.physics import Scenario, StateRecord, simulate
from heat_pump_sim.scenarios import breaker_trip, humid_near_freezing_day
from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.db_schema import RecorderRuns
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.recorder import session_scope
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.heat_pump_health.backtest import SERVICE_BACKTEST
from custom_components.heat_pump_health.const import DOMAIN
from scripts.harness.player import Player, entry_options, setup_entry

HOUR = 3600.0


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(recorder_db_url: str, enable_custom_integrations: None) -> None:
    """The recorder's database before Home Assistant, as its fixtures require."""


async def _record(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, records: list[StateRecord]
) -> None:
    """Write states through the state machine at their own times, and let the recorder keep them."""
    for record in sorted(records, key=lambda item: item.last_updated):
        freezer.move_to(datetime.fromtimestamp(record.last_updated, UTC))
        hass.states.async_set(record.entity_id, record.state, record.attributes)
    await async_wait_recording_done(hass)


async def _backtest(hass: HomeAssistant, entry: MockConfigEntry, **data: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN,
        SERVICE_BACKTEST,
        {"config_entry_id": entry.entry_id, **data},
        blocking=True,
        return_response=True,
    )
    assert isinstance(response, dict)
    return response


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat()


async def _recorded(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    scenario: Scenario,
    hours: float | None = None,
) -> tuple[MockConfigEntry, float]:
    """An entry on the scenario's sources, and its history recorded (up to ``hours``): its start."""
    start = scenario.start.timestamp()
    records = simulate(scenario)
    if hours is not None:
        records = [r for r in records if r.last_updated <= start + hours * HOUR]
    freezer.move_to(datetime.fromtimestamp(start, UTC))
    entry = await setup_entry(hass, entry_options(scenario))
    await _record(hass, freezer, records)
    return entry, start


async def _recorded_trip(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, hours: float = 13.0
) -> tuple[MockConfigEntry, float]:
    """A breaker trip at noon, recorded (not ticked live) up to ``hours`` after midnight."""
    return await _recorded(hass, freezer, breaker_trip(), hours)


async def test_backtest_finds_the_recorded_trip_when_the_live_entry_did(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    scenario = breaker_trip()
    player = Player(hass, freezer, simulate(scenario))
    player.start()
    entry = await setup_entry(hass, entry_options(scenario))
    start = scenario.start.timestamp()
    await player.play_until(start + 13 * HOUR)
    await async_wait_recording_done(hass)
    live = hass.states.get("binary_sensor.heat_pump_power_loss")
    assert live is not None
    assert live.state == "on"
    monitor = entry.runtime_data
    before = (
        monitor.evaluator.export_state(),
        monitor.evaluator.export_learned(),
        set(monitor.driver.open_faults),
        sorted(issue_registry.issues),
    )

    report = await _backtest(hass, entry, start=_iso(start), end=_iso(player.now))

    assert [(f["fault"], f["start"]) for f in report["faults"]] == [
        ("power_loss", live.attributes["since"])
    ]
    assert report["faults"][0]["severity"] == "error"
    assert report["history"] == "recorder"
    assert report["health"] == "fault"
    assert report["judged"]["power_loss"] > 0.9
    assert report["records"]["used"] > 1000
    # The live entry is untouched: its state, baselines, faults, issues and sensors.
    after = (
        monitor.evaluator.export_state(),
        monitor.evaluator.export_learned(),
        set(monitor.driver.open_faults),
        sorted(issue_registry.issues),
    )
    assert after == before
    assert hass.states.get("binary_sensor.heat_pump_power_loss").state == "on"


async def test_a_healthy_recorded_day_gives_no_episode(
    recorder_mock: Recorder, hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    entry, start = await _recorded(hass, freezer, humid_near_freezing_day())

    report = await _backtest(hass, entry, start=_iso(start), end=_iso(start + 24 * HOUR))

    assert report["faults"] == []
    assert report["ticks"] >= 1400
    assert set(report["judged"]) == {
        "power_loss",
        "ice_buildup",
        "insufficient_heat",
        "abnormal_noise",
        "short_cycling",
    }
    assert report["options"] == {
        "sensitivity": "normal",
        "confirm_minutes": None,
        "clear_minutes": None,
    }


async def test_hours_home_assistant_was_stopped_are_not_judged(
    recorder_mock: Recorder, hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Between two recorder runs Home Assistant was off: no verdicts then, as live."""
    entry, start = await _recorded(hass, freezer, humid_near_freezing_day())

    def two_runs() -> None:
        with session_scope(hass=hass) as session:
            session.add_all(
                [
                    RecorderRuns(
                        start=datetime.fromtimestamp(start - HOUR, UTC),
                        end=datetime.fromtimestamp(start + 10 * HOUR, UTC),
                        closed_incorrect=False,
                    ),
                    RecorderRuns(
                        start=datetime.fromtimestamp(start + 14 * HOUR, UTC),
                        end=datetime.fromtimestamp(start + 25 * HOUR, UTC),
                        closed_incorrect=False,
                    ),
                ]
            )

    await recorder_mock.async_add_executor_job(two_runs)
    report = await _backtest(hass, entry, start=_iso(start), end=_iso(start + 24 * HOUR))

    assert report["not_running"] == [
        {"start": _iso(start + 10 * HOUR), "end": _iso(start + 14 * HOUR)}
    ]
    # Four hours fewer one-minute verdicts than the day has.
    assert 20 * 60 - 5 <= report["ticks"] <= 20 * 60 + 5
    assert report["faults"] == []


async def test_overrides_change_the_outcome_as_documented(
    recorder_mock: Recorder, hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    entry, start = await _recorded_trip(hass, freezer)
    period = {"start": _iso(start), "end": _iso(start + 13 * HOUR)}

    default = await _backtest(hass, entry, **period)
    patient = await _backtest(hass, entry, **period, confirm_minutes=120)
    eager = await _backtest(hass, entry, **period, confirm_minutes=0)

    # An hour of the trip: found as configured, not when two hours of
    # persistence are asked for, and sooner with none.
    assert [f["fault"] for f in default["faults"]] == ["power_loss"]
    assert patient["faults"] == []
    assert patient["options"]["confirm_minutes"] == 120
    assert eager["faults"][0]["confirmed"] < default["faults"][0]["confirmed"]


async def test_the_last_days_and_a_notification(
    recorder_mock: Recorder, hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    entry, start = await _recorded_trip(hass, freezer)
    report = await _backtest(hass, entry, days=1, notify=True)
    assert [f["fault"] for f in report["faults"]] == ["power_loss"]
    requested = {key: datetime.fromisoformat(value) for key, value in report["requested"].items()}
    assert requested["end"] - requested["start"] == timedelta(days=1)
    assert requested["end"].timestamp() == pytest.approx(start + 13 * HOUR, abs=60)
    notifications = hass.data["persistent_notification"]
    note = notifications[f"{DOMAIN}_backtest_{entry.entry_id}"]
    assert note["title"] == "Heat Pump Health backtest: Heat pump"
    message = note["message"]
    assert "**1. Power loss** (error)" in message
    assert "  - Make sure the isolator switch" in message  # each check an item of its own
    assert "- **What to check:**" in message
    # Markdown, not text indented into a code block.
    assert "\n    " not in message


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"config_entry_id": "nope"}, "unknown_entry"),
        (
            {"start": "2024-01-16T00:00:00+00:00", "end": "2024-01-15T00:00:00+00:00"},
            "end_before_start",
        ),
        (
            {"start": "2001-01-01T00:00:00+00:00", "end": "2001-01-02T00:00:00+00:00"},
            "no_history",
        ),
        ({"start": "2024-01-15T00:00:00+00:00", "days": 1}, "start_and_days"),
    ],
)
async def test_bad_arguments_are_refused_in_words(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    data: dict[str, Any],
    key: str,
) -> None:
    entry, _ = await _recorded_trip(hass, freezer, hours=1)
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN,
            SERVICE_BACKTEST,
            {"config_entry_id": entry.entry_id, **data},
            blocking=True,
            return_response=True,
        )
    assert caught.value.translation_key == key
    assert str(caught.value)  # the translated sentence, not an empty error


async def test_a_second_backtest_of_one_entry_is_refused_while_one_runs(
    recorder_mock: Recorder, hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    entry, start = await _recorded_trip(hass, freezer, hours=1)
    from custom_components.heat_pump_health import backtest  # noqa: PLC0415

    hass.data.setdefault(backtest._RUNNING, set()).add(entry.entry_id)
    with pytest.raises(ServiceValidationError) as caught:
        await _backtest(hass, entry, days=1)
    assert caught.value.translation_key == "backtest_running"
    hass.data[backtest._RUNNING].clear()
    report = await _backtest(hass, entry, start=_iso(start), end=_iso(start + HOUR))
    assert report["faults"] == []


async def test_without_the_recorder_the_action_says_so(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    scenario = breaker_trip()
    entry = await setup_entry(hass, entry_options(scenario))
    with pytest.raises(ServiceValidationError) as caught:
        await _backtest(hass, entry, days=1)
    assert caught.value.translation_key == "no_recorder"


async def test_an_unloaded_entry_is_refused(
    recorder_mock: Recorder, hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    scenario = breaker_trip()
    entry = await setup_entry(hass, entry_options(scenario))
    await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(ServiceValidationError) as caught:
        await _backtest(hass, entry, days=1)
    assert caught.value.translation_key == "entry_not_loaded"
