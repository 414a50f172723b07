"""What the public and the people around a case add to it: the reporter's feedback after closure,
comments, photos."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit
from pingan.core.actions import ActionError, Conflict, lock
from pingan.core.permissions import require

from ..choices import (
    FeedbackAnswer,
    PhotoKind,
    State,
)
from ..models import (
    Comment,
    Feedback,
    HazardCase,
    Photo,
)
from ..photos import save_photo
from .common import (
    _tell_subscribers,
    _who,
)
from .handling import _reopen


@transaction.atomic
def do_feedback(actor: Any, case: HazardCase, *, answer: str, note: str = "") -> Feedback:
    """The reporter (by tracking code, or signed in) says whether the hazard is really gone.
    "Not fixed" reopens the case with the reporter's note."""
    if answer not in FeedbackAnswer.values:
        raise ActionError(_("请选择是否已消除"), field="answer", code="invalid")
    case = lock(case)
    if case.state != State.CLOSED:
        raise Conflict(_("只有已销号的隐患可以反馈"), field="state")
    if answer == FeedbackAnswer.NOT_FIXED and not (note or "").strip():
        raise ActionError(_("请说明隐患仍然存在的情况"), field="note", code="required")
    user = actor if getattr(actor, "is_authenticated", False) else None
    fb = Feedback.objects.create(case=case, answer=answer, note=(note or "")[:2000], user=user)
    audit.record("hazards.case.feedback", case, actor=_who(actor), after={"answer": answer}, note=note)
    if answer == FeedbackAnswer.NOT_FIXED:
        _reopen(actor, case, _("报告人反馈未消除: %(n)s") % {"n": note})
    return fb


@transaction.atomic
def do_comment(actor: Any, case: HazardCase, *, body: str, is_public: bool = False) -> Comment:
    if not (body or "").strip():
        raise ActionError(_("请填写内容"), field="body", code="required")
    require(actor, "hazards.comment", case, _("您不能对该隐患发表意见"))
    if is_public:
        require(actor, "hazards.comment_public", case, _("只有工作人员可以发布公开意见"), field="is_public")
    comment = Comment.objects.create(
        case=case, author=actor, department=actor.department, body=body.strip(), is_public=is_public
    )
    audit.record(
        "hazards.case.comment",
        case,
        actor=_who(actor),
        after={"public": is_public},
        note=body.strip() if is_public else "",
    )
    if is_public:
        HazardCase.objects.filter(pk=case.pk).update(
            public_note=body.strip()[:300], updated_at=timezone.now()
        )
        _tell_subscribers(case, _("您关注的隐患有新的处理说明"))
    return comment


@transaction.atomic
def do_add_photo(actor: Any, case: HazardCase, *, photo: Any, kind: str) -> Photo:
    """A photo added to a case after intake (the API upload): stored with its public copy, audited."""
    require(actor, "hazards.upload_photo", case, _("您不能为该隐患上传照片"))
    if kind not in PhotoKind.values:
        raise ActionError(_("未知的照片类别"), field="kind", code="invalid")
    case = lock(case)
    saved = save_photo(case, photo, kind=kind, user=actor)
    audit.record("hazards.case.photo", case, actor=_who(actor), after={"photo": saved.pk, "kind": kind})
    return saved
