"""The whole round trip over real SMTP and HTTP: the form opens a case → the
acknowledgement arrives → the requester replies by mail to our SMTP receiver → the reply
threads into the same case → an agent answers → the answer arrives by mail, threaded →
the requester's answer to that threads again; the private link shows the conversation."""

from __future__ import annotations

import re
import smtplib
from email.utils import parseaddr

import httpx
import pytest

from connect_support.cases.inbound.smtp import SmtpReceiver
from connect_support.cases.models import Case, CaseMessage
from connect_support.cases.services import case_reply_as_agent
from tests.cases.conftest import SmtpSink, html_of, mail, text_of, tiny_png
from tests.identity.fixtures import make_agent

pytestmark = pytest.mark.django_db(transaction=True)


def _hidden_inputs(html: str) -> dict[str, str]:
    fields = {}
    for tag in re.findall(r"<input[^>]+>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="hidden"' in tag:
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


def _send(receiver: SmtpReceiver, raw: bytes, to: str) -> None:
    with smtplib.SMTP("127.0.0.1", receiver.port, timeout=10) as client:
        client.sendmail("robin@shop.example", [to], raw)


def test_form_acknowledgement_reply_agent_answer_reply(
    live_url: str, smtp_sink: SmtpSink, receiver: SmtpReceiver, immediate_jobs: None
) -> None:
    with httpx.Client(base_url=live_url, follow_redirects=True, timeout=20) as browser:
        form_page = browser.get("/embedded-connect/cases/new/?source=account_management.edit_payout_details")
        assert form_page.status_code == 200
        hidden = _hidden_inputs(form_page.text)
        sent = browser.post(
            "/embedded-connect/cases/new/",
            data={
                **hidden,
                "name": "Robin Owner",
                "email": "robin@shop.example",
                "topic": "payouts",
                "subject": "Payout to the wrong bank account",
                "description": "My payout po_123 went to my old bank account.",
            },
            files={"attachments": ("statement.png", tiny_png(), "image/png")},
            headers={"Referer": f"{live_url}/embedded-connect/cases/new/"},
        )
        assert sent.status_code == 200, sent.text[:2000]
        assert "We received your message" in sent.text

    case = Case.objects.get()
    assert sent.text.count(f"#{case.number}") >= 1
    assert case.source_context["component"] == "account_management"
    assert [a.filename for a in case.attachments.all()] == ["statement.png"]

    # 1. The acknowledgement, by SMTP.
    [ack] = smtp_sink.wait_for(1)
    reply_to = parseaddr(ack["Reply-To"])[1]
    assert reply_to == f"support+{case.reply_token}@localhost"
    assert f"[#{case.number}]" in ack["Subject"]
    private_link = re.search(r"http://\S+/embedded-connect/cases/private/\S+/", text_of(ack))
    assert private_link is not None
    assert "View your case" in html_of(ack)

    # 2. The requester answers from their mail client, quoting us; it reaches our receiver.
    quoted = "\n".join(f"> {line}" for line in text_of(ack).splitlines())
    _send(
        receiver,
        mail(
            to=reply_to,
            subject=f"Re: {ack['Subject']}",
            message_id="<robin-reply-1@shop.example>",
            in_reply_to=ack["Message-ID"],
            references=ack["Message-ID"],
            body=f"The old account ends in 4242.\n\nOn Tue, 3 Jun 2025, Connect Support wrote:\n{quoted}\n",
        ),
        reply_to,
    )
    thread = list(case.messages.order_by("created_at"))
    assert [m.body_text for m in thread] == [
        "My payout po_123 went to my old bank account.",
        "The old account ends in 4242.",
    ]
    assert thread[1].via == CaseMessage.Via.EMAIL

    # 3. An agent answers (through the service: the console's case UI comes later).
    agent, _secret = make_agent()
    case_reply_as_agent(case=case, agent=agent, body_text="We are sending the payout again to the new account.")
    answer = smtp_sink.wait_for(2)[1]
    assert answer["To"] == "robin@shop.example"
    assert answer["In-Reply-To"] == "<robin-reply-1@shop.example>"
    assert ack["Message-ID"] in answer["References"]
    assert parseaddr(answer["Reply-To"])[1] == reply_to
    assert "Auto-Submitted" not in answer
    assert "We are sending the payout again to the new account." in text_of(answer)
    case.refresh_from_db()
    assert case.status == Case.Status.PENDING
    assert case.first_responded_at is not None

    # 4. The requester replies to the agent's mail, to the plain support address this time.
    _send(
        receiver,
        mail(
            to="support@localhost",
            subject=f"Re: {answer['Subject']}",
            in_reply_to=answer["Message-ID"],
            references=f"{ack['Message-ID']} {answer['Message-ID']}",
            body="Thank you, it arrived.",
        ),
        "support@localhost",
    )
    case.refresh_from_db()
    assert case.messages.count() == 4
    assert case.status == Case.Status.OPEN  # back in the agents' queue
    assert Case.objects.count() == 1

    # 5. The private link shows the whole conversation without signing in.
    page = httpx.get(private_link.group(0).replace("http://127.0.0.1:8000", live_url), timeout=20)
    assert page.status_code == 200
    for words in ("went to my old bank account", "ends in 4242", "sending the payout again", "it arrived"):
        assert words in page.text
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert len(smtp_sink.messages) == 2  # nothing else was mailed: no answer to the requester's replies
