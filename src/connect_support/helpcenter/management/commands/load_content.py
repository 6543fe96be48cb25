"""``load_content``: load the support site's topics and articles from Markdown files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from connect_support.helpcenter.loader import ContentError, default_content_dir, load_content
from connect_support.helpcenter.search import search_backend


class Command(BaseCommand):
    help = "Load topics and articles from content/ (idempotent: unchanged files change nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--content-dir", type=Path, default=None, help=f"default: {default_content_dir()}")
        parser.add_argument("--reindex", action="store_true", help="also rebuild the search index from the database")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = load_content(content_dir=options["content_dir"])
        except ContentError as error:
            raise CommandError(str(error)) from error
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(warning))
        if options["reindex"]:
            indexed = search_backend().rebuild()
            self.stdout.write(f"search index rebuilt: {indexed} published articles")
        self.stdout.write(self.style.SUCCESS(report.summary()))
