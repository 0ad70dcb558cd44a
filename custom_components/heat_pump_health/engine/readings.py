"""The latest value of every source, and what the climate entity says the unit should do.

Sources report only on change, so each value holds until the next one arrives.
"""

from __future__ import annotations

from .backup_heat import RUNNING_W as BACKUP_RUNNING_W
from .model import ClimateReading, InputKey, SystemType, Value

# Changes smaller than this are a unit conversion's float noise, not a step.
_MIN_STEP_K = 0.005
# A supply warmed by the backup heater takes this long to show the unit's own
# delivery again.  Moving air or water carries the heater's heat off within
# minutes; a duct sensor with the fan stopped, or a still water loop, holds it
# for half an hour (what a unit that stopped altogether shows).
BACKUP_LINGER_S = 10 * 60.0
BACKUP_LINGER_STOPPED_S = 30 * 60.0

HEAT = "heat"
COOL = "cool"

_COOL_MODES = frozenset({"cool", "dry", "fan_only"})
_ACTION_DEFROSTING = "defrosting"
_HEAT_ACTIONS = frozenset({"heating", "preheating", _ACTION_DEFROSTING})
_COOL_ACTIONS = frozenset({"cooling", "drying"})
_ACTION_DEMAND = dict.fromkeys(_HEAT_ACTIONS, HEAT) | dict.fromkeys(_COOL_ACTIONS, COOL)
# Room this far on the wrong side of the set point means the thermostat wants
# the unit to run; thermostats swing about half a kelvin either side.
DEMAND_MARGIN_K = 1.0

# Supply/return difference that proves heat (or cold) is being delivered.  Water
# circuits run much smaller splits than air handlers.
_DELIVERY_K = {SystemType.AIR_TO_AIR: 3.0, SystemType.AIR_TO_WATER: 1.0}


