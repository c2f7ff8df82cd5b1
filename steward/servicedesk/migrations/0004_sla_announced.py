"""Announced deadlines become a set of kinds per ticket (``sla_announced``).

Existing tickets keep what their timelines show as announced; closed, resolved and imported
tickets settle every kind, so no old breach is escalated after the upgrade.
"""

from typing import Any

from django.db import migrations, models

ALL_KINDS = sorted(f"{clock}_{what}" for clock in ("response", "plan", "resolution")
                   for what in ("warning", "breach"))  # fmt: skip


def fill_announced(apps: Any, schema_editor: Any) -> None:
    Ticket = apps.get_model("servicedesk", "Ticket")
    TicketEvent = apps.get_model("servicedesk", "TicketEvent")
    Ticket.objects.filter(status__in=("resolved", "closed")).update(sla_announced=ALL_KINDS)
    Ticket.objects.filter(source="import").update(sla_announced=ALL_KINDS)
    shown: dict[int, set[str]] = {}
    for ticket_id, data in TicketEvent.objects.filter(
        kind__in=("sla_warning", "sla_breach")
    ).values_list("ticket_id", "data"):
        if isinstance(data, dict) and data.get("kind") in ALL_KINDS:
            shown.setdefault(ticket_id, set()).add(data["kind"])
    for ticket in Ticket.objects.filter(pk__in=shown).exclude(sla_announced=ALL_KINDS):
        ticket.sla_announced = sorted(shown[ticket.pk])
        ticket.save(update_fields=["sla_announced"])


class Migration(migrations.Migration):
    dependencies = [
        ("servicedesk", "0003_breached_index_and_unique_refs"),
    ]

    operations = [
        migrations.RemoveField(model_name="ticket", name="announced_deadline_at"),
        migrations.RemoveField(model_name="ticket", name="announced_deadline_kind"),
        migrations.AddField(
            model_name="ticket",
            name="sla_announced",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(fill_announced, migrations.RunPython.noop),
    ]
