"""Editing for the content team: topics, articles with a live Markdown preview, draft →
publish, revision history with restore. Every write goes through the services, so the
search index, the revisions and the page cache stay right."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from connect_support.helpcenter import services
from connect_support.helpcenter.models import Article, ArticleFeedback, ArticleRevision, Topic
from connect_support.helpcenter.rendering import render_markdown

# The admin classes are generic only for the type checker (django-stubs); at run time
# Django's classes are not subscriptable.
if TYPE_CHECKING:
    TopicAdminBase = admin.ModelAdmin[Topic]
    ArticleAdminBase = admin.ModelAdmin[Article]
    FeedbackAdminBase = admin.ModelAdmin[ArticleFeedback]
    RevisionInlineBase = admin.TabularInline[ArticleRevision, Article]
    ArticleFormBase = forms.ModelForm[Article]
else:
    TopicAdminBase = ArticleAdminBase = FeedbackAdminBase = admin.ModelAdmin
    RevisionInlineBase = admin.TabularInline
    ArticleFormBase = forms.ModelForm


def _editor(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


@admin.register(Topic)
class TopicAdmin(TopicAdminBase):
    list_display = ("title", "slug", "order", "icon")
    ordering = ("order",)
    readonly_fields = ("slug",)

    def save_model(self, request: HttpRequest, obj: Topic, form: Any, change: bool) -> None:
        services.topic_upsert(
            slug=obj.slug, title=obj.title, description=obj.description, icon=obj.icon, order=obj.order
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the eleven topics are fixed by the site's URLs

    def has_delete_permission(self, request: HttpRequest, obj: Topic | None = None) -> bool:
        return False


class ArticleForm(ArticleFormBase):
    keywords_text = forms.CharField(
        label="Search keywords", required=False, help_text="Comma-separated words and phrases visitors use."
    )
    contexts_text = forms.CharField(
        label="Contexts",
        required=False,
        help_text="Comma-separated, e.g. account_management.edit_payout_details, requirement:external_account.",
    )
    related_text = forms.CharField(label="Related questions", required=False, help_text="Comma-separated slugs.")
    note = forms.CharField(label="Revision note", required=False, max_length=200)

    class Meta:
        model = Article
        fields = ("topic", "slug", "locale", "title", "summary", "body_markdown", "status", "updated_on")
        widgets = {"body_markdown": forms.Textarea(attrs={"rows": 24, "data-hc-markdown": ""})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["keywords_text"].initial = ", ".join(self.instance.keywords)
            self.fields["contexts_text"].initial = ", ".join(self.instance.contexts)
            self.fields["related_text"].initial = ", ".join(self.instance.related_slugs)

    @staticmethod
    def _split(value: str) -> list[str]:
        return [part.strip() for part in value.split(",") if part.strip()]

    def content(self) -> services.ArticleContent:
        data = self.cleaned_data
        return services.ArticleContent(
            topic=data["topic"],
            slug=data["slug"],
            locale=data["locale"],
            title=data["title"],
            summary=data["summary"],
            body_markdown=data["body_markdown"],
            status=data["status"],
            keywords=self._split(data["keywords_text"]),
            contexts=self._split(data["contexts_text"]),
            related_slugs=self._split(data["related_text"]),
            updated_on=data["updated_on"],
        )


class RevisionInline(RevisionInlineBase):
    model = ArticleRevision
    extra = 0
    can_delete = False
    fields = ("number", "created_at", "author_name", "status", "title", "note", "restore")
    readonly_fields = fields
    ordering = ("-number",)
    verbose_name_plural = "Revision history"

    # Revisions are written by the services and never edited here.
    def has_add_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:  # stubs disagree on obj
        return False

    @admin.display(description="")
    def restore(self, revision: ArticleRevision) -> str:
        # The button submits a small form outside the change form (forms cannot nest);
        # see helpcenter/admin/article_change_form.html.
        return format_html('<button type="submit" form="hc-restore-{}" class="button">Restore</button>', revision.pk)


@admin.register(Article)
class ArticleAdmin(ArticleAdminBase):
    form = ArticleForm
    list_display = ("title", "topic", "locale", "status", "updated_on", "helpful_yes", "helpful_no")
    list_filter = ("status", "locale", "topic")
    search_fields = ("title", "slug", "summary")
    ordering = ("topic__order", "title")
    readonly_fields = ("preview", "view_on_site_link", "published_at", "helpful_yes", "helpful_no")
    inlines = (RevisionInline,)
    actions = ("publish", "archive", "return_to_draft")
    fieldsets = (
        (None, {"fields": ("topic", "slug", "locale", "title", "summary", "status", "updated_on", "note")}),
        ("Body", {"fields": ("body_markdown", "preview")}),
        ("Search and context", {"fields": ("keywords_text", "contexts_text", "related_text")}),
        ("Published", {"fields": ("view_on_site_link", "published_at", "helpful_yes", "helpful_no")}),
    )

    class Media:
        js = ("helpcenter/admin-preview.js",)

    @admin.display(description="Preview")
    def preview(self, article: Article) -> str:
        return format_html(
            '<div class="hc-admin-preview" data-hc-preview data-hc-preview-url="{}">{}</div>',
            reverse("admin:helpcenter_article_preview"),
            _trusted(article.body_html),
        )

    @admin.display(description="On the site")
    def view_on_site_link(self, article: Article) -> str:
        if not article.pk or article.status != Article.Status.PUBLISHED:
            return "Not published"
        url = article.get_absolute_url() + (f"?locale={article.locale}" if article.locale != "en" else "")
        return format_html('<a href="{}">{}</a>', url, url)

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        saved = services.article_save(
            content=form.content(),
            article=obj if change else None,
            author=_editor(request),
            note=form.cleaned_data.get("note", ""),
        )
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request: HttpRequest, obj: Article) -> None:
        services.article_delete(article=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        for article in queryset:
            services.article_delete(article=article)

    def _set_status(self, request: HttpRequest, queryset: QuerySet[Article], status: str) -> None:
        for article in queryset:
            services.article_set_status(article=article, status=status, author=_editor(request))
        self.message_user(request, f"{queryset.count()} article(s) now {status}.", messages.SUCCESS)

    @admin.action(description="Publish the selected articles")
    def publish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._set_status(request, queryset, Article.Status.PUBLISHED)

    @admin.action(description="Archive the selected articles")
    def archive(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._set_status(request, queryset, Article.Status.ARCHIVED)

    @admin.action(description="Return the selected articles to draft")
    def return_to_draft(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._set_status(request, queryset, Article.Status.DRAFT)

    def get_urls(self) -> list[URLPattern]:
        own = [
            path("preview/", self.admin_site.admin_view(self.preview_view), name="helpcenter_article_preview"),
            path(
                "<int:article_id>/restore/<int:revision_id>/",
                self.admin_site.admin_view(self.restore_view),
                name="helpcenter_article_restore",
            ),
        ]
        return own + super().get_urls()

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """Render Markdown exactly as the site will (sanitized), for the live preview."""
        if request.method != "POST" or not self.has_view_or_change_permission(request):
            return JsonResponse({"error": "POST Markdown as 'markdown'"}, status=405)
        rendered = render_markdown(markdown=request.POST.get("markdown", "")[:200_000])
        return JsonResponse({"html": rendered.html})

    def restore_view(self, request: HttpRequest, article_id: int, revision_id: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponse(status=405, headers={"Allow": "POST"})
        if not self.has_change_permission(request):
            return HttpResponse(status=403)
        revision = get_object_or_404(ArticleRevision, pk=revision_id, article_id=article_id)
        services.article_restore_revision(revision=revision, author=_editor(request))
        messages.success(request, f"Revision {revision.number} restored as a new revision.")
        return HttpResponseRedirect(reverse("admin:helpcenter_article_change", args=[article_id]))

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        article = Article.objects.filter(pk=object_id).first()
        restore_forms: tuple[tuple[int, str], ...] = ()
        if article is not None:
            restore_forms = tuple(
                (revision.pk, reverse("admin:helpcenter_article_restore", args=[article.pk, revision.pk]))
                for revision in article.revisions.all()
            )
        context = {**(extra_context or {}), "hc_restore_forms": restore_forms}
        return super().change_view(request, object_id, form_url, extra_context=context)

    change_form_template = "helpcenter/admin/article_change_form.html"


def _trusted(body_html: str) -> SafeString:
    # body_html was sanitized by rendering.render_markdown when it was saved.
    return mark_safe(body_html)  # noqa: S308


@admin.register(ArticleFeedback)
class ArticleFeedbackAdmin(FeedbackAdminBase):
    list_display = ("article", "helpful", "created_at", "short_comment")
    list_filter = ("helpful",)
    readonly_fields = ("article", "visitor_digest", "helpful", "comment", "created_at")

    @admin.display(description="Comment")
    def short_comment(self, feedback: ArticleFeedback) -> str:
        return feedback.comment[:80]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
