"""Every simulator preset through the replay path: what an owner's export would give.

The records are what Home Assistant would have recorded (report on change,
the preset's units, dropouts and probe glitches), replayed through the same
ingest and evaluator as the live integration.  Healthy presets must raise
nothing; each fault preset must raise its fault and no other.  Two seeds per
preset, so the verdicts rest on physics rather than on one random draw.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
import json
from pathlib import Path
import subprocess

from heat_pump_sim.export import to_history_csv, to_history_json
from heat_pump_sim.physics import replay_config, simulate
from heat_pump_sim.scenarios import EXPECTED_FAULT, HEALTHY_PRESETS, PRESETS
import pytest

from custom_components.heat_pump_health.playback import ReplayConfig, build_report, replay

ROOT = Path(__file__).resolve().parents[2]
SEEDS = (0, 100)


def _faults(name: str, seed_offset: int) -> set[str]:
    default_seed = PRESETS[name]().seed
    scenario = PRESETS[name](seed=default_seed + seed_offset)
    report = build_report(
        replay(simulate(scenario), ReplayConfig.from_mapping(replay_config(scenario)))
    )
    return {fault["fault"] for fault in report["faults"]}


@pytest.mark.parametrize("seed_offset", SEEDS)
@pytest.mark.parametrize("name", HEALTHY_PRESETS)
def test_normal_operation_raises_nothing(name: str, seed_offset: int) -> None:
    assert _faults(name, seed_offset) == set()


@pytest.mark.parametrize("seed_offset", SEEDS)
@pytest.mark.parametrize("name", sorted(EXPECTED_FAULT))
def test_fault_is_found(name: str, seed_offset: int) -> None:
    assert _faults(name, seed_offset) == {EXPECTED_FAULT[name]}


@pytest.mark.parametrize("form", ["json", "csv"])
def test_export_through_scripts_replay(tmp_path: Path, form: str) -> None:
    """The owner's path: a history download and scripts/replay."""
    scenario = PRESETS["defrost_too_long"]()
    records = simulate(scenario)
    history = tmp_path / f"history.{form}"
    history.write_text(to_history_json(records) if form == "json" else to_history_csv(records))
    config = tmp_path / "config.json"
    config.write_text(json.dumps(replay_config(scenario)))
    done = subprocess.run(
        [str(ROOT / "scripts" / "replay"), str(history), "--config", str(config)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [fault["fault"] for fault in report["faults"]] == ["ice_buildup"]
    assert report["faults"][0]["reason"] == "defrost_too_long"


def test_worn_bearing_is_not_cured_by_a_quiet_night() -> None:
    """Heard only while running: idle calm overnight does not clear it, a repair does."""
    base = PRESETS["worn_bearing"]()
    (injection,) = base.faults
    repaired_at = timedelta(hours=84)  # noon of the fourth day
    scenario = replace(
        base,
        duration=timedelta(days=4),
        faults=(replace(injection, end_offset=repaired_at),),
    )
    report = build_report(
        replay(simulate(scenario), ReplayConfig.from_mapping(replay_config(scenario)))
    )
    episodes = [fault for fault in report["faults"] if fault["fault"] == "abnormal_noise"]
    assert len(episodes) == 1
    assert episodes[0]["reason"] == "sustained"
    end = episodes[0]["end"]
    assert end is not None
    repaired = scenario.start + repaired_at
    assert repaired <= datetime.fromisoformat(end) <= repaired + timedelta(hours=3)
