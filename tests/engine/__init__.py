"""Tests of the plain-Python fault evaluator."""
