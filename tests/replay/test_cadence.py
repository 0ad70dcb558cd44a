"""Cloud integrations poll every 5-30 minutes: a healthy week polled so is silent.

Durations snap to the poll, a short defrost falls between two polls, the
coil's warm peak is missed: rules that cannot be judged at that sampling say
so (``not_judged``) instead of guessing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from functools import cache

from heat_pump_sim.export import as_energy_counter, polled
from heat_pump_sim.physics import StateRecord, replay_config, simulate
from heat_pump_sim.scenarios import (
    air_to_water_day,
    breaker_trip,
    cooling_week,
    humid_near_freezing_day,
)
import pytest

from custom_components.heat_pump_health.engine.model import InputKey
from custom_components.heat_pump_health.playback import ReplayConfig, build_report, replay_rows

WEEKS = {
    # Frost and a defrost every hour: the hardest week for timing rules.
    "humid_week": lambda: replace(humid_near_freezing_day(), duration=timedelta(days=7)),
    "air_to_water_week": lambda: replace(air_to_water_day(), duration=timedelta(days=7)),
    # A cycling two-stage unit metered at the outdoor unit only.
    "cooling_week": cooling_week,
}


@cache
def _week(name: str) -> tuple[tuple[StateRecord, ...], ReplayConfig]:
    scenario = WEEKS[name]()
    return tuple(simulate(scenario)), ReplayConfig.from_mapping(replay_config(scenario))


def _report(records: list[StateRecord], config: ReplayConfig) -> dict[str, object]:
    rows = [record.as_row() for record in records]
    return build_report(replay_rows(rows, config))


@pytest.mark.parametrize("minutes", [10, 15, 30])
@pytest.mark.parametrize("name", list(WEEKS))
def test_a_healthy_week_polled_raises_nothing(name: str, minutes: int) -> None:
    records, config = _week(name)
    report = _report(polled(records, minutes * 60.0, phase_s=37.0), config)
    assert report["faults"] == []


def test_what_cannot_be_judged_at_a_coarse_poll_says_so() -> None:
    records, config = _week("humid_week")
    live = _report(list(records), config)
    assert live["diagnostics"]["not_judged"] == []  # type: ignore[index]
    coarse = _report(polled(records, 30 * 60.0), config)
    not_judged = coarse["diagnostics"]["not_judged"]  # type: ignore[index]
    assert {"defrost_cycles", "noise", "split", "standby"} <= set(not_judged)
    sampling = coarse["diagnostics"]["sampling_s"]  # type: ignore[index]
    assert sampling["coil_temperature_entity"] == pytest.approx(1800.0)


@pytest.mark.parametrize("minutes", [10, 15, 30])
def test_a_breaker_trip_is_still_found_when_polled(minutes: int) -> None:
    scenario = breaker_trip()
    config = ReplayConfig.from_mapping(replay_config(scenario))
    report = _report(polled(simulate(scenario), minutes * 60.0), config)
    [episode] = report["faults"]  # type: ignore[misc]
    assert episode["fault"] == "power_loss"


@pytest.mark.parametrize("minutes", [1, 10, 30])
@pytest.mark.parametrize("name", ["humid_week", "cooling_week"])
def test_an_energy_counter_instead_of_a_power_sensor_raises_nothing(
    name: str, minutes: int
) -> None:
    """Onecta, MELCloud, ViCare: 0.1 kWh steps, reset at midnight, polled."""
    records, config = _week(name)
    power = config.entities[InputKey.POWER]
    counter = as_energy_counter(list(records), power)
    config = replace(config, units={**config.units, power: "kWh"})
    sampled = counter if minutes == 1 else polled(counter, minutes * 60.0, phase_s=37.0)
    report = _report(sampled, config)
    assert report["faults"] == []
    # A counter in 0.1 kWh steps cannot see a standby draw of a few watts.
    assert "standby" in report["diagnostics"]["not_judged"]  # type: ignore[index]
