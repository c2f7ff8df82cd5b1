from django.urls import path

from steward.obligations import views

app_name = "obligations"

urlpatterns = [
    path("scorecards/", views.portfolio_view, name="portfolio"),
    path("clients/<int:client_id>/scorecard/", views.scorecard_view, name="scorecard"),
    path(
        "clients/<int:client_id>/scorecard/evaluate/",
        views.scorecard_evaluate,
        name="scorecard_evaluate",
    ),
    path(
        "clients/<int:client_id>/scorecard/defaults/",
        views.scorecard_defaults,
        name="scorecard_defaults",
    ),
    path("obligations/<int:obligation_id>/", views.obligation_view, name="obligation"),
    path("obligations/<int:obligation_id>/edit/", views.obligation_edit, name="obligation_edit"),
]
