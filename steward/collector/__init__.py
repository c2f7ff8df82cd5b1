"""The Steward collector: runs checks inside a client's network and pushes their results to the
server through the public ingest API (docs/ingest.md).

Django-free on purpose: nothing here imports Django or any steward module outside this package,
so a collector installs and runs on a small machine at a client site.
"""
