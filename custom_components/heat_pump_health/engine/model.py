"""Vocabulary shared by the evaluator, the integration and the replay tool."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any
import unicodedata


def fold(text: str) -> str:
    """A state or option as compared: lower case, no accents, underscores for gaps.

    "Dégivrage", "OP_DEICE", "Defrosting outdoor unit" and "de-ice" are the
    words vendors use; folding makes them comparable without a table of
    every spelling.
    """
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return "_".join(plain.replace("-", " ").split())


class InputKey(StrEnum):
    """The configurable sources; the names are fixed across config, replay and tests."""

    POWER = "power_entity"
    COIL_TEMPERATURE = "coil_temperature_entity"
    OUTDOOR_TEMPERATURE = "outdoor_temperature_entity"
    SUPPLY_TEMPERATURE = "supply_temperature_entity"
    RETURN_TEMPERATURE = "return_temperature_entity"
    DEFROST = "defrost_entity"
    CLIMATE = "climate_entity"
    NOISE = "noise_entity"
    # Optional: the compressor's own state (frequency, running sensor or a
    # phase), and the unit's own error or alarm entity.
    COMPRESSOR = "compressor_entity"
    ERROR = "error_entity"
    # Optional: the backup (auxiliary) heater, by its power or on/off.
    BACKUP_HEATER = "backup_heater_entity"


class SystemType(StrEnum):
    """How the heat is delivered; sets the default expectations."""

    AIR_TO_AIR = "air_to_air"
    AIR_TO_WATER = "air_to_water"


class Sensitivity(StrEnum):
    """How large a deviation from normal must be before a fault is judged abnormal."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


class FaultKey(StrEnum):
    """The faults; the names are used by entities, events, repairs and replay."""

    POWER_LOSS = "power_loss"
    ICE_BUILDUP = "ice_buildup"
    INSUFFICIENT_HEAT = "insufficient_heat"
    ABNORMAL_NOISE = "abnormal_noise"
    SHORT_CYCLING = "short_cycling"


class Severity(StrEnum):
    """Error: the unit is at risk now.  Warning: comfort or efficiency suffers."""

    ERROR = "error"
    WARNING = "warning"


# How serious each fault is.  The words an owner reads about each fault
# (causes, checks, evidence) are translations: see explain.py.
SEVERITY: Mapping[FaultKey, Severity] = MappingProxyType(
    {
        FaultKey.POWER_LOSS: Severity.ERROR,
        FaultKey.ICE_BUILDUP: Severity.ERROR,
        FaultKey.INSUFFICIENT_HEAT: Severity.WARNING,
        FaultKey.ABNORMAL_NOISE: Severity.WARNING,
        FaultKey.SHORT_CYCLING: Severity.WARNING,
    }
)


class Health(StrEnum):
    """The overall verdict shown by the health sensor."""

    LEARNING = "learning"
    OK = "ok"
    # Some fault is suspect: abnormal evidence, not (yet) confirmed.  "watch"
    # is the owner's word for it, in the sensor's state and its translations.
    WATCH = "watch"
    FAULT = "fault"


@dataclass(frozen=True, slots=True)
class ClimateReading:
    """What a climate entity says: its state is the mode, the rest attributes."""

    hvac_mode: str | None = None
    hvac_action: str | None = None
    current_temperature: float | None = None  # °C
    target_temperature: float | None = None  # °C


# What one observation carries, per input:
# - POWER: watts, or an EnergyReading from a counter;
# - temperatures: °C; NOISE: the entity's own level (dB or other);
# - DEFROST: bool; COMPRESSOR: bool (running); ERROR: the code as text, "" for none;
# - BACKUP_HEATER: watts, or bool (running) where it reports only on or off;
# - CLIMATE: ClimateReading;
# - None: the source is unknown or unavailable at that moment.
@dataclass(frozen=True, slots=True)
class EnergyReading:
    """An energy counter's reading, kWh: the power input where there is no power sensor."""

    kwh: float


type Value = float | bool | str | ClimateReading | EnergyReading | None


@dataclass(slots=True)
class FaultStatus:
    """One fault's verdict at one evaluation."""

    fault: FaultKey
    # True: confirmed fault; False: evaluated and fine; None: cannot be judged
    # right now (its evidence is unknown).
    active: bool | None
    # Epoch seconds when the current fault began (first abnormal evidence),
    # None when not active.
    since: float | None = None
    severity: Severity = Severity.WARNING
    # Suspicious but not (yet) confirmed: drives the "watch" health state.
    suspect: bool = False
    # Short machine-readable reason, e.g. "no_power", "defrost_too_long",
    # "low_split", "bursts" / "sustained".
    reason: str | None = None
    # The values and thresholds behind the decision; JSON-serialisable.
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Diagnostics:
    """Derived numbers for the diagnostic sensors; None when unknown."""

    supply_return_split: float | None = None  # K
    coil_outdoor_gap: float | None = None  # K (outdoor minus coil)
    defrosts_last_24h: int | None = None
    last_defrost_minutes: float | None = None
    health: Health = Health.LEARNING
    # Readings refused as implausible since start-up, keyed "input:reason"
    # (e.g. "coil_temperature_entity:probe_error"); they count as unknown.
    rejected_readings: dict[str, int] = field(default_factory=dict)
    # Share of the learning needed before the health leaves "learning", 0..1.
    learning_progress: float = 0.0
    # Defrosting or just after: the split and the coil gap swing by design.
    defrost_recovering: bool = False
    # Each source's usual interval between reports, seconds (None: unknown yet).
    sampling_s: dict[str, float | None] = field(default_factory=dict)
    # The unit's own error code while it reports one, and since when (epoch s).
    unit_error: str | None = None
    unit_error_since: float | None = None
    # Rules the sampling is too coarse for: "defrost_cycles", "noise", "split",
    # "standby", "cycles".
    not_judged: list[str] = field(default_factory=list)
    # Compressor starts an hour (mean over the last day) and the median run
    # (minutes) of the last day; defrost restarts are not starts.
    starts_per_hour: float | None = None
    median_run_minutes: float | None = None
    # Share of the last day's energy spent defrosting, %.
    defrost_energy_percent: float | None = None
    # Heat delivered per unit of power against this unit's own healthy
    # reference at the same outdoor temperature and load, %.
    efficiency_percent: float | None = None
