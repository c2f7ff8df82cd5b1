"""Changing channels, policies and message templates (the audit log records each change
through ``audit.register`` in ``apps.py``; a channel's URL is never copied into it)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from steward.notify.choices import ContactRecipient, StaffRecipient
from steward.notify.events import NoticeKind
from steward.notify.models import Channel, MessageTemplate, Policy
from steward.notify.rendering import validate_sources
from steward.notify.sending import channel_error, send_channel
from steward.tenancy.models import Client, Contact, User

NAME_MAX = 100


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "a name is required"})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": f"at most {NAME_MAX} characters"})
    return name


def check_url(url: str) -> str:
    """The apprise URL, stripped; a ValidationError naming ``url`` when apprise refuses it."""
    url = (url or "").strip()
    if not url:
        raise ValidationError({"url": "an apprise URL is required"})
    problem = channel_error(url)
    if problem:
        raise ValidationError({"url": problem})
    return url


def _scheme(url: str) -> str:
    return url.split("://", 1)[0].lower()[:40]


def create_channel(client: Client | None, name: str, url: str, enabled: bool = True) -> Channel:
    """A channel of ``client`` (the MSP's own when None)."""
    url = check_url(url)
    channel = Channel(client=client, name=_name(name), url=url, scheme=_scheme(url),
                      enabled=enabled)  # fmt: skip
    _unique_name(channel)
    channel.save()
    return channel


def update_channel(channel: Channel, changes: Mapping[str, Any]) -> Channel:
    """Rename, enable or disable; a new ``url`` replaces the stored one (blank keeps it)."""
    if "name" in changes:
        channel.name = _name(changes["name"])
    if "enabled" in changes:
        channel.enabled = bool(changes["enabled"])
    if changes.get("url"):
        channel.url = check_url(changes["url"])
        channel.scheme = _scheme(channel.url)
    _unique_name(channel)
    channel.save()
    return channel


def _unique_name(channel: Channel) -> None:
    twins = Channel.objects.filter(client=channel.client, name=channel.name).exclude(pk=channel.pk)
    if twins.exists():
        raise ValidationError({"name": "another channel of this client has this name"})


def delete_channel(channel: Channel) -> None:
    channel.delete()


def test_channel(channel: Channel) -> str:
    """Send a test message now; "" when it went, else why not."""
    try:
        send_channel(channel, "Steward test message", f"A test of the channel {channel.name}.")
    except Exception as exc:  # shown to the person who asked
        return str(exc) or type(exc).__name__
    return ""


POLICY_FIELDS = ("name", "kinds", "enabled", "staff", "contacts", "quiet_start", "quiet_end",
                 "replaces_msp_policies")  # fmt: skip


def _clean_policy(policy: Policy) -> None:
    errors: dict[str, str] = {}
    kinds = policy.kinds if isinstance(policy.kinds, list) else []
    if not kinds or any(k not in NoticeKind.values for k in kinds):
        errors["kinds"] = f"one or more of {', '.join(NoticeKind.values)}"
    staff = policy.staff if isinstance(policy.staff, list) else None
    if staff is None or any(s not in StaffRecipient.values for s in staff):
        errors["staff"] = f"any of {', '.join(StaffRecipient.values)}"
    if policy.contacts not in ContactRecipient.values:
        errors["contacts"] = f"one of {', '.join(ContactRecipient.values)}"
    if (policy.quiet_start is None) != (policy.quiet_end is None):
        errors["quiet_end" if policy.quiet_end is None else "quiet_start"] = (
            "quiet hours need both a start and an end"
        )
    for name in ("quiet_start", "quiet_end"):
        if getattr(policy, name) is not None and not isinstance(getattr(policy, name), time):
            errors[name] = "a time of day, HH:MM"
    if policy.client_id is None and policy.replaces_msp_policies:
        errors["replaces_msp_policies"] = "only a client's policy can replace the MSP's"
    if errors:
        raise ValidationError(errors)


def _links(
    policy: Policy,
    contacts: Iterable[Contact] | None,
    users: Iterable[User] | None,
    channels: Iterable[Channel] | None,
) -> None:
    if contacts is not None:
        contacts = list(contacts)
        if any(c.client_id != policy.client_id for c in contacts):
            raise ValidationError({"named_contacts": "only contacts of the policy's client"})
        policy.named_contacts.set(contacts)
    if users is not None:
        users = list(users)
        if any(u.client_id is not None and u.client_id != policy.client_id for u in users):
            raise ValidationError({"users": "only staff, or users of the policy's client"})
        policy.users.set(users)
    if channels is not None:
        channels = list(channels)
        if any(c.client_id not in (None, policy.client_id) for c in channels):
            raise ValidationError({"channels": "only the MSP's channels or the client's own"})
        policy.channels.set(channels)


def save_policy(
    policy: Policy,
    fields: Mapping[str, Any],
    contacts: Iterable[Contact] | None = None,
    users: Iterable[User] | None = None,
    channels: Iterable[Channel] | None = None,
) -> Policy:
    """Create (an unsaved ``policy`` with its client set) or update a policy; all or
    nothing."""
    for name in POLICY_FIELDS:
        if name in fields:
            setattr(policy, name, fields[name])
    policy.name = _name(policy.name)
    _clean_policy(policy)
    with transaction.atomic():
        policy.save()
        _links(policy, contacts, users, channels)
    return policy


def delete_policy(policy: Policy) -> None:
    policy.delete()


def save_template(kind: str, subject: str, text: str, html: str) -> MessageTemplate:
    """The MSP's wording for ``kind``; blank parts use the shipped default."""
    if kind not in NoticeKind.values:
        raise ValidationError({"kind": f"unknown notice kind {kind!r}"})
    if len(subject) > 300:
        raise ValidationError({"subject": "at most 300 characters"})
    validate_sources({"subject": subject, "text": text, "html": html})
    row, _ = MessageTemplate.objects.get_or_create(kind=kind)
    row.subject, row.text, row.html = subject, text, html
    row.save()
    return row


def reset_template(kind: str) -> None:
    MessageTemplate.objects.filter(kind=kind).delete()
