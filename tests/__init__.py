"""Tests for Heat Pump Health."""
