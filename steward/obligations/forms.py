from __future__ import annotations

from django import forms

from steward.obligations.models import Obligation


class ObligationForm(forms.ModelForm):
    """Edit the terms of an obligation; its counterparty and measure stay as created."""

    class Meta:
        model = Obligation
        fields = [
            "name",
            "category",
            "comparator",
            "target",
            "at_risk_margin",
            "params",
            "period_kind",
            "source_reference",
            "source_clause",
            "active",
        ]
        widgets = {"source_clause": forms.Textarea(attrs={"rows": 3})}
