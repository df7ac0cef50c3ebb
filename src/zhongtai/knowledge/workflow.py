"""The review flow of an article, as data: which status may follow which, and whether
the step needs a publisher (a role the unit's knowledge settings name)."""

from __future__ import annotations

from dataclasses import dataclass

from zhongtai.knowledge.choices import ArticleEventType, ArticleStatus

DRAFT, IN_REVIEW = ArticleStatus.DRAFT, ArticleStatus.IN_REVIEW
PUBLISHED, ARCHIVED = ArticleStatus.PUBLISHED, ArticleStatus.ARCHIVED


@dataclass(frozen=True)
class Step:
    event: ArticleEventType
    needs_publisher: bool


TRANSITIONS: dict[tuple[str, str], Step] = {
    (DRAFT, IN_REVIEW): Step(ArticleEventType.SUBMITTED, needs_publisher=False),
    (DRAFT, PUBLISHED): Step(ArticleEventType.PUBLISHED, needs_publisher=True),
    (IN_REVIEW, PUBLISHED): Step(ArticleEventType.PUBLISHED, needs_publisher=True),
    (IN_REVIEW, DRAFT): Step(ArticleEventType.RETURNED, needs_publisher=True),
    (PUBLISHED, ARCHIVED): Step(ArticleEventType.ARCHIVED, needs_publisher=True),
    (IN_REVIEW, ARCHIVED): Step(ArticleEventType.ARCHIVED, needs_publisher=True),
    (DRAFT, ARCHIVED): Step(ArticleEventType.ARCHIVED, needs_publisher=True),
    (ARCHIVED, DRAFT): Step(ArticleEventType.RESTORED, needs_publisher=True),
}


def step_for(from_status: str, to_status: str) -> Step | None:
    return TRANSITIONS.get((from_status, to_status))


def next_statuses(from_status: str, *, publisher: bool) -> list[str]:
    """The statuses a person may move an article to next (for menus)."""
    return [
        to
        for (start, to), step in TRANSITIONS.items()
        if start == from_status and (publisher or not step.needs_publisher)
    ]
