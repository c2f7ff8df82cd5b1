"""Monitoring models (filled in by the monitoring work)."""
