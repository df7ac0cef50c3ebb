"""The article editor's input (validation of the form only; the service checks the rest)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhongtai.knowledge.choices import ArticleLanguage, Visibility
from zhongtai.knowledge.models import Article
from zhongtai.knowledge.services import ArticleInput


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Body (Markdown)"),
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 16, "class": "font-monospace"}),
    )
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

    def __init__(self, *args: Any, categories: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        if isinstance(field, forms.TypedChoiceField):
            field.choices = [("", "—"), *categories]
        for name, widget_field in self.fields.items():
            css = "form-select" if isinstance(widget_field, forms.ChoiceField) else "form-control"
            widget_field.widget.attrs.setdefault("class", "")
            widget_field.widget.attrs["class"] = f"{css} {widget_field.widget.attrs['class']}"
            widget_field.widget.attrs["data-testid"] = f"article-{name}"

    @staticmethod
    def initial_of(article: Article | None, language: str) -> dict[str, Any]:
        if article is None:
            return {"language": language, "visibility": Visibility.INTERNAL}
        return {
            "title": article.title,
            "body": article.body,
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
            title=data["title"],
            body=data["body"],
            language=data["language"],
            category_id=data["category"],
            tags=tags,
            product_line=data["product_line"],
            visibility=data["visibility"],
        )
