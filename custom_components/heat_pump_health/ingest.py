"""Turn Home Assistant states into the evaluator's canonical values.

The live integration and the replay tool both go through this module, so a
replay of exported history judges exactly what the live sensors would have
judged.  Only Home Assistant *utilities* are imported here (unit conversion);
the evaluator itself stays free of Home Assistant.

Conventions (see ``engine.model``): temperatures in °C, power in W, noise in
whatever unit its sensor uses, defrost as ``bool``, a climate entity as a
``ClimateReading``.  A state that carries no usable value (``unknown``,
``unavailable``, text, ``nan``...) becomes ``None`` together with a short
reason, which the replay counts and the live layer may log.  A unit that cannot
be converted is not a reading problem but a configuration problem: it raises
``UnitError``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
import math
from typing import Any, Final

from homeassistant.const import UnitOfEnergy, UnitOfPower, UnitOfTemperature
from homeassistant.util.unit_conversion import (
    EnergyConverter,
    PowerConverter,
    TemperatureConverter,
)

from .engine.model import ClimateReading, EnergyReading, InputKey, Value, fold
from .engine.options import DEFROST_SWITCH_DOMAINS

ATTR_UNIT: Final = "unit_of_measurement"
# Not a Home Assistant standard: a climate entity's temperatures are in the
# system unit and no attribute says which.  Some exports or templates add it.
ATTR_TEMPERATURE_UNIT: Final = "temperature_unit"

# Reasons for a rejected reading; stable strings, counted by the replay.
REASON_UNKNOWN: Final = "unknown"
REASON_UNAVAILABLE: Final = "unavailable"
REASON_EMPTY: Final = "empty"
REASON_NOT_NUMERIC: Final = "not_numeric"
REASON_NOT_FINITE: Final = "not_finite"
REASON_UNRECOGNISED: Final = "unrecognised_state"
REASON_NO_HVAC_ACTION: Final = "no_hvac_action"

HVAC_MODES: Final = frozenset({"off", "heat", "cool", "heat_cool", "auto", "dry", "fan_only"})

# Defrost sources come in many shapes: a binary_sensor / switch /
# input_boolean (on/off); a template or MQTT sensor with true/false or 1/0; a
# text or enum sensor naming the unit's phase in the vendor's words
# (Defrosting, OP_DEICE, Abtauen...); a climate entity's hvac_action or a
# climate / water heater attribute.  States are compared folded: lower case,
# accents dropped, spaces and hyphens as underscores.
DEFROST_WORDS: Final = frozenset(
    {
        "on",
        "true",
        "1",
        "yes",
        "active",
        "defrost",
        "defrosting",
        "defrost_operation",
        "defrost_mode",
        "passive_defrost",
        "active_defrost",
        "deice",
        "deicing",
        "de_ice",
        "de_icing",
        "op_deice",
        "op_split_deice",
        "op_nonstop_deice",
        "abtauen",
        "abtauung",
        "degivrage",
        "ontdooien",
        "sbrinamento",
        "descongelacion",
        "avfrostning",
        "avriming",
        "odmrazanie",
    }
)
_DEFROST_FALSE: Final = frozenset(
    {
        "off",
        "false",
        "0",
        "no",
        "none",
        "inactive",
        "normal",
        "heat",
        "heating",
        "cool",
        "cooling",
        "idle",
        "standby",
        "fan",
        "fan_only",
        "dry",
        "drying",
        "preheating",
        "hot_water",
        "dhw",
        "auto",
    }
)
# A compressor's own state: a frequency (Hz, rps, rpm, %) above zero, an
# on/off sensor, or a phase word (ViCare: off / preparing / heating / pause /
# defrost / cooling / ready).
_COMPRESSOR_ON: Final = frozenset(
    {
        "on",
        "true",
        "1",
        "yes",
        "running",
        "run",
        "active",
        "heating",
        "cooling",
        "defrost",
        "defrosting",
        "dhw",
        "hot_water",
        "compressor_on",
    }
)
_COMPRESSOR_OFF: Final = frozenset(
    {
        "off",
        "false",
        "0",
        "no",
        "idle",
        "standby",
        "ready",
        "pause",
        "paused",
        "stop",
        "stopped",
        "preparing",
        "preparing_defrost",
        "inactive",
        "compressor_off",
    }
)
# A backup heater's words (on/off sensors, Ecodan's On/Off text, myUplink's
# Active/Off/Blocked enum, stage counts); an alarm says nothing of running.
_BACKUP_ON: Final = frozenset(
    {"on", "true", "yes", "active", "running", "run", "heating", "stage_1", "stage_2", "stage_3"}
)
_BACKUP_OFF: Final = frozenset(
    {"off", "false", "no", "inactive", "idle", "standby", "blocked", "locked", "stop", "stopped"}
)
# The units a backup heater's power may come in; a share (%) of its rating
# says running or not.
_POWER_UNITS: Final = (
    UnitOfPower.WATT,
    UnitOfPower.KILO_WATT,
    UnitOfPower.MEGA_WATT,
    UnitOfPower.MILLIWATT,
    UnitOfPower.BTU_PER_HOUR,
)
_PERCENT: Final = "%"

# An error entity saying all is well: a problem binary sensor's off, code 0,
# or the vendor's "no error" words.
_NO_ERROR: Final = frozenset(
    {
        "off",
        "false",
        "no",
        "0",
        "none",
        "ok",
        "normal",
        "no_error",
        "no_errors",
        "no_error_reported",
        "no_fault",
        "no_alarm",
        "alarm_code_0",
        "error_code_0",
        "-",
    }
)

# Attributes that carry a defrost flag or a phase, on climate and water heater entities.
_DEFROST_ATTRIBUTES: Final = ("defrost", "defrosting", "status", "operation_status")
_HVAC_ACTION_DEFROST: Final = "defrosting"

# Spellings seen in hand-written replay configs and older integrations.
# Deliberately no case folding for power: "mW" and "MW" differ by 10^9.
_UNIT_ALIASES: Final[Mapping[str, str]] = {
    "C": UnitOfTemperature.CELSIUS,
    "°c": UnitOfTemperature.CELSIUS,
    "degC": UnitOfTemperature.CELSIUS,
    "℃": UnitOfTemperature.CELSIUS,
    "celsius": UnitOfTemperature.CELSIUS,
    "F": UnitOfTemperature.FAHRENHEIT,
    "°f": UnitOfTemperature.FAHRENHEIT,
    "degF": UnitOfTemperature.FAHRENHEIT,
    "℉": UnitOfTemperature.FAHRENHEIT,
    "fahrenheit": UnitOfTemperature.FAHRENHEIT,
    "kelvin": UnitOfTemperature.KELVIN,
    "w": UnitOfPower.WATT,
    "kw": UnitOfPower.KILO_WATT,
    "KW": UnitOfPower.KILO_WATT,
    "wh": UnitOfEnergy.WATT_HOUR,
    "kwh": UnitOfEnergy.KILO_WATT_HOUR,
    "KWh": UnitOfEnergy.KILO_WATT_HOUR,
    "KWH": UnitOfEnergy.KILO_WATT_HOUR,
}

# An energy counter in the power field (cloud integrations have no power
# sensor): the evaluator derives the power from its steps.
ENERGY_UNITS: Final = frozenset(
    {UnitOfEnergy.WATT_HOUR, UnitOfEnergy.KILO_WATT_HOUR, UnitOfEnergy.MEGA_WATT_HOUR}
)

_TEMPERATURE_KEYS: Final = frozenset(
    {
        InputKey.COIL_TEMPERATURE,
        InputKey.OUTDOOR_TEMPERATURE,
        InputKey.SUPPLY_TEMPERATURE,
        InputKey.RETURN_TEMPERATURE,
    }
)


class UnitError(ValueError):
    """A source's unit cannot be converted to what the evaluator expects."""

    def __init__(self, key: InputKey, unit: str | None, *, entity_id: str | None = None) -> None:
        self.key = key
        self.unit = unit
        self.entity_id = entity_id
        what = f"{entity_id} ({key.value})" if entity_id else key.value
        if unit is None:
            message = f"{what} has no unit of measurement"
        else:
            message = f"{what} has unit {unit!r}, which is not a {_kind(key)} unit"
        super().__init__(f"{message}; expected one of: {', '.join(expected_units(key))}")


