"""What every fault's detector offers the evaluator, and what it is told.

The evaluator holds one detector per fault and treats them alike: judge,
settle, learn, and export or load what was learned and the state to resume
from.  No detector reaches into another: what one needs to know of another
fault (an iced coil delivers little heat; a unit without power delivers
none) is in the :class:`Context` the evaluator passes to ``judge``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from .model import FaultKey
from .persistence import Verdict


@dataclass(frozen=True, slots=True)
class Context:
    """The other faults' state this tick, as far as a judgement depends on it."""

    # ice_buildup is suspect or active: the coil, not the unit, is short.
    iced: bool = False
    # power_loss is suspect or active: nothing runs to deliver anything.
    unpowered: bool = False


# Every context there is, by (iced, unpowered): one each, shared by every
# tick rather than made five times a minute.
CONTEXTS = {
    (iced, unpowered): Context(iced=iced, unpowered=unpowered)
    for iced in (False, True)
    for unpowered in (False, True)
}


class Detector(Protocol):
    """One fault's rules and what they learn."""

    @property
    def fault(self) -> FaultKey:
        """The fault this detector judges."""
        ...

    def judge(self, now: float, dt: float, context: Context) -> Verdict:
        """The evidence now, dt seconds after the previous tick."""
        ...

    def settle(self, *, suspect: bool, active: bool) -> None:
        """Told after each judgement whether the fault is suspect (not yet confirmed) or active."""
        ...

    def learn(self, now: float, dt: float) -> None:
        """Learn from this tick; called only while the fault is neither suspect nor active."""
        ...

    def not_judged(self) -> list[str]:
        """The rules this unit's sampling is too coarse for (see cadence.py)."""
        ...

    def reset_learned(self) -> None:
        """Forget what was learned (after a service)."""
        ...

    def learned_dict(self) -> dict[str, Any]:
        """What was learned, JSON-serialisable."""
        ...

    def load_learned(self, data: object) -> None:
        """Restore what was learned, ignoring anything unusable."""
        ...

    def state_dict(self) -> dict[str, Any]:
        """What a restart needs to carry on, JSON-serialisable."""
        ...

    def load_state(self, data: object) -> None:
        """Restore the state, ignoring anything unusable."""
        ...
