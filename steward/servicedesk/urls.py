"""Service desk pages: tickets, the dispatch board, time and surveys, the mail triage queue."""

from steward.servicedesk.views import dispatch, mail, tickets, work

app_name = "servicedesk"
urlpatterns = [*tickets.urlpatterns, *dispatch.urlpatterns, *work.urlpatterns, *mail.urlpatterns]
