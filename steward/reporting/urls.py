"""Pages of the reporting app, under /reports/. The month is the ``period`` query parameter
(YYYY-MM), so the URLs carry only ``<model>_id`` parameters."""

from django.urls import path

from steward.reporting import views, views_delivery

app_name = "reporting"
urlpatterns = [
    path("reports/", views.index, name="index"),
    path("reports/<int:client_id>/", views_delivery.client_reports, name="client"),
    path("reports/<int:client_id>/generate/", views_delivery.generate_now, name="generate"),
    path("reports/<int:client_id>/report/", views.report, name="report"),
    path("reports/<int:client_id>/report.pdf", views.report_pdf, name="report_pdf"),
    path("reports/<int:client_id>/report.csv", views.report_csv, name="report_csv"),
    path("reports/stored/<int:storedreport_id>.pdf", views_delivery.stored_pdf, name="stored_pdf"),
    path("reports/stored/<int:storedreport_id>/send/", views_delivery.send_stored, name="send"),
]
