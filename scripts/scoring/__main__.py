"""``./scripts/scorecard``: how well the evaluator finds faults on homes it was never tuned on.

Draws random homes (see heat_pump_sim/population.py), healthy and with one
fault each, replays what each would have recorded through the same path as
the integration, and prints per fault kind the share found within its
deadline, the latencies and the false alarms.  ``--json`` prints one object.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
import sys
import time

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT, ROOT / "config" / "custom_components"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from heat_pump_sim.population import KINDS  # noqa: E402

from .card import Plan, format_table, misses, real_days, run_population, scorecard  # noqa: E402

# The full population, and the fixed-seed subset CI runs.
FULL = Plan(healthy=300, per_kind=50)
QUICK = Plan(healthy=40, per_kind=10)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scripts/scorecard", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"the CI subset: {QUICK.healthy} healthy weeks, {QUICK.per_kind} homes per fault kind",
    )
    parser.add_argument("--healthy", type=int, help="healthy home-weeks to draw")
    parser.add_argument("--homes", type=int, help="homes per fault kind")
    parser.add_argument("--kinds", nargs="+", choices=KINDS, help="only these fault kinds")
    parser.add_argument("--seed", type=int, default=0, help="first home's seed")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--misses", action="store_true", help="also list every missed fault and false alarm"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    base = QUICK if args.quick else FULL
    plan = Plan(
        healthy=base.healthy if args.healthy is None else args.healthy,
        per_kind=base.per_kind if args.homes is None else args.homes,
        seed=args.seed,
        kinds=tuple(args.kinds) if args.kinds else KINDS,
    )
    started = time.monotonic()

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r{done}/{total} homes", end="", file=sys.stderr, flush=True)

    scores = run_population(plan, workers=args.workers, progress=progress)
    days = real_days()
    card = scorecard(scores, days)
    card["seconds"] = round(time.monotonic() - started)
    if args.misses:
        card["misses"] = misses(scores)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if args.json:
        print(json.dumps(card, ensure_ascii=False))
    else:
        print(format_table(card))
        if args.misses:
            print()
            for miss in card["misses"]:
                print(json.dumps(miss, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
