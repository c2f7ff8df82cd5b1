"""Alert rules: pure functions from rules, series windows, the previous state and ``now`` to the
new state and transitions. No Django here; the monitoring services wire it to the models.

- ``model``: the data (``Rule``, ``SeriesWindow``, ``AlertState``, ``Transition``, …)
- ``evaluate``: one rule over one series, the reference semantics (docs/alerts.md)
- ``cycle`` and ``table``: the same over many series at once, with numpy
- ``machine``, ``policy``, ``forecast``, ``describe``: the steps ``evaluate`` composes
- ``defaults``: default rules per asset type and overrides; ``priority``: severity to priority
- ``maintenance``: one-off and recurring (RRULE) maintenance windows
"""
