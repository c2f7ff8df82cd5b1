"""Kinds and outcomes of the portal's records, as TextChoices (never bare strings)."""

from __future__ import annotations

from django.db import models


class ApprovalKind(models.TextChoices):
    OUT_OF_SCOPE_WORK = "out_of_scope_work", "Out-of-scope work"
    CHANGE = "change", "Change"


class Decision(models.TextChoices):
    PENDING = "", "Waiting for a decision"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
