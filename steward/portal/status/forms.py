"""The staff settings form of a status page."""

from __future__ import annotations

from typing import Any

from django import forms

from steward.monitoring.models import Check
from steward.portal.models import StatusPage


class StatusPageForm(forms.Form):
    headline = forms.CharField(
        max_length=200, required=False, help_text="Shown as the page's title (default: the client)"
    )
    intro = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="A short text above the services",
    )
    hidden_checks = forms.ModelMultipleChoiceField(
        queryset=Check.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Checks left off the page",
    )

    def __init__(self, *args: Any, page: StatusPage, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "headline": page.headline,
                "intro": page.intro,
                "hidden_checks": list(page.hidden_checks.all()),
            },
        )
        super().__init__(*args, **kwargs)
        field: Any = self.fields["hidden_checks"]
        # Only the page's own client's checks can be picked: another client's id is refused.
        field.queryset = Check.objects.filter(client_id=page.client_id).order_by("name", "pk")
