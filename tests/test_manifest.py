"""The manifest, hacs.json, translations and icons follow hassfest's and HACS's rules.

hassfest and HACS's validation action need the network and Home Assistant's
source tree; these checks apply the same rules offline.
"""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

from custom_components.heat_pump_health.binary_sensor import FaultBinarySensor  # noqa: F401
from custom_components.heat_pump_health.const import DOMAIN
from custom_components.heat_pump_health.device_trigger import TRIGGER_TYPES
from custom_components.heat_pump_health.engine.model import FaultKey, Health
from custom_components.heat_pump_health.sensor import SENSORS

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "custom_components" / DOMAIN


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


MANIFEST = _json(PACKAGE / "manifest.json")
EN = _json(PACKAGE / "translations" / "en.json")
ICONS = _json(PACKAGE / "icons.json")
HACS = _json(ROOT / "hacs.json")

INTEGRATION_TYPES = {
    "device",
    "entity",
    "hardware",
    "helper",
    "hub",
    "service",
    "system",
    "virtual",
}
IOT_CLASSES = {
    "assumed_state",
    "calculated",
    "cloud_polling",
    "cloud_push",
    "local_polling",
    "local_push",
}
# The keys HACS's hacs.json schema knows; any other fails its validation.
HACS_KEYS = {
    "name",
    "content_in_root",
    "zip_release",
    "filename",
    "hide_default_branch",
    "country",
    "homeassistant",
    "persistent_directory",
    "hacs",
}


def test_manifest_keys_and_order() -> None:
    keys = list(MANIFEST)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:]), "hassfest wants domain, name, then alphabetical"
    assert MANIFEST["domain"] == PACKAGE.name
    for key in ("codeowners", "documentation", "issue_tracker", "iot_class", "version"):
        assert MANIFEST[key], key
    assert MANIFEST["integration_type"] in INTEGRATION_TYPES
    # Listed on the Integrations tab and found by "Add integration": one
    # service (watching) per heat pump, not a helper.
    assert MANIFEST["integration_type"] == "service"
    assert MANIFEST["iot_class"] == "calculated"
    assert MANIFEST["iot_class"] in IOT_CLASSES
    assert MANIFEST["config_flow"] is True
    assert MANIFEST["requirements"] == []
    assert re.fullmatch(r"\d+\.\d+\.\d+", MANIFEST["version"])
    assert all(owner.startswith("@") for owner in MANIFEST["codeowners"])
    assert MANIFEST["documentation"].startswith("https://")
    assert MANIFEST["issue_tracker"].startswith("https://")


def test_version_matches_pyproject() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'version = "{MANIFEST["version"]}"' in pyproject


def test_hacs_json() -> None:
    assert set(HACS) <= HACS_KEYS
    assert HACS["name"] == MANIFEST["name"]
    # The oldest version we name is one the tests ran on: the pinned one.
    pinned = re.search(r"^homeassistant==(\S+)$", (ROOT / "requirements.txt").read_text(), re.M)
    assert pinned is not None
    assert HACS["homeassistant"] == pinned.group(1)
    assert (ROOT / "info.md").is_file()
    assert (PACKAGE / "brand" / "icon.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_every_entity_is_translated_and_has_an_icon() -> None:
    binary = {fault.value for fault in FaultKey} | {"problem"}
    sensors = {description.key for description in SENSORS}
    assert set(EN["entity"]["binary_sensor"]) == binary
    assert set(EN["entity"]["sensor"]) == sensors
    assert set(ICONS["entity"]["binary_sensor"]) == binary
    assert set(ICONS["entity"]["sensor"]) == sensors
    assert set(EN["entity"]["sensor"]["health"]["state"]) == {health.value for health in Health}


def test_triggers_are_translated() -> None:
    assert set(EN["device_automation"]["trigger_type"]) == set(TRIGGER_TYPES)


def test_no_core_domain_collision() -> None:
    import homeassistant.components as core  # noqa: PLC0415

    assert not (Path(core.__path__[0]) / DOMAIN).exists()


def test_services_follow_hassfests_rules() -> None:
    """services.yaml: valid selectors, and a name, description and icon for every action."""
    from homeassistant.helpers import selector  # noqa: PLC0415
    from homeassistant.util.yaml import load_yaml_dict  # noqa: PLC0415

    from custom_components.heat_pump_health.backtest import BACKTEST_SCHEMA  # noqa: PLC0415

    services = load_yaml_dict(str(PACKAGE / "services.yaml"))
    assert set(services) == set(EN["services"]) == set(ICONS["services"]) == {"backtest"}
    for name, service in services.items():
        texts = EN["services"][name]
        assert texts["name"]
        assert texts["description"]
        assert ICONS["services"][name]["service"].startswith("mdi:")
        fields = service["fields"]
        # The form offers exactly what the action's schema accepts.
        assert set(fields) == {str(key) for key in BACKTEST_SCHEMA.schema}
        for field, spec in fields.items():
            assert texts["fields"][field]["name"]
            assert texts["fields"][field]["description"]
            selector.validate_selector(spec["selector"])
            key = spec["selector"].get("select", {}).get("translation_key")
            if key is not None:
                assert set(EN["selector"][key]["options"]) == set(
                    spec["selector"]["select"]["options"]
                )
