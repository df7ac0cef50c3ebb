"""The article editor's input (validation of the form only; the service checks the rest)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhongtai.core.permissions import Role
from zhongtai.knowledge.choices import ArticleKind, ArticleLanguage, Visibility
from zhongtai.knowledge.models import Article
from zhongtai.knowledge.services import ArticleInput


def _part(label: Any, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=20_000,
        required=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class ArticleForm(forms.Form):
    """An article (title and Markdown body) or a case (problem, cause, solution)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Body (Markdown)"),
        max_length=100_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 16, "class": "font-monospace"}),
    )
    problem = _part(_("Problem"), _("What the customer saw, in their words."))
    cause = _part(_("Cause"), _("What was found to cause it."))
    solution = _part(_("Solution"), _("What solved it, step by step."))
    language = forms.ChoiceField(label=_("Language"), choices=ArticleLanguage.choices)
    visibility = forms.ChoiceField(
        label=_("Who may read it"),
        choices=Visibility.choices,
        help_text=_(
            "Internal: staff only. Customers: signed-in customer contacts. Public: anyone."
        ),
    )
    category = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None
    )
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=1000, help_text=_("Separated by commas.")
    )
    product_line = forms.CharField(label=_("Product line"), required=False, max_length=100)
    note = forms.CharField(label=_("What changed"), required=False, max_length=300)

    CASE_ONLY = ("problem", "cause", "solution")

    def __init__(
        self,
        *args: Any,
        categories: list[tuple[int, str]],
        kind: str = ArticleKind.ARTICLE,
        asset_id: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind, self.asset_id = kind, asset_id
        for name in self.CASE_ONLY if kind != ArticleKind.CASE else ("body",):
            del self.fields[name]
        field = self.fields["category"]
        if isinstance(field, forms.TypedChoiceField):
            field.choices = [("", "—"), *categories]
        for name, widget_field in self.fields.items():
            css = "form-select" if isinstance(widget_field, forms.ChoiceField) else "form-control"
            widget_field.widget.attrs.setdefault("class", "")
            widget_field.widget.attrs["class"] = f"{css} {widget_field.widget.attrs['class']}"
            widget_field.widget.attrs["data-testid"] = f"article-{name}"

    @staticmethod
    def initial_of(article: Article | ArticleInput | None, language: str) -> dict[str, Any]:
        if article is None:
            return {"language": language, "visibility": Visibility.INTERNAL}
        return {
            "title": article.title,
            "body": article.body,
            "problem": article.problem,
            "cause": article.cause,
            "solution": article.solution,
            "language": article.language,
            "visibility": article.visibility,
            "category": article.category_id,
            "tags": ", ".join(article.tags),
            "product_line": article.product_line,
        }

    def to_input(self) -> ArticleInput:
        data = self.cleaned_data
        tags = [t.strip() for t in data["tags"].replace("，", ",").split(",") if t.strip()]
        return ArticleInput(
            kind=self.kind,
            title=data["title"],
            body=data.get("body", ""),
            problem=data.get("problem", ""),
            cause=data.get("cause", ""),
            solution=data.get("solution", ""),
            asset_id=self.asset_id,
            language=data["language"],
            category_id=data["category"],
            tags=tags,
            product_line=data["product_line"],
            visibility=data["visibility"],
        )


class SettingsForm(forms.Form):
    """Who publishes, and how sure the bot must be before it answers."""

    publisher_roles = forms.MultipleChoiceField(
        label=_("Roles that may publish"),
        choices=[(r.value, r.label) for r in Role if r != Role.CUSTOMER],
        help_text=_("Everyone else on the staff writes drafts and sends them for review."),
    )
    bot_threshold = forms.FloatField(
        label=_("Bot confidence threshold"),
        min_value=0.0,
        max_value=1.0,
        widget=forms.NumberInput(attrs={"step": "0.05", "class": "form-control"}),
        help_text=_(
            "Between 0 and 1. The bot answers only when it is at least this sure; otherwise "
            "a person takes over. Higher: fewer but surer answers."
        ),
    )
