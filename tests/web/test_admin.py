"""The Django admin: owners and admins only; the audit log and tokens are read-only there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from steward.core.models import AuditEntry
from steward.tenancy import services
from steward.tenancy.choices import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["bob", "eve", "ivan", "carol"])
def test_admin_refuses_other_roles(world, who):
    http = world.http(getattr(world, who))
    response = http.get("/admin/", follow=True)
    assert response.status_code == 403
    assert http.get(reverse("admin:tenancy_client_changelist")).status_code in (302, 403)


def test_anonymous_admin_goes_to_the_shell_login(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))


def test_owner_and_admin_enter_and_see_models(world):
    admin_user = services.create_user(username="adam", role=Role.ADMIN, password=PASSWORD)
    for user in [world.alice, admin_user]:
        http = world.http(user)
        index = http.get("/admin/")
        assert index.status_code == 200
        html = index.content.decode()
        assert "Clients" in html
        assert "Users" in html
        assert "Audit entries" in html
        user_page = http.get(reverse("admin:tenancy_user_change", args=[world.bob.pk]))
        assert "Assigned clients" in user_page.content.decode()


def test_admin_change_is_audited_with_source_admin(world):
    http = world.http(world.alice)
    url = reverse("admin:tenancy_site_change", args=[world.acme_site.pk])
    response = http.post(
        url,
        {
            "client": world.acme.pk,
            "name": "Acme HQ (renamed)",
            "timezone": "Europe/Berlin",
            "country": "DE",
        },
    )
    assert response.status_code == 302, response.content
    entry = AuditEntry.objects.filter(object_type="tenancy.site", action="update").first()
    assert entry.source == "admin"
    assert entry.actor_name == "alice"


def test_audit_entries_and_tokens_are_read_only_in_admin(world):
    services.create_token(world.bob, name="ci")
    http = world.http(world.alice)
    entry = AuditEntry.objects.first()
    assert http.get(reverse("admin:core_auditentry_add")).status_code == 403
    assert http.get(reverse("admin:core_auditentry_delete", args=[entry.pk])).status_code == 403
    page = http.get(reverse("admin:core_auditentry_change", args=[entry.pk])).content.decode()
    assert 'name="_save"' not in page
    token_list = http.get(reverse("admin:tenancy_apitoken_changelist")).content.decode()
    assert "ci" in token_list
    token = world.bob.api_tokens.get()
    token_page = http.get(reverse("admin:tenancy_apitoken_change", args=[token.pk]))
    assert token.digest not in token_page.content.decode()
    assert http.get(reverse("admin:tenancy_apitoken_add")).status_code == 403


def test_owner_adds_a_user_in_admin_with_a_role(world):
    http = world.http(world.alice)
    assert http.get(reverse("admin:tenancy_user_add")).status_code == 200
    response = http.post(
        reverse("admin:tenancy_user_add"),
        {
            "username": "tina",
            "password1": "a-long-enough-passphrase-1",
            "password2": "a-long-enough-passphrase-1",
            "usable_password": "true",
            "role": Role.DISPATCHER,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.filter(object_type="tenancy.user", object_repr="tina").first()
    assert entry.source == "admin"
    assert entry.after["role"] == Role.DISPATCHER
    assert "password" not in entry.after