@dataclass(frozen=True, slots=True)
class IngestResult:
    """A converted value, or ``None`` with the reason it was rejected."""

    value: Value
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Rejected:
    """What a converter returns instead of a value: why there is none."""

    reason: str


# A converter returns the value itself, or a shared ``Rejected``: no result
# object per reading on the replay's hot path.  ``to_value`` wraps both.
type Converter = Callable[[str, Mapping[str, Any]], Value | Rejected]

# A rejection carries no data, so one instance per reason will do.
_REJECTED: Final[Mapping[str, Rejected]] = {
    reason: Rejected(reason)
    for reason in (
        REASON_UNKNOWN,
        REASON_UNAVAILABLE,
        REASON_EMPTY,
        REASON_NOT_NUMERIC,
        REASON_NOT_FINITE,
        REASON_UNRECOGNISED,
        REASON_NO_HVAC_ACTION,
    )
}


def _kind(key: InputKey) -> str:
    if key is InputKey.POWER:
        return "power or energy"
    if key is InputKey.NOISE:
        return "noise"
    if key is InputKey.BACKUP_HEATER:
        return "backup heater power or on/off"
    if key in (InputKey.DEFROST, InputKey.COMPRESSOR, InputKey.ERROR):
        return key.value.removesuffix("_entity")
    return "temperature"


