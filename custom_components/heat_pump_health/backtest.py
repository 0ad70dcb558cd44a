"""The backtest: a heat pump's recorded history through the live entry's code.

``heat_pump_health.backtest`` answers a new owner's question, *would this
have caught last winter's problem, and how often would it have bothered me
for nothing?*, from the history Home Assistant already holds.  The recorder
is read a day at a time, and each day goes through ``Playback``, the
command-line replay's path, off the event loop, with a fresh evaluator: the
live entry's entities, state, baselines and repair issues are never touched.
Reading one day while playing the previous one gained nothing measurable (both
need the interpreter) and kept the event loop waiting longer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from itertools import pairwise
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Final

from homeassistant.components import persistent_notification
from homeassistant.components.recorder import history
from homeassistant.components.recorder.db_schema import RecorderRuns
from homeassistant.components.recorder.models import process_timestamp
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    COMPRESSED_STATE_ATTRIBUTES,
    COMPRESSED_STATE_LAST_CHANGED,
    COMPRESSED_STATE_LAST_UPDATED,
    COMPRESSED_STATE_STATE,
)
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.recorder import get_instance, session_scope
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey
import probatio as vol

from .const import CONF_CLEAR_MINUTES, CONF_CONFIRM_MINUTES, CONF_SENSITIVITY, DOMAIN
from .engine.model import FaultKey, InputKey, Sensitivity
from .engine.options import MAX_MINUTES, EvaluatorOptions
from .history import Row
from .playback import Playback, ReplayConfig, build_report, format_markdown

if TYPE_CHECKING:
    from .monitor import HeatPumpMonitor

SERVICE_BACKTEST: Final = "backtest"
ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_START: Final = "start"
ATTR_END: Final = "end"
ATTR_DAYS: Final = "days"
ATTR_NOTIFY: Final = "notify"
# The recorder is read this much at a time: a month of one-minute states
# never sits in memory at once.
CHUNK: Final = timedelta(days=1)
# No recorder keeps more; a longer period is surely a typo.
MAX_DAYS: Final = 3650

_RUNNING: HassKey[set[str]] = HassKey(f"{DOMAIN}_backtests")

BACKTEST_SCHEMA: Final = vol.Schema(
    {
        vol.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Optional(ATTR_START): cv.datetime,
        vol.Optional(ATTR_END): cv.datetime,
        vol.Optional(ATTR_DAYS): vol.All(vol.Coerce(float), vol.Range(min=0.01, max=MAX_DAYS)),
        vol.Optional(CONF_SENSITIVITY): vol.Coerce(Sensitivity),
        vol.Optional(CONF_CONFIRM_MINUTES): vol.All(
            vol.Coerce(int), vol.Range(min=0, max=MAX_MINUTES)
        ),
        vol.Optional(CONF_CLEAR_MINUTES): vol.All(
            vol.Coerce(int), vol.Range(min=0, max=MAX_MINUTES)
        ),
        vol.Optional(ATTR_NOTIFY, default=False): cv.boolean,
    }
)


def async_setup_services(hass: HomeAssistant) -> None:
    """Register the backtest action (once, for every entry)."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_BACKTEST,
        _async_backtest_action,
        schema=BACKTEST_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )


