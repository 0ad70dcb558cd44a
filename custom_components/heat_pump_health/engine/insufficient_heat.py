"""insufficient_heat: the unit runs but delivers much less heat than it normally does.

Judged only in steady heating: compressor running for a while, not defrosting
and not recovering from a defrost.  Two signs:
- the supply-return split is well below what this unit delivers at a similar
  outdoor temperature and power (learned per 5 °C band; defaults before that).
  The expectation scales with power, so an inverter idling along in mild
  weather, with a small split at low power, is not a fault;
- the room stays well below its target for hours while the unit runs flat out.
"""

from __future__ import annotations

import math
from typing import Any

from .defrost import DefrostTracker
from .model import SystemType
from .operation import Operation, PowerProfile
from .persistence import Evidence, Verdict
from .readings import Readings
from .stats import Ewma, as_float, rounded

# Split that is clearly too small before anything is learned, at full load.
_DEFAULT_ALARM_K = {SystemType.AIR_TO_AIR: 5.0, SystemType.AIR_TO_WATER: 1.5}
# A learned expectation must be missed by at least this much.
_MIN_MARGIN_K = {SystemType.AIR_TO_AIR: 3.0, SystemType.AIR_TO_WATER: 1.0}
# Typical full-load draw, until this unit's own is learned.
_NOMINAL_W = {SystemType.AIR_TO_AIR: 1500.0, SystemType.AIR_TO_WATER: 3000.0}
# Share of the learned split below which it counts as low (normal sensitivity).
_LOW_SHARE = 0.5
_STEADY_RUN_S = 10 * 60.0
_RECOVERY_S = 15 * 60.0
# Supply below return by more than this is cooling, whatever the mode says.
_COOLING_SPLIT_K = -0.5
# Without a climate entity, warm weather running is taken to be cooling.
_HEATING_SEASON_MAX_C = 18.0
_BAND_K = 5.0
_BAND_LIMIT = 8
_NO_OUTDOOR_BAND = 99
_BAND_TAU_S = 6 * 3600.0
_BAND_TRUSTED_S = 3600.0
_FLAT_SHARE = 0.85
_FLAT_DEFICIT_K = 1.5
_ROOM_OK_K = 0.5
_FLAT_S = {SystemType.AIR_TO_AIR: 2 * 3600.0, SystemType.AIR_TO_WATER: 3 * 3600.0}
_FLAT_SUSPECT_S = 3600.0


class _Band:
    __slots__ = ("power", "split")

    def __init__(self) -> None:
        self.split = Ewma()
        self.power = Ewma()


