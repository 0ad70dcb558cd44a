"""Turn a NIST HILFT heat pump day into a Home Assistant history export.

The data (``tests/data/nist_hilft_ashp``, MIT licence, see its README) has one
row a minute.  A Home Assistant user watching that unit would have:

* ``sensor.heat_pump_power`` (W), metered either for the whole unit
  (``id_power + od_power``) or for the outdoor unit only (``od_power``);
* ``sensor.outdoor_temperature`` (°F, ``oa_temp``);
* ``sensor.heat_pump_supply_temperature`` (°F, ``sa_temp``, supply air);
* ``sensor.living_room_temperature`` (°F, ``zn_temp``; the zone stands in for
  the return air);
* ``climate.heat_pump``: the thermostat, in ``heat_cool`` (both set points,
  ``zn_temp_hspt`` / ``zn_temp_cspt``) or ``cool`` (the cooling one), with
  ``hvac_action`` ``cooling`` while a compressor stage runs and ``idle``
  otherwise, and ``current_temperature`` the zone.

Home Assistant records a state only when it changes, so only changes become
records: a changed state moves ``last_changed`` and ``last_updated``, a
changed attribute of the climate entity only ``last_updated``.

Time: the files carry no year and no zone.  The days are taken as 2023 (the
year of the measurements) and the clock as UTC.  "24:00:00" is the end of
the day, i.e. midnight of the next one.
"""

from __future__ import annotations

from collections.abc import Iterator
import csv
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
from typing import Any, Literal

DATA = Path(__file__).resolve().parents[2] / "tests" / "data" / "nist_hilft_ashp"
DAYS = {
    "new_york_shoulder": DATA / "NewYorkCity_Eff_TypShldr_data.csv",
    "tucson_winter": DATA / "Tucson_Eff_ExtrmWin_data.csv",
}
YEAR = 2023

POWER = "sensor.heat_pump_power"
OUTDOOR = "sensor.outdoor_temperature"
SUPPLY = "sensor.heat_pump_supply_temperature"
ZONE = "sensor.living_room_temperature"
CLIMATE = "climate.heat_pump"

type Metering = Literal["whole", "outdoor"]
type ClimateMode = Literal["heat_cool", "cool"]

_SENSOR_ATTRIBUTES: dict[str, dict[str, Any]] = {
    POWER: {
        "state_class": "measurement",
        "unit_of_measurement": "W",
        "device_class": "power",
        "friendly_name": "Heat pump power",
    },
    OUTDOOR: {
        "state_class": "measurement",
        "unit_of_measurement": "°F",
        "device_class": "temperature",
        "friendly_name": "Outdoor temperature",
    },
    SUPPLY: {
        "state_class": "measurement",
        "unit_of_measurement": "°F",
        "device_class": "temperature",
        "friendly_name": "Heat pump supply temperature",
    },
    ZONE: {
        "state_class": "measurement",
        "unit_of_measurement": "°F",
        "device_class": "temperature",
        "friendly_name": "Living room temperature",
    },
}


@dataclass(frozen=True, slots=True)
class Change:
    """One recorded state, as Home Assistant keeps it."""

    state: str
    attributes: dict[str, Any]
    last_changed: datetime
    last_updated: datetime


def parse_time(text: str) -> datetime:
    """``"10/16  00:01:00"`` -> 2023-10-16 00:01 UTC; 24:00:00 is next midnight."""
    date_part, time_part = text.split()
    month, day = (int(part) for part in date_part.split("/"))
    hours, minutes, seconds = (int(part) for part in time_part.split(":"))
    midnight = datetime(YEAR, month, day, tzinfo=UTC)
    return midnight + timedelta(hours=hours, minutes=minutes, seconds=seconds)


def _number(text: str) -> str:
    """A reading as a sensor would show it: integers without a decimal point."""
    value = float(text)
    return str(int(value)) if value.is_integer() else str(value)


def _rows(day: str) -> Iterator[dict[str, str]]:
    with DAYS[day].open(newline="", encoding="utf-8") as file:
        yield from csv.DictReader(file)


