"""Make the simulator importable as ``heat_pump_sim``.

The simulator lives under ``config/custom_components`` (the development Home
Assistant configuration), which is not on the import path by default.
"""

from __future__ import annotations

from pathlib import Path
import sys

_CUSTOM_COMPONENTS = Path(__file__).resolve().parents[2] / "config" / "custom_components"
if str(_CUSTOM_COMPONENTS) not in sys.path:
    sys.path.insert(0, str(_CUSTOM_COMPONENTS))
