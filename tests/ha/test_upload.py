"""The upload view: a history export over real HTTP gives the command line's report."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import json
from pathlib import Path
from typing import Any

from aiohttp import FormData
from aiohttp.test_utils import TestClient
from heat_pump_sim.export import history_payload, to_history_csv, to_history_json
from heat_pump_sim.physics import replay_config, simulate
from heat_pump_sim.scenarios import breaker_trip
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.heat_pump_health import upload
from custom_components.heat_pump_health.replay import run
from scripts.harness.player import entry_options, setup_entry

HOUR = 3600.0
type ClientFactory = Callable[..., Awaitable[TestClient]]


def _minimal(records: list[Any]) -> str:
    """``/api/history/period?minimal_response``: only each list's first item is whole."""
    payload = history_payload(records)
    for states in payload:
        for item in states[1:]:
            for key in ("entity_id", "attributes", "last_updated"):
                item.pop(key, None)
    return json.dumps(payload)


@pytest.fixture
async def trip(hass: HomeAssistant) -> tuple[MockConfigEntry, list[Any], dict[str, Any]]:
    """An entry on a breaker trip's entities (the sources in their final states)."""
    scenario = breaker_trip()
    start = scenario.start.timestamp()
    records = [r for r in simulate(scenario) if r.last_updated <= start + 13 * HOUR]
    for record in records:
        hass.states.async_set(record.entity_id, record.state, record.attributes)
    entry = await setup_entry(hass, entry_options(scenario))
    return entry, records, replay_config(scenario)


def _url(entry_id: str) -> str:
    return f"/api/heat_pump_health/backtest/{entry_id}"


@pytest.mark.parametrize("form", ["csv", "json", "json_minimal"])
async def test_each_format_gives_the_command_lines_report(
    hass: HomeAssistant,
    hass_client: ClientFactory,
    trip: tuple[MockConfigEntry, list[Any], dict[str, Any]],
    tmp_path: Path,
    form: str,
) -> None:
    entry, records, sim_config = trip
    body = {
        "csv": to_history_csv,
        "json": to_history_json,
        "json_minimal": _minimal,
    }[form](records)
    history = tmp_path / f"history.{form}"
    history.write_text(body, encoding="utf-8")
    climate = sim_config["climate_entity"]
    # What the owner would write for the command line: the entry, and the
    # units a CSV lacks (a climate's are the system unit).
    units = sim_config["units"] if form == "csv" else {}
    config = tmp_path / "config.json"
    config.write_text(
        json.dumps(
            {
                **entry_options(breaker_trip()),
                "name": entry.title,
                "units": {**units, climate: "°C"},
            }
        )
    )
    expected = run(history, config)

    client = await hass_client()
    response = await client.post(_url(entry.entry_id), data=body.encode())
    assert response.status == 200, await response.text()
    report = await response.json()

    assert report.pop("history") == "the uploaded file"
    expected.pop("history")
    assert report == expected
    assert report["records"]["used"] > 1000
    if form != "csv":
        # A CSV has no thermostat action: an idle unit and a tripped one
        # both read 0 W, so only the JSON exports show the trip.
        assert [fault["fault"] for fault in report["faults"]] == ["power_loss"]


async def test_a_multipart_form_names_the_file(
    hass: HomeAssistant,
    hass_client: ClientFactory,
    trip: tuple[MockConfigEntry, list[Any], dict[str, Any]],
) -> None:
    entry, records, _ = trip
    form = FormData()
    form.add_field("file", to_history_json(records), filename="last-winter.json")
    client = await hass_client()
    response = await client.post(_url(entry.entry_id), data=form)
    assert response.status == 200
    report = await response.json()
    assert report["history"] == "last-winter.json"
    assert [fault["fault"] for fault in report["faults"]] == ["power_loss"]


async def test_refusals_are_one_sentence(
    hass: HomeAssistant,
    hass_client: ClientFactory,
    hass_read_only_access_token: str,
    trip: tuple[MockConfigEntry, list[Any], dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entry, records, _ = trip
    whole = to_history_json(records).encode()
    client = await hass_client()
    cases: dict[str, tuple[str, bytes, int, str]] = {
        "wrong entry": (_url("nope"), whole, 404, "No loaded Heat Pump Health entry"),
        "empty": (_url(entry.entry_id), b"", 400, "empty"),
        "truncated": (_url(entry.entry_id), whole[: len(whole) // 2], 400, "truncated"),
        "binary": (_url(entry.entry_id), b"\x89PNG\r\n\x1a\n\x00\x00", 400, "binary data"),
        "foreign": (_url(entry.entry_id), b"name,age\nx,1\n", 400, "not a Home Assistant"),
        "other entities": (
            _url(entry.entry_id),
            b"entity_id,state,last_changed\nsensor.x,1,2024-01-15T00:00:00Z\n",
            400,
            "None of this heat pump's sources",
        ),
    }
    for name, (url, body, status, words) in cases.items():
        response = await client.post(url, data=body)
        answer = await response.json()
        assert response.status == status, name
        assert words in answer["message"], name
        assert "Traceback" not in answer["message"]
        assert answer["message"].count("\n") == 0

    monkeypatch.setattr(upload, "MAX_UPLOAD_BYTES", 1000)
    response = await client.post(_url(entry.entry_id), data=whole)
    assert response.status == 413
    assert "larger than" in (await response.json())["message"]

    reader = await hass_client(hass_read_only_access_token)
    response = await reader.post(_url(entry.entry_id), data=whole)
    assert response.status == 403
    assert "administrator" in (await response.json())["message"]


async def test_a_second_upload_while_one_runs_is_refused(
    hass: HomeAssistant,
    hass_client: ClientFactory,
    trip: tuple[MockConfigEntry, list[Any], dict[str, Any]],
) -> None:
    from custom_components.heat_pump_health import backtest  # noqa: PLC0415

    entry, records, _ = trip
    hass.data.setdefault(backtest._RUNNING, set()).add(entry.entry_id)
    client = await hass_client()
    response = await client.post(_url(entry.entry_id), data=to_history_json(records))
    assert response.status == 409
    assert "already running" in (await response.json())["message"]
