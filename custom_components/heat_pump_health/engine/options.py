"""What the evaluator is told about one heat pump: its inputs and how picky to be."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import math
from typing import Any

from .model import FaultKey, InputKey, Sensitivity, SystemType, fold

# Multiplies every "how far from normal" margin: low sensitivity asks for more
# deviation before it speaks, high for less.  Persistence is not scaled, so a
# sensitive setting still never alarms on a single reading.
_MARGIN_SCALE = {Sensitivity.LOW: 1.3, Sensitivity.NORMAL: 1.0, Sensitivity.HIGH: 0.75}

# Keys the replay configuration carries alongside the options; not ours.
_IGNORED_KEYS = frozenset({"units", "name"})

# One day: persistence longer than that would hide every fault.
MAX_MINUTES = 1440

CONF_DEFROST_STATES = "defrost_states"
CONF_UNIT_INPUTS = "unit_inputs"
# A defrost source in one of these domains is the defrost itself: its "off"
# means "not defrosting" from the first reading.
DEFROST_SWITCH_DOMAINS = frozenset({"binary_sensor", "switch", "input_boolean"})


@dataclass(frozen=True, slots=True, kw_only=True)
class EvaluatorOptions:
    """The configuration of one evaluator."""

    system_type: SystemType = SystemType.AIR_TO_AIR
    configured: frozenset[InputKey] = frozenset()
    sensitivity: Sensitivity = Sensitivity.NORMAL
    confirm_minutes: int | None = None
    clear_minutes: int | None = None
    # The (folded) states of a phase sensor that mean defrost, where the
    # owner chose them; None: the words we know.
    defrost_states: frozenset[str] | None = None
    # The defrost source reports defrost only when it happens (a phase
    # sensor, a thermostat's action): its other states mean "not defrosting"
    # only once it has shown a defrost.
    defrost_needs_proof: bool = False
    # The inputs that come from the heat pump itself (its own board or
    # cloud): they go unavailable together when it loses power.  None: every
    # input but the thermostat.
    unit_inputs: frozenset[InputKey] | None = None

    def __post_init__(self) -> None:
        for name in ("confirm_minutes", "clear_minutes"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= MAX_MINUTES:
                msg = f"{name} must be between 0 and {MAX_MINUTES}, not {value!r}"
                raise ValueError(msg)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> EvaluatorOptions:
        """Build options from a config entry's options or a replay configuration."""
        configured: set[InputKey] = set()
        system_type = SystemType.AIR_TO_AIR
        sensitivity = Sensitivity.NORMAL
        minutes: dict[str, int | None] = {"confirm_minutes": None, "clear_minutes": None}
        defrost_states: frozenset[str] | None = None
        unit_inputs: frozenset[InputKey] | None = None
        input_keys = {key.value: key for key in InputKey}
        for key, value in data.items():
            if key in input_keys:
                if _entity_given(key, value):
                    configured.add(input_keys[key])
            elif key == "system_type":
                try:
                    system_type = SystemType(value)
                except ValueError:
                    allowed = ", ".join(item.value for item in SystemType)
                    msg = f"system_type must be one of {allowed}, not {value!r}"
                    raise ValueError(msg) from None
            elif key == "sensitivity":
                if value is not None:
                    sensitivity = _sensitivity(value)
            elif key in minutes:
                minutes[key] = _minutes(key, value)
            elif key == CONF_DEFROST_STATES:
                defrost_states = _states(value)
            elif key == CONF_UNIT_INPUTS:
                unit_inputs = _inputs(value)
            elif key not in _IGNORED_KEYS:
                msg = f"unknown option: {key}"
                raise ValueError(msg)
        defrost_entity = data.get(InputKey.DEFROST.value)
        domain = defrost_entity.split(".", 1)[0] if isinstance(defrost_entity, str) else None
        return cls(
            system_type=system_type,
            configured=frozenset(configured),
            sensitivity=sensitivity,
            confirm_minutes=minutes["confirm_minutes"],
            clear_minutes=minutes["clear_minutes"],
            defrost_states=defrost_states,
            defrost_needs_proof=InputKey.DEFROST in configured
            and domain not in DEFROST_SWITCH_DOMAINS
            and defrost_states is None,
            unit_inputs=unit_inputs,
        )

    @property
    def margin_scale(self) -> float:
        """Factor applied to deviation thresholds (larger: fewer alarms)."""
        return _MARGIN_SCALE[self.sensitivity]

    def has(self, *keys: InputKey) -> bool:
        """Tell whether every one of the inputs is configured."""
        return all(key in self.configured for key in keys)

    def evaluable_faults(self) -> tuple[FaultKey, ...]:
        """List the faults the configured inputs give evidence for, in FaultKey order."""
        usable = {
            FaultKey.POWER_LOSS: self.has(InputKey.POWER),
            # The defrost switch alone shows long and back-to-back defrosts; coil
            # and outdoor temperature alone show a coil icing up.
            FaultKey.ICE_BUILDUP: self.has(InputKey.DEFROST)
            or self.has(InputKey.COIL_TEMPERATURE, InputKey.OUTDOOR_TEMPERATURE),
            # The split needs to know that the unit is heating (climate or
            # power); the "flat out but the room stays cold" test needs both.
            FaultKey.INSUFFICIENT_HEAT: (
                self.has(InputKey.SUPPLY_TEMPERATURE, InputKey.RETURN_TEMPERATURE)
                and (
                    self.has(InputKey.CLIMATE)
                    or self.has(InputKey.POWER)
                    or self.has(InputKey.COMPRESSOR)
                )
            )
            or self.has(InputKey.CLIMATE, InputKey.POWER),
            FaultKey.ABNORMAL_NOISE: self.has(InputKey.NOISE),
            # Starts are seen in the power or the compressor's own state.
            FaultKey.SHORT_CYCLING: self.has(InputKey.POWER) or self.has(InputKey.COMPRESSOR),
        }
        return tuple(fault for fault in FaultKey if usable[fault])


