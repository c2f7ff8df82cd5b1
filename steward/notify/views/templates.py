"""The template editor: the MSP's wording per event, with a live preview (htmx)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from steward.notify import config, rendering
from steward.notify.events import Notice, NoticeKind
from steward.notify.forms import TemplateForm
from steward.notify.models import MessageTemplate
from steward.notify.views.common import add_errors, page, require_configure, require_staff

SAMPLE_CONTEXT = {
    "ticket_number": "#1042", "ticket_subject": "Mail server not responding",
    "clock_label": "Resolution", "due_local": "2026-03-02 14:00:00 CET (2026-03-02 13:00:00 UTC)",
    "assignee": "bob", "status": "In progress", "severity": "critical",
    "starts_local": "2026-03-07 22:00 CET", "ends_local": "2026-03-08 02:00 CET",
    "attachment_names": "report-2026-02.pdf",
}  # fmt: skip


def sample_notice(kind: str) -> Notice:
    return Notice(kind=kind, client_id=None, at=datetime(2026, 3, 2, 13, 0, tzinfo=UTC),
                  key="preview", subject="Mail server not responding", priority="P1",
                  body="An example of the notice's own text.", url="/tickets/1042/",
                  context=SAMPLE_CONTEXT)  # fmt: skip


def _kind(request: HttpRequest) -> str:
    kind = request.GET.get("kind") or request.POST.get("kind") or ""
    if kind not in NoticeKind.values:
        raise Http404("no such event")
    return kind


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    require_staff(request)
    overridden = set(MessageTemplate.objects.values_list("kind", flat=True))
    kinds = [(value, label, value in overridden) for value, label in NoticeKind.choices]
    return page(request, "notify/template_list.html", kinds=kinds)


@login_required
def template_edit(request: HttpRequest) -> HttpResponse:
    require_configure(request)
    if not (request.GET.get("kind") or request.POST.get("kind")):
        return HttpResponseRedirect(reverse("notify:templates"))  # choose an event first
    kind = _kind(request)
    current = rendering.sources(kind)
    form = TemplateForm(request.POST or None, initial=current)
    if request.method == "POST" and "reset" in request.POST:
        config.reset_template(kind)
        messages.success(request, f"The {NoticeKind(kind).label} template is the default again.")
        return HttpResponseRedirect(f"{reverse('notify:template')}?kind={kind}")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            config.save_template(kind, data["subject"], data["text"], data["html"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Saved the {NoticeKind(kind).label} template.")
            return HttpResponseRedirect(f"{reverse('notify:template')}?kind={kind}")
    label = NoticeKind(kind).label
    preview = _preview(kind, current)
    return page(request, "notify/template_form.html", form=form, kind=kind, label=label,
                preview=preview)  # fmt: skip


def _preview(kind: str, found: dict[str, str]) -> rendering.Rendered | str:
    try:
        rendering.validate_sources(found)
        return rendering.render_sources(found, rendering.context_for(sample_notice(kind), None))
    except (ValidationError, Exception) as exc:  # the preview shows the error instead
        return str(exc)


@login_required
@require_POST
def template_preview(request: HttpRequest) -> HttpResponse:
    require_configure(request)
    kind = _kind(request)
    found = {p: request.POST.get(p, "") or rendering.default_source(kind, p)
             for p in rendering.PARTS}  # fmt: skip
    return page(request, "notify/_preview.html", preview=_preview(kind, found))
