"""The inbox's case search index, and the indexes on cases_case that the inbox queues read.

The cases app owns ``cases_case``; these indexes serve only the console's queries, so they
are created here with ``CREATE INDEX IF NOT EXISTS`` (and dropped on the way back).
"""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

OPEN = "status IN ('new', 'open', 'pending', 'on_hold')"
CASE_INDEXES = {
    "console_case_open_idx": f"(updated_at DESC, id DESC) WHERE {OPEN}",
    "console_case_unassigned_idx": f"(updated_at DESC, id DESC) WHERE assignee_id IS NULL AND {OPEN}",
    "console_case_assignee_idx": f"(assignee_id, updated_at DESC, id DESC) WHERE {OPEN}",
    "console_case_first_due_idx": f"(first_response_due_at) WHERE first_responded_at IS NULL AND {OPEN}",
    "console_case_resolution_due_idx": f"(resolution_due_at) WHERE {OPEN}",
    "console_case_claimed_idx": "(claimed_account_id) WHERE claimed_account_id <> ''",
}


def create_search(apps: Any, schema_editor: Any) -> None:
    from connect_support.console import inbox_search

    vendor = schema_editor.connection.vendor
    statements = {"sqlite": inbox_search.SQLITE_CREATE, "postgresql": inbox_search.POSTGRES_CREATE}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM cases_case LIMIT 1")
        has_cases = cursor.fetchone() is not None
    if has_cases:
        inbox_search.search_index_rebuild()


def drop_search(apps: Any, schema_editor: Any) -> None:
    from connect_support.console import inbox_search

    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": inbox_search.SQLITE_DROP, "postgresql": inbox_search.POSTGRES_DROP}.get(vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    initial = True

    dependencies = [("cases", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="CaseSearchEntry",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("subject", models.TextField(blank=True)),
                ("people", models.TextField(blank=True)),
                ("body", models.TextField(blank=True)),
                (
                    "case",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="cases.case"
                    ),
                ),
            ],
        ),
        migrations.RunPython(create_search, drop_search),
        *(
            migrations.RunSQL(
                f"CREATE INDEX IF NOT EXISTS {name} ON cases_case {definition}",
                f"DROP INDEX IF EXISTS {name}",
            )
            for name, definition in CASE_INDEXES.items()
        ),
    ]
