"""Read Home Assistant history exports for the replay tool.

Two formats, told apart by their content rather than their file name:

* the history panel's "Download data" CSV, header ``entity_id,state,last_changed``
  (timestamps ISO 8601; naive ones are taken as UTC);
* the JSON that ``GET /api/history/period`` returns: a list with one list of
  state objects per entity.  With ``minimal_response`` only the first object
  of each list carries ``entity_id`` and ``attributes``; the others carry
  ``state`` and ``last_changed`` and inherit the rest.

Every problem with a file surfaces as one ``HistoryError`` whose message names
the file and what is wrong with it (with the line for a CSV).
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator, Mapping
import csv
from dataclasses import dataclass
from datetime import UTC, datetime
import io
import json
import math
import os
from pathlib import Path
from typing import Any, Final

CSV_HEADER: Final = ("entity_id", "state", "last_changed")
# How much of a file is read to tell the formats apart.
_SNIFF_BYTES: Final = 4096
# A JSON export is decoded whole; past this size (several years of one-minute
# history for a heat pump's eight entities) it would take gigabytes of memory.
# The CSV download is streamed and has no such limit.
MAX_JSON_BYTES: Final = 1 << 30
_EMPTY_ATTRIBUTES: Final[Mapping[str, Any]] = {}


class HistoryError(Exception):
    """A history file is missing, empty, truncated or not in a known format."""


@dataclass(frozen=True, slots=True)
class StateRecord:
    """One recorded state of one entity; times are UTC epoch seconds.

    ``last_updated`` is when the record took effect: an attribute-only update
    keeps ``last_changed`` and moves ``last_updated``.
    """

    entity_id: str
    state: str
    attributes: Mapping[str, Any]
    last_changed: float
    last_updated: float


# A record as a plain tuple, in StateRecord's field order: ten times cheaper
# to build than the dataclass, which matters at 100,000 records.
type Row = tuple[str, str, Mapping[str, Any], float, float]


@dataclass(frozen=True, slots=True)
class History:
    """A parsed export: its records (as rows) and what was left out."""

    rows: list[Row]
    # "csv" or "json"
    format: str
    # Records of entities outside ``entities`` (not built, not fully checked).
    skipped: int = 0

    @property
    def records(self) -> list[StateRecord]:
        """The rows as ``StateRecord`` objects."""
        return [StateRecord(*row) for row in self.rows]


def load_history(path: str | os.PathLike[str]) -> list[StateRecord]:
    """Read a history export (CSV or JSON, detected by content)."""
    return read_history(path).records


def parse_history(data: str | bytes, *, source: str = "<history>") -> list[StateRecord]:
    """Parse the content of a history export; ``source`` names it in errors."""
    return parse_history_rows(data, source=source).records


def parse_history_rows(
    data: str | bytes, *, source: str = "<history>", entities: Container[str] | None = None
) -> History:
    """Parse an export held in memory (an upload), keeping only ``entities`` when given."""
    raw = data.encode() if isinstance(data, str) else data
    if _detect(raw[:_SNIFF_BYTES], source) == "json":
        return _parse_json_bytes(raw, source, entities)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise HistoryError(_not_utf8(source, err)) from None
    return _parse_csv_lines(io.StringIO(text, newline=""), source, entities)


def read_history(
    path: str | os.PathLike[str], *, entities: Container[str] | None = None
) -> History:
    """Read a history export, keeping only ``entities`` when given.

    Leaving out the entities nobody asked for before building records is what
    keeps a replay of a whole-house export fast.
    """
    name = os.fspath(path)
    try:
        with Path(name).open("rb") as file:
            head = file.read(_SNIFF_BYTES)
            kind = _detect(head, name)
            file.seek(0)
            if kind == "json":
                size = os.fstat(file.fileno()).st_size
                if size > MAX_JSON_BYTES:
                    raise HistoryError(
                        f"{name}: {size / (1 << 30):.1f} GiB of JSON is more than the "
                        f"{MAX_JSON_BYTES >> 30} GiB a replay decodes at once; export a "
                        "shorter period, or use the history panel's CSV download"
                    )
                return _parse_json_bytes(file.read(), name, entities)
            # Streamed: a CSV export of a long period can be large.
            text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
            return _parse_csv_lines(text, name, entities)
    except FileNotFoundError:
        raise HistoryError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise HistoryError(f"{name}: is a directory, not a history file") from None
    except PermissionError:
        raise HistoryError(f"{name}: permission denied") from None
    except UnicodeDecodeError as err:
        raise HistoryError(_not_utf8(name, err)) from None
    except MemoryError:
        raise HistoryError(f"{name}: too large to read into memory") from None
    except OSError as err:
        raise HistoryError(f"{name}: cannot be read ({err.strerror or err})") from None


def _not_utf8(source: str, err: UnicodeDecodeError) -> str:
    return f"{source}: not UTF-8 text ({err.reason}), not a history export"


def _detect(head: bytes, source: str) -> str:
    """Tell the formats apart from the first bytes of a file."""
    stripped = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not stripped:
        raise HistoryError(f"{source}: the file is empty")
    if stripped[:1] in (b"[", b"{"):
        return "json"
    first_line = stripped.split(b"\n", 1)[0].rstrip(b"\r")
    fields = [
        field.strip().strip(b'"').decode("ascii", "replace") for field in first_line.split(b",")
    ]
    if tuple(fields[:3]) == CSV_HEADER:
        return "csv"
    if b"\0" in head:
        kind = "binary data"
    else:
        kind = f"first line {first_line[:60].decode('utf-8', 'replace')!r}"
    raise HistoryError(
        f"{source}: not a Home Assistant history export ({kind}); expected the history "
        "panel's CSV (header entity_id,state,last_changed) or the JSON of /api/history/period"
    )


class _Timestamps(dict[str, float]):
    """ISO 8601 text to epoch seconds, each distinct string parsed once.

    Exports repeat timestamps a lot (entities reported in the same second,
    ``last_updated`` equal to ``last_changed``), so the cache pays for
    itself; being a dict, hot loops call its ``get`` directly.
    """

    def __missing__(self, text: str) -> float:
        moment = datetime.fromisoformat(text)  # ValueError for the caller
        if moment.tzinfo is None:
            # The history panel writes UTC ("Z"); a hand-edited file without a
            # zone is taken as UTC too, never as the local zone of the machine.
            moment = moment.replace(tzinfo=UTC)
        value = moment.timestamp()
        self[text] = value
        return value


def _parse_csv_lines(lines: Iterable[str], source: str, entities: Container[str] | None) -> History:
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
    except csv.Error as err:
        raise HistoryError(f"{source}: line 1: malformed CSV ({err})") from None
    if header is None or tuple(field.strip() for field in header[:3]) != CSV_HEADER:
        raise HistoryError(f"{source}: line 1: expected the header entity_id,state,last_changed")
    width = len(header)
    times = _Timestamps()
    records: list[Row] = []
    append = records.append
    skipped = 0
    rows: Iterator[list[str]] = iter(reader)
    while True:
        try:
            row = next(rows, None)
        except csv.Error as err:
            raise HistoryError(f"{source}: line {reader.line_num}: malformed CSV ({err})") from None
        if row is None:
            break
        if not row:
            continue  # blank line
        try:
            entity_id, state, changed = row if len(row) == 3 else _csv_fields(row, width)
            if entities is not None and entity_id not in entities:
                skipped += 1
                continue
            if "." not in entity_id:
                raise ValueError(f"{entity_id[:60]!r} is not an entity id")
            try:
                at = times[changed]
            except ValueError:
                raise ValueError(f"{changed[:60]!r} is not an ISO 8601 time") from None
        except ValueError as err:
            raise HistoryError(f"{source}: line {reader.line_num}: {err}") from None
        # The panel's CSV has no attributes and no last_updated.
        append((entity_id, state, _EMPTY_ATTRIBUTES, at, at))
    if not records and not skipped:
        raise HistoryError(f"{source}: no state records after the header")
    return History(records, "csv", skipped)


def _csv_fields(row: list[str], width: int) -> tuple[str, str, str]:
    """Pick entity, state and time from a row that is not a plain triple."""
    if width == 3 and len(row) > 3:
        # The panel writes states unquoted, so a text state with a comma
        # spills over: the entity is first and the time last.
        return row[0], ",".join(row[1:-1]), row[-1]
    if len(row) == width:
        return row[0], row[1], row[2]
    raise ValueError(f"expected {width} fields (entity_id,state,last_changed), found {len(row)}")


def _parse_json_bytes(raw: bytes, source: str, entities: Container[str] | None) -> History:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as err:
        # A download cut short ends inside a value: the parser runs off the end.
        truncated = err.pos >= len(raw.rstrip()) or err.msg.startswith("Unterminated string")
        hint = " (truncated?)" if truncated else ""
        raise HistoryError(
            f"{source}: not valid JSON{hint}: {err.msg} (line {err.lineno}, column {err.colno})"
        ) from None
    except UnicodeDecodeError as err:
        raise HistoryError(_not_utf8(source, err)) from None
    except RecursionError:
        raise HistoryError(f"{source}: JSON nested too deeply") from None
    return _convert_json(data, source, entities)


def parse_history_json(data: Any, *, source: str = "<history>") -> list[StateRecord]:
    """Convert an already decoded ``/api/history/period`` response."""
    return _convert_json(data, source, None).records


def _convert_json(data: Any, source: str, entities: Container[str] | None) -> History:
    if not isinstance(data, list):
        raise HistoryError(
            f"{source}: expected a JSON list of per-entity lists (GET /api/history/period), "
            f"found {type(data).__name__}"
        )
    times = _Timestamps()
    records: list[Row] = []
    skipped = 0
    for index, states in enumerate(data, 1):
        if not isinstance(states, list):
            raise HistoryError(
                f"{source}: entry {index} is a {type(states).__name__}, "
                "expected a list of state objects"
            )
        if entities is not None and states:
            first = states[0]
            owner = first.get("entity_id") if isinstance(first, dict) else None
            if isinstance(owner, str) and owner not in entities:
                skipped += len(states)
                continue
        try:
            records += _entity_records(states, times)
        except _ItemError as err:
            raise HistoryError(
                f"{source}: entry {index}, state {err.position}: {err.problem}"
            ) from None
    if not records and not skipped:
        raise HistoryError(f"{source}: no state records")
    return History(records, "json", skipped)


class _ItemError(Exception):
    def __init__(self, position: int, problem: str) -> None:
        super().__init__(position, problem)
        self.position = position
        self.problem = problem


def _entity_records(states: list[Any], times: _Timestamps) -> list[Row]:
    """Build the rows of one entity's list; the hot loop of a JSON replay.

    The fast path handles what Home Assistant writes (full or minimal
    response); anything else goes through ``_json_record``, which either
    accepts it (bare numbers, epoch times) or says what is wrong.
    """
    records: list[Row] = []
    append = records.append
    lookup = times.get
    previous: Row | None = None
    entity_id: Any = None
    attributes: Any = _EMPTY_ATTRIBUTES
    for position, item in enumerate(states, 1):
        try:
            # minimal_response: later items inherit entity_id and attributes.
            entity_id = item.get("entity_id", entity_id)
            attributes = item.get("attributes", attributes)
            state = item["state"]
            changed = item["last_changed"]
            updated = item.get("last_updated", changed)
            changed_at = lookup(changed)
            updated_at = changed_at if updated == changed else lookup(updated)
        except AttributeError, KeyError, TypeError:
            changed_at = updated_at = None
        if (
            changed_at is None
            or updated_at is None
            or type(state) is not str
            or type(entity_id) is not str
            or type(attributes) is not dict
            or "." not in entity_id
        ):
            # First sight of a timestamp, or something unusual: the careful path.
            try:
                record = _json_record(item, previous, times)
            except ValueError as err:
                raise _ItemError(position, str(err)) from None
            entity_id, _, attributes, _, _ = record
        else:
            record = (entity_id, state, attributes, changed_at, updated_at)
        append(record)
        previous = record
    return records


def _json_record(item: Any, previous: Row | None, times: _Timestamps) -> Row:
    """Build one record; with minimal_response, inherit from the previous one."""
    if not isinstance(item, dict):
        raise ValueError(f"expected an object, found {type(item).__name__}")
    entity_id = item.get("entity_id")
    if entity_id is None:
        if previous is None:
            raise ValueError("no entity_id")
        entity_id = previous[0]
    elif not isinstance(entity_id, str) or "." not in entity_id:
        raise ValueError(f"{entity_id!r} is not an entity id")
    attributes = item.get("attributes")
    if attributes is None:
        attributes = _EMPTY_ATTRIBUTES if previous is None else previous[2]
    elif not isinstance(attributes, dict):
        raise ValueError("attributes is not an object")
    state = item.get("state")
    if not isinstance(state, str):
        if isinstance(state, bool) or not isinstance(state, int | float):
            raise ValueError("no state string")
        state = str(state)  # a hand-made file with bare numbers
    changed = item.get("last_changed")
    updated = item.get("last_updated", changed)
    try:
        changed_at = _time(changed, times)
        updated_at = changed_at if updated is changed else _time(updated, times)
    except TypeError, ValueError:
        raise ValueError("missing or invalid last_changed/last_updated") from None
    return (entity_id, state, attributes, changed_at, updated_at)


def _time(value: Any, times: _Timestamps) -> float:
    if isinstance(value, str):
        return times[value]
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)  # epoch seconds, as some tools write them
    raise TypeError(value)