def expected_units(key: InputKey) -> tuple[str, ...]:
    """Units accepted for an input, for messages and config forms."""
    if key is InputKey.POWER:
        return tuple(
            str(u)
            for u in (
                *_POWER_UNITS,
                UnitOfEnergy.WATT_HOUR,
                UnitOfEnergy.KILO_WATT_HOUR,
                UnitOfEnergy.MEGA_WATT_HOUR,
            )
        )
    if key is InputKey.BACKUP_HEATER:
        return (*(str(u) for u in _POWER_UNITS), _PERCENT, "none (on/off)")
    if key in _TEMPERATURE_KEYS or key is InputKey.CLIMATE:
        return tuple(
            str(u)
            for u in (
                UnitOfTemperature.CELSIUS,
                UnitOfTemperature.FAHRENHEIT,
                UnitOfTemperature.KELVIN,
            )
        )
    return ("any",)


def normalise_unit(key: InputKey, unit: str | None, *, entity_id: str | None = None) -> str | None:
    """Return the Home Assistant spelling of ``unit`` for ``key``.

    Raises ``UnitError`` for a unit that is present but not convertible; a
    missing unit (``None``) is returned as is because whether it matters
    depends on the state (an unavailable sensor often has no unit).
    """
    if unit is None or key in (
        InputKey.NOISE,
        InputKey.DEFROST,
        InputKey.COMPRESSOR,
        InputKey.ERROR,
    ):
        return unit
    unit = unit.strip()
    if key is InputKey.BACKUP_HEATER:
        return _backup_unit(unit, entity_id)
    valid = (
        PowerConverter.VALID_UNITS if key is InputKey.POWER else TemperatureConverter.VALID_UNITS
    )
    if unit in valid or (key is InputKey.POWER and unit in ENERGY_UNITS):
        return unit
    alias = _UNIT_ALIASES.get(unit)
    if alias is None:
        alias = _UNIT_ALIASES.get(unit.lower())
    if alias is not None and (alias in valid or (key is InputKey.POWER and alias in ENERGY_UNITS)):
        return alias
    raise UnitError(key, unit, entity_id=entity_id)


