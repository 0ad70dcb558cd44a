"""Make the Home Assistant part of the benchmark run like the tests (see tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path
import sys

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
SIM_PATH = ROOT / "config" / "custom_components"
if str(SIM_PATH) not in sys.path:
    sys.path.insert(1, str(SIM_PATH))


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load this project's integration."""
