"""The default MSP-wide policies (steward/notify/defaults.py)."""

from typing import Any

from django.db import migrations

from steward.notify.defaults import DEFAULT_POLICIES


def create(apps: Any, schema_editor: Any) -> None:
    Policy = apps.get_model("notify", "Policy")
    for values in DEFAULT_POLICIES:
        if not Policy.objects.filter(client__isnull=True, name=values["name"]).exists():
            Policy.objects.create(client=None, **values)


def remove(apps: Any, schema_editor: Any) -> None:
    Policy = apps.get_model("notify", "Policy")
    Policy.objects.filter(client__isnull=True, name__in=[v["name"] for v in DEFAULT_POLICIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("notify", "0001_channels_policies_deliveries")]
    operations = [migrations.RunPython(create, remove)]
