from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_client_page_links_to_its_scorecard_and_agreements(world):
    page = world.http(world.bob).get(reverse("tenancy:client_detail", args=[world.acme.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert reverse("obligations:scorecard", args=[world.acme.pk]) in body
    assert reverse("agreements:client_agreements", args=[world.acme.pk]) in body
