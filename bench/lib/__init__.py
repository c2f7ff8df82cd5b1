"""Helpers shared by the bench scripts (not benches themselves: `make bench` runs bench/*.py)."""