def _backup_unit(unit: str, entity_id: str | None) -> str | None:
    """A backup heater's unit: a power unit, a share of its rating, or none at all."""
    if not unit or unit == _PERCENT:
        return unit or None
    if unit in PowerConverter.VALID_UNITS:
        return unit
    alias = _UNIT_ALIASES.get(unit) or _UNIT_ALIASES.get(unit.lower())
    if alias is not None and alias in PowerConverter.VALID_UNITS:
        return alias
    raise UnitError(InputKey.BACKUP_HEATER, unit, entity_id=entity_id)


def _reject_text(state: str) -> Rejected:
    """Classify a state that is not a number (the slow path)."""
    lowered = state.strip().lower()
    if lowered == REASON_UNKNOWN:
        return _REJECTED[REASON_UNKNOWN]
    if lowered == REASON_UNAVAILABLE:
        return _REJECTED[REASON_UNAVAILABLE]
    if not lowered:
        return _REJECTED[REASON_EMPTY]
    return _REJECTED[REASON_NOT_NUMERIC]


def _finite(state: str) -> float | Rejected:
    """A state as a finite number, or why it is none."""
    try:
        number = float(state)
    except ValueError:
        return _reject_text(state)
    return number if math.isfinite(number) else _REJECTED[REASON_NOT_FINITE]


def _counter_converter(unit: str) -> Converter:
    """An energy counter's state as an ``EnergyReading`` in kWh."""
    to_kwh = EnergyConverter.converter_factory(unit, UnitOfEnergy.KILO_WATT_HOUR)

    def counter(state: str, attributes: Mapping[str, Any]) -> Value | Rejected:
        number = _finite(state)
        return number if isinstance(number, Rejected) else EnergyReading(to_kwh(number))

    return counter


def _numeric_converter(key: InputKey, unit: str | None, entity_id: str | None) -> Converter:
    if key is InputKey.POWER and unit in ENERGY_UNITS:
        return _counter_converter(unit)
    if key is InputKey.NOISE or unit is None:
        convert: Callable[[float], float] | None = None
    elif unit == (UnitOfPower.WATT if key is InputKey.POWER else UnitOfTemperature.CELSIUS):
        convert = None  # already canonical: skip an identity call per reading
    elif key is InputKey.POWER:
        convert = PowerConverter.converter_factory(unit, UnitOfPower.WATT)
    else:
        convert = TemperatureConverter.converter_factory(unit, UnitOfTemperature.CELSIUS)
    needs_unit = key is not InputKey.NOISE and unit is None
    isfinite = math.isfinite

    def numeric(state: str, attributes: Mapping[str, Any]) -> Value | Rejected:
        # The hot path of a replay: one float() and one isfinite() per reading.
        try:
            number = float(state)
        except ValueError:
            return _reject_text(state)
        if not isfinite(number):
            return _REJECTED[REASON_NOT_FINITE]
        if needs_unit:
            # Only a real number needs a unit: an unavailable sensor without
            # one is normal, a reporting sensor without one is misconfigured.
            raise UnitError(key, None, entity_id=entity_id)
        return number if convert is None else convert(number)

    return numeric


def is_defrost_word(state: str) -> bool:
    """Whether a phase or state word means defrosting, in any vendor's spelling we know."""
    return fold(state) in DEFROST_WORDS


@lru_cache(maxsize=8)
def _defrost_converter(defrost_states: frozenset[str] | None, *, phase: bool) -> Converter:
    """On/off or phase words; with ``defrost_states``, exactly those mean defrost.

    A phase sensor (``phase``) names many states besides defrost (warm-up,
    hot water, pause...): any of them means "not defrosting", which the
    evaluator believes once the source has shown it reports defrosts at all.
    A switch has only on and off: anything else is unrecognised.
    """

    def defrost(state: str, attributes: Mapping[str, Any]) -> Value | Rejected:
        folded = fold(state)
        if folded in ("", REASON_UNKNOWN, REASON_UNAVAILABLE):
            return _reject_text(folded)
        if defrost_states is not None:
            return folded in defrost_states
        if folded in DEFROST_WORDS:
            return True
        if folded in _DEFROST_FALSE or phase:
            return False
        return _REJECTED[REASON_UNRECOGNISED]

    return defrost


