"""The Home Assistant part of ``./scripts/bench``, run as a pytest session.

Home Assistant's own test harness (pytest-homeassistant-custom-component's
``hass`` and ``freezer``) runs a real Home Assistant; the simulator's records
are played into it minute by minute, as ``tests/ha/sim.py`` does.  Each
function writes its numbers to the JSON file named by ``HPH_BENCH_OUT``; the
functions assert nothing about them.
"""

from __future__ import annotations

from collections import Counter
import dataclasses
from datetime import timedelta
from functools import cache
import gc
import json
import os
from pathlib import Path
import statistics
import time
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from heat_pump_sim.physics import StateRecord, simulate
from heat_pump_sim.scenarios import humid_near_freezing_day
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er

from scripts.harness.player import Player, entry_options, setup_entry

MONITORS = int(os.environ.get("HPH_BENCH_MONITORS", "100"))
# Simulated minutes over which the CPU of MONITORS heat pumps is measured.
CPU_MINUTES = int(os.environ.get("HPH_BENCH_CPU_MINUTES", "60"))
# Simulated hours each of them runs before its memory is measured.
WARM_HOURS = float(os.environ.get("HPH_BENCH_WARM_HOURS", "24"))
DAY_S = 86400


def _write(**numbers: Any) -> None:
    path = Path(os.environ["HPH_BENCH_OUT"])
    data = json.loads(path.read_text()) if path.exists() and path.stat().st_size else {}
    data.update(numbers)
    path.write_text(json.dumps(data))


@cache
def _day() -> tuple[list[StateRecord], dict[str, Any], float]:
    scenario = humid_near_freezing_day()
    return simulate(scenario), entry_options(scenario), scenario.start_epoch


def _renamed(
    records: list[StateRecord], options: dict[str, Any], number: int
) -> tuple[list[StateRecord], dict[str, Any]]:
    """The same heat pump's records under entity ids of its own (``sensor.hp7_power``)."""

    def rename(entity_id: str) -> str:
        domain, name = entity_id.split(".", 1)
        return f"{domain}.hp{number}{name.removeprefix('hp')}"

    renamed = [
        StateRecord(rename(r.entity_id), r.state, r.attributes, r.last_changed, r.last_updated)
        for r in records
    ]
    return renamed, {
        key: rename(value) if isinstance(value, str) and "." in value else value
        for key, value in options.items()
    }


def _wall() -> float:
    """Real seconds: freezegun patches every perf_counter and monotonic it can find."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def _rss_kb() -> float:
    with Path("/proc/self/statm").open() as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1024


async def test_state_writes_per_day(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Every state the integration writes over healthy days with frequent defrosts.

    Two foggy days near freezing (a defrost every hour): the first from a
    fresh set-up (learning, the entities' first states), the second in steady
    state (every 24-hour window full, so defrosts also leave the count).
    """
    scenario = dataclasses.replace(humid_near_freezing_day(), duration=timedelta(days=2))
    start = scenario.start_epoch
    writes: list[Counter[str]] = [Counter(), Counter()]
    ours: set[str] = set()

    @callback
    def count(event: Event[EventStateChangedData]) -> None:
        # Attribute-only changes are state_changed events too: the recorder
        # stores both.
        entity_id = event.data["entity_id"]
        if entity_id in ours:
            writes[0 if event.time_fired_timestamp < start + DAY_S else 1][entity_id] += 1

    player = Player(hass, freezer, simulate(scenario))
    player.start()
    hass.bus.async_listen(EVENT_STATE_CHANGED, count)
    config_entry = await setup_entry(hass, entry_options(scenario))
    registry = er.async_get(hass)
    ours.update(
        e.entity_id for e in er.async_entries_for_config_entry(registry, config_entry.entry_id)
    )
    # The entities' first states were written during set-up, before `ours`
    # was known: count each once.
    for entity_id in ours:
        writes[0][entity_id] += 1
    await player.play_until(start + 2 * DAY_S)
    totals = [sum(day.values()) for day in writes]
    _write(
        state_writes_per_day=max(totals),
        state_writes_first_day=totals[0],
        state_writes_second_day=totals[1],
        state_writes_by_entity=dict((writes[0] + writes[1]).most_common()),
    )


async def _play_many(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, *, entries: bool
) -> dict[str, Any]:
    records, options, start = _day()
    everything: list[StateRecord] = []
    per_entry: list[dict[str, Any]] = []
    for number in range(MONITORS):
        renamed, renamed_options = _renamed(records, options, number)
        everything += renamed
        per_entry.append(renamed_options)
    player = Player(hass, freezer, everything)
    player.start()
    await hass.async_block_till_done()
    gc.collect()
    rss_before = _rss_kb()
    setups: list[float] = []
    if entries:
        for number, entry_options_ in enumerate(per_entry):
            began = _wall()
            await setup_entry(hass, entry_options_, title=f"Heat pump {number}")
            setups.append(_wall() - began)
    # The first hour: everything settles (the learning phase runs on).
    await player.play_until(start + 3600)
    began_cpu = time.process_time()
    began_wall = _wall()
    await player.play_until(start + 3600 + CPU_MINUTES * 60)
    cpu = time.process_time() - began_cpu
    wall = _wall() - began_wall
    result: dict[str, Any] = {"cpu_s": cpu, "wall_s": wall, "setups": setups}
    if entries:
        await player.play_until(start + WARM_HOURS * 3600)
        gc.collect()
        result["rss_kb"] = _rss_kb() - rss_before
    return result


async def test_baseline_without_monitors(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """The same states and timer ticks with no heat pump configured: Home Assistant's own cost."""
    result = await _play_many(hass, freezer, entries=False)
    _write(baseline_cpu_s=result["cpu_s"])


async def test_many_monitors(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """MONITORS heat pumps, each with its own eight sources, in one Home Assistant."""
    result = await _play_many(hass, freezer, entries=True)
    _write(
        monitors=MONITORS,
        cpu_minutes=CPU_MINUTES,
        warm_hours=WARM_HOURS,
        monitors_cpu_s=result["cpu_s"],
        monitors_wall_s=result["wall_s"],
        setup_ms=statistics.median(result["setups"]) * 1000,
        setup_first_ms=result["setups"][0] * 1000,
        memory_per_monitor_kb=result["rss_kb"] / MONITORS,
    )
