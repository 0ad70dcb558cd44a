"""Constants of the simulated heat pump."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from .physics import (
    BLOCKED_FILTER,
    BREAKER_TRIP,
    DEFROST_ENDS_EARLY,
    DEFROST_NEVER_STARTS,
    DEFROST_TOO_LONG,
    RATTLING,
    REFRIGERANT_LEAK,
    WORN_BEARING,
)

DOMAIN: Final = "heat_pump_sim"
DEVICE_NAME: Final = "Simulated heat pump"

CONF_SPEED: Final = "speed"
DEFAULT_SPEED: Final = 1
# Simulated seconds per real second.  Above 1 only the physics runs faster:
# Home Assistant, and Heat Pump Health with it, still keeps real time (see
# the README).
SPEEDS: Final = (1, 10, 60)

# How often the model advances (real time).  Short enough that a defrost or
# a rattle shows to the second it would on a real unit, long enough to cost
# nothing.
TICK: Final = timedelta(seconds=5)

NO_FAULT: Final = "none"
# In the order the select lists them: the faults Heat Pump Health knows, then
# the two extra kinds the physics can do.
FAULTS: Final = (
    BREAKER_TRIP,
    DEFROST_NEVER_STARTS,
    DEFROST_ENDS_EARLY,
    REFRIGERANT_LEAK,
    RATTLING,
    WORN_BEARING,
    DEFROST_TOO_LONG,
    BLOCKED_FILTER,
)
# A real leak takes days to show; the simulated one loses its charge in two
# hours of simulated time, so that the demonstration fits an afternoon.
LEAK_RAMP: Final = timedelta(hours=2)