class InsufficientHeatDetector:
    """Judges insufficient_heat and learns the normal split per outdoor band."""

    __slots__ = (
        "_defrost",
        "_margin",
        "_operation",
        "_profile",
        "_readings",
        "_system",
        "_threshold",
        "bands",
        "flat_score",
    )

    def __init__(
        self,
        *,
        readings: Readings,
        operation: Operation,
        profile: PowerProfile,
        defrost: DefrostTracker,
        system_type: SystemType,
        margin_scale: float,
    ) -> None:
        self._readings = readings
        self._operation = operation
        self._profile = profile
        self._defrost = defrost
        self._system = system_type
        self._margin = margin_scale
        self.bands: dict[int, _Band] = {}
        # Seconds of "room cold although flat out", leaky.
        self.flat_score = 0.0
        # Threshold of the latest judgement, for learning.
        self._threshold: float | None = None

    @staticmethod
    def band_of(outdoor: float | None) -> int:
        """Outdoor-temperature band index (5 K wide)."""
        if outdoor is None:
            return _NO_OUTDOOR_BAND
        index = math.floor(outdoor / _BAND_K)
        return max(-_BAND_LIMIT, min(_BAND_LIMIT, index))

    def expectation(
        self, outdoor: float | None, power: float | None
    ) -> tuple[float, float | None, str]:
        """Split below which heat is insufficient, the expected split, and its source."""
        band = self.bands.get(self.band_of(outdoor))
        if (
            band is not None
            and band.split.seconds >= _BAND_TRUSTED_S
            and band.split.mean is not None
        ):
            expected = band.split.mean
            if power is not None and band.power.mean is not None and band.power.mean > 0.0:
                expected *= min(max(math.sqrt(power / band.power.mean), 0.5), 1.5)
            low_share = 1.0 - (1.0 - _LOW_SHARE) * self._margin
            threshold = min(
                expected * low_share, expected - _MIN_MARGIN_K[self._system] * self._margin
            )
            return max(threshold, 0.0), expected, "learned"
        if power is not None:
            reference = self._profile.running_high or _NOMINAL_W[self._system]
            load = min(max(math.sqrt(power / reference), 0.4), 1.0)
        else:
            # Without power the load is unknown: assume a part-load split.
            load = 0.6
        return _DEFAULT_ALARM_K[self._system] * load / self._margin, None, "default"

    def judge(self, now: float, dt: float) -> Verdict:
        """Judge whether the unit is short of heat now."""
        self._threshold = None
        readings = self._readings
        split = readings.split
        details: dict[str, Any] = {"split_k": rounded(split)}
        gate = self._gate(now, dt)
        if gate is not None:
            return Verdict(gate, details=details)
        low: bool | None = None
        if split is not None:
            threshold, expected, source = self.expectation(readings.outdoor, readings.power)
            self._threshold = threshold
            details["min_split_k"] = round(threshold, 1)
            details["expected_split_k"] = rounded(expected)
            details["expectation"] = source
            low = split < threshold
        flat = self._judge_flat(dt, details)
        reason = "low_split" if low else "room_below_target" if flat else None
        if reason is not None:
            return Verdict(Evidence.ABNORMAL, reason, details)
        evidence = Evidence.UNKNOWN if low is None and flat is None else Evidence.NORMAL
        return Verdict(evidence, details=details, suspect=self.flat_score >= _FLAT_SUSPECT_S)

    def _gate(self, now: float, dt: float) -> Evidence | None:
        """Why the split cannot be judged now, or None in steady heating."""
        readings = self._readings
        operation = self._operation
        heating = readings.heating_context()
        if heating is False:
            # Cooling, off or fan: the fault cannot be present; let it clear.
            self.flat_score = max(self.flat_score - dt, 0.0)
            return Evidence.NORMAL
        if operation.running is None:
            return Evidence.UNKNOWN
        if not operation.running:
            self.flat_score = max(self.flat_score - dt, 0.0)
            return Evidence.HOLD
        outdoor = readings.outdoor
        split = readings.split
        # No climate entity: running in cold weather is taken to be heating;
        # without an outdoor temperature it could as well be cooling.
        unsure = heating is None and (outdoor is None or outdoor > _HEATING_SEASON_MAX_C)
        unsettled = (
            readings.defrost_on
            or self._recovering(now)
            or operation.running_for(now) < _STEADY_RUN_S
        )
        cooling = split is not None and split < _COOLING_SPLIT_K
        if unsure or unsettled or cooling:
            return Evidence.HOLD
        return None

    def _judge_flat(self, dt: float, details: dict[str, Any]) -> bool | None:
        readings = self._readings
        power = readings.power
        high = self._profile.running_high
        deficit = readings.room_deficit()
        if power is None or high is None or deficit is None:
            return None
        details["room_deficit_k"] = round(deficit, 1)
        details["power_w"] = round(power)
        details["flat_out_w"] = round(_FLAT_SHARE * high)
        if power >= _FLAT_SHARE * high and deficit > _FLAT_DEFICIT_K * self._margin:
            self.flat_score += dt
        elif deficit <= _ROOM_OK_K:
            self.flat_score = max(self.flat_score - 2.0 * dt, 0.0)
        limit = _FLAT_S[self._system]
        details["cold_room_minutes"] = round(self.flat_score / 60.0)
        return self.flat_score >= limit

    def _recovering(self, now: float) -> bool:
        last_end = self._defrost.last_end
        return last_end is not None and 0.0 <= now - last_end < _RECOVERY_S

    def learn(self, now: float, dt: float) -> None:
        """Learn the split of healthy steady heating (judge has set the threshold)."""
        threshold = self._threshold
        split = self._readings.split
        if threshold is None or split is None or dt <= 0.0 or split <= 0.0 or split < threshold:
            return
        band = self.bands.get(self.band_of(self._readings.outdoor))
        if band is None:
            band = self.bands[self.band_of(self._readings.outdoor)] = _Band()
        band.split.add(split, dt, _BAND_TAU_S)
        power = self._readings.power
        if power is not None:
            band.power.add(power, dt, _BAND_TAU_S)

    def reset_learned(self) -> None:
        """Forget the learned splits."""
        self.bands.clear()
        self.flat_score = 0.0

    def learned_dict(self) -> dict[str, Any]:
        """Return the learned baselines, JSON-serialisable."""
        return {
            "bands": {
                str(key): {"split": band.split.to_dict(), "power": band.power.to_dict()}
                for key, band in sorted(self.bands.items())
            }
        }

    def load_learned(self, data: object) -> None:
        """Restore baselines, ignoring anything unusable."""
        if not isinstance(data, dict):
            return
        bands = data.get("bands")
        if not isinstance(bands, dict):
            return
        for key, value in bands.items():
            try:
                index = int(key)
            except TypeError, ValueError:
                continue
            if index != _NO_OUTDOOR_BAND and abs(index) > _BAND_LIMIT:
                continue
            if not isinstance(value, dict):
                continue
            band = _Band()
            band.split = Ewma.from_dict(value.get("split"))
            band.power = Ewma.from_dict(value.get("power"))
            if band.split.mean is not None:
                self.bands[index] = band

    def state_dict(self) -> dict[str, Any]:
        """Return the state, JSON-serialisable."""
        return {"flat_score": round(self.flat_score, 1)}

    def load_state(self, data: object) -> None:
        """Restore state, ignoring anything unusable."""
        if isinstance(data, dict):
            self.flat_score = max(as_float(data.get("flat_score")) or 0.0, 0.0)
