"""The backtest's part of ``./scripts/bench``: a month of recorded history.

A real recorder (pytest-homeassistant-custom-component's, on an SQLite file
as Home Assistant OS keeps it) is filled with 30 days of the synthetic heat
pump's eight sources at one state a minute (about 350,000 states), written
straight into its tables: through the state machine that would take longer
than everything else in the bench.  Then, in the same run:

* the recorder's own answer, ``history.get_significant_states`` for those
  entities and that period, is timed;
* the ``heat_pump_health.backtest`` action is timed over the same period,
  while a probe on the event loop measures the longest time the loop could
  not run, and a sampler the memory (RSS) the backtest adds at its peak.

Numbers go to the JSON file named by ``HPH_BENCH_OUT``; nothing is asserted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager, suppress
import ctypes
from datetime import UTC, datetime, timedelta
import gc
import json
import logging
import os
from pathlib import Path
import threading
import time
from typing import Any

from homeassistant.components.recorder import Recorder, history
from homeassistant.components.recorder.db_schema import StateAttributes, States, StatesMeta
from homeassistant.components.recorder.util import session_scope
from homeassistant.core import HomeAssistant
import pytest
from sqlalchemy import insert

from custom_components.heat_pump_health.const import DOMAIN
from scripts.harness import synth
from scripts.harness.player import setup_entry

DAYS = int(os.environ.get("HPH_BENCH_BACKTEST_DAYS", "30"))
START = datetime(2023, 1, 9, tzinfo=UTC)
SOURCES = [entity for entity in synth.ENTITIES if entity in synth.CONFIG.values()]
_PAGE = os.sysconf("SC_PAGE_SIZE")


@pytest.fixture
def recorder_db_url(tmp_path: Path) -> str:
    """A database file, as Home Assistant keeps it, not one in memory."""
    return f"sqlite:///{tmp_path / 'home-assistant_v2.db'}"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(recorder_db_url: str, enable_custom_integrations: None) -> None:
    """The recorder's database before Home Assistant, as its fixtures require."""


def _write(**numbers: Any) -> None:
    path = Path(os.environ["HPH_BENCH_OUT"])
    data = json.loads(path.read_text()) if path.exists() and path.stat().st_size else {}
    data.update(numbers)
    path.write_text(json.dumps(data))


def _fill(recorder: Recorder) -> int:
    """Write DAYS of one-minute states of every source; return how many."""
    start = START.timestamp()
    with session_scope(session=recorder.get_session()) as session:
        # The entities' current states may be recorded already.
        meta: dict[str, int] = {
            row.entity_id: row.metadata_id
            for row in session.query(StatesMeta).filter(StatesMeta.entity_id.in_(SOURCES))
            if row.entity_id is not None
        }
        for entity_id in SOURCES:
            if entity_id not in meta:
                row = StatesMeta(entity_id=entity_id)
                session.add(row)
                session.flush()
                meta[entity_id] = row.metadata_id
        attributes: dict[str, int] = {}

        def attributes_id(entity_id: str, action: str | None) -> int:
            key = f"{entity_id}/{action}"
            if key not in attributes:
                shared = dict(synth.ENTITIES[entity_id], friendly_name=entity_id.split(".")[1])
                if action is not None:
                    shared.update(hvac_action=action, current_temperature=20.6)
                row = StateAttributes(shared_attrs=json.dumps(shared), hash=len(attributes))
                session.add(row)
                session.flush()
                attributes[key] = row.attributes_id
            return attributes[key]

        count = 0
        for day in range(DAYS):
            rows: list[dict[str, Any]] = []
            for minute in range(day * 1440, (day + 1) * 1440):
                at = start + minute * 60 + 7.25
                for entity_id, value in synth._states(minute).items():
                    if entity_id not in meta:
                        continue
                    state, action = value if entity_id == "climate.hp" else (value, None)
                    rows.append(
                        {
                            "metadata_id": meta[entity_id],
                            "state": str(state),
                            "attributes_id": attributes_id(entity_id, action),
                            "last_updated_ts": at,
                            "last_reported_ts": at,
                        }
                    )
            session.execute(insert(States), rows)
            count += len(rows)
    return count