class Readings:
    """Latest plausible value per input (None: unknown)."""

    __slots__ = (
        "_ever_available",
        "action",
        "action_defrost_seen",
        "backup_off_at",
        "backup_on",
        "backup_w",
        "climate",
        "coil",
        "compressor",
        "defrost_needs_proof",
        "defrost_seen",
        "defrost_switch",
        "delivery_k",
        "error_code",
        "lost",
        "mode",
        "noise",
        "outdoor",
        "power",
        "power_counter",
        "power_drawn_since",
        "power_figure_at",
        "power_lag_s",
        "power_poll_s",
        "power_previous_w",
        "power_resolution_w",
        "power_stepped_at",
        "ret",
        "supply",
        "temperature_step",
    )

    def __init__(self, *, system_type: SystemType, defrost_needs_proof: bool = False) -> None:
        self.power: float | None = None
        # Set when the power comes from an energy counter: how sharp it is, W.
        self.power_resolution_w: float | None = None
        self.power_lag_s: float | None = None
        # ... and the earliest its figure's energy may have been drawn (None:
        # not known, as for a bound on it, the counter overdue).
        self.power_drawn_since: float | None = None
        # ... and when its figure was set (the counter's last move): readings
        # fetched after it, with the counter still, postdate what it says.
        self.power_figure_at: float | None = None
        # ... and when it last went up by energy drawn (a reset is no step),
        # and its poll as its steps show it.
        self.power_stepped_at: float | None = None
        self.power_poll_s: float | None = None
        # ... and the step before's average, W (None: not a seen step's).
        self.power_previous_w: float | None = None
        # The power field holds an energy counter (its power is derived).
        self.power_counter = False
        self.coil: float | None = None
        self.outdoor: float | None = None
        self.supply: float | None = None
        self.ret: float | None = None
        # The smallest change supply or return has shown (K): the sensors'
        # rounding, which a split of a few kelvin must be given credit for.
        self.temperature_step: float | None = None
        self.defrost_switch: bool | None = None
        self.climate: ClimateReading | None = None
        self.noise: float | None = None
        # The compressor's own word on running, and the unit's error code ("": none).
        self.compressor: bool | None = None
        self.error_code: str | None = None
        # The backup heater: running or not, and its power where it says (W).
        self.backup_on: bool | None = None
        self.backup_w: float | None = None
        # When the heater last went out: its heat lingers in the supply.
        self.backup_off_at: float | None = None
        self.mode: str | None = None
        self.action: str | None = None
        self.delivery_k = _DELIVERY_K[system_type]
        # A phase sensor or a thermostat's action says "defrost" only when it
        # happens, and most thermostats never do: their other states mean
        # "not defrosting" only once they have shown a defrost (learned, kept).
        self.defrost_needs_proof = defrost_needs_proof
        self.defrost_seen = False
        self.action_defrost_seen = False
        # Sources that went unavailable after having reported, and when.
        self.lost: dict[InputKey, float] = {}
        self._ever_available: set[InputKey] = set()

    def _note_step(self, old: float | None, new: float | None) -> None:
        """Keep the smallest change a water or air temperature has shown."""
        if old is None or new is None:
            return
        change = abs(new - old)
        step = self.temperature_step
        if change >= _MIN_STEP_K and (step is None or change < step):
            self.temperature_step = change

    def snapshot(self) -> dict[str, object]:
        """The latest values, for a log line that has to explain a failure."""
        return {
            name: getattr(self, name)
            for name in self.__slots__
            if name not in ("delivery_k", "defrost_needs_proof", "_ever_available")
        }

    def set(self, key: InputKey, value: Value, at: float) -> None:  # noqa: PLR0912 - one case per input
        """Store an already checked value, reported at ``at``."""
        match key:
            case InputKey.POWER:
                self.power = value if isinstance(value, float) else None
            case InputKey.COIL_TEMPERATURE:
                self.coil = value if isinstance(value, float) else None
            case InputKey.OUTDOOR_TEMPERATURE:
                self.outdoor = value if isinstance(value, float) else None
            case InputKey.SUPPLY_TEMPERATURE:
                new = value if isinstance(value, float) else None
                self._note_step(self.supply, new)
                self.supply = new
            case InputKey.RETURN_TEMPERATURE:
                new = value if isinstance(value, float) else None
                self._note_step(self.ret, new)
                self.ret = new
            case InputKey.DEFROST:
                self.defrost_switch = value if isinstance(value, bool) else None
                if value is True:
                    self.defrost_seen = True
            case InputKey.CLIMATE:
                climate = value if isinstance(value, ClimateReading) else None
                self.climate = climate
                # Normalised once here: they are read several times a tick.
                mode = climate.hvac_mode if climate is not None else None
                action = climate.hvac_action if climate is not None else None
                self.mode = mode.lower() if mode else None
                self.action = action.lower() if action else None
                if self.action == _ACTION_DEFROSTING:
                    self.action_defrost_seen = True
            case InputKey.NOISE:
                self.noise = value if isinstance(value, float) else None
            case InputKey.COMPRESSOR:
                self.compressor = value if isinstance(value, bool) else None
            case InputKey.ERROR:
                self.error_code = value if isinstance(value, str) else None
            case InputKey.BACKUP_HEATER:
                self._set_backup(value, at)

    def backup_warms(self, now: float, *, stopped: bool = False) -> bool:
        """The backup heater runs, or ran so lately that the supply still holds its heat.

        ``stopped``: nothing moves the air or water (the unit is off).
        """
        if self.backup_on:
            return True
        off = self.backup_off_at
        linger = BACKUP_LINGER_STOPPED_S if stopped else BACKUP_LINGER_S
        return off is not None and 0.0 <= now - off < linger

    def _set_backup(self, value: Value, at: float) -> None:
        was_on = self.backup_on
        if isinstance(value, bool):
            self.backup_on, self.backup_w = value, None
        elif isinstance(value, float):
            self.backup_on, self.backup_w = value > BACKUP_RUNNING_W, value
        else:
            self.backup_on = self.backup_w = None
        if was_on and self.backup_on is False:
            self.backup_off_at = at

    def availability(self, key: InputKey, at: float, *, unavailable: bool) -> None:
        """Note that a source reported (or went unavailable) at ``at``.

        Only a source seen reporting can be lost: after a restart, sources
        that have not connected yet are not a loss.
        """
        if not unavailable:
            self._ever_available.add(key)
            self.lost.pop(key, None)
        elif key in self._ever_available and key not in self.lost:
            self.lost[key] = at

    @property
    def defrost_on(self) -> bool | None:
        """Defrosting per the defrost source or the thermostat's action; None: cannot say."""
        if self.action == _ACTION_DEFROSTING:
            return True
        switch = self.defrost_switch
        if switch is True:
            return True
        if switch is False and (self.defrost_seen or not self.defrost_needs_proof):
            return False
        if self.action is not None and self.action_defrost_seen:
            return False
        return None

    def defrost_seen_dict(self) -> dict[str, bool]:
        """Which defrost sources have shown a defrost (learned)."""
        return {"source": self.defrost_seen, "action": self.action_defrost_seen}

    def load_defrost_seen(self, data: object) -> None:
        """Restore defrost_seen_dict output; garbage means nothing seen."""
        seen = data if isinstance(data, dict) else {}
        self.defrost_seen = seen.get("source") is True
        self.action_defrost_seen = seen.get("action") is True

    @property
    def split(self) -> float | None:
        """Supply minus return, K."""
        if self.supply is None or self.ret is None:
            return None
        return self.supply - self.ret

    @property
    def gap(self) -> float | None:
        """Outdoor air minus coil, K: how much colder the outdoor coil runs."""
        if self.outdoor is None or self.coil is None:
            return None
        return self.outdoor - self.coil

    def heating_context(self) -> bool | None:
        """Is the unit in heating service (True), cooling/off (False) or unknown (None)."""
        mode = self.mode
        action = self.action
        if action in _HEAT_ACTIONS or mode == HEAT:
            return True
        if mode == "off" or mode in _COOL_MODES or action in _COOL_ACTIONS:
            return False
        return None

    def demand(self) -> str | None:
        """HEAT or COOL when the thermostat wants the unit to run, else None."""
        mode = self.mode
        if mode == "off":
            return None
        action = self.action
        if action is not None:
            # An explicit action says it all: idle or off means nobody asks
            # for heat or cold, whatever the room's distance from its target
            # (a demand-response shed, a lock-out, a satisfied schedule).
            return _ACTION_DEMAND.get(action)
        # In heat_cool/auto a single target does not say which way the unit
        # should work, so only the explicit modes count.
        deficit = self.room_deficit()
        if deficit is None:
            return None
        if mode == HEAT and deficit > DEMAND_MARGIN_K:
            return HEAT
        if mode == COOL and -deficit > DEMAND_MARGIN_K:
            return COOL
        return None

    def delivering(self, direction: str | None) -> bool | None:
        """Whether supply and return show heat (or cold) going out; None if unknown."""
        split = self.split
        if split is None:
            return None
        if direction == COOL:
            return -split >= self.delivery_k
        if direction == HEAT:
            return split >= self.delivery_k
        return abs(split) >= self.delivery_k

    def room_deficit(self) -> float | None:
        """How far the room is below its heating target, K (negative: above)."""
        climate = self.climate
        if climate is None:
            return None
        current = climate.current_temperature
        target = climate.target_temperature
        if current is None or target is None:
            return None
        return target - current
