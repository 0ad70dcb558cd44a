"""Suggest a source for each field from the heat pump's own device(s).

The owner picks the heat pump's device (an ESPHome board, a cloud account's
unit, a Modbus gateway); every entity on it is scored for each field by what
it is (domain, device class, unit) and what it is called (entity id, name,
translation key), the way an owner reads the list.  The owner then confirms
or changes each suggestion; nothing is taken without being shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from homeassistant.const import ATTR_DEVICE_CLASS, ATTR_UNIT_OF_MEASUREMENT
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .const import DOMAIN
from .engine.model import InputKey
from .ingest import ENERGY_UNITS

_TEMPERATURE_UNITS = frozenset({"°C", "°F", "K"})
_FREQUENCY_UNITS = frozenset({"Hz", "rps", "rpm", "%", "U/min"})

# An electric addition: the backup heater's words, and no power of the unit's.
_ADDITION = ("el_add", "elec_add", "backup", "booster", "immersion")

# Words that mark a field, and words that rule an entity out of it (a set
# point is no measurement; a tank or a room is not the heat pump's circuit).
_WORDS: dict[InputKey, tuple[tuple[str, ...], tuple[str, ...]]] = {
    InputKey.SUPPLY_TEMPERATURE: (
        ("supply", "flow", "outlet", "leaving", "feed", "vorlauf", "lwt", "bt2"),
        ("target", "set", "setpoint", "offset", "tank", "dhw", "room", "return", "inlet"),
    ),
    InputKey.RETURN_TEMPERATURE: (
        ("return", "inlet", "entering", "ruecklauf", "rucklauf", "ewt", "bt3"),
        ("target", "set", "setpoint", "tank", "dhw", "room"),
    ),
    InputKey.COIL_TEMPERATURE: (
        ("coil", "evaporator", "pipe", "exchanger", "vaporiser", "two_phase", "th6", "t3", "bt16"),
        ("target", "set", "indoor", "water", "discharge", "suction"),
    ),
    InputKey.OUTDOOR_TEMPERATURE: (
        ("outdoor", "outside", "ambient", "aussen", "bt1", "t4", "oat"),
        ("coil", "pipe", "exchanger", "evaporator", "average", "target", "set"),
    ),
    InputKey.DEFROST: (
        ("defrost", "deice", "de_ice", "abtau", "degivr"),
        ("prevent", "request", "time", "duration", "hours", "count", "counter"),
    ),
    InputKey.COMPRESSOR: (
        ("compressor", "compr", "inverter_frequency"),
        ("power", "energy", "hours", "starts"),
    ),
    InputKey.ERROR: (
        ("error", "alarm", "fault", "trouble", "problem"),
        ("count", "history", "reset"),
    ),
    InputKey.BACKUP_HEATER: (
        (
            *_ADDITION,
            "add_heat",
            "aux_heat",
            "auxiliary",
            "space_heater",
            "internal_heater",
            "nhz",
            "ibh",
            "heizstab",
            "zusatzheiz",
        ),
        ("energy", "hours", "count", "starts", "setpoint", "limit", "allow", "time", "max", "temp"),
    ),
    InputKey.POWER: (
        ("power", "consum", "input", "watts", "electric"),
        # ViCare's "compressor power" is the unit's rating, a constant.
        # and an electric addition's power is the backup heater's.
        (
            "nominal",
            "max",
            "produced",
            "output",
            "generated",
            "dhw",
            "tank",
            "compressor_power",
            *_ADDITION,
        ),
    ),
}


# The thermostat first: the defrost may then be the same entity (its action
# or attribute); measurements before the optional inputs.
_ORDER = (
    InputKey.CLIMATE,
    InputKey.POWER,
    InputKey.DEFROST,
    InputKey.SUPPLY_TEMPERATURE,
    InputKey.RETURN_TEMPERATURE,
    InputKey.COIL_TEMPERATURE,
    InputKey.OUTDOOR_TEMPERATURE,
    InputKey.COMPRESSOR,
    InputKey.ERROR,
    InputKey.NOISE,
    InputKey.BACKUP_HEATER,
)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One entity of the chosen devices, as the scoring sees it."""

    entity_id: str
    domain: str
    device_class: str | None
    unit: str | None
    words: str
    has_options: bool
    attributes: frozenset[str]