def _refuse(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def loaded_monitor(hass: HomeAssistant, entry_id: str) -> HeatPumpMonitor:
    """The running monitor of one of our entries; refused, translated, otherwise."""
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise _refuse("unknown_entry", entry_id=entry_id)
    if entry.state is not ConfigEntryState.LOADED:
        raise _refuse("entry_not_loaded", name=entry.title)
    monitor: HeatPumpMonitor = entry.runtime_data
    return monitor


@asynccontextmanager
async def exclusive(hass: HomeAssistant, monitor: HeatPumpMonitor) -> AsyncIterator[None]:
    """One backtest per entry at a time: a second would only double the work."""
    running = hass.data.setdefault(_RUNNING, set())
    entry_id = monitor.entry.entry_id
    if entry_id in running:
        raise _refuse("backtest_running", name=monitor.name)
    running.add(entry_id)
    try:
        yield
    finally:
        running.discard(entry_id)


def playback_config(monitor: HeatPumpMonitor) -> ReplayConfig:
    """The entry's sources as a replay configuration, units as the live entry reads them."""
    entities = dict(monitor.inputs())
    climate = entities.get(InputKey.CLIMATE)
    return ReplayConfig(
        entities=entities,
        # A climate entity's temperatures are in the system unit (as live).
        units={climate: monitor.hass.config.units.temperature_unit} if climate else {},
        options=monitor.options,
        name=monitor.name,
    )


def climate_unit(monitor: HeatPumpMonitor) -> tuple[str | None, str | None]:
    """The unit of the climate entity's temperatures, and where it came from."""
    if InputKey.CLIMATE not in dict(monitor.inputs()):
        return None, None
    return monitor.hass.config.units.temperature_unit, "config"


def overridden(options: EvaluatorOptions, data: Mapping[str, Any]) -> EvaluatorOptions:
    """The entry's options with the action's sensitivity and persistence overrides."""
    return replace(
        options,
        sensitivity=data.get(CONF_SENSITIVITY, options.sensitivity),
        confirm_minutes=data.get(CONF_CONFIRM_MINUTES, options.confirm_minutes),
        clear_minutes=data.get(CONF_CLEAR_MINUTES, options.clear_minutes),
    )


def _period(hass: HomeAssistant, data: Mapping[str, Any]) -> tuple[datetime, datetime]:
    """The period asked for, in UTC; by default all the recorder keeps."""
    if ATTR_START in data and ATTR_DAYS in data:
        # The form lets both be ticked: say which one to drop, in words.
        raise _refuse("start_and_days")
    end = dt_util.as_utc(data[ATTR_END]) if ATTR_END in data else dt_util.utcnow()
    if ATTR_START in data:
        start = dt_util.as_utc(data[ATTR_START])
    else:
        days = data.get(ATTR_DAYS, get_instance(hass).keep_days)
        start = end - timedelta(days=days)
    if end <= start:
        raise _refuse("end_before_start", start=_shown(start), end=_shown(end))
    return start, end


def _shown(moment: datetime) -> str:
    """A time as an owner reads it in a message: local, to the minute."""
    return dt_util.as_local(moment).strftime("%Y-%m-%d %H:%M")


async def _async_backtest_action(call: ServiceCall) -> ServiceResponse:
    hass = call.hass
    data = call.data
    if "recorder" not in hass.config.components:
        raise _refuse("no_recorder")
    monitor = loaded_monitor(hass, data[ATTR_CONFIG_ENTRY_ID])
    start, end = _period(hass, data)
    options = overridden(monitor.options, data)
    async with exclusive(hass, monitor):
        report = await async_backtest(hass, monitor, start, end, options)
    if data[ATTR_NOTIFY]:
        await _async_notify(hass, monitor, report)
    return report


async def async_backtest(
    hass: HomeAssistant,
    monitor: HeatPumpMonitor,
    start: datetime,
    end: datetime,
    options: EvaluatorOptions,
) -> dict[str, Any]:
    """Play the entry's recorded states from ``start`` to ``end``; return the report."""
    config = playback_config(monitor)
    entity_ids = sorted(set(config.entities.values()))
    recorder = get_instance(hass)
    downtimes = await recorder.async_add_executor_job(_downtimes, hass, start, end)
    playback = Playback(
        config, climate_unit=climate_unit(monitor), options=options, pauses=downtimes
    )
    chunks = []
    at = start
    while at < end:
        chunks.append((at, min(at + CHUNK, end)))
        at += CHUNK
    for index, chunk in enumerate(chunks):
        rows = await recorder.async_add_executor_job(_read, hass, entity_ids, *chunk, index == 0)
        await hass.async_add_executor_job(playback.feed, rows)
    result = await hass.async_add_executor_job(playback.finish)
    if not result.used:
        raise _refuse(
            "no_history",
            name=monitor.name,
            start=_shown(start),
            end=_shown(end),
        )
    report = build_report(result, source="recorder")
    report["requested"] = {"start": start.isoformat(), "end": end.isoformat()}
    report["options"] = {
        CONF_SENSITIVITY: options.sensitivity.value,
        CONF_CONFIRM_MINUTES: options.confirm_minutes,
        CONF_CLEAR_MINUTES: options.clear_minutes,
    }
    return report


def _downtimes(hass: HomeAssistant, start: datetime, end: datetime) -> list[tuple[float, float]]:
    """When Home Assistant was not running within the period: the gaps between recorder runs.

    A live entry does not judge while Home Assistant is stopped, and resumes
    from its store when it starts again; the playback skips those gaps the
    same way, instead of ticking through hours with the last states standing.
    """
    with session_scope(hass=hass, read_only=True) as session:
        runs = [
            (process_timestamp(run.start), None if run.end is None else process_timestamp(run.end))
            for run in session.query(RecorderRuns)
            .filter(RecorderRuns.start < end)
            .filter((RecorderRuns.end.is_(None)) | (RecorderRuns.end > start))
            .order_by(RecorderRuns.start)
        ]
    gaps: list[tuple[float, float]] = []
    for (_, ended), (began, _) in pairwise(runs):
        if ended is not None and began > ended:
            gaps.append((ended.timestamp(), began.timestamp()))
    return gaps


def _read(
    hass: HomeAssistant, entity_ids: list[str], start: datetime, end: datetime, first: bool
) -> list[Row]:
    """One slice of the recorder's states as rows, in the order they took effect.

    Only the first slice asks for the state at its start (what the sources
    said when the period began); later slices would repeat a state the
    previous one ended with, which a live entry never sees twice.
    """
    found = history.get_significant_states(
        hass,
        start,
        end,
        entity_ids,
        include_start_time_state=first,
        significant_changes_only=False,
        compressed_state_format=True,
    )
    rows: list[Row] = []
    append = rows.append
    for entity_id, states in found.items():
        attributes: Mapping[str, Any] = {}
        for item in states:
            if not isinstance(item, dict):
                continue  # the compressed format gives dicts only
            attributes = item.get(COMPRESSED_STATE_ATTRIBUTES, attributes)
            updated: float = item[COMPRESSED_STATE_LAST_UPDATED]
            changed: float = item.get(COMPRESSED_STATE_LAST_CHANGED, updated)
            append((entity_id, str(item[COMPRESSED_STATE_STATE]), attributes, changed, updated))
    rows.sort(key=itemgetter(4))
    return rows


async def _async_notify(
    hass: HomeAssistant, monitor: HeatPumpMonitor, report: Mapping[str, Any]
) -> None:
    """Post the report as a persistent notification, in the instance's language."""
    translations = await async_get_translations(hass, hass.config.language, "entity", [DOMAIN])
    prefix = f"component.{DOMAIN}.entity.binary_sensor."
    titles = {
        fault: translations.get(f"{prefix}{fault.value}.name", fault.value) for fault in FaultKey
    }
    persistent_notification.async_create(
        hass,
        format_markdown(report, explainer=monitor.explainer, titles=titles),
        title=f"Heat Pump Health backtest: {monitor.name}",
        notification_id=f"{DOMAIN}_backtest_{monitor.entry.entry_id}",
    )
