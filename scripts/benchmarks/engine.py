"""Benchmarks of the plain-Python parts: the evaluator's tick and the replay tool."""

from __future__ import annotations

from collections.abc import Callable
import contextlib
import dataclasses
from datetime import timedelta
import gc
import io
import json
import os
from pathlib import Path
import statistics
import tempfile
import time
from typing import Any

from heat_pump_sim.physics import StateRecord, replay_config, simulate
from heat_pump_sim.scenarios import humid_near_freezing_day

from custom_components.heat_pump_health.engine.evaluator import Evaluator
from custom_components.heat_pump_health.engine.model import InputKey
from custom_components.heat_pump_health.engine.options import EvaluatorOptions
from custom_components.heat_pump_health.ingest import Converter, Rejected, converter
from custom_components.heat_pump_health.replay import main as replay_main
from scripts.harness.synth import write_week

DAY_S = 86400


def _converters(config: dict[str, Any]) -> dict[str, list[tuple[InputKey, Converter]]]:
    """Entity id to (input, converter), as the live monitor builds them."""
    units: dict[str, str] = config.get("units", {})
    by_entity: dict[str, list[tuple[InputKey, Converter]]] = {}
    for key in InputKey:
        entity_id = config.get(key.value)
        if not entity_id:
            continue
        unit = "°C" if key is InputKey.CLIMATE else units.get(entity_id)
        convert = converter(key, unit, entity_id=entity_id)
        by_entity.setdefault(entity_id, []).append((key, convert))
    return by_entity


def _feed(
    evaluator: Evaluator,
    targets: dict[str, list[tuple[InputKey, Converter]]],
    record: StateRecord,
) -> None:
    for key, convert in targets.get(record.entity_id, ()):
        value = convert(record.state, record.attributes)
        evaluator.observe(key, None if isinstance(value, Rejected) else value, record.last_updated)


def bench_tick() -> dict[str, float]:
    """The evaluator's tick, all inputs configured, after 24 h of realistic readings.

    Two simulated foggy days near freezing (a defrost every hour): the first
    fills every buffer, the second is timed minute by minute.  ``tick_us`` is
    the median of evaluate() alone; ``observe_us`` the median cost of ingesting
    one state change (conversion + observe()).
    """
    scenario = dataclasses.replace(humid_near_freezing_day(), duration=timedelta(days=2))
    config = replay_config(scenario)
    records = sorted(simulate(scenario), key=lambda record: record.last_updated)
    options = EvaluatorOptions.from_mapping({k: v for k, v in config.items() if k != "units"})
    evaluator = Evaluator(options=options)
    targets = _converters(config)
    start = scenario.start_epoch
    tick = start + 60.0
    index = 0
    ticks: list[int] = []
    observes: list[int] = []
    clock = time.perf_counter_ns
    while tick <= start + 2 * DAY_S:
        timed = tick > start + DAY_S
        while index < len(records) and records[index].last_updated <= tick:
            if timed:
                began = clock()
                _feed(evaluator, targets, records[index])
                observes.append(clock() - began)
            else:
                _feed(evaluator, targets, records[index])
            index += 1
        if timed:
            began = clock()
            evaluator.evaluate(tick)
            ticks.append(clock() - began)
        else:
            evaluator.evaluate(tick)
        tick += 60.0
    return {
        "tick_us": statistics.median(ticks) / 1000,
        "tick_p90_us": statistics.quantiles(ticks, n=10)[-1] / 1000,
        "observe_us": statistics.median(observes) / 1000,
        "observes_per_minute": len(observes) / len(ticks),
    }


def _timed(function: Callable[[], object]) -> float:
    began = time.perf_counter()
    function()
    return time.perf_counter() - began


def bench_replay(*, repeats: int = 3) -> dict[str, float]:
    """A synthetic week of one-minute history through ``./scripts/replay``'s code path.

    ``replay.main`` is what the script runs (its stdout is captured here);
    the baseline only reads and decodes the same file with ``json``.  Both
    are measured ``repeats`` times, interleaved, and the best of each kept.
    """
    with tempfile.TemporaryDirectory(prefix="hph-bench-") as folder:
        history, config = write_week(Path(folder))
        args = [str(history), "--config", str(config)]

        def replay() -> None:
            with contextlib.redirect_stdout(io.StringIO()) as out:
                status = replay_main(args)
            if status != 0 or not json.loads(out.getvalue())["ticks"]:
                raise RuntimeError("the replay failed")

        def parse() -> None:
            json.loads(Path(history).read_bytes())

        replays: list[float] = []
        parses: list[float] = []
        for _ in range(repeats):
            gc.collect()
            parses.append(_timed(parse))
            gc.collect()
            replays.append(_timed(replay))
        size = os.path.getsize(history)
    return {
        "replay_week_s": min(replays),
        "parse_week_s": min(parses),
        "week_mb": size / 1e6,
    }
