"""What the tests and the benchmarks share: a player that drives a real Home Assistant
with simulated records, and a synthetic week as Home Assistant exports it.

Kept out of ``tests/`` so that ``./scripts/bench`` does not depend on the test suite.
"""
