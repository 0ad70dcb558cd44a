"""Config, options and reconfigure flows for Heat Pump Health."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, override

from homeassistant.components.sensor import ATTR_OPTIONS, ATTR_STATE_CLASS, SensorDeviceClass
from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
    OptionsFlowWithReload,
)
from homeassistant.const import (
    ATTR_DEVICE_CLASS,
    ATTR_UNIT_OF_MEASUREMENT,
    CONF_NAME,
    Platform,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import section
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.selector import (
    DeviceSelector,
    DeviceSelectorConfig,
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
from .device import primary_device_id
from .driver import source_problems
from .engine.model import InputKey, Sensitivity, SystemType
from .engine.options import (
    CONF_DEFROST_STATES,
    DEFROST_SWITCH_DOMAINS,
    MAX_MINUTES,
    EvaluatorOptions,
)
from .ingest import UnitError, is_defrost_word, normalise_unit
from .suggest import candidates, suggest

DEFAULT_NAME = "Heat pump"
# The first step's device picker: the heat pump's own device(s).
CONF_DEVICES = "devices"

# Units a sound level or a vibration level is reported in.  Noise has a
# device class (sound_pressure); vibration has none, so its unit decides.
NOISE_UNITS = frozenset({"dB", "dBA", "dB(A)", "dBa", "dBC", "dB(C)", "dBc"})
VIBRATION_UNITS = frozenset({"mm/s", "in/s", "m/s²", "m/s^2", "g", "mg", "µm", "um"})


def own_entities(hass: HomeAssistant) -> list[str]:
    """Heat Pump Health's own entities: never a source of another heat pump."""
    registry = er.async_get(hass)
    return sorted(
        entity.entity_id for entity in registry.entities.values() if entity.platform == DOMAIN
    )


def noise_candidates(hass: HomeAssistant, keep: str | None = None) -> list[str]:
    """Sensors that report a sound or vibration level (and the one already chosen)."""
    found = {
        state.entity_id
        for state in hass.states.async_all(Platform.SENSOR)
        if state.attributes.get(ATTR_DEVICE_CLASS) == SensorDeviceClass.SOUND_PRESSURE
        or state.attributes.get(ATTR_UNIT_OF_MEASUREMENT) in NOISE_UNITS | VIBRATION_UNITS
    }
    if keep:
        found.add(keep)
    return sorted(found - set(own_entities(hass)))


DEFROST_DOMAINS = DEFROST_SWITCH_DOMAINS | {Platform.CLIMATE, Platform.WATER_HEATER}


def defrost_candidates(hass: HomeAssistant, keep: str | None = None) -> list[str]:
    """What can say "defrosting": on/off entities, thermostats, water heaters, text sensors.

    A sensor counts when it reports words (an enum, or a text state), not a
    measurement: the phase sensors of ESPHome, MQTT and cloud integrations.
    """
    found = {
        state.entity_id
        for state in hass.states.async_all()
        if state.domain in DEFROST_DOMAINS
        or (
            state.domain == Platform.SENSOR
            and (
                state.attributes.get(ATTR_DEVICE_CLASS) == SensorDeviceClass.ENUM
                or (
                    ATTR_UNIT_OF_MEASUREMENT not in state.attributes
                    and ATTR_STATE_CLASS not in state.attributes
                    and not _numeric(state.state)
                )
            )
        )
    }
    if keep:
        found.add(keep)
    return sorted(found - set(own_entities(hass)))


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return text in ("unknown", "unavailable")
    return True


def enum_options(hass: HomeAssistant, entity_id: str | None) -> list[str] | None:
    """The options of an enum sensor, or None for any other entity."""
    if not entity_id or not entity_id.startswith(f"{Platform.SENSOR}."):
        return None
    state = hass.states.get(entity_id)
    options = None if state is None else state.attributes.get(ATTR_OPTIONS)
    if not isinstance(options, list) or not options:
        return None
    return [str(option) for option in options]


