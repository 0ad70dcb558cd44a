"""``./scripts/bench``: how much Heat Pump Health costs, measured.

Prints a readable table, or with ``--json`` one JSON object with exactly the
keys of ``KEYS`` (numbers).  Progress goes to stderr.  ``--quick`` runs a
smaller Home Assistant part (10 heat pumps, 10 minutes of CPU, 2 hours of
warm-up) to check that everything works; its numbers are not the goals'.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
import platform
import subprocess
import sys
import tempfile
import time
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
for _path in (ROOT, ROOT / "config" / "custom_components"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

# key: (goal, unit, what)
KEYS: dict[str, tuple[float, str, str]] = {
    "tick_us": (50, "µs", "one evaluator tick, every input, 24 h buffered (median)"),
    "replay_week_s": (2, "s", "./scripts/replay of a week of one-minute history (JSON)"),
    "backtest_vs_recorder": (
        1.5,
        "x",
        "backtest action, 30 days x 8 sources a minute / the recorder returning them",
    ),
    "backtest_loop_block_ms": (50, "ms", "longest the event loop is blocked during that backtest"),
    "backtest_peak_mb": (150, "MB", "memory that backtest adds at its peak"),
    "state_writes_per_day": (200, "", "state writes of one heat pump's entities, healthy day"),
    "monitors_100_cpu_pct": (1, "%", "CPU of 100 heat pumps in one Home Assistant, of one core"),
    "memory_per_monitor_kb": (1024, "KiB", "memory per heat pump after 24 h"),
    "setup_ms": (50, "ms", "set-up of one config entry (median)"),
}


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _ha_part(*, quick: bool) -> dict[str, Any]:
    """Run scripts/benchmarks/ha_bench.py in a pytest session (Home Assistant's test harness)."""
    with tempfile.TemporaryDirectory(prefix="hph-bench-") as folder:
        out = Path(folder) / "ha.json"
        env = dict(os.environ, HPH_BENCH_OUT=str(out))
        if quick:
            env.update(
                HPH_BENCH_MONITORS="10",
                HPH_BENCH_CPU_MINUTES="10",
                HPH_BENCH_WARM_HOURS="2",
                HPH_BENCH_BACKTEST_DAYS="3",
            )
        command = [
            sys.executable,
            "-m",
            "pytest",
            str(ROOT / "scripts" / "benchmarks" / "ha_bench.py"),
            str(ROOT / "scripts" / "benchmarks" / "backtest_bench.py"),
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "addopts=",
            "-x",
        ]
        done = subprocess.run(
            command, cwd=ROOT, env=env, stdout=sys.stderr, stderr=sys.stderr, check=False
        )
        if done.returncode != 0:
            raise SystemExit(f"bench: the Home Assistant part failed (exit {done.returncode})")
        result: dict[str, Any] = json.loads(out.read_text())
    return result


def measure(*, quick: bool) -> tuple[dict[str, float], dict[str, Any]]:
    """Run every benchmark; return the goal numbers and the details."""
    from .engine import bench_replay, bench_tick  # noqa: PLC0415 - after sys.path

    began = time.monotonic()
    _log("bench: evaluator tick (two simulated days)...")
    tick = bench_tick()
    _log("bench: replay of a synthetic week...")
    replay = bench_replay()
    _log("bench: Home Assistant (one heat pump for two days; many for a day)...")
    ha = _ha_part(quick=quick)
    monitors = ha["monitors"]
    seconds = ha["cpu_minutes"] * 60
    cpu_pct = 100 * (ha["monitors_cpu_s"] - ha["baseline_cpu_s"]) / seconds * 100 / monitors
    numbers = {
        "tick_us": round(tick["tick_us"], 1),
        "replay_week_s": round(replay["replay_week_s"], 3),
        "backtest_vs_recorder": round(ha["backtest_vs_recorder"], 2),
        "backtest_loop_block_ms": round(ha["backtest_loop_block_ms"], 1),
        "backtest_peak_mb": round(ha["backtest_peak_mb"], 1),
        "state_writes_per_day": ha["state_writes_per_day"],
        # Scaled to 100 heat pumps when --quick runs fewer.
        "monitors_100_cpu_pct": round(cpu_pct, 3),
        "memory_per_monitor_kb": round(ha["memory_per_monitor_kb"], 1),
        "setup_ms": round(ha["setup_ms"], 2),
    }
    details = {**tick, **replay, **ha, "bench_s": time.monotonic() - began}
    return numbers, details


def _table(numbers: dict[str, float], details: dict[str, Any]) -> str:
    rows = [("measure", "value", "goal", "", "what")]
    for key, (goal, unit, what) in KEYS.items():
        value = numbers[key]
        rows.append(
            (
                key,
                f"{value:g} {unit}".strip(),
                f"≤ {goal:g}",
                "ok" if value <= goal else "MISSED",
                what,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4]
        for row in rows
    ]
    by_entity = ", ".join(
        f"{k.split('.', 1)[1]} {v}" for k, v in details["state_writes_by_entity"].items()
    )
    lines += [
        "",
        f"tick p90 {details['tick_p90_us']:.1f} µs; one state change ingested (convert + observe): "
        f"median {details['observe_us']:.1f} µs, {details['observes_per_minute']:.1f} a minute",
        f"replay: {details['week_mb']:.1f} MB, parse alone {details['parse_week_s']:.3f} s "
        "(best of 3 each)",
        f"backtest: {details['backtest_states']} recorded states over {details['backtest_days']} "
        f"days in {details['backtest_s']:.2f} s; the recorder returns them in "
        f"{details['backtest_recorder_s']:.2f} s (best of 2 each); "
        f"{details['backtest_faults']} fault episodes",
        f"state writes: first day {details['state_writes_first_day']}, second day "
        f"{details['state_writes_second_day']}; both days by entity: {by_entity}",
        f"{details['monitors']} heat pumps for {details['cpu_minutes']} simulated minutes: "
        f"{details['monitors_cpu_s']:.2f} s CPU, of which Home Assistant without them "
        f"{details['baseline_cpu_s']:.2f} s (subtracted); memory after {details['warm_hours']:g} h "
        "(RSS growth / heat pumps); first set-up "
        f"{details['setup_first_ms']:.1f} ms (loads the integration)",
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs; bench took "
        f"{details['bench_s']:.0f} s",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="a smaller, faster run")
    args = parser.parse_args(argv)
    numbers, details = measure(quick=args.quick)
    if args.json:
        print(json.dumps(numbers))
    else:
        print(_table(numbers, details))
    return 0


if __name__ == "__main__":
    sys.exit(main())
