"""Every language file follows hassfest's current translation rules, and says everything.

hassfest needs Home Assistant's source tree and the network; these tests apply
the rules it applies to a custom integration's translations (read from
``script/hassfest/translations.py``) offline, to every file in translations/:
the allowed sections, strings without HTML, URLs, surrounding spaces or
single-quoted placeholders, placeholders that are identifiers, an issue with
either a description or a fix flow (never both), ``data_description`` keys
that name fields.  Then, per language: every sentence the explainer can use
exists and only names placeholders the explainer fills.
"""

from __future__ import annotations

from collections.abc import Iterator
import json
from pathlib import Path
import re
import string
from typing import Any

import pytest

from custom_components.heat_pump_health.const import DOMAIN
from custom_components.heat_pump_health.engine.model import FaultKey
from custom_components.heat_pump_health.explain import (
    PROGRESS,
    REASONS,
    SENTENCE_KEYS,
    SENTENCES,
    Explainer,
    load_texts,
)

PACKAGE = Path(__file__).resolve().parent.parent / "custom_components" / DOMAIN
LANGUAGE_FILES = sorted((PACKAGE / "translations").glob("*.json"))
MANIFEST = json.loads((PACKAGE / "manifest.json").read_text(encoding="utf-8"))

SECTIONS = {
    "title",
    "config",
    "config_subentries",
    "options",
    "preview_features",
    "selector",
    "device_automation",
    "system_health",
    "config_panel",
    "application_credentials",
    "issues",
    "entity_component",
    "device",
    "entity",
    "exceptions",
    "services",
    "conditions",
    "triggers",
    "conversation",
    "common",
}
STEP_KEYS = {
    "title",
    "description",
    "data",
    "data_description",
    "menu_options",
    "menu_option_descriptions",
    "submit",
    "sections",
}
FLOW_KEYS = {"flow_title", "step", "error", "abort", "progress", "create_entry", "initiate_flow"}
TRANSLATION_KEY = re.compile(r"^(?!.+[_-]{2})(?![_-])[a-z0-9-_]+(?<![_-])$")
SLUG = re.compile(r"^[a-z0-9_]+$")
HTML = re.compile(r"<[a-z!/][^>]*>", re.IGNORECASE)
URL = re.compile(r"((ftp|ftps|scp|http|https|mqtt|mqtts|socket|socks5)://|www\.)", re.I)
QUOTED_PLACEHOLDER = re.compile(r"'\{\w+\}'")
COMBINED_REFERENCE = re.compile(r"(.+\[%)|(%\].+)")


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _strings(node: Any, where: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, f"{where}.{key}" if where else key)
    else:
        yield where, node


def _string_problem(value: Any) -> str | None:
    """What hassfest would say of one translated string, or None."""
    if not isinstance(value, str):
        return "not a string"
    problems = {
        "HTML": bool(HTML.search(value)),
        "a URL": bool(URL.search(value)),
        "a placeholder in single quotes": bool(QUOTED_PLACEHOLDER.search(value)),
        "a combined reference": bool(COMBINED_REFERENCE.search(value)),
        "leading or trailing spaces": value != value.strip(),
    }
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(value) if name]
    except ValueError:
        return "a broken placeholder"
    problems["a placeholder that is not an identifier"] = any(
        not name.isidentifier() for name in names
    )
    found = [problem for problem, present in problems.items() if present]
    return ", ".join(found) or None


def _flow_problems(flow: dict[str, Any], where: str) -> list[str]:
    problems = [f"{where}: unknown key {key}" for key in set(flow) - FLOW_KEYS]
    for step_id, step in flow.get("step", {}).items():
        problems += [f"{where}.step.{step_id}: unknown key {key}" for key in set(step) - STEP_KEYS]
        described = set(step.get("data_description", {}))
        if not described <= set(step.get("data", {})):
            problems.append(f"{where}.step.{step_id}: data_description without data")
        for name, part in step.get("sections", {}).items():
            if not set(part.get("data_description", {})) <= set(part.get("data", {})):
                problems.append(f"{where}.step.{step_id}.sections.{name}: description w/o data")
    return problems


@pytest.fixture(params=LANGUAGE_FILES, ids=lambda path: path.name)
def language(request: pytest.FixtureRequest) -> dict[str, Any]:
    return _load(request.param)


