"""A synthetic week of a healthy air-to-water heat pump, as Home Assistant exports it.

Every configured input plus one unrelated entity reports once a minute for a
week (about 90,000 records): the load the replay must handle in well under
two seconds.  Values are plain physics of a heat pump that works: cycles with
power, a water split of about 5 K, a coil a few kelvin below the outdoor air,
a short defrost every 90 minutes and steady noise.
"""

from __future__ import annotations

from datetime import UTC, datetime
import json
import math
from pathlib import Path
from typing import Any

START = datetime(2023, 1, 9, tzinfo=UTC).timestamp()
DAYS = 7

ENTITIES: dict[str, dict[str, Any]] = {
    "sensor.hp_power": {"unit_of_measurement": "kW", "device_class": "power"},
    "sensor.hp_coil_temperature": {"unit_of_measurement": "°C", "device_class": "temperature"},
    "sensor.outdoor_temperature": {"unit_of_measurement": "°C", "device_class": "temperature"},
    "sensor.hp_flow_temperature": {"unit_of_measurement": "°C", "device_class": "temperature"},
    "sensor.hp_return_temperature": {"unit_of_measurement": "°C", "device_class": "temperature"},
    "binary_sensor.hp_defrost": {"device_class": "running"},
    "climate.hp": {
        "hvac_modes": ["off", "heat"],
        "min_temp": 7,
        "max_temp": 35,
        "temperature": 21.0,
    },
    "sensor.hp_noise": {"unit_of_measurement": "dB", "device_class": "sound_pressure"},
    "sensor.kitchen_humidity": {"unit_of_measurement": "%", "device_class": "humidity"},
}

CONFIG: dict[str, Any] = {
    "name": "Synthetic week",
    "system_type": "air_to_water",
    "power_entity": "sensor.hp_power",
    "coil_temperature_entity": "sensor.hp_coil_temperature",
    "outdoor_temperature_entity": "sensor.outdoor_temperature",
    "supply_temperature_entity": "sensor.hp_flow_temperature",
    "return_temperature_entity": "sensor.hp_return_temperature",
    "defrost_entity": "binary_sensor.hp_defrost",
    "climate_entity": "climate.hp",
    "noise_entity": "sensor.hp_noise",
}


def _states(minute: int) -> dict[str, Any]:
    """The value of every entity at one minute."""
    outdoor = 3.0 + 4.0 * math.sin(2 * math.pi * (minute % 1440) / 1440)
    defrosting = minute % 90 < 4
    running = not defrosting
    flow = 35.0 + 0.3 * math.sin(minute / 7) if running else 31.0
    return_ = flow - (5.0 if running else 1.0)
    return {
        "sensor.hp_power": round((1.8 + 0.1 * math.sin(minute / 11)) if running else 0.9, 3),
        # A defrost warms the coil well above freezing, as a working one does.
        "sensor.hp_coil_temperature": round(
            8.0 + minute % 90 if defrosting else outdoor - 6.0 + 0.2 * math.sin(minute / 5), 2
        ),
        "sensor.outdoor_temperature": round(outdoor, 2),
        "sensor.hp_flow_temperature": round(flow, 2),
        "sensor.hp_return_temperature": round(return_, 2),
        "binary_sensor.hp_defrost": "on" if defrosting else "off",
        "climate.hp": ("heat", "defrosting" if defrosting else "heating"),
        "sensor.hp_noise": round(45.0 + 1.5 * math.sin(minute / 3), 1),
        "sensor.kitchen_humidity": round(50 + 5 * math.sin(minute / 50), 1),
    }


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat()


def week_json(days: int = DAYS) -> list[list[dict[str, Any]]]:
    """The /api/history/period response for the synthetic period."""
    lists: dict[str, list[dict[str, Any]]] = {entity: [] for entity in ENTITIES}
    for minute in range(days * 1440):
        # TrueValues arrive a few seconds after the minute, entity by entity.
        stamp = _iso(START + minute * 60 + 7.25)
        for entity, value in _states(minute).items():
            attributes = dict(ENTITIES[entity], friendly_name=entity.split(".")[1])
            if entity == "climate.hp":
                state, action = value
                attributes.update(hvac_action=action, current_temperature=20.6)
            else:
                state = str(value)
            lists[entity].append(
                {
                    "entity_id": entity,
                    "state": state,
                    "attributes": attributes,
                    "last_changed": stamp,
                    "last_updated": stamp,
                }
            )
    return list(lists.values())


def write_week(directory: Path, days: int = DAYS) -> tuple[Path, Path]:
    """Write the week's JSON history and its replay config; return their paths."""
    history = directory / "week.json"
    history.write_text(json.dumps(week_json(days)), encoding="utf-8")
    config = directory / "week_config.json"
    config.write_text(json.dumps(CONFIG), encoding="utf-8")
    return history, config
