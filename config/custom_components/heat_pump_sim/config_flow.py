"""One simulated heat pump per instance: a flow with nothing to ask but the speed."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)
import probatio as vol

from .const import CONF_SPEED, DEFAULT_SPEED, DEVICE_NAME, DOMAIN, SPEEDS

_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_SPEED, default=str(DEFAULT_SPEED)): SelectSelector(
            SelectSelectorConfig(
                options=[SelectOptionDict(value=str(s), label=f"{s}x") for s in SPEEDS],
                mode=SelectSelectorMode.DROPDOWN,
            )
        )
    }
)


class HeatPumpSimConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add the simulated heat pump (``single_config_entry`` allows one)."""

    VERSION = 1

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask how fast to run."""
        if user_input is None:
            return self.async_show_form(step_id="user", data_schema=_SCHEMA)
        return self.async_create_entry(
            title=DEVICE_NAME, data={}, options={CONF_SPEED: int(user_input[CONF_SPEED])}
        )

    async def async_step_import(self, import_data: dict[str, Any]) -> ConfigFlowResult:
        """Create the entry from ``heat_pump_sim:`` in configuration.yaml.

        Only the first time: with ``single_config_entry`` Home Assistant aborts
        the import once the entry exists, so the YAML gives the starting speed
        and the Simulation speed select changes it for good.
        """
        speed = int(import_data.get(CONF_SPEED, DEFAULT_SPEED))
        return self.async_create_entry(title=DEVICE_NAME, data={}, options={CONF_SPEED: speed})
