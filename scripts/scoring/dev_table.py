"""The README's "How long it takes" table: each fault the development instance can inject.

The development instance runs the simulator's foggy day around +1.5 °C (seed
1) and watches it with the entry ``scripts/develop`` creates: every source,
confirm after 2 minutes, clear after 5.  This replays the same simulation,
recorded as Home Assistant would record it, through the replay's code path
(the live monitor's): the fault is selected after 3 hours of healthy running
and, again, after a day, and *None* the minute after Heat Pump Health raised
it.

    scripts/lib/run python -m scripts.scoring.dev_table
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
import sys

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT, ROOT / "config" / "custom_components"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from heat_pump_sim.const import FAULTS, LEAK_RAMP  # noqa: E402
from heat_pump_sim.physics import FaultInjection, Scenario, replay_config, simulate  # noqa: E402
from heat_pump_sim.scenarios import humid_near_freezing_day  # noqa: E402

from custom_components.heat_pump_health.playback import (  # noqa: E402
    Episode,
    ReplayConfig,
    replay_rows,
)
from scripts.lib.dev_instance import TUNING  # noqa: E402  (the entry scripts/develop creates)

# When the fault is selected, hours of healthy running: the health sensor
# leaves "learning" after 3, but the split's reference for a leak or a
# clogged filter needs hours of steady heating in each band of outdoor
# temperature, and a foggy day around +1.5 °C spends them in two.
INJECT_H = (3.0, 24.0)
# How long to wait for it at most, hours.
WAIT_H = 12.0
# After *None*, how long to wait for the fault to clear at most, hours.
CLEAR_WAIT_H = 6.0


def _scenario(kind: str, inject_h: float, end_h: float | None) -> Scenario:
    base = humid_near_freezing_day(seed=1)
    end = None if end_h is None else timedelta(hours=end_h)
    hours = (end_h + CLEAR_WAIT_H) if end_h is not None else inject_h + WAIT_H
    return replace(
        base,
        duration=timedelta(hours=hours),
        leak_ramp=LEAK_RAMP,
        faults=(FaultInjection(kind=kind, start_offset=timedelta(hours=inject_h), end_offset=end),),
    )


def _episodes(scenario: Scenario) -> list[Episode]:
    config = ReplayConfig.from_mapping({**replay_config(scenario), **TUNING})
    rows = [record.as_row() for record in simulate(scenario)]
    return replay_rows(rows, config).episodes


def _minutes(seconds: float) -> str:
    minutes = round(seconds / 60.0)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def measure(kind: str, inject_h: float) -> tuple[str, str, str]:
    """What was raised after the fault was selected, how soon, and how soon it cleared."""
    scenario = _scenario(kind, inject_h, None)
    start = scenario.start.timestamp()
    injected = start + inject_h * 3600.0
    episodes = _episodes(scenario)
    before = [e for e in episodes if e.confirmed < injected]
    if before:
        return f"{before[0].fault.value} before the fault", "—", "—"
    if not episodes:
        return "nothing", f"not within {WAIT_H:.0f} h", "—"
    first = episodes[0]
    # *None* is selected the minute after the fault was raised.
    repaired = first.confirmed + 60.0
    after = _episodes(_scenario(kind, inject_h, (repaired - start) / 3600.0))
    same = [e for e in after if e.fault is first.fault and e.confirmed <= repaired]
    cleared = f"not within {CLEAR_WAIT_H:.0f} h"
    if same and same[0].end is not None:
        cleared = _minutes(same[0].end - repaired)
    reports = f"{first.fault.value} ({first.reason})"
    later = {e.fault: e for e in reversed(episodes) if e.fault is not first.fault}
    for episode in sorted(later.values(), key=lambda e: e.confirmed):
        # Left alone, what else it comes to.
        reports += (
            f", then {episode.fault.value} ({episode.reason}) at "
            f"{_minutes(episode.confirmed - injected)}"
        )
    return reports, _minutes(first.confirmed - injected), cleared


def main() -> None:
    early, late = INJECT_H
    print(
        f"| injected fault | after {early:.0f} h: reports | detected after | "
        f"after {late:.0f} h: reports | detected after | cleared after *None* |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for kind in FAULTS:
        soon = measure(kind, early)
        day = measure(kind, late)
        print(f"| {kind} | {soon[0]} | {soon[1]} | {day[0]} | {day[1]} | {day[2]} |", flush=True)


if __name__ == "__main__":
    main()
