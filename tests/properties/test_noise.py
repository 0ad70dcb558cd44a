"""Whatever a real home throws at it: no exception, no false alarm, no missed fault.

Every example is a slice of a simulator preset's trace, started from the clean
run's evaluator state at that hour (restored as after a restart), with
generated noise mixed in: unavailable/unknown/empty/text/nan/inf states,
absurd values, probe errors (85.0 and -127.0 in the sensor's unit), repeated
and late (out-of-order) records, unit switches mid-stream with consistently
converted values, hours-long gaps and clock steps.

- Healthy presets: no exception, no fault, 3-6 h slices anywhere.
- Fault presets: the expected fault is still found and no other appears.
  The slice starts 1-4 h before the clean run confirmed it and runs 2 h past
  that (plus any time the noise takes away: gaps, a clock stepped back).
  Gaps end before the fault's onset, which they would otherwise hide.
- Whole traces through ``replay`` (the owner's tool) with glitches mixed in.
"""

from __future__ import annotations

from dataclasses import replace
import math

from heat_pump_sim.physics import StateRecord
from heat_pump_sim.scenarios import EXPECTED_FAULT, HEALTHY_PRESETS
from hypothesis import given, settings, strategies as st

from custom_components.heat_pump_health.playback import ReplayConfig, build_report, replay

from .conftest import TALLY, examples
from .live import HOUR, trace
from .noise import Plan, _glitch_record, plans, play

FAULTY = tuple(sorted(EXPECTED_FAULT))


def _run(kind: str, check: object) -> None:
    """Run one sequence and tally it; exceptions count and propagate."""
    TALLY[f"{kind}:sequences"] += 1
    try:
        check()  # type: ignore[operator]
    except AssertionError:
        raise
    except Exception:
        TALLY[f"{kind}:exceptions"] += 1
        raise


@settings(max_examples=examples("healthy"))
@given(
    name=st.sampled_from(HEALTHY_PRESETS),
    where=st.floats(0.0, 1.0),
    hours=st.floats(3.0, 6.0),
    plan=plans(max_glitches=40, gaps=True, clock=True),
)
def test_healthy_with_noise_raises_nothing(
    name: str, where: float, hours: float, plan: Plan
) -> None:
    clean = trace(name)
    # The slice, stretched by the plan, must end within the trace: past its
    # end nothing changes any more, and a defrost in progress would last forever.
    latest = clean.end - hours * HOUR - plan.extra_s
    start = clean.start + where * max(latest - clean.start, 0.0)

    def check() -> None:
        played = play(clean, start, start + hours * HOUR, plan)
        outcome = played.outcome
        if outcome.failed_rules:
            TALLY["healthy:exceptions"] += 1
        if outcome.active:
            TALLY["healthy:false_alarms"] += 1
        assert not outcome.failed_rules, f"rules failed: {outcome.failed_rules}"
        assert not outcome.active, f"false alarm: {sorted(outcome.active)}"

    _run("healthy", check)


@settings(max_examples=examples("faulty"))
@given(
    name=st.sampled_from(FAULTY),
    before=st.integers(1, 4),
    plan=plans(max_glitches=20, gaps=True, clock=True),
)
def test_fault_with_noise_is_still_found(name: str, before: int, plan: Plan) -> None:
    clean = trace(name)
    assert clean.confirmed is not None
    assert clean.onset is not None
    assert clean.expected is not None
    start = clean.confirmed - before * HOUR
    end = clean.confirmed + 2 * HOUR

    def check() -> None:
        played = play(clean, start, end, plan, gaps_before=clean.onset - 600.0)
        outcome = played.outcome
        others = outcome.active - {clean.expected}
        if outcome.failed_rules:
            TALLY["faulty:exceptions"] += 1
        if clean.expected not in outcome.active:
            TALLY["faulty:missed"] += 1
        if others:
            TALLY["faulty:false_alarms"] += 1
        assert not outcome.failed_rules, f"rules failed: {outcome.failed_rules}"
        assert clean.expected in outcome.active, f"{clean.expected} missed"
        assert not others, f"false alarm: {sorted(others)}"

    _run("faulty", check)


@settings(max_examples=examples("replay"))
@given(
    name=st.sampled_from((*HEALTHY_PRESETS, *FAULTY)),
    glitches=st.lists(
        st.tuples(st.floats(0.0, 1.0), st.integers(0, 1000), st.floats(1.0, 180.0)),
        max_size=200,
    ),
)
def test_whole_trace_replay_with_glitches(
    name: str, glitches: list[tuple[float, int, float]]
) -> None:
    """The owner's path: a whole export, glitches in it, through ``replay``."""
    clean = trace(name)
    records: list[StateRecord] = list(clean.records)
    span = clean.end - clean.records[0].last_updated
    for index, (where, choice, recover) in enumerate(glitches):
        truth = clean.records[min(int(where * len(clean.records)), len(clean.records) - 1)]
        at = truth.last_updated + 1.0
        records.append(_glitch_record(clean, truth, choice + index, at))
        if at + recover <= clean.end:
            again = clean.by_entity(truth.entity_id)
            times, history = again
            from bisect import bisect_right  # noqa: PLC0415

            latest = history[bisect_right(times, at + recover) - 1]
            records.append(replace(latest, last_changed=at + recover, last_updated=at + recover))
    assert math.isfinite(span)

    def check() -> None:
        report = build_report(replay(records, ReplayConfig.from_mapping(clean.config)))
        found = {fault["fault"] for fault in report["faults"]}
        expected = {EXPECTED_FAULT[name]} if name in EXPECTED_FAULT else set()
        if expected - found:
            TALLY["replay:missed"] += 1
        if found - expected:
            TALLY["replay:false_alarms"] += 1
        assert found == expected

    _run("replay", check)
