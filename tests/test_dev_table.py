"""The README's "How long it takes" table: the development instance's faults, measured."""

from __future__ import annotations

from scripts.scoring.dev_table import measure


def test_a_breaker_trip_on_the_development_instance_is_found_and_cleared() -> None:
    reports, detected, cleared = measure("breaker_trip", 3.0)
    assert reports == "power_loss (no_power)"
    assert detected.endswith(" min")
    assert int(detected.split()[0]) <= 30
    assert cleared.endswith(" min")
    assert int(cleared.split()[0]) <= 10


def test_what_a_fault_comes_to_when_left_alone_is_listed() -> None:
    """A defrost that never starts: the room's shortfall first, then the ice."""
    reports, _, cleared = measure("defrost_never_starts", 24.0)
    assert reports.startswith("insufficient_heat")
    assert ", then ice_buildup" in reports
    assert not cleared.startswith("not within")
