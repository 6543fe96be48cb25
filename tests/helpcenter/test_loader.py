from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command

from connect_support.helpcenter.loader import ContentError, default_content_dir, load_content
from connect_support.helpcenter.models import TOPIC_SLUGS, Article, ArticleRevision, Topic
from connect_support.helpcenter.selectors import search_articles

pytestmark = pytest.mark.django_db


def _small_content(tmp_path: Path) -> Path:
    """A copy of topics.yaml with two real articles, to change freely."""
    root = tmp_path / "content"
    (root / "en" / "payouts").mkdir(parents=True)
    shutil.copy(default_content_dir() / "topics.yaml", root / "topics.yaml")
    for name in ("change-bank-account", "failed-payouts"):
        shutil.copy(default_content_dir() / "en" / "payouts" / f"{name}.md", root / "en" / "payouts" / f"{name}.md")
    return root


def test_the_real_content_loads_completely_and_idempotently() -> None:
    first = load_content()
    assert not first.warnings, first.warnings
    assert set(Topic.objects.values_list("slug", flat=True)) == set(TOPIC_SLUGS)
    published = Article.objects.filter(status=Article.Status.PUBLISHED, locale="en")
    assert published.count() >= 66
    per_topic = Counter(published.values_list("topic__slug", flat=True))
    assert all(per_topic[slug] >= 6 for slug in TOPIC_SLUGS), per_topic
    # Every related question points at an article that exists.
    slugs = set(Article.objects.values_list("slug", flat=True))
    for article in Article.objects.all():
        assert set(article.related_slugs) <= slugs, article.slug
    revisions = ArticleRevision.objects.count()

    second = load_content()
    assert (second.created, second.updated, second.topics_changed) == (0, 0, 0)
    assert second.unchanged == first.created
    assert ArticleRevision.objects.count() == revisions


def test_a_changed_file_becomes_a_new_revision_and_is_searchable(tmp_path: Path) -> None:
    root = _small_content(tmp_path)
    load_content(content_dir=root)
    path = root / "en" / "payouts" / "failed-payouts.md"
    path.write_text(path.read_text().replace("title: ", "title: Zanzibar ", 1))
    report = load_content(content_dir=root)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    article = Article.objects.get(slug="failed-payouts")
    assert article.title.startswith("Zanzibar ")
    assert list(article.revisions.values_list("number", flat=True)) == [2, 1]
    assert search_articles(q="zanzibar", locale="en").hits[0].slug == "failed-payouts"


def test_management_command_reports_what_it_did(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _small_content(tmp_path)
    call_command("load_content", content_dir=root, reindex=True)
    out = capsys.readouterr().out
    assert "2 articles created" in out
    assert "search index rebuilt: 2 published articles" in out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no front matter\n", "must start with a '---'"),
        ("---\ntitle: x\n", "not closed"),
        ("---\ntitle: [unclosed\n---\nbody\n", "not valid YAML"),
        ("---\nsummary: no title\n---\nbody\n", "a title is required"),
        ("---\ntitle: x\nstatus: live\n---\nbody\n", "status must be one of"),
        ("---\ntitle: x\nupdated: yesterday\n---\nbody\n", "updated must be a date"),
        ("---\ntitle: x\nkeywords: just words\n---\nbody\n", "keywords must be a list"),
        ("---\ntitle: x\nauthor: me\n---\nbody\n", "unknown front matter keys: author"),
    ],
)
def test_broken_files_are_named_with_the_problem(tmp_path: Path, text: str, message: str) -> None:
    root = _small_content(tmp_path)
    (root / "en" / "payouts" / "broken.md").write_text(text)
    with pytest.raises(ContentError, match=message) as error:
        load_content(content_dir=root)
    assert "broken.md" in str(error.value)
    # Nothing half-loaded: the load is one transaction.
    assert not Article.objects.exists()


def test_unknown_topic_folder_and_bad_slug_are_refused(tmp_path: Path) -> None:
    root = _small_content(tmp_path)
    (root / "en" / "shipping").mkdir()
    with pytest.raises(ContentError, match="'shipping' is not a topic"):
        load_content(content_dir=root)
    shutil.rmtree(root / "en" / "shipping")
    shutil.copy(root / "en" / "payouts" / "failed-payouts.md", root / "en" / "payouts" / "Bad Name.md")
    with pytest.raises(ContentError, match="must be a slug"):
        load_content(content_dir=root)
