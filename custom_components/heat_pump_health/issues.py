"""Repair issues: one helper creates and deletes every issue this integration raises.

Every issue lives under this integration's domain with an id scoped to its
config entry, so the delete always matches the create.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .engine.model import FaultKey, FaultStatus, InputKey, Severity

if TYPE_CHECKING:
    from .monitor import HeatPumpMonitor

KIND_FAULT = "fault"
KIND_SOURCE = "source"

_SEVERITY = {Severity.ERROR: ir.IssueSeverity.ERROR, Severity.WARNING: ir.IssueSeverity.WARNING}


def fault_issue_id(entry_id: str, fault: FaultKey) -> str:
    """The id of the issue raised while ``fault`` is active."""
    return f"{entry_id}_{fault.value}"


def source_issue_id(entry_id: str, key: InputKey) -> str:
    """The id of the issue about a source that is gone or unusable."""
    return f"{entry_id}_source_{key.value}"


def format_evidence(evidence: dict[str, Any]) -> str:
    """The evidence as a short Markdown list for an issue's text."""
    lines = [
        f"- {key.replace('_', ' ')}: {value}"
        for key, value in evidence.items()
        if isinstance(value, str | int | float) and not isinstance(value, bool)
    ]
    return "\n".join(lines) or "-"


def async_raise_fault(hass: HomeAssistant, monitor: HeatPumpMonitor, status: FaultStatus) -> None:
    """Raise (or refresh) the issue for an active fault."""
    since = status.since
    ir.async_create_issue(
        hass,
        DOMAIN,
        fault_issue_id(monitor.entry.entry_id, status.fault),
        is_fixable=True,
        is_persistent=True,
        severity=_SEVERITY[status.severity],
        translation_key=f"fault_{status.fault.value}",
        translation_placeholders={
            "name": monitor.name,
            "since": "-"
            if since is None
            else dt_util.as_local(dt_util.utc_from_timestamp(since)).strftime("%Y-%m-%d %H:%M"),
            "reason": status.reason or "-",
            "evidence": format_evidence(status.evidence),
        },
        data={"kind": KIND_FAULT, "entry_id": monitor.entry.entry_id, "fault": status.fault.value},
    )


def async_clear_fault(hass: HomeAssistant, entry_id: str, fault: FaultKey) -> None:
    """Delete the issue of a fault that cleared."""
    ir.async_delete_issue(hass, DOMAIN, fault_issue_id(entry_id, fault))


def async_reconcile_faults(
    hass: HomeAssistant, monitor: HeatPumpMonitor, active: set[FaultKey]
) -> None:
    """Make the stored issues match the faults active now (after a restart or reload)."""
    entry_id = monitor.entry.entry_id
    for fault in FaultKey:
        if fault in active:
            if (status := monitor.status(fault)) is not None:
                async_raise_fault(hass, monitor, status)
        else:
            async_clear_fault(hass, entry_id, fault)


def _async_raise_source(
    hass: HomeAssistant,
    monitor: HeatPumpMonitor,
    key: InputKey,
    translation_key: str,
    placeholders: dict[str, str],
) -> None:
    ir.async_create_issue(
        hass,
        DOMAIN,
        source_issue_id(monitor.entry.entry_id, key),
        is_fixable=True,
        is_persistent=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=translation_key,
        translation_placeholders={"name": monitor.name, "source": key.value, **placeholders},
        data={"kind": KIND_SOURCE, "entry_id": monitor.entry.entry_id, "source": key.value},
    )


def async_raise_source_missing(
    hass: HomeAssistant, monitor: HeatPumpMonitor, key: InputKey, entity_id: str
) -> None:
    """A configured source entity was removed."""
    _async_raise_source(hass, monitor, key, "source_missing", {"entity_id": entity_id})


def async_raise_source_unit(
    hass: HomeAssistant,
    monitor: HeatPumpMonitor,
    key: InputKey,
    entity_id: str,
    unit: str | None,
) -> None:
    """A configured source reports in a unit that cannot be converted."""
    _async_raise_source(
        hass,
        monitor,
        key,
        "source_unit",
        {"entity_id": entity_id, "unit": unit or "-"},
    )


def async_clear_source(hass: HomeAssistant, entry_id: str, key: InputKey) -> None:
    """Delete the issue about one source."""
    ir.async_delete_issue(hass, DOMAIN, source_issue_id(entry_id, key))


def async_clear_entry(hass: HomeAssistant, entry_id: str) -> None:
    """Delete every issue of an entry that is being removed."""
    for fault in FaultKey:
        async_clear_fault(hass, entry_id, fault)
    for key in InputKey:
        async_clear_source(hass, entry_id, key)
