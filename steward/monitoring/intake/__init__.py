"""Alerts from other tools: webhook payloads parsed into ``IncomingAlert``s (no Django here).

- ``alertmanager``: Prometheus Alertmanager webhook, payload version 4
- ``generic``: Steward's generic JSON webhook (schema in docs/alerts.md)
- ``apply``: an incoming alert onto the alert state (dedup, flapping, maintenance)
"""
