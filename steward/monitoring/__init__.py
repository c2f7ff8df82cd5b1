"""Proactive management: assets, checks, samples, alert rules, alerts, maintenance, ingest."""
