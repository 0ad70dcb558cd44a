"""The scorecard on a small fixed-seed population: its contract, and no step back.

The full population (``./scripts/scorecard``, about ten minutes) is what the
README's table shows; CI runs this subset, which keeps the JSON shape other
tools read and guards the measured detection against regressions.
"""

from __future__ import annotations

import json
from pathlib import Path
import subprocess

from heat_pump_sim.population import draw_home
import pytest

from scripts.scoring import card as card_module
from scripts.scoring.__main__ import main
from scripts.scoring.card import Plan
from scripts.scoring.homes import HomeScore, score_home

ROOT = Path(__file__).resolve().parent.parent


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main(["--json", "--workers", "1", *args]) == 0
    result: dict[str, object] = json.loads(capsys.readouterr().out)
    return result


def test_the_json_has_the_keys_other_tools_read(capsys: pytest.CaptureFixture[str]) -> None:
    card = _run(capsys, "--healthy", "2", "--homes", "1", "--kinds", "breaker_trip", "rattling")
    assert set(card) >= {
        "faults",
        "false_alarms_per_100_home_weeks",
        "healthy_home_weeks",
        "leak_25pct_found_48h_share",
    }
    faults = card["faults"]
    assert isinstance(faults, dict)
    assert set(faults) == {"power_loss", "abnormal_noise"}
    for row in faults.values():
        assert set(row) >= {"found_share", "latency_median_min", "latency_p90_min", "homes"}
    # Two healthy weeks, and the healthy days before each fault.
    sources = card["false_alarms_by_source"]
    assert isinstance(sources, dict)
    assert sources["healthy_homes"]["home_weeks"] == 2.0
    assert sources["before_faults"]["home_weeks"] > 0.0
    assert card["healthy_home_weeks"] == pytest.approx(
        2.0 + sources["before_faults"]["home_weeks"], abs=0.1
    )
    real = card["real_days"]
    assert isinstance(real, dict)
    assert real["alarms"] == 0


# Floors at what this subset measured when it was set up (issue 11 targets are
# higher: at most 1 false alarm per 100 home-weeks, 95 % found in time); raise
# them as detection improves, never lower them to let a change through.
HEALTHY_FALSE_ALARMS_AT_MOST = 1
FOUND_AT_LEAST = {
    "breaker_trip": 0.75,
    "breaker_trip_idle": 1.0,
    "defrost_too_long": 0.75,
    "worn_bearing": 1.0,
    "rattling": 1.0,
    "blocked_filter": 1.0,
    "defrost_never_starts": 0.75,
    "short_cycling": 1.0,
}


def test_healthy_homes_stay_quiet(capsys: pytest.CaptureFixture[str]) -> None:
    """Twelve random healthy home-weeks (the seed-0 draw)."""
    card = _run(capsys, "--healthy", "12", "--homes", "0")
    assert card["false_alarms"] <= HEALTHY_FALSE_ALARMS_AT_MOST


@pytest.mark.parametrize("kind", sorted(FOUND_AT_LEAST))
def test_faults_are_found_in_random_homes(capsys: pytest.CaptureFixture[str], kind: str) -> None:
    card = _run(capsys, "--healthy", "0", "--homes", "4", "--kinds", kind)
    kinds = card["kinds"]
    assert isinstance(kinds, dict)
    assert kinds[kind]["found_share"] >= FOUND_AT_LEAST[kind]


def test_a_counter_home_without_a_thermostat_action_is_not_taken_for_iced() -> None:
    """Leak home 48: a 5-minute 0.1 kWh counter and a thermostat without an action.

    Its idle split after a stop was read as the collapsed delivery of a coil
    left undefrosted, six days before the leak began.
    """
    score = score_home(draw_home(48, "refrigerant_leak"))
    assert score.false_alarms == []


