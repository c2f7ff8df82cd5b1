from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from steward.obligations import services
from steward.obligations.choices import Category
from steward.obligations.evaluation import evaluate_all
from steward.obligations.models import Evaluation, Obligation
from steward.obligations.periods import Period
from steward.obligations.sparkline import sparkline

pytestmark = pytest.mark.django_db
NOV_3 = datetime(2026, 11, 3, 12, tzinfo=UTC)


@pytest.fixture
def scored(world, controlled):
    for client in (world.acme, world.globex):
        services.create_default_obligations(client)
        services.create_obligation(
            client=client, name="Controlled promise", category=Category.SERVICE_DELIVERY,
            measure_key="test.controlled", target=Decimal(95), at_risk_margin=Decimal(2),
        )  # fmt: skip
    controlled.update({"2026-08": 99, "2026-09": 96, "2026-10": 90})
    for key in ("2026-08", "2026-09", "2026-10"):
        evaluate_all(Period.parse(key), NOV_3)
    return world


def test_scorecard_page_shows_areas_chips_values_and_sparklines(scored):
    page = scored.http(scored.bob).get(f"/clients/{scored.acme.pk}/scorecard/?period=2026-10")
    assert page.status_code == 200
    html = page.content.decode()
    for number in range(1, 9):
        assert f'id="area-{number}"' in html
    assert '<span class="chip chip-breached">Breached</span>' in html
    assert "90 %" in html
    assert "≥ 95 %" in html
    assert html.count('<svg class="spark"') == Obligation.objects.filter(client=scored.acme).count()
    assert "style=" not in html.split('<main id="main"')[-1]  # CSP: no inline styles
    assert "<script>" not in html


def test_pages_are_scoped_to_visible_clients(scored):
    dave = scored.http(scored.dave)
    acme_line = Obligation.objects.filter(client=scored.acme).first()
    assert dave.get(f"/clients/{scored.acme.pk}/scorecard/").status_code == 404
    assert dave.get(f"/obligations/{acme_line.pk}/").status_code == 404
    assert dave.get(f"/obligations/{acme_line.pk}/edit/").status_code == 404
    portfolio = dave.get("/scorecards/?period=2026-10").content.decode()
    assert "Globex Inc" in portfolio
    assert "Acme Corporation" not in portfolio


def test_portfolio_links_each_client_to_its_scorecard(scored):
    html = scored.http(scored.alice).get("/scorecards/?period=2026-10").content.decode()
    assert f'href="/clients/{scored.acme.pk}/scorecard/?period=2026-10"' in html
    row = re.search(r'<tr class="portfolio-row-breached">.*?</tr>', html, re.S)
    assert row is not None
    assert "Acme Corporation" in row.group(0)


def test_bad_period_falls_back_and_says_why(scored):
    html = scored.http(scored.alice).get("/scorecards/?period=2026-13").content.decode()
    assert "period: &#x27;2026-13&#x27; is not a period" in html


def test_obligation_page_lists_evidence_and_history_with_the_target_of_then(scored):
    line = Obligation.objects.get(client=scored.acme, measure_key="test.controlled")
    services.update_obligation(line, {"target": Decimal(80)})
    html = scored.http(scored.bob).get(f"/obligations/{line.pk}/?period=2026-10").content.decode()
    assert 'href="/things/2026-10"' in html
    assert "≥ 95 %" in html  # what October was judged against
    assert "≥ 80" in html  # today's target
    assert html.count("<tr>") >= 3


def test_edit_obligation_through_the_ui(scored):
    line = Obligation.objects.get(client=scored.acme, measure_key="test.controlled")
    form = {
        "name": "Controlled promise", "category": Category.SERVICE_DELIVERY, "comparator": ">=",
        "target": "97", "at_risk_margin": "1", "params": "{}", "period_kind": "monthly",
        "source_reference": "MSA 4.2", "source_clause": "", "active": "on",
    }  # fmt: skip
    assert scored.http(scored.bob).post(f"/obligations/{line.pk}/edit/", form).status_code == 403
    response = scored.http(scored.alice).post(f"/obligations/{line.pk}/edit/", form)
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.target, line.source_reference) == (Decimal(97), "MSA 4.2")
    october = Evaluation.objects.get(obligation=line, period="2026-10")
    assert october.target == Decimal(95)
    bad = scored.http(scored.alice).post(f"/obligations/{line.pk}/edit/", {**form, "target": "x"})
    assert bad.status_code == 200
    assert "Target:" in bad.content.decode()


def test_sparkline_breaks_on_missing_values_and_scales_to_the_target():
    spark = sparkline(
        [("a", Decimal(90), "breached"), ("b", None, "no_data"), ("c", Decimal(100), "met"),
         ("d", Decimal(99), "met")],
        Decimal(95), width=33, height=26,
    )  # fmt: skip
    assert len(spark.segments) == 2
    assert [d.status for d in spark.dots] == ["breached", "met", "met"]
    assert spark.dots[0].y == 23  # the lowest value sits on the bottom padding
    assert spark.dots[1].y == 3  # the highest at the top
    assert spark.target_y == 13


def test_add_defaults_and_evaluate_now_from_the_scorecard(world, controlled):
    url = f"/clients/{world.acme.pk}/scorecard/"
    page = world.http(world.alice).get(url).content.decode()
    assert "Add the default obligations" in page
    assert world.http(world.bob).post(url + "defaults/").status_code == 403
    assert world.http(world.dave).post(url + "defaults/").status_code == 404
    assert world.http(world.alice).post(url + "defaults/").status_code == 302
    assert Obligation.objects.filter(client=world.acme).count() == 10
    response = world.http(world.alice).post(url + "evaluate/", {"period": "2026-10"})
    assert response.status_code == 302
    assert response["Location"] == url + "?period=2026-10"
    assert Evaluation.objects.filter(client=world.acme, period="2026-10").count() == 9
    assert not Evaluation.objects.filter(client=world.globex).exists()
    bad = world.http(world.alice).post(url + "evaluate/", {"period": "soon"}, follow=True)
    assert "period: &#x27;soon&#x27; is not a period" in bad.content.decode()
