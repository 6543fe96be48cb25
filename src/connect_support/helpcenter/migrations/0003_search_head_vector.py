"""PostgreSQL: a small head vector (title, keywords, summary) beside each document, ranked
first so that a common word does not make the ranking read every matching article."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def add_head(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        from connect_support.helpcenter.search import postgres

        for statement in postgres.HEAD_AND_COUNT_STATEMENTS:
            schema_editor.execute(statement)


def drop_head(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        from connect_support.helpcenter.search import postgres

        for statement in postgres.DROP_HEAD_AND_COUNT_STATEMENTS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("helpcenter", "0002_search_index")]
    operations = [migrations.RunPython(add_head, drop_head)]
