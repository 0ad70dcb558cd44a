"""Tests through Home Assistant's own code paths."""
