"""Routing data: the versions of each business unit's ticket classifier.

A version is trained in a task (``status`` and ``progress`` show where it is), judged on
examples held back from its training, and made active only if it is not worse than the
active one on those same examples. The fitted model itself is stored in the database, so
that every web process and worker of the installation loads the same one.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhongtai.core.models import TenantScopedModel
from zhongtai.customers.models import WarrantyStatus


class ClassifierTarget(models.TextChoices):
    """What a classifier predicts for a new ticket."""

    CATEGORY = "category", _("Category")
    PRIORITY = "priority", _("Priority")
    TEAM = "team", _("Team")


class ClassifierModel(TenantScopedModel):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        TRAINING = "training", _("Training")
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired (a newer version is active)")
        REJECTED = "rejected", _("Not activated (worse than the active one)")
        FAILED = "failed", _("Failed")

    class Source(models.TextChoices):
        TICKETS = "tickets", _("The unit's resolved tickets")
        FILE = "file", _("A JSONL file")

    target = models.CharField(
        _("predicts"), max_length=20, choices=ClassifierTarget.choices, default="category"
    )
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (percent)"), default=0)
    source = models.CharField(_("trained on"), max_length=20, choices=Source.choices)
    examples = models.PositiveIntegerField(_("training examples"), default=0)
    held_back = models.PositiveIntegerField(_("held-back examples"), default=0)
    labels = models.JSONField(_("labels"), default=list, blank=True)
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)
    trained_at = models.DateTimeField(_("trained"), null=True, blank=True)
    seconds = models.FloatField(_("training time (s)"), null=True, blank=True)
    blob = models.BinaryField(_("fitted model"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["tenant", "target", "-version"]
        verbose_name = _("classifier version")
        verbose_name_plural = _("classifier versions")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "target", "version"], name="classifier_version_unique"
            ),
            models.UniqueConstraint(
                fields=["tenant", "target"],
                condition=models.Q(status="active"),
                name="classifier_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}:{self.target} v{self.version} ({self.status})"


class RoutingSettings(TenantScopedModel):
    """How a business unit routes new tickets (one row per unit; defaults without one)."""

    classify_at_intake = models.BooleanField(
        _("classify new tickets"),
        default=True,
        help_text=_("Predict the category of a new ticket that has none."),
    )
    confidence_threshold = models.FloatField(
        _("confidence threshold"),
        default=0.6,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_(
            "A prediction at least this sure sets the category; a less sure one sends the "
            "ticket to triage with the top three suggestions."
        ),
    )
    auto_assign = models.BooleanField(
        _("assign new tickets to people"),
        default=False,
        help_text=_(
            "Give each new ticket to an available agent of its team whose skills match, "
            "by least load; a ticket nobody can take waits in the team's queue."
        ),
    )
    vip_team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("VIP lane"),
        help_text=_("A VIP customer's ticket goes to this team's agents first."),
    )

    class Meta:
        verbose_name = _("routing settings")
        verbose_name_plural = _("routing settings")
        constraints = [models.UniqueConstraint(fields=["tenant"], name="routing_settings_unique")]

    def __str__(self) -> str:
        return f"{self.tenant_id}"


def _string_list(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_("Give a list of texts."))


class RoutingRule(TenantScopedModel):
    """A classification rule of intake: conditions on a new ticket, fields it sets.

    Rules are tried in ``position`` order and every matching rule applies, but a field
    keeps the value of the first rule that set it; tags add up. An empty condition
    matches everything; a rule needs at least one condition and one action.
    """

    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    # conditions
    channels = models.JSONField(_("channels"), default=list, blank=True, validators=[_string_list])
    customer_tiers = models.JSONField(
        _("customer tiers"), default=list, blank=True, validators=[_string_list]
    )
    keywords = models.JSONField(
        _("keywords"),
        default=list,
        blank=True,
        validators=[_string_list],
        help_text=_("Any of these words in the subject or description (any case)."),
    )
    pattern = models.CharField(
        _("regular expression"),
        max_length=200,
        blank=True,
        help_text=_("Searched in the subject and the description (any case)."),
    )
    categories = models.ManyToManyField(
        "tickets.Category", blank=True, related_name="+", verbose_name=_("categories")
    )
    contact_domains = models.JSONField(
        _("contact e-mail domains"),
        default=list,
        blank=True,
        validators=[_string_list],
        help_text=_("e.g. bigcustomer.com"),
    )
    asset_product_lines = models.JSONField(
        _("asset product lines"),
        default=list,
        blank=True,
        validators=[_string_list],
        help_text=_("The product line of the asset the ticket is about (any case)."),
    )
    asset_models = models.JSONField(
        _("asset product models"),
        default=list,
        blank=True,
        validators=[_string_list],
        help_text=_("The model of the asset the ticket is about (any case)."),
    )
    asset_warranty = models.CharField(
        _("asset warranty"),
        max_length=20,
        blank=True,
        choices=[("", _("Any")), *WarrantyStatus.choices],
    )
    # actions
    set_category = models.ForeignKey(
        "tickets.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set category"),
    )
    set_type = models.CharField(_("set type"), max_length=20, blank=True)
    set_priority = models.CharField(_("set priority"), max_length=10, blank=True)
    set_team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set team"),
    )
    add_tags = models.JSONField(_("add tags"), default=list, blank=True, validators=[_string_list])

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="routing_rule_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class AgentStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    BUSY = "busy", _("Busy")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


def _int_list(value: object) -> None:
    if not isinstance(value, list) or not all(
        isinstance(item, int) and not isinstance(item, bool) for item in value
    ):
        raise ValidationError(_("Give a list of numbers."))


def _channel_caps(value: object) -> None:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v >= 0
        for k, v in value.items()
    ):
        raise ValidationError(_("Give a number of tickets per channel."))


class AgentProfile(TenantScopedModel):
    """How assignment sees a person of the unit: status, capacity and skills.

    Only an *available* agent is given tickets, up to ``max_open`` open ones (and per
    channel where ``channel_caps`` says so). Skills are categories, languages, customer
    tiers and product lines (of the ticket's asset); an empty skill list means "any".
    Someone without a profile is never given tickets automatically.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="routing_profiles",
        verbose_name=_("user"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=AgentStatus.choices, default=AgentStatus.OFFLINE
    )
    status_changed_at = models.DateTimeField(_("status since"), null=True, blank=True)
    max_open = models.PositiveSmallIntegerField(
        _("open tickets at most"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
    )
    channel_caps = models.JSONField(
        _("open tickets at most, per channel"),
        default=dict,
        blank=True,
        validators=[_channel_caps],
    )
    categories = models.JSONField(_("categories"), default=list, blank=True, validators=[_int_list])
    languages = models.JSONField(
        _("languages"), default=list, blank=True, validators=[_string_list]
    )
    customer_tiers = models.JSONField(
        _("customer tiers"), default=list, blank=True, validators=[_string_list]
    )
    product_lines = models.JSONField(
        _("product lines"), default=list, blank=True, validators=[_string_list]
    )
    last_assigned_at = models.DateTimeField(_("last given a ticket"), null=True, blank=True)

    class Meta:
        ordering = ["tenant", "user"]
        verbose_name = _("agent routing profile")
        verbose_name_plural = _("agent routing profiles")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="agent_profile_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.status})"


class TeamRouting(TenantScopedModel):
    """A team's overflow rule and surge switch (one row per team; none: no overflow)."""

    class OverflowTo(models.TextChoices):
        NONE = "", _("Nowhere (wait in the queue)")
        SURGE = "surge", _("The surge pool")
        BACKUP = "backup", _("The backup team")

    team = models.OneToOneField(
        "accounts.Team", on_delete=models.CASCADE, related_name="routing", verbose_name=_("team")
    )
    overflow_to = models.CharField(
        _("overflow to"), max_length=10, choices=OverflowTo.choices, default="", blank=True
    )
    backup_team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("backup team"),
    )
    max_waiting = models.PositiveIntegerField(
        _("overflow when this many wait"),
        null=True,
        blank=True,
        help_text=_("Unassigned open tickets in the team's queue."),
    )
    max_wait_minutes = models.PositiveIntegerField(
        _("overflow when the oldest waits this long (minutes)"), null=True, blank=True
    )
    surge_on = models.BooleanField(_("surge mode"), default=False)
    surge_changed_at = models.DateTimeField(_("surge mode changed"), null=True, blank=True)
    surge_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("surge mode changed by"),
    )

    class Meta:
        verbose_name = _("team routing")
        verbose_name_plural = _("team routing")

    def __str__(self) -> str:
        return str(self.team_id)


