"""Benchmarks of Heat Pump Health: ``./scripts/bench`` runs them (not part of the HACS package)."""
