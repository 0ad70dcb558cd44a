"""Shared fixtures.

pytest-homeassistant-custom-component ships a ``custom_components`` package of
its own; importing ours first makes Home Assistant's loader find this
project's integration instead.
"""

from __future__ import annotations

from pathlib import Path
import sys

import pytest
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
# The simulator lives with the development configuration, out of the package
# HACS ships; tests import it as ``heat_pump_sim``.
SIM_PATH = ROOT / "config" / "custom_components"
if str(SIM_PATH) not in sys.path:
    sys.path.insert(1, str(SIM_PATH))

import custom_components  # noqa: E402

assert Path(custom_components.__path__[0]).resolve() == ROOT / "custom_components", (
    "the plugin's custom_components package shadows this project's"
)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load this project's integration in every test."""


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots in Home Assistant's format, with random ids masked."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)
