"""Evidence in words: what a fault's numbers mean, as sentences an owner can read.

Every place that shows a fault to a person (the repair dialog, the problem
sensors' ``summary`` attribute, the event's ``message``, the replay report)
goes through :class:`Explainer`, so they all say the same thing.  The words
are translations: the ``common`` section of ``translations/<language>.json``
holds one template per sentence, and the likely causes and checks of each
fault.  Which sentence applies, and how its numbers are shown (in the owner's
temperature unit, minutes as hours where long), is decided here.

Plain Python, no Home Assistant imports: the replay tool uses it too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
import json
from pathlib import Path
import string
from typing import Any

from .engine.model import FaultKey

TRANSLATIONS = Path(__file__).parent / "translations"
DEFAULT_LANGUAGE = "en"
FAHRENHEIT = "°F"
CELSIUS = "°C"


class Kind(Enum):
    """How an evidence value is shown."""

    DELTA = "delta"  # a temperature difference, K in the evidence
    TEMPERATURE = "temperature"  # °C in the evidence
    POWER = "power"  # W
    MINUTES = "minutes"
    COUNT = "count"
    RATE = "rate"  # a mean count, such as starts an hour
    SHARE = "share"  # 0..1
    LEVEL = "level"  # the noise source's own unit
    NOISE_STATE = "noise_state"  # running / idle / defrost / any
    TEXT = "text"  # shown as it is (the unit's own error code)


@dataclass(frozen=True, slots=True)
class Units:
    """The units a person reads: the instance's temperature unit, the noise sensor's."""

    temperature: str = CELSIUS
    noise: str | None = None


type Condition = Callable[[str | None, Mapping[str, Any]], bool]


def _always(reason: str | None, evidence: Mapping[str, Any]) -> bool:
    return True


def _reason(*reasons: str | None) -> Condition:
    return lambda reason, evidence: reason in reasons


def _reason_and(reason_is: str | None, key: str, value: object) -> Condition:
    return lambda reason, evidence: reason == reason_is and evidence.get(key) == value


def _not_reason(*reasons: str) -> Condition:
    return lambda reason, evidence: reason not in reasons


def _positive(key: str, *, unless: tuple[str, ...] = (), strictly: bool = False) -> Condition:
    def condition(reason: str | None, evidence: Mapping[str, Any]) -> bool:
        value = evidence.get(key)
        if reason in unless or not isinstance(value, int | float):
            return False
        return value > 0 if strictly else value >= 0

    return condition


@dataclass(frozen=True, slots=True)
class Sentence:
    """One template: shown when ``when`` holds and every value it needs is known."""

    key: str
    values: Mapping[str, tuple[str, Kind]] = field(default_factory=dict)
    when: Condition = _always
    # Worth telling while the fault is healthy too: something the owner
    # can change that is no fault of the unit.
    note: bool = False


_DEMAND_HEAT = "heat"
_DEMAND_COOL = "cool"

# Per fault, in the order they are read.  A value (placeholder -> evidence key
# and how to show it) that the evidence lacks leaves its sentence out.
SENTENCES: Mapping[FaultKey, tuple[Sentence, ...]] = {
    FaultKey.POWER_LOSS: (
        Sentence(
            "power_loss_no_power_heat",
            {"power": ("power_w", Kind.POWER)},
            _reason_and("no_power", "demand", _DEMAND_HEAT),
        ),
        Sentence(
            "power_loss_no_power_cool",
            {"power": ("power_w", Kind.POWER)},
            _reason_and("no_power", "demand", _DEMAND_COOL),
        ),
        Sentence("power_loss_power_unavailable", when=_reason("power_unavailable")),
        Sentence(
            "power_loss_counter_still",
            {"minutes": ("counter_still_minutes", Kind.MINUTES)},
            _reason("counter_still"),
        ),
        Sentence(
            "power_loss_split_heat",
            {"split": ("split_k", Kind.DELTA)},
            lambda reason, evidence: (
                reason in ("no_power", "power_unavailable")
                and evidence.get("demand") != _DEMAND_COOL
            ),
        ),
        Sentence(
            "power_loss_split_cool",
            {"split": ("split_k", Kind.DELTA)},
            lambda reason, evidence: (
                reason in ("no_power", "power_unavailable")
                and evidence.get("demand") == _DEMAND_COOL
            ),
        ),
        Sentence(
            "power_loss_coil_at_air",
            {"minutes": ("coil_at_air_minutes", Kind.MINUTES)},
            lambda reason, evidence: reason in ("no_power", "power_unavailable"),
        ),
        Sentence(
            "power_loss_no_standby_power",
            {
                "power": ("power_w", Kind.POWER),
                "minutes": ("zero_minutes", Kind.MINUTES),
                "standby": ("standby_w", Kind.POWER),
            },
            _reason("no_standby_power"),
        ),
        Sentence(
            "power_loss_sources_lost",
            {"count": ("lost_sources", Kind.COUNT), "minutes": ("lost_minutes", Kind.MINUTES)},
            _reason("sources_lost"),
        ),
        Sentence("power_loss_draw", {"power": ("power_w", Kind.POWER)}, _reason(None)),
        Sentence(
            "power_loss_standby",
            {"standby": ("standby_w", Kind.POWER)},
            _not_reason("no_standby_power", "sources_lost"),
        ),
        Sentence(
            "power_loss_resolution",
            {
                "resolution": ("power_resolution_w", Kind.POWER),
                "lag": ("power_lag_minutes", Kind.MINUTES),
            },
            _not_reason("sources_lost"),
        ),
    ),
    FaultKey.ICE_BUILDUP: (
        Sentence(
            "ice_buildup_defrost_running_long",
            {
                "minutes": ("defrost_minutes", Kind.MINUTES),
                "limit": ("max_defrost_minutes", Kind.MINUTES),
            },
            _reason("defrost_too_long"),
        ),
        Sentence(
            "ice_buildup_defrost_was_long",
            {
                "minutes": ("long_defrost_minutes", Kind.MINUTES),
                "limit": ("max_defrost_minutes", Kind.MINUTES),
            },
            lambda reason, evidence: (
                reason == "defrost_too_long" and evidence.get("defrost_minutes") is None
            ),
        ),
        Sentence(
            "ice_buildup_coil_held_warm",
            {
                "minutes": ("warm_coil_minutes", Kind.MINUTES),
                "limit": ("max_defrost_minutes", Kind.MINUTES),
            },
            _reason("defrost_too_long"),
        ),
        Sentence(
            "ice_buildup_coil_was_warm",
            {
                "minutes": ("long_warm_coil_minutes", Kind.MINUTES),
                "limit": ("max_defrost_minutes", Kind.MINUTES),
            },
            lambda reason, evidence: (
                reason == "defrost_too_long" and evidence.get("warm_coil_minutes") is None
            ),
        ),
        Sentence(
            "ice_buildup_defrost_not_clearing",
            {
                "count": ("failed_defrosts_in_a_row", Kind.COUNT),
                "coil": ("success_coil_c", Kind.TEMPERATURE),
            },
            # Counted by the coil's peak: without a probe there is none to name.
            lambda reason, evidence: (
                reason == "defrost_not_clearing"
                and isinstance(count := evidence.get("failed_defrosts_in_a_row"), int)
                and count > 0
            ),
        ),
        Sentence(
            "ice_buildup_short_defrosts",
            {
                "count": ("short_defrosts_not_clearing", Kind.COUNT),
                "usual": ("usual_defrost_minutes", Kind.MINUTES),
                "share": ("split_share_after_defrost", Kind.SHARE),
            },
            _reason("defrost_not_clearing"),
        ),
        Sentence(
            "ice_buildup_back_to_back",
            {"count": ("quick_repeats_3h", Kind.COUNT)},
            _reason("back_to_back_defrosts"),
        ),
        Sentence(
            "ice_buildup_defrost_overdue",
            {
                "minutes": ("running_since_defrost_minutes", Kind.MINUTES),
                "limit": ("overdue_after_minutes", Kind.MINUTES),
                "share": ("split_share", Kind.SHARE),
            },
            _reason("defrost_overdue"),
        ),
        Sentence(
            "ice_buildup_coil_icing",
            {
                "gap": ("coil_outdoor_gap_k", Kind.DELTA),
                "alarm": ("alarm_gap_k", Kind.DELTA),
                "growth": ("gap_growth_k", Kind.DELTA),
                "minutes": ("icing_minutes", Kind.MINUTES),
            },
            _reason("coil_icing"),
        ),
        Sentence(
            "ice_buildup_gap",
            {"gap": ("coil_outdoor_gap_k", Kind.DELTA)},
            _positive("coil_outdoor_gap_k", unless=("coil_icing",)),
        ),
        Sentence(
            "ice_buildup_last_defrost",
            {"minutes": ("last_defrost_minutes", Kind.MINUTES)},
            _not_reason("defrost_too_long"),
        ),
    ),
    FaultKey.INSUFFICIENT_HEAT: (
        Sentence(
            "insufficient_heat_low_split_learned",
            {
                "split": ("split_k", Kind.DELTA),
                "expected": ("expected_split_k", Kind.DELTA),
                "minimum": ("min_split_k", Kind.DELTA),
            },
            _reason_and("low_split", "expectation", "learned"),
        ),
        Sentence(
            "insufficient_heat_low_split_default",
            {"split": ("split_k", Kind.DELTA), "minimum": ("min_split_k", Kind.DELTA)},
            _reason_and("low_split", "expectation", "default"),
        ),
        Sentence(
            "insufficient_heat_high_split",
            {
                "split": ("split_k", Kind.DELTA),
                "maximum": ("max_split_k", Kind.DELTA),
                "minutes": ("high_split_minutes", Kind.MINUTES),
            },
            _reason("high_split"),
        ),
        Sentence(
            "insufficient_heat_capacity_drop",
            {
                "share": ("delivery_share", Kind.SHARE),
                "split": ("split_k", Kind.DELTA),
                "expected": ("expected_split_k", Kind.DELTA),
            },
            _reason("capacity_drop", "room_below_target"),
        ),
        Sentence(
            "insufficient_heat_draw",
            {"share": ("draw_share", Kind.SHARE)},
            _reason("capacity_drop", "room_below_target"),
        ),
        Sentence(
            "insufficient_heat_coil_gap",
            {"share": ("coil_gap_share", Kind.SHARE)},
            _reason_and("capacity_drop", "coil_gap_wider", True),
        ),
        Sentence(
            "insufficient_heat_at_capacity",
            {"deficit": ("room_deficit_k", Kind.DELTA)},
            lambda reason, evidence: reason is None and evidence.get("at_capacity") is True,
        ),
        Sentence(
            "insufficient_heat_backup_mild",
            {
                "minutes": ("backup_mild_minutes_24h", Kind.MINUTES),
                "outdoor": ("backup_mild_outdoor_c", Kind.TEMPERATURE),
            },
            _reason(None),
            note=True,
        ),
        Sentence(
            "insufficient_heat_backup_on",
            when=lambda reason, evidence: evidence.get("backup_on") is True,
        ),
        Sentence(
            "insufficient_heat_room_below_target",
            {
                "deficit": ("room_deficit_k", Kind.DELTA),
                "minutes": ("cold_room_minutes", Kind.MINUTES),
                "power": ("power_w", Kind.POWER),
                "full": ("flat_out_w", Kind.POWER),
            },
            _reason("room_below_target"),
        ),
        Sentence(
            "insufficient_heat_split",
            {"split": ("split_k", Kind.DELTA)},
            # Also for an active fault at a moment its rules cannot judge
            # (idle, defrosting): the split is then all there is to say.
            lambda reason, evidence: (
                (reason is None or "min_split_k" not in evidence)
                and isinstance(evidence.get("split_k"), int | float)
            ),
        ),
    ),
    FaultKey.ABNORMAL_NOISE: (
        Sentence(
            "abnormal_noise_sustained",
            {
                "share": ("elevated_share", Kind.SHARE),
                "level": ("level", Kind.LEVEL),
                "baseline": ("baseline", Kind.LEVEL),
                "state": ("state", Kind.NOISE_STATE),
            },
            _reason("sustained"),
        ),
        Sentence(
            "abnormal_noise_bursts",
            {
                "count": ("bursts_last_hour", Kind.COUNT),
                "before": ("bursts_hour_before", Kind.COUNT),
                "elevated": ("elevated_above", Kind.LEVEL),
                "baseline": ("baseline", Kind.LEVEL),
                "state": ("state", Kind.NOISE_STATE),
            },
            _reason("bursts"),
        ),
        Sentence(
            "abnormal_noise_runs",
            {"runs": ("runs_heard", Kind.COUNT)},
            _reason("bursts"),
        ),
        Sentence(
            "abnormal_noise_level",
            {
                "level": ("level", Kind.LEVEL),
                "baseline": ("baseline", Kind.LEVEL),
                "state": ("state", Kind.NOISE_STATE),
            },
            _reason(None),
        ),
    ),
    FaultKey.SHORT_CYCLING: (
        Sentence(
            "short_cycling_starts",
            {
                "count": ("starts_last_hour", Kind.COUNT),
                "limit": ("start_limit", Kind.COUNT),
                "run": ("median_run_minutes", Kind.MINUTES),
            },
        ),
        Sentence("short_cycling_usual", {"usual": ("usual_starts_per_hour", Kind.RATE)}),
        Sentence(
            "short_cycling_shortest_run",
            {"run": ("shortest_usual_run_minutes", Kind.MINUTES)},
        ),
    ),
}

# After the fault's own sentences: how far confirmation or clearing has got.
PROGRESS: tuple[Sentence, ...] = (
    Sentence("unit_error", {"code": ("unit_error", Kind.TEXT)}),
    Sentence(
        "progress_building",
        {
            "minutes": ("abnormal_minutes", Kind.MINUTES),
            "confirm": ("confirm_minutes", Kind.MINUTES),
        },
    ),
    Sentence(
        "progress_clearing",
        {"minutes": ("healthy_minutes", Kind.MINUTES), "clear": ("clear_minutes", Kind.MINUTES)},
        _positive("healthy_minutes", strictly=True),
    ),
)
RULE_FAILED = "rule_failed"

# Every key a language file's ``common`` section must hold (causes and checks
# are numbered and counted separately).
SENTENCE_KEYS: frozenset[str] = frozenset(
    {sentence.key for sentences in SENTENCES.values() for sentence in sentences}
    | {sentence.key for sentence in PROGRESS}
    | {
        "evidence_rule_failed",
        "evidence_unknown",
        "evidence_nothing_abnormal",
        "evidence_cleared",
        "noise_state_running",
        "noise_state_idle",
        "noise_state_defrost",
        "noise_state_any",
    }
)
REASONS: Mapping[FaultKey, tuple[str, ...]] = {
    FaultKey.POWER_LOSS: (
        "no_power",
        "power_unavailable",
        "counter_still",
        "no_standby_power",
        "sources_lost",
    ),
    FaultKey.ICE_BUILDUP: (
        "defrost_too_long",
        "defrost_not_clearing",
        "back_to_back_defrosts",
        "defrost_overdue",
        "coil_icing",
    ),
    FaultKey.INSUFFICIENT_HEAT: ("low_split", "high_split", "capacity_drop", "room_below_target"),
    FaultKey.ABNORMAL_NOISE: ("sustained", "bursts"),
    FaultKey.SHORT_CYCLING: ("short_cycles",),
}


def _minutes(value: float) -> str:
    minutes = round(value)
    if minutes < 60:
        return f"{value:.0f} min" if value >= 1 or value == 0 else f"{value:.1f} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


class Explainer:
    """Turns one fault's evidence into sentences in one language."""

    def __init__(self, texts: Mapping[str, str], units: Units | None = None) -> None:
        # ``texts``: the ``common`` section of a translation file, key -> template.
        self._texts = texts
        self.units = units or Units()

    # -- the advice -----------------------------------------------------------

    def causes(self, fault: FaultKey) -> list[str]:
        """The likely causes of a fault, in order."""
        return self._numbered(f"{fault.value}_cause_")

    def checks(self, fault: FaultKey) -> list[str]:
        """What the owner can check, in order."""
        return self._numbered(f"{fault.value}_check_")

    def _numbered(self, prefix: str) -> list[str]:
        items: list[str] = []
        while (text := self._texts.get(f"{prefix}{len(items) + 1}")) is not None:
            items.append(text)
        return items

    def reason(self, reason: str | None) -> str | None:
        """A reason key as a short phrase (the key itself if there is no wording)."""
        if reason is None:
            return None
        return self._texts.get(f"reason_{reason}", reason.replace("_", " "))

    # -- the evidence ---------------------------------------------------------

    def sentences(
        self,
        fault: FaultKey,
        reason: str | None,
        evidence: Mapping[str, Any],
        *,
        known: bool | None = True,
    ) -> list[str]:
        """The evidence as sentences; ``known`` False when the fault cannot be judged now."""
        if evidence.get("error") == RULE_FAILED:
            return [self._texts.get("evidence_rule_failed", RULE_FAILED)]
        said = [
            text
            for sentence in (*SENTENCES.get(fault, ()), *PROGRESS)
            if sentence.when(reason, evidence)
            and (text := self._render(sentence, evidence)) is not None
        ]
        if not said and known is None:
            said.append(self._texts.get("evidence_unknown", ""))
        return [text for text in said if text]

    def notes(self, fault: FaultKey, evidence: Mapping[str, Any]) -> list[str]:
        """The sentences worth telling while the fault is healthy (see ``Sentence.note``)."""
        return [
            text
            for sentence in SENTENCES.get(fault, ())
            if sentence.note
            and sentence.when(None, evidence)
            and (text := self._render(sentence, evidence))
        ]

    def summary(
        self,
        fault: FaultKey,
        reason: str | None,
        evidence: Mapping[str, Any],
        *,
        known: bool | None = True,
    ) -> str:
        """The sentences as one paragraph."""
        return " ".join(self.sentences(fault, reason, evidence, known=known))

    def nothing_abnormal(self) -> str:
        """What a healthy fault's summary says."""
        return self._texts.get("evidence_nothing_abnormal", "")

    def cleared(self) -> str:
        """What is said when a fault clears."""
        return self._texts.get("evidence_cleared", "")

    def _render(self, sentence: Sentence, evidence: Mapping[str, Any]) -> str | None:
        template = self._texts.get(sentence.key)
        if template is None:
            return None
        values: dict[str, str] = {}
        for name, (key, kind) in sentence.values.items():
            shown = self._show(evidence.get(key), kind)
            if shown is None:
                return None
            values[name] = shown
        try:
            return template.format_map(values)
        except KeyError, IndexError, ValueError:
            # A translation that names a placeholder we do not have: better
            # left out than shown with a hole.
            return None

    def _show(self, value: Any, kind: Kind) -> str | None:
        if kind is Kind.TEXT:
            return value if isinstance(value, str) and value else None
        if kind is Kind.NOISE_STATE:
            if not isinstance(value, str):
                return None
            family = value.split("_", 1)[0] if value.startswith("running") else value
            return self._texts.get(f"noise_state_{family}", family)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return self._number(float(value), kind)

    def _number(self, value: float, kind: Kind) -> str:
        fahrenheit = self.units.temperature == FAHRENHEIT
        if kind is Kind.DELTA:
            return f"{abs(value) * (1.8 if fahrenheit else 1.0):.1f} {self.units.temperature}"
        if kind is Kind.TEMPERATURE:
            shown = value * 1.8 + 32.0 if fahrenheit else value
            return f"{shown:.1f} {self.units.temperature}"
        if kind is Kind.LEVEL:
            unit = self.units.noise
            return f"{value:.1f} {unit}" if unit else f"{value:.1f}"
        return _PLAIN[kind](value)