def _running(on: frozenset[str], off: frozenset[str]) -> Converter:
    """Running or not: a number above zero (a frequency, a stage, a share), or a word."""

    def running(state: str, attributes: Mapping[str, Any]) -> Value | Rejected:
        number = _finite(state)
        if not isinstance(number, Rejected):
            return number > 0.0
        folded = fold(state)
        if folded in ("", REASON_UNKNOWN, REASON_UNAVAILABLE) or number.reason == REASON_NOT_FINITE:
            return number
        if folded in on:
            return True
        if folded in off:
            return False
        return _REJECTED[REASON_UNRECOGNISED]

    return running


# The compressor: a frequency, an on/off sensor or a phase.  A backup heater
# without a power unit: on/off, a stage count or a share of its rating.
_compressor = _running(_COMPRESSOR_ON, _COMPRESSOR_OFF)
_backup_running = _running(_BACKUP_ON, _BACKUP_OFF)


def _unit_error(state: str, attributes: Mapping[str, Any]) -> Value | Rejected:
    """The unit's error code as text; "" when it reports none."""
    folded = fold(state)
    if folded in (REASON_UNKNOWN, REASON_UNAVAILABLE):
        return _reject_text(folded)
    if folded in _NO_ERROR or not folded:
        return ""
    if folded in {"on", "true"}:
        return "problem"
    return state.strip()


