"""The fault evaluator: plain Python, no Home Assistant imports.

Readings go in with explicit timestamps (UTC epoch seconds), fault states and
the evidence behind them come out.  The live integration and the replay tool
both drive this same code.
"""

from .evaluator import Evaluation, Evaluator
from .model import (
    SEVERITY,
    ClimateReading,
    Diagnostics,
    FaultKey,
    FaultStatus,
    Health,
    InputKey,
    Sensitivity,
    Severity,
    SystemType,
    Value,
)
from .options import EvaluatorOptions

__all__ = [
    "SEVERITY",
    "ClimateReading",
    "Diagnostics",
    "Evaluation",
    "Evaluator",
    "EvaluatorOptions",
    "FaultKey",
    "FaultStatus",
    "Health",
    "InputKey",
    "Sensitivity",
    "Severity",
    "SystemType",
    "Value",
]
