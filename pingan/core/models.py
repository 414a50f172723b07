from __future__ import annotations

import datetime
import hashlib
import ipaddress
import json
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .querysets import ScopedQuerySet


class AuditImmutable(Exception):
    """Raised on any attempt to change or remove an audit event."""


# --- The hash chain -----------------------------------------------------------------------------
# Each audit event carries hash = SHA-256(prev_hash + canonical content) and the prev_hash it was
# chained to, so a row changed, removed or slipped in below the ORM breaks the chain at that row
# (`manage.py verify_audit` names it). Every insert — AuditEvent.save(), bulk_create() and the
# monitoring pipeline's raw INSERT — chains under one lock held to the end of its transaction
# (PostgreSQL: a transaction-level advisory lock; SQLite: the write lock that BEGIN IMMEDIATE
# takes), so concurrent writers never chain two rows to the same predecessor.

CHAIN_FIELDS = (
    "at",
    "actor_id",
    "actor_label",
    "action",
    "content_type_id",
    "object_id",
    "object_repr",
    "division_path",
    "before",
    "after",
    "note",
    "channel",
    "ip",
    "request_id",
)
GENESIS = "0" * 64
_CHAIN_LOCK = 0x50494E47  # "PING": the advisory-lock key of the audit chain


def _canon_json(value: Any) -> Any:
    """JSON as PostgreSQL's jsonb gives it back: an integral float (1.0, 1e20) and an int are one
    number; keys are sorted when dumped."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _canon_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canon_json(v) for v in value]
    return value


def chain_content(row: dict[str, Any]) -> str:
    """The canonical text of one event's content: the same from the values about to be inserted
    and from the values read back from either database."""
    out: dict[str, Any] = {}
    for name in CHAIN_FIELDS:
        value = row.get(name)
        if name == "at" and isinstance(value, datetime.datetime):
            if timezone.is_naive(value):
                value = timezone.make_aware(value, datetime.UTC)
            value = value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
        elif name == "ip" and value:
            value = str(ipaddress.ip_address(str(value).split("/")[0]))
        elif name in ("before", "after"):
            if isinstance(value, str):  # a raw cursor on SQLite returns the JSON text
                value = json.loads(value)
            value = _canon_json(value)
        elif name in ("actor_id", "content_type_id") and value is not None:
            value = int(value)
        elif value is None and name not in ("actor_id", "content_type_id", "ip", "before", "after"):
            value = ""
        out[name] = value
    return json.dumps(out, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def chain_hash(prev_hash: str, row: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + "\n" + chain_content(row)).encode()).hexdigest()


def lock_chain(using: str = "default") -> str:
    """Take the chain's lock (to the end of the current transaction) and return the last hash.
    Must be called inside transaction.atomic()."""
    connection = connections[using]
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
        cursor.execute(f"SELECT hash FROM {table} ORDER BY id DESC LIMIT 1")  # noqa: S608
        row = cursor.fetchone()
    return (row[0] or GENESIS) if row else GENESIS


def seal_rows(rows: Iterable[dict[str, Any]], using: str = "default") -> None:
    """Give each row (a dict of CHAIN_FIELDS) its prev_hash and hash, in order, after the last
    stored event. The caller inserts them in this order in the same transaction."""
    prev = lock_chain(using)
    for row in rows:
        row["prev_hash"] = prev
        row["hash"] = prev = chain_hash(prev, row)


def _row_of(event: AuditEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in CHAIN_FIELDS}


def _seal_events(events: list[AuditEvent], using: str) -> None:
    rows = []
    for event in events:
        if event.at is None:
            event.at = timezone.now()
        rows.append(_row_of(event))
    seal_rows(rows, using)
    for event, row in zip(events, rows, strict=True):
        event.prev_hash, event.hash = row["prev_hash"], row["hash"]


class AuditQuerySet(ScopedQuerySet):
    def bulk_create(self, objs: Iterable[AuditEvent], *args: Any, **kwargs: Any) -> list[AuditEvent]:
        objs = list(objs)
        using = self.db
        with transaction.atomic(using=using):
            _seal_events(objs, using)
            return super().bulk_create(objs, *args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        raise AuditImmutable("audit events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditImmutable("audit events are append-only")

    def for_object(self, obj: models.Model) -> AuditQuerySet:
        ct = ContentType.objects.get_for_model(obj)
        return self.filter(content_type=ct, object_id=str(obj.pk))


class AuditEvent(models.Model):
    """One state change: who, what, when, before/after, from where.

    Append-only. The ORM refuses updates and deletes here, and a database trigger refuses them
    below the ORM (PostgreSQL: UPDATE and DELETE; SQLite: UPDATE — DELETE stays possible on SQLite
    only because the test runner's flush deletes rows).
    """

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    # No database FK constraint: deleting a user must never touch (update) audit rows.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人名称"), max_length=150, blank=True)
    action = models.CharField(_("动作"), max_length=100, db_index=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", null=True, blank=True
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    division_path = models.CharField(max_length=20, blank=True, db_index=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    channel = models.CharField(_("渠道"), max_length=16, default="system")
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    # The tamper-evident chain (see chain_hash); set at insert, never by hand.
    prev_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    hash = models.CharField(max_length=64, blank=True, default="", editable=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="audit_object_at")]
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditImmutable("audit events are append-only")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            _seal_events([self], using)
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditImmutable("audit events are append-only")

    # Where a change came from, in the reader's language (the stored value stays a stable code).
    CHANNEL_LABELS = {
        "web": _("网页"),
        "api": _("接口"),
        "task": _("后台任务"),
        "device": _("设备"),
        "command": _("命令"),
        "system": _("系统"),
    }

    @property
    def channel_shown(self) -> str:
        return str(self.CHANNEL_LABELS.get(self.channel, self.channel))

    @property
    def actor_shown(self) -> str:
        """A person's name as recorded; a machine actor ("system", "system:monitoring") as 系统."""
        if self.actor_id is None and self.actor_label.split(":", 1)[0] == "system":
            return str(self.CHANNEL_LABELS["system"])
        return self.actor_label

    @classmethod
    def scope_q(cls, user: Any) -> models.Q:
        # People see the history of what lies in their area; the audit viewer for everything is
        # the city administrator's.
        if not user.scope_path:
            return models.Q(pk__in=[])
        return models.Q(division_path__startswith=user.scope_path)


class Deadline(models.Model):
    """A legal or service-level deadline as a row: what, who, due at, met at.

    Rules compute `due_at`; the periodic reconciler (core.tasks.reconcile_deadlines) reminds before
    `remind_at` and escalates after `due_at`, from the rows alone, so it catches up after downtime.
    Apps register what a reminder and an escalation do for their `kind` in core.deadlines.
    """

    kind = models.CharField(_("类型"), max_length=64, db_index=True)
    title = models.CharField(_("事项"), max_length=200)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    subject = GenericForeignKey("content_type", "object_id")
    division = models.ForeignKey(
        "geo.Division",
        verbose_name=_("区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deadlines",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deadlines",
    )
    starts_at = models.DateTimeField(_("起算时间"), default=timezone.now)
    due_at = models.DateTimeField(_("期限"), db_index=True)
    remind_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    next_escalation_at = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"

    class Meta:
        ordering = ["due_at"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="deadline_subject"),
            models.Index(fields=["met_at", "cancelled_at", "due_at"], name="deadline_open_due"),
        ]
        verbose_name = _("期限")
        verbose_name_plural = _("期限")

    def __str__(self) -> str:
        return f"{self.title} @ {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.met_at is None and self.cancelled_at is None

    def is_overdue(self, now: Any = None) -> bool:
        now = now or timezone.now()
        if self.cancelled_at:
            return False
        return (self.met_at or now) > self.due_at


class Link(models.Model):
    """A link between two objects of any apps (an alarm and the hazard case opened from it).

    Generic, so that apps can link to each other without migrations depending on each other.
    """

    a_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    a_id = models.CharField(max_length=64)
    a = GenericForeignKey("a_type", "a_id")
    b_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    b_id = models.CharField(max_length=64)
    b = GenericForeignKey("b_type", "b_id")
    kind = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["a_type", "a_id", "b_type", "b_id", "kind"], name="link_unique"),
        ]
        indexes = [models.Index(fields=["b_type", "b_id"], name="link_b")]

    def __str__(self) -> str:
        return f"{self.a_type_id}:{self.a_id} -{self.kind}-> {self.b_type_id}:{self.b_id}"


class CalendarOverride(models.Model):
    """An administrator's correction to the working-day calendar (a new 调休 or local holiday)."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")

    def __str__(self) -> str:
        return f"{self.date} {'workday' if self.is_workday else 'holiday'}"
