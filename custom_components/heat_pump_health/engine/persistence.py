"""Debouncing, so that nothing flaps.

A fault is confirmed only after its evidence persists, and clears only after
healthy evidence persists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from .stats import as_bool, as_float


class Finding(Enum):
    """What one detector concludes at one evaluation."""

    ABNORMAL = "abnormal"
    NORMAL = "normal"
    # Evaluable but not judged in the current operating state (e.g. the unit is
    # idle): the fault neither grows nor clears.
    HOLD = "hold"
    # The inputs it needs are unknown right now.
    UNKNOWN = "unknown"


@dataclass(slots=True)
class Verdict:
    """A detector's conclusion with the numbers behind it."""

    finding: Finding
    reason: str | None = None
    # The numbers behind it: the fault's evidence, as FaultStatus carries it.
    evidence: dict[str, Any] = field(default_factory=dict)
    # The detector sees something building up that is not evidence yet (e.g.
    # a coil gap growing): marks the fault "watch" and stops learning.
    suspect: bool = False
    # When the abnormal condition really began, if earlier than this evaluation.
    onset: float | None = None


class Transition(Enum):
    """What an update did to the fault."""

    NONE = 0
    STARTED = 1
    CLEARED = 2


class FaultTracker:
    """Confirmation and clearing of one fault.

    Abnormal time is a leaky count: it grows while the evidence is abnormal and
    drains at the same rate while it is normal, so intermittent evidence that is
    abnormal less than half the time never confirms.
    """

    __slots__ = ("active", "clear_s", "confirm_s", "healthy_s", "onset", "score", "since")

    def __init__(self, *, confirm_s: float, clear_s: float) -> None:
        self.confirm_s = confirm_s
        self.clear_s = clear_s
        self.active = False
        self.since: float | None = None
        self.onset: float | None = None
        self.score = 0.0
        self.healthy_s = 0.0

    @property
    def suspect(self) -> bool:
        """Abnormal evidence is building but not confirmed: the owner sees "watch".

        Shown from the first abnormal minute: the build-up is exactly what an
        owner standing at the unit wants to see, and "watch" asks nothing of
        them, so a one-minute blip costs little.
        """
        return not self.active and self.onset is not None

    def update(
        self, verdict: Verdict, now: float, dt: float, changed_at: float | None = None
    ) -> Transition:
        """Fold in one evaluation's verdict, dt seconds after the previous one.

        `changed_at` is when the readings first changed since the previous
        evaluation: evidence that turns abnormal began then, not at the tick.
        """
        finding = verdict.finding
        if finding is Finding.ABNORMAL:
            self.healthy_s = 0.0
            if self.onset is None:
                if verdict.onset is not None:
                    self.onset = verdict.onset
                else:
                    self.onset = changed_at if changed_at is not None else now
            score = self.score + dt
            if verdict.onset is not None:
                # The rule already waited out its own doubt (a poll that could
                # be stale): the evidence has lasted since its onset.
                score = max(score, now - verdict.onset)
            self.score = min(score, max(self.confirm_s, 1.0))
            if not self.active and self.score >= self.confirm_s:
                self.active = True
                self.since = min(self.onset, now)
                return Transition.STARTED
            return Transition.NONE
        if finding is Finding.NORMAL:
            if self.active:
                self.healthy_s += dt
                if self.healthy_s >= self.clear_s:
                    self.reset()
                    return Transition.CLEARED
                return Transition.NONE
            self.score = max(self.score - dt, 0.0)
            if self.score <= 0.0:
                self.onset = None
        return Transition.NONE

    def reset(self) -> None:
        """Back to healthy with no history."""
        self.active = False
        self.since = None
        self.onset = None
        self.score = 0.0
        self.healthy_s = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Return what a restart needs to keep an active fault active."""
        return {
            "active": self.active,
            "since": self.since,
            "onset": self.onset,
            "score": round(self.score, 1),
            "healthy_s": round(self.healthy_s, 1),
        }

    def load(self, data: object) -> None:
        """Restore from to_dict output; garbage leaves the tracker healthy."""
        self.reset()
        if not isinstance(data, dict):
            return
        score = as_float(data.get("score"))
        healthy = as_float(data.get("healthy_s"))
        self.active = as_bool(data.get("active"))
        self.onset = as_float(data.get("onset"))
        self.since = as_float(data.get("since")) if self.active else None
        if self.active and self.since is None:
            self.since = self.onset
        self.score = min(max(score or 0.0, 0.0), max(self.confirm_s, 1.0))
        self.healthy_s = max(healthy or 0.0, 0.0) if self.active else 0.0
        if not self.active and self.score <= 0.0:
            self.onset = None
        elif self.onset is None:
            self.onset = self.since
