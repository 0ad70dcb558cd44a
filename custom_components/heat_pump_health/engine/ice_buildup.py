"""ice_buildup: the outdoor coil is icing up and defrost is not keeping up.

Frost, and a defrost every 30-90 minutes to clear it, is normal.  Signs of a
problem: a defrost that runs past the ~20 minutes manufacturers alarm at;
defrosts that end with the coil still below freezing, or, where no coil
probe says so, cut far shorter than this unit's own with the heat collapsed
after them (short_defrost); defrosts back to back;
no defrost long after this unit's usual interval while its delivery has
collapsed since the last one (overdue_defrost); or, without any defrost
signal, the coil running far colder than the outdoor air, and getting colder,
for hours.  Where nothing says when a defrost runs, a coil held warm
while the unit heats times it (warm_coil).
"""

from __future__ import annotations

from collections.abc import Callable
import itertools
from typing import Any

from .cadence import Cadence
from .defrost import CompletedDefrost, DefrostTracker
from .detector import Context
from .model import FaultKey, InputKey
from .operation import STEADY_RUN_S, Operation
from .overdue_defrost import OverdueDefrost
from .persistence import Finding, Verdict
from .readings import Readings
from .short_defrost import ShortDefrost
from .stats import Ewma, as_float, rounded, stored_count
from .warm_coil import OUTDOOR_COIL_GAP_K, WARM_COIL_K, WarmCoil

# The rules a coarse sampling rules out; named in the diagnostics.
RULE_DEFROST_CYCLES = "defrost_cycles"
_DEFROST_MAX_MIN = 20.0
# Coarser sampling than this cannot time a defrost (they last 3-15 minutes):
# the defrost-cycle tests then say they cannot be judged.
_MAX_DEFROST_SAMPLING_MIN = 10.0
# Defrost start to next start: healthy units on a humid, near-freezing day do
# this every 30-90 minutes; three quicker repeats within a few hours is not.
_SHORT_INTERVAL_S = 25 * 60.0
_BACK_TO_BACK_WINDOW_S = 3 * 3600.0
_BACK_TO_BACK_COUNT = 3
# A defrost succeeds when the coil warms to this; learned units may use less.
_SUCCESS_COIL_C = 5.0
# One short defrost happens (a timer ends it in very cold air); three in a row
# leave ice behind.
_FAILED_IN_A_ROW = 3
# An old defrost problem with no new defrost since is forgotten after this.
_FLAG_EXPIRY_S = 4 * 3600.0
# Coil gap (outdoor minus coil) of a frosted coil: a default until learned, and
# how far beyond it means ice.
_DEFAULT_GAP_K = 8.0
_GAP_MARGIN_K = 8.0
_GAP_MIN_ALARM_K = 12.0
_GAP_TAU_S = 12 * 3600.0
_GAP_TRUSTED_S = 3 * 3600.0
# Ice needs a coil below freezing and an outdoor air cold enough to frost it.
_ICING_COIL_MAX_C = -3.0
_ICING_OUTDOOR_MAX_C = 10.0
_DEEP_GAP_S = 45 * 60.0
_DEEP_GAP_SUSPECT_S = 20 * 60.0
_GAP_GROWTH_K = 1.0
# After a defrost the coil takes a while to settle back to its working gap.
_RECOVERY_S = 10 * 60.0
_PEAK_TAU_DEFROSTS = 5.0
_MAX_PENDING_PEAKS = 16
# Defrosts whose coil peak must be seen before this unit's own peak, not the
# generic _SUCCESS_COIL_C, says what a cleared coil reads.
_PEAKS_TO_TRUST = 5
# A deep gap confirms ice only within this much of the alarm gap, K: growth
# alone from a small gap is a colder evening, not a coil encased in ice.
_DEEP_GAP_NEAR_ALARM_K = 2.0


