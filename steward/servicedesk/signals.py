"""What other parts of Steward hear from the service desk.

``event_recorded`` is sent inside the verb's transaction, after the event row and the SLA
columns are written, with ``event`` and ``ticket``. Receivers that talk to the outside world
(mail, webhooks) defer with ``transaction.on_commit`` or a task, so a failed send never undoes
the work and a rolled-back verb never sends.
"""

from django.dispatch import Signal

event_recorded = Signal()