def defrost_states_schema(options: list[str], chosen: list[str]) -> vol.Schema:
    """Which of an enum sensor's options mean defrost (pre-filled with the known words)."""
    return vol.Schema(
        {
            vol.Required(CONF_DEFROST_STATES, default=chosen): SelectSelector(
                SelectSelectorConfig(options=options, multiple=True, mode=SelectSelectorMode.LIST)
            )
        }
    )


def source_selectors(
    hass: HomeAssistant, current: Mapping[str, Any] | None = None
) -> dict[InputKey, EntitySelector]:
    """One entity picker per source, offering only sensible entities.

    Built when the form is shown: which entities are this integration's own,
    and which sensors measure noise, depends on what exists then.
    """
    current = current or {}
    exclude = own_entities(hass)

    def picker(
        domain: str | list[str], device_class: str | list[str] | None = None
    ) -> EntitySelector:
        config = EntitySelectorConfig(domain=domain, exclude_entities=exclude)
        if device_class is not None:
            config["device_class"] = device_class
        return EntitySelector(config)

    temperature = picker(Platform.SENSOR, SensorDeviceClass.TEMPERATURE)
    return {
        # An energy counter will do where the integration has no power sensor.
        InputKey.POWER: picker(
            Platform.SENSOR, [SensorDeviceClass.POWER, SensorDeviceClass.ENERGY]
        ),
        InputKey.CLIMATE: picker(Platform.CLIMATE),
        InputKey.DEFROST: EntitySelector(
            EntitySelectorConfig(
                include_entities=defrost_candidates(hass, current.get(InputKey.DEFROST.value))
            )
        ),
        InputKey.SUPPLY_TEMPERATURE: temperature,
        InputKey.RETURN_TEMPERATURE: temperature,
        InputKey.COIL_TEMPERATURE: temperature,
        InputKey.OUTDOOR_TEMPERATURE: temperature,
        InputKey.NOISE: EntitySelector(
            EntitySelectorConfig(
                include_entities=noise_candidates(hass, current.get(InputKey.NOISE.value))
            )
        ),
        # A frequency (Hz, rps, rpm, %), a running sensor or a phase sensor.
        InputKey.COMPRESSOR: picker([Platform.SENSOR, Platform.BINARY_SENSOR]),
        # An error or alarm code, or a problem binary sensor.
        InputKey.ERROR: picker([Platform.SENSOR, Platform.BINARY_SENSOR]),
        # Its power, or on/off (a running sensor, a relay, a stage or phase sensor).
        InputKey.BACKUP_HEATER: picker([Platform.SENSOR, Platform.BINARY_SENSOR, Platform.SWITCH]),
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
        min=0, max=MAX_MINUTES, step=1, mode=NumberSelectorMode.BOX, unit_of_measurement="min"
    )
)


def suggestions(defaults: Mapping[str, Any]) -> dict[str, Any]:
    """What the forms are pre-filled with: the values, the tuning in its section."""
    return {**defaults, SECTION_TUNING: tuning_of(defaults)}


def _sources_schema(hass: HomeAssistant, defaults: Mapping[str, Any]) -> dict[vol.Marker, Any]:
    return {
        vol.Optional(key.value): selector
        for key, selector in source_selectors(hass, defaults).items()
    }


def _tuning_fields() -> dict[vol.Marker, Any]:
    return {
        vol.Required(CONF_SENSITIVITY, default=Sensitivity.NORMAL.value): SelectSelector(
            SelectSelectorConfig(
                options=[item.value for item in Sensitivity],
                mode=SelectSelectorMode.LIST,
                translation_key=CONF_SENSITIVITY,
            )
        ),
        vol.Optional(CONF_CONFIRM_MINUTES): _MINUTES_SELECTOR,
        vol.Optional(CONF_CLEAR_MINUTES): _MINUTES_SELECTOR,
    }


def _tuning_section() -> dict[vol.Marker, Any]:
    return {
        vol.Required(SECTION_TUNING): section(vol.Schema(_tuning_fields()), {"collapsed": True})
    }


def _system_type_field() -> dict[vol.Marker, Any]:
    return {
        vol.Required(CONF_SYSTEM_TYPE, default=SystemType.AIR_TO_AIR.value): _SYSTEM_TYPE_SELECTOR
    }


