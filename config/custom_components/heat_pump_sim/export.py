"""Export simulated records in the shapes Home Assistant hands out.

- :func:`to_history_json`: the body of ``GET /api/history/period`` (without
  ``minimal_response``): one list per entity, each state a full object with
  ISO 8601 timestamps in UTC (``+00:00``).
- :func:`to_history_csv`: the history panel's "Download data" file, built
  like the frontend builds it: a ``entity_id,state,last_changed`` header,
  entities with a unit (line charts) before the others (timelines), and
  JavaScript ``toISOString()`` timestamps (millisecond precision, ``Z``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
import json
from typing import Any

from .physics import StateRecord


def iso_utc(epoch: float) -> str:
    """Python's isoformat, as Home Assistant's JSON encoder writes datetimes."""
    return datetime.fromtimestamp(epoch, UTC).isoformat()


def js_iso(epoch: float) -> str:
    """``new Date(ms).toISOString()``: milliseconds and a ``Z``."""
    stamp = datetime.fromtimestamp(round(epoch * 1000) / 1000, UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def _by_entity(records: Iterable[StateRecord]) -> dict[str, list[StateRecord]]:
    grouped: dict[str, list[StateRecord]] = {}
    for record in records:
        grouped.setdefault(record.entity_id, []).append(record)
    for rows in grouped.values():
        rows.sort(key=lambda r: r.last_updated)
    return grouped


def history_payload(records: Iterable[StateRecord]) -> list[list[dict[str, Any]]]:
    """The history API's structure, before JSON encoding."""
    return [
        [
            {
                "entity_id": r.entity_id,
                "state": r.state,
                "attributes": r.attributes,
                "last_changed": iso_utc(r.last_changed),
                "last_updated": iso_utc(r.last_updated),
            }
            for r in rows
        ]
        for rows in _by_entity(records).values()
    ]


def to_history_json(records: Iterable[StateRecord]) -> str:
    """What ``/api/history/period`` returns for these records."""
    return json.dumps(history_payload(records), ensure_ascii=False)


def to_history_csv(records: Iterable[StateRecord]) -> str:
    """The history panel's CSV download for these records."""
    grouped = _by_entity(records)

    def is_line(rows: list[StateRecord]) -> bool:
        # The frontend draws numeric entities with a unit, and climate
        # entities, as line charts and lists them first.
        first = rows[0]
        return first.entity_id.startswith("climate.") or any(
            "unit_of_measurement" in r.attributes for r in rows
        )

    lines = ["entity_id,state,last_changed\n"]
    ordered = [rows for rows in grouped.values() if is_line(rows)]
    ordered += [rows for rows in grouped.values() if not is_line(rows)]
    for rows in ordered:
        lines.extend(
            f"{r.entity_id},{r.state},{js_iso(r.last_changed)}\n"
            for r in rows
            # Attribute-only updates share last_changed; the panel's data
            # holds one point per state change.
            if r.last_changed == r.last_updated
        )
    return "".join(lines)


# How long writing one entity's state takes in a poll's update, seconds.
_WRITE_S = 0.002


def polled(
    records: Iterable[StateRecord], interval_s: float, *, phase_s: float = 0.0
) -> list[StateRecord]:
    """The records a polling (cloud) integration leaves: each entity read every ``interval_s``.

    Home Assistant records a state only when it changes, so a value that
    held between two polls leaves no record, and a change that came and went
    between two polls (a short defrost, a car passing) leaves none at all.
    The entities of one poll are written one after the other, so their
    records are a few milliseconds apart, never at one instant.
    """
    grouped = _by_entity(records)
    if not grouped:
        return []
    first = min(rows[0].last_updated for rows in grouped.values())
    last = max(rows[-1].last_updated for rows in grouped.values())
    out: list[StateRecord] = []
    for order, (entity_id, rows) in enumerate(grouped.items()):
        written = order * _WRITE_S
        index = 0
        current: StateRecord | None = None
        shown: tuple[str, dict[str, Any]] | None = None
        poll = first + phase_s
        while poll <= last:
            while index < len(rows) and rows[index].last_updated <= poll:
                current = rows[index]
                index += 1
            if current is not None and (current.state, current.attributes) != shown:
                shown = (current.state, current.attributes)
                at = poll + written
                out.append(StateRecord(entity_id, current.state, current.attributes, at, at))
            poll += interval_s
    out.sort(key=lambda record: record.last_updated)
    return out


def without_action(records: Iterable[StateRecord], entity_id: str) -> list[StateRecord]:
    """Drop the climate entity's ``hvac_action``, as Daikin Onecta's climate reports none.

    A record that changed only in its action then says nothing new, and
    Home Assistant would not have recorded it.
    """
    out: list[StateRecord] = []
    shown: tuple[str, dict[str, Any]] | None = None
    for record in sorted(records, key=lambda record: record.last_updated):
        if record.entity_id != entity_id:
            out.append(record)
            continue
        attributes = {
            key: value for key, value in record.attributes.items() if key != "hvac_action"
        }
        if (record.state, attributes) == shown:
            continue
        shown = (record.state, attributes)
        out.append(replace(record, attributes=attributes))
    return out


def as_energy_counter(
    records: Iterable[StateRecord],
    entity_id: str,
    *,
    step_kwh: float = 0.1,
    daily_reset: bool = True,
    tick_s: float = 60.0,
) -> list[StateRecord]:
    """Replace a power sensor's records by an energy counter's, as cloud integrations report it.

    The counter integrates the power (every ``tick_s``), shows whole steps of
    ``step_kwh`` (the resolution of Daikin's, MELCloud's or ViCare's
    consumption figures) and, with ``daily_reset``, starts from 0 at
    midnight UTC.
    """
    ordered = sorted(records, key=lambda record: record.last_updated)
    power = [record for record in ordered if record.entity_id == entity_id]
    out = [record for record in ordered if record.entity_id != entity_id]
    if not power:
        return out
    attributes = {
        "unit_of_measurement": "kWh",
        "device_class": "energy",
        "state_class": "total_increasing",
    }
    energy_kwh = 0.0
    watts = 0.0
    shown: float | None = None
    day: int | None = None
    index = 0
    at = power[0].last_updated
    end = ordered[-1].last_updated
    while at <= end:
        while index < len(power) and power[index].last_updated <= at:
            record = power[index]
            factor = 1000.0 if record.attributes.get("unit_of_measurement") == "kW" else 1.0
            try:
                watts = float(record.state) * factor
            except ValueError:
                watts = 0.0
            index += 1
        if daily_reset and day != int(at // 86400):
            day = int(at // 86400)
            energy_kwh = 0.0
        value = round(int(energy_kwh / step_kwh + 1e-9) * step_kwh, 3)
        if value != shown:
            shown = value
            out.append(StateRecord(entity_id, f"{value:.1f}", attributes, at, at))
        energy_kwh += watts * tick_s / 3_600_000.0
        at += tick_s
    out.sort(key=lambda record: record.last_updated)
    return out
