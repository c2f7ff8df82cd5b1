"""Forms of the monitoring pages. They only parse what was typed: the services validate and
write (``services.create_asset``, ``create_check`` …), and their errors come back on the fields.

A check's ``params`` fields are made from its type's pydantic model (``monitoring.params``), so
a new check type gets its editor without a new form. Secret params are write-only: the inputs
never carry the stored value, and an empty one keeps it.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal, Union, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.core.exceptions import ValidationError
from pydantic.fields import FieldInfo

from steward.monitoring.choices import AlertPhase, AlertSeverity, AssetKind, CheckType
from steward.monitoring.models import Asset, Collector
from steward.monitoring.params import PARAMS, SECRET_FIELDS
from steward.monitoring.rules.defaults import KNOWN_IDS
from steward.tenancy.models import Client, Site

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PARAM_PREFIX = "p_"
# Labels that capitalising the param's name would get wrong.
PARAM_LABELS = {
    "url": "URL",
    "verify_tls": "Verify TLS",
    "expect_status": "Expected HTTP statuses",
    "rdtype": "Record type",
    "server_name": "Server name (SNI)",
    "get": "OIDs to get",
    "walk": "OIDs to walk",
    "auth_key": "Auth key",
    "priv_key": "Privacy key",
    "interfaces": "Read interface counters",
    "command": "Plugin command (one argument per line)",
}


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ";").split(";") if part.strip()]


class AssetForm(forms.Form):
    """An asset entered by hand; lists are typed separated by ``;``."""

    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=AssetKind.choices, initial=AssetKind.SERVER)
    site: forms.ModelChoiceField[Site] = forms.ModelChoiceField(
        queryset=Site.objects.none(), required=False
    )
    hostname = forms.CharField(max_length=255, required=False)
    addresses = forms.CharField(required=False, help_text="IP addresses, separated by ;")
    os = forms.CharField(label="OS", max_length=100, required=False)
    os_version = forms.CharField(label="OS version", max_length=100, required=False)
    serial = forms.CharField(max_length=100, required=False)
    vendor = forms.CharField(max_length=100, required=False)
    model = forms.CharField(max_length=100, required=False)
    purchased_on = forms.DateField(required=False, widget=DATE)
    warranty_ends_on = forms.DateField(required=False, widget=DATE)
    os_eol_on = forms.DateField(label="OS end of support", required=False, widget=DATE)
    tags = forms.CharField(required=False, help_text="Separated by ;")
    key = forms.CharField(
        max_length=200, required=False, help_text="Agent or collector identity (optional)"
    )

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]

    @staticmethod
    def initial_of(asset: Any) -> dict[str, Any]:
        initial = {name: getattr(asset, name) for name in AssetForm.base_fields}
        initial["site"] = asset.site_id
        initial["addresses"] = "; ".join(asset.addresses or [])
        initial["tags"] = "; ".join(asset.tags or [])
        return initial

    def values(self) -> dict[str, Any]:
        """The fields as the asset services take them."""
        data = dict(self.cleaned_data)
        data["addresses"] = _split(data.get("addresses") or "")
        data["tags"] = _split(data.get("tags") or "")
        return data


class AssetImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file", help_text="Header row naming the columns; name is required"
    )

    def text(self) -> str:
        upload = self.cleaned_data["file"]
        raw = upload.read(5 * 1024 * 1024 + 1)
        if len(raw) > 5 * 1024 * 1024:
            raise ValidationError({"file": "at most 5 MiB"})
        try:
            return str(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise ValidationError({"file": "not UTF-8 text"}) from None


class CheckTypeForm(forms.Form):
    type = forms.ChoiceField(choices=CheckType.choices)


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    """(the type inside ``X | None``, whether None is allowed)."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return (args[0] if len(args) == 1 else annotation), True
    return annotation, False


def param_field(name: str, info: FieldInfo, secret: bool, secret_set: bool) -> forms.Field:
    """A form field for one param of a check type, typed after its pydantic annotation."""
    annotation, optional = _unwrap_optional(info.annotation)
    required = info.is_required() and not optional
    label = PARAM_LABELS.get(name) or name.replace("_", " ").capitalize()
    default = None if info.is_required() or info.default is None else info.default
    origin = get_origin(annotation)
    if secret:
        note = "Stored encrypted and never shown"
        if secret_set:
            note += "; a value is set: leave empty to keep it"
        return forms.CharField(
            label=label,
            required=False,
            widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
            help_text=note,
        )
    if annotation is bool:
        return forms.BooleanField(label=label, required=False, initial=default)
    if annotation is int:
        return forms.IntegerField(label=label, required=required, initial=default)
    if annotation is float:
        return forms.FloatField(label=label, required=required, initial=default)
    if origin is Literal:
        choices = [(v, v) for v in get_args(annotation)]
        if not required:
            choices = [("", "—"), *choices]
        return forms.ChoiceField(label=label, choices=choices, required=required, initial=default)
    if origin is list:
        (item,) = get_args(annotation)
        if item is int:
            return forms.CharField(
                label=label, required=required, help_text="Numbers separated by commas"
            )
        return forms.CharField(
            label=label,
            required=required,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text="One per line",
        )
    return forms.CharField(label=label, required=required, initial=default)


