"""Replay exported Home Assistant history through the fault evaluator.

    ./scripts/replay HISTORY --config CONFIG.json [--text]

HISTORY is the history panel's CSV download or the JSON of
``GET /api/history/period``.  CONFIG.json holds what a config entry holds: the
input entities (``power_entity``...), ``system_type``, the evaluator options,
optionally ``name``, and optionally ``"units": {"<entity_id>": "<unit>"}``
(a CSV export carries no units).

The replay does what the live integration does: every state goes through
``ingest`` (the same conversion, the same rejections), and the evaluator is
asked for a verdict on every minute boundary from the first record to the
last, as the live minute tick does.  Stdout is one JSON object (or a report
with ``--text``); see ``build_report`` for its keys.  Any problem with the
input is one ``replay: error: ...`` line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
import gc
import json
from pathlib import Path
import sys
from typing import Any, Final, NoReturn, override

from .engine.model import InputKey
from .history import HistoryError, read_history
from .ingest import UnitError
from .playback import ReplayConfig, ReplayError, build_report, format_text, replay_rows

PROG: Final = "replay"


def load_config(path: str | Path) -> ReplayConfig:
    """Read and validate CONFIG.json."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReplayError(f"{path}: no such configuration file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ReplayError(f"{path}: cannot read the configuration ({err})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ReplayError(
            f"{path}: not valid JSON: {err.msg} at line {err.lineno} column {err.colno}"
        ) from None
    try:
        return ReplayConfig.from_mapping(data)
    except ReplayError as err:
        raise ReplayError(f"{path}: {err}") from None


def run(history: str | Path, config_path: str | Path) -> dict[str, Any]:
    """Replay one history file with one configuration; return the report."""
    config = load_config(config_path)
    wanted = set(config.entities.values())
    with _gc_paused():
        loaded = read_history(history, entities=wanted)
        if not loaded.rows:
            raise ReplayError(
                f"{history}: none of the configured entities ({', '.join(sorted(wanted))}) "
                "appear in this history"
            )
        result = replay_rows(loaded.rows, config, unrelated=loaded.skipped)
    if result.unit_error is not None:
        # A source whose unit cannot be converted makes the whole replay
        # doubtful: the owner must say the unit (a CSV export has none).
        raise result.unit_error
    return build_report(result, source=str(history))


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for one short, allocation-heavy run.

    A replay allocates hundreds of thousands of small objects and frees
    nothing until it ends; the collector would repeatedly walk them all
    (the decoded JSON too) for no gain.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error on one line, like every other error."""

    @override
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description=(
            "Replay Home Assistant history through Heat Pump Health's fault evaluator "
            "and report the faults it would have raised."
        ),
        epilog=(
            "HISTORY: the history panel's CSV download or the JSON of "
            "GET /api/history/period.  Exit status: 0 on success, 2 when the history "
            "or the configuration cannot be used."
        ),
    )
    parser.add_argument("history", metavar="HISTORY", help="history export (CSV or JSON)")
    parser.add_argument(
        "--config",
        required=True,
        metavar="CONFIG.json",
        help='input entities, system_type, options, optional "name" and "units"',
    )
    parser.add_argument("--text", action="store_true", help="print a readable report")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        report = run(args.history, args.config)
        output = (
            format_text(report)
            if args.text
            else json.dumps(report, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
        )
    except UnitError as err:
        return _fail(
            f"{err}; give the entity's unit in the configuration, "
            f'e.g. "units": {{"{err.entity_id or "sensor.x"}": "{_example_unit(err)}"}}'
        )
    except (HistoryError, ReplayError) as err:
        return _fail(str(err))
    except Exception as err:  # the contract is one line, never a traceback
        return _fail(f"unexpected {type(err).__name__}: {err}")
    sys.stdout.write(output)
    sys.stdout.flush()
    return 0


def _example_unit(err: UnitError) -> str:
    return "W" if err.key is InputKey.POWER else "°C"


def _fail(message: str) -> int:
    # One line, whatever the message holds.
    sys.stderr.write(f"{PROG}: error: {' '.join(message.split())}\n")
    return 2


if __name__ == "__main__":  # pragma: no cover - run by scripts/replay
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(1)
