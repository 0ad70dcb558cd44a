"""Repair issues: create and delete every issue this integration raises.

Every issue lives under this integration's domain with an id scoped to its
config entry, so the delete always matches the create.  The helpers take plain
values; the monitor decides when to call them.  What the owner reads when
opening an issue (the evidence, causes and checks) is built by the fix flow
at that moment, from the latest evaluation, so it is never stale.
"""

from __future__ import annotations

from collections.abc import Mapping

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN
from .engine.model import FaultKey, FaultStatus, InputKey, Severity

KIND_FAULT = "fault"
KIND_SOURCE = "source"

_SEVERITY = {Severity.ERROR: ir.IssueSeverity.ERROR, Severity.WARNING: ir.IssueSeverity.WARNING}


def fault_issue_id(entry_id: str, fault: FaultKey) -> str:
    """The id of the issue raised while ``fault`` is active."""
    return f"{entry_id}_{fault.value}"


def source_issue_id(entry_id: str, key: InputKey) -> str:
    """The id of the issue about a source that is gone or unusable."""
    return f"{entry_id}_source_{key.value}"


def async_raise_fault(
    hass: HomeAssistant, *, entry_id: str, name: str, status: FaultStatus
) -> None:
    """Raise (or refresh) the issue for an active fault."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        fault_issue_id(entry_id, status.fault),
        is_fixable=True,
        is_persistent=True,
        severity=_SEVERITY[status.severity],
        translation_key=f"fault_{status.fault.value}",
        translation_placeholders={"name": name},
        data={"kind": KIND_FAULT, "entry_id": entry_id, "fault": status.fault.value},
    )


def async_clear_fault(hass: HomeAssistant, entry_id: str, fault: FaultKey) -> None:
    """Delete the issue of a fault that cleared."""
    ir.async_delete_issue(hass, DOMAIN, fault_issue_id(entry_id, fault))


def async_reconcile_faults(
    hass: HomeAssistant, *, entry_id: str, name: str, statuses: Mapping[FaultKey, FaultStatus]
) -> None:
    """Make the stored issues match the faults active now (after a restart or reload)."""
    for fault in FaultKey:
        status = statuses.get(fault)
        if status is not None and status.active:
            async_raise_fault(hass, entry_id=entry_id, name=name, status=status)
        else:
            async_clear_fault(hass, entry_id, fault)


def async_raise_source(
    hass: HomeAssistant,
    *,
    entry_id: str,
    name: str,
    key: InputKey,
    label: str,
    entity_id: str,
    unit: str | None = None,
    missing: bool,
) -> None:
    """A configured source entity was removed (``missing``) or has an unusable unit."""
    placeholders = {"name": name, "source": label, "entity_id": entity_id}
    if not missing:
        placeholders["unit"] = unit or "-"
    ir.async_create_issue(
        hass,
        DOMAIN,
        source_issue_id(entry_id, key),
        is_fixable=True,
        is_persistent=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="source_missing" if missing else "source_unit",
        translation_placeholders=placeholders,
        data={"kind": KIND_SOURCE, "entry_id": entry_id, "source": key.value},
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
