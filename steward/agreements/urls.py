from django.urls import path

from steward.agreements import views, views_calendars

app_name = "agreements"

urlpatterns = [
    path("agreements/", views.index, name="index"),
    path("agreements/new/", views.agreement_create, name="agreement_create"),
    path("agreements/<int:agreement_id>/", views.agreement_detail, name="agreement"),
    path("agreements/<int:agreement_id>/edit/", views.agreement_edit, name="agreement_edit"),
    path("agreements/<int:agreement_id>/sows/new/", views.sow_create, name="sow_create"),
    path(
        "agreements/<int:agreement_id>/sla-policy/edit/",
        views.sla_policy_edit,
        name="sla_policy_edit",
    ),
    path("clients/<int:client_id>/agreements/", views.index, name="client_agreements"),
    path("sows/<int:statement_of_work_id>/", views.sow_detail, name="sow"),
    path("sows/<int:statement_of_work_id>/edit/", views.sow_edit, name="sow_edit"),
    path("service-catalog/", views.catalog, name="catalog"),
    path("licenses/", views.license_list, name="licenses"),
    path("licenses/new/", views.license_create, name="license_create"),
    path("licenses/<int:license_id>/edit/", views.license_edit, name="license_edit"),
    path("licenses/<int:license_id>/seats/", views.license_seats, name="license_seats"),
    path("reminders/", views.reminder_list, name="reminders"),
    path(
        "reminders/<int:reminder_id>/acknowledge/",
        views.reminder_acknowledge,
        name="reminder_acknowledge",
    ),
    path("calendars/", views_calendars.calendar_list, name="calendars"),
    path("calendars/new/", views_calendars.calendar_create, name="calendar_create"),
    path("calendars/<int:business_calendar_id>/", views_calendars.calendar_detail, name="calendar"),
    path(
        "calendars/<int:business_calendar_id>/edit/",
        views_calendars.calendar_edit,
        name="calendar_edit",
    ),
]
