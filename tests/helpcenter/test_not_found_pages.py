"""Unknown paths anywhere under the support site answer with the site's own 404 and search."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/embedded-connect/foo/", "/embedded-connect/payouts/no-such-article/x/"])
def test_unknown_support_site_paths_offer_search(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 404
    body = response.content.decode()
    assert 'type="search"' in body or 'role="search"' in body


def test_other_unknown_paths_get_the_plain_404() -> None:
    response = Client().get("/nowhere/")
    assert response.status_code == 404
    assert "couldn't find that page" in response.content.decode()


def test_the_contact_page_leads_to_the_case_form() -> None:
    page = Client().get("/embedded-connect/contact/").content.decode()
    assert 'href="/embedded-connect/cases/new/"' in page
    assert Client().get("/embedded-connect/cases/new/").status_code == 200