@contextmanager
def _peak_rss() -> Iterator[dict[str, float]]:
    """Sample the process's resident memory every 5 ms; report the growth at the peak."""
    found = {"peak_mb": 0.0}
    stop = threading.Event()

    def rss() -> int:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * _PAGE

    base = rss()

    def sample() -> None:
        peak = base
        while not stop.wait(0.005):
            peak = max(peak, rss())
        found["peak_mb"] = (max(peak, rss()) - base) / 1e6

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield found
    finally:
        stop.set()
        sampler.join()


async def _loop_probe(stop: asyncio.Event, found: dict[str, float]) -> None:
    """The longest the event loop was kept from running a 2 ms sleep."""
    while not stop.is_set():
        asked = time.perf_counter()
        await asyncio.sleep(0.002)
        late = (time.perf_counter() - asked - 0.002) * 1000
        found["block_ms"] = max(found.get("block_ms", 0.0), late)


def _trimmed() -> None:
    """Collect garbage and hand freed memory back to the system, so growth shows in RSS."""
    gc.collect()
    with suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


async def test_backtest_against_the_recorder(recorder_mock: Recorder, hass: HomeAssistant) -> None:
    for entity_id in SOURCES:
        values = synth._states(0)[entity_id]
        state = values[0] if entity_id == "climate.hp" else str(values)
        hass.states.async_set(entity_id, state, synth.ENTITIES[entity_id])
    options = {key: value for key, value in synth.CONFIG.items() if key != "name"}
    entry = await setup_entry(hass, options, title=synth.CONFIG["name"])
    states = await recorder_mock.async_add_executor_job(_fill, recorder_mock)
    start, end = START, START + timedelta(days=DAYS)
    # The test harness runs the loop in debug mode (a traceback kept for
    # every callback) and logs every SQL statement: neither is how Home
    # Assistant runs, and both would be measured.
    hass.loop.set_debug(False)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)

    # The backtest first: its memory is measured from a heap that has not
    # yet held the recorder's whole answer.
    backtest_s: list[float] = []
    blocks: list[float] = []
    peaks: list[float] = []
    for _ in range(2):
        _trimmed()
        stop = asyncio.Event()
        probe: dict[str, float] = {}
        with _peak_rss() as memory:
            watcher = hass.async_create_background_task(_loop_probe(stop, probe), "probe")
            began = time.perf_counter()
            report = await hass.services.async_call(
                DOMAIN,
                "backtest",
                {
                    "config_entry_id": entry.entry_id,
                    "start": start.isoformat(),
                    "end": end.isoformat(),
                },
                blocking=True,
                return_response=True,
            )
            backtest_s.append(time.perf_counter() - began)
            stop.set()
            await watcher
        blocks.append(probe.get("block_ms", 0.0))
        peaks.append(memory["peak_mb"])
        assert isinstance(report, dict)
        faults = len(report["faults"])
        used = report["records"]["used"]
        del report

    recorder_s: list[float] = []
    for _ in range(2):
        _trimmed()
        began = time.perf_counter()
        found = await recorder_mock.async_add_executor_job(
            history.get_significant_states, hass, start, end, SOURCES
        )
        recorder_s.append(time.perf_counter() - began)
        returned = sum(len(items) for items in found.values())
        del found

    _write(
        backtest_vs_recorder=min(backtest_s) / min(recorder_s),
        backtest_loop_block_ms=max(blocks),
        backtest_peak_mb=max(peaks),
        backtest_s=min(backtest_s),
        backtest_recorder_s=min(recorder_s),
        backtest_states=states,
        backtest_recorder_returned=returned,
        backtest_used=used,
        backtest_faults=faults,
        backtest_days=DAYS,
    )