def _flag(value: Any) -> bool | None:
    """An attribute that says defrost: a bool, on/off words or a phase."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip():
        return is_defrost_word(value)
    return None


def _entity_defrost(state: str, attributes: Mapping[str, Any]) -> Value | Rejected:
    """A climate or water heater: a defrost attribute, else the hvac_action."""
    if state in (REASON_UNKNOWN, REASON_UNAVAILABLE, ""):
        return _reject_text(state)
    for name in _DEFROST_ATTRIBUTES:
        if (flag := _flag(attributes.get(name))) is not None:
            return flag
    action = attributes.get("hvac_action")
    if not isinstance(action, str):
        return _REJECTED[REASON_NO_HVAC_ACTION]
    return action == _HVAC_ACTION_DEFROST


def _attr_number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except TypeError, ValueError:
        return None
    return number if math.isfinite(number) else None


def _climate_converter(unit: str | None, entity_id: str | None) -> Converter:
    convert = (
        None
        if unit is None
        else TemperatureConverter.converter_factory(unit, UnitOfTemperature.CELSIUS)
    )

    def temperature(value: Any) -> float | None:
        number = _attr_number(value)
        if number is None:
            return None
        if convert is None:
            raise UnitError(InputKey.CLIMATE, None, entity_id=entity_id)
        return convert(number)

    def climate(state: str, attributes: Mapping[str, Any]) -> Value | Rejected:
        if state not in HVAC_MODES:
            if state in (REASON_UNKNOWN, REASON_UNAVAILABLE, ""):
                return _reject_text(state)
            return _REJECTED[REASON_UNRECOGNISED]
        action = attributes.get("hvac_action")
        target = attributes.get("temperature")
        if target is None:
            # Dual-setpoint thermostats: the setpoint that matters is the one
            # being worked towards; when idle, the heating one (the faults
            # judged here are about heating).
            high = attributes.get("target_temp_high")
            low = attributes.get("target_temp_low")
            cooling = action == "cooling" or state == "cool"
            target = high if cooling else low
            if target is None:
                target = low if cooling else high
        return ClimateReading(
            hvac_mode=state,
            hvac_action=action if isinstance(action, str) else None,
            current_temperature=temperature(attributes.get("current_temperature")),
            target_temperature=temperature(target),
        )

    return climate


def domain_of(entity_id: str | None, attributes: Mapping[str, Any] | None = None) -> str | None:
    """The entity's domain, from its id or (for a CSV export's bare id) its attributes."""
    if entity_id and "." in entity_id:
        return entity_id.split(".", 1)[0]
    if attributes and ("hvac_action" in attributes or "hvac_modes" in attributes):
        return "climate"
    return None


# Inputs whose states need no unit: one converter each.
_STATE_CONVERTERS: Final[Mapping[InputKey, Converter]] = {
    InputKey.COMPRESSOR: _compressor,
    InputKey.ERROR: _unit_error,
}


def _backup_converter(unit: str | None, entity_id: str | None) -> Converter:
    """Its power in W where it has a power unit, else running or not."""
    normalised = normalise_unit(InputKey.BACKUP_HEATER, unit, entity_id=entity_id)
    if normalised is None or normalised == _PERCENT:
        return _backup_running
    return _numeric_converter(InputKey.POWER, normalised, entity_id)


@lru_cache(maxsize=256)
def converter(
    key: InputKey,
    unit: str | None = None,
    *,
    entity_id: str | None = None,
    domain: str | None = None,
    defrost_states: frozenset[str] | None = None,
) -> Converter:
    """Return the function that converts states of one source with one unit.

    ``unit`` is the source's unit (for a climate entity: the unit of its
    temperatures, i.e. the system unit).  ``domain`` (else taken from
    ``entity_id``) tells a climate or water heater used as the defrost source
    from a switch or a phase sensor; ``defrost_states`` are the folded states
    that mean defrost, where the owner chose them.  Building a converter
    validates the unit (``UnitError``); calling it never raises, except
    ``UnitError`` when a number arrives from a source that has no unit.
    Cached: the replay asks once per source and unit, not per reading.
    """
    if (fixed := _STATE_CONVERTERS.get(key)) is not None:
        return fixed
    if key is InputKey.BACKUP_HEATER:
        return _backup_converter(unit, entity_id)
    if key is InputKey.DEFROST:
        domain = domain or domain_of(entity_id)
        if domain in ("climate", "water_heater"):
            return _entity_defrost
        return _defrost_converter(
            defrost_states, phase=domain is not None and domain not in DEFROST_SWITCH_DOMAINS
        )
    normalised = normalise_unit(key, unit, entity_id=entity_id)
    if key is InputKey.CLIMATE:
        return _climate_converter(normalised, entity_id)
    return _numeric_converter(key, normalised, entity_id)


def source_unit(
    key: InputKey,
    attributes: Mapping[str, Any],
    *,
    unit: str | None = None,
    climate_unit: str | None = None,
) -> str | None:
    """Return the unit a source's state is in: an explicit override wins.

    For a climate entity, an attribute naming the unit comes next, then
    ``climate_unit`` (the Home Assistant system temperature unit).
    """
    if unit is not None:
        return unit
    if key is InputKey.CLIMATE:
        found = attributes.get(ATTR_TEMPERATURE_UNIT)
        return found if isinstance(found, str) else climate_unit
    found = attributes.get(ATTR_UNIT)
    return found if isinstance(found, str) else None


def to_value(
    key: InputKey,
    state: str,
    attributes: Mapping[str, Any],
    *,
    unit: str | None = None,
    climate_unit: str | None = None,
    entity_id: str | None = None,
    defrost_states: frozenset[str] | None = None,
) -> IngestResult:
    """Convert one Home Assistant state of the source configured as ``key``.

    ``unit`` overrides ``attributes["unit_of_measurement"]`` (a CSV export
    carries no attributes).  ``climate_unit`` is the unit of a climate
    entity's temperatures (Home Assistant's system unit).  ``entity_id``
    improves error messages and tells a climate entity used as the defrost
    source from a switch.  Raises ``UnitError`` for an unconvertible unit.
    """
    convert = converter(
        key,
        source_unit(key, attributes, unit=unit, climate_unit=climate_unit),
        entity_id=entity_id,
        domain=domain_of(entity_id, attributes),
        defrost_states=defrost_states,
    )
    value = convert(state, attributes)
    if isinstance(value, Rejected):
        return IngestResult(None, value.reason)
    return IngestResult(value)
