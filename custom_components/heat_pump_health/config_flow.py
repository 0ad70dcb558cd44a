"""Config, options and reconfigure flows for Heat Pump Health."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, override

from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
    OptionsFlowWithReload,
)
from homeassistant.const import ATTR_UNIT_OF_MEASUREMENT, CONF_NAME, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import section
from homeassistant.helpers.selector import (
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)
import probatio as vol

from .const import (
    CONF_CLEAR_MINUTES,
    CONF_CONFIRM_MINUTES,
    CONF_SENSITIVITY,
    CONF_SYSTEM_TYPE,
    DOMAIN,
    SECTION_TUNING,
    SOURCE_KEYS,
    TUNING_KEYS,
)
from .engine.model import InputKey, SystemType
from .engine.options import SENSITIVITIES, EvaluatorOptions
from .ingest import UnitError, normalise_unit

DEFAULT_NAME = "Heat pump"

# Helpers are no platform, so no constant.
INPUT_BOOLEAN_DOMAIN = "input_boolean"

_TEMPERATURE = EntitySelector(
    EntitySelectorConfig(domain=Platform.SENSOR, device_class=SensorDeviceClass.TEMPERATURE)
)
# One selector per source, filtered so the owner sees only sensible entities.
SOURCE_SELECTORS: dict[InputKey, EntitySelector] = {
    InputKey.POWER: EntitySelector(
        EntitySelectorConfig(domain=Platform.SENSOR, device_class=SensorDeviceClass.POWER)
    ),
    InputKey.CLIMATE: EntitySelector(EntitySelectorConfig(domain=Platform.CLIMATE)),
    InputKey.DEFROST: EntitySelector(
        EntitySelectorConfig(
            domain=[Platform.BINARY_SENSOR, Platform.SWITCH, INPUT_BOOLEAN_DOMAIN, Platform.CLIMATE]
        )
    ),
    InputKey.SUPPLY_TEMPERATURE: _TEMPERATURE,
    InputKey.RETURN_TEMPERATURE: _TEMPERATURE,
    InputKey.COIL_TEMPERATURE: _TEMPERATURE,
    InputKey.OUTDOOR_TEMPERATURE: _TEMPERATURE,
    # Sound level in dB, or a vibration level, which has no device class.
    InputKey.NOISE: EntitySelector(EntitySelectorConfig(domain=Platform.SENSOR)),
}

_SYSTEM_TYPE_SELECTOR = SelectSelector(
    SelectSelectorConfig(
        options=[item.value for item in SystemType],
        mode=SelectSelectorMode.LIST,
        translation_key=CONF_SYSTEM_TYPE,
    )
)
_MINUTES_SELECTOR = NumberSelector(
    NumberSelectorConfig(
        min=1, max=720, step=1, mode=NumberSelectorMode.BOX, unit_of_measurement="min"
    )
)


def _suggested(defaults: Mapping[str, Any], key: str) -> dict[str, Any]:
    """Pre-fill a field without making it required."""
    value = defaults.get(key)
    return {} if value is None else {"suggested_value": value}


def _sources_schema(defaults: Mapping[str, Any]) -> dict[vol.Marker, Any]:
    return {
        vol.Optional(key.value, description=_suggested(defaults, key.value)): selector
        for key, selector in SOURCE_SELECTORS.items()
    }


def _tuning_section(defaults: Mapping[str, Any]) -> dict[vol.Marker, Any]:
    tuning = vol.Schema(
        {
            vol.Required(
                CONF_SENSITIVITY, default=defaults.get(CONF_SENSITIVITY, "normal")
            ): SelectSelector(
                SelectSelectorConfig(
                    options=list(SENSITIVITIES),
                    mode=SelectSelectorMode.LIST,
                    translation_key=CONF_SENSITIVITY,
                )
            ),
            vol.Optional(
                CONF_CONFIRM_MINUTES, description=_suggested(defaults, CONF_CONFIRM_MINUTES)
            ): _MINUTES_SELECTOR,
            vol.Optional(
                CONF_CLEAR_MINUTES, description=_suggested(defaults, CONF_CLEAR_MINUTES)
            ): _MINUTES_SELECTOR,
        }
    )
    return {vol.Required(SECTION_TUNING): section(tuning, {"collapsed": True})}


def _system_type_field(defaults: Mapping[str, Any]) -> dict[vol.Marker, Any]:
    default = defaults.get(CONF_SYSTEM_TYPE, SystemType.AIR_TO_AIR.value)
    return {vol.Required(CONF_SYSTEM_TYPE, default=default): _SYSTEM_TYPE_SELECTOR}


def user_schema(defaults: Mapping[str, Any]) -> vol.Schema:
    """The first form: name, system type, sources and (collapsed) tuning."""
    return vol.Schema(
        {
            vol.Required(CONF_NAME, default=defaults.get(CONF_NAME, DEFAULT_NAME)): TextSelector(),
            **_system_type_field(defaults),
            **_sources_schema(defaults),
            **_tuning_section(defaults),
        }
    )


def options_schema(defaults: Mapping[str, Any]) -> vol.Schema:
    """The options and reconfigure form: everything but the name."""
    return vol.Schema(
        {**_system_type_field(defaults), **_sources_schema(defaults), **_tuning_section(defaults)}
    )


def flatten(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Turn form input into entry options: tuning lifted out of its section, blanks dropped."""
    options: dict[str, Any] = {}
    for key, value in user_input.items():
        if key == SECTION_TUNING:
            options.update({k: v for k, v in value.items() if k in TUNING_KEYS and v is not None})
        elif value not in (None, ""):
            options[key] = value
    for key in (CONF_CONFIRM_MINUTES, CONF_CLEAR_MINUTES):
        if key in options:
            options[key] = int(options[key])
    return options


