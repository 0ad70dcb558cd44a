"""When the split's reference learns slowly: a slide, not a step that has held still."""

from __future__ import annotations

import json
import math

import pytest

from custom_components.heat_pump_health.engine.reference_drift import ReferenceDrift

MINUTE = 60.0


def _fed(shares: list[float]) -> ReferenceDrift:
    """A drift fed one judged minute per share (the two-hour share taken as the minute's)."""
    drift = ReferenceDrift()
    for share in shares:
        x = math.log(share)
        drift.follow(x, x, MINUTE)
    return drift


def test_a_split_at_its_reference_never_slows_learning() -> None:
    assert not _fed([1.0, 0.97, 1.02] * 1000).slows


def test_a_split_sliding_below_its_reference_slows_learning() -> None:
    # 5 % a day lower, over three days of steady heating.
    slide = [1.0 - 0.05 * minute / 1440.0 for minute in range(3 * 1440)]
    assert _fed(slide).slows


def test_a_step_that_has_held_for_a_day_learns_at_full_speed_again() -> None:
    drift = _fed([0.88] * 600)
    assert drift.slows
    drift = _fed([0.88] * (2 * 1440 + 600))
    assert not drift.slows
    assert drift.held


@pytest.mark.parametrize(
    "garbage",
    [None, 3, "x", [], {"score": "nan"}, {"score": -4, "anchor": 99.0, "held": "yes"}],
)
def test_saved_garbage_gives_a_fresh_drift(garbage: object) -> None:
    drift = ReferenceDrift.from_dict(garbage)
    assert not drift.slows
    assert drift.anchor is None
    json.dumps(drift.to_dict(), allow_nan=False)


def test_a_held_step_survives_a_restart() -> None:
    drift = _fed([0.88] * (2 * 1440 + 600))
    again = ReferenceDrift.from_dict(json.loads(json.dumps(drift.to_dict())))
    assert again.to_dict() == drift.to_dict()
    assert not again.slows


def test_a_slide_a_loosened_reference_trails_does_not_stay_held() -> None:
    """The share against a reference trailing a slide looks still; against where it stood, not."""
    drift = _fed([0.9] * (2 * 1440))
    assert drift.held
    # The live share stays at 0.9 (the reference falls with the split); the
    # share against the reference as it stood falls 3 % a day.
    x = math.log(0.9)
    for minute in range(2 * 1440):
        drift.follow(x, x, MINUTE, held_x=x + math.log(0.97) * minute / 1440.0)
    assert drift.slows
    assert not drift.held
