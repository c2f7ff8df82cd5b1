"""The client's obligation scorecard, read from stored evaluations as the staff page does."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from steward.obligations.periods import Period, PeriodError
from steward.obligations.scorecard import client_scorecard
from steward.portal.access import contact_required, own_client
from steward.portal.views.common import portal_page


def chosen_period(text: str, tz: str) -> tuple[Period, str]:
    """The ``period`` asked for (YYYY-MM or YYYY-Qn), else the current month in ``tz``, with
    the reason when the text was not a period."""
    current = Period.at(timezone.now(), tz)
    if not text.strip():
        return current, ""
    try:
        return Period.parse(text.strip()), ""
    except PeriodError as exc:
        return current, f"period: {exc}"


@contact_required
def scorecard(request: HttpRequest) -> HttpResponse:
    client = own_client(request)
    period, error = chosen_period(request.GET.get("period", ""), client.timezone)
    card = client_scorecard(client, period)
    return portal_page(
        request,
        "portal/scorecard.html",
        client=client,
        nav="scorecard",
        card=card,
        period=period,
        period_error=error,
        previous_period=period.previous(),
        next_period=period.next(),
        month_value=period.as_kind("monthly").key,
        has_obligations=any(area.lines for area in card.areas),
    )
