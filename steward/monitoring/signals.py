"""Samples carry no database foreign key to their series (see models.series): when a series
goes (with its asset or check, or alone), its samples go with it here."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import pre_delete
from django.dispatch import Signal, receiver

from steward.monitoring.models import Sample, Series


@receiver(pre_delete, sender=Series)
def delete_samples_of_series(sender: type[Series], instance: Series, **kwargs: Any) -> None:
    Sample.objects.filter(series_id=instance.pk)._raw_delete(Sample.objects.db)


# Sent after commit when a check's state changes: check_id, old (None for its first result),
# new, at (the time of the first result in the new state). Alert evaluation listens here.
check_state_changed = Signal()

# Sent after commit when a told alert transition is recorded: alert_id, kind ("fired" or
# "resolved"), at (the transition's time). The notify app publishes outage notices here.
alert_changed = Signal()


@receiver(pre_delete, sender=Series)
def forget_series_ids(sender: type[Series], instance: Series, **kwargs: Any) -> None:
    # Imported here: services import this module for check_state_changed.
    from steward.monitoring.services.samples import series_cache

    series_cache.clear()
