"""The evaluator on the physics simulator's presets, when the simulator is there.

The simulator (config/custom_components/heat_pump_sim, another part of the
project) steps a house and heat pump; its presets name the fault each one
should raise, or none.  The model's true values are fed straight in (SI units,
rounded like sensors report them, observed only on change): the replay and
ingest layers are tested elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator
import importlib
from pathlib import Path
import sys
from types import ModuleType
from typing import Any

import pytest

from custom_components.heat_pump_health.engine import (
    ClimateReading,
    Evaluator,
    EvaluatorOptions,
    FaultKey,
    InputKey,
    SystemType,
    Value,
)

SIM_ROOT = Path(__file__).resolve().parents[2] / "config" / "custom_components"


def _simulator() -> tuple[ModuleType, ModuleType] | None:
    if not (SIM_ROOT / "heat_pump_sim" / "physics.py").exists():
        return None
    if str(SIM_ROOT) not in sys.path:
        sys.path.append(str(SIM_ROOT))
    try:
        physics = importlib.import_module("heat_pump_sim.physics")
        scenarios = importlib.import_module("heat_pump_sim.scenarios")
    except ImportError:
        return None
    return physics, scenarios


SIM = _simulator()
PRESETS: list[str] = sorted(SIM[1].PRESETS) if SIM is not None else []


def _inputs(readings: Any) -> dict[InputKey, Value]:
    """What the sensors would report, at their usual precision."""
    return {
        InputKey.POWER: float(round(readings.power_w)),
        InputKey.COIL_TEMPERATURE: round(readings.coil_c, 1),
        InputKey.OUTDOOR_TEMPERATURE: round(readings.outdoor_c, 1),
        InputKey.SUPPLY_TEMPERATURE: round(readings.supply_c, 1),
        InputKey.RETURN_TEMPERATURE: round(readings.return_c, 1),
        InputKey.DEFROST: readings.defrost,
        InputKey.CLIMATE: ClimateReading(
            hvac_mode=readings.hvac_mode,
            hvac_action=readings.hvac_action,
            current_temperature=round(readings.room_c, 1),
            target_temperature=readings.target_c,
        ),
        InputKey.NOISE: round(readings.noise_db, 1),
    }


def _run(name: str) -> Iterator[tuple[float, dict[FaultKey, bool]]]:
    assert SIM is not None
    physics, scenarios = SIM
    scenario = scenarios.PRESETS[name]()
    model = physics.HeatPumpModel(scenario=scenario)
    ev = Evaluator(
        options=EvaluatorOptions(
            system_type=SystemType(scenario.system_type), configured=frozenset(InputKey)
        )
    )
    last: dict[InputKey, Value] = {}
    minutes = int(scenario.duration.total_seconds() // 60)
    for _ in range(minutes):
        for _half in range(2):
            model.step(30.0)
            now = model.now
            for key, value in _inputs(model.readings).items():
                if last.get(key) != value:
                    ev.observe(key, value, now)
                    last[key] = value
        result = ev.evaluate(now)
        yield now, {fault: bool(status.active) for fault, status in result.statuses.items()}


@pytest.mark.skipif(SIM is None, reason="the simulator is not in this checkout")
@pytest.mark.parametrize("name", PRESETS)
def test_simulator_preset(name: str) -> None:
    assert SIM is not None
    scenarios = SIM[1]
    expected = scenarios.EXPECTED_FAULT.get(name)
    raised: set[str] = set()
    for _, active in _run(name):
        raised |= {fault.value for fault, on in active.items() if on}
    if expected is None:
        assert raised == set()
    else:
        assert expected in raised
        # Ice starves the unit of heat; that is the ice fault, not a second one.
        assert raised == {expected}
