"""Tests for the ingest layer, the history parser and the replay tool."""