class IceBuildupDetector:
    """Judges ice_buildup from defrost cycles and the coil-outdoor gap."""

    __slots__ = (
        "_cadence",
        "_defrost",
        "_margin",
        "_operation",
        "_overdue",
        "_readings",
        "_short",
        "_warm",
        "deep_coil0",
        "deep_gap0",
        "deep_score",
        "deep_since",
        "defrosts",
        "failed_at",
        "failed_in_a_row",
        "gap",
        "long_at",
        "long_minutes",
        "peak",
        "peak_count",
        "success_at",
        "use_defrost",
        "use_gap",
    )

    def __init__(
        self,
        *,
        readings: Readings,
        operation: Operation,
        defrost: DefrostTracker,
        use_defrost: bool,
        use_gap: bool,
        margin_scale: float,
        cadence: Cadence | None = None,
        split_share: Callable[[float], float | None] | None = None,
    ) -> None:
        self._readings = readings
        # Where a defrost source and the split's healthy reference are known
        # (``split_share``: insufficient_heat's share of it), an overdue defrost.
        self._overdue = (
            OverdueDefrost(
                readings=readings,
                operation=operation,
                defrost=defrost,
                split_share=split_share,
                margin_scale=margin_scale,
            )
            if use_defrost and split_share is not None
            else None
        )
        # With the same delivery between defrosts, a defrost too short to clear.
        self._short = None if self._overdue is None else ShortDefrost(delivery=self._overdue)
        self._cadence = cadence or Cadence()
        self._operation = operation
        self._defrost = defrost
        self._margin = margin_scale
        self.use_defrost = use_defrost
        self.use_gap = use_gap
        self._warm = WarmCoil() if use_gap else None
        # Learned: the working coil gap, and the coil peak of a good defrost.
        self.gap = Ewma()
        self.peak: float | None = None
        self.peak_count = 0
        # Defrost problems seen, with when.
        self.long_at: float | None = None
        self.long_minutes: float | None = None
        self.failed_in_a_row = 0
        self.failed_at: float | None = None
        self.success_at: float | None = None
        self.defrosts: list[CompletedDefrost] = []
        # A coil running far colder than the air: since when, how long, from where.
        self.deep_since: float | None = None
        self.deep_score = 0.0
        self.deep_gap0: float | None = None
        self.deep_coil0: float | None = None

    def success_coil(self) -> float:
        """Coil temperature that marks a defrost as having cleared the coil, °C."""
        if self.peak is None or self.peak_count < _PEAKS_TO_TRUST:
            return _SUCCESS_COIL_C
        # Units that end defrost on time rather than temperature peak lower; a
        # defrost well short of this unit's usual peak still counts as failed.
        return max(min(_SUCCESS_COIL_C, self.peak - 4.0), 1.0)

    def max_defrost_minutes(self) -> float:
        """Defrost length beyond which it counts as too long (the sampling can add one interval)."""
        return _DEFROST_MAX_MIN * self._margin + self.sampling_minutes()

    def sampling_minutes(self) -> float:
        """How coarsely the unit's data is sampled, minutes (0 until known)."""
        interval = self._cadence.unit_interval()
        return 0.0 if interval is None else interval / 60.0

    def cycles_judgeable(self) -> bool:
        """Whether defrosts can be timed at the sampling the unit's data has."""
        return self._cadence.finer_than(_MAX_DEFROST_SAMPLING_MIN * 60.0)

    def alarm_gap(self) -> float:
        """Coil gap that means ice, K."""
        learned = self.gap.mean if self.gap.seconds >= _GAP_TRUSTED_S else None
        base = _DEFAULT_GAP_K if learned is None else max(learned, 0.0)
        return max(base + _GAP_MARGIN_K * self._margin, _GAP_MIN_ALARM_K * self._margin)

    def _absorb(self, done: CompletedDefrost) -> None:
        """Classify one finished defrost."""
        if done.tainted:
            return
        if done.minutes > self.max_defrost_minutes():
            self.long_at = done.end
            self.long_minutes = round(done.minutes, 1)
            return
        # A coil read less often than twice a defrost may have missed its
        # warm peak: such a defrost is neither a success nor a failure.
        missed = self._cadence.coarser_than(InputKey.COIL_TEMPERATURE, done.minutes * 30.0)
        success = (
            None if done.peak_coil is None or missed else done.peak_coil >= self.success_coil()
        )
        if success is False:
            self.failed_in_a_row += 1
            self.failed_at = done.end
            return
        # Lengths are learned only where defrosts are known to be timed (a
        # cloud's first polls after a restart look live).
        if self._short is not None and self._cadence.proven_finer_than(
            _MAX_DEFROST_SAMPLING_MIN * 60.0
        ):
            # Where the coil cannot say, its length and the heat after it can.
            self._short.absorb(done, checked=success is True)
        # A defrost of normal length that cleared the coil (or could not be
        # checked) puts earlier defrost trouble behind us.
        self.failed_in_a_row = 0
        self.long_at = None
        self.long_minutes = None
        if success:
            self.success_at = done.end
            # Kept for learning the usual peak; bounded while learning is frozen.
            if len(self.defrosts) < _MAX_PENDING_PEAKS:
                self.defrosts.append(done)

    @property
    def fault(self) -> FaultKey:
        """The fault this detector judges."""
        return FaultKey.ICE_BUILDUP

    def settle(self, *, suspect: bool, active: bool) -> None:
        """Learning holds while the fault is suspect or active: an interval ending then is lost."""
        if self._overdue is not None:
            self._overdue.settle(healthy=not (suspect or active))
        if self._short is not None:
            self._short.settle(healthy=not (suspect or active))

    def not_judged(self) -> list[str]:
        """The defrost-cycle tests, where defrosts cannot be timed."""
        return [RULE_DEFROST_CYCLES] if self.use_defrost and not self.cycles_judgeable() else []

    def judge(self, now: float, dt: float, context: Context | None = None) -> Verdict:
        """Judge whether ice is building up now."""
        for done in self._defrost.take_completed():
            self._absorb(done)
        details: dict[str, Any] = {}
        abnormal: str | None = None
        hold = False
        # The defrost source must be able to say "not defrosting" now (a
        # thermostat that has never reported a defrost cannot).
        cycles = self.use_defrost and self.cycles_judgeable()
        known = cycles and self._readings.defrost_on is not None
        if cycles:
            abnormal, hold = self._judge_defrosts(now, details)
        suspect = False
        overdue = self._overdue
        if overdue is not None:
            overdue.judge(now, dt, details, unpowered=context is not None and context.unpowered)
            # Only where defrosts can be timed: a coarse poll misses whole ones.
            if cycles:
                if overdue.confirmed and abnormal is None:
                    abnormal = "defrost_overdue"
                suspect = overdue.suspect
        if self._judge_warm_coil(now, details) and abnormal is None:
            abnormal = "defrost_too_long"
        failing, short_suspect = self._judge_short(now, details, cycles=cycles)
        if failing and abnormal is None:
            abnormal = "defrost_not_clearing"
        suspect = suspect or short_suspect
        if self.use_gap:
            gap_state = self._judge_gap(now, dt, details)
            known = known or gap_state is not None
            if gap_state and abnormal is None:
                abnormal = "coil_icing"
            suspect = suspect or self.deep_score >= _DEEP_GAP_SUSPECT_S
        if abnormal is not None:
            onset = self.deep_since if abnormal == "coil_icing" else None
            return Verdict(Finding.ABNORMAL, abnormal, details, onset=onset)
        if not known:
            return Verdict(Finding.UNKNOWN, evidence=details)
        if hold or suspect:
            return Verdict(Finding.HOLD, evidence=details, suspect=suspect)
        return Verdict(Finding.NORMAL, evidence=details)

    def _judge_short(
        self, now: float, details: dict[str, Any], *, cycles: bool
    ) -> tuple[bool, bool]:
        """The cut-short defrost check: (defrosts not clearing, suspect), where defrosts are timed.

        Followed whatever the sampling, so that its windows stay in step.
        """
        short = self._short
        if short is None:
            return False, False
        readings = self._readings
        power_known = readings.power is not None and not readings.power_counter
        failing = short.judge(now, details, power_known=power_known)
        if not cycles:
            return False, False
        # Meanwhile the coil, not the unit, may be what is short of heat.
        return failing, short.suspect

    def _judge_defrosts(self, now: float, details: dict[str, Any]) -> tuple[str | None, bool]:
        """Defrost-cycle tests: (reason if abnormal, hold instead of normal)."""
        defrost = self._defrost
        limit = self.max_defrost_minutes()
        running = defrost.running_minutes(now)
        details["max_defrost_minutes"] = round(limit, 1)
        details["last_defrost_minutes"] = defrost.last_minutes
        too_long = False
        if running is not None and not defrost.tainted:
            details["defrost_minutes"] = round(running, 1)
            too_long = running > limit
        # Old trouble with no defrost since is forgotten after a while.
        if self.long_at is not None and now - self.long_at > _FLAG_EXPIRY_S:
            self.long_at = None
        if self.failed_at is not None and now - self.failed_at > _FLAG_EXPIRY_S:
            self.failed_in_a_row = 0
        if self.long_at is not None:
            too_long = True
            details["long_defrost_minutes"] = self.long_minutes
        details["failed_defrosts_in_a_row"] = self.failed_in_a_row
        details["success_coil_c"] = round(self.success_coil(), 1)
        quick = self._quick_repeats(now)
        details["quick_repeats_3h"] = quick
        if too_long:
            return "defrost_too_long", False
        if self.failed_in_a_row >= _FAILED_IN_A_ROW:
            return "defrost_not_clearing", False
        if quick >= _BACK_TO_BACK_COUNT:
            return "back_to_back_defrosts", False
        return None, quick == _BACK_TO_BACK_COUNT - 1

    def _judge_warm_coil(self, now: float, details: dict[str, Any]) -> bool:
        """A defrost timed by the coil where nothing else times it: True when too long.

        Only while no source can say whether a defrost runs, through a probe
        shown to sit on the outdoor coil, read often enough to time one.  A
        spell past the limit stays evidence as a too-long defrost does,
        until a warm spell of normal length or four hours pass.
        """
        warm = self._warm
        if warm is None:
            return False
        readings = self._readings
        gap = readings.gap
        outdoor = readings.outdoor
        cadence = self._cadence
        if (
            gap is None
            or outdoor is None
            # No frost forms in warmer air: a coil above it then is a unit
            # cooling behind a heat-only thermostat, not a defrost.
            or outdoor > _ICING_OUTDOOR_MAX_C
            or readings.defrost_on is not None
            or not self._probe_on_outdoor_coil()
            # The coil and the air themselves must be read often enough to
            # time a defrost, whatever the rest of the unit's data does.
            or cadence.coarser_than(InputKey.COIL_TEMPERATURE, _MAX_DEFROST_SAMPLING_MIN * 60.0)
            or cadence.coarser_than(InputKey.OUTDOOR_TEMPERATURE, _MAX_DEFROST_SAMPLING_MIN * 60.0)
            or not self.cycles_judgeable()
        ):
            warm.follow(now, warm=None)
            return False
        heating = readings.heating_context() is True and self._operation.running is True
        warm.follow(now, warm=heating and gap <= -WARM_COIL_K)
        limit = self.max_defrost_minutes()
        minutes = warm.minutes(now)
        last, ended = warm.last_minutes, warm.last_end
        latched = (
            last is not None
            and ended is not None
            and last > limit
            and 0.0 <= now - ended <= _FLAG_EXPIRY_S
        )
        if minutes is None and not latched:
            return False
        details["max_defrost_minutes"] = round(limit, 1)
        if minutes is not None:
            details["warm_coil_minutes"] = round(minutes, 1)
            if minutes > limit:
                return True
        if latched:
            details["long_warm_coil_minutes"] = last
        return latched

    def _probe_on_outdoor_coil(self) -> bool:
        """The coil probe has shown a working gap below the air while heating."""
        gap = self.gap
        return (
            gap.seconds >= _GAP_TRUSTED_S
            and gap.mean is not None
            and gap.mean >= OUTDOOR_COIL_GAP_K
        )

    def _quick_repeats(self, now: float) -> int:
        """Defrosts in the window that started soon after the previous one."""
        starts = self._defrost.recent_starts(now - _BACK_TO_BACK_WINDOW_S - _SHORT_INTERVAL_S)
        quick = 0
        window_start = now - _BACK_TO_BACK_WINDOW_S
        for previous, start in itertools.pairwise(starts):
            if start >= window_start and start - previous < _SHORT_INTERVAL_S:
                quick += 1
        return quick

    def _judge_gap(self, now: float, dt: float, details: dict[str, Any]) -> bool | None:
        """Coil-outdoor gap test; None when it cannot be judged."""
        readings = self._readings
        gap = readings.gap
        coil = readings.coil
        if gap is None or coil is None:
            return None
        alarm = self.alarm_gap()
        details["coil_outdoor_gap_k"] = round(gap, 1)
        details["alarm_gap_k"] = round(alarm, 1)
        if readings.heating_context() is False or self._operation.running is False:
            # Not working as a heat pump: no ice can form, and any ice melts.
            self._drain_deep(dt)
            return False
        if readings.defrost_on or self._recovering(now):
            return bool(self.deep_since is not None and self.deep_score >= _DEEP_GAP_S)
        outdoor = readings.outdoor
        deep = (
            gap >= alarm
            and coil <= _ICING_COIL_MAX_C
            and outdoor is not None
            and outdoor <= _ICING_OUTDOOR_MAX_C
        )
        if (
            self.success_at is not None
            and self.deep_since is not None
            and self.success_at > self.deep_since
        ):
            # A defrost that cleared the coil starts the count again.
            self._reset_deep()
        if deep:
            if self.deep_since is None:
                self.deep_since = now
                self.deep_gap0 = gap
                self.deep_coil0 = coil
            self.deep_score += dt
        else:
            self._drain_deep(dt)
        if self.deep_since is None or self.deep_gap0 is None or self.deep_coil0 is None:
            return False
        growth = gap - self.deep_gap0
        fall = self.deep_coil0 - coil
        details["icing_minutes"] = round(self.deep_score / 60.0, 1)
        details["gap_growth_k"] = round(growth, 1)
        return (
            self.deep_score >= _DEEP_GAP_S
            and (growth >= _GAP_GROWTH_K or fall >= _GAP_GROWTH_K)
            and gap >= alarm - _DEEP_GAP_NEAR_ALARM_K
        )

    def _drain_deep(self, dt: float) -> None:
        if self.deep_since is None:
            return
        self.deep_score = max(self.deep_score - 2.0 * dt, 0.0)
        if self.deep_score <= 0.0:
            self._reset_deep()

    def _reset_deep(self) -> None:
        self.deep_since = None
        self.deep_score = 0.0
        self.deep_gap0 = None
        self.deep_coil0 = None

    def _recovering(self, now: float) -> bool:
        last_end = self._defrost.last_end
        return last_end is not None and 0.0 <= now - last_end < _RECOVERY_S

    def learn(self, now: float, dt: float) -> None:
        """Learn the working gap, the usual defrost peak and interval from healthy operation."""
        if self._overdue is not None:
            self._overdue.learn()
        if self._short is not None:
            self._short.learn()
        for done in self.defrosts:
            if done.peak_coil is not None:
                self.peak_count += 1
                if self.peak is None:
                    self.peak = done.peak_coil
                else:
                    self.peak += (done.peak_coil - self.peak) / _PEAK_TAU_DEFROSTS
        self.defrosts.clear()
        if not self.use_gap or dt <= 0.0:
            return
        readings = self._readings
        gap = readings.gap
        operation = self._operation
        if (
            gap is None
            or gap <= 0.0
            or readings.defrost_on
            or self._recovering(now)
            or not operation.running
            or operation.running_for(now) < STEADY_RUN_S
            or readings.heating_context() is False
            or self.deep_since is not None
        ):
            return
        self.gap.add(gap, dt, _GAP_TAU_S)

    def reset_learned(self) -> None:
        """Forget learned gap and defrost peak."""
        self.gap = Ewma()
        self.peak = None
        self.peak_count = 0
        if self._overdue is not None:
            self._overdue.reset_learned()
        if self._short is not None:
            self._short.reset_learned()

    def learned_dict(self) -> dict[str, Any]:
        """Return the learned baselines, JSON-serialisable."""
        return {
            "gap": self.gap.to_dict(),
            "peak_coil": rounded(self.peak, 2),
            "peak_count": self.peak_count,
            "intervals": [] if self._overdue is None else self._overdue.learned_list(),
            "defrost_minutes": [] if self._short is None else self._short.learned_list(),
        }

    def load_learned(self, data: object) -> None:
        """Restore baselines, ignoring anything unusable."""
        if not isinstance(data, dict):
            return
        self.gap = Ewma.from_dict(data.get("gap"))
        self.peak = as_float(data.get("peak_coil"))
        self.peak_count = stored_count(data.get("peak_count"))
        if self.peak is None:
            self.peak_count = 0
        if self._overdue is not None:
            self._overdue.load_learned(data.get("intervals"))
        if self._short is not None:
            self._short.load_learned(data.get("defrost_minutes"))

    def state_dict(self) -> dict[str, Any]:
        """Return the state, JSON-serialisable."""
        return {
            "long_at": self.long_at,
            "long_minutes": self.long_minutes,
            "failed_in_a_row": self.failed_in_a_row,
            "failed_at": self.failed_at,
            "success_at": self.success_at,
            "deep_since": self.deep_since,
            "deep_score": self.deep_score,
            "deep_gap0": self.deep_gap0,
            "deep_coil0": self.deep_coil0,
            "overdue": None if self._overdue is None else self._overdue.state_dict(),
            "short_defrost": None if self._short is None else self._short.state_dict(),
            "warm_coil": None if self._warm is None else self._warm.state_dict(),
        }

    def load_state(self, data: object) -> None:
        """Restore state, ignoring anything unusable."""
        if not isinstance(data, dict):
            return
        self.long_at = as_float(data.get("long_at"))
        self.long_minutes = as_float(data.get("long_minutes"))
        self.failed_in_a_row = stored_count(data.get("failed_in_a_row"))
        self.failed_at = as_float(data.get("failed_at"))
        self.success_at = as_float(data.get("success_at"))
        self.deep_since = as_float(data.get("deep_since"))
        self.deep_score = max(as_float(data.get("deep_score")) or 0.0, 0.0)
        self.deep_gap0 = as_float(data.get("deep_gap0"))
        self.deep_coil0 = as_float(data.get("deep_coil0"))
        if self._overdue is not None:
            self._overdue.load_state(data.get("overdue"))
        if self._short is not None:
            self._short.load_state(data.get("short_defrost"))
        if self._warm is not None:
            self._warm.load_state(data.get("warm_coil"))
        if self.deep_since is None or self.deep_gap0 is None or self.deep_coil0 is None:
            self._reset_deep()
