"""Config flow for Heat Pump Health."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_NAME
import probatio as vol

from .const import DOMAIN


class HeatPumpHealthConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up one heat pump to watch."""

    VERSION = 1

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the heat pump's name."""
        if user_input is not None:
            return self.async_create_entry(title=user_input[CONF_NAME], data={}, options=user_input)
        return self.async_show_form(
            step_id="user", data_schema=vol.Schema({vol.Required(CONF_NAME): str})
        )
