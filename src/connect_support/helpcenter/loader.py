"""Loading the support site's content from Markdown files.

Layout (reviewable as plain text)::

    content/topics.yaml                      the topics: slug, title, description, icon, order
    content/<locale>/<topic>/<slug>.md       one article, YAML front matter then Markdown

Front matter keys: ``title`` (required), ``summary``, ``keywords``, ``contexts``,
``related`` (slugs), ``status`` (draft, published, archived; default published) and
``updated`` (a date). Loading is idempotent: an unchanged file changes nothing (no new
revision, no cache invalidation); a changed file becomes a new revision.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction

from connect_support.helpcenter.locales import supported_locales
from connect_support.helpcenter.models import TOPIC_SLUGS, Article, Topic
from connect_support.helpcenter.search import search_backend
from connect_support.helpcenter.services import ArticleContent, article_save, topic_upsert

LOADER_NAME = "content loader"
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FRONT_MATTER_KEYS = {"title", "summary", "keywords", "contexts", "related", "status", "updated"}


class ContentError(Exception):
    """A content file that cannot be loaded; the message names the file and the problem."""


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    topics_changed: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.topics_changed)

    def summary(self) -> str:
        return (
            f"{self.created} articles created, {self.updated} updated, {self.unchanged} unchanged; "
            f"{self.topics_changed} topics changed"
        )


def default_content_dir() -> Path:
    configured = getattr(settings, "HELPCENTER_CONTENT_DIR", None)
    if configured:
        return Path(configured)
    # The checkout's content/ folder: src/connect_support/helpcenter/loader.py → ../../../content
    return Path(__file__).resolve().parents[3] / "content"


def _string_list(value: Any, *, name: str, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str | int | float) for item in value):
        raise ContentError(f"{where}: {name} must be a list of words")
    return [str(item).strip() for item in value if str(item).strip()]


def parse_article_file(path: Path) -> tuple[dict[str, Any], str]:
    """Split a file into its front matter (a mapping) and its Markdown body."""
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n").lstrip("\ufeff")
    if not text.startswith("---\n"):
        raise ContentError(f"{path}: the file must start with a '---' front matter block")
    end = text.find("\n---", 4)
    if end == -1:
        raise ContentError(f"{path}: the front matter block is not closed with '---'")
    try:
        meta = yaml.safe_load(text[4:end]) or {}
    except yaml.YAMLError as error:
        raise ContentError(f"{path}: the front matter is not valid YAML ({error})") from error
    if not isinstance(meta, dict):
        raise ContentError(f"{path}: the front matter must be a mapping of keys to values")
    body = text[end + 4 :].split("\n", 1)[1] if "\n" in text[end + 4 :] else ""
    return meta, body.strip() + "\n"


def article_content_from_file(*, path: Path, topic: Topic, locale: str) -> ArticleContent:
    meta, body = parse_article_file(path)
    where = str(path)
    unknown = set(meta) - _FRONT_MATTER_KEYS
    if unknown:
        raise ContentError(f"{where}: unknown front matter keys: {', '.join(sorted(unknown))}")
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ContentError(f"{where}: a title is required")
    status = str(meta.get("status") or Article.Status.PUBLISHED)
    if status not in Article.Status.values:
        raise ContentError(f"{where}: status must be one of {', '.join(Article.Status.values)}")
    updated = meta.get("updated") or datetime.date.today()
    if isinstance(updated, datetime.datetime):
        updated = updated.date()
    if isinstance(updated, str):
        try:
            updated = datetime.date.fromisoformat(updated)
        except ValueError as error:
            raise ContentError(f"{where}: updated must be a date like 2026-11-01") from error
    if not isinstance(updated, datetime.date):
        raise ContentError(f"{where}: updated must be a date like 2026-11-01")
    if not _SLUG.match(path.stem):
        raise ContentError(f"{where}: the file name must be a slug (lowercase letters, digits and dashes)")
    summary = meta.get("summary") or ""
    if not isinstance(summary, str):
        raise ContentError(f"{where}: summary must be text")
    return ArticleContent(
        topic=topic,
        slug=path.stem,
        locale=locale,
        title=title.strip(),
        summary=" ".join(summary.split()),
        body_markdown=body,
        status=status,
        keywords=_string_list(meta.get("keywords"), name="keywords", where=where),
        contexts=_string_list(meta.get("contexts"), name="contexts", where=where),
        related_slugs=_string_list(meta.get("related"), name="related", where=where),
        updated_on=updated,
    )


def _load_topics(content_dir: Path, report: LoadReport) -> dict[str, Topic]:
    path = content_dir / "topics.yaml"
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ContentError(f"{path}: missing (it lists the topics)") from error
    if not isinstance(entries, list):
        raise ContentError(f"{path}: must be a list of topics")
    topics: dict[str, Topic] = {}
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not entry.get("slug") or not entry.get("title"):
            raise ContentError(f"{path}: topic {position} needs at least a slug and a title")
        slug = str(entry["slug"])
        if slug not in TOPIC_SLUGS:
            raise ContentError(f"{path}: unknown topic {slug!r}; the site has {', '.join(TOPIC_SLUGS)}")
        topic, changed = topic_upsert(
            slug=slug,
            title=str(entry["title"]),
            description=str(entry.get("description", "")),
            icon=str(entry.get("icon", "")),
            order=int(entry.get("order", position)),
        )
        report.topics_changed += int(changed)
        topics[slug] = topic
    return topics


@transaction.atomic
def load_content(*, content_dir: Path | None = None) -> LoadReport:
    """Bring topics and articles in the database to what the files say."""
    content_dir = content_dir or default_content_dir()
    if not content_dir.is_dir():
        raise ContentError(f"{content_dir}: no such content folder")
    report = LoadReport()
    topics = _load_topics(content_dir, report)
    existing = {(article.locale, article.slug): article for article in Article.objects.select_related("topic")}
    loaded_slugs: set[str] = set()
    related: list[tuple[Path, list[str]]] = []
    for locale_dir in sorted(path for path in content_dir.iterdir() if path.is_dir()):
        locale = locale_dir.name
        if locale not in supported_locales():
            report.warnings.append(f"{locale_dir}: {locale!r} is not in settings.LANGUAGES; skipped")
            continue
        for topic_dir in sorted(path for path in locale_dir.iterdir() if path.is_dir()):
            topic = topics.get(topic_dir.name)
            if topic is None:
                raise ContentError(f"{topic_dir}: {topic_dir.name!r} is not a topic in topics.yaml")
            for path in sorted(topic_dir.glob("*.md")):
                content = article_content_from_file(path=path, topic=topic, locale=locale)
                loaded_slugs.add(content.slug)
                related.append((path, content.related_slugs))
                current = existing.get((locale, content.slug))
                if current is not None and not content.differs_from(current):
                    report.unchanged += 1
                    continue
                article_save(
                    content=content,
                    article=current,
                    author_name=LOADER_NAME,
                    note=f"loaded from {path.relative_to(content_dir)}",
                )
                if current is None:
                    report.created += 1
                else:
                    report.updated += 1
    known = loaded_slugs | {slug for _locale, slug in existing}
    for path, slugs in related:
        for slug in slugs:
            if slug not in known:
                report.warnings.append(f"{path}: related article {slug!r} does not exist")
    # The search index is rebuilt whole, so that it holds exactly the published articles
    # (rows left by anything that bypassed the services, such as a database restore or a
    # test database flush, would otherwise use up the rows a search ranks).
    search_backend().rebuild()
    return report
