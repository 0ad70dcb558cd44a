"""The upload view: a history export in, the backtest's report out.

``POST /api/heat_pump_health/backtest/<entry_id>`` with the history panel's
CSV download or the JSON of ``/api/history/period`` as the body (raw, or as
the one file of a multipart form).  The file is held in memory, never
written to disk, and played through ``Playback`` off the event loop, as the
command-line replay would; the answer is the same JSON report.  Every
refusal is one sentence in ``{"message": ...}`` with a 4xx status.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Final

from aiohttp import BodyPartReader, web
from homeassistant.components.http.const import KEY_HASS_USER
from homeassistant.const import ATTR_UNIT_OF_MEASUREMENT
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView

from .backtest import exclusive, loaded_monitor, playback_config
from .const import DOMAIN
from .history import HistoryError, parse_history_rows
from .playback import ReplayConfig, build_report, replay_rows

if TYPE_CHECKING:
    from .monitor import HeatPumpMonitor

# A month of one-minute history of eight sources is about 25 MB of CSV or
# minimal JSON; twice that leaves room for attributes without letting one
# request take the memory of a small Home Assistant box.
MAX_UPLOAD_BYTES: Final = 64 * 1024 * 1024
_READ_BYTES: Final = 1 << 16


class RefusedError(Exception):
    """A request this view answers with a 4xx status and one sentence."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class BacktestUploadView(HomeAssistantView):
    """Backtest one entry on an uploaded history export (administrators only)."""

    url = f"/api/{DOMAIN}/backtest/{{entry_id}}"
    name = f"api:{DOMAIN}:backtest"
    requires_auth = True

    async def post(self, request: web.Request, entry_id: str) -> web.Response:
        """Play the uploaded export through the entry's configuration."""
        hass = request.app[KEY_HASS]
        try:
            if not request[KEY_HASS_USER].is_admin:
                raise RefusedError(
                    HTTPStatus.FORBIDDEN, "Only an administrator can run a backtest."
                )
            try:
                monitor = loaded_monitor(hass, entry_id)
            except ServiceValidationError as err:
                raise RefusedError(
                    HTTPStatus.NOT_FOUND, f"No loaded Heat Pump Health entry {entry_id}."
                ) from err
            name, data = await _read_upload(request)
            config = _upload_config(monitor, csv=_looks_like_csv(data))
            try:
                async with exclusive(hass, monitor):
                    report = await hass.async_add_executor_job(_play, data, name, config)
            except ServiceValidationError as err:
                raise RefusedError(
                    HTTPStatus.CONFLICT,
                    "A backtest of this heat pump is already running; try again when it ends.",
                ) from err
        except RefusedError as refused:
            return self.json_message(refused.message, refused.status)
        return self.json(report)


async def _read_upload(request: web.Request) -> tuple[str, bytes]:
    """The uploaded file's name and content, refused past the size limit."""
    if request.content_length is not None and request.content_length > MAX_UPLOAD_BYTES:
        raise _too_large()
    if request.content_type.startswith("multipart/"):
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if isinstance(part, BodyPartReader) and part.filename:
                return part.filename, await _read_all(part.read_chunk)
        raise RefusedError(HTTPStatus.BAD_REQUEST, "The form holds no file.")
    return "the uploaded file", await _read_all(request.content.read)


async def _read_all(read: Callable[[int], Awaitable[bytes]]) -> bytes:
    """Read a stream whole, refusing it as soon as it passes the size limit."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await read(_READ_BYTES):
        size += len(chunk)
        if size > MAX_UPLOAD_BYTES:
            raise _too_large()
        chunks.append(chunk)
    if not size:
        raise RefusedError(HTTPStatus.BAD_REQUEST, "The upload is empty: send a history export.")
    return b"".join(chunks)


def _too_large() -> RefusedError:
    return RefusedError(
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        f"The upload is larger than {MAX_UPLOAD_BYTES >> 20} MB: export a shorter period.",
    )


def _looks_like_csv(data: bytes) -> bool:
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] not in (b"[", b"{")


def _upload_config(monitor: HeatPumpMonitor, *, csv: bool) -> ReplayConfig:
    """The entry's configuration; a CSV (no attributes) read in the sources' current units."""
    config = playback_config(monitor)
    if not csv:
        return config
    units = dict(config.units)
    for entity_id in config.entities.values():
        state = monitor.hass.states.get(entity_id)
        unit = None if state is None else state.attributes.get(ATTR_UNIT_OF_MEASUREMENT)
        if isinstance(unit, str) and entity_id not in units:
            units[entity_id] = unit
    return replace(config, units=units)


def _play(data: bytes, name: str, config: ReplayConfig) -> dict[str, Any]:
    """Parse and play an upload (in a worker thread); refusals as ``RefusedError``."""
    wanted = set(config.entities.values())
    try:
        loaded = parse_history_rows(data, source=name, entities=wanted)
    except HistoryError as err:
        raise RefusedError(HTTPStatus.BAD_REQUEST, f"{err}.") from None
    if not loaded.rows:
        raise RefusedError(
            HTTPStatus.BAD_REQUEST,
            f"None of this heat pump's sources ({', '.join(sorted(wanted))}) are in {name}.",
        )
    # The command line's path: the climate's unit is the configuration's
    # (the system unit), as the live entry reads it.
    result = replay_rows(loaded.rows, config, unrelated=loaded.skipped)
    return build_report(result, source=name)
