"""A house heated (or cooled) by an air-source heat pump, simple but physical.

The model is small enough to step a simulated week in about half a second and
physical enough that every trace obeys the relations a real unit shows: the
supply-return split follows delivered heat over air or water flow, the outdoor
coil runs below outdoor air by an approach that grows with load and frost,
frost grows only when the coil is below both 0 °C and the dew point, a defrost
reverses the cycle (heat stops, power stays up, the coil warms past 0 °C), and
the room drifts when nothing runs.

Three layers:

- :class:`HeatPumpModel` steps the physics and exposes true values in SI
  units (°C, W, dB); the development Home Assistant integration will drive it
  live.
- :func:`simulate` samples a model like Home Assistant would record it:
  report-on-change sensors with their precision, units, dropouts and probe
  glitches, as :class:`StateRecord` rows.
- :func:`replay_config` gives the replay tool's config for a scenario.

Plain Python, deterministic for a given seed, no Home Assistant imports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import math
import random
from typing import Any, Final

# -- Vocabulary ---------------------------------------------------------------

# The configurable inputs; these strings are the InputKey values of
# heat_pump_health.engine.model, repeated here so the simulator stays a
# standalone package.
POWER: Final = "power_entity"
COIL_TEMPERATURE: Final = "coil_temperature_entity"
OUTDOOR_TEMPERATURE: Final = "outdoor_temperature_entity"
SUPPLY_TEMPERATURE: Final = "supply_temperature_entity"
RETURN_TEMPERATURE: Final = "return_temperature_entity"
DEFROST: Final = "defrost_entity"
CLIMATE: Final = "climate_entity"
NOISE: Final = "noise_entity"
BACKUP_HEATER: Final = "backup_heater_entity"
INPUT_KEYS: Final = (
    POWER,
    COIL_TEMPERATURE,
    OUTDOOR_TEMPERATURE,
    SUPPLY_TEMPERATURE,
    RETURN_TEMPERATURE,
    DEFROST,
    CLIMATE,
    NOISE,
    BACKUP_HEATER,
)
TEMPERATURE_INPUTS: Final = (
    COIL_TEMPERATURE,
    OUTDOOR_TEMPERATURE,
    SUPPLY_TEMPERATURE,
    RETURN_TEMPERATURE,
)

SYSTEM_TYPES: Final = ("air_to_air", "air_to_water")
COMPRESSORS: Final = ("inverter", "two_stage", "fixed")
DEFROST_CONTROLS: Final = ("demand", "timed")
HVAC_MODES: Final = ("heat", "cool", "off", "heat_cool")
TEMPERATURE_UNITS: Final = ("°C", "°F", "K")
POWER_UNITS: Final = ("W", "kW")
POWER_METERS: Final = ("whole_unit", "outdoor_unit")

BREAKER_TRIP: Final = "breaker_trip"
DEFROST_NEVER_STARTS: Final = "defrost_never_starts"
DEFROST_ENDS_EARLY: Final = "defrost_ends_early"
DEFROST_TOO_LONG: Final = "defrost_too_long"
REFRIGERANT_LEAK: Final = "refrigerant_leak"
BLOCKED_FILTER: Final = "blocked_filter"
RATTLING: Final = "rattling"
WORN_BEARING: Final = "worn_bearing"
# A safety cut-out (high pressure from too little airflow or water flow, or a
# refrigerant problem) stops the compressor after minutes of running.
SHORT_CYCLING: Final = "short_cycling"
FAULT_KINDS: Final = frozenset(
    {
        SHORT_CYCLING,
        BREAKER_TRIP,
        DEFROST_NEVER_STARTS,
        DEFROST_ENDS_EARLY,
        DEFROST_TOO_LONG,
        REFRIGERANT_LEAK,
        BLOCKED_FILTER,
        RATTLING,
        WORN_BEARING,
    }
)

# -- Physical constants ---------------------------------------------------------

CP_AIR: Final = 1005.0  # J/(kg K)
RHO_AIR: Final = 1.2  # kg/m³ at room conditions
CP_WATER: Final = 4186.0  # J/(kg K)
LATENT_FUSION: Final = 334_000.0  # J/kg, melting ice
ATMOSPHERE_PA: Final = 101_325.0
KELVIN: Final = 273.15

# -- House ----------------------------------------------------------------------

# Two nodes instead of one: a light air node (air, furniture, plasterboard
# surfaces) that the heat pump and thermostat see, and the heavy structure.  A
# single lumped node would make an on/off cycle last hours; real rooms swing
# through a thermostat deadband in 10-30 minutes because only the light node
# moves fast.
AIR_NODE_SHARE: Final = 0.12  # of the total capacitance
AIR_TO_MASS_W_PER_K: Final = 1200.0  # internal surfaces, ~ 8 W/(m² K) x 150 m²
AIR_LOSS_SHARE: Final = 0.3  # windows and infiltration act on the air node

# -- Heat pump ------------------------------------------------------------------

# Heating capacity falls ~2 %/K below the 7 °C rating point (EN 14511 A7): the
# suction gas gets thinner as the coil gets colder.  Floors and caps keep the
# line inside what manufacturers' tables show.
CAPACITY_SLOPE_PER_K: Final = 0.02
COOLING_CAPACITY_SHARE: Final = 0.9  # rated cooling vs rated heating
COOLING_SLOPE_PER_K: Final = 0.012  # loss of cooling capacity above 35 °C
# Real cycles reach about 45-50 % of Carnot between evaporating and condensing
# temperatures; this yields COP ~3.5 at 7 °C and ~2.3 at -10 °C full speed.
CARNOT_FRACTION: Final = 0.45
INVERTER_MIN_SPEED: Final = 0.2  # inverters modulate down to ~20-30 %
STAGE_SPEEDS: Final = (0.0, 0.62, 1.0)  # two-stage: low stage ~60 % capacity
SPEED_RAMP_UP_PER_S: Final = 0.01  # soft start: ~100 s to full speed
SPEED_RAMP_DOWN_PER_S: Final = 0.02
MIN_OFF_S: Final = 180.0  # anti-short-cycle timer, universal in controls
MIN_ON_S: Final = 300.0
# Air side (air_to_air): 1000 m³/h nominal ⇒ ~335 W/K, so a full 8 kW gives a
# ~24 K split; inverters also slow the indoor fan at low speed, which keeps
# the split above ~10 K at part load.
NOMINAL_AIRFLOW_M3_H: Final = 1000.0
# Water side (air_to_water): 0.25 kg/s ⇒ 1046 W/K, a 3-8 K split at 3-8 kW.
NOMINAL_WATER_FLOW_KG_S: Final = 0.25
WATER_LOOP_J_PER_K: Final = 800_000.0  # ~150 l of water plus radiator steel
EMITTER_UA_PER_RATED_W: Final = 0.045  # radiators: ~360 W/K for an 8 kW unit
HEATING_CURVE_SLOPE: Final = 0.5  # K of water per K below the setpoint
COOLING_WATER_C: Final = 18.0  # chilled water kept above the dew point
# Electrical auxiliaries.
CONTROLS_W: Final = 10.0  # indoor board and thermostat transformer
CRANKCASE_HEATER_W: Final = 44.0  # the NIST lab unit's setback reading
CRANKCASE_OUTDOOR_C: Final = 10.0  # energized below this outdoor temperature...
CRANKCASE_AFTER_OFF_S: Final = 1800.0  # ...or after this long standing still
OUTDOOR_FAN_W: Final = (25.0, 70.0)  # at low and full speed
INDOOR_FAN_W: Final = (35.0, 140.0)
CIRCULATION_PUMP_W: Final = 45.0

# -- Outdoor coil, frost and defrost -------------------------------------------------

# Evaporating approach: the coil runs below outdoor air by ~2 K when idling
# at minimum and ~9 K at full load (finned-tube coils at ~2500 m³/h).
APPROACH_BASE_K: Final = 2.0
APPROACH_LOAD_K: Final = 7.0
COIL_TAU_S: Final = 90.0
OUTDOOR_AIRFLOW_KG_S: Final = 0.9  # ~2700 m³/h outdoor fan
# Share of the air through the coil that reaches the fins' saturation state
# (the bypass factor's complement).  Tuned so that at 1-3 °C and 90 % RH a
# half-speed unit frosts to the defrost threshold in ~45-75 min, the field
# experience behind 30-90 min defrost intervals.
FROST_CONTACT: Final = 0.7
FROST_FULL_KG: Final = 3.0  # frost that encases a ~1 m² residential coil
FASTEST_ENCASING_S: Final = 45 * 60.0
FROST_CAPACITY_LOSS: Final = 0.85  # at full encasing (φ² law: mild then steep)
FROST_COIL_PENALTY_K: Final = 12.0  # extra coil drop at full encasing (φ^1.5)
# Demand defrost: the control compares outdoor-minus-coil with the clean-coil
# value it expects; ~4.5 K extra (φ ≈ 0.5) starts a defrost.
DEFROST_PENALTY_K: Final = 4.5
DEFROST_COIL_BELOW_C: Final = -1.0
DEFROST_MIN_INTERVAL_S: Final = 1800.0  # runtime between defrosts
DEFROST_RETRY_INTERVAL_S: Final = 600.0  # after an incomplete defrost
# After 6 h of runtime below 0 °C a smaller sign of frost is enough.
DEFROST_BACKSTOP_S: Final = 6 * 3600.0
DEFROST_BACKSTOP_PENALTY_K: Final = 2.0
DEFROST_TERMINATE_C: Final = 15.0
DEFROST_MAX_S: Final = 600.0
DEFROST_HOT_GAS_SHARE: Final = 0.5  # of rated capacity sent to the coil
DEFROST_COIL_MAX_C: Final = 20.0  # hot gas tapers off as the coil nears this
COIL_MASS_J_PER_K: Final = 30_000.0  # ~15 kg aluminium and copper plus gas
# The outdoor coil, its fan and the frost it can hold are sized with the unit:
# the figures above are for the 8 kW reference, scaled by rated capacity.
REFERENCE_CAPACITY_W: Final = 8000.0
COIL_STILL_AIR_W_PER_K: Final = 40.0  # loss with the outdoor fan stopped
COIL_FREE_MELT_W_PER_K: Final = 150.0  # frost melting in above-zero air
TOO_LONG_DEFROST_S: Final = (25 * 60.0, 40 * 60.0)
EARLY_END_DEFROST_S: Final = (50.0, 90.0)
LEAK_FLOOR_CHARGE: Final = 0.55  # charge left when the leak has run its course
# Capacity falls faster than charge: the evaporator starves (see _charge_capacity).
LEAK_CAPACITY_PER_CHARGE: Final = 1.4
# -- Noise ----------------------------------------------------------------------

AMBIENT_DB: Final = 35.0
RUNNING_DB: Final = (45.0, 55.0)  # at minimum and full speed
DEFROST_DB: Final = 50.0
VALVE_SPIKE_DB: Final = (10.0, 14.0)
VALVE_SPIKE_S: Final = (10.0, 20.0)
CARS_PER_DAY: Final = 4.0
CAR_DB: Final = (10.0, 20.0)
CAR_S: Final = (10.0, 30.0)
RATTLE_MEAN_GAP_S: Final = 480.0  # several bursts per hour
RATTLE_DB: Final = (8.0, 15.0)
RATTLE_S: Final = (5.0, 20.0)
BEARING_DB: Final = (6.0, 12.0)

MAX_SUBSTEP_S: Final = 30.0


# -- Scenario --------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleEntry:
    """From ``hour`` (local, daily) on: this setpoint, and this mode if given."""

    hour: float
    setpoint_c: float
    mode: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FaultInjection:
    """A fault active from ``start_offset`` until ``end_offset`` (or the end)."""

    kind: str
    start_offset: timedelta
    end_offset: timedelta | None = None

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            msg = f"unknown fault kind {self.kind!r}"
            raise ValueError(msg)


@dataclass(frozen=True, slots=True, kw_only=True)
class Dropout:
    """The entity of ``input_key`` reports "unavailable" for a while."""

    input_key: str
    start_offset: timedelta
    duration: timedelta

    def __post_init__(self) -> None:
        if self.input_key not in INPUT_KEYS:
            msg = f"unknown input key {self.input_key!r}"
            raise ValueError(msg)


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """Everything that defines one simulated run."""

    name: str = "custom"
    start: datetime = datetime(2026, 1, 12, tzinfo=UTC)
    duration: timedelta = timedelta(days=1)
    system_type: str = "air_to_air"
    compressor: str = "inverter"
    # Outdoor: daily sinusoid (coldest at 05:00, warmest at 17:00 local) plus
    # slow weather drift and fast turbulence; humidity is relative (0-1),
    # higher at night as it is in real weather.
    mean_c: float = 2.0
    swing_c: float = 3.0
    humidity: float = 0.85
    weather_noise_c: float = 0.4
    weather_drift_c: float = 1.0
    # House: ~170 W/K is a 1990s 120-150 m² house; 16 MJ/K a medium-weight one.
    ua_w_per_k: float = 170.0
    capacitance_j_per_k: float = 16e6
    internal_gains_w: float = 350.0
    solar_gain_w: float = 0.0  # peak at noon, through windows
    rated_capacity_w: float = 8000.0  # heating at 7 °C outdoor, full speed
    # Thermostat.
    mode: str = "heat"
    schedule: tuple[ScheduleEntry, ...] = (ScheduleEntry(hour=0.0, setpoint_c=21.0),)
    deadband_k: float = 0.6
    heat_cool_gap_k: float = 3.0
    initial_room_c: float | None = None
    utc_offset_h: float = 0.0
    # Metering: the whole unit, or only the outdoor unit (then idle reads 0 W
    # and the crankcase heater shows, as in the NIST lab data).
    power_meter: str = "whole_unit"
    # The outdoor unit may wait this long (random in the range) after a call
    # before its compressor starts; its power then reads 0 W (NIST: 1-2 min).
    start_delay_s: tuple[float, float] = (0.0, 0.0)
    breaker_power_state: str = "zero"  # "zero" or "unavailable" while tripped
    leak_ramp: timedelta = timedelta(hours=36)
    # Share of capacity the leak has cost when its ramp has run (0.63: the
    # charge down to LEAK_FLOOR_CHARGE).
    leak_capacity_loss: float = LEAK_CAPACITY_PER_CHARGE * (1.0 - LEAK_FLOOR_CHARGE)
    # With the short_cycling fault: how long the compressor runs before the
    # safety cut-out stops it, seconds.
    cutout_run_s: float = 180.0
    # Demand defrost watches the coil for frost; timed defrost starts one
    # after every ``defrost_interval`` of running with the coil below freezing,
    # frost or not (older and cheaper controls).
    defrost_control: str = "demand"
    defrost_interval: timedelta = timedelta(minutes=60)
    # Daily windows (local start hour, hours) in which the unit is held off
    # whatever the thermostat asks: a utility lock-out or a night schedule.
    lockouts: tuple[tuple[float, float], ...] = ()
    # A backup heater (immersion, inline or electric strips) of this power,
    # W; 0: none.  Its own supply and meter: the unit's meter does not see it.
    backup_heater_w: float = 0.0
    faults: tuple[FaultInjection, ...] = ()
    # Sensors.
    temperature_unit: str = "°C"
    power_unit: str = "W"
    dropouts: tuple[Dropout, ...] = ()
    probe_errors: bool = False
    omit_inputs: tuple[str, ...] = ()
    seed: int = 0
    power_entity: str = "sensor.hp_power"
    coil_temperature_entity: str = "sensor.hp_coil_temperature"
    outdoor_temperature_entity: str = "sensor.hp_outdoor_temperature"
    supply_temperature_entity: str = "sensor.hp_supply_temperature"
    return_temperature_entity: str = "sensor.hp_return_temperature"
    defrost_entity: str = "binary_sensor.hp_defrost"
    climate_entity: str = "climate.hp"
    noise_entity: str = "sensor.hp_noise"
    backup_heater_entity: str = "sensor.hp_backup_heater_power"

    def __post_init__(self) -> None:
        checks = (
            ("system_type", self.system_type, SYSTEM_TYPES),
            ("compressor", self.compressor, COMPRESSORS),
            ("defrost_control", self.defrost_control, DEFROST_CONTROLS),
            ("mode", self.mode, HVAC_MODES),
            ("temperature_unit", self.temperature_unit, TEMPERATURE_UNITS),
            ("power_unit", self.power_unit, POWER_UNITS),
            ("power_meter", self.power_meter, POWER_METERS),
            ("breaker_power_state", self.breaker_power_state, ("zero", "unavailable")),
        )
        for name, value, allowed in checks:
            if value not in allowed:
                msg = f"{name} must be one of {allowed}, not {value!r}"
                raise ValueError(msg)
        if self.start.tzinfo is None:
            msg = "start must be timezone-aware (UTC)"
            raise ValueError(msg)
        if not self.schedule:
            msg = "schedule needs at least one entry"
            raise ValueError(msg)
        for entry in self.schedule:
            if entry.mode is not None and entry.mode not in HVAC_MODES:
                msg = f"schedule mode must be one of {HVAC_MODES}, not {entry.mode!r}"
                raise ValueError(msg)
        if not 60.0 <= self.cutout_run_s <= 900.0:
            msg = "cutout_run_s must be between 60 and 900 seconds"
            raise ValueError(msg)
        if not 0.0 <= self.leak_capacity_loss <= 0.7:
            msg = "leak_capacity_loss must be between 0 and 0.7"
            raise ValueError(msg)
        for key in self.omit_inputs:
            if key not in INPUT_KEYS:
                msg = f"unknown input key {key!r}"
                raise ValueError(msg)

    @property
    def start_epoch(self) -> float:
        """The start as epoch seconds."""
        return self.start.timestamp()

    def entity_id(self, input_key: str) -> str:
        """The entity id configured for an input key."""
        value: str = getattr(self, input_key)
        return value

    def entities(self) -> dict[str, str]:
        """Input key to entity id, for every input the scenario exposes."""
        return {
            key: self.entity_id(key)
            for key in INPUT_KEYS
            if key not in self.omit_inputs and (key != BACKUP_HEATER or self.backup_heater_w > 0.0)
        }


# -- Psychrometrics ----------------------------------------------------------------


def saturation_pressure_pa(temp_c: float) -> float:
    """Saturation vapour pressure over water (≥ 0 °C) or ice (< 0 °C), Magnus."""
    if temp_c >= 0.0:
        return 611.2 * math.exp(17.62 * temp_c / (243.12 + temp_c))
    return 611.2 * math.exp(22.46 * temp_c / (272.62 + temp_c))


def humidity_ratio(vapour_pa: float) -> float:
    """kg of water per kg of dry air at a vapour pressure."""
    return 0.622 * vapour_pa / (ATMOSPHERE_PA - vapour_pa)


def dewpoint_c(temp_c: float, relative_humidity: float) -> float:
    """Dew (or frost) point of air, inverting the Magnus formula used above."""
    vapour = max(relative_humidity, 1e-3) * saturation_pressure_pa(temp_c)
    ln = math.log(vapour / 611.2)
    dew = 243.12 * ln / (17.62 - ln)
    if dew < 0.0:
        dew = 272.62 * ln / (22.46 - ln)
    return dew


def _clamp(value: float, low: float, high: float) -> float:
    return low if value < low else high if value > high else value


# -- True values ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class TrueValues:
    """True values at one instant, in SI units (°C, W, dB)."""

    time: float  # epoch seconds
    powered: bool
    power_w: float  # as the configured meter sees it
    outdoor_c: float  # as the unit's outdoor sensor sees it
    outdoor_air_c: float  # the undisturbed air
    outdoor_rh: float
    dewpoint_c: float
    coil_c: float
    supply_c: float
    return_c: float
    room_c: float
    defrost: bool
    hvac_mode: str
    hvac_action: str
    target_c: float | None
    target_low_c: float | None
    target_high_c: float | None
    noise_db: float
    compressor_speed: float
    heat_w: float  # delivered to the house; negative when cooling or defrosting
    backup_w: float  # the backup heater's, also delivered to the house
    gains_w: float  # occupants, appliances and sun
    loss_w: float  # through the envelope to outdoors
    stored_j: float  # heat held by the house (and water loop) above 0 °C
    frost_kg: float
    refrigerant_charge: float
    faults: frozenset[str]


# -- The stepping model --------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class _Cycle:
    """What the refrigerant cycle does during one substep."""

    heat_w: float  # to the house (air) or the water loop; negative when cooling
    compressor_w: float
    outdoor_fan: float  # fraction of full speed, 0 = stopped
    airflow: float  # indoor air, fraction of nominal
    coil: float  # °C the outdoor coil tends to


class HeatPumpModel:
    """The physics of one house and heat pump, stepped in time.

    Faults scheduled in the scenario switch on and off by themselves;
    :meth:`inject` adds faults by hand (the live integration's switches).
    """

    def __init__(
        self,
        *,
        scenario: Scenario,
        seed: int | None = None,
        warmup_s: float = 3 * 3600.0,
    ) -> None:
        self.scenario = scenario
        sc = scenario
        self._rng = random.Random(sc.seed if seed is None else seed)
        # Sound has its own generator: a rattle must not change the weather.
        self._noise_rng = random.Random(self._rng.getrandbits(64))
        self._t0 = sc.start_epoch
        self._t = -warmup_s
        self._step_start = self._t
        self._air = sc.system_type == "air_to_air"
        self._inverter = sc.compressor == "inverter"
        self._fixed = sc.compressor == "fixed"
        self._coil_size = sc.rated_capacity_w / REFERENCE_CAPACITY_W
        # When a fault's sound was first in the noise (a rattle burst, the
        # bearing's tone): the moment an attentive owner could have heard it.
        self.first_fault_sound: float | None = None
        # The safety cut-outs of a short_cycling fault, as epoch seconds.
        self.cutouts: list[float] = []
        self._schedule = sorted(sc.schedule, key=lambda e: e.hour)
        self._manual_faults: set[str] = set()
        self._fault_since: dict[str, float] = {}
        self._mode_override: str | None = None
        self._setpoint_override: float | None = None
        self._init_thermal()
        self._init_controls()
        self._init_noise()
        if warmup_s > 0:
            self.step(warmup_s)

    def _init_thermal(self) -> None:
        sc = self.scenario
        self._c_air = sc.capacitance_j_per_k * AIR_NODE_SHARE
        self._c_mass = sc.capacitance_j_per_k - self._c_air
        self._ua_air = sc.ua_w_per_k * AIR_LOSS_SHARE
        self._ua_mass = sc.ua_w_per_k - self._ua_air
        self._emitter_ua = sc.rated_capacity_w * EMITTER_UA_PER_RATED_W
        # Indoor air and water flow are sized with the unit, as the outdoor
        # coil is: a 16 kW unit moves twice the air of an 8 kW one, so its
        # full-load split is the same.
        size = sc.rated_capacity_w / REFERENCE_CAPACITY_W
        self._air_w_per_k = NOMINAL_AIRFLOW_M3_H / 3600.0 * RHO_AIR * CP_AIR * size
        self._water_w_per_k = NOMINAL_WATER_FLOW_KG_S * CP_WATER * size
        # Weather: slow drift and fast turbulence as Ornstein-Uhlenbeck states.
        self._decay_cache: dict[float, tuple[tuple[float, float], ...]] = {}
        self._drift = self._rng.gauss(0.0, sc.weather_drift_c)
        self._turb = 0.0
        self._rh_noise = 0.0
        self._out_air = sc.mean_c
        self._rh = sc.humidity
        self._update_weather(0.0)
        # Started near equilibrium; the warm-up settles the rest.
        mode, low, high = self._targets()
        room = sc.initial_room_c
        if room is None:
            room = low if mode in {"heat", "heat_cool"} else high
        self._room = room
        self._mass = room - 0.3 * (room - self._out_air) * self._ua_mass / (
            self._ua_mass + AIR_TO_MASS_W_PER_K
        )
        self._water = self._water_target(room, self._out_air, low)
        self._supply = room if self._air else self._water
        self._return = self._supply
        self._coil = self._out_air
        self._frost = 0.0
        self._charge = 1.0
        # Electrical and delivered power of the last substep.
        self._power_w = 0.0
        self._heat_w = 0.0
        self._backup_w = 0.0
        self._airflow = 0.0  # fraction of nominal, indoor side
        self._pump_on = False
        self._gains_w = 0.0
        self._loss_w = 0.0

    def _init_controls(self) -> None:
        sc = self.scenario
        self._state = "off"  # off, starting, heat, cool, defrost
        self._speed = 0.0
        self._target_speed = 0.0
        self._stage = 0
        self._call: str | None = None
        self._water_ok = True  # air_to_water: water-temperature hysteresis
        self._off_since = self._t - MIN_OFF_S
        self._on_since = self._t
        self._stage_since = self._t
        self._start_left = 0.0
        self._start_call: str | None = None
        # The inverter's integrator starts where the heat loss puts it.
        _, low, _ = self._targets()
        load = max(0.0, sc.ua_w_per_k * (low - self._out_air) - sc.internal_gains_w)
        self._integral = _clamp(load / self._max_heat(self._out_air), 0.0, 1.0)
        # Defrost bookkeeping.  A random phase keeps defrosts of different
        # seeds from lining up on the same minute.
        self._run_since_defrost = self._rng.uniform(0.0, DEFROST_MIN_INTERVAL_S)
        self._frosting_runtime = 0.0
        self._defrost_t0 = 0.0
        self._defrost_end_after = DEFROST_MAX_S
        self._last_defrost_incomplete = False
        self._indoor_defrost_w = 0.0

    def _init_noise(self) -> None:
        rng = self._noise_rng
        # Events are (start, end, dB); the reading is the base level plus the
        # largest event overlapping the last step, so that a 10 s spike shows
        # at any sampling step.
        self._events: list[tuple[float, float, float]] = []
        self._next_car = self._t + rng.expovariate(CARS_PER_DAY / 86400.0)
        self._next_rattle = self._t
        self._bearing_db = rng.uniform(*BEARING_DB)
        self._noise_db = AMBIENT_DB

    # -- public API ------------------------------------------------------------

    @property
    def time_s(self) -> float:
        """Seconds since the scenario start (negative during warm-up)."""
        return self._t

    @property
    def now(self) -> float:
        """The model clock as epoch seconds."""
        return self._t0 + self._t

    def inject(self, kind: str, active: bool) -> None:
        """Switch a fault on or off by hand, on top of the scenario's schedule."""
        if kind not in FAULT_KINDS:
            msg = f"unknown fault kind {kind!r}"
            raise ValueError(msg)
        if active:
            self._manual_faults.add(kind)
        else:
            self._manual_faults.discard(kind)
        self._refresh_faults()

    def set_hvac_mode(self, mode: str | None) -> None:
        """Override the schedule's mode (None: follow the schedule again)."""
        if mode is not None and mode not in HVAC_MODES:
            msg = f"mode must be one of {HVAC_MODES}"
            raise ValueError(msg)
        self._mode_override = mode

    def set_setpoint(self, setpoint_c: float | None) -> None:
        """Override the schedule's setpoint (None: follow the schedule again)."""
        self._setpoint_override = setpoint_c

    @property
    def faults(self) -> frozenset[str]:
        """The faults active now."""
        return frozenset(self._fault_since)

    def step(self, dt_s: float) -> None:
        """Advance the model by ``dt_s`` seconds."""
        if dt_s <= 0:
            return
        self._step_start = self._t
        count = max(1, math.ceil(dt_s / MAX_SUBSTEP_S - 1e-9))
        h = dt_s / count
        for _ in range(count):
            self._substep(h)
        self._update_noise(self._step_start)

    @property
    def readings(self) -> TrueValues:
        """The true values now."""
        mode, low, high = self._targets()
        powered = BREAKER_TRIP not in self._fault_since
        if mode == "heat_cool":
            target, target_low, target_high = None, low, high
        elif mode == "cool":
            target, target_low, target_high = high, None, None
        elif mode == "heat":
            target, target_low, target_high = low, None, None
        else:
            target = target_low = target_high = None
        # The unit's outdoor sensor sits in the coil's inlet air and reads a
        # little low (heating) or high (cooling) while the fan runs.
        outdoor = self._out_air
        if self._state == "heat":
            outdoor -= 0.4 * self._speed
        elif self._state == "cool":
            outdoor += 0.4 * self._speed
        return TrueValues(
            time=self.now,
            powered=powered,
            power_w=self._power_w,
            outdoor_c=outdoor,
            outdoor_air_c=self._out_air,
            outdoor_rh=self._rh,
            dewpoint_c=dewpoint_c(self._out_air, self._rh),
            coil_c=self._coil,
            supply_c=self._supply,
            return_c=self._return,
            room_c=self._room,
            defrost=self._state == "defrost",
            hvac_mode=mode,
            hvac_action=self._hvac_action(mode),
            target_c=target,
            target_low_c=target_low,
            target_high_c=target_high,
            noise_db=self._noise_db,
            compressor_speed=self._speed,
            heat_w=self._heat_w,
            backup_w=self._backup_w,
            gains_w=self._gains_w,
            loss_w=self._loss_w,
            stored_j=self._c_air * self._room
            + self._c_mass * self._mass
            + (0.0 if self._air else WATER_LOOP_J_PER_K * self._water),
            frost_kg=self._frost,
            refrigerant_charge=self._charge,
            faults=self.faults,
        )

    # -- environment -----------------------------------------------------------

    def _local_hour(self) -> float:
        return ((self._t0 + self._t) / 3600.0 + self.scenario.utc_offset_h) % 24.0

    def _update_weather(self, h: float) -> None:
        sc = self.scenario
        if h > 0:
            # Ornstein-Uhlenbeck processes, discretised exactly so that any
            # step is stable: slow weather drift, turbulence, humidity.
            decays = self._decay_cache.get(h)
            if decays is None:
                decays = tuple(
                    (math.exp(-h / tau), math.sqrt(1.0 - math.exp(-2.0 * h / tau)))
                    for tau in (2 * 86400.0, 1800.0, 3 * 3600.0)
                )
                self._decay_cache[h] = decays
            (d1, s1), (d2, s2), (d3, s3) = decays
            gauss = self._rng.gauss
            self._drift = self._drift * d1 + sc.weather_drift_c * s1 * gauss()
            self._turb = self._turb * d2 + sc.weather_noise_c * s2 * gauss()
            self._rh_noise = self._rh_noise * d3 + 0.04 * s3 * gauss()
        phase = math.cos(2 * math.pi * (self._local_hour() - 5.0) / 24.0)
        self._out_air = sc.mean_c - sc.swing_c * phase + self._drift + self._turb
        # Relative humidity rises as the air cools at night.
        self._rh = _clamp(sc.humidity + 0.06 * phase + self._rh_noise, 0.15, 1.0)

    def _targets(self) -> tuple[str, float, float]:
        """Mode, heating target and cooling target now."""
        hour = self._local_hour()
        entry = self._schedule[-1]
        for candidate in self._schedule:
            if candidate.hour <= hour:
                entry = candidate
        mode = entry.mode or self.scenario.mode
        if self._mode_override is not None:
            mode = self._mode_override
        setpoint = entry.setpoint_c
        if self._setpoint_override is not None:
            setpoint = self._setpoint_override
        if mode == "heat_cool":
            return mode, setpoint, setpoint + self.scenario.heat_cool_gap_k
        return mode, setpoint, setpoint

    def _refresh_faults(self) -> None:
        active = set(self._manual_faults)
        for fault in self.scenario.faults:
            start = fault.start_offset.total_seconds()
            end = math.inf if fault.end_offset is None else fault.end_offset.total_seconds()
            if start <= self._t < end:
                active.add(fault.kind)
        for kind in list(self._fault_since):
            if kind not in active:
                del self._fault_since[kind]
        for kind in active:
            self._fault_since.setdefault(kind, self._t)

    # -- heat pump characteristics ---------------------------------------------

    def _max_heat(self, out_c: float) -> float:
        factor = _clamp(1.0 + CAPACITY_SLOPE_PER_K * (out_c - 7.0), 0.35, 1.25)
        return self.scenario.rated_capacity_w * factor

    def _max_cool(self, out_c: float) -> float:
        factor = _clamp(1.0 - COOLING_SLOPE_PER_K * (out_c - 35.0), 0.6, 1.2)
        return self.scenario.rated_capacity_w * COOLING_CAPACITY_SHARE * factor

    def _clean_approach(self, speed: float, q_max: float) -> float:
        return APPROACH_BASE_K + APPROACH_LOAD_K * speed * q_max / self.scenario.rated_capacity_w

    @staticmethod
    def _carnot_cop(evap_c: float, cond_c: float) -> float:
        lift = max(cond_c - evap_c, 8.0)
        return _clamp(CARNOT_FRACTION * (cond_c + KELVIN) / lift, 1.2, 7.0)

    def _water_target(self, room: float, out_c: float, setpoint: float) -> float:
        """Weather-compensated mean water temperature (the heating curve)."""
        curve = setpoint + HEATING_CURVE_SLOPE * (setpoint - out_c) + 3.0 * (setpoint - room)
        return _clamp(curve, setpoint + 2.0, 55.0)

    # -- control ---------------------------------------------------------------

    def _thermostat(self, mode: str, low: float, high: float) -> None:
        """Room thermostat call with hysteresis around the setpoint(s)."""
        half = self.scenario.deadband_k / 2.0
        room = self._room
        call = self._call
        wants_heat = mode in {"heat", "heat_cool"}
        wants_cool = mode in {"cool", "heat_cool"}
        heat_done = call == "heat" and (not wants_heat or room > low + half)
        cool_done = call == "cool" and (not wants_cool or room < high - half)
        if heat_done or cool_done:
            call = None
        if call is None:
            if wants_heat and room < low - half:
                call = "heat"
            elif wants_cool and room > high + half:
                call = "cool"
        self._call = call

    def _demand_speed(self, call: str, low: float, high: float, h: float) -> float:
        """Compressor speed the controls ask for (0 = stop)."""
        if not self._air:
            # Water systems modulate on water temperature along the curve.
            if call == "heat":
                target = self._water_target(self._room, self._out_air, low)
                error = target - self._water
            else:
                target = COOLING_WATER_C
                error = self._water - target
            if self._water_ok and error < -3.0:
                self._water_ok = False
            elif not self._water_ok and error > 1.0:
                self._water_ok = True
            if not self._water_ok:
                return 0.0
            gain, ti = 0.15, 900.0
        else:
            error = (low - self._room) if call == "heat" else (self._room - high)
            gain, ti = 0.5, 1800.0
        if self._fixed:
            return 1.0
        if not self._inverter:
            return self._two_stage(error)
        output = gain * error + self._integral
        # Conditional integration: no wind-up while the output is pinned at a
        # limit (a long recovery must not leave the integrator at full speed).
        pinned_high = output >= 1.0 and error > 0.0
        pinned_low = output <= INVERTER_MIN_SPEED and error < 0.0
        if not (pinned_high or pinned_low):
            self._integral = _clamp(self._integral + gain * error * h / ti, 0.0, 1.0)
        return _clamp(gain * error + self._integral, INVERTER_MIN_SPEED, 1.0)

    def _two_stage(self, error: float) -> float:
        half = self.scenario.deadband_k / 2.0
        # Stage 2 when far below the setpoint or stage 1 has not caught up in
        # 20 minutes; back to stage 1 once the setpoint is reached.
        if self._stage == 2 and error < 0.0:
            self._set_stage(1)
        elif self._stage < 2 and (
            error > half + 0.5 or (error > 0.1 and self._t - self._stage_since > 1200.0)
        ):
            self._set_stage(2)
        elif self._stage == 0:
            self._set_stage(1)
        return STAGE_SPEEDS[self._stage]

    def _set_stage(self, stage: int) -> None:
        if stage != self._stage:
            self._stage = stage
            self._stage_since = self._t

    def _defrost_wanted(self) -> bool:
        faults = self._fault_since
        if DEFROST_NEVER_STARTS in faults:
            return False
        if self.scenario.defrost_control == "timed":
            # The timer counts running with a freezing coil; frost or not.
            # Its coil switch closes at 0 °C, where frost starts to form.
            interval = self.scenario.defrost_interval.total_seconds()
            return self._coil < 0.0 and self._frosting_runtime >= interval
        if self._coil >= DEFROST_COIL_BELOW_C:
            return False
        interval = (
            DEFROST_RETRY_INTERVAL_S if self._last_defrost_incomplete else DEFROST_MIN_INTERVAL_S
        )
        if self._run_since_defrost < interval:
            return False
        q_max = self._max_heat(self._out_air)
        penalty = (self._out_air - self._coil) - self._clean_approach(self._speed, q_max)
        if self._frosting_runtime >= DEFROST_BACKSTOP_S:
            # Long below freezing: accept a smaller sign of frost.
            return penalty > DEFROST_BACKSTOP_PENALTY_K
        return penalty > DEFROST_PENALTY_K

    def _start_defrost(self) -> None:
        rng = self._rng
        self._state = "defrost"
        self._defrost_t0 = self._t
        if DEFROST_TOO_LONG in self._fault_since:
            self._defrost_end_after = rng.uniform(*TOO_LONG_DEFROST_S)
        elif DEFROST_ENDS_EARLY in self._fault_since:
            self._defrost_end_after = rng.uniform(*EARLY_END_DEFROST_S)
        else:
            self._defrost_end_after = DEFROST_MAX_S
        self._valve_spike()

    def _end_defrost(self) -> None:
        self._last_defrost_incomplete = self._coil < 5.0
        self._run_since_defrost = 0.0
        self._frosting_runtime = 0.0
        self._state = "heat" if self._call == "heat" else "off"
        if self._state == "off":
            self._off_since = self._t
        self._valve_spike()

    def _defrost_over(self) -> bool:
        elapsed = self._t - self._defrost_t0
        faults = self._fault_since
        if DEFROST_TOO_LONG in faults or DEFROST_ENDS_EARLY in faults:
            # The termination sensor is broken: only the (faulty) timer ends it.
            return elapsed >= self._defrost_end_after
        return self._coil >= DEFROST_TERMINATE_C or elapsed >= self._defrost_end_after

    def _valve_spike(self) -> None:
        rng = self._noise_rng
        self._events.append(
            (self._t, self._t + rng.uniform(*VALVE_SPIKE_S), rng.uniform(*VALVE_SPIKE_DB))
        )

    def _control(self, h: float, mode: str, low: float, high: float) -> None:
        self._thermostat(mode, low, high)
        if BREAKER_TRIP in self._fault_since:
            self._state = "off"
            self._speed = 0.0
            self._set_stage(0)
            # The controller reboots: its anti-short-cycle timer starts over.
            self._off_since = self._t
            return
        if self._state == "defrost":
            if self._defrost_over():
                self._end_defrost()
            return
        if self._locked_out():
            if self._state in {"heat", "cool", "starting"}:
                self._state = "off"
                self._off_since = self._t
                self._set_stage(0)
                self._target_speed = 0.0
            return
        call = self._call
        wanted = 0.0 if call is None else self._demand_speed(call, low, high, h)
        if self._state == "off" and wanted > 0.0 and self._t - self._off_since >= MIN_OFF_S:
            self._state = "starting"
            self._start_left = self._rng.uniform(*self.scenario.start_delay_s)
            self._start_call = call
        if self._state == "starting":
            self._advance_start(call, h)
            self._target_speed = wanted
        elif self._state in {"heat", "cool"}:
            self._keep_running(call, wanted)

    def _locked_out(self) -> bool:
        """Inside one of the scenario's daily lock-out windows."""
        hour = self._local_hour()
        return any((hour - start) % 24.0 < length for start, length in self.scenario.lockouts)

    def _advance_start(self, call: str | None, h: float) -> None:
        """The outdoor unit's start delay; a withdrawn call cancels the start."""
        if call is None or call != self._start_call:
            self._state = "off"
            self._off_since = self._t
            return
        self._start_left -= h
        if self._start_left <= 0.0:
            self._state = call
            self._on_since = self._t

    def _keep_running(self, call: str | None, wanted: float) -> None:
        ran = self._t - self._on_since
        if SHORT_CYCLING in self._fault_since and ran >= self.scenario.cutout_run_s:
            # The cut-out trips whatever the call and the minimum run time;
            # the controls restart once the anti-short-cycle timer allows.
            self._state = "off"
            self._off_since = self._t
            self._set_stage(0)
            self._target_speed = 0.0
            self.cutouts.append(self._t0 + self._t)
            return
        if (call != self._state or wanted <= 0.0) and ran >= MIN_ON_S:
            self._state = "off"
            self._off_since = self._t
            self._set_stage(0)
            self._target_speed = 0.0
            return
        if wanted <= 0.0:
            # Held on by the minimum run time: idle along at the lowest speed.
            wanted = (
                INVERTER_MIN_SPEED if self._inverter else 1.0 if self._fixed else STAGE_SPEEDS[1]
            )
        self._target_speed = wanted
        if self._state == "heat" and self._defrost_wanted():
            self._start_defrost()

    # -- physics ---------------------------------------------------------------

    def _substep(self, h: float) -> None:
        self._t += h
        self._refresh_faults()
        self._update_weather(h)
        mode, low, high = self._targets()
        self._control(h, mode, low, high)
        self._noise_sources()
        self._update_charge()
        self._ramp_speed(h)
        powered = BREAKER_TRIP not in self._fault_since
        self._pump_on = powered and not self._air and mode != "off"
        out = self._out_air
        state = self._state
        if state == "heat":
            cycle = self._heating()
            self._run_since_defrost += h
            if self._coil < 0.0:
                self._frosting_runtime += h
        elif state == "cool":
            cycle = self._cooling()
        elif state == "defrost":
            cycle = self._defrosting()
        else:
            flow = 0.45 * self._flow_factor() if state == "starting" and self._air else 0.0
            cycle = _Cycle(heat_w=0.0, compressor_w=0.0, outdoor_fan=0.0, airflow=flow, coil=out)
        if state == "defrost":
            self._defrost_coil(h, out)
            heat_w = self._indoor_defrost_w
        else:
            self._coil += (cycle.coil - self._coil) * (1.0 - math.exp(-h / COIL_TAU_S))
            self._frost_growth(h, out, cycle.outdoor_fan)
            heat_w = cycle.heat_w
        self._power_w = self._metered_power(cycle) if powered else 0.0
        self._heat_w = heat_w
        self._airflow = cycle.airflow
        backup = self._backup_heat(mode, low)
        if backup > 0.0 and self._air:
            # Strips need the indoor fan, compressor or not.
            self._airflow = max(self._airflow, BACKUP_AIRFLOW * self._flow_factor())
        self._house(h, heat_w + backup, out)

    def _backup_heat(self, mode: str, low: float) -> float:
        """The backup heater: in when the room is well short of its target, out near it.

        As a thermostat's second stage or a controller's "auxiliary heat"
        does: whatever the weather, so a large step of the set point calls
        it in too, and a unit that has failed leaves it to carry the house.
        """
        power = self.scenario.backup_heater_w
        if power <= 0.0 or mode not in {"heat", "heat_cool"}:
            self._backup_w = 0.0
            return 0.0
        deficit = low - self._room
        if deficit > BACKUP_IN_K:
            self._backup_w = power
        elif deficit < BACKUP_OUT_K:
            self._backup_w = 0.0
        return self._backup_w

    def _update_charge(self) -> None:
        """A refrigerant leak empties the charge linearly over its ramp."""
        since = self._fault_since.get(REFRIGERANT_LEAK)
        if since is None:
            self._charge = 1.0
            return
        progress = (self._t - since) / self.scenario.leak_ramp.total_seconds()
        floor = 1.0 - self.scenario.leak_capacity_loss / LEAK_CAPACITY_PER_CHARGE
        self._charge = 1.0 - (1.0 - floor) * _clamp(progress, 0.0, 1.0)

    def _ramp_speed(self, h: float) -> None:
        """Compressor speed follows its target at the soft-start ramp rates."""
        state = self._state
        if state in {"heat", "cool"}:
            target = self._target_speed
            if self._speed < target:
                self._speed = min(target, self._speed + SPEED_RAMP_UP_PER_S * h)
            else:
                self._speed = max(target, self._speed - SPEED_RAMP_DOWN_PER_S * h)
        elif state == "defrost":
            self._speed = 0.8
        else:
            self._speed = 0.0

    def _flow_factor(self) -> float:
        # A clogged filter (or strainer) leaves ~45 % of the design flow.
        return 0.45 if BLOCKED_FILTER in self._fault_since else 1.0

    def _charge_capacity(self) -> float:
        # Capacity falls faster than charge: the evaporator starves.
        return _clamp(1.0 - LEAK_CAPACITY_PER_CHARGE * (1.0 - self._charge), 0.3, 1.0)

    @property
    def compressor_running(self) -> bool:
        """The compressor runs (heating, cooling or defrosting; not waiting to start)."""
        return self._state in {"heat", "cool", "defrost"}

    @property
    def frost_share(self) -> float:
        """How much of the coil the frost blocks (φ: 0 clean, 1 encased)."""
        return self._frost / (FROST_FULL_KG * self._coil_size)

    @property
    def capacity_share(self) -> float:
        """What the refrigerant charge leaves of the unit's capacity (1 = all)."""
        return self._charge_capacity()

    def _heating(self) -> _Cycle:
        out, speed = self._out_air, self._speed
        rated = self.scenario.rated_capacity_w
        blocked = BLOCKED_FILTER in self._fault_since
        phi = self.frost_share
        q_max = self._max_heat(out)
        cap_frost = 1.0 - FROST_CAPACITY_LOSS * phi * phi
        # A clogged filter raises the condensing pressure and costs capacity.
        cap_filter = 0.8 if blocked else 1.0
        heat_w = q_max * speed * cap_frost * self._charge_capacity() * cap_filter
        approach = self._clean_approach(speed, q_max)
        # Short of charge, the suction pressure (and the coil) runs colder.
        leak_k = 8.0 * (1.0 - self._charge) / (1.0 - LEAK_FLOOR_CHARGE) * min(1.0, 2.0 * speed)
        coil = out - approach - FROST_COIL_PENALTY_K * phi**1.5 - leak_k
        sink = self._room if self._air else self._water
        cond = sink + 5.0 + 10.0 * speed * q_max / rated + (6.0 if blocked else 0.0)
        cop = self._carnot_cop(out - approach - 3.0, cond)
        # Frost and a short charge thin the suction gas: the compressor draws
        # a little less, but far less heat comes out.
        comp_w = q_max * speed / cop * (0.85 + 0.15 * cap_frost) * (0.8 + 0.2 * self._charge)
        base_flow = 0.45 + 0.55 * speed if self._inverter else 0.55 + 0.45 * speed
        return _Cycle(
            heat_w=heat_w,
            compressor_w=comp_w,
            outdoor_fan=0.4 + 0.6 * speed,
            airflow=base_flow * self._flow_factor(),
            coil=coil,
        )

    def _cooling(self) -> _Cycle:
        out, speed = self._out_air, self._speed
        q_max = self._max_cool(out)
        cap_filter = 0.8 if BLOCKED_FILTER in self._fault_since else 1.0
        total = q_max * speed * self._charge_capacity() * cap_filter
        sink = self._room if self._air else self._water
        evap = sink - 12.0 - 4.0 * speed
        cond = out + 6.0 + 8.0 * speed
        cop = self._carnot_cop(evap, cond) * 0.93  # fans and valves count against EER
        base_flow = 0.5 + 0.65 * speed if self._inverter else 0.6 + 0.55 * speed
        return _Cycle(
            # Sensible share only: the rest condenses moisture out of the air.
            heat_w=-0.72 * total,
            compressor_w=total / cop * (0.8 + 0.2 * self._charge),
            outdoor_fan=0.4 + 0.6 * speed,
            airflow=base_flow * self._flow_factor(),
            # The outdoor coil condenses: hot, more so at high load.
            coil=out + 3.0 + 10.0 * speed * q_max / self.scenario.rated_capacity_w,
        )

    def _defrosting(self) -> _Cycle:
        # Reversed: the indoor coil evaporates, the frosted coil condenses.
        sink = self._room if self._air else self._water
        cop = self._carnot_cop(sink - 8.0, max(self._coil, 0.0) + 30.0)
        return _Cycle(
            heat_w=0.0,  # set by the coil model
            compressor_w=self.scenario.rated_capacity_w * self._speed / cop,
            outdoor_fan=0.0,
            airflow=0.3 * self._flow_factor(),  # slowed to limit the cold blow
            coil=self._coil,
        )

    def _metered_power(self, cycle: _Cycle) -> float:
        """Electrical power as the configured meter sees it."""
        state = self._state
        outdoor_w = cycle.compressor_w
        if state in {"off", "starting"} and (
            self._out_air < CRANKCASE_OUTDOOR_C or self._t - self._off_since > CRANKCASE_AFTER_OFF_S
        ):
            outdoor_w += CRANKCASE_HEATER_W
        if cycle.outdoor_fan > 0.0:
            low, high = OUTDOOR_FAN_W
            outdoor_w += low + (high - low) * cycle.outdoor_fan
        if self.scenario.power_meter == "outdoor_unit":
            return outdoor_w
        indoor_w = CONTROLS_W
        if self._air and cycle.airflow > 0.0:
            # Fan power goes with the cube of the commanded speed; a clogged
            # filter gives less air for the same speed.
            share = cycle.airflow / self._flow_factor()
            low, high = INDOOR_FAN_W
            indoor_w += low + (high - low) * share**3
        if self._pump_on:
            indoor_w += CIRCULATION_PUMP_W
        return outdoor_w + indoor_w

    def _defrost_coil(self, h: float, out: float) -> None:
        """Reverse cycle: hot gas warms the coil, melts the frost, then heats it."""
        # The heat source is now the warm indoor coil, so the hot gas does not
        # depend on the outdoor temperature.
        hot_gas = (
            DEFROST_HOT_GAS_SHARE
            * self.scenario.rated_capacity_w
            * _clamp((DEFROST_COIL_MAX_C - self._coil) / 8.0, 0.0, 1.0)
        )
        size = self._coil_size
        mass = COIL_MASS_J_PER_K * size
        net = hot_gas - COIL_STILL_AIR_W_PER_K * size * (self._coil - out)
        energy = net * h
        if self._coil < 0.0 or self._frost <= 0.0:
            new = self._coil + energy / mass
            if new > 0.0 and self._frost > 0.0 and self._coil <= 0.0:
                # Crossing 0 °C: what is left of the energy goes into melting.
                energy = (new - max(self._coil, 0.0)) * mass
                new = 0.0
                self._frost = max(0.0, self._frost - energy / LATENT_FUSION)
            self._coil = new
        else:
            # Melting plateau: the coil stays at 0 °C until the ice is gone.
            melt = max(0.0, energy) / LATENT_FUSION
            if melt >= self._frost:
                left = (melt - self._frost) * LATENT_FUSION
                self._frost = 0.0
                self._coil += left / mass
            else:
                self._frost -= melt
                self._coil = 0.0
        # The indoor coil is now the evaporator: the heat comes from the house
        # less what the compressor adds itself.
        self._indoor_defrost_w = -max(0.0, hot_gas * 0.55)

    def _frost_growth(self, h: float, out: float, outdoor_fan: float) -> None:
        coil = self._coil
        if coil < 0.0 and outdoor_fan > 0.0:
            moist = humidity_ratio(self._rh * saturation_pressure_pa(out))
            at_fins = humidity_ratio(saturation_pressure_pa(coil))
            if moist > at_fins:
                airflow = OUTDOOR_AIRFLOW_KG_S * self._coil_size * outdoor_fan
                full = FROST_FULL_KG * self._coil_size
                # Frost chokes its own airflow and grows denser, not faster
                # without end as the coil cools: no coil encases in less
                # than FASTEST_ENCASING_S.
                rate = min(FROST_CONTACT * airflow * (moist - at_fins), full / FASTEST_ENCASING_S)
                self._frost = min(full, self._frost + rate * h)
        elif coil > 0.3 and self._frost > 0.0:
            melt = COIL_FREE_MELT_W_PER_K * self._coil_size * coil * h / LATENT_FUSION
            self._frost = max(0.0, self._frost - melt)

    def _house(self, h: float, heat_w: float, out: float) -> None:
        sc = self.scenario
        hour = self._local_hour()
        # Occupants and appliances: more in the evening, less at night.
        gains = sc.internal_gains_w * (1.0 + 0.3 * math.sin(2 * math.pi * (hour - 12.0) / 24.0))
        solar = sc.solar_gain_w * max(0.0, math.cos(2 * math.pi * (hour - 13.0) / 24.0)) ** 2
        room, mass = self._room, self._mass
        to_air = gains + solar * 0.5
        to_mass = solar * 0.5
        if self._air:
            to_air += heat_w
            return_target = room - 0.3
            if self._airflow > 0.0:
                split = heat_w / (self._airflow * self._air_w_per_k)
                if self._state == "defrost":
                    split = max(split, -10.0)  # cold blow, limited by the slow fan
                supply_target = return_target + split
                tau_supply, tau_return = 60.0, 120.0
            else:
                # Fan stopped: the duct sensors drift back to room air.
                supply_target = return_target
                tau_supply = tau_return = 600.0
        else:
            emitter = self._emitter_ua * (self._water - room)
            to_air += 0.7 * emitter
            to_mass += 0.3 * emitter
            self._water += (heat_w - emitter) * h / WATER_LOOP_J_PER_K
            flow_w_per_k = self._water_w_per_k * self._flow_factor()
            if self._pump_on:
                half = heat_w / (2.0 * flow_w_per_k)
                supply_target, return_target = self._water + half, self._water - half
                tau_supply = tau_return = 30.0
            else:
                supply_target = return_target = self._water
                tau_supply = tau_return = 600.0
        flux = AIR_TO_MASS_W_PER_K * (room - mass)
        self._gains_w = gains + solar
        self._loss_w = self._ua_air * (room - out) + self._ua_mass * (mass - out)
        self._room = room + (to_air - flux - self._ua_air * (room - out)) * h / self._c_air
        self._mass = mass + (to_mass + flux - self._ua_mass * (mass - out)) * h / self._c_mass
        self._supply += (supply_target - self._supply) * (1.0 - math.exp(-h / tau_supply))
        self._return += (return_target - self._return) * (1.0 - math.exp(-h / tau_return))

    # -- noise -----------------------------------------------------------------

    def _noise_sources(self) -> None:
        """Schedule passing cars and rattles; called every substep."""
        rng = self._noise_rng
        t = self._t
        while self._next_car <= t:
            hour = self._local_hour()
            # Traffic mostly by day: accept night arrivals a quarter of the time.
            if 6.0 <= hour < 23.0 or rng.random() < 0.25:
                self._events.append(
                    (self._next_car, self._next_car + rng.uniform(*CAR_S), rng.uniform(*CAR_DB))
                )
            self._next_car += rng.expovariate(CARS_PER_DAY / 86400.0)
        running = self._state in {"heat", "cool"}
        if RATTLING in self._fault_since and running:
            if self._next_rattle <= t:
                start = max(self._next_rattle, t - MAX_SUBSTEP_S)
                self._events.append(
                    (start, start + rng.uniform(*RATTLE_S), rng.uniform(*RATTLE_DB))
                )
                self._fault_heard(start)
                self._next_rattle = t + max(60.0, rng.expovariate(1.0 / RATTLE_MEAN_GAP_S))
        elif self._next_rattle < t:
            self._next_rattle = t + rng.uniform(0.0, RATTLE_MEAN_GAP_S)

    def _update_noise(self, since: float) -> None:
        state = self._state
        if state in {"heat", "cool"}:
            low, high = RUNNING_DB
            base = low + (high - low) * self._speed
            if WORN_BEARING in self._fault_since:
                base += self._bearing_db
                self._fault_heard(self._t)
        elif state == "defrost":
            base = DEFROST_DB
        else:
            hour = self._local_hour()
            base = AMBIENT_DB + (3.0 if 7.0 <= hour < 22.0 else 0.0)
        t = self._t
        extra = 0.0
        kept: list[tuple[float, float, float]] = []
        for event in self._events:
            start, end, level = event
            if end <= since:
                continue
            kept.append(event)
            if start <= t and level > extra:
                extra = level
        self._events = kept
        self._noise_db = base + extra + self._noise_rng.gauss(0.0, 0.3)

    def _fault_heard(self, at: float) -> None:
        if self.first_fault_sound is None and at >= 0.0:
            self.first_fault_sound = self._t0 + at

    def _hvac_action(self, mode: str) -> str:
        if mode == "off":
            return "off"
        state = self._state
        if state == "defrost":
            return "defrosting"
        # The compressor running (maybe only held on by its minimum run
        # time), or the call waiting for the outdoor unit's start delay.
        if state == "heat" or (state == "starting" and self._call == "heat"):
            return "heating"
        if state == "cool" or (state == "starting" and self._call == "cool"):
            return "cooling"
        if BREAKER_TRIP in self._fault_since and self._call is not None:
            # A battery thermostat keeps calling while the unit is dead.
            return "heating" if self._call == "heat" else "cooling"
        return "idle"


# -- Home Assistant-like records --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StateRecord:
    """One recorded state, as Home Assistant's recorder keeps it."""

    entity_id: str
    state: str
    attributes: dict[str, Any]
    last_changed: float  # epoch seconds
    last_updated: float

    def as_row(self) -> tuple[str, str, dict[str, Any], float, float]:
        """The record as the replay reads a history row."""
        return (self.entity_id, self.state, self.attributes, self.last_changed, self.last_updated)


def convert_temperature(value_c: float, unit: str) -> float:
    """°C to the given unit."""
    if unit == "°F":
        return value_c * 1.8 + 32.0
    if unit == "K":
        return value_c + KELVIN
    return value_c


def convert_power(value_w: float, unit: str) -> float:
    """W to the given unit."""
    return value_w / 1000.0 if unit == "kW" else value_w


# DS18B20-style probe faults: 85 °C is the power-on reset value, -127 °C means
# the probe did not answer.  ESPHome and others pass them through as readings.
PROBE_ERROR_VALUES_C: Final = (85.0, -127.0)
PROBE_ERRORS_PER_DAY: Final = 2.0

# The backup heater comes in this far below the heating target and goes out
# this close to it (K); it runs the indoor fan at this share of its speed.
BACKUP_IN_K: Final = 2.0
BACKUP_OUT_K: Final = 0.5
BACKUP_AIRFLOW: Final = 0.8

_READING_OF: Final = {
    COIL_TEMPERATURE: "coil_c",
    OUTDOOR_TEMPERATURE: "outdoor_c",
    SUPPLY_TEMPERATURE: "supply_c",
    RETURN_TEMPERATURE: "return_c",
}
_FRIENDLY: Final = {
    POWER: "Heat pump power",
    COIL_TEMPERATURE: "Heat pump coil temperature",
    OUTDOOR_TEMPERATURE: "Heat pump outdoor temperature",
    SUPPLY_TEMPERATURE: "Heat pump supply temperature",
    RETURN_TEMPERATURE: "Heat pump return temperature",
    DEFROST: "Heat pump defrost",
    CLIMATE: "Heat pump",
    NOISE: "Heat pump noise",
    BACKUP_HEATER: "Heat pump backup heater power",
}


@dataclass(slots=True, kw_only=True)
class _Channel:
    """One entity's reporting state."""

    key: str
    entity_id: str
    attributes: dict[str, Any]
    decimals: int = 1
    deadband: float = 0.0
    last_value: float | None = None
    last_state: str | None = None
    last_attributes: dict[str, Any] = field(default_factory=dict)
    last_changed: float = 0.0
    dropouts: tuple[tuple[float, float], ...] = ()


class Reporter:
    """Turns model readings into report-on-change records.

    Shared by :func:`simulate` and the live integration, so that recorded
    histories and the development instance's entities report alike.
    """

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        # Sensor noise has its own generator so the physics do not depend on it.
        self._rng = random.Random(scenario.seed * 7919 + 17)
        t_unit = scenario.temperature_unit
        # The climate entity follows the unit system: Kelvin is not one.
        self.climate_unit = "°F" if t_unit == "°F" else "°C"
        scale = 1.8 if t_unit == "°F" else 1.0
        self._climate_delta = 0.15 * scale
        self._climate_key: tuple[object, ...] = ()
        self.channels: list[_Channel] = []
        for key, entity_id in scenario.entities().items():
            attrs: dict[str, Any]
            decimals, deadband = 1, 0.0
            if key in TEMPERATURE_INPUTS:
                attrs = {
                    "state_class": "measurement",
                    "unit_of_measurement": t_unit,
                    "device_class": "temperature",
                    "friendly_name": _FRIENDLY[key],
                }
                # Sensors push when the value moves past a small delta (as an
                # ESPHome "delta" filter does), not on every 0.1 flicker.
                deadband = 0.15 * scale
            elif key in (POWER, BACKUP_HEATER):
                # The backup heater's own meter reads W, whatever the unit's reads.
                unit = scenario.power_unit if key == POWER else "W"
                attrs = {
                    "state_class": "measurement",
                    "unit_of_measurement": unit,
                    "device_class": "power",
                    "friendly_name": _FRIENDLY[key],
                }
                decimals = 3 if unit == "kW" else 0
            elif key == NOISE:
                attrs = {
                    "state_class": "measurement",
                    "unit_of_measurement": "dB",
                    "device_class": "sound_pressure",
                    "friendly_name": _FRIENDLY[key],
                }
                deadband = 0.5
            elif key == DEFROST:
                attrs = {"friendly_name": _FRIENDLY[key]}
            else:
                attrs = {
                    "hvac_modes": ["off", "heat", "cool", "heat_cool"],
                    "min_temp": 7.0 if self.climate_unit == "°C" else 45.0,
                    "max_temp": 35.0 if self.climate_unit == "°C" else 95.0,
                    "target_temp_step": 0.5 if self.climate_unit == "°C" else 1.0,
                    "friendly_name": _FRIENDLY[key],
                    "supported_features": 387,
                }
            windows = tuple(
                (d.start_offset.total_seconds(), (d.start_offset + d.duration).total_seconds())
                for d in scenario.dropouts
                if d.input_key == key
            )
            self.channels.append(
                _Channel(
                    key=key,
                    entity_id=entity_id,
                    attributes=attrs,
                    decimals=decimals,
                    deadband=deadband,
                    dropouts=windows,
                )
            )

    def sample(self, model: HeatPumpModel, dt_s: float, out: list[StateRecord]) -> None:
        """Record what changed since the last sample."""
        r = model.readings
        t_rel = model.time_s
        now = r.time
        sc = self.scenario
        rng = self._rng
        glitch_p = PROBE_ERRORS_PER_DAY * dt_s / 86400.0 if sc.probe_errors else 0.0
        for ch in self.channels:
            if ch.dropouts and any(start <= t_rel < end for start, end in ch.dropouts):
                self._emit(ch, "unavailable", self._unavailable_attrs(ch), now, out)
                ch.last_value = None
                self._climate_key = ()  # report in full on return
                continue
            key = ch.key
            if key == CLIMATE:
                self._climate(ch, r, now, out)
                continue
            if key == DEFROST:
                self._emit(ch, "on" if r.defrost else "off", ch.attributes, now, out)
                continue
            if key == POWER:
                if not r.powered and sc.breaker_power_state == "unavailable":
                    self._emit(ch, "unavailable", ch.attributes, now, out)
                    ch.last_value = None
                    continue
                watts = r.power_w
                if r.compressor_speed > 0.0:
                    watts *= 1.0 + rng.gauss(0.0, 0.005)
                value = convert_power(round(watts), sc.power_unit)
                # Smart plugs report on ~2 % or 3 W moves, whichever is more.
                ch.deadband = convert_power(max(3.0, 0.02 * watts), sc.power_unit)
            elif key == NOISE:
                value = r.noise_db
            elif key == BACKUP_HEATER:
                value = r.backup_w
            else:
                if glitch_p and rng.random() < glitch_p:
                    bad = convert_temperature(rng.choice(PROBE_ERROR_VALUES_C), sc.temperature_unit)
                    self._emit(ch, f"{bad:.1f}", ch.attributes, now, out)
                    ch.last_value = None  # the next sample reports the truth again
                    continue
                value = convert_temperature(getattr(r, _READING_OF[key]), sc.temperature_unit)
            last = ch.last_value
            if last is not None and abs(value - last) < ch.deadband:
                continue
            ch.last_value = value
            rounded = round(value, ch.decimals)
            self._emit(
                ch, f"{rounded if rounded else 0.0:.{ch.decimals}f}", ch.attributes, now, out
            )

    def _climate(self, ch: _Channel, r: TrueValues, now: float, out: list[StateRecord]) -> None:
        unit = self.climate_unit
        current = round(convert_temperature(r.room_c, unit), 1)
        previous = ch.last_attributes.get("current_temperature")
        # The thermostat's display moves by a small delta, not every 0.1.
        if isinstance(previous, float) and abs(current - previous) < self._climate_delta:
            current = previous
        key = (r.hvac_mode, r.hvac_action, current, r.target_c, r.target_low_c, r.target_high_c)
        if key == self._climate_key:
            return
        self._climate_key = key
        step = 0.5 if unit == "°C" else 1.0

        def target(value: float | None) -> float | None:
            if value is None:
                return None
            return round(round(convert_temperature(value, unit) / step) * step, 1)

        attrs = dict(ch.attributes)
        attrs["current_temperature"] = current
        attrs["temperature"] = target(r.target_c)
        attrs["target_temp_high"] = target(r.target_high_c)
        attrs["target_temp_low"] = target(r.target_low_c)
        attrs["hvac_action"] = r.hvac_action
        self._emit(ch, r.hvac_mode, attrs, now, out)

    @staticmethod
    def _unavailable_attrs(ch: _Channel) -> dict[str, Any]:
        # HA keeps the entity's own attributes (unit, device class, name, and
        # for climate the capability attributes) but drops state attributes.
        return ch.attributes

    @staticmethod
    def _emit(
        ch: _Channel, state: str, attrs: dict[str, Any], now: float, out: list[StateRecord]
    ) -> None:
        if state != ch.last_state:
            ch.last_state = state
            ch.last_changed = now
            ch.last_attributes = attrs
            out.append(StateRecord(ch.entity_id, state, dict(attrs), now, now))
        elif attrs != ch.last_attributes:
            # Attribute-only change: HA keeps last_changed, moves last_updated.
            ch.last_attributes = attrs
            out.append(StateRecord(ch.entity_id, state, dict(attrs), ch.last_changed, now))


def simulate(
    scenario: Scenario,
    *,
    step_s: float = 15.0,
    watch: Callable[[HeatPumpModel], None] | None = None,
) -> list[StateRecord]:
    """Run a scenario and return its recorder-like history, time ordered.

    Every entity reports at the start; afterwards only changes are recorded.
    ``watch`` sees the model after every step: the ground truth a scorecard
    measures detection against.
    """
    if step_s <= 0:
        msg = "step_s must be positive"
        raise ValueError(msg)
    model = HeatPumpModel(scenario=scenario)
    reporter = Reporter(scenario)
    records: list[StateRecord] = []
    reporter.sample(model, 0.0, records)
    steps = round(scenario.duration.total_seconds() / step_s)
    for _ in range(steps):
        model.step(step_s)
        reporter.sample(model, step_s, records)
        if watch is not None:
            watch(model)
    return records


def replay_config(scenario: Scenario) -> dict[str, Any]:
    """The replay tool's config for a scenario: input keys, system type, units."""
    config: dict[str, Any] = dict(scenario.entities())
    config["system_type"] = scenario.system_type
    # Per entity, as the replay contract wants: a CSV export carries no units.
    unit_of = {
        "power_entity": scenario.power_unit,
        "coil_temperature_entity": scenario.temperature_unit,
        "outdoor_temperature_entity": scenario.temperature_unit,
        "supply_temperature_entity": scenario.temperature_unit,
        "return_temperature_entity": scenario.temperature_unit,
        "noise_entity": "dB",
        "backup_heater_entity": "W",
    }
    config["units"] = {
        config[key]: unit for key, unit in unit_of.items() if config.get(key) is not None
    }
    return config
