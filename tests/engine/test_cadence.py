"""How finely the unit's data is sampled, from the gaps between its reports."""

from __future__ import annotations

from custom_components.heat_pump_health.engine.cadence import Cadence
from custom_components.heat_pump_health.engine.model import InputKey

UNIT = frozenset(
    {
        InputKey.POWER,
        InputKey.COIL_TEMPERATURE,
        InputKey.OUTDOOR_TEMPERATURE,
        InputKey.SUPPLY_TEMPERATURE,
        InputKey.RETURN_TEMPERATURE,
    }
)


def _polled(cadence: Cadence, interval_s: float, polls: int, *, write_s: float) -> None:
    """Each poll writes every source, one after the other."""
    for poll in range(polls):
        for order, key in enumerate(sorted(UNIT, key=lambda key: key.value)):
            cadence.seen(key, 1_700_000_000.0 + poll * interval_s + order * write_s)


def test_a_cloud_polls_entities_written_one_after_another_are_one_poll() -> None:
    for write_s in (0.0, 0.0003, 0.002, 2.0):
        cadence = Cadence(UNIT)
        _polled(cadence, 600.0, 20, write_s=write_s)
        assert cadence.unit_interval() == 600.0, write_s
        assert not cadence.finer_than(120.0)
        assert cadence.interval(InputKey.POWER) == 600.0


def test_a_live_unit_reporting_each_change_is_finely_sampled() -> None:
    cadence = Cadence(UNIT)
    keys = sorted(UNIT, key=lambda key: key.value)
    at = 1_700_000_000.0
    # One source or another changes every 7 seconds.
    for step in range(200):
        cadence.seen(keys[step % len(keys)], at + 7.0 * step)
    interval = cadence.unit_interval()
    assert interval is not None
    assert interval <= 30.0
    assert cadence.proven_finer_than(120.0)


def test_a_unit_sampled_every_second_is_finely_sampled() -> None:
    cadence = Cadence(UNIT)
    for second in range(600):
        cadence.seen(InputKey.POWER, 1_700_000_000.0 + second)
    interval = cadence.unit_interval()
    assert interval is not None
    assert interval <= 20.0
    assert cadence.proven_finer_than(120.0)