def history(
    day: str, *, metering: Metering, climate_mode: ClimateMode = "heat_cool"
) -> dict[str, list[Change]]:
    """The recorded changes of every entity over one NIST day."""
    changes: dict[str, list[Change]] = {entity: [] for entity in (*_SENSOR_ATTRIBUTES, CLIMATE)}
    for row in _rows(day):
        at = parse_time(row["date_time"])
        power = float(row["od_power"])
        if metering == "whole":
            power += float(row["id_power"])
        states: dict[str, tuple[str, dict[str, Any]]] = {
            POWER: (_number(str(power)), _SENSOR_ATTRIBUTES[POWER]),
            OUTDOOR: (_number(row["oa_temp"]), _SENSOR_ATTRIBUTES[OUTDOOR]),
            SUPPLY: (_number(row["sa_temp"]), _SENSOR_ATTRIBUTES[SUPPLY]),
            ZONE: (_number(row["zn_temp"]), _SENSOR_ATTRIBUTES[ZONE]),
            CLIMATE: (climate_mode, _climate_attributes(row, climate_mode)),
        }
        for entity, (state, attributes) in states.items():
            recorded = changes[entity]
            previous = recorded[-1] if recorded else None
            if previous is None or previous.state != state:
                recorded.append(Change(state, attributes, at, at))
            elif previous.attributes != attributes:
                # Attribute-only update: last_changed stays.
                recorded.append(Change(state, attributes, previous.last_changed, at))
    return changes


def _climate_attributes(row: dict[str, str], mode: ClimateMode) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "hvac_modes": ["off", "heat", "cool", "heat_cool"],
        "min_temp": 45,
        "max_temp": 95,
        "current_temperature": float(row["zn_temp"]),
        "hvac_action": "cooling" if int(row["stg"]) > 0 else "idle",
        "friendly_name": "Heat pump",
        "supported_features": 387,
    }
    if mode == "heat_cool":
        attributes.update(
            temperature=None,
            target_temp_high=float(row["zn_temp_cspt"]),
            target_temp_low=float(row["zn_temp_hspt"]),
        )
    else:
        attributes.update(
            temperature=float(row["zn_temp_cspt"]), target_temp_high=None, target_temp_low=None
        )
    return attributes


def to_json(changes: dict[str, list[Change]], *, minimal: bool = False) -> str:
    """The body of ``GET /api/history/period`` (optionally ``minimal_response``)."""
    lists: list[list[dict[str, Any]]] = []
    for entity, recorded in changes.items():
        items: list[dict[str, Any]] = []
        for index, change in enumerate(recorded):
            if minimal and 0 < index < len(recorded) - 1:
                # minimal_response: only the first and last carry everything.
                items.append(
                    {"state": change.state, "last_changed": change.last_changed.isoformat()}
                )
                continue
            items.append(
                {
                    "entity_id": entity,
                    "state": change.state,
                    "attributes": change.attributes,
                    "last_changed": change.last_changed.isoformat(),
                    "last_updated": change.last_updated.isoformat(),
                }
            )
        lists.append(items)
    return json.dumps(lists)


def to_csv(changes: dict[str, list[Change]]) -> str:
    """The history panel's "Download data": state changes only, UTC with "Z"."""
    lines = ["entity_id,state,last_changed"]
    for entity, recorded in changes.items():
        lines.extend(
            f"{entity},{change.state},"
            f"{change.last_changed.isoformat(timespec='milliseconds').replace('+00:00', 'Z')}"
            for change in recorded
            if change.last_changed == change.last_updated
        )
    return "\n".join(lines) + "\n"


def config(*, csv_units: bool) -> dict[str, Any]:
    """The replay configuration a user of that unit would write."""
    data: dict[str, Any] = {
        "name": "NIST HILFT split heat pump",
        "system_type": "air_to_air",
        "power_entity": POWER,
        "outdoor_temperature_entity": OUTDOOR,
        "supply_temperature_entity": SUPPLY,
        "return_temperature_entity": ZONE,
        "climate_entity": CLIMATE,
    }
    if csv_units:
        data["units"] = {POWER: "W", OUTDOOR: "°F", SUPPLY: "°F", ZONE: "°F", CLIMATE: "°F"}
    return data
