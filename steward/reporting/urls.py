"""Pages of the reporting app, under /reports/. The month is the ``period`` query parameter
(YYYY-MM), so the URL carries only ``<model>_id`` parameters."""

from django.urls import path

from steward.reporting import views

app_name = "reporting"
urlpatterns = [
    path("reports/", views.index, name="index"),
    path("reports/<int:client_id>/report/", views.report, name="report"),
    path("reports/<int:client_id>/report.pdf", views.report_pdf, name="report_pdf"),
    path("reports/<int:client_id>/report.csv", views.report_csv, name="report_csv"),
]