def _states(value: Any) -> frozenset[str] | None:
    """A list of state words, folded; empty or missing: None."""
    if value is None:
        return None
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        msg = f"{CONF_DEFROST_STATES} must be a list of states, not {value!r}"
        raise ValueError(msg)
    folded = frozenset(fold(item) for item in value if item.strip())
    return folded or None


def _inputs(value: Any) -> frozenset[InputKey] | None:
    """A list of input keys (power_entity, ...)."""
    if value is None:
        return None
    keys = {key.value: key for key in InputKey}
    if not isinstance(value, list | tuple) or not all(item in keys for item in value):
        msg = f"{CONF_UNIT_INPUTS} must be a list of input keys, not {value!r}"
        raise ValueError(msg)
    return frozenset(keys[item] for item in value)


def _sensitivity(value: Any) -> Sensitivity:
    try:
        return Sensitivity(value)
    except ValueError:
        allowed = ", ".join(item.value for item in Sensitivity)
        msg = f"sensitivity must be one of {allowed}, not {value!r}"
        raise ValueError(msg) from None


def _entity_given(key: str, value: Any) -> bool:
    """Tell whether an input names an entity (then it counts as configured)."""
    if value is None or value == "":
        return False
    if isinstance(value, str):
        return True
    msg = f"{key} must be an entity id or empty, not {value!r}"
    raise ValueError(msg)


def _minutes(key: str, value: Any) -> int | None:
    """Accept whole minutes as int or integral float (number selectors give floats)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        msg = f"{key} must be a whole number of minutes, not {value!r}"
        raise ValueError(msg)
    if not math.isfinite(value) or value != int(value):
        msg = f"{key} must be a whole number of minutes, not {value!r}"
        raise ValueError(msg)
    minutes = int(value)
    if not 0 <= minutes <= MAX_MINUTES:
        msg = f"{key} must be between 0 and {MAX_MINUTES}, not {value!r}"
        raise ValueError(msg)
    return minutes