def test_there_is_an_english_file() -> None:
    assert PACKAGE / "translations" / "en.json" in LANGUAGE_FILES


def test_every_string_passes(language: dict[str, Any]) -> None:
    problems = [
        f"{where}: {problem}"
        for where, value in _strings(language)
        if (problem := _string_problem(value)) is not None
    ]
    assert problems == []


def test_sections_and_flows(language: dict[str, Any]) -> None:
    assert set(language) <= SECTIONS
    problems: list[str] = []
    for name in ("config", "options"):
        if name in language:
            problems += _flow_problems(language[name], name)
    if MANIFEST["integration_type"] == "helper":
        assert "description" in language["config"]["step"]["user"]
    assert problems == []


def test_issues_have_a_description_or_a_fix_flow_never_both(language: dict[str, Any]) -> None:
    for key, issue in language.get("issues", {}).items():
        assert "title" in issue, key
        assert ("description" in issue) != ("fix_flow" in issue), key
        if "fix_flow" in issue:
            assert _flow_problems(issue["fix_flow"], key) == []


def test_keys_are_valid(language: dict[str, Any]) -> None:
    assert all(SLUG.match(key) for key in language.get("common", {}))
    for platform in language.get("entity", {}).values():
        for key, entity in platform.items():
            assert TRANSLATION_KEY.match(key), key
            assert all(TRANSLATION_KEY.match(state) for state in entity.get("state", {}))
            for state in entity.get("state", {}).values():
                assert "{" not in state, "states take no placeholders"
    for selector in language.get("selector", {}).values():
        assert all(TRANSLATION_KEY.match(option) for option in selector.get("options", {}))


def test_the_checker_finds_what_hassfest_finds() -> None:
    """The rules above catch the mistakes hassfest reported on this integration before."""
    assert _string_problem("reports in '{unit}'") == "a placeholder in single quotes"
    assert _string_problem("see https://example.org") == "a URL"
    assert _string_problem("<b>bold</b>") == "HTML"
    assert _string_problem(" padded") == "leading or trailing spaces"
    assert _string_problem("{0}") == "a placeholder that is not an identifier"
    assert _string_problem("Fine: {name} at 2.5 K.") is None


# -- what the explainer needs from every language ----------------------------


def test_every_sentence_is_there_and_names_only_known_placeholders(
    language: dict[str, Any],
) -> None:
    common = language["common"]
    assert set(common) >= SENTENCE_KEYS
    for sentences in (*SENTENCES.values(), PROGRESS):
        for sentence in sentences:
            names = {name for _, name, _, _ in string.Formatter().parse(common[sentence.key])}
            assert names - {None} <= set(sentence.values), sentence.key


def test_every_fault_has_causes_checks_and_reasons(language: dict[str, Any]) -> None:
    explainer = Explainer(language["common"])
    for fault in FaultKey:
        assert len(explainer.causes(fault)) >= 2, fault
        assert len(explainer.checks(fault)) >= 2, fault
        for reason in REASONS[fault]:
            assert f"reason_{reason}" in language["common"], reason
        assert language["entity"]["binary_sensor"][fault.value]["name"]


def test_fault_issue_placeholders_are_the_flows(language: dict[str, Any]) -> None:
    """The repair dialog fills exactly these; the issue title only the name."""
    filled = {"name", "since", "evidence", "causes", "checks"}
    for fault in FaultKey:
        issue = language["issues"][f"fault_{fault.value}"]
        assert _placeholders(issue["title"]) == {"name"}
        step = issue["fix_flow"]["step"]["init"]
        assert _placeholders(step["description"]) <= filled
        assert {"evidence", "checks"} <= _placeholders(step["description"])
        assert set(step["menu_options"]) == {"keep", "serviced"}
    for key in ("source_missing", "source_unit"):
        step = language["issues"][key]["fix_flow"]["step"]["replace"]
        allowed = {"name", "source", "entity_id"} | ({"unit"} if key == "source_unit" else set())
        assert _placeholders(step["description"]) <= allowed, key


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_english_is_what_the_replay_reads() -> None:
    assert load_texts() == _load(PACKAGE / "translations" / "en.json")["common"]
    assert load_texts("xx") == load_texts()
