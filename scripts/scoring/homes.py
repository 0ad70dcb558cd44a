"""Score one drawn home: replay what it recorded and compare with the truth."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from heat_pump_sim.physics import replay_config
from heat_pump_sim.population import Home, Truth

from custom_components.heat_pump_health.playback import ReplayConfig, replay_rows

DAY_S = 86400.0


@dataclass(slots=True, kw_only=True)
class HomeScore:
    """What the evaluator did on one home, against what it should have done."""

    index: int
    kind: str | None
    fault: str | None
    description: str
    days: float
    # When the fault was switched on (None: a healthy home), and how many of
    # the run's days came before it.
    injected: float | None = None
    days_before_fault: float = 0.0
    onset: float | None = None
    deadline_s: float = 0.0
    detected: float | None = None  # when the right fault was raised
    # Alarms that should not have been: (fault, reason, when) raised in a healthy
    # home, before the fault was injected, or of another fault.
    false_alarms: list[tuple[str, str | None, float]] = field(default_factory=list)
    # Share of the run the model's coil was encased in frost (a healthy home
    # should show none: see population.ENCASED_SHARE).
    encased_share: float = 0.0
    # Hours the model's own compressor short-cycled by the fleet rule (a
    # healthy home with any was drawn oversized).
    short_cycling_hours: int = 0
    # Minutes the model's compressor ran between the onset and the deadline,
    # and how much of that window the run covered.
    ran_in_deadline_min: float = 0.0
    deadline_seen_min: float = 0.0
    leak_reached: dict[float, float] = field(default_factory=dict)

    @property
    def healthy_days(self) -> float:
        """Days the home ran healthy: all of a healthy home's, a fault home's before its fault."""
        return self.days if self.injected is None else self.days_before_fault

    @property
    def healthy_alarms(self) -> list[tuple[str, str | None, float]]:
        """The false alarms raised while the home was still healthy (before its fault)."""
        injected = self.injected
        if injected is None:
            return list(self.false_alarms)
        return [alarm for alarm in self.false_alarms if alarm[2] < injected]

    @property
    def latency_s(self) -> float | None:
        """From onset to the alarm (0 when it came before the formal onset)."""
        if self.onset is None or self.detected is None:
            return None
        return max(self.detected - self.onset, 0.0)

    @property
    def in_time(self) -> bool:
        """Found within its deadline."""
        latency = self.latency_s
        return latency is not None and latency <= self.deadline_s

    def found_within(self, loss: float, deadline_s: float) -> bool | None:
        """For a leak: found within ``deadline_s`` of costing ``loss`` (None: never cost it)."""
        reached = self.leak_reached.get(loss)
        if reached is None:
            return None
        return self.detected is not None and self.detected <= reached + deadline_s

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (epoch seconds)."""
        return {
            "index": self.index,
            "kind": self.kind,
            "description": self.description,
            "injected": self.injected,
            "onset": self.onset,
            "detected": self.detected,
            "latency_min": None if self.latency_s is None else round(self.latency_s / 60.0, 1),
            "in_time": self.in_time,
            "false_alarms": self.false_alarms,
            "encased_share": round(self.encased_share, 3),
            "short_cycling_hours": self.short_cycling_hours,
            "ran_in_deadline_min": round(self.ran_in_deadline_min),
            "deadline_seen_min": round(self.deadline_seen_min),
        }


def config_of(home: Home) -> ReplayConfig:
    """The replay configuration an owner of this home would write."""
    data = replay_config(home.scenario)
    config = ReplayConfig.from_mapping(data)
    if home.energy_counter:
        power = home.scenario.power_entity
        config = replace(config, units={**config.units, power: "kWh"})
    return config


def score_home(home: Home) -> HomeScore:
    """Simulate, record, replay and compare one home."""
    truth = Truth(home)
    records = home.records(truth)
    rows = [record.as_row() for record in records]
    result = replay_rows(rows, config_of(home))
    injected = truth.injected
    days = home.scenario.duration.total_seconds() / DAY_S
    start = home.scenario.start_epoch
    score = HomeScore(
        index=home.index,
        kind=home.kind,
        fault=home.fault,
        description=home.description,
        days=days,
        injected=injected,
        days_before_fault=(
            0.0 if injected is None else min(max(injected - start, 0.0) / DAY_S, days)
        ),
        onset=truth.onset,
        deadline_s=truth.deadline_s,
        leak_reached=dict(truth.leak_reached),
        encased_share=truth.encased_share,
        short_cycling_hours=len(truth.short_cycling_hours),
        ran_in_deadline_min=truth.ran_in_deadline_s / 60.0,
        deadline_seen_min=truth.deadline_seen_s / 60.0,
    )
    for episode in result.episodes:
        fault = episode.fault.value
        raised = episode.confirmed
        right = fault == home.fault and injected is not None and raised >= injected
        if right:
            # A later episode of the same fault is the same fault again.
            if score.detected is None:
                score.detected = raised
        else:
            score.false_alarms.append((fault, episode.reason, raised))
    return score