def validate_options(hass: HomeAssistant, options: Mapping[str, Any]) -> dict[str, str]:
    """Check a set of options; return form errors keyed by field (``base`` for the form)."""
    errors: dict[str, str] = {}
    sources = {key: options[key] for key in SOURCE_KEYS if options.get(key)}
    seen: dict[str, str] = {}
    for key, entity_id in sources.items():
        if entity_id in seen:
            errors[key] = "duplicate_entity"
        seen.setdefault(entity_id, key)
    if (InputKey.SUPPLY_TEMPERATURE in sources) != (InputKey.RETURN_TEMPERATURE in sources):
        missing = (
            InputKey.RETURN_TEMPERATURE
            if InputKey.SUPPLY_TEMPERATURE in sources
            else InputKey.SUPPLY_TEMPERATURE
        )
        errors[missing.value] = "supply_return_pair"
    for key, entity_id in sources.items():
        input_key = InputKey(key)
        if key in errors or input_key in (InputKey.DEFROST, InputKey.CLIMATE, InputKey.NOISE):
            continue
        # An entity that is not loaded yet has no unit to judge: accept it,
        # the monitor raises a repair issue if the unit turns out wrong.
        if (state := hass.states.get(entity_id)) is None:
            continue
        try:
            normalise_unit(
                input_key, state.attributes.get(ATTR_UNIT_OF_MEASUREMENT), entity_id=entity_id
            )
        except UnitError:
            errors[key] = "unit_power" if input_key is InputKey.POWER else "unit_temperature"
    if not errors and not EvaluatorOptions.from_mapping(options).evaluable_faults():
        errors["base"] = "no_fault_evaluable"
    return errors


def sources_taken(
    hass: HomeAssistant, options: Mapping[str, Any], *, ignore: str | None = None
) -> bool:
    """Whether another entry (not ``ignore``) already watches exactly these sources."""
    wanted = {key: options.get(key) for key in SOURCE_KEYS}
    return any(
        {key: entry.options.get(key) for key in SOURCE_KEYS} == wanted
        for entry in hass.config_entries.async_entries(DOMAIN, include_ignore=False)
        if entry.entry_id != ignore
    )


class HeatPumpHealthConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up one heat pump to watch."""

    VERSION = 1
    MINOR_VERSION = 1

    @staticmethod
    @callback
    @override
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Return the options flow."""
        return HeatPumpHealthOptionsFlow()

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the name, the system type and the source entities."""
        errors: dict[str, str] = {}
        defaults: Mapping[str, Any] = {}
        if user_input is not None:
            options = flatten(user_input)
            if sources_taken(self.hass, options):
                return self.async_abort(reason="already_configured")
            errors = validate_options(self.hass, options)
            if not errors:
                title = options.pop(CONF_NAME)
                return self.async_create_entry(title=title, data={}, options=options)
            defaults = {**user_input, **options}
        return self.async_show_form(
            step_id="user", data_schema=user_schema(defaults), errors=errors
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the system type and the sources of an existing heat pump."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        defaults: Mapping[str, Any] = entry.options
        if user_input is not None:
            options = flatten(user_input)
            if sources_taken(self.hass, options, ignore=entry.entry_id):
                return self.async_abort(reason="already_configured")
            errors = validate_options(self.hass, options)
            if not errors:
                return self.async_update_reload_and_abort(entry, options=options)
            defaults = options
        return self.async_show_form(
            step_id="reconfigure", data_schema=options_schema(defaults), errors=errors
        )


class HeatPumpHealthOptionsFlow(OptionsFlowWithReload):
    """Change sources, sensitivity and persistence; the entry reloads."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show and validate the options form."""
        errors: dict[str, str] = {}
        defaults: Mapping[str, Any] = self.config_entry.options
        if user_input is not None:
            options = flatten(user_input)
            errors = validate_options(self.hass, options)
            if not errors and sources_taken(self.hass, options, ignore=self.config_entry.entry_id):
                errors["base"] = "already_configured"
            if not errors:
                return self.async_create_entry(data=options)
            defaults = options
        return self.async_show_form(
            step_id="init", data_schema=options_schema(defaults), errors=errors
        )
