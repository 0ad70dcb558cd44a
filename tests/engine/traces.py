"""Synthetic heat pump traces for the evaluator tests.

A trace is a function from minute index to the readings of every source at
that minute.  `drive` feeds it to an evaluator the way Home Assistant would:
a source is observed only when its value changes, and the evaluator is ticked
once a minute.  The shapes follow the physics loosely (a frosting coil, a
defrost that warms it, supply above return while heating); the tests check
outcomes, not exact numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
import json
import math
import random

from custom_components.heat_pump_health.engine import (
    ClimateReading,
    Evaluation,
    Evaluator,
    EvaluatorOptions,
    FaultKey,
    InputKey,
    SystemType,
    Value,
)
from custom_components.heat_pump_health.engine.model import EnergyReading

T0 = 1_700_000_000.0  # a fixed UTC start, 2023-11-14
MINUTE = 60.0

type Sample = dict[InputKey, Value]
type Trace = Callable[[int], Sample]

ALL_INPUTS = frozenset(InputKey)
# Power, thermostat, supply and return: what a cloud integration of a water
# unit or a ducted split gives (Daikin Onecta, MELCloud).
POWER_CLIMATE_SPLIT = (
    InputKey.POWER,
    InputKey.CLIMATE,
    InputKey.SUPPLY_TEMPERATURE,
    InputKey.RETURN_TEMPERATURE,
)


def evaluator(
    inputs: Iterable[InputKey] = ALL_INPUTS,
    *,
    system_type: SystemType = SystemType.AIR_TO_AIR,
    **kwargs: object,
) -> Evaluator:
    """An evaluator with the given inputs configured."""
    options = EvaluatorOptions(
        system_type=system_type,
        configured=frozenset(inputs),
        **kwargs,  # type: ignore[arg-type]
    )
    return Evaluator(options=options)


def restarted(ev: Evaluator) -> Evaluator:
    """The evaluator after a Home Assistant restart: state and learning stored as JSON, restored."""
    state = json.loads(json.dumps(ev.export_state()))
    learned = json.loads(json.dumps(ev.export_learned()))
    resumed = Evaluator(options=ev.options, learned=learned)
    resumed.restore_state(state)
    return resumed


def drive(
    ev: Evaluator,
    trace: Trace,
    minutes: int,
    *,
    start_minute: int = 0,
    step: float = MINUTE,
    offset: float = 0.0,
    jitter: float = 0.0,
    seed: int = 1,
) -> list[Evaluation]:
    """Feed `minutes` minutes of a trace; returns every evaluation.

    Samples change on the minute; the tick comes `offset` seconds later, give
    or take `jitter` seconds.
    """
    rng = random.Random(seed)
    last: dict[InputKey, Value] = {}
    results = []
    for index in range(start_minute, start_minute + minutes):
        at = T0 + index * step
        for key, value in trace(index).items():
            if key not in last or last[key] != value:
                ev.observe(key, value, at)
                last[key] = value
        tick = at + offset + (rng.uniform(-jitter, jitter) if jitter else 0.0)
        results.append(ev.evaluate(tick))
    return results


def ever_active(results: Iterable[Evaluation], fault: FaultKey) -> bool:
    """Whether the fault was confirmed at any evaluation."""
    return any(r.statuses[fault].active for r in results if fault in r.statuses)


def first_active(results: list[Evaluation], fault: FaultKey) -> int | None:
    """Index of the first evaluation with the fault confirmed."""
    for index, result in enumerate(results):
        status = result.statuses.get(fault)
        if status is not None and status.active:
            return index
    return None


def any_fault(results: Iterable[Evaluation]) -> list[tuple[int, FaultKey, str | None]]:
    """Every (index, fault, reason) that was active: for clear failure messages."""
    found = []
    for index, result in enumerate(results):
        for fault, status in result.statuses.items():
            if status.active:
                found.append((index, fault, status.reason))
    return found


@dataclass(frozen=True, slots=True, kw_only=True)
class Unit:
    """A heating heat pump in a house, minute by minute.

    Cycles `on` minutes running and `off` minutes idle; optionally defrosts
    every `defrost_every` minutes of running for `defrost_minutes`.
    """

    system_type: SystemType = SystemType.AIR_TO_AIR
    outdoor: float = 2.0
    room: float = 20.5
    target: float = 21.0
    standby_w: float = 25.0
    run_w: float = 1200.0
    split: float = 16.0
    on: int = 50
    off: int = 10
    always_on: bool = False
    defrost_every: int | None = None
    defrost_minutes: int = 6
    defrost_peak: float = 14.0
    gap: float = 7.0
    frost_rate: float = 0.05  # K of extra gap per running minute since defrost
    noise_run: float = 45.0
    noise_idle: float = 30.0
    noise_defrost: float = 50.0
    noise_jitter: float = 0.6
    mode: str = "heat"
    seed: int = 7

    def running(self, minute: int) -> bool:
        """Compressor on at this minute."""
        if self.always_on:
            return True
        return minute % (self.on + self.off) < self.on

    def defrosting(self, minute: int) -> bool:
        """In a defrost at this minute."""
        if self.defrost_every is None or not self.running(minute):
            return False
        period = self.defrost_every + self.defrost_minutes
        return minute % period >= self.defrost_every

    def minutes_since_defrost(self, minute: int) -> int:
        """Running minutes since the last defrost ended (frost build-up)."""
        if self.defrost_every is None:
            return 0
        return minute % (self.defrost_every + self.defrost_minutes)

    def noise(self, minute: int, level: float) -> float:
        """A level with a little deterministic jitter."""
        rng = random.Random(self.seed * 100_003 + minute)
        return round(level + rng.uniform(-self.noise_jitter, self.noise_jitter), 1)

    def __call__(self, minute: int) -> Sample:
        """Sample at this minute."""
        water = self.system_type is SystemType.AIR_TO_WATER
        # A live probe wavers by a tenth from minute to minute; a reading that
        # holds exactly for an hour is what a cloud poll looks like (cadence.py).
        ret = (30.0 if water else self.room) + 0.1 * (minute % 2)
        running = self.running(minute)
        defrost = self.defrosting(minute)
        if defrost:
            power = 0.7 * self.run_w
            coil = self.defrost_peak
            supply = ret - (1.0 if water else 4.0)
            noise = self.noise_defrost
            action = "defrosting"
        elif running:
            power = self.run_w
            frost = self.frost_rate * self.minutes_since_defrost(minute)
            coil = self.outdoor - self.gap - frost
            supply = ret + self.split
            noise = self.noise_run
            action = "heating"
        else:
            power = self.standby_w
            coil = self.outdoor - 0.5
            supply = ret + 0.5
            noise = self.noise_idle
            action = "idle"
        return {
            InputKey.POWER: round(power, 1),
            InputKey.COIL_TEMPERATURE: round(coil, 1),
            InputKey.OUTDOOR_TEMPERATURE: self.outdoor,
            InputKey.SUPPLY_TEMPERATURE: round(supply, 1),
            InputKey.RETURN_TEMPERATURE: round(ret, 1),
            InputKey.DEFROST: defrost,
            InputKey.CLIMATE: ClimateReading(
                hvac_mode=self.mode,
                hvac_action=action,
                current_temperature=self.room,
                target_temperature=self.target,
            ),
            InputKey.NOISE: self.noise(minute, noise),
        }

    def but(self, **changes: object) -> Unit:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


def overlay(base: Trace, after: int, change: Callable[[int, Sample], Sample]) -> Trace:
    """A trace that follows `base`, altered by `change` from minute `after` on."""

    def trace(minute: int) -> Sample:
        readings = base(minute)
        return change(minute, readings) if minute >= after else readings

    return trace


def polled(trace: Trace, every: int) -> Trace:
    """The trace as a cloud reads it: held from one poll every `every` minutes to the next."""
    return lambda minute: trace(minute - minute % every)


def counted(trace: Trace) -> Trace:
    """The trace with its power read from an energy counter (kWh, to the hundredth)."""
    total = [0.0]

    def counting(minute: int) -> Sample:
        readings = trace(minute)
        total[0] += number(readings, InputKey.POWER) / 60_000.0
        return readings | {InputKey.POWER: EnergyReading(round(total[0], 2))}

    return counting


def cloud_counter(trace: Trace, *, poll: int, minutes: int, step_kwh: float = 0.1) -> Trace:
    """The trace read every `poll` minutes, its power as a cloud's counter of `step_kwh` steps."""
    kwh = [0.0]
    for minute in range(minutes):
        kwh.append(kwh[-1] + number(trace(minute), InputKey.POWER) / 60_000.0)

    def read(minute: int) -> Sample:
        at = minute - minute % poll
        counter = 100.0 + round(int(kwh[at] / step_kwh + 1e-9) * step_kwh, 4)
        return trace(at) | {InputKey.POWER: EnergyReading(counter)}

    return read


def without_action(minute: int, readings: Sample) -> Sample:
    """The sample with a thermostat that reports no action (Daikin Onecta's), for overlay."""
    climate = readings[InputKey.CLIMATE]
    assert isinstance(climate, ClimateReading)
    return readings | {InputKey.CLIMATE: replace(climate, hvac_action=None)}


def only(trace: Trace, inputs: Iterable[InputKey]) -> Trace:
    """The trace restricted to some inputs."""
    keep = frozenset(inputs)

    def restricted(minute: int) -> Sample:
        return {key: value for key, value in trace(minute).items() if key in keep}

    return restricted


def number(readings: Sample, key: InputKey) -> float:
    """A numeric reading of a trace (the test knows it is there)."""
    value = readings[key]
    assert isinstance(value, float)
    return value


def sine(minute: int, period: float, amplitude: float) -> float:
    """A smooth daily-ish variation."""
    return amplitude * math.sin(2 * math.pi * minute / period)
