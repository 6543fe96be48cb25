from __future__ import annotations

from django.conf import settings
from django.db import models

# The eleven topics of the support site; URLs match only these slugs.
TOPIC_SLUGS = (
    "accounts",
    "declines",
    "disputes",
    "fraud",
    "legal",
    "payments",
    "payouts",
    "privacy",
    "refunds",
    "reserves",
    "verification",
)


class Topic(models.Model):
    """A section of the support site, such as Payouts or Disputes."""

    slug = models.SlugField(max_length=40, unique=True)
    title = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    # A name from the site's icon set (helpcenter/_icon.html); unknown names show a dot.
    icon = models.CharField(max_length=40, blank=True)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ("order", "slug")

    def __str__(self) -> str:
        return self.title


class Article(models.Model):
    """One article in one locale. Translations share the slug: (locale, slug) is unique."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="articles")
    slug = models.SlugField(max_length=120)
    locale = models.CharField(max_length=10, default="en")
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=400, blank=True)
    body_markdown = models.TextField(blank=True)
    # Rendered from body_markdown by the services on every save, already sanitized.
    body_html = models.TextField(blank=True, editable=False)
    # The body as plain text: what search indexes and cuts snippets from.
    body_text = models.TextField(blank=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    keywords = models.JSONField(default=list, blank=True)
    # Where the article helps: "account_management.edit_payout_details",
    # "requirement:external_account", "intervention:reserve".
    contexts = models.JSONField(default=list, blank=True)
    # Slugs of the related questions, in the order they are shown.
    related_slugs = models.JSONField(default=list, blank=True)
    # The date the content was last reviewed, shown as "Last updated".
    updated_on = models.DateField()
    published_at = models.DateTimeField(null=True, blank=True)
    modified_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)
    helpful_yes = models.PositiveIntegerField(default=0)
    helpful_no = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("topic__order", "title")
        constraints = [models.UniqueConstraint(fields=("locale", "slug"), name="helpcenter_article_locale_slug")]
        indexes = [models.Index(fields=("status", "locale", "topic"), name="helpcenter_article_listing")]

    def __str__(self) -> str:
        return f"{self.title} ({self.locale})"

    def get_absolute_url(self) -> str:
        return f"/embedded-connect/{self.topic.slug}/{self.slug}/"


class ArticleRevision(models.Model):
    """A snapshot of an article taken at each save, restorable from the admin."""

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    # Kept when the author is a process (the content loader) or a deleted user.
    author_name = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    topic_slug = models.SlugField(max_length=40)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=400, blank=True)
    body_markdown = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Article.Status.choices)
    keywords = models.JSONField(default=list, blank=True)
    contexts = models.JSONField(default=list, blank=True)
    related_slugs = models.JSONField(default=list, blank=True)
    updated_on = models.DateField()

    class Meta:
        ordering = ("article", "-number")
        constraints = [models.UniqueConstraint(fields=("article", "number"), name="helpcenter_revision_article_number")]

    def __str__(self) -> str:
        return f"{self.article.slug} r{self.number}"


class ArticleFeedback(models.Model):
    """One visitor's answer to "Was this helpful?" on one article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    # SHA-256 of the visitor's random cookie; the cookie itself is never stored.
    visitor_digest = models.CharField(max_length=64)
    helpful = models.BooleanField()
    comment = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(fields=("article", "visitor_digest"), name="helpcenter_feedback_one_per_visitor")
        ]

    def __str__(self) -> str:
        return f"{'yes' if self.helpful else 'no'} on {self.article_id}"
