"""Fix flows: "I have had it serviced" for faults, a new entity for a lost source."""

from __future__ import annotations

from typing import Any

from homeassistant.components.repairs import RepairsFlow, RepairsFlowResult
from homeassistant.core import HomeAssistant
import probatio as vol

from .config_flow import SOURCE_SELECTORS, validate_options
from .engine.model import FaultKey, InputKey
from .issues import KIND_FAULT, KIND_SOURCE


class ServicedFixFlow(RepairsFlow):
    """The owner confirms the unit was serviced: forget the fault's learned normal."""

    def __init__(self, *, entry_id: str, fault: FaultKey) -> None:
        super().__init__()
        self.entry_id = entry_id
        self.fault = fault

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> RepairsFlowResult:
        """Start with the confirmation."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Reset the baseline once confirmed."""
        entry = self.hass.config_entries.async_get_entry(self.entry_id)
        if entry is None or not hasattr(entry, "runtime_data"):
            return self.async_abort(reason="entry_not_loaded")
        if user_input is not None:
            entry.runtime_data.async_reset_fault(self.fault)
            return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="confirm",
            description_placeholders={"name": entry.title},
        )


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
        return self.async_show_form(
            step_id="replace",
            data_schema=vol.Schema({vol.Optional(self.key.value): SOURCE_SELECTORS[self.key]}),
            errors=errors,
            description_placeholders={
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
        return ServicedFixFlow(entry_id=entry_id, fault=FaultKey(str(data.get("fault"))))
    raise ValueError(f"unknown issue {issue_id}")