_PLAIN: Mapping[Kind, Callable[[float], str]] = {
    Kind.POWER: lambda value: (
        f"{value / 1000.0:.1f} kW" if abs(value) >= 1000 else f"{value:.0f} W"
    ),
    Kind.MINUTES: lambda value: _minutes(max(value, 0.0)),
    Kind.COUNT: lambda value: f"{value:.0f}",
    Kind.RATE: lambda value: f"{value:.1f}",
    Kind.SHARE: lambda value: f"{value * 100.0:.0f} %",
}


def note_keys(fault: FaultKey) -> frozenset[str]:
    """The evidence keys the notes of a fault are told from."""
    return frozenset(
        key
        for sentence in SENTENCES.get(fault, ())
        if sentence.note
        for key, _ in sentence.values.values()
    )


def placeholders(template: str) -> set[str]:
    """The placeholder names a template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def load_texts(language: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """A language file's ``common`` section, English filling any gap (for the replay)."""
    texts = _strings(_load(DEFAULT_LANGUAGE).get("common"))
    if language != DEFAULT_LANGUAGE:
        texts.update(_strings(_load(language).get("common")))
    return texts


def load_titles(language: str = DEFAULT_LANGUAGE) -> dict[FaultKey, str]:
    """Each fault's name as its problem sensor is called ("Power loss")."""
    titles: dict[FaultKey, str] = {}
    for code in dict.fromkeys((DEFAULT_LANGUAGE, language)):
        entity = _load(code).get("entity")
        sensors = entity.get("binary_sensor") if isinstance(entity, dict) else None
        if not isinstance(sensors, dict):
            continue
        for fault in FaultKey:
            item = sensors.get(fault.value)
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                titles[fault] = item["name"]
    return titles


def _load(language: str) -> dict[str, Any]:
    try:
        data = json.loads((TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8"))
    except OSError, ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _strings(section: object) -> dict[str, str]:
    if not isinstance(section, dict):
        return {}
    return {str(key): str(value) for key, value in section.items()}
