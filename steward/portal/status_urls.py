"""Status pages: the client's (signed in) and the public secret URL, with their JSON."""

from django.urls import path

from steward.portal.status import views

# The client pages come first: "client" and "style.css" are never status tokens.
urlpatterns: list = [
    path("status/style.css", views.stylesheet, name="status_css"),
    path("status/client/<int:client_id>/", views.client_page, name="status_client"),
    path("status/client/<int:client_id>.json", views.client_json, name="status_client_json"),
    path("status/client/<int:client_id>/settings/", views.settings_page, name="status_settings"),
    path("status/client/<int:client_id>/publish/", views.publish, name="status_publish"),
    path("status/client/<int:client_id>/unpublish/", views.unpublish, name="status_unpublish"),
    path("status/<str:status_token>/", views.public_page, name="status_public"),
    path("status/<str:status_token>.json", views.public_json, name="status_public_json"),
]
