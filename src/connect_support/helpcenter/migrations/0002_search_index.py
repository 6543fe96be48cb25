"""The full-text index: an FTS5 table on SQLite, a tsvector side table on PostgreSQL."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def create_index(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        from connect_support.helpcenter.search import sqlite

        schema_editor.execute(sqlite.CREATE_TABLE)
    elif vendor == "postgresql":
        from connect_support.helpcenter.search import postgres

        for statement in postgres.CREATE_STATEMENTS:
            schema_editor.execute(statement)


def drop_index(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        from connect_support.helpcenter.search import sqlite

        schema_editor.execute(sqlite.DROP_TABLE)
    elif vendor == "postgresql":
        from connect_support.helpcenter.search import postgres

        for statement in postgres.DROP_STATEMENTS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("helpcenter", "0001_initial")]
    operations = [migrations.RunPython(create_index, drop_index)]