def user_schema() -> vol.Schema:
    """The first form: name, system type, and the heat pump's device(s), if any."""
    return vol.Schema(
        {
            vol.Required(CONF_NAME, default=DEFAULT_NAME): TextSelector(),
            **_system_type_field(),
            vol.Optional(CONF_DEVICES): DeviceSelector(DeviceSelectorConfig(multiple=True)),
        }
    )


def sources_schema(hass: HomeAssistant, defaults: Mapping[str, Any]) -> vol.Schema:
    """The second form: the source entities and (collapsed) tuning."""
    return vol.Schema({**_sources_schema(hass, defaults), **_tuning_section()})


def reconfigure_schema(hass: HomeAssistant, defaults: Mapping[str, Any]) -> vol.Schema:
    """Reconfigure: what the heat pump is (system type and source entities)."""
    return vol.Schema({**_system_type_field(), **_sources_schema(hass, defaults)})


def options_schema() -> vol.Schema:
    """Options (Configure): how calm or quick the warnings are."""
    return vol.Schema(_tuning_fields())


def tuning_of(options: Mapping[str, Any]) -> dict[str, Any]:
    """The tuning part of an entry's options."""
    return {key: options[key] for key in TUNING_KEYS if key in options}


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


# Inputs whose unit does not matter: states, words, or a level in any unit.
_UNITLESS = frozenset(
    {InputKey.DEFROST, InputKey.CLIMATE, InputKey.NOISE, InputKey.COMPRESSOR, InputKey.ERROR}
)


# The form error for a unit that does not fit the field; temperatures otherwise.
_UNIT_ERRORS = {InputKey.POWER: "unit_power", InputKey.BACKUP_HEATER: "unit_backup_heater"}


def validate_options(hass: HomeAssistant, options: Mapping[str, Any]) -> dict[str, str]:
    """Check a set of options; return form errors keyed by field (``base`` for the form)."""
    errors = source_problems(options)
    sources = {key: options[key] for key in SOURCE_KEYS if options.get(key)}
    for key, entity_id in sources.items():
        input_key = InputKey(key)
        if key in errors or input_key in _UNITLESS:
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
            errors[key] = _UNIT_ERRORS.get(input_key, "unit_temperature")
    if not errors and not EvaluatorOptions.from_mapping(options).evaluable_faults():
        errors["base"] = "no_fault_evaluable"
    return errors


def entry_sharing_sources(
    hass: HomeAssistant, options: Mapping[str, Any], *, ignore: str | None = None
) -> ConfigEntry | None:
    """Another entry (not ``ignore``) that already watches one of these sources.

    One heat pump, one entry: two entries on the same entities would judge the
    same unit twice, raise every fault twice and put two sets of identically
    named entities on one device.
    """
    wanted = {options[key] for key in SOURCE_KEYS if options.get(key)}
    for entry in hass.config_entries.async_entries(DOMAIN, include_ignore=False):
        if entry.entry_id != ignore and wanted & {
            entry.options[key] for key in SOURCE_KEYS if entry.options.get(key)
        }:
            return entry
    return None


def entry_on_device(
    hass: HomeAssistant, device_id: str | None, *, ignore: str | None = None
) -> ConfigEntry | None:
    """Another entry (not ``ignore``) that already watches this heat-pump device."""
    if device_id is None:
        return None
    entry = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, device_id)
    return None if entry is None or entry.entry_id == ignore else entry


def check_one_entry(
    hass: HomeAssistant, options: Mapping[str, Any], *, ignore: str | None = None
) -> tuple[dict[str, str], dict[str, str]]:
    """Form errors and their placeholders when another entry watches this heat pump."""
    if other := entry_on_device(hass, primary_device_id(hass, options), ignore=ignore):
        return {"base": "device_in_use"}, {"other": other.title}
    if other := entry_sharing_sources(hass, options, ignore=ignore):
        return {"base": "sources_in_use"}, {"other": other.title}
    return {}, {}


class HeatPumpHealthConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up one heat pump to watch."""

    VERSION = 1
    MINOR_VERSION = 1

    def __init__(self) -> None:
        """Start with nothing chosen."""
        self._pending: dict[str, Any] = {}
        self._start: dict[str, Any] = {}
        self._suggested: dict[str, str] = {}
        self._disabled: list[str] = []

    @staticmethod
    @callback
    @override
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Return the options flow."""
        return HeatPumpHealthOptionsFlow()

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Name the heat pump, say how it heats, and pick its device(s) (or none)."""
        if user_input is None:
            return self.async_show_form(step_id="user", data_schema=user_schema())
        self._start = {
            CONF_NAME: user_input[CONF_NAME],
            CONF_SYSTEM_TYPE: user_input[CONF_SYSTEM_TYPE],
        }
        found, self._disabled = candidates(self.hass, user_input.get(CONF_DEVICES) or [])
        self._suggested = suggest(found)
        return await self.async_step_sources()

    async def async_step_sources(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Confirm or change each source (suggested from the devices picked)."""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        defaults: Mapping[str, Any] = self._suggested
        if user_input is not None:
            options = {**self._start, **flatten(user_input)}
            errors = validate_options(self.hass, options)
            if not errors:
                device_id = primary_device_id(self.hass, options)
                if device_id is not None:
                    # The heat pump's device is the entry's identity.
                    await self.async_set_unique_id(device_id)
                    if other := entry_on_device(self.hass, device_id):
                        self._abort_if_unique_id_configured(
                            description_placeholders={"other": other.title}
                        )
                errors, placeholders = check_one_entry(self.hass, options)
            if not errors:
                self._pending = options
                return await self.async_step_defrost_states()
            defaults = {**user_input, **options}
        return self.async_show_form(
            step_id="sources",
            data_schema=self.add_suggested_values_to_schema(
                sources_schema(self.hass, defaults), suggestions(defaults)
            ),
            errors=errors,
            description_placeholders={
                **placeholders,
                "disabled": ", ".join(self._disabled) if self._disabled else "—",
            },
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the system type and the sources of an existing heat pump."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        defaults: Mapping[str, Any] = entry.options
        if user_input is not None:
            options = {**flatten(user_input), **tuning_of(entry.options)}
            errors = validate_options(self.hass, options)
            if not errors:
                errors, placeholders = check_one_entry(self.hass, options, ignore=entry.entry_id)
            if not errors:
                self._pending = options
                return await self.async_step_defrost_states()
            defaults = options
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                reconfigure_schema(self.hass, defaults), defaults
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_defrost_states(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """An enum sensor as the defrost source: which of its states mean defrost."""
        options = self._pending
        choices = enum_options(self.hass, options.get(InputKey.DEFROST.value))
        if choices is None:
            options.pop(CONF_DEFROST_STATES, None)
            return self._finish(options)
        if user_input is None:
            known = [choice for choice in choices if is_defrost_word(choice)]
            return self.async_show_form(
                step_id="defrost_states",
                data_schema=defrost_states_schema(choices, known),
                description_placeholders={"entity_id": options[InputKey.DEFROST.value]},
            )
        chosen = [state for state in user_input.get(CONF_DEFROST_STATES, []) if state in choices]
        if chosen:
            options[CONF_DEFROST_STATES] = chosen
        else:
            # None chosen: the words we know decide, as for a text sensor.
            options.pop(CONF_DEFROST_STATES, None)
        return self._finish(options)

    def _finish(self, options: dict[str, Any]) -> ConfigFlowResult:
        if self.source == SOURCE_RECONFIGURE:
            return self.async_update_reload_and_abort(
                self._get_reconfigure_entry(),
                unique_id=primary_device_id(self.hass, options),
                options=options,
            )
        title = options.pop(CONF_NAME)
        return self.async_create_entry(title=title, data={}, options=options)


class HeatPumpHealthOptionsFlow(OptionsFlowWithReload):
    """Sensitivity and persistence; the entry reloads.  The sources are Reconfigure's."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show and store the tuning."""
        entry = self.config_entry
        if user_input is not None:
            sources = {k: v for k, v in entry.options.items() if k not in TUNING_KEYS}
            return self.async_create_entry(data={**sources, **flatten(user_input)})
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(options_schema(), entry.options),
        )
