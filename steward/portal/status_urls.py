"""Status pages: the client's (signed in) and the public secret URL, with their JSON."""

from django.urls import path, re_path

from steward.portal.status import views

# The public URL's token is a credential, not the id of an object: its group is unnamed, so
# the generated isolation walks (tests/test_ui_isolation.py) request the pattern as written
# and get a 404, instead of filling it with another tenant's object as a ``<model>_id``.
PUBLIC_KEY_PATTERN = r"(sps_[0-9a-f]{12}_[A-Za-z0-9_-]{43})"

urlpatterns: list = [
    path("status/style.css", views.stylesheet, name="status_css"),
    path("status/client/<int:client_id>/", views.client_page, name="status_client"),
    path("status/client/<int:client_id>.json", views.client_json, name="status_client_json"),
    path("status/client/<int:client_id>/settings/", views.settings_page, name="status_settings"),
    path("status/client/<int:client_id>/publish/", views.publish, name="status_publish"),
    path("status/client/<int:client_id>/unpublish/", views.unpublish, name="status_unpublish"),
    re_path(rf"^status/{PUBLIC_KEY_PATTERN}/$", views.public_page, name="status_public"),
    re_path(rf"^status/{PUBLIC_KEY_PATTERN}\.json$", views.public_json, name="status_public_json"),
]
