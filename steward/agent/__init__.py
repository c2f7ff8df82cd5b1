"""The Steward agent: runs on a managed endpoint and pushes metrics, inventory and security-posture
facts through the public ingest API (docs/ingest.md).

Django-free by rule: nothing under this package imports Django or any Steward module other than
the shared transport (`steward.collector.transport`), so it installs and runs on endpoints alone.
"""
