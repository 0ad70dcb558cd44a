"""The fault evaluator: plain Python, no Home Assistant imports.

Readings go in with explicit timestamps (UTC epoch seconds), fault states and
the evidence behind them come out.  The live integration and the replay tool
both drive this same code.
"""