def test_a_leak_read_through_whole_kelvin_sensors_is_found_in_time() -> None:
    """Leak home 62: a water inverter polled every 15 minutes, supply and return in whole °F.

    Half a step of credit on every reading of its 4-6 K split held the
    shortfall near the allowance: found 31 hours after the capacity had
    fallen by 30 %.
    """
    score = score_home(draw_home(62, "refrigerant_leak"))
    assert score.in_time
    assert score.false_alarms == []


@pytest.mark.parametrize(
    ("kind", "index"),
    [
        # A water inverter with timed defrosts and neither a defrost source nor a
        # coil probe: each defrost's two valve bangs were heard as rattles.
        ("worn_bearing", 20),
        # A water inverter learned at part load, flat out through its set-back
        # mornings: a high split every day.
        ("refrigerant_leak", 12),
    ],
)
def test_a_fault_homes_healthy_days_raise_nothing(kind: str, index: int) -> None:
    score = score_home(draw_home(index, kind))
    assert score.healthy_days > 0.0
    assert score.healthy_alarms == []


def test_scripts_scorecard_prints_the_table() -> None:
    done = subprocess.run(
        [str(ROOT / "scripts" / "scorecard"), "--healthy", "1", "--homes", "0"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "False alarms: 0 in 1.0 healthy home-weeks" in done.stdout


def test_kinds_whose_faults_did_not_all_become_real_are_topped_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every other leak stops short of costing a third: more are drawn, and no more than needed."""

    def fake(job: tuple[int, str | None]) -> HomeScore:
        seed, kind = job
        onset = None if seed % 2 else 1.0e9
        return HomeScore(index=seed, kind=kind, fault=None, description="", days=7.0, onset=onset)

    monkeypatch.setattr(card_module, "_score", fake)
    scores = card_module.run_population(
        Plan(healthy=2, per_kind=5, kinds=("refrigerant_leak",)), workers=1
    )
    leaks = [score for score in scores if score.kind == "refrigerant_leak"]
    assert sum(score.onset is not None for score in leaks) == 5
    # Seeds 0-9: the fifth real one is seed 8; seed 9 is not kept.
    assert [score.index for score in leaks] == list(range(9))
    assert sum(score.kind is None for score in scores) == 2


def test_a_kind_that_never_becomes_real_stops_at_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    def never(job: tuple[int, str | None]) -> HomeScore:
        seed, kind = job
        return HomeScore(index=seed, kind=kind, fault=None, description="", days=7.0)

    monkeypatch.setattr(card_module, "_score", never)
    scores = card_module.run_population(
        Plan(healthy=0, per_kind=4, kinds=("blocked_filter",)), workers=1
    )
    assert len(scores) == 12


def test_alarms_before_a_fault_count_as_false_alarms_in_healthy_time() -> None:
    """A fault home runs healthy until its fault: an alarm then is a false one."""
    healthy = HomeScore(
        index=0,
        kind=None,
        fault=None,
        description="",
        days=7.0,
        false_alarms=[("power_loss", None, 100.0)],
    )
    faulty = HomeScore(
        index=0,
        kind="rattling",
        fault="abnormal_noise",
        description="",
        days=7.0,
        injected=1000.0,
        days_before_fault=3.5,
        onset=1000.0,
        # One of another fault before the rattle began, one after it.
        false_alarms=[("insufficient_heat", "high_split", 999.0), ("power_loss", None, 1001.0)],
    )
    card = card_module.scorecard([healthy, faulty], [])
    assert card["false_alarms"] == 2
    assert card["healthy_home_weeks"] == 1.5
    assert card["false_alarms_per_100_home_weeks"] == pytest.approx(100.0 * 2 / 1.5, abs=0.01)
    assert card["false_alarms_by_source"] == {
        "healthy_homes": {"alarms": 1, "home_weeks": 1.0},
        "before_faults": {"alarms": 1, "home_weeks": 0.5},
    }
    # The kind's row still lists both: the one after the fault began may
    # follow from it (a leak's colder coil frosting faster).
    assert card["kinds"]["rattling"]["other_alarms"] == 2
