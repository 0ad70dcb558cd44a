"""The evaluator: readings in, fault verdicts out, for one heat pump."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
import logging
import math
from typing import Any, Final

from .abnormal_noise import ANY, DEFROST, IDLE, AbnormalNoiseDetector
from .backup_heat import RECORD_DAYS, BackupHeat
from .cadence import Cadence
from .cycling import Cycles
from .defrost import DefrostTracker
from .detector import CONTEXTS, Context, Detector
from .energy import EnergyMeter
from .ice_buildup import IceBuildupDetector
from .insufficient_heat import InsufficientHeatDetector
from .model import (
    SEVERITY,
    Diagnostics,
    EnergyReading,
    FaultKey,
    FaultStatus,
    Health,
    InputKey,
    SystemType,
    Value,
)
from .operation import Operation, PowerProfile
from .options import EvaluatorOptions
from .persistence import FaultTracker, Finding, Transition, Verdict
from .plausibility import check
from .power_loss import PowerLossDetector
from .readings import Readings
from .reversed_split import ReversedSplit
from .short_cycling import ShortCyclingDetector
from .stats import DAY_S, as_float, rounded

_LOGGER = logging.getLogger(__name__)


# Minutes before a fault is confirmed, and of healthy evidence before it clears.
DEFAULT_CONFIRM_MIN = {
    FaultKey.POWER_LOSS: 10,
    FaultKey.ICE_BUILDUP: 5,
    FaultKey.INSUFFICIENT_HEAT: 30,
    FaultKey.ABNORMAL_NOISE: 5,
    # On top of the hour of starts the rule looks at: short cycling must last.
    # (90 minutes found fewer in time and silenced no more healthy homes.)
    FaultKey.SHORT_CYCLING: 60,
}
DEFAULT_CLEAR_MIN = {
    FaultKey.POWER_LOSS: 3,
    FaultKey.ICE_BUILDUP: 60,
    FaultKey.INSUFFICIENT_HEAT: 30,
    FaultKey.ABNORMAL_NOISE: 30,
    FaultKey.SHORT_CYCLING: 60,
}
# The efficiency index stands this long after delivery was last judged.
_EFFICIENCY_STANDS_S = 6 * 3600.0
# A gap between ticks (restart, stalled host) counts as at most this much
# time: readings from before it may be stale, so persistence must not leap.
MAX_STEP_S = 300.0
# A coil this much warmer than the outdoor air has had its cycle reversed, K
# (generous: only a noise excuse hangs on it; see warm_coil.WARM_COIL_K).
_COIL_SWING_K = 2.0
# A coil warms past the air up to this long after the valve reversed it: some
# 10 K at a few kelvin a minute, with a stall while the ice melts.  (It cools
# back past it within a minute or two.)
_SWING_LATE_S = 6 * 60.0
# Healthy running needed before the health leaves "learning".
LEARNING_S = 3 * 3600.0


@dataclass(slots=True)
class Evaluation:
    """The outcome of one evaluation."""

    now: float
    statuses: dict[FaultKey, FaultStatus]
    diagnostics: Diagnostics
    started: tuple[FaultKey, ...]
    cleared: tuple[FaultKey, ...]


# What an evaluation made with ``diagnose=False`` carries instead.
NOT_DIAGNOSED: Final = Diagnostics()


class Evaluator:
    """Watches one heat pump's readings and reports its faults."""

    def __init__(
        self, *, options: EvaluatorOptions, learned: Mapping[str, Any] | None = None
    ) -> None:
        self._options = options
        self._faults = options.evaluable_faults()
        configured = options.configured
        self._configured = configured
        scale = options.margin_scale
        self._readings = Readings(
            system_type=options.system_type, defrost_needs_proof=options.defrost_needs_proof
        )
        self._profile = PowerProfile()
        self._operation = Operation()
        self._defrost = DefrostTracker()
        self._cadence = Cadence(configured)
        self._meter = EnergyMeter()
        self._cycles = Cycles()
        # The backup heater's record, where one is configured.
        self._backup = BackupHeat() if InputKey.BACKUP_HEATER in configured else None
        # Without a defrost source, the coil's swings above the outdoor air
        # stand for the reversing valve (see _coil_swing); the last side seen.
        self._swing_watch = (
            FaultKey.ABNORMAL_NOISE in self._faults
            and InputKey.DEFROST not in configured
            and options.has(InputKey.COIL_TEMPERATURE, InputKey.OUTDOOR_TEMPERATURE)
        )
        self._coil_warm: bool | None = None
        # Where the coil's swing cannot show it either (no coil probe, or no
        # outdoor air to compare it with), the split turning negative while
        # the unit runs stands for the valve (see reversed_split).
        self._split_watch = (
            FaultKey.ABNORMAL_NOISE in self._faults
            and InputKey.DEFROST not in configured
            and not self._swing_watch
            and options.has(InputKey.SUPPLY_TEMPERATURE, InputKey.RETURN_TEMPERATURE)
        )
        self._reversed_split = ReversedSplit()
        # The coil's readings over the last minutes: a defrost's rise begins
        # at the coldest of them.
        self._coil_recent: deque[tuple[float, float]] = deque()
        # The unit's own error code, and since when it has reported it.
        self._error_code: str | None = None
        self._error_since: float | None = None
        self._power = PowerLossDetector(
            readings=self._readings,
            operation=self._operation,
            profile=self._profile,
            defrost=self._defrost,
            climate_configured=InputKey.CLIMATE in configured,
            unit_inputs=options.unit_inputs,
            configured=configured,
            cadence=self._cadence,
            water_loop=options.system_type is SystemType.AIR_TO_WATER,
        )
        self._heat = InsufficientHeatDetector(
            cadence=self._cadence,
            readings=self._readings,
            operation=self._operation,
            profile=self._profile,
            defrost=self._defrost,
            system_type=options.system_type,
            margin_scale=scale,
            backup=self._backup,
        )
        self._ice = IceBuildupDetector(
            readings=self._readings,
            operation=self._operation,
            defrost=self._defrost,
            # A climate entity may report "defrosting" instead of a switch.
            use_defrost=InputKey.DEFROST in configured or InputKey.CLIMATE in configured,
            use_gap=options.has(InputKey.COIL_TEMPERATURE, InputKey.OUTDOOR_TEMPERATURE),
            margin_scale=scale,
            cadence=self._cadence,
            split_share=self._heat.split_share,
        )
        self._noise = AbnormalNoiseDetector(
            margin_scale=scale,
            defrost_seen=InputKey.DEFROST in configured or InputKey.CLIMATE in configured,
            cadence=self._cadence,
        )
        self._cycling = ShortCyclingDetector(
            cycles=self._cycles, readings=self._readings, cadence=self._cadence, margin_scale=scale
        )
        # One detector per fault this unit's inputs allow, judged in this
        # order: what a later one is told of an earlier one is its Context.
        every: tuple[Detector, ...] = (
            self._power,
            self._ice,
            self._heat,
            self._noise,
            self._cycling,
        )
        self._detectors: dict[FaultKey, Detector] = {
            detector.fault: detector for detector in every if detector.fault in self._faults
        }
        self._trackers = {
            fault: FaultTracker(
                confirm_s=60.0
                * (
                    options.confirm_minutes
                    if options.confirm_minutes is not None
                    else DEFAULT_CONFIRM_MIN[fault]
                ),
                clear_s=60.0
                * (
                    options.clear_minutes
                    if options.clear_minutes is not None
                    else DEFAULT_CLEAR_MIN[fault]
                ),
            )
            for fault in self._faults
        }
        # The last abnormal reason per fault, kept while the fault stays active.
        self._reasons: dict[FaultKey, str | None] = dict.fromkeys(self._faults)
        self._clock: float | None = None
        self._last_eval: float | None = None
        # First reading change since the last evaluation.
        self._changed_at: float | None = None
        self._seen: dict[InputKey, float] = {}
        self._rejected: dict[str, int] = {}
        self._healthy_s = 0.0
        self._failed_rules: set[FaultKey] = set()
        if learned is not None:
            self._load_learned(learned)

    @property
    def faults(self) -> tuple[FaultKey, ...]:
        """The faults this evaluator judges, given the configured inputs."""
        return self._faults

    @property
    def options(self) -> EvaluatorOptions:
        """The options it was built with."""
        return self._options

    # -- readings -------------------------------------------------------------

    def observe(self, key: InputKey, value: Value, at: float, *, unavailable: bool = False) -> None:
        """Take a source's new state, reported at `at` (UTC epoch seconds).

        ``unavailable``: the source itself is gone (its entity is
        unavailable), not merely without a usable value.
        """
        if key not in self._configured:
            self._reject(key, "not_configured")
            return
        if not isinstance(at, int | float) or not math.isfinite(at):
            self._reject(key, "bad_time")
            return
        previous = self._seen.get(key)
        if previous is not None and at < previous:
            # An older reading arriving late: the newer one already stands.
            self._reject(key, "out_of_order")
            return
        self._seen[key] = at
        clock = self._clock
        # Readings slightly behind another source's are applied now.
        now = at if clock is None or at > clock else clock
        self._clock = now
        if self._changed_at is None:
            self._changed_at = now
        checked, reason = check(key, value)
        if reason is not None:
            self._reject(key, reason)
        self._noise.advance(now)
        readings = self._readings
        if isinstance(checked, EnergyReading):
            # A counter, not a power: its average power stands in for one.
            readings.power_counter = True
            self._meter.observe(checked.kwh, now)
            checked = self._counter_power(now)
        elif key is InputKey.POWER and checked is not None:
            readings.power_counter = False
            readings.power_resolution_w = None
            readings.power_lag_s = None
            readings.power_drawn_since = None
            readings.power_figure_at = None
            readings.power_stepped_at = None
            readings.power_poll_s = None
            readings.power_previous_w = None
        readings.set(key, checked, now)
        readings.availability(key, now, unavailable=unavailable and value is None)
        self._cadence.seen(key, now)
        self._follow(key, now)

    def _follow(self, key: InputKey, now: float) -> None:
        """Update what depends on the input that just changed."""
        readings = self._readings
        if key is InputKey.POWER:
            self._power.power_seen(now, readings.power)
            self._update_operation(now)
        elif key is InputKey.COIL_TEMPERATURE:
            self._defrost.coil_seen(now, readings.coil)
            if self._swing_watch:
                self._coil_swing(now)
        elif key is InputKey.NOISE:
            self._noise.level_changed(now, readings.noise)
        elif key in (InputKey.SUPPLY_TEMPERATURE, InputKey.RETURN_TEMPERATURE):
            if self._split_watch:
                self._split_swing(now)
        elif key is InputKey.DEFROST:
            self._update_defrost(now)
        elif key is InputKey.COMPRESSOR:
            self._update_operation(now)
        elif key is InputKey.ERROR:
            self._error_changed(now, readings.error_code)
        elif key is InputKey.CLIMATE:
            self._update_defrost(now)
            self._update_operation(now)

    def _coil_swing(self, now: float) -> None:
        """A coil crossing the outdoor air is the reversing valve moving: forgive its bang.

        Heating, the outdoor coil runs below the air; a defrost reverses the
        cycle and warms it well above, and the valve bangs as it does and
        again when it ends.  Where no source says "defrost", that crossing
        is the only sign of it, and the noise rule must not count the bangs.
        """
        readings = self._readings
        coil = readings.coil
        recent = self._coil_recent
        while recent and recent[0][0] < now - _SWING_LATE_S:
            recent.popleft()
        if coil is not None:
            recent.append((now, coil))
        gap = readings.gap
        if gap is None:
            return
        warm = gap < -_COIL_SWING_K
        if self._coil_warm is not None and warm != self._coil_warm:
            if warm:
                # The valve banged as the coil began to rise, from its coldest
                # (the last of equal readings; a melting plateau or a probe's
                # jitter on the way up does not move that).
                coldest = min(recent, key=lambda reading: (reading[1], -reading[0]))[0]
                self._noise.transition(now, sounded_before_s=now - coldest)
            else:
                self._noise.transition(now)
        self._coil_warm = warm

    def _split_swing(self, now: float) -> None:
        """A split turning negative (or back) in heating is the valve moving: forgive its bang."""
        readings = self._readings
        watched = self._operation.running is True and readings.heating_context() is not False
        turned = self._reversed_split.follow(now, readings.split, watched=watched)
        if turned is not None:
            self._noise.transition(now, sounded_before_s=turned)

    def _error_changed(self, now: float, code: str | None) -> None:
        if not code:
            self._error_since = None
        elif code != self._error_code:
            self._error_since = now
        self._error_code = code or None

    def _reject(self, key: InputKey, reason: str) -> None:
        name = f"{key.value}:{reason}"
        self._rejected[name] = self._rejected.get(name, 0) + 1

    def _update_defrost(self, now: float) -> None:
        defrost = self._defrost
        was_on = defrost.on
        defrost.change(now, self._readings.defrost_on, self._readings.coil)
        if defrost.on != was_on:
            self._noise.state_changed(now, self._noise_state(), transition=True)
            if defrost.on:
                self._cycles.defrost_started(now)

    def _follow_counter(self, now: float) -> None:
        """A counter that stands still says the unit draws less and less."""
        readings = self._readings
        if readings.power_resolution_w is None or readings.power is None:
            return
        power = self._counter_power(now)
        if power is not None and power < readings.power:
            readings.power = power
            self._power.power_seen(now, power)

    def _counter_power(self, now: float) -> float | None:
        """The counter's power now; its resolution and age go with the readings."""
        meter = self._meter
        self._readings.power_resolution_w = meter.resolution(now)
        self._readings.power_lag_s = meter.lag(now)
        self._readings.power_drawn_since = meter.drawn_since(now)
        self._readings.power_figure_at = meter.figure_at
        self._readings.power_stepped_at = meter.stepped_at
        self._readings.power_poll_s = meter.poll_s
        self._readings.power_previous_w = meter.previous_power
        return meter.power(now)

    def _update_operation(self, now: float) -> None:
        operation = self._operation
        was = operation.running
        operation.update(now, self._readings, self._profile)
        cycles = self._cycles
        cycles.watch(now, known=operation.running is not None)
        if was is False and operation.running:
            cycles.started(now)
        elif was is None and operation.running:
            cycles.running_when_seen(now)
        elif was and operation.running is False:
            cycles.stopped(now, defrosting=self._defrost.on)
        if operation.running != was:
            # A start or stop is seen within one report of the power (of the
            # unit's data where the power's own interval is not known yet).
            cadence = self._cadence
            self._noise.state_changed(
                now,
                self._noise_state(),
                transition=True,
                known_within_s=cadence.interval(InputKey.POWER) or cadence.unit_interval(),
            )
        elif operation.running:
            # Same run, another speed: another baseline, but no start/stop.
            self._noise.state_changed(now, self._noise_state(), transition=False)

    def _noise_state(self) -> str:
        if self._defrost.on:
            return DEFROST
        running = self._operation.running
        if running is None:
            return ANY
        if not running:
            return IDLE
        return self._noise.running_state(self._readings.power)

    # -- the tick -------------------------------------------------------------

    def evaluate(self, now: float, *, diagnose: bool = True) -> Evaluation:
        """Judge every evaluable fault at time `now` (normally once a minute).

        ``diagnose=False`` leaves the diagnostic numbers out (``NOT_DIAGNOSED``):
        a replay needs them only at its end (see ``diagnostics``), and they
        cost a third of a tick.
        """
        clock = self._clock
        at = now if math.isfinite(now) else (clock or 0.0)
        if clock is not None and at < clock:
            # Time went backwards: judge at the latest time seen instead.
            at = clock
        self._clock = at
        last = self._last_eval
        dt = 0.0 if last is None else min(max(at - last, 0.0), MAX_STEP_S)
        self._last_eval = at

        defrost = self._defrost
        defrost.settle(at)
        defrost.forget_before(at - DAY_S)
        # Integrate the noise up to now before anything changes its state.
        self._noise.advance(at)
        self._follow_counter(at)
        self._update_operation(at)
        self._cycles.tick(at, dt, power=self._readings.power, defrosting=defrost.on)
        if (backup := self._backup) is not None:
            self._tick_backup(backup, at, dt)

        statuses: dict[FaultKey, FaultStatus] = {}
        started: list[FaultKey] = []
        cleared: list[FaultKey] = []
        suspect_or_active: dict[FaultKey, bool] = {}
        for fault in self._faults:
            context = CONTEXTS[
                suspect_or_active.get(FaultKey.ICE_BUILDUP, False),
                suspect_or_active.get(FaultKey.POWER_LOSS, False),
            ]
            status, transition, suspect_or_active[fault] = self._judge(fault, at, dt, context)
            statuses[fault] = status
            if transition is Transition.STARTED:
                started.append(fault)
            elif transition is Transition.CLEARED:
                cleared.append(fault)
        any_suspect_or_active = any(suspect_or_active.values())
        self._changed_at = None
        if FaultKey.ICE_BUILDUP not in self._trackers:
            # Nobody reads finished defrosts then; do not let them pile up.
            defrost.take_completed()

        if not any_suspect_or_active and dt > 0.0 and self._operation.running is not False:
            self._healthy_s = min(self._healthy_s + dt, LEARNING_S)
        return Evaluation(
            now=now if math.isfinite(now) else at,
            statuses=statuses,
            diagnostics=self.diagnostics(at, statuses) if diagnose else NOT_DIAGNOSED,
            started=tuple(started),
            cleared=tuple(cleared),
        )

    def _tick_backup(self, backup: BackupHeat, at: float, dt: float) -> None:
        readings = self._readings
        backup.tick(
            at,
            dt,
            backup_on=readings.backup_on,
            backup_w=readings.backup_w,
            unit_running=self._operation.running,
            unit_w=readings.power,
            outdoor=readings.outdoor,
            heating=readings.heating_context(),
            defrosting=self._defrost.recovering(at),
        )

    def _judge(
        self, fault: FaultKey, at: float, dt: float, context: Context
    ) -> tuple[FaultStatus, Transition, bool]:
        """One fault's tick: its status, whether it started or cleared, whether it builds."""
        tracker = self._trackers[fault]
        detector = self._detectors[fault]
        try:
            verdict = detector.judge(at, dt, context)
            transition = tracker.update(verdict, at, dt, self._changed_at)
            active = tracker.active
            building = tracker.suspect
            suspect = not active and (building or verdict.suspect)
            detector.settle(suspect=suspect, active=active)
            if not (suspect or active):
                # Learn from healthy operation only: never while it builds.
                detector.learn(at, dt)
            status = self._status(fault, tracker, verdict, building=building, suspect=suspect)
        except Exception:
            # A bug in one rule must silence neither the other faults nor
            # the next tick: this fault keeps its state, shown as unknown
            # unless it was already active.
            self._rule_failed(fault, at)
            status = FaultStatus(
                fault=fault,
                active=True if tracker.active else None,
                since=tracker.since if tracker.active else None,
                severity=SEVERITY[fault],
                reason=self._reasons.get(fault) if tracker.active else None,
                evidence={"error": "rule_failed"},
            )
            return status, Transition.NONE, tracker.suspect or tracker.active
        if self._failed_rules and fault in self._failed_rules:
            self._failed_rules.discard(fault)
            _LOGGER.info("The %s rule works again", fault.value)
        return status, transition, suspect or active

    def _rule_failed(self, fault: FaultKey, at: float) -> None:
        """Log a failing rule once, with what it was looking at."""
        if fault in self._failed_rules:
            return
        self._failed_rules.add(fault)
        _LOGGER.exception(
            "The %s rule failed at %s with readings %s; judging the other faults without it",
            fault.value,
            at,
            self._readings.snapshot(),
        )

    def _status(
        self,
        fault: FaultKey,
        tracker: FaultTracker,
        verdict: Verdict,
        *,
        building: bool,
        suspect: bool,
    ) -> FaultStatus:
        """``building``: the tracker's evidence builds; ``suspect``: so, or the verdict's."""
        active = tracker.active
        if verdict.finding is Finding.ABNORMAL:
            self._reasons[fault] = verdict.reason
        elif not (building or active):
            self._reasons[fault] = None
        shown: bool | None = active
        if not active and verdict.finding is Finding.UNKNOWN:
            shown = None
        evidence = verdict.evidence
        if building:
            evidence["abnormal_minutes"] = round(tracker.score / 60.0, 1)
            evidence["confirm_minutes"] = round(tracker.confirm_s / 60.0, 1)
        if self._error_code and (active or building):
            # What the unit says about itself belongs with any fault.
            evidence["unit_error"] = self._error_code
            evidence["unit_error_since"] = self._error_since
        if active:
            evidence["healthy_minutes"] = round(tracker.healthy_s / 60.0, 1)
            evidence["clear_minutes"] = round(tracker.clear_s / 60.0, 1)
        return FaultStatus(
            fault=fault,
            active=shown,
            since=tracker.since if active else None,
            severity=SEVERITY[fault],
            suspect=suspect,
            reason=self._reasons[fault] if (active or building) else None,
            evidence=evidence,
        )

    def diagnostics(self, now: float, statuses: Mapping[FaultKey, FaultStatus]) -> Diagnostics:
        """The diagnostic numbers at ``now``, given that evaluation's statuses (no side effects)."""
        readings = self._readings
        configured = self._configured
        defrost_known = InputKey.DEFROST in configured or InputKey.CLIMATE in configured
        if any(status.active for status in statuses.values()):
            health = Health.FAULT
        elif any(status.suspect for status in statuses.values()):
            health = Health.WATCH
        elif self._healthy_s < LEARNING_S:
            health = Health.LEARNING
        else:
            health = Health.OK
        return Diagnostics(
            supply_return_split=rounded(readings.split),
            coil_outdoor_gap=rounded(readings.gap),
            defrosts_last_24h=self._defrost.count_since(now - DAY_S) if defrost_known else None,
            last_defrost_minutes=self._defrost.last_minutes,
            health=health,
            rejected_readings=dict(self._rejected),
            learning_progress=round(self._healthy_s / LEARNING_S, 2),
            defrost_recovering=self._defrost.recovering(now),
            sampling_s=self._cadence.to_dict(),
            **self._cycles.summary(now, defrost_known=defrost_known),
            efficiency_percent=self._efficiency(now),
            unit_error=self._error_code,
            unit_error_since=self._error_since,
            not_judged=self._not_judged(),
        )

    def _efficiency(self, now: float) -> float | None:
        """The efficiency index, %, while the last judged delivery share still stands."""
        known = self._heat.efficiency
        if known is None or not 0.0 <= now - known[1] <= _EFFICIENCY_STANDS_S:
            return None
        return round(100.0 * known[0])

    def backup_heat(self, now: float) -> dict[str, Any] | None:
        """The backup heater's share per outdoor band and its mild-weather runs; None: none."""
        backup = self._backup
        if backup is None:
            return None
        return {
            "record_days": RECORD_DAYS,
            "bands": backup.bands(now),
            "mild_weather": backup.mild_weather(now),
        }

    def _not_judged(self) -> list[str]:
        """The rules this unit's sampling is too coarse for (see cadence.py)."""
        return [rule for detector in self._detectors.values() for rule in detector.not_judged()]

    # -- learned baselines ----------------------------------------------------

    def export_learned(self) -> dict[str, Any]:
        """Baselines learned so far, JSON-serialisable; pass back as `learned=`."""
        return {
            "system_type": self._options.system_type.value,
            "healthy_seconds": round(self._healthy_s, 1),
            "power": self._power.learned_dict(),
            "ice": self._ice.learned_dict(),
            "heat": self._heat.learned_dict(),
            "noise": self._noise.learned_dict(),
            "cycling": self._cycling.learned_dict(),
            "defrost_seen": self._readings.defrost_seen_dict(),
        }

    def _load_learned(self, data: object) -> None:
        # Whatever a store held: anything but a mapping is nothing learned.
        if not isinstance(data, Mapping):
            return
        if data.get("system_type") not in (None, self._options.system_type.value):
            # Baselines of a different kind of system would mislead.
            return
        try:
            healthy = as_float(data.get("healthy_seconds"))
            self._healthy_s = min(max(healthy or 0.0, 0.0), LEARNING_S)
            self._power.load_learned(_plain(data.get("power")))
            self._ice.load_learned(_plain(data.get("ice")))
            self._readings.load_defrost_seen(_plain(data.get("defrost_seen")))
            self._heat.load_learned(_plain(data.get("heat")))
            self._noise.load_learned(_plain(data.get("noise")))
            self._cycling.load_learned(_plain(data.get("cycling")))
        except TypeError, ValueError, AttributeError, KeyError, OverflowError:
            # Stored data from a broken or foreign source: learn afresh.
            self._reset_all_learned()

    def _reset_all_learned(self) -> None:
        self._healthy_s = 0.0
        for detector in (self._power, self._ice, self._heat, self._noise, self._cycling):
            detector.reset_learned()

    def reset_learned(self, fault: FaultKey) -> None:
        """Forget what was learned for one fault (after a service) and re-judge it."""
        detector = self._detectors.get(fault)
        if detector is not None:
            detector.reset_learned()
        tracker = self._trackers.get(fault)
        if tracker is not None:
            tracker.reset()
            self._reasons[fault] = None

    # -- resuming after a restart -------------------------------------------

    def export_state(self) -> dict[str, Any]:
        """Active faults and what is needed to carry on after a restart."""
        return {
            "clock": self._clock,
            "last_eval": self._last_eval,
            "faults": {
                fault.value: {**tracker.to_dict(), "reason": self._reasons.get(fault)}
                for fault, tracker in self._trackers.items()
            },
            "operation": self._operation.to_dict(),
            "defrost": self._defrost.to_dict(),
            "power": self._power.state_dict(),
            "ice": self._ice.state_dict(),
            "heat": self._heat.state_dict(),
            "noise": self._noise.state_dict(),
            "cycling": self._cycling.state_dict(),
            "cycles": self._cycles.to_dict(),
            "rejected": dict(self._rejected),
            "energy": self._meter.to_dict(),
            **({"backup": self._backup.to_dict()} if self._backup is not None else {}),
        }

    def restore_state(self, data: object) -> None:
        """Resume from export_state output; anything unusable is ignored."""
        if not isinstance(data, Mapping):
            return
        try:
            self._restore(data)
        except TypeError, ValueError, AttributeError, KeyError, OverflowError:
            # Half-read garbage is worse than nothing: start clean.
            for tracker in self._trackers.values():
                tracker.reset()
            self._reasons = dict.fromkeys(self._faults)

    def _restore(self, data: Mapping[str, Any]) -> None:
        clock = as_float(data.get("clock"))
        last_eval = as_float(data.get("last_eval"))
        if clock is not None and (self._clock is None or clock > self._clock):
            self._clock = clock
        if last_eval is not None and self._last_eval is None:
            self._last_eval = last_eval
        faults = data.get("faults")
        if isinstance(faults, Mapping):
            for fault, tracker in self._trackers.items():
                saved = faults.get(fault.value)
                tracker.load(_plain(saved))
                reason = saved.get("reason") if isinstance(saved, Mapping) else None
                self._reasons[fault] = (
                    reason
                    if isinstance(reason, str) and (tracker.suspect or tracker.active)
                    else None
                )
        self._operation.load(_plain(data.get("operation")))
        self._defrost.load(_plain(data.get("defrost")))
        self._power.load_state(_plain(data.get("power")))
        self._ice.load_state(_plain(data.get("ice")))
        self._heat.load_state(_plain(data.get("heat")))
        self._noise.load_state(_plain(data.get("noise")))
        self._cycling.load_state(_plain(data.get("cycling")))
        self._cycles.load(_plain(data.get("cycles")))
        self._meter.load(_plain(data.get("energy")))
        if self._backup is not None:
            self._backup.load(_plain(data.get("backup")))
        rejected = data.get("rejected")
        if isinstance(rejected, Mapping):
            for name, count in rejected.items():
                if (
                    isinstance(name, str)
                    and isinstance(count, int)
                    and not isinstance(count, bool)
                    and count > 0
                ):
                    self._rejected[name] = self._rejected.get(name, 0) + count


def _plain(value: object) -> object:
    """Turn mappings from storage into plain dicts for the per-part loaders."""
    if isinstance(value, Mapping) and not isinstance(value, dict):
        return dict(value)
    return value