def _words(*parts: str | None) -> str:
    text = " ".join(part for part in parts if part).lower()
    return "_".join(text.replace("-", " ").replace(".", " ").split())


def _has(words: str, wanted: Iterable[str]) -> bool:
    return any(word in words for word in wanted)


def candidates(hass: HomeAssistant, device_ids: Iterable[str]) -> tuple[list[Candidate], list[str]]:
    """The usable entities of the devices, and those disabled there (named for the owner)."""
    registry = er.async_get(hass)
    usable: list[Candidate] = []
    disabled: list[str] = []
    for device_id in device_ids:
        for entry in er.async_entries_for_device(
            registry, device_id, include_disabled_entities=True
        ):
            if entry.platform == DOMAIN:
                continue
            if entry.disabled_by is not None:
                disabled.append(entry.original_name or entry.entity_id)
                continue
            state = hass.states.get(entry.entity_id)
            attributes = {} if state is None else dict(state.attributes)
            usable.append(
                Candidate(
                    entity_id=entry.entity_id,
                    domain=entry.domain,
                    device_class=entry.device_class
                    or entry.original_device_class
                    or attributes.get(ATTR_DEVICE_CLASS),
                    unit=entry.unit_of_measurement or attributes.get(ATTR_UNIT_OF_MEASUREMENT),
                    words=_words(
                        entry.entity_id, entry.original_name, entry.name, entry.translation_key
                    ),
                    has_options=isinstance(attributes.get("options"), list),
                    attributes=frozenset(attributes),
                )
            )
    return usable, sorted(disabled)


def _score(key: InputKey, item: Candidate) -> int:  # noqa: PLR0911, PLR0912 - one case per field
    wanted, unwanted = _WORDS.get(key, ((), ()))
    if _has(item.words, unwanted) and key is not InputKey.CLIMATE:
        return 0
    named = _has(item.words, wanted)
    temperature = item.domain == "sensor" and (
        item.device_class == "temperature" or item.unit in _TEMPERATURE_UNITS
    )
    match key:
        case InputKey.CLIMATE:
            return (2 + ("hvac_action" in item.attributes)) if item.domain == "climate" else 0
        case InputKey.POWER:
            if item.domain != "sensor":
                return 0
            if item.device_class == "power" or item.unit in ("W", "kW"):
                return 4 if named else 3
            return 1 if item.unit in ENERGY_UNITS and named else 0
        case InputKey.DEFROST:
            if not named:
                return 1 if item.domain == "climate" and "defrost" in item.attributes else 0
            return 3 if item.domain in ("binary_sensor", "switch") else 2
        case InputKey.COMPRESSOR:
            if not named:
                return 0
            return (
                3 if item.unit in _FREQUENCY_UNITS else 2 if item.domain == "binary_sensor" else 1
            )
        case InputKey.ERROR:
            if not named:
                # A problem binary sensor may be the unit's error, or a filter.
                return 1 if item.domain == "binary_sensor" and item.device_class == "problem" else 0
            return 3 if item.domain in ("sensor", "binary_sensor") else 0
        case InputKey.NOISE:
            return 3 if item.device_class == "sound_pressure" else 0
        case InputKey.BACKUP_HEATER:
            if not named or item.domain not in ("sensor", "binary_sensor", "switch"):
                return 0
            return 3 if item.domain == "binary_sensor" or item.unit in ("W", "kW") else 2
    return 3 if temperature and named else 0


def suggest(items: list[Candidate]) -> dict[str, str]:
    """The best entity for each field, each used once (the thermostat may also be the defrost)."""
    chosen: dict[str, str] = {}
    taken: set[str] = set()
    for key in _ORDER:
        best = max(
            (item for item in items if item.entity_id not in taken or key is InputKey.DEFROST),
            key=lambda item: _score(key, item),
            default=None,
        )
        if best is not None and _score(key, best) > 0:
            chosen[key.value] = best.entity_id
            taken.add(best.entity_id)
    if (InputKey.SUPPLY_TEMPERATURE.value in chosen) != (
        InputKey.RETURN_TEMPERATURE.value in chosen
    ):
        # One without the other is refused by the form: suggest neither.
        chosen.pop(InputKey.SUPPLY_TEMPERATURE.value, None)
        chosen.pop(InputKey.RETURN_TEMPERATURE.value, None)
    return chosen
