"""The evidence in words, in every language file, in both temperature units."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from custom_components.heat_pump_health.engine.model import FaultKey
from custom_components.heat_pump_health.explain import REASONS, Explainer, Units, load_texts

TRANSLATIONS = (
    Path(__file__).resolve().parent.parent / "custom_components" / "heat_pump_health"
) / "translations"
LANGUAGES = sorted(path.stem for path in TRANSLATIONS.glob("*.json"))

# Evidence as each detector writes it, for each reason (and healthy: None).
EVIDENCE: dict[FaultKey, dict[str | None, dict[str, Any]]] = {
    FaultKey.POWER_LOSS: {
        "no_power": {"power_w": 0.0, "standby_w": 12.0, "demand": "heat", "split_k": 2.5},
        "power_unavailable": {
            "power_w": None,
            "standby_w": None,
            "demand": "cool",
            "split_k": -0.4,
        },
        "counter_still": {
            "power_w": 400.0,
            "standby_w": None,
            "demand": "heat",
            "split_k": 15.0,
            "power_resolution_w": 400.0,
            "power_lag_minutes": 18.0,
            "counter_still_minutes": 20.0,
        },
        "no_standby_power": {"power_w": 0.0, "standby_w": 14.0, "zero_minutes": 22.0},
        "sources_lost": {"lost_sources": 5, "lost_minutes": 11.0},
        None: {"power_w": 671.0, "standby_w": 12.0, "demand": "heat", "split_k": 11.0},
    },
    FaultKey.ICE_BUILDUP: {
        "defrost_too_long": {"defrost_minutes": 24.0, "max_defrost_minutes": 20.0},
        "defrost_not_clearing": {"failed_defrosts_in_a_row": 3, "success_coil_c": 5.0},
        "back_to_back_defrosts": {"quick_repeats_3h": 3, "last_defrost_minutes": 6.0},
        "defrost_overdue": {
            "running_since_defrost_minutes": 96,
            "overdue_after_minutes": 68,
            "split_share": 0.31,
            "last_defrost_minutes": 6.0,
        },
        "coil_icing": {
            "coil_outdoor_gap_k": 17.2,
            "alarm_gap_k": 16.0,
            "gap_growth_k": 4.1,
            "icing_minutes": 95.0,
        },
        None: {"coil_outdoor_gap_k": 7.0, "last_defrost_minutes": 6.5},
    },
    FaultKey.INSUFFICIENT_HEAT: {
        "low_split": {
            "split_k": 4.0,
            "min_split_k": 8.2,
            "expected_split_k": 11.5,
            "expectation": "learned",
        },
        "high_split": {"split_k": 21.0, "max_split_k": 18.0, "high_split_minutes": 50},
        "capacity_drop": {
            "split_k": 8.4,
            "min_split_k": 6.5,
            "expected_split_k": 12.9,
            "delivery_share": 0.65,
            "shortfall_score": 1.0,
        },
        "room_below_target": {
            "room_deficit_k": 2.1,
            "cold_room_minutes": 190,
            "power_w": 2400,
            "flat_out_w": 2500,
        },
        None: {"split_k": 12.0},
    },
    FaultKey.ABNORMAL_NOISE: {
        "sustained": {"elevated_share": 0.8, "level": 61.0, "baseline": 52.0, "state": "running_7"},
        "bursts": {
            "bursts_last_hour": 4,
            "bursts_hour_before": 3,
            "elevated_above": 58.0,
            "baseline": 52.0,
            "state": "idle",
        },
        None: {"level": 51.0, "baseline": 52.0, "state": "defrost"},
    },
    FaultKey.SHORT_CYCLING: {
        "short_cycles": {
            "starts_last_hour": 9,
            "start_limit": 6.0,
            "median_run_minutes": 3.0,
            "usual_starts_per_hour": 0.4,
            "shortest_usual_run_minutes": 5.0,
        },
        None: {"starts_last_hour": 1, "start_limit": 6.0, "median_run_minutes": 42.0},
    },
}


def _explainer(language: str, temperature: str = "°C") -> Explainer:
    return Explainer(load_texts(language), Units(temperature=temperature, noise="dB"))


def test_every_reason_has_evidence_here() -> None:
    for fault, reasons in REASONS.items():
        assert set(reasons) | {None} == set(EVIDENCE[fault]), fault


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_reason_reads_as_sentences(language: str) -> None:
    explainer = _explainer(language)
    for fault, cases in EVIDENCE.items():
        for reason, evidence in cases.items():
            sentences = explainer.sentences(fault, reason, evidence)
            assert sentences, (fault, reason)
            for sentence in sentences:
                assert "{" not in sentence
                assert "None" not in sentence
                assert sentence.strip() == sentence
            if reason is not None:
                assert explainer.reason(reason) != reason.replace("_", " ") or language != "en"


def test_english_power_loss_reads_as_an_owner_would_say_it() -> None:
    explainer = _explainer("en")
    evidence = {
        **EVIDENCE[FaultKey.POWER_LOSS]["no_power"],
        "abnormal_minutes": 4.0,
        "confirm_minutes": 10.0,
    }
    assert explainer.sentences(FaultKey.POWER_LOSS, "no_power", evidence) == [
        "The unit draws 0 W while the thermostat calls for heat.",
        "The supply is only 2.5 °C warmer than the return: no heat is going out.",
        "Its normal standby draw is 12 W.",
        "Seen for 4 min of the 10 min it must last before it is confirmed.",
    ]


def test_fahrenheit_shows_differences_and_temperatures_in_fahrenheit() -> None:
    explainer = _explainer("en", "°F")
    [cooling] = explainer.sentences(
        FaultKey.POWER_LOSS, "power_unavailable", EVIDENCE[FaultKey.POWER_LOSS]["power_unavailable"]
    )[1:]
    assert cooling == "The supply is only 0.7 °F cooler than the return: no cooling is going out."
    [not_clearing] = explainer.sentences(
        FaultKey.ICE_BUILDUP,
        "defrost_not_clearing",
        EVIDENCE[FaultKey.ICE_BUILDUP]["defrost_not_clearing"],
    )
    assert "below 41.0 °F" in not_clearing


def test_numbers_are_shown_in_readable_units() -> None:
    explainer = _explainer("en")
    [room] = explainer.sentences(
        FaultKey.INSUFFICIENT_HEAT,
        "room_below_target",
        EVIDENCE[FaultKey.INSUFFICIENT_HEAT]["room_below_target"],
    )
    assert room == (
        "The room has been 2.1 °C below its target for 3 h 10 min while the unit runs at "
        "2.4 kW, close to its full 2.5 kW."
    )
    [drop] = explainer.sentences(
        FaultKey.INSUFFICIENT_HEAT,
        "capacity_drop",
        EVIDENCE[FaultKey.INSUFFICIENT_HEAT]["capacity_drop"],
    )
    assert drop == (
        "For hours the supply has been warmer than the return by only 65 % of what this unit "
        "gave at this outdoor temperature and load while healthy: 8.4 °C now, 12.9 °C normally."
    )
    [drawn] = explainer.sentences(FaultKey.INSUFFICIENT_HEAT, "capacity_drop", {"draw_share": 1.37})
    assert drawn.startswith("Over the last day it drew 137 % of the energy per degree")
    [at_capacity, split] = explainer.sentences(
        FaultKey.INSUFFICIENT_HEAT,
        None,
        {"split_k": 12.0, "room_deficit_k": 1.8, "at_capacity": True},
    )
    assert at_capacity.startswith("The room is 1.8 °C below its target while the unit delivers")
    assert "not a fault" in at_capacity
    assert split == "The supply is 12.0 °C warmer than the return."
    [sustained] = explainer.sentences(
        FaultKey.ABNORMAL_NOISE, "sustained", EVIDENCE[FaultKey.ABNORMAL_NOISE]["sustained"]
    )
    assert sustained == (
        "The level has been above normal for 80 % of the last quarter hour: it is 61.0 dB, "
        "where 52.0 dB is normal while it runs."
    )


def test_missing_values_leave_their_sentence_out() -> None:
    explainer = _explainer("en")
    evidence = {"power_w": 0.0, "standby_w": None, "demand": "heat", "split_k": None}
    assert explainer.sentences(FaultKey.POWER_LOSS, "no_power", evidence) == [
        "The unit draws 0 W while the thermostat calls for heat."
    ]


def test_unknown_failed_and_healthy() -> None:
    explainer = _explainer("en")
    assert explainer.sentences(FaultKey.ABNORMAL_NOISE, None, {}, known=None) == [
        "This fault cannot be judged right now: the readings it needs are unknown."
    ]
    assert explainer.sentences(FaultKey.POWER_LOSS, "no_power", {"error": "rule_failed"}) == [
        "This fault could not be judged at the last evaluation; the log says why."
    ]
    assert explainer.nothing_abnormal() == "Nothing abnormal at the last evaluation."
    assert explainer.cleared().startswith("Back to normal")
    assert explainer.reason(None) is None
    assert explainer.reason("brand_new") == "brand new"


def test_a_broken_translation_is_left_out_not_shown_with_a_hole() -> None:
    texts = {**load_texts(), "power_loss_draw": "Draws {watts}.", "power_loss_standby": "{"}
    explainer = Explainer(texts)
    assert explainer.sentences(FaultKey.POWER_LOSS, None, {"power_w": 5.0, "standby_w": 4.0}) == []


def test_causes_and_checks_come_in_order() -> None:
    explainer = _explainer("en")
    english = json.loads((TRANSLATIONS / "en.json").read_text(encoding="utf-8"))["common"]
    assert explainer.checks(FaultKey.POWER_LOSS)[0] == english["power_loss_check_1"]
    assert explainer.causes(FaultKey.ICE_BUILDUP)[-1] == english["ice_buildup_cause_4"]


def test_progress_is_said_only_while_it_means_something() -> None:
    explainer = _explainer("en")
    active = {
        **EVIDENCE[FaultKey.POWER_LOSS]["no_power"],
        "healthy_minutes": 0.0,
        "clear_minutes": 5,
    }
    assert not any(
        "Normal again" in s for s in explainer.sentences(FaultKey.POWER_LOSS, "no_power", active)
    )
    clearing = {**active, "healthy_minutes": 2.0}
    assert explainer.sentences(FaultKey.POWER_LOSS, "no_power", clearing)[-1] == (
        "Normal again for 2 min of the 5 min it must last before it clears."
    )


def test_the_units_own_error_is_said_with_any_fault() -> None:
    explainer = _explainer("en")
    evidence = {**EVIDENCE[FaultKey.ICE_BUILDUP]["defrost_too_long"], "unit_error": "H99"}
    assert "The unit itself reports H99." in explainer.sentences(
        FaultKey.ICE_BUILDUP, "defrost_too_long", evidence
    )


def test_a_counters_power_says_how_sharp_and_how_old() -> None:
    explainer = _explainer("en")
    evidence = {"power_w": 180.0, "power_resolution_w": 100.0, "power_lag_minutes": 42.0}
    assert explainer.sentences(FaultKey.POWER_LOSS, None, evidence)[-1] == (
        "The power is worked out from an energy counter: to within 100 W, and as of 42 min ago."
    )


def test_short_cycling_says_how_short_the_controls_let_it_run() -> None:
    sentences = _explainer("en").sentences(
        FaultKey.SHORT_CYCLING, "short_cycles", EVIDENCE[FaultKey.SHORT_CYCLING]["short_cycles"]
    )
    assert sentences[-1] == "Its controls have rarely stopped it after less than 5 min of running."


def test_an_overdue_defrost_says_how_late_and_how_little_heat() -> None:
    sentences = _explainer("en").sentences(
        FaultKey.ICE_BUILDUP, "defrost_overdue", EVIDENCE[FaultKey.ICE_BUILDUP]["defrost_overdue"]
    )
    assert sentences[0] == (
        "It has run 1 h 36 min in frosting weather without a defrost (one is due within"
        " 1 h 8 min), and its supply-return split has fallen to 31 % of its usual:"
        " the coil is frosting over."
    )


def test_a_coil_at_the_air_says_nothing_moves_through_it() -> None:
    evidence = {"power_w": None, "demand": "heat", "split_k": None, "coil_at_air_minutes": 12.0}
    assert _explainer("en").sentences(FaultKey.POWER_LOSS, "power_unavailable", evidence) == [
        "The power sensor is unavailable while the thermostat calls for the unit to run.",
        "The outdoor coil has sat at the outdoor air's temperature for 12 min:"
        " no refrigerant is moving through it.",
    ]


def test_a_rattle_heard_run_after_run_says_it_comes_with_the_running() -> None:
    evidence = {**EVIDENCE[FaultKey.ABNORMAL_NOISE]["bursts"], "runs_heard": 3}
    sentences = _explainer("en").sentences(FaultKey.ABNORMAL_NOISE, "bursts", evidence)
    assert sentences[1] == (
        "They came in 3 separate runs, and the unit rested at least half of that time:"
        " the sound comes with its running."
    )
    # Found by its count alone, the bursts say nothing about runs.
    plain = _explainer("en").sentences(
        FaultKey.ABNORMAL_NOISE, "bursts", EVIDENCE[FaultKey.ABNORMAL_NOISE]["bursts"]
    )
    assert not any("separate runs" in sentence for sentence in plain)


def test_a_wider_coil_gap_says_the_coil_runs_colder_only_when_it_counted() -> None:
    evidence = {"delivery_share": 0.8, "coil_gap_share": 1.6, "coil_gap_wider": True}
    sentences = _explainer("en").sentences(FaultKey.INSUFFICIENT_HEAT, "capacity_drop", evidence)
    assert sentences[-1] == (
        "Where no frost can be on it, the outdoor coil has been running 160 % of its healthy"
        " distance below the outdoor air, at the same load and weather: a coil short of"
        " refrigerant runs colder."
    )
    # A share in the attributes that did not count is not told.
    quiet = {key: value for key, value in evidence.items() if key != "coil_gap_wider"}
    told = _explainer("en").sentences(FaultKey.INSUFFICIENT_HEAT, "capacity_drop", quiet)
    assert not any("outdoor coil" in sentence for sentence in told)


def test_a_short_defrost_that_left_ice_says_how_short_and_how_little_heat() -> None:
    """Without a coil probe there is no coil temperature to name: length and heat instead."""
    explainer = Explainer(load_texts("en"))
    evidence = {
        "failed_defrosts_in_a_row": 0,
        "success_coil_c": 5.0,
        "short_defrosts_not_clearing": 2,
        "last_defrost_minutes": 1.2,
        "usual_defrost_minutes": 6.0,
        "split_share_after_defrost": 0.2,
    }
    text = explainer.summary(FaultKey.ICE_BUILDUP, "defrost_not_clearing", evidence)
    assert "Defrosts are being cut short (this unit's usually last 6 min or more)" in text
    assert "at or below 20 % of its usual until the next defrost" in text
    assert "Short defrosts in a row that did: 2." in text
    assert "The last defrost took 1 min." in text
    assert "ended with the outdoor coil" not in text
    # Clearing, with the short defrosts' evidence gone: no coil count of 0 either.
    del evidence["short_defrosts_not_clearing"]
    text = explainer.summary(FaultKey.ICE_BUILDUP, "defrost_not_clearing", evidence)
    assert "ended with the outdoor coil" not in text


def test_a_defrost_timed_by_the_coil_says_the_coil_was_held_warm() -> None:
    """No defrost source: the coil's warm spell is the defrost, and the words say so."""
    running = {
        "max_defrost_minutes": 20.0,
        "last_defrost_minutes": None,
        "failed_defrosts_in_a_row": 0,
        "warm_coil_minutes": 24.0,
        "coil_outdoor_gap_k": -13.0,
    }
    explainer = _explainer("en")
    assert explainer.sentences(FaultKey.ICE_BUILDUP, "defrost_too_long", running) == [
        "The outdoor coil has been held above the outdoor air for 24 min while the unit"
        " heats, as only a defrost holds it; a normal defrost ends within 20 min."
    ]
    ended = {"max_defrost_minutes": 20.0, "long_warm_coil_minutes": 31.0}
    assert explainer.sentences(FaultKey.ICE_BUILDUP, "defrost_too_long", ended) == [
        "The outdoor coil was held above the outdoor air for 31 min while the unit"
        " heated, as only a defrost holds it; a normal defrost ends within 20 min."
    ]
