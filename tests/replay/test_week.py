"""A synthetic week of one-minute history for every input replays completely.

How fast it does so is measured by ``scripts/bench``, not here: tests
assert outcomes, never timings.
"""

from __future__ import annotations

from pathlib import Path

from custom_components.heat_pump_health.replay import run
from scripts.harness.synth import write_week


def test_a_week_replays_every_record(tmp_path: Path) -> None:
    history, config = write_week(tmp_path)
    report = run(history, config)
    assert report["records"] == {"total": 90720, "used": 80640, "unrelated": 10080}
    assert report["ticks"] == 7 * 1440 - 1  # minute boundaries within the records
    assert report["ignored"] == {}
    # A healthy week (the coil warms in each defrost): nothing to report.
    assert report["faults"] == []
