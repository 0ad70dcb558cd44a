"""The detection scorecard: ``./scripts/scorecard`` runs it (not part of the HACS package)."""
