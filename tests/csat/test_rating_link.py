"""Rating a solved case from the link in the mail: the link is signed and expires, one
rating per case, a second answer changes it within the window, bad answers lose nothing."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import pytest
from django.core import signing
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone

from connect_support.cases.history import CaseActor
from connect_support.cases.models import Case, OutboundEmail
from connect_support.cases.services import case_reply_as_agent, case_set_status
from connect_support.csat.links import SALT, rating_token, rating_url
from connect_support.csat.models import Rating
from connect_support.csat.selectors import csat_for_case
from tests.analytics.seed import add_case
from tests.identity.fixtures import make_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def case() -> Case:
    return add_case(created=timezone.now() - timedelta(days=1), topic="payouts")


def link_in(mail: OutboundEmail) -> str:
    found = re.search(r"https?://\S+/embedded-connect/rate/[A-Za-z0-9_:\-]+/", mail.text_body)
    assert found, mail.text_body
    assert found.group(0) in mail.html_body
    return "/" + found.group(0).split("://", 1)[1].split("/", 1)[1]


def test_the_solved_mail_carries_a_rating_link_and_the_page_takes_a_rating(case: Case, client: Client) -> None:
    case_set_status(case=case, status=Case.Status.SOLVED, actor=CaseActor.system("agent"))
    mail = OutboundEmail.objects.get(case=case, kind=OutboundEmail.Kind.STATUS_CHANGE)
    assert "How did we do?" in mail.text_body
    path = link_in(mail)
    # Five one-click answers in the HTML part, each opening the page with its score chosen.
    assert mail.html_body.count(path + "?score=") == 5

    page = client.get(path + "?score=4")
    body = page.content.decode()
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert f"#{case.number}" in body
    assert body.count('id="csat-score-') == 5
    assert re.search(r'id="csat-score-4" value="4" required checked', body)

    sent = client.post(path, {"score": "4", "comment": "Quick and clear, thank you."})
    assert sent.status_code == 302
    assert sent["Location"].endswith("?saved=1")
    rating = csat_for_case(case)
    assert rating is not None
    assert (rating.score, rating.comment, rating.channel, rating.topic) == (
        4,
        "Quick and clear, thank you.",
        "case",
        "payouts",
    )
    thanks = client.get(sent["Location"]).content.decode()
    assert "your rating is saved" in thanks
    assert "Update my rating" in thanks


def test_other_mails_carry_no_rating_link_but_a_solving_reply_does(case: Case) -> None:
    agent, _secret = make_agent(roles=("support agent",))
    case_reply_as_agent(case=case, agent=agent, body_text="Here is the answer.")
    pending = OutboundEmail.objects.get(case=case, kind=OutboundEmail.Kind.AGENT_REPLY)
    assert "/embedded-connect/rate/" not in pending.text_body
    case_reply_as_agent(case=case, agent=agent, body_text="This is solved now.", status=Case.Status.SOLVED)
    solving = OutboundEmail.objects.filter(case=case, kind=OutboundEmail.Kind.AGENT_REPLY).latest("created_at")
    assert "/embedded-connect/rate/" in solving.text_body
    case_set_status(case=case, status=Case.Status.OPEN, actor=CaseActor.system("agent"))
    reopened = OutboundEmail.objects.filter(case=case, kind=OutboundEmail.Kind.STATUS_CHANGE).latest("created_at")
    assert "/embedded-connect/rate/" not in reopened.text_body


def test_a_double_submit_keeps_one_rating_and_a_second_answer_changes_it(case: Case, client: Client) -> None:
    path = f"/embedded-connect/rate/{rating_token(case_id=case.pk)}/"
    client.post(path, {"score": "2", "comment": "Slow"})
    first = Rating.objects.get(case=case)
    client.post(path, {"score": "2", "comment": "Slow"})
    again = Rating.objects.get(case=case)
    assert again.updated_at == first.updated_at  # the repeat changed nothing
    client.post(path, {"score": "5", "comment": "Sorted in the end"})
    assert Rating.objects.filter(case=case).count() == 1
    assert (Rating.objects.get(case=case).score, Rating.objects.get(case=case).comment) == (5, "Sorted in the end")


def test_after_the_edit_window_the_rating_is_kept(case: Case, client: Client, settings: Any) -> None:
    path = f"/embedded-connect/rate/{rating_token(case_id=case.pk)}/"
    client.post(path, {"score": "3"})
    Rating.objects.filter(case=case).update(created_at=timezone.now() - timedelta(hours=settings.CSAT_EDIT_HOURS + 1))
    refused = client.post(path, {"score": "1", "comment": "changed my mind"})
    assert refused.status_code == 409
    assert "can no longer be changed" in refused.content.decode()
    assert Rating.objects.get(case=case).score == 3


@pytest.mark.parametrize("score", ["0", "6", "-1", "4.5", "five", "", "44", "١"])
def test_out_of_range_or_malformed_scores_are_refused_clearly(case: Case, client: Client, score: str) -> None:
    path = f"/embedded-connect/rate/{rating_token(case_id=case.pk)}/"
    response = client.post(path, {"score": score, "comment": "kept on the page"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose a rating from 1 to 5." in body
    assert "kept on the page" in body  # what was typed is not lost
    assert not Rating.objects.exists()


def test_an_overlong_comment_is_refused_and_script_is_only_text(case: Case, client: Client) -> None:
    path = f"/embedded-connect/rate/{rating_token(case_id=case.pk)}/"
    too_long = client.post(path, {"score": "4", "comment": "x" * 2001})
    assert too_long.status_code == 400
    assert "under 2000 characters" in too_long.content.decode()
    assert not Rating.objects.exists()
    client.post(path, {"score": "4", "comment": "<script>alert(1)</script>"})
    shown = client.get(path).content.decode()
    assert "<script>alert(1)</script>" not in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    partial = render_to_string("console/_csat.html", {"csat": csat_for_case(case)})
    assert "4 / 5" in partial
    assert "&lt;script&gt;" in partial
    assert "<script>" not in partial


class _PastSigner(signing.TimestampSigner):
    def timestamp(self) -> str:
        return signing.b62_encode(int(time.time()) - 31 * 24 * 3600)


def test_an_expired_link_says_so(case: Case, client: Client) -> None:
    token = _PastSigner(salt=SALT).sign_object({"case": case.pk})
    response = client.get(f"/embedded-connect/rate/{token}/")
    assert response.status_code == 410
    assert "This rating link has expired" in response.content.decode()
    assert client.post(f"/embedded-connect/rate/{token}/", {"score": "5"}).status_code == 410
    assert not Rating.objects.exists()


def test_forged_links_are_refused(case: Case, client: Client) -> None:
    good = rating_token(case_id=case.pk)
    tampered = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    other_salt = signing.dumps({"case": case.pk}, salt="something else")
    unknown_case = rating_token(case_id="case_doesnotexist")
    for token in (tampered, other_salt, unknown_case, "not-a-token-at-all"):
        response = client.post(f"/embedded-connect/rate/{token}/", {"score": "5"})
        assert response.status_code == 404, token
        assert "This rating link is not valid" in response.content.decode()
    assert not Rating.objects.exists()


def test_the_console_partial_and_tag_show_the_rating(case: Case) -> None:
    assert "Not rated yet." in render_to_string("console/_csat.html", {"csat": csat_for_case(case)})
    Rating.objects.create(
        case=case, channel="case", score=2, comment="Too slow", created_at=timezone.now(), updated_at=timezone.now()
    )
    html = render_to_string("console/_csat.html", {"csat": csat_for_case(case.pk)})
    assert "2 / 5" in html
    assert "Too slow" in html
    tagged = Template('{% load csat %}{% csat_for_case case as csat %}{% include "console/_csat.html" %}').render(
        Context({"case": case})
    )
    assert "2 / 5" in tagged


def test_rating_urls_use_the_public_address() -> None:
    assert rating_url(case_id="case_x", base_url="https://support.example/").startswith(
        "https://support.example/embedded-connect/rate/"
    )
