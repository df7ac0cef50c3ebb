"""Service standards as data: business calendars and SLA policies of a business unit.

A calendar is working hours per weekday (several intervals a day), the public holidays
and make-up workdays (调休) of a country loaded from a maintained library, and dates
overridden by hand. A policy matches tickets by customer tier, priority, type, channel
and category, in an explicit order (first match wins), and sets targets in business
minutes with warning thresholds and breach actions.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhongtai.core.models import Tenant, TenantScopedModel, validate_time_zone
from zhongtai.sla.choices import BreachAction, HolidaySource, Target


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class BusinessCalendar(TenantScopedModel):
    """When the business unit works: hours per weekday, holidays, make-up days, overrides."""

    name = models.CharField(_("name"), max_length=120)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    always_open = models.BooleanField(
        _("24×7"), default=False, help_text=_("Every hour of every day is business time.")
    )
    holiday_source = models.CharField(
        _("public holidays of"),
        max_length=2,
        choices=HolidaySource.choices,
        default=HolidaySource.CN,
        blank=True,
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="calendar_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class WorkingInterval(models.Model):
    """One span of working time on a weekday (a day may have several, e.g. around lunch)."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="intervals"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        ordering = ["weekday", "start"]
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="interval_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class CalendarDate(models.Model):
    """A date that differs from the weekly hours: closed, or open with the normal workday hours.

    Rows come from the holiday library (``source="library"``) or from a person
    (``source="manual"``); a manual row wins over the library for the same date.
    """

    class Kind(models.TextChoices):
        CLOSED = "closed", _("Closed (holiday)")
        WORKDAY = "workday", _("Working day (make-up day)")

    class Source(models.TextChoices):
        LIBRARY = "library", _("Holiday library")
        MANUAL = "manual", _("Set by hand")

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="dates")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    name = models.CharField(_("name"), max_length=120, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar date")
        verbose_name_plural = _("calendar dates")
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "date", "source"], name="calendar_date_unique_per_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class HolidayYear(models.Model):
    """A year of the calendar's holiday source: loaded, or unknown to the library (flagged)."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="holiday_years"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    known = models.BooleanField(_("known to the library"))
    loaded_at = models.DateTimeField(_("loaded"), auto_now=True)

    class Meta:
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "year"], name="holiday_year_unique")
        ]

    def __str__(self) -> str:
        return f"{self.calendar_id}:{self.year}"


def _percent_list(value: object) -> None:
    if not isinstance(value, list) or not all(
        isinstance(item, int) and 1 <= item <= 99 for item in value
    ):
        raise ValidationError(_("Give whole percentages between 1 and 99, e.g. [75, 90]."))


def _action_list(value: object) -> None:
    if not isinstance(value, list) or not all(item in BreachAction.values for item in value):
        raise ValidationError(_("Unknown breach action."))


def _choice_list(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_("Give a list of values."))


class SlaPolicy(TenantScopedModel):
    """A service standard: which tickets it covers and how fast they must be served.

    Conditions are lists; an empty list matches everything. Targets are in business
    minutes of ``calendar``; an empty target is not measured.
    """

    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    customer_tiers = models.JSONField(
        _("customer tiers"), default=list, blank=True, validators=[_choice_list]
    )
    priorities = models.JSONField(
        _("priorities"), default=list, blank=True, validators=[_choice_list]
    )
    types = models.JSONField(_("ticket types"), default=list, blank=True, validators=[_choice_list])
    channels = models.JSONField(_("channels"), default=list, blank=True, validators=[_choice_list])
    categories = models.ManyToManyField(
        "tickets.Category", blank=True, related_name="sla_policies", verbose_name=_("categories")
    )
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        related_name="policies",
        verbose_name=_("calendar"),
    )
    first_response_minutes = models.PositiveIntegerField(
        _("first response (business minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(525600)],
    )
    next_response_minutes = models.PositiveIntegerField(
        _("next response (business minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(525600)],
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution (business minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(525600)],
    )
    warn_at_percent = models.JSONField(
        _("warn at (percent of target)"), default=list, blank=True, validators=[_percent_list]
    )
    breach_actions = models.JSONField(
        _("breach actions"), default=list, blank=True, validators=[_action_list]
    )
    notify_outside_hours = models.BooleanField(_("notify outside working hours"), default=False)
    published = models.BooleanField(
        _("shown to customers"),
        default=True,
        help_text=_("Customers it applies to see it on the portal."),
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="sla_policy_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


# Timers still measuring: neither fulfilled nor cancelled (a breached one runs on until it
# is answered or resolved). ``SlaTimer.objects.filter(RUNNING, …)``.
RUNNING = models.Q(fulfilled_at__isnull=True, cancelled_at__isnull=True)


class SlaTimer(TenantScopedModel):
    """One clock of one ticket: first response, one round of next response, or resolution.

    The facts (start, pauses, target, calendar, fulfilment) are kept; ``due_at`` and
    ``next_check_at`` are derived from them by ``zhongtai.sla.timers`` whenever they change.
    ``next_check_at`` is the next instant the sweep has something to do (a warning or the
    breach); it is empty when there is nothing left to do, and indexed for the sweep.

    ``team``, ``assignee``, ``tier``, ``priority`` and ``type`` are what the report groups
    the timer under: the ticket's, kept in step while the timer runs undecided, and frozen
    once it breaches or is fulfilled, so a breach stays with whoever held the ticket then
    (and the report reads this table alone). Not indexed: only the report reads them.
    """

    # Every ticket create writes two timers, so only the indexes that a read needs (Meta):
    # none on the creation time, the business unit (``sla_timer_report`` leads with it), the
    # policy or the calendar (deleting one of those, rare, scans the table instead).
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, db_index=False, verbose_name=_("business unit")
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="sla_timers"
    )
    target = models.CharField(_("target"), max_length=20, choices=Target.choices)
    policy = models.ForeignKey(
        SlaPolicy,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,
        related_name="timers",
    )
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.PROTECT, db_index=False, related_name="timers"
    )
    target_minutes = models.PositiveIntegerField(_("target (business minutes)"))
    started_at = models.DateTimeField(_("started"))
    pauses = models.JSONField(_("pauses"), default=list, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    warned_percent = models.PositiveSmallIntegerField(default=0)
    fulfilled_at = models.DateTimeField(_("fulfilled"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    business_minutes = models.FloatField(_("business minutes used"), null=True, blank=True)
    team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,
        related_name="+",
        verbose_name=_("team"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,
        related_name="+",
        verbose_name=_("assignee"),
    )
    tier = models.CharField(_("tier"), max_length=2, blank=True)
    priority = models.CharField(_("priority"), max_length=10, blank=True)
    type = models.CharField(_("type"), max_length=20, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("SLA timer")
        verbose_name_plural = _("SLA timers")
        indexes = [
            models.Index(
                fields=["next_check_at"],
                name="sla_timer_sweep",
                condition=models.Q(next_check_at__isnull=False),
            ),
            models.Index(fields=["tenant", "started_at"], name="sla_timer_report"),
            models.Index(
                fields=["tenant", "due_at"],
                name="sla_timer_due",
                condition=RUNNING,
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "target"],
                condition=RUNNING,
                name="sla_timer_one_running_per_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.target}"

    @property
    def is_running(self) -> bool:
        return self.fulfilled_at is None and self.cancelled_at is None
