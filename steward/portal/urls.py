"""The client portal (under /portal/) and the status pages."""

from django.urls import path

from steward.portal import status_urls
from steward.portal.views import approvals, assets, auth, home, reports, scorecard, tickets

app_name = "portal"
urlpatterns: list = [
    path("portal/", home.home, name="home"),
    path("portal/brand.css", home.brand_css, name="brand_css"),
    path("portal/login/", auth.PortalLoginView.as_view(), name="login"),
    path("portal/login/link/", auth.link_request, name="link_request"),
    path("portal/login/link/use/", auth.link_signin, name="link_signin"),
    path("portal/tickets/", tickets.ticket_list, name="tickets"),
    path("portal/tickets/new/", tickets.ticket_create, name="ticket_create"),
    path("portal/tickets/<int:ticket_id>/", tickets.ticket_detail, name="ticket"),
    path("portal/tickets/<int:ticket_id>/reply/", tickets.ticket_reply, name="ticket_reply"),
    path("portal/tickets/<int:ticket_id>/follow/", tickets.ticket_follow, name="ticket_follow"),
    path(
        "portal/tickets/<int:ticket_id>/unfollow/", tickets.ticket_unfollow, name="ticket_unfollow"
    ),
    path("portal/approvals/", approvals.approval_list, name="approvals"),
    path("portal/approvals/<int:approval_id>/", approvals.approval_detail, name="approval"),
    path("portal/reports/", reports.report_list, name="reports"),
    path("portal/reports/view/", reports.report_view, name="report"),
    path("portal/reports/pdf/", reports.report_pdf, name="report_pdf"),
    path("portal/scorecard/", scorecard.scorecard, name="scorecard"),
    path("portal/assets/", assets.asset_list, name="assets"),
    path("portal/assets/<int:asset_id>/", assets.asset_detail, name="asset"),
    # Staff side: asking a client for approval, from the service desk's ticket page.
    path(
        "portal/staff/tickets/<int:ticket_id>/approval/",
        approvals.approval_request,
        name="approval_request",
    ),
    *status_urls.urlpatterns,
]
