"""Queues, skills and the minimal technician profile that routing needs (the people app
extends it later)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_tz


class Queue(models.Model):
    """A work queue (e.g. "Service desk", "Projects"). MSP-wide; mail sent to ``email`` lands
    here."""

    name = models.CharField(max_length=100, unique=True)
    email = models.EmailField(blank=True, help_text="Mail to this address opens tickets here")
    is_default = models.BooleanField(default=False)
    auto_assign = models.BooleanField(
        default=True, help_text="Route new tickets to a technician automatically"
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="queues")
    created_at = models.DateTimeField(default=dj_tz.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Skill(models.Model):
    """A skill a technician has; the categories listed need it (category → required skill)."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    categories = models.ManyToManyField(
        "agreements.ServiceCategory", blank=True, related_name="required_skills"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TechnicianProfile(models.Model):
    """What routing knows of a technician: skills, working calendar and whether to receive
    automatic assignments. Assigned clients are ``User.assigned_clients``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="technician_profile"
    )
    skills = models.ManyToManyField(Skill, blank=True, related_name="technicians")
    calendar = models.ForeignKey(
        "agreements.BusinessCalendar",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Working hours; none = always available",
    )
    auto_assign = models.BooleanField(default=True)
    capacity = models.PositiveSmallIntegerField(
        default=20, help_text="Weighted open-ticket load above which no more is assigned"
    )

    class Meta:
        ordering = ["user__username"]

    def __str__(self) -> str:
        return f"Profile of {self.user}"
