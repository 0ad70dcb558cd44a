"""Two real days of a laboratory heat pump (NIST HILFT, MIT licence): no fault of any kind.

Cooling days.  The outdoor unit reads 0 W when idle while occupied, ~44 W of
crankcase heat in setback, and 0 W for a minute or two after each stage-on.
Fed straight to the evaluator (°F converted here), whole-unit and outdoor-unit
metering, with the thermostat in heat_cool or cool.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from custom_components.heat_pump_health.engine import (
    ClimateReading,
    Evaluator,
    EvaluatorOptions,
    InputKey,
    Value,
)

from .traces import MINUTE, T0, any_fault

DATA = Path(__file__).resolve().parent.parent / "data" / "nist_hilft_ashp"
DAYS = ("NewYorkCity_Eff_TypShldr_data.csv", "Tucson_Eff_ExtrmWin_data.csv")
INPUTS = frozenset(
    {
        InputKey.POWER,
        InputKey.OUTDOOR_TEMPERATURE,
        InputKey.SUPPLY_TEMPERATURE,
        InputKey.RETURN_TEMPERATURE,
        InputKey.CLIMATE,
    }
)


def celsius(fahrenheit: str) -> float:
    return round((float(fahrenheit) - 32.0) * 5.0 / 9.0, 2)


def readings(row: dict[str, str], *, metering: str, mode: str) -> dict[InputKey, Value]:
    power = float(row["od_power"]) + (float(row["id_power"]) if metering == "whole" else 0.0)
    zone = celsius(row["zn_temp"])
    return {
        InputKey.POWER: power,
        InputKey.OUTDOOR_TEMPERATURE: celsius(row["oa_temp"]),
        InputKey.SUPPLY_TEMPERATURE: celsius(row["sa_temp"]),
        InputKey.RETURN_TEMPERATURE: zone,
        InputKey.CLIMATE: ClimateReading(
            hvac_mode=mode,
            hvac_action="cooling" if int(row["stg"]) > 0 else "idle",
            current_temperature=zone,
            target_temperature=celsius(row["zn_temp_cspt"]) if mode == "cool" else None,
        ),
    }


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize("metering", ["whole", "outdoor"])
@pytest.mark.parametrize("mode", ["heat_cool", "cool"])
@pytest.mark.parametrize("inputs", [INPUTS, frozenset({InputKey.POWER})], ids=["all", "power"])
def test_nist_day_is_silent(
    day: str, metering: str, mode: str, inputs: frozenset[InputKey]
) -> None:
    path = DATA / day
    if not path.exists():
        pytest.skip("NIST data not present")
    with path.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    ev = Evaluator(options=EvaluatorOptions(configured=inputs))
    last: dict[InputKey, Value] = {}
    results = []
    # The same day twice: the second time with everything it learned the first.
    for repeat in range(2):
        for index, row in enumerate(rows):
            at = T0 + (repeat * len(rows) + index) * MINUTE
            for key, value in readings(row, metering=metering, mode=mode).items():
                if key in inputs and last.get(key) != value:
                    ev.observe(key, value, at)
                    last[key] = value
            results.append(ev.evaluate(at + 30.0))
    assert any_fault(results) == []
    suspects = [(i, f) for i, r in enumerate(results) for f, s in r.statuses.items() if s.suspect]
    assert suspects == []
