"""Tests of the heat pump simulator (config/custom_components/heat_pump_sim)."""
