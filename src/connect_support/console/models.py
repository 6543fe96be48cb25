"""What the console stores of its own: the full-text index of cases for the inbox search.

One row per case holds the text that search reads (subject, the requester, every message
body). The database indexes that row itself: an FTS5 table fed by triggers on SQLite, a
generated ``tsvector`` column with a GIN index on PostgreSQL (migration 0001). The rows
are kept current by the receivers in ``inbox_live``, in the transaction of the change.
"""

from __future__ import annotations

from django.db import models

from connect_support.cases.models import Case


class CaseSearchEntry(models.Model):
    id = models.BigAutoField(primary_key=True)
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="+")
    subject = models.TextField(blank=True)
    # The requester's name and address, and the account (real or claimed).
    people = models.TextField(blank=True)
    # Every message body of the case, oldest first, cut at a size the index handles.
    body = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"search entry of {self.case_id}"