class CheckForm(forms.Form):
    """A check of one type: the common settings, then the type's params (``p_<name>``)."""

    name = forms.CharField(max_length=200)
    collector: forms.ModelChoiceField[Collector] = forms.ModelChoiceField(
        queryset=Collector.objects.none()
    )
    asset: forms.ModelChoiceField[Asset] = forms.ModelChoiceField(
        queryset=Asset.objects.none(), required=False
    )
    interval_s = forms.IntegerField(label="Interval (seconds)", initial=60)
    timeout_s = forms.IntegerField(label="Timeout (seconds)", initial=10)
    enabled = forms.BooleanField(required=False, initial=True)

    def __init__(
        self,
        *args: Any,
        check_type: str,
        collectors: Any,
        assets: Any,
        secrets_set: frozenset[str] = frozenset(),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.check_type = check_type
        self.fields["collector"].queryset = collectors  # type: ignore[attr-defined]
        self.fields["asset"].queryset = assets  # type: ignore[attr-defined]
        secret_names = SECRET_FIELDS.get(check_type, frozenset())
        for name, info in PARAMS[check_type].model_fields.items():
            self.fields[PARAM_PREFIX + name] = param_field(
                name, info, name in secret_names, name in secrets_set
            )

    @property
    def common_fields(self) -> list[Any]:
        return [f for f in self if not f.name.startswith(PARAM_PREFIX)]

    @property
    def param_fields(self) -> list[Any]:
        return [f for f in self if f.name.startswith(PARAM_PREFIX)]

    @staticmethod
    def initial_of(check: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": check.name,
            "collector": check.collector_id,
            "asset": check.asset_id,
            "interval_s": check.interval_s,
            "timeout_s": check.timeout_s,
            "enabled": check.enabled,
        }
        for name, value in (check.params or {}).items():
            if isinstance(value, list):
                joiner = ", " if all(isinstance(v, int) for v in value) else "\n"
                value = joiner.join(str(v) for v in value)
            initial[PARAM_PREFIX + name] = value
        return initial

    def common(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {n: data[n] for n in ("name", "collector", "asset", "interval_s", "timeout_s")}

    def params(self) -> dict[str, Any]:
        """The params as typed; empty inputs are left out (the type's default applies, a
        stored secret is kept)."""
        found: dict[str, Any] = {}
        model = PARAMS[self.check_type]
        for name, info in model.model_fields.items():
            value = self.cleaned_data.get(PARAM_PREFIX + name)
            if value is None or value == "":
                continue
            annotation, _ = _unwrap_optional(info.annotation)
            if get_origin(annotation) is list:
                (item,) = get_args(annotation)
                text = str(value)
                parts = text.replace("\n", ",").split(",") if item is int else text.splitlines()
                items: list[Any] = [p.strip() for p in parts if p.strip()]
                if item is int:
                    try:
                        items = [int(p) for p in items]
                    except ValueError:
                        self.add_error(PARAM_PREFIX + name, "whole numbers separated by commas")
                        continue
                value = items
            found[name] = value
        return found


def param_errors(exc: ValidationError) -> dict[str, list[str]]:
    """A service's errors by form field: ``params.port: …`` goes to ``p_port``; a params error
    that names no single field goes to the form (``__all__``), other fields keep their name."""
    found: dict[str, list[str]] = {}
    messages: Mapping[str, list[str]] = (
        exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    )
    names = {name for model in PARAMS.values() for name in model.model_fields}
    for field, texts in messages.items():
        for text in texts:
            target, reason = field, text
            if field == "params" and text.startswith("params."):
                where, _, why = text.removeprefix("params.").partition(": ")
                name = where.split(".")[0]
                target, reason = (
                    (PARAM_PREFIX + name, why) if name in names and why else ("__all__", text)
                )
            found.setdefault(target, []).append(reason)
    return found


class AlertFilterForm(forms.Form):
    """The alert list's filters; an empty one shows every alert."""

    client: forms.ModelChoiceField[Client] = forms.ModelChoiceField(
        queryset=Client.objects.none(), required=False
    )
    phase = forms.ChoiceField(choices=[("", "Any phase"), *AlertPhase.choices], required=False)
    severity = forms.ChoiceField(
        choices=[("", "Any severity"), *AlertSeverity.choices], required=False
    )
    q = forms.CharField(label="Search", required=False, max_length=200)

    def __init__(self, *args: Any, clients: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        found: dict[str, Any] = {}
        if data.get("client"):
            found["client"] = data["client"]
        for name in ("phase", "severity"):
            if data.get(name):
                found[name] = data[name]
        if data.get("q"):
            found["summary__icontains"] = data["q"]
        return found


class AcknowledgeForm(forms.Form):
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea({"rows": 2}))


def _seconds_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=0)


class RuleOverrideForm(forms.Form):
    """A change to one default alert rule for the client, or for one of its assets; empty
    fields keep the default's value."""

    rule_id = forms.ChoiceField(label="Rule", choices=sorted((r, r) for r in KNOWN_IDS))
    asset: forms.ModelChoiceField[Asset] = forms.ModelChoiceField(
        queryset=Asset.objects.none(), required=False, help_text="Empty: every asset of the client"
    )
    enabled = forms.BooleanField(required=False, initial=True)
    threshold = forms.FloatField(required=False)
    recovery_threshold = forms.FloatField(required=False)
    for_seconds = _seconds_field("For (seconds)")
    window_seconds = _seconds_field("Window (seconds)")
    horizon_seconds = _seconds_field("Horizon (seconds)")
    severity = forms.ChoiceField(
        choices=[("", "As the default"), *AlertSeverity.choices], required=False
    )

    def __init__(self, *args: Any, assets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["asset"].queryset = assets  # type: ignore[attr-defined]

    @staticmethod
    def initial_of(row: Any) -> dict[str, Any]:
        names = [n for n in RuleOverrideForm.base_fields if n != "asset"]
        return {**{n: getattr(row, n) for n in names}, "asset": row.asset_id}

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class WindowForm(forms.Form):
    """A maintenance window; its times are wall-clock times in its own time zone."""

    title = forms.CharField(max_length=200)
    timezone = forms.CharField(max_length=64, help_text="e.g. Europe/Berlin")
    starts_at = forms.DateTimeField(label="Starts", widget=LOCAL)
    ends_at = forms.DateTimeField(
        label="Ends", widget=LOCAL, required=False, help_text="One-off windows"
    )
    rrule = forms.CharField(
        label="Repeats (RRULE)",
        max_length=500,
        required=False,
        help_text="e.g. FREQ=WEEKLY;BYDAY=SU — empty: once",
    )
    duration_minutes = forms.IntegerField(
        label="Length (minutes)", min_value=0, required=False, help_text="Recurring windows"
    )
    shown_to_client = forms.BooleanField(required=False, initial=True)
    assets: forms.ModelMultipleChoiceField[Asset] = forms.ModelMultipleChoiceField(
        queryset=Asset.objects.none(), required=False, help_text="None chosen: every asset"
    )

    def __init__(self, *args: Any, assets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assets"].queryset = assets  # type: ignore[attr-defined]

    @staticmethod
    def initial_of(row: Any) -> dict[str, Any]:
        zone = ZoneInfo(row.timezone)
        return {
            "title": row.title,
            "timezone": row.timezone,
            "starts_at": row.starts_at.astimezone(zone).replace(tzinfo=None),
            "ends_at": row.ends_at.astimezone(zone).replace(tzinfo=None) if row.ends_at else None,
            "rrule": row.rrule,
            "duration_minutes": row.duration_seconds // 60 if row.rrule else None,
            "shown_to_client": row.shown_to_client,
            "assets": list(row.assets.values_list("pk", flat=True)),
        }

    def clean_timezone(self) -> str:
        name = str(self.cleaned_data["timezone"]).strip()
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError("not a time zone name such as Europe/Berlin") from None
        return name

    def values(self) -> dict[str, Any]:
        """The fields as ``services.windows`` takes them (times made aware in the zone)."""
        data = self.cleaned_data
        zone = ZoneInfo(data["timezone"])

        def aware(moment: datetime | None) -> datetime | None:
            return None if moment is None else moment.replace(tzinfo=None).replace(tzinfo=zone)

        return {
            "title": data["title"],
            "timezone": data["timezone"],
            "starts_at": aware(data["starts_at"]),
            "ends_at": aware(data["ends_at"]),
            "rrule": data["rrule"].strip(),
            "duration_seconds": (data["duration_minutes"] or 0) * 60,
            "shown_to_client": data["shown_to_client"],
        }
