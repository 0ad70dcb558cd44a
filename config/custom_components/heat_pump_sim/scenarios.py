"""Named scenario presets.

Each preset is a function taking keyword-only overrides of the seed and start
and returning a :class:`~heat_pump_sim.physics.Scenario`.  Fault presets run
healthy first, so that anything learning a baseline has data to learn from:
a day or two before slow faults (insufficient heat, noise), hours before the
abrupt ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Final

from .physics import (
    BLOCKED_FILTER,
    BREAKER_TRIP,
    DEFROST_ENDS_EARLY,
    DEFROST_NEVER_STARTS,
    DEFROST_TOO_LONG,
    INPUT_KEYS,
    RATTLING,
    REFRIGERANT_LEAK,
    WORN_BEARING,
    Dropout,
    FaultInjection,
    Scenario,
    ScheduleEntry,
)

# A Monday in January, midnight UTC: a heating-season week.
WINTER_START: Final = datetime(2026, 1, 12, tzinfo=UTC)
SUMMER_START: Final = datetime(2026, 7, 13, tzinfo=UTC)

# Comfort schedule: 21 °C by day, 18 °C setback at night.
SETBACK_SCHEDULE: Final = (
    ScheduleEntry(hour=6.0, setpoint_c=21.0),
    ScheduleEntry(hour=22.5, setpoint_c=18.0),
)
STEADY_SCHEDULE: Final = (ScheduleEntry(hour=0.0, setpoint_c=21.0),)


def _humid_base(name: str, days: float, seed: int, start: datetime | None) -> Scenario:
    """Around 0-3 °C in fog or drizzle: the worst frosting weather."""
    return Scenario(
        name=name,
        start=start or WINTER_START,
        duration=timedelta(days=days),
        mean_c=1.5,
        swing_c=2.0,
        humidity=0.9,
        schedule=STEADY_SCHEDULE,
        seed=seed,
    )


def humid_near_freezing_day(*, seed: int = 1, start: datetime | None = None) -> Scenario:
    """One foggy day around +1.5 °C: a defrost every ~50-90 minutes."""
    return _humid_base("humid_near_freezing_day", 1, seed, start)


def dry_cold_week(*, seed: int = 2, start: datetime | None = None) -> Scenario:
    """A week of dry cold (-8 °C, 55 % RH): long runs, defrosts are rare."""
    return Scenario(
        name="dry_cold_week",
        start=start or WINTER_START,
        duration=timedelta(days=7),
        mean_c=-8.0,
        swing_c=3.0,
        humidity=0.55,
        # A cold-climate unit, sized to hold the setpoint at -12 °C.
        rated_capacity_w=9500.0,
        schedule=STEADY_SCHEDULE,
        seed=seed,
    )


def cold_week_inverter_low_speed(*, seed: int = 3, start: datetime | None = None) -> Scenario:
    """An oversized inverter in a cold week: small splits at low speed, all healthy."""
    return Scenario(
        name="cold_week_inverter_low_speed",
        start=start or WINTER_START,
        duration=timedelta(days=7),
        mean_c=-3.0,
        swing_c=4.0,
        humidity=0.75,
        rated_capacity_w=12_000.0,
        ua_w_per_k=150.0,
        schedule=SETBACK_SCHEDULE,
        seed=seed,
    )


def thermostat_off_hours(*, seed: int = 4, start: datetime | None = None) -> Scenario:
    """Off while the house is empty and at night: long recovery runs, no fault."""
    return Scenario(
        name="thermostat_off_hours",
        start=start or WINTER_START,
        duration=timedelta(days=3),
        mean_c=3.0,
        swing_c=4.0,
        humidity=0.8,
        schedule=(
            ScheduleEntry(hour=6.0, setpoint_c=21.0, mode="heat"),
            ScheduleEntry(hour=8.5, setpoint_c=21.0, mode="off"),
            ScheduleEntry(hour=16.5, setpoint_c=21.0, mode="heat"),
            ScheduleEntry(hour=23.0, setpoint_c=21.0, mode="off"),
        ),
        seed=seed,
    )


def cooling_week(*, seed: int = 5, start: datetime | None = None) -> Scenario:
    """A summer week, two-stage like the NIST lab unit, outdoor unit metered.

    The outdoor unit reads 0 W idle and for 1-2 minutes after each call, and
    44 W of crankcase heat after long pauses, as in the lab data.
    """
    return Scenario(
        name="cooling_week",
        start=start or SUMMER_START,
        duration=timedelta(days=7),
        compressor="two_stage",
        mode="cool",
        mean_c=27.0,
        swing_c=6.0,
        humidity=0.55,
        solar_gain_w=1500.0,
        internal_gains_w=500.0,
        schedule=(
            ScheduleEntry(hour=7.0, setpoint_c=24.0),
            ScheduleEntry(hour=22.0, setpoint_c=26.0),
        ),
        power_meter="outdoor_unit",
        start_delay_s=(60.0, 120.0),
        seed=seed,
    )


def fahrenheit_kw(*, seed: int = 6, start: datetime | None = None) -> Scenario:
    """Two humid days reported in °F and kW (a US-customary installation)."""
    return replace(
        _humid_base("fahrenheit_kw", 2, seed, start),
        mean_c=0.0,
        schedule=SETBACK_SCHEDULE,
        temperature_unit="°F",
        power_unit="kW",
    )


def air_to_water_day(*, seed: int = 7, start: datetime | None = None) -> Scenario:
    """A near-freezing day heating radiators through a water loop."""
    return replace(
        _humid_base("air_to_water_day", 1, seed, start),
        system_type="air_to_water",
        mean_c=2.0,
        humidity=0.85,
    )


def dropouts_each_sensor(*, seed: int = 8, start: datetime | None = None) -> Scenario:
    """Two healthy days in which every entity goes unavailable once (a backup heater's too)."""
    dropouts = tuple(
        Dropout(
            input_key=key,
            start_offset=timedelta(hours=3 + 5 * index),
            duration=timedelta(minutes=20 + 10 * (index % 4)),
        )
        for index, key in enumerate(INPUT_KEYS)
    )
    return replace(
        _humid_base("dropouts_each_sensor", 2, seed, start),
        dropouts=dropouts,
        backup_heater_w=3000.0,
    )


def probe_errors(*, seed: int = 9, start: datetime | None = None) -> Scenario:
    """Two healthy days with single 85.0 / -127.0 readings from the probes."""
    return replace(_humid_base("probe_errors", 2, seed, start), probe_errors=True)


def _fault(kind: str, start_h: float, end_h: float | None = None) -> tuple[FaultInjection, ...]:
    end = None if end_h is None else timedelta(hours=end_h)
    return (FaultInjection(kind=kind, start_offset=timedelta(hours=start_h), end_offset=end),)


def breaker_trip(*, seed: int = 10, start: datetime | None = None) -> Scenario:
    """A cold day; the breaker trips at 12:00 for three hours, power reads 0 W."""
    return Scenario(
        name="breaker_trip",
        start=start or WINTER_START,
        duration=timedelta(days=1),
        mean_c=-2.0,
        swing_c=3.0,
        humidity=0.8,
        schedule=STEADY_SCHEDULE,
        faults=_fault(BREAKER_TRIP, 12.0, 15.0),
        seed=seed,
    )


def defrost_never_starts(*, seed: int = 11, start: datetime | None = None) -> Scenario:
    """Humid and near freezing; after a healthy day defrost stops happening."""
    return replace(
        _humid_base("defrost_never_starts", 2, seed, start),
        faults=_fault(DEFROST_NEVER_STARTS, 24.0),
    )


def defrost_ends_early(*, seed: int = 12, start: datetime | None = None) -> Scenario:
    """After a healthy day defrosts end after about a minute, still frozen."""
    return replace(
        _humid_base("defrost_ends_early", 2, seed, start),
        faults=_fault(DEFROST_ENDS_EARLY, 24.0),
    )


def defrost_too_long(*, seed: int = 13, start: datetime | None = None) -> Scenario:
    """After a healthy day every defrost runs 25-40 minutes."""
    return replace(
        _humid_base("defrost_too_long", 2, seed, start),
        faults=_fault(DEFROST_TOO_LONG, 24.0),
    )


def refrigerant_leak(*, seed: int = 14, start: datetime | None = None) -> Scenario:
    """Two healthy cold days, then a slow leak over 36 hours: capacity fades."""
    return Scenario(
        name="refrigerant_leak",
        start=start or WINTER_START,
        duration=timedelta(days=4),
        mean_c=-1.0,
        swing_c=4.0,
        humidity=0.75,
        schedule=STEADY_SCHEDULE,
        faults=_fault(REFRIGERANT_LEAK, 48.0),
        seed=seed,
    )


def blocked_filter(*, seed: int = 15, start: datetime | None = None) -> Scenario:
    """Two healthy days, then the indoor filter clogs: less air, wider split."""
    return replace(
        _humid_base("blocked_filter", 3, seed, start),
        mean_c=0.0,
        humidity=0.75,
        faults=_fault(BLOCKED_FILTER, 48.0),
    )


def rattling(*, seed: int = 16, start: datetime | None = None) -> Scenario:
    """Two healthy days, then a loose panel rattles in bursts while running."""
    return replace(
        _humid_base("rattling", 3, seed, start),
        mean_c=3.0,
        humidity=0.75,
        schedule=SETBACK_SCHEDULE,
        faults=_fault(RATTLING, 48.0),
    )


def worn_bearing(*, seed: int = 17, start: datetime | None = None) -> Scenario:
    """Two healthy days, then a fan bearing grinds whenever the unit runs."""
    return replace(
        _humid_base("worn_bearing", 3, seed, start),
        mean_c=3.0,
        humidity=0.75,
        schedule=SETBACK_SCHEDULE,
        faults=_fault(WORN_BEARING, 48.0),
    )


type Preset = Callable[..., Scenario]

PRESETS: Final[dict[str, Preset]] = {
    "humid_near_freezing_day": humid_near_freezing_day,
    "dry_cold_week": dry_cold_week,
    "cold_week_inverter_low_speed": cold_week_inverter_low_speed,
    "thermostat_off_hours": thermostat_off_hours,
    "cooling_week": cooling_week,
    "fahrenheit_kw": fahrenheit_kw,
    "air_to_water_day": air_to_water_day,
    "dropouts_each_sensor": dropouts_each_sensor,
    "probe_errors": probe_errors,
    "breaker_trip": breaker_trip,
    "defrost_never_starts": defrost_never_starts,
    "defrost_ends_early": defrost_ends_early,
    "defrost_too_long": defrost_too_long,
    "refrigerant_leak": refrigerant_leak,
    "blocked_filter": blocked_filter,
    "rattling": rattling,
    "worn_bearing": worn_bearing,
}

# Presets whose trace should raise no fault at all, and the fault (by the
# evaluator's FaultKey value) each fault preset should raise.
HEALTHY_PRESETS: Final = (
    "humid_near_freezing_day",
    "dry_cold_week",
    "cold_week_inverter_low_speed",
    "thermostat_off_hours",
    "cooling_week",
    "fahrenheit_kw",
    "air_to_water_day",
    "dropouts_each_sensor",
    "probe_errors",
)
EXPECTED_FAULT: Final = {
    "breaker_trip": "power_loss",
    "defrost_never_starts": "ice_buildup",
    "defrost_ends_early": "ice_buildup",
    "defrost_too_long": "ice_buildup",
    "refrigerant_leak": "insufficient_heat",
    "blocked_filter": "insufficient_heat",
    "rattling": "abnormal_noise",
    "worn_bearing": "abnormal_noise",
}
