"""In Home Assistant: a cloud poll writes the unit's entities one after the other."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import UnitOfPower
from homeassistant.core import HomeAssistant

from .conftest import (
    COIL,
    OUTDOOR,
    POWER,
    RETURN,
    SUPPLY,
    UNIT_AND_THERMOSTAT,
    play_minutes,
    set_heating,
    set_up_entry,
    temperature,
)

POLL_MINUTES = 10


def write_poll(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    readings: tuple[tuple[str, float, dict[str, Any]], ...],
) -> None:
    """Write one poll's readings as a coordinator does: one entity after the other."""
    for entity_id, value, attributes in readings:
        freezer.tick(timedelta(microseconds=300))
        hass.states.async_set(entity_id, f"{value:.1f}", attributes)


async def test_a_poll_written_entity_by_entity_is_judged_as_a_poll(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Microseconds apart, the entities of one poll are one report, ten minutes from the next."""
    start = datetime(2026, 1, 10, 6, 0, tzinfo=UTC)
    freezer.move_to(start)
    set_heating(hass)
    await set_up_entry(hass, UNIT_AND_THERMOSTAT)
    power = {"unit_of_measurement": UnitOfPower.WATT, "device_class": "power"}

    def poll(minute: int) -> None:
        if minute % POLL_MINUTES:
            return
        # Every reading moves a little from one poll to the next.
        wobble = minute // POLL_MINUTES % 2 * 0.3
        readings = (
            (POWER, 900.0 + 30.0 * wobble, power),
            (SUPPLY, 34.0 + wobble, temperature()),
            (RETURN, 20.5 + wobble, temperature()),
            (COIL, -4.0 - wobble, temperature()),
            (OUTDOOR, 3.0 - wobble, temperature()),
        )
        write_poll(hass, freezer, readings)

    await play_minutes(hass, freezer, start, 3 * 60, poll)
    health = hass.states.get("sensor.heat_pump_health")
    assert health is not None
    assert health.attributes["sampling_minutes"] == POLL_MINUTES
    # A single split reading, and the compressor's starts, need finer sampling.
    assert {"split", "cycles"} <= set(health.attributes["not_judged"])


async def test_a_polled_energy_counter_held_still_by_a_lock_out_is_not_a_power_loss(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Daikin Onecta, MELCloud: a kWh counter every ten minutes, and a two-hour lock-out.

    The room thermostat keeps calling; the counter stands still and the split
    is gone, exactly as after a trip: a counter cannot tell the two apart, so
    it raises nothing (a trip that takes the cloud adapter with it is found
    from its sources going unavailable instead).
    """
    start = datetime(2026, 1, 10, 6, 0, tzinfo=UTC)
    freezer.move_to(start)
    energy = {"unit_of_measurement": "kWh", "device_class": "energy"}
    set_heating(hass)
    hass.states.async_set(POWER, "1520.0", energy)
    await set_up_entry(hass, UNIT_AND_THERMOSTAT)
    lock_out = range(4 * 60, 6 * 60)
    counter = [1520.0]

    def poll(minute: int) -> None:
        if minute % POLL_MINUTES:
            return
        wobble = minute // POLL_MINUTES % 2 * 0.3
        locked = minute in lock_out
        if not locked:
            counter[0] += 0.2  # 1.2 kW for ten minutes
        readings = (
            (POWER, counter[0], energy),
            (SUPPLY, 20.5 + wobble if locked else 34.0 + wobble, temperature()),
            (RETURN, 20.5 + wobble, temperature()),
            (COIL, 3.0 - wobble if locked else -4.0 - wobble, temperature()),
            (OUTDOOR, 3.0 - wobble, temperature()),
        )
        write_poll(hass, freezer, readings)

    await play_minutes(hass, freezer, start, 7 * 60, poll)
    assert hass.states.get("binary_sensor.heat_pump_power_loss").state == "off"
    health = hass.states.get("sensor.heat_pump_health")
    assert health is not None
    # A counter in 0.1 kWh steps cannot see a standby draw of a few watts.
    assert "standby" in health.attributes["not_judged"]
