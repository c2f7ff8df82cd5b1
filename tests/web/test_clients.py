"""Client, site and contact pages: scoping, search, pagination, forms through the services."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from steward.core.audit import verify_chain
from steward.core.models import AuditEntry
from steward.tenancy import services
from steward.tenancy.models import Client, Contact, Site

pytestmark = pytest.mark.django_db


def acme_urls(world) -> list[str]:
    a, s, c = world.acme.pk, world.acme_site.pk, world.acme_contact.pk
    return [
        reverse("tenancy:client_detail", args=[a]),
        reverse("tenancy:client_edit", args=[a]),
        reverse("tenancy:site_create", args=[a]),
        reverse("tenancy:site_edit", args=[a, s]),
        reverse("tenancy:site_delete", args=[a, s]),
        reverse("tenancy:contact_create", args=[a]),
        reverse("tenancy:contact_edit", args=[a, c]),
        reverse("tenancy:contact_delete", args=[a, c]),
    ]


@pytest.mark.parametrize("who", ["dave", "eve"])
def test_outsiders_get_404_on_every_acme_page(world, who):
    http = world.http(getattr(world, who))
    for url in acme_urls(world):
        assert http.get(url).status_code == 404, url
        assert http.post(url, {"name": "x"}).status_code == 404, url
    assert Site.objects.filter(pk=world.acme_site.pk).exists()
    assert Contact.objects.filter(pk=world.acme_contact.pk).exists()


def test_site_of_another_client_under_acme_url_is_404(world):
    url = reverse("tenancy:site_edit", args=[world.acme.pk, world.globex_site.pk])
    assert world.http(world.alice).get(url).status_code == 404


def test_read_only_roles_see_but_may_not_change(world):
    for who in ["bob", "carol"]:
        http = world.http(getattr(world, who))
        detail = http.get(reverse("tenancy:client_detail", args=[world.acme.pk]))
        assert detail.status_code == 200
        assert "Edit client" not in detail.content.decode()
        for url in acme_urls(world)[1:]:
            assert http.get(url).status_code == 403, (who, url)
    assert world.http(world.ivan).get(reverse("tenancy:client_create")).status_code == 403


def test_detail_lists_sites_and_contacts(world):
    html = world.http(world.bob).get(reverse("tenancy:client_detail", args=[world.acme.pk]))
    text = html.content.decode()
    assert "Acme HQ" in text
    assert "carol@acme.example" in text
    assert "Globex Tower" not in text
    assert "dave@globex.example" not in text


def test_list_searches_filters_and_paginates(world):
    for i in range(30):
        services.create_client(name=f"Zeta {i:02d}", code=f"zeta{i:02d}", status="prospect")
    http = world.http(world.alice)
    first = http.get(reverse("tenancy:client_list"), {"q": "zeta"})
    assert first.context["page"].paginator.count == 30
    assert len(first.context["page"].object_list) == 25
    assert "Next" in first.content.decode()
    second = http.get(reverse("tenancy:client_list"), {"q": "zeta", "page": 2})
    assert [c.name for c in second.context["page"].object_list][-1] == "Zeta 29"
    active = http.get(reverse("tenancy:client_list"), {"status": "active"})
    assert {c.name for c in active.context["page"].object_list} == {
        "Acme Corporation",
        "Globex Inc",
    }
    by_code = http.get(reverse("tenancy:client_list"), {"q": "GLOB"})
    assert [c.name for c in by_code.context["page"].object_list] == ["Globex Inc"]


def test_list_is_scoped(world):
    names = [
        c.name for c in world.http(world.dave).get(reverse("tenancy:client_list")).context["page"]
    ]
    assert names == ["Globex Inc"]


def test_htmx_search_returns_only_the_results_fragment(world):
    response = world.http(world.alice).get(
        reverse("tenancy:client_list"),
        {"q": "acme"},
        headers={"HX-Request": "true", "HX-Target": "client-results"},
    )
    html = response.content.decode()
    assert "<html" not in html
    assert "Acme Corporation" in html
    assert "Globex Inc" not in html


def test_list_query_count_does_not_grow_with_clients(world):
    http = world.http(world.alice)
    http.get(reverse("tenancy:client_list"))  # warm up session and caches
    with CaptureQueriesContext(connection) as few:
        http.get(reverse("tenancy:client_list"))
    for i in range(10):
        c = services.create_client(name=f"N{i}", code=f"n{i}")
        services.create_site(c, name="HQ")
    with CaptureQueriesContext(connection) as many:
        http.get(reverse("tenancy:client_list"))
    assert len(many) == len(few)


def test_create_client_goes_through_the_service_and_is_audited(world):
    http = world.http(world.alice)
    response = http.post(
        reverse("tenancy:client_create"),
        {
            "name": "Initech",
            "code": "initech",
            "status": "onboarding",
            "size": "medium",
            "timezone": "Europe/Paris",
            "country": "fr",
            "website": "initech.example",
        },
    )
    client = Client.objects.get(code="initech")
    assert response.status_code == 302
    assert response["Location"] == reverse("tenancy:client_detail", args=[client.pk])
    assert client.country == "FR"
    assert client.website == "https://initech.example"
    entry = AuditEntry.objects.filter(object_type="tenancy.client", action="create").first()
    assert entry is not None
    assert entry.source == "ui"
    assert entry.actor_name == "alice"
    assert verify_chain() is None


def test_client_form_names_the_bad_field(world):
    http = world.http(world.alice)
    response = http.post(
        reverse("tenancy:client_create"),
        {
            "name": "Acme Corporation",
            "code": "bad code!",
            "status": "active",
            "size": "small",
            "timezone": "Mars/Base",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Name: Client with this Name already exists." in html
    assert "Code:" in html
    assert "Timezone: unknown time zone &#x27;Mars/Base&#x27;" in html
    assert not Client.objects.filter(code="bad code!").exists()


def test_edit_client_records_before_and_after(world):
    http = world.http(world.alice)
    url = reverse("tenancy:client_edit", args=[world.acme.pk])
    form = http.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"industry": "Anvils", "onboarded_on": ""})
    response = http.post(url, data)
    assert response.status_code == 302, response.content
    entry = AuditEntry.objects.filter(object_type="tenancy.client", action="update").first()
    assert entry.before["industry"] == ""
    assert entry.after["industry"] == "Anvils"
    assert "name" not in entry.after  # unchanged fields are not logged


def test_site_create_duplicate_name_names_the_field(world):
    http = world.http(world.alice)
    url = reverse("tenancy:site_create", args=[world.acme.pk])
    response = http.post(url, {"name": "Acme HQ", "timezone": "UTC"})
    assert response.status_code == 200
    assert "Name: this client already has a site with this name" in response.content.decode()
    ok = http.post(url, {"name": "Acme Lab", "timezone": "Europe/Berlin", "city": "Bonn"})
    assert ok.status_code == 302
    assert Site.objects.filter(client=world.acme, name="Acme Lab").exists()


def test_contact_form_offers_only_the_clients_own_sites(world):
    http = world.http(world.alice)
    url = reverse("tenancy:contact_create", args=[world.acme.pk])
    sites = list(http.get(url).context["form"].fields["site"].queryset)
    assert sites == [world.acme_site]
    forged = http.post(
        url, {"first_name": "Eve", "email": "x@acme.example", "site": world.globex_site.pk}
    )
    assert forged.status_code == 200
    assert "Site:" in forged.content.decode()
    bad_email = http.post(url, {"first_name": "Zed", "email": "not-an-email"})
    assert "Email: Enter a valid email address." in bad_email.content.decode()
    ok = http.post(url, {"first_name": "Zed", "email": "zed@acme.example"})
    assert ok.status_code == 302
    assert Contact.objects.filter(client=world.acme, email="zed@acme.example").exists()


def test_delete_site_asks_first_then_deletes(world):
    http = world.http(world.alice)
    url = reverse("tenancy:site_delete", args=[world.acme.pk, world.acme_site.pk])
    assert "Delete site" in http.get(url).content.decode()
    assert Site.objects.filter(pk=world.acme_site.pk).exists()
    assert http.post(url).status_code == 302
    assert not Site.objects.filter(pk=world.acme_site.pk).exists()
    assert AuditEntry.objects.filter(object_type="tenancy.site", action="delete").exists()


def test_ids_too_large_for_the_database_are_404_not_500(world):
    http = world.http(world.alice)
    huge = 2**64
    for url in [
        f"/clients/{huge}/",
        f"/clients/{world.acme.pk}/sites/{huge}/edit/",
        f"/clients/{world.acme.pk}/contacts/{huge}/edit/",
        f"/account/tokens/{huge}/revoke/",
    ]:
        assert http.get(url).status_code == 404, url
    response = http.post(reverse("switch_client"), {"client_id": str(huge)})
    assert response["Location"] == reverse("tenancy:client_list")
