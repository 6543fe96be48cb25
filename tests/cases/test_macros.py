"""Macros: placeholders filled from the case, nothing else expanded, unknown ones kept and
reported; who sees and changes which macro."""

from __future__ import annotations

import pytest

from connect_support.cases.macros import (
    MacroError,
    MacroPermissionError,
    macro_create,
    macro_delete,
    macro_render,
    macro_render_detailed,
    macro_update,
    macros_for,
)
from connect_support.cases.models import Case, Macro
from connect_support.cases.services import MessageInput, case_create
from tests.factories import make_account, platform_with_keys
from tests.identity.fixtures import make_agent

pytestmark = pytest.mark.django_db


def _case(name: str = "Robin Owner", **kwargs: object) -> Case:
    return case_create(
        requester_email="robin@shop.example",
        requester_name=name,
        subject="Payout {{ agent.name }} missing",
        message=MessageInput(body_text="Hello"),
        channel=Case.Channel.EMAIL,
        acknowledge=False,
        **kwargs,  # type: ignore[arg-type]
    ).case


def test_placeholders_are_filled_from_the_case_and_the_account() -> None:
    platform = platform_with_keys().platform
    account = make_account(platform, business_profile={"name": "Robin's Shop"})
    case = _case(account=account)
    macro = Macro(
        title="Hello",
        body=(
            "Hi {{ requester.first_name }} ({{requester.name}}), about case #{{ case.number }} "
            "({{ case.subject }}) for {{ account.business_name }} / {{ account.id }}. — {{ agent.name }}"
        ),
    )
    text = macro_render(macro=macro, agent_name="Avery Agent", case=case)
    assert text == (
        f"Hi Robin (Robin Owner), about case #{case.number} (Payout {{{{ agent.name }}}} missing) "
        f"for Robin's Shop / {account.id}. — Avery Agent"
    )


def test_values_are_inserted_literally_never_expanded_or_run() -> None:
    case = _case(name="{{ agent.name }} <script>alert(1)</script>")
    rendered = macro_render(macro=Macro(title="t", body="Dear {{ requester.name }}"), agent_name="Avery", case=case)
    assert rendered == "Dear {{ agent.name }} <script>alert(1)</script>"


def test_unknown_and_missing_placeholders_stay_as_written_and_are_reported() -> None:
    case = _case()  # no account
    macro = Macro(title="t", body="{{ requester.nmae }} {% load x %} {{ account.id }} {{ case.number }}")
    result = macro_render_detailed(macro=macro, agent_name="Avery", case=case)
    assert result.text == f"{{{{ requester.nmae }}}} {{% load x %}} {{{{ account.id }}}} {case.number}"
    assert result.unknown == ["requester.nmae"]
    assert result.missing == ["account.id"]


def test_agents_see_shared_macros_and_only_their_own_personal_ones() -> None:
    avery, _ = make_agent()
    blake, _ = make_agent(email="blake@operator.test")
    shared = macro_create(user=avery, title="Shared", body="Hi", shared=True)
    mine = macro_create(user=avery, title="Mine", body="Hi", shared=False)
    theirs = macro_create(user=blake, title="Theirs", body="Hi", shared=False)
    assert set(macros_for(user=avery)) == {shared, mine}
    assert set(macros_for(user=blake)) == {shared, theirs}
    with pytest.raises(MacroPermissionError):
        macro_update(macro=mine, user=blake, title="Taken", body="x", shared=True)
    with pytest.raises(MacroPermissionError):
        macro_delete(macro=mine, user=blake)
    macro_update(macro=shared, user=blake, title="Shared, edited", body="Hello", shared=True)
    assert Macro.objects.get(pk=shared.pk).title == "Shared, edited"


@pytest.mark.parametrize(
    ("title", "body", "message"),
    [("", "x", "title"), ("t", "  ", "text"), ("t" * 121, "x", "too long"), ("t", "x" * 20_001, "too long")],
)
def test_bad_macros_are_refused_with_a_reason(title: str, body: str, message: str) -> None:
    avery, _ = make_agent()
    with pytest.raises(MacroError, match=message):
        macro_create(user=avery, title=title, body=body, shared=False)
    assert not Macro.objects.exists()
