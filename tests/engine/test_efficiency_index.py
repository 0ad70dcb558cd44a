"""The efficiency index: near 100 % while healthy, falling with a leak before the fault."""

from __future__ import annotations

from heat_pump_sim.physics import Scenario, replay_config, simulate
from heat_pump_sim.scenarios import humid_near_freezing_day, refrigerant_leak

from custom_components.heat_pump_health.driver import Driver
from custom_components.heat_pump_health.engine.evaluator import Evaluator
from custom_components.heat_pump_health.engine.model import FaultKey
from custom_components.heat_pump_health.playback import ReplayConfig

HOUR = 3600.0


def _hourly(scenario: Scenario) -> tuple[list[tuple[float, float | None]], float | None]:
    """(hours since the start, efficiency index) each hour, and when insufficient heat rose."""
    config = ReplayConfig.from_mapping(replay_config(scenario))
    driver = Driver(Evaluator(options=config.options), config.sources(), climate_unit="°C")
    records = sorted(simulate(scenario), key=lambda record: record.last_updated)
    start = records[0].last_updated
    tick = (start // 60 + 1) * 60
    index = 0
    hourly: list[tuple[float, float | None]] = []
    raised: float | None = None
    while index < len(records):
        while index < len(records) and records[index].last_updated <= tick:
            record = records[index]
            driver.take(record.entity_id, record.state, record.attributes, record.last_updated)
            index += 1
        evaluation = driver.evaluate(tick).evaluation
        status = evaluation.statuses.get(FaultKey.INSUFFICIENT_HEAT)
        if raised is None and status is not None and status.active:
            raised = (tick - start) / HOUR
        if int(tick - start) % 3600 == 0:
            hourly.append(((tick - start) / HOUR, evaluation.diagnostics.efficiency_percent))
        tick += 60
    return hourly, raised


def test_near_100_on_a_healthy_day() -> None:
    hourly, raised = _hourly(humid_near_freezing_day())
    assert raised is None
    known = [value for hours, value in hourly if hours >= 12 and value is not None]
    assert len(known) >= 10
    assert all(90 <= value <= 112 for value in known), known


def test_falls_with_a_leak_before_insufficient_heat_is_raised() -> None:
    scenario = refrigerant_leak()  # the leak starts after two healthy days
    hourly, raised = _hourly(scenario)
    assert raised is not None
    healthy = [value for hours, value in hourly if 12 <= hours <= 48 and value is not None]
    assert all(90 <= value <= 115 for value in healthy), healthy
    before = [value for hours, value in hourly if 48 < hours < raised and value is not None]
    # The index shows the loss hours before the fault is confirmed.
    assert min(before) <= 85, before
