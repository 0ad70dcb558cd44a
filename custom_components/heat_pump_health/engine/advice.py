"""What to tell the owner about each fault: likely causes and what to check."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from .model import FaultKey, Severity


@dataclass(frozen=True, slots=True, kw_only=True)
class Advice:
    """Owner-facing text for one fault."""

    title: str
    causes: tuple[str, ...]
    checks: tuple[str, ...]


ADVICE: Mapping[FaultKey, Advice] = MappingProxyType(
    {
        FaultKey.POWER_LOSS: Advice(
            title="The heat pump is not getting power",
            causes=(
                "A tripped circuit breaker or blown fuse on the heat pump's circuit.",
                "The outdoor isolator switch has been turned off.",
                "Damaged or loose wiring to the unit.",
                "The thermostat or controller is not asking the unit to run.",
            ),
            checks=(
                "Look at the main electrical panel and any sub-panel feeding the heat pump; "
                "reset a tripped breaker once, and call an electrician if it trips again.",
                "Make sure the isolator switch next to the outdoor unit is on.",
                "Look for frayed, chewed or scorched cables around the unit, without "
                "touching them; wiring faults are a job for a professional.",
                "Check that the thermostat is in the right mode and has working batteries.",
            ),
        ),
        FaultKey.ICE_BUILDUP: Advice(
            title="Ice is building up on the outdoor unit",
            causes=(
                "Defrost is not clearing the coil: a faulty defrost sensor, control board "
                "or reversing valve.",
                "Melt water cannot drain away and refreezes under or around the unit.",
                "Snow, leaves or a cover are blocking air flow through the outdoor coil.",
                "A fan that does not turn, or too little refrigerant.",
            ),
            checks=(
                "Light frost that clears every so often is normal; a thick layer of ice on "
                "the top, or a coil encased in ice, is not.",
                "Clear snow and debris from around and above the unit and keep the drain "
                "path free; never chip ice off the fins.",
                "Make sure the outdoor fan turns while the unit is heating.",
                "If the ice keeps coming back, switch the unit off and book a service: ice "
                "can damage the fins and the fan and in the end the compressor.",
            ),
        ),
        FaultKey.INSUFFICIENT_HEAT: Advice(
            title="The heat pump delivers less heat than it should",
            causes=(
                "Dirty air filters or blocked vents, registers or ducts.",
                "Too little refrigerant, or a restriction in the refrigerant circuit.",
                "A faulty valve (for example the reversing or expansion valve).",
                "The thermostat set lower than you think, or in the wrong mode.",
            ),
            checks=(
                "Clean or replace the air filters and make sure no vent or register is "
                "closed or covered.",
                "Check the thermostat's mode and set point.",
                "On a water system, check the system pressure and that radiator or "
                "floor-loop valves are open.",
                "If the unit still runs hard without warming the home, ask a technician to "
                "check the refrigerant charge and the valves.",
            ),
        ),
        FaultKey.ABNORMAL_NOISE: Advice(
            title="The heat pump sounds different from usual",
            causes=(
                "Rattling that comes and goes: loose panels, screws or hardware, or a "
                "register or grille out of place.",
                "Steady grinding or squealing: worn fan or motor bearings.",
                "Something touching the fan, such as debris or ice.",
            ),
            checks=(
                "Look for loose panels, screws or objects resting on the unit, and for "
                "debris near the fan; switch off the power before touching anything.",
                "Listen whether the sound is steady (bearings) or comes in bursts (loose parts).",
                "Grinding or squealing should be seen by a technician soon: catching worn "
                "bearings early avoids a more expensive repair.",
            ),
        ),
    }
)

SEVERITY: Mapping[FaultKey, Severity] = MappingProxyType(
    {
        FaultKey.POWER_LOSS: Severity.ERROR,
        FaultKey.ICE_BUILDUP: Severity.ERROR,
        FaultKey.INSUFFICIENT_HEAT: Severity.WARNING,
        FaultKey.ABNORMAL_NOISE: Severity.WARNING,
    }
)
