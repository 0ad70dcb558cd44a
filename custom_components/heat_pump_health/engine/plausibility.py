"""Refuse readings no heat pump can produce, so that a broken probe never raises a fault.

A refused reading is treated as "unknown" and counted with its reason.
"""

from __future__ import annotations

import math

from .model import ClimateReading, EnergyReading, InputKey, Value

# DS18B20 probes report exactly 85.0 on a power-on reset and -127.0 on a read
# failure; neither is a temperature a heat pump ever shows.
# A probe error reported in °F or K arrives here converted, off by float
# rounding (146.15 K is -126.99999999999997 °C) or by the display precision
# (0.1 K); real readings that close to either value are not worth the risk.
_PROBE_ERROR_TOLERANCE = 0.051

# Widest believable ranges, per input (°C, W).  Defrosting coils reach ~60 °C,
# flow water ~80 °C; residential units draw well under 30 kW.
_TEMPERATURE_RANGE = {
    InputKey.COIL_TEMPERATURE: (-60.0, 90.0),
    InputKey.OUTDOOR_TEMPERATURE: (-60.0, 60.0),
    InputKey.SUPPLY_TEMPERATURE: (-30.0, 100.0),
    InputKey.RETURN_TEMPERATURE: (-30.0, 100.0),
}
_ROOM_RANGE = (-30.0, 60.0)
_TARGET_RANGE = (0.0, 50.0)
_POWER_MAX = 50_000.0
# Clamp-meter noise: small negative readings mean "zero", larger ones a wiring
# or sign error.
_POWER_NEGATIVE_TOLERANCE = -20.0
_NOISE_MAX = 1e6

type Rejection = str | None


def check(key: InputKey, value: Value) -> tuple[Value, Rejection]:
    """Return the value to use (None when refused) and why it was refused."""
    if value is None:
        return None, None
    if key in (InputKey.DEFROST, InputKey.COMPRESSOR, InputKey.ERROR):
        return _check_state(key, value)
    if key is InputKey.CLIMATE:
        if not isinstance(value, ClimateReading):
            return None, "bad_type"
        return _check_climate(value)
    if isinstance(value, EnergyReading):
        return _check_energy(key, value)
    return _check_number(key, value)


def _check_energy(key: InputKey, value: EnergyReading) -> tuple[Value, Rejection]:
    if key is not InputKey.POWER:
        return None, "bad_type"
    if not math.isfinite(value.kwh) or value.kwh < 0.0:
        return None, "out_of_range"
    return value, None


def _check_number(key: InputKey, value: Value) -> tuple[Value, Rejection]:
    if key is InputKey.BACKUP_HEATER and isinstance(value, bool):
        # A heater that says only whether it runs.
        return value, None
    number, reason = _number(value)
    if number is None:
        return None, reason
    if key in (InputKey.POWER, InputKey.BACKUP_HEATER):
        reason = _power_problem(number)
        return (max(number, 0.0), None) if reason is None else (None, reason)
    if key is InputKey.NOISE:
        return (number, None) if abs(number) <= _NOISE_MAX else (None, "out_of_range")
    reason = _temperature_problem(key, number)
    return (number, None) if reason is None else (None, reason)


def _power_problem(watts: float) -> Rejection:
    if watts < _POWER_NEGATIVE_TOLERANCE:
        return "negative"
    if watts > _POWER_MAX:
        return "out_of_range"
    return None


def _temperature_problem(key: InputKey, celsius: float) -> Rejection:
    if _is_probe_error(celsius):
        return "probe_error"
    low, high = _TEMPERATURE_RANGE.get(key, (-60.0, 100.0))
    return None if low <= celsius <= high else "out_of_range"


def _is_probe_error(celsius: float) -> bool:
    # Two comparisons, no loop: this runs for every temperature reading.
    return (
        abs(celsius - 85.0) <= _PROBE_ERROR_TOLERANCE
        or abs(celsius + 127.0) <= _PROBE_ERROR_TOLERANCE
    )


def _number(value: Value) -> tuple[float | None, Rejection]:
    # bool is an int subclass; a True where watts are expected is a wiring mistake.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None, "bad_type"
    number = float(value)
    if not math.isfinite(number):
        return None, "not_finite"
    return number, None


def _check_state(key: InputKey, value: Value) -> tuple[Value, Rejection]:
    """Defrost and compressor are on/off; the unit's error is its code as text."""
    if key is InputKey.ERROR:
        return (value, None) if isinstance(value, str) else (None, "bad_type")
    return _check_defrost(value)


def _check_defrost(value: Value) -> tuple[Value, Rejection]:
    if isinstance(value, bool):
        return value, None
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value), None
    return None, "bad_type"


def _check_climate(reading: ClimateReading) -> tuple[Value, Rejection]:
    """Keep what is usable in a climate reading; drop absurd temperatures."""
    reason: Rejection = None
    current = reading.current_temperature
    target = reading.target_temperature
    clean_current = _in_range(current, _ROOM_RANGE)
    clean_target = believable_target(target)
    if current is not None and clean_current is None:
        reason = "current_temperature"
    if target is not None and clean_target is None:
        reason = "target_temperature"
    mode = reading.hvac_mode if isinstance(reading.hvac_mode, str) else None
    action = reading.hvac_action if isinstance(reading.hvac_action, str) else None
    if reason is None and mode is reading.hvac_mode and action is reading.hvac_action:
        return reading, None
    cleaned = ClimateReading(
        hvac_mode=mode,
        hvac_action=action,
        current_temperature=clean_current,
        target_temperature=clean_target,
    )
    return cleaned, reason or "bad_type"


def believable_target(value: object) -> float | None:
    """A heating or cooling target as a thermostat could ask for it (°C); None if not one.

    Read live from the climate entity, and from what was stored before a restart.
    """
    return _in_range(value, _TARGET_RANGE)


def _in_range(value: object, bounds: tuple[float, float]) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    if not math.isfinite(number) or _is_probe_error(number):
        return None
    low, high = bounds
    return number if low <= number <= high else None
