"""Hypothesis profiles and the tally of generated sequences.

``HYPOTHESIS_PROFILE=ci`` (the default) runs a few hundred sequences,
derandomized so that CI is deterministic; ``full`` runs more than 10,000,
also derandomized so that its numbers can be reproduced; ``explore`` runs the
``full`` counts with fresh random seeds.  The tally (sequences, faults missed,
false alarms, exceptions) is printed at the end of the run.
"""

from __future__ import annotations

from collections import Counter
import os
from typing import Final

from hypothesis import HealthCheck, settings
import pytest

PROFILE: Final = os.environ.get("HYPOTHESIS_PROFILE", "ci")
_COMMON: Final = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    "print_blob": True,
}
settings.register_profile("ci", derandomize=True, database=None, **_COMMON)
settings.register_profile("full", derandomize=True, database=None, **_COMMON)
settings.register_profile("explore", derandomize=False, **_COMMON)
settings.load_profile(PROFILE)

# Examples per test, per profile: healthy slices, faulty slices, whole traces.
_EXAMPLES: Final = {
    "ci": {"healthy": 120, "faulty": 120, "replay": 12},
    "full": {"healthy": 5000, "faulty": 5000, "replay": 200},
}


def examples(kind: str) -> int:
    """How many sequences one test generates in the active profile."""
    return _EXAMPLES.get(PROFILE, _EXAMPLES["full"])[kind]


TALLY: Counter[str] = Counter()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TALLY:
        return
    write = terminalreporter.write_line
    terminalreporter.section(f"generated sequences (hypothesis profile {PROFILE!r})")
    write(f"{'':28}{'sequences':>10}{'missed':>8}{'false alarms':>14}{'exceptions':>12}")
    for kind in ("healthy", "faulty", "replay"):
        if TALLY[f"{kind}:sequences"]:
            write(
                f"{kind:28}{TALLY[f'{kind}:sequences']:>10}{TALLY[f'{kind}:missed']:>8}"
                f"{TALLY[f'{kind}:false_alarms']:>14}{TALLY[f'{kind}:exceptions']:>12}"
            )
    totals = [
        sum(TALLY[f"{kind}:{what}"] for kind in ("healthy", "faulty", "replay"))
        for what in ("sequences", "missed", "false_alarms", "exceptions")
    ]
    write(f"{'total':28}{totals[0]:>10}{totals[1]:>8}{totals[2]:>14}{totals[3]:>12}")
