"""Reading the history panel's CSV and the /api/history/period JSON."""

from __future__ import annotations

from datetime import UTC, datetime
import json
from pathlib import Path
import re
from typing import Any

import pytest

from custom_components.heat_pump_health.history import (
    MAX_JSON_BYTES,
    HistoryError,
    StateRecord,
    load_history,
    parse_history,
    parse_history_json,
    read_history,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# 1 PNG pixel's header: what a user might pick by mistake.
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def ts(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def test_csv_from_the_history_panel() -> None:
    records = load_history(FIXTURES / "panel.csv")
    assert records[0] == StateRecord(
        "sensor.heat_pump_power", "1520", {}, ts("2024-01-15T06:00:00"), ts("2024-01-15T06:00:00")
    )
    assert [r.state for r in records if r.entity_id == "binary_sensor.defrost"] == ["off", "on"]
    assert {r.entity_id for r in records} >= {"sensor.kitchen_light_power"}


def test_csv_timestamps_naive_aware_and_z() -> None:
    text = (
        "entity_id,state,last_changed\n"
        "sensor.a,1,2024-01-15T06:00:00.000Z\n"
        "sensor.a,2,2024-01-15T06:01:00\n"
        "sensor.a,3,2024-01-15T08:02:00+01:00\n"
        "sensor.a,4,2024-01-15 06:03:00.250000+00:00\n"
    )
    times = [r.last_changed for r in parse_history(text)]
    assert times == [
        ts("2024-01-15T06:00:00"),
        ts("2024-01-15T06:01:00"),  # naive: UTC, not the machine's zone
        ts("2024-01-15T07:02:00"),
        ts("2024-01-15T06:03:00.25"),
    ]


def test_csv_quirks_bom_crlf_blank_lines_and_commas_in_states() -> None:
    text = (
        "\ufeffentity_id,state,last_changed\r\n"
        "sensor.mode,heating, boosted,2024-01-15T06:00:00Z\r\n"
        "\r\n"
        'sensor.quoted,"a,b",2024-01-15T06:01:00Z\r\n'
    )
    records = parse_history(text.encode())
    assert [r.state for r in records] == ["heating, boosted", "a,b"]


def test_csv_with_extra_columns() -> None:
    text = "entity_id,state,last_changed,note\nsensor.a,1,2024-01-15T06:00:00Z,x\n"
    assert parse_history(text)[0].state == "1"


def test_json_full_response() -> None:
    records = load_history(FIXTURES / "api_full.json")
    power = [r for r in records if r.entity_id == "sensor.heat_pump_power"]
    assert [r.state for r in power] == ["1.52", "unavailable", "1.61"]
    assert power[0].attributes["unit_of_measurement"] == "kW"


def test_json_attribute_only_update_takes_effect_at_last_updated() -> None:
    records = load_history(FIXTURES / "api_full.json")
    climate = [r for r in records if r.entity_id == "climate.heat_pump"]
    assert [r.attributes["hvac_action"] for r in climate] == ["heating", "defrosting"]
    assert climate[1].last_changed == climate[0].last_changed
    assert climate[1].last_updated == ts("2024-01-15T06:20:00.123456")


def test_json_minimal_response_inherits_entity_and_attributes() -> None:
    records = load_history(FIXTURES / "api_minimal.json")
    outdoor = [r for r in records if r.entity_id == "sensor.outdoor_temperature"]
    assert [r.state for r in outdoor] == ["28.4", "28.1", "27.9"]
    assert all(r.attributes["unit_of_measurement"] == "°F" for r in outdoor)
    # Without last_updated, a record takes effect when it changed.
    assert outdoor[1].last_updated == outdoor[1].last_changed == ts("2024-01-15T06:05:00")


def test_json_tolerates_numbers_and_epoch_times() -> None:
    data = [[{"entity_id": "sensor.a", "state": 12, "last_changed": 1705298400}]]
    assert parse_history_json(data) == [
        StateRecord("sensor.a", "12", {}, 1705298400.0, 1705298400.0)
    ]
    text = json.dumps(data)
    assert parse_history(text)[0].state == "12"


def test_json_empty_entity_lists_are_fine() -> None:
    data = '[[], [{"entity_id": "sensor.a", "state": "1", "last_changed": "2024-01-15T06:00:00Z"}]]'
    assert len(parse_history(data)) == 1


def test_read_history_filters_entities(tmp_path: Path) -> None:
    loaded = read_history(FIXTURES / "api_full.json", entities={"sensor.heat_pump_power"})
    assert loaded.format == "json"
    assert {row[0] for row in loaded.rows} == {"sensor.heat_pump_power"}
    assert loaded.skipped > 0
    csv_loaded = read_history(FIXTURES / "panel.csv", entities={"binary_sensor.defrost"})
    assert csv_loaded.format == "csv"
    assert [r.state for r in csv_loaded.records] == ["off", "on"]
    assert csv_loaded.skipped > 0


def test_parse_a_week(tmp_path: Path) -> None:
    # One-minute history of nine entities for a week (~90k records).
    start = ts("2024-01-15T00:00:00")
    lists = [
        [
            {
                "entity_id": f"sensor.s{entity}",
                "state": str(minute % 50),
                "attributes": {"unit_of_measurement": "W", "friendly_name": f"S{entity}"},
                "last_changed": datetime.fromtimestamp(
                    start + minute * 60 + entity, UTC
                ).isoformat(),
                "last_updated": datetime.fromtimestamp(
                    start + minute * 60 + entity, UTC
                ).isoformat(),
            }
            for minute in range(7 * 1440)
        ]
        for entity in range(9)
    ]
    path = tmp_path / "week.json"
    path.write_text(json.dumps(lists))
    # How fast is for scripts/bench to say; here only that it is complete.
    assert len(load_history(path)) == 9 * 7 * 1440


# --- errors: one HistoryError naming the file and the problem ----------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"  \n\n", "the file is empty"),
        (PNG, "not a Home Assistant history export (binary data)"),
        (b"time,value\n1,2\n", "not a Home Assistant history export (first line 'time,value')"),
        (b"entity_id,state,last_changed\n", "no state records after the header"),
        (b"[]", "no state records"),
        (b"[[]]", "no state records"),
        (b'{"sensor.a": []}', "expected a JSON list of per-entity lists"),
        (b'[{"entity_id": "sensor.a"}]', "entry 1 is a dict, expected a list"),
        (b'[[{"entity_id": "sensor.a", "state": "1", "last_chan', "not valid JSON (truncated?)"),
        (b'[[{"state": "1", "last_changed": "2024-01-15T06:00:00Z"}]]', "state 1: no entity_id"),
        (b'[[{"entity_id": "a", "state": "1"}]]', "'a' is not an entity id"),
        (b'[[{"entity_id": "sensor.a", "last_changed": "2024-01-15"}]]', "no state string"),
        (
            b'[[{"entity_id": "sensor.a", "state": "1", "last_changed": "yesterday"}]]',
            "missing or invalid last_changed",
        ),
        (
            b'[[{"entity_id": "sensor.a", "state": "1", "attributes": [],'
            b' "last_changed": "2024-01-15"}]]',
            "attributes is not an object",
        ),
        (b"[[1]]", "entry 1, state 1: expected an object, found int"),
        (b"[" * 100_000, "JSON nested too deeply"),
        (b"\xef\xbb\xbf[\xff]", "not UTF-8 text"),
    ],
    ids=lambda value: str(value)[:40],
)
def test_unusable_content(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "history.json"
    path.write_bytes(content)
    with pytest.raises(HistoryError) as caught:
        load_history(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("rows", "line", "message"),
    [
        ("sensor.a,1\n", 2, "expected 3 fields (entity_id,state,last_changed), found 2"),
        (
            "sensor.a,1,2024-01-15T06:00:00Z\nnot_an_entity,1,2024-01-15T06:00:00Z\n",
            3,
            "is not an entity id",
        ),
        (
            "sensor.a,1,2024-01-15T06:00:00Z\nsensor.a,2,2024-01-15T06:0",
            3,
            "is not an ISO 8601 time",
        ),
        ('sensor.a,"unterminated,2024-01-15T06:00:00Z\n', 2, "found 2"),
        ('sensor.a,"' + "x" * 200_000 + '",2024-01-15T06:00:00Z\n', 2, "malformed CSV"),
    ],
    ids=lambda value: str(value)[:40],
)
def test_malformed_csv_names_the_line(tmp_path: Path, rows: str, line: int, message: str) -> None:
    path = tmp_path / "history.csv"
    path.write_text("entity_id,state,last_changed\n" + rows)
    with pytest.raises(HistoryError, match=rf"^{path}: line {line}: .*{re.escape(message)}"):
        load_history(path)


def test_csv_with_wrong_width_for_a_wider_header() -> None:
    with pytest.raises(HistoryError, match="line 2: expected 4 fields"):
        parse_history(
            "entity_id,state,last_changed,x\nsensor.a,1,2024-01-15T06:00:00Z\n"[:-1] + ",y,z\n"
        )


def test_header_not_first(tmp_path: Path) -> None:
    with pytest.raises(HistoryError, match="not a Home Assistant history export"):
        parse_history("\nstate,entity_id\n", source="x.csv")


def test_csv_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"entity_id,state,last_changed\nsensor.a,\xe9t\xe9,2024-01-15T06:00:00Z\n")
    with pytest.raises(HistoryError, match=r"not UTF-8 text"):
        load_history(path)
    with pytest.raises(HistoryError, match=r"^mem: not UTF-8 text"):
        parse_history(path.read_bytes(), source="mem")


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(HistoryError, match=r"missing\.json: no such file$"):
        load_history(tmp_path / "missing.json")
    with pytest.raises(HistoryError, match="is a directory"):
        load_history(tmp_path)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "history.csv"
    path.write_text("entity_id,state,last_changed\n")

    def denied(*_: Any, **__: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", denied)
    with pytest.raises(HistoryError, match="permission denied"):
        load_history(path)

    def broken(*_: Any, **__: Any) -> Any:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(Path, "open", broken)
    with pytest.raises(HistoryError, match=r"cannot be read \(Input/output error\)"):
        load_history(path)


def test_html_page_is_not_an_export(tmp_path: Path) -> None:
    """Saving the history page instead of downloading the data."""
    path = tmp_path / "history.csv"
    path.write_text("<!DOCTYPE html>\n<html><head><title>Home Assistant</title></head></html>\n")
    with pytest.raises(HistoryError, match="not a Home Assistant history export"):
        load_history(path)


def test_huge_json_is_refused_before_reading(tmp_path: Path) -> None:
    """Sparse, so the test writes almost nothing; the size alone decides."""
    path = tmp_path / "huge.json"
    with path.open("wb") as file:
        file.write(b"[[")
        file.truncate(MAX_JSON_BYTES + 1)
    with pytest.raises(HistoryError, match="GiB of JSON is more than") as caught:
        load_history(path)
    assert "\n" not in str(caught.value)


def test_large_csv_is_streamed(tmp_path: Path) -> None:
    """A large CSV (here ~30 MB, a year of one sensor a minute) reads completely."""
    path = tmp_path / "year.csv"
    start = ts("2024-01-01T00:00:00")
    with path.open("w", encoding="utf-8") as file:
        file.write("entity_id,state,last_changed\n")
        for minute in range(366 * 1440):
            stamp = datetime.fromtimestamp(start + 60 * minute, UTC).isoformat()
            file.write(f"sensor.hp_power,{minute % 900},{stamp}\n")
    assert len(load_history(path)) == 366 * 1440