class SurgeEnrolment(TenantScopedModel):
    """A person enrolled in a team's surge pool for one day."""

    team = models.ForeignKey(
        "accounts.Team", on_delete=models.CASCADE, related_name="+", verbose_name=_("team")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    day = models.DateField(_("day"))
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enrolled by"),
    )

    class Meta:
        ordering = ["day", "team", "user"]
        verbose_name = _("surge enrolment")
        verbose_name_plural = _("surge enrolments")
        constraints = [
            models.UniqueConstraint(fields=["team", "user", "day"], name="surge_enrolment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.team_id} {self.day}"


class AgentLoad(models.Model):
    """How many open tickets a person holds in a unit (as owner or engineer), per channel;
    ``channel`` "" is the total. Assignment reads it instead of counting tickets.

    The database keeps it: triggers on the ticket table (``zhongtai.routing.loads``)
    follow every insert, update and delete of a ticket in the writing transaction, bulk
    writes included, so it cannot drift from the tickets. Nothing in Python writes it but
    ``loads_recount``.
    """

    tenant = models.ForeignKey(
        "core.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("business unit")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    channel = models.CharField(_("channel"), max_length=20, blank=True)
    tickets = models.IntegerField(_("open tickets"), default=0)

    class Meta:
        verbose_name = _("agent load")
        verbose_name_plural = _("agent loads")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user", "channel"], name="agent_load_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}/{self.channel or '*'}: {self.tickets}"
