"""Fix flows: a fault's diagnosis and "it has been serviced"; a new entity for a lost source."""

from __future__ import annotations

from typing import Any

from homeassistant.components.repairs import RepairsFlow, RepairsFlowResult
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import probatio as vol

from .config_flow import source_selectors, validate_options
from .const import DOMAIN
from .engine.model import FaultKey, InputKey
from .issues import KIND_FAULT, KIND_SOURCE
from .monitor import HeatPumpMonitor


class FaultFixFlow(RepairsFlow):
    """Opens with the diagnosis; the owner closes it or says the unit was serviced."""

    def __init__(self, *, entry_id: str, fault: FaultKey) -> None:
        super().__init__()
        self.entry_id = entry_id
        self.fault = fault

    def _monitor(self) -> HeatPumpMonitor | None:
        entry = self.hass.config_entries.async_get_entry(self.entry_id)
        if entry is None or entry.state is not ConfigEntryState.LOADED:
            return None
        monitor: HeatPumpMonitor = entry.runtime_data
        return monitor

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> RepairsFlowResult:
        """Show what was measured, the likely causes and the checklist, then the choices."""
        monitor = self._monitor()
        if monitor is None:
            return self.async_abort(reason="entry_not_loaded")
        explainer = monitor.explainer
        status = monitor.status(self.fault)
        since = None if status is None else status.since
        sentences = (
            []
            if status is None
            else explainer.sentences(
                self.fault, status.reason, status.evidence, known=status.active
            )
        )
        return self.async_show_menu(
            step_id="init",
            menu_options=["keep", "serviced"],
            description_placeholders={
                "name": monitor.name,
                "since": "-"
                if since is None
                else dt_util.as_local(dt_util.utc_from_timestamp(since)).strftime("%Y-%m-%d %H:%M"),
                "evidence": _bullets(sentences),
                "causes": _bullets(explainer.causes(self.fault)),
                "checks": "\n".join(
                    f"{number}. {check}"
                    for number, check in enumerate(explainer.checks(self.fault), 1)
                ),
            },
        )

    async def async_step_keep(self, user_input: dict[str, Any] | None = None) -> RepairsFlowResult:
        """Close without changing anything: the issue stays until the fault clears."""
        return self.async_abort(reason="kept")

    async def async_step_serviced(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Forget the fault's learned normal and judge it afresh."""
        monitor = self._monitor()
        if monitor is None:
            return self.async_abort(reason="entry_not_loaded")
        monitor.async_reset_fault(self.fault)
        return self.async_create_entry(data={})


def _bullets(lines: list[str]) -> str:
    return "\n".join(f"- {line}" for line in lines) or "-"


class SourceFixFlow(RepairsFlow):
    """A source entity is gone or unusable: pick another one, or none."""

    def __init__(self, *, entry_id: str, key: InputKey) -> None:
        super().__init__()
        self.entry_id = entry_id
        self.key = key

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> RepairsFlowResult:
        """Start with the question (the manager passes the issue id as input here)."""
        return await self.async_step_replace()

    async def async_step_replace(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Ask for the replacement."""
        entry = self.hass.config_entries.async_get_entry(self.entry_id)
        if entry is None:
            return self.async_abort(reason="entry_not_loaded")
        errors: dict[str, str] = {}
        if user_input is not None:
            options = {k: v for k, v in entry.options.items() if k != self.key.value}
            if replacement := user_input.get(self.key.value):
                options[self.key.value] = replacement
            errors = validate_options(self.hass, options)
            if not errors:
                self.hass.config_entries.async_update_entry(entry, options=options)
                await self.hass.config_entries.async_reload(entry.entry_id)
                return self.async_create_entry(data={})
        issue = ir.async_get(self.hass).async_get_issue(DOMAIN, self.issue_id)
        selector = source_selectors(self.hass, entry.options)[self.key]
        return self.async_show_form(
            step_id="replace",
            data_schema=vol.Schema({vol.Optional(self.key.value): selector}),
            errors=errors,
            description_placeholders={
                # What the issue said (its unit, the field's label), then the
                # entry as it is now.
                **(issue.translation_placeholders or {} if issue else {}),
                "name": entry.title,
                "entity_id": str(entry.options.get(self.key.value, "-")),
            },
        )


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """Build the fix flow an issue asks for."""
    data = data or {}
    entry_id = str(data.get("entry_id"))
    if data.get("kind") == KIND_SOURCE:
        return SourceFixFlow(entry_id=entry_id, key=InputKey(str(data.get("source"))))
    if data.get("kind") == KIND_FAULT:
        return FaultFixFlow(entry_id=entry_id, fault=FaultKey(str(data.get("fault"))))
    raise ValueError(f"unknown issue {issue_id}")
