"""Simulated heat-pump traces replayed end to end."""
