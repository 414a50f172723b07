"""Co-handling to the end (完成协办), the rectification's evidence, attachments and printed notices:
each transition and its audit event, bad inputs (wrong types, oversize, negative cost), the API
permission matrix for the new operations, "offered means allowed" on the case page, query counts."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from pingan.core.actions import ActionError, Conflict, Forbidden
from pingan.core.models import AuditEvent
from pingan.core.testing import MATRIX_PEOPLE
from pingan.hazards import actions, rules
from pingan.hazards.choices import PhotoKind, State, TaskState
from pingan.hazards.models import Attachment, HazardCase, Notice, Rectification

from .factories import jpeg_with_gps, png, submit, to_state

pytestmark = pytest.mark.django_db

ROLES = MATRIX_PEOPLE + [(None, None)]
IDS = [f"{r}-{a}" for r, a in ROLES]
SEES_QC_CASE = {
    ("city_admin", "city"),
    ("dept_staff", "qingcheng"),
    ("area_staff", "qingcheng"),
    ("grid_worker", "qingcheng"),
    ("inspector", "qingcheng"),
    ("duty_officer", "qingcheng"),
    ("duty_leader", "qingcheng"),
    ("rescue_lead", "qingcheng"),
    ("integration", "city"),
}


def pdf_file(name: str = "方案.pdf", size: int = 0) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b" " * size
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def docx_file(name: str = "整改报告.docx") -> SimpleUploadedFile:
    from docx import Document

    doc = Document()
    doc.add_paragraph("整改报告")
    out = io.BytesIO()
    doc.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/octet-stream")


def co_handled(world) -> HazardCase:
    """A case led by the 清城 fire brigade with the 凤城 street office co-handling, work started."""
    dispatcher = world.user("dept_staff", "city")
    case = to_state(world, submit(world), "registered")
    case = actions.do_assign(
        dispatcher, case, lead=world.departments["qc_fire"], co=[world.departments["qc_town"]]
    )
    return actions.do_start(world.user("rescue_lead"), case)


# --- 完成协办 -----------------------------------------------------------------------------------------
def test_co_handler_finishes_then_lead_submits(world):
    case = co_handled(world)
    lead, co = world.user("rescue_lead"), world.user("area_staff")  # qc_fire, qc_town
    # While the co-task is open the lead is not offered 提交验收 (it would be refused).
    assert "submit_rectification" not in actions.available_actions(lead, case)
    with pytest.raises(ActionError) as err:
        actions.do_submit_rectification(lead, case, note="完成")
    assert err.value.code == "co_tasks_open"
    # Only the co-handling department finishes its task; the note is required.
    with pytest.raises(Forbidden):
        actions.do_finish_cotask(lead, case, note="not mine")
    with pytest.raises(Forbidden):
        actions.do_finish_cotask(world.user("dept_staff"), case, note="qc_em holds no task")
    with pytest.raises(ActionError) as err:
        actions.do_finish_cotask(co, case, note=" ")
    assert err.value.field == "note"
    task = actions.do_finish_cotask(co, case, note="街道已通知物业清理")
    assert task.state == TaskState.DONE and task.done_at is not None
    event = AuditEvent.objects.for_object(case).filter(action="hazards.case.task").get()
    assert event.actor_id == co.pk and event.after["state"] == "done"
    assert event.note == "街道已通知物业清理"
    # Finished once: not again.
    with pytest.raises(Forbidden):
        actions.do_finish_cotask(co, case, note="again")
    assert "submit_rectification" in actions.available_actions(lead, case)
    case = actions.do_submit_rectification(lead, case, note="杂物已清理")
    assert case.state == State.AWAITING_ACCEPTANCE


def test_finish_cotask_refused_outside_handling(world):
    case = co_handled(world)
    dispatcher = world.user("dept_staff", "city")
    case = actions.do_backlog(dispatcher, case, reason="暂无法解决")
    with pytest.raises(Conflict):
        actions.do_finish_cotask(world.user("area_staff"), case, note="完成")


def test_case_page_offers_finish_only_to_the_co_handler(world):
    case = co_handled(world)
    url = f"/console/hazards/{case.pk}/"
    pages = {}
    for role in ("area_staff", "grid_worker", "rescue_lead", "dept_staff", "inspector"):
        c = Client()
        c.force_login(world.user(role))
        pages[role] = c.get(url).content.decode()
    for role in ("area_staff", "grid_worker"):  # people of 凤城街道办事处, the co-handler
        assert 'data-testid="finish-cotask"' in pages[role], role
    for role in ("rescue_lead", "dept_staff", "inspector"):
        assert 'data-testid="finish-cotask"' not in pages[role], role
    # The lead sees who it waits for, and no 提交验收 button.
    assert 'data-testid="waiting-co"' in pages["rescue_lead"] and "凤城街道办事处" in pages["rescue_lead"]
    assert 'data-testid="do-submit_rectification"' not in pages["rescue_lead"]
    c = Client()
    c.force_login(world.user("area_staff"))
    r = c.post(f"/console/hazards/{case.pk}/cotask/", {"note": "已配合清理"})
    assert r.status_code == 302
    c.force_login(world.user("rescue_lead"))
    page = c.get(url).content.decode()
    assert 'data-testid="do-submit_rectification"' in page and 'data-testid="waiting-co"' not in page


# --- Rectification evidence -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value,expected",
    [
        ("", (None, None)),
        (None, (None, None)),
        ("0", (Decimal("0.00"), None)),
        ("1,234.5", (Decimal("1234.50"), None)),
        ("12.34", (Decimal("12.34"), None)),
        ("-0.01", (None, "negative")),
        ("1.234", (None, "precision")),
        ("abc", (None, "invalid")),
        ("NaN", (None, "invalid")),
        ("Infinity", (None, "invalid")),
        ("1e12", (None, "too_large")),
        ("9999999999.99", (Decimal("9999999999.99"), None)),
    ],
)
def test_parse_cost(value, expected):
    assert rules.parse_cost(value) == expected


def test_rectification_carries_evidence(world):
    case = to_state(world, submit(world), "rectifying")
    lead = world.user("rescue_lead") if case.lead_department == world.departments["qc_fire"] else None
    from .factories import lead_person

    lead = lead or lead_person(world, case)
    case = actions.perform(
        lead,
        case,
        "submit_rectification",
        {
            "reason": "通道已清理",
            "measures": "清走杂物,张贴禁止堆放标识",
            "cost": "350.50",
            "responsible": "王五",
            "before_photos": [jpeg_with_gps("before.jpg")],
            "after_photos": [png("after.png")],
        },
    )
    assert case.state == State.AWAITING_ACCEPTANCE
    rec = Rectification.objects.get(case=case)
    assert rec.measures == "清走杂物,张贴禁止堆放标识"
    assert (rec.cost, rec.responsible) == (Decimal("350.50"), "王五")
    kinds = sorted(case.photos.values_list("kind", flat=True))
    assert kinds == [PhotoKind.AFTER, PhotoKind.BEFORE]
    event = AuditEvent.objects.for_object(case).get(action="hazards.case.submit_rectification")
    assert event.after["cost"] == "350.50" and event.after["responsible"] == "王五"
    assert event.after["photos"] == {"before": 1, "after": 1}
    # The acceptor sees before and after side by side with the measures, cost and person.
    c = Client()
    c.force_login(world.user("grid_worker"))
    page = c.get(f"/console/hazards/{case.pk}/").content.decode()
    assert 'data-testid="before-after"' in page and "350.50" in page and "王五" in page
    assert 'data-testid="do-accept"' in page


@pytest.mark.parametrize(
    "data,field,code",
    [
        ({"cost": "-5"}, "cost", "negative"),
        ({"cost": "3.141"}, "cost", "precision"),
        ({"cost": "三百"}, "cost", "invalid"),
        ({"after_photos": [pdf_file("a.jpg")]}, "photos", "bad_type"),
    ],
)
def test_rectification_bad_inputs_change_nothing(world, data, field, code):
    from .factories import lead_person

    case = to_state(world, submit(world), "rectifying")
    with pytest.raises(ActionError) as err:
        actions.perform(lead_person(world, case), case, "submit_rectification", {"reason": "完成"} | data)
    assert (err.value.field, err.value.code) == (field, code)
    case.refresh_from_db()
    assert case.state == State.RECTIFYING
    assert not Rectification.objects.exists() and not case.photos.exists()


def test_rectification_defaults_responsible_to_the_submitter(world):
    from .factories import lead_person

    case = to_state(world, submit(world), "rectifying")
    lead = lead_person(world, case)
    actions.do_submit_rectification(lead, case, note="完成")
    rec = Rectification.objects.get(case=case)
    assert rec.responsible == str(lead.get_full_name() or lead)
    assert rec.cost is None and rec.measures == "完成"


def test_api_transition_rejects_negative_cost(world, django_assert_max_num_queries):
    from .factories import lead_person

    case = to_state(world, submit(world), "rectifying")
    c = APIClient()
    c.force_authenticate(lead_person(world, case))
    r = c.post(
        f"/api/v1/hazards/{case.pk}/transition/",
        {"action": "submit_rectification", "reason": "完成", "cost": "-1"},
        format="json",
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "cost"
    r = c.post(
        f"/api/v1/hazards/{case.pk}/transition/",
        {"action": "submit_rectification", "reason": "完成", "cost": "80", "responsible": "李四"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["state"] == "awaiting_acceptance"


# --- Attachments ------------------------------------------------------------------------------------
def test_attachments_upload_sniffed_and_audited(world):
    case = submit(world)
    staff = world.user("dept_staff")
    a = actions.do_add_attachment(staff, case, file=pdf_file())
    assert (a.format, a.name) == ("pdf", "方案.pdf")
    d = actions.do_add_attachment(staff, case, file=docx_file("report.bin"))
    assert (d.format, d.name) == ("docx", "report.docx")  # the content decides, not the name
    events = AuditEvent.objects.for_object(case).filter(action="hazards.case.attachment")
    assert {(e.after["attachment"], e.after["format"], e.actor_id) for e in events} == {
        (str(a.public_id), "pdf", staff.pk),
        (str(d.public_id), "docx", staff.pk),
    }


def _zip(names):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for n in names:
            z.writestr(n, "x")
    return out.getvalue()


@pytest.mark.parametrize(
    "body,name,code",
    [
        (b"MZ\x90\x00 not a document", "方案.pdf", "bad_type"),
        (b"<html><script>alert(1)</script>", "报告.docx", "bad_type"),
        (_zip(["xl/workbook.xml"]), "表.docx", "bad_type"),  # a zip but not a Word document
        (b"", "empty.pdf", "empty"),
        (rules.OLE_MAGIC + b"\x00" * 600 + "Workbook".encode("utf-16-le"), "表.doc", "bad_type"),
    ],
)
def test_attachment_bad_types(world, body, name, code):
    case = submit(world)
    with pytest.raises(ActionError) as err:
        actions.do_add_attachment(world.user("dept_staff"), case, file=SimpleUploadedFile(name, body))
    assert (err.value.field, err.value.code) == ("file", code)
    assert not Attachment.objects.exists()


def test_attachment_old_word_format(world):
    body = rules.OLE_MAGIC + b"\x00" * 600 + "WordDocument".encode("utf-16-le") + b"\x00" * 64
    att = actions.do_add_attachment(
        world.user("dept_staff"), submit(world), file=SimpleUploadedFile("旧.doc", body)
    )
    assert att.format == "doc" and att.name == "旧.doc"


def test_attachment_oversize(world, settings):
    settings.HAZARDS_ATTACHMENT_MAX_BYTES = 1024
    case = submit(world)
    with pytest.raises(ActionError) as err:
        actions.do_add_attachment(world.user("dept_staff"), case, file=pdf_file(size=2000))
    assert err.value.code == "too_large"


def test_attachment_download_scoped(world):
    case = submit(world)
    att = actions.do_add_attachment(world.user("dept_staff"), case, file=pdf_file())
    url = f"/console/hazards/{case.pk}/attachments/{att.public_id}/"
    c = Client()
    c.force_login(world.user("area_staff"))
    r = c.get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF-")
    assert r["Content-Type"] == "application/pdf" and "attachment" in r["Content-Disposition"]
    c.force_login(world.user("area_staff", "yingde"))
    assert c.get(url).status_code == 404  # another district: as if it did not exist
    c.force_login(world.user("enterprise"))
    assert c.get(url).status_code == 404  # not its case
    c.force_login(world.user("area_staff"))
    other = submit(world, title="另一处隐患")
    assert c.get(f"/console/hazards/{other.pk}/attachments/{att.public_id}/").status_code == 404


def test_attachment_upload_page_names_the_error(world):
    case = submit(world)
    c = Client()
    c.force_login(world.user("dept_staff"))
    r = c.post(
        f"/console/hazards/{case.pk}/attachments/",
        {"file": SimpleUploadedFile("x.pdf", b"GIF89a")},
        follow=True,
    )
    assert "附件只能是 PDF 或 Word 文档" in r.content.decode()
    assert not Attachment.objects.exists()


# --- Notices ----------------------------------------------------------------------------------------
def test_notices_numbered_per_department_and_year(world):
    case = co_handled(world)
    lead = world.user("rescue_lead")  # 清城区消防救援大队
    n1 = actions.do_issue_notice(lead, case, kind="rectify")
    n2 = actions.do_issue_notice(lead, case, kind="rectify")
    year = n1.year
    assert n1.number == f"清城区消防救援大队隐改〔{year}〕1号"
    assert n2.seq == 2
    assert n1.content["title"] == "安全隐患整改通知书" and case.number in str(n1.content["party"])
    assert AuditEvent.objects.for_object(case).filter(action="hazards.case.notice").count() == 2
    # 督办通知书: only for a late or listed case, by the supervising side.
    with pytest.raises(Conflict):
        actions.do_issue_notice(world.user("city_admin", "city"), case, kind="supervise")
    with pytest.raises(Forbidden):
        actions.do_issue_notice(lead, case, kind="supervise")
    with pytest.raises(Forbidden):
        actions.do_issue_notice(world.user("grid_worker"), case, kind="rectify")
    HazardCase.objects.filter(pk=case.pk).update(due_at=case.created_at)
    case.refresh_from_db()
    s = actions.do_issue_notice(world.user("dept_staff", "city"), case, kind="supervise")
    assert s.number.endswith(f"隐督〔{year}〕1号") and s.number.startswith("清远市安全隐患受理中心")
    assert "已过" in " ".join(s.content["sections"][0]["paragraphs"])
    with pytest.raises(ActionError):
        actions.do_issue_notice(lead, case, kind="nonsense")


def test_notice_pdf_and_offer(world):
    case = co_handled(world)
    lead = world.user("rescue_lead")
    c = Client()
    c.force_login(lead)
    page = c.get(f"/console/hazards/{case.pk}/").content.decode()
    assert 'data-testid="issue-rectify"' in page and 'data-testid="issue-supervise"' not in page
    r = c.post(f"/console/hazards/{case.pk}/notices/", {"kind": "rectify"})
    assert r.status_code == 302
    notice = Notice.objects.get()
    r = c.get(f"/console/hazards/{case.pk}/notices/{notice.pk}.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF-") and r["Content-Type"] == "application/pdf"
    grid = Client()
    grid.force_login(world.user("grid_worker"))
    page = grid.get(f"/console/hazards/{case.pk}/").content.decode()
    assert 'data-testid="issue-rectify"' not in page  # offered only to those who may issue
    assert grid.get(f"/console/hazards/{case.pk}/notices/{notice.pk}.pdf").status_code == 200
    other = Client()
    other.force_login(world.user("area_staff", "yingde"))
    assert other.get(f"/console/hazards/{case.pk}/notices/{notice.pk}.pdf").status_code == 404


# --- The API permission matrix ----------------------------------------------------------------------
def api(world, role, area):
    c = APIClient()
    if role is not None:
        c.force_authenticate(world.user(role, area))
    return c


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_api_attachments(world, role, area):
    case = submit(world)
    actions.do_add_attachment(world.user("dept_staff"), case, file=pdf_file())
    c = api(world, role, area)
    r = c.get(f"/api/v1/hazards/{case.pk}/attachments/")
    w = c.post(f"/api/v1/hazards/{case.pk}/attachments/", {"file": docx_file()}, format="multipart")
    if role is None:
        assert r.status_code in (401, 403) and w.status_code in (401, 403)
    elif (role, area) in SEES_QC_CASE:
        assert r.status_code == 200 and r.json()[0]["format"] == "pdf"
        assert w.status_code == 201 and w.json()["format"] == "docx"
    else:
        assert r.status_code == 404 and w.status_code == 404


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_api_notices(world, role, area):
    case = co_handled(world)
    c = api(world, role, area)
    w = c.post(f"/api/v1/hazards/{case.pk}/notices/", {"kind": "rectify"}, format="json")
    r = c.get(f"/api/v1/hazards/{case.pk}/notices/")
    if role is None:
        assert r.status_code in (401, 403) and w.status_code in (401, 403)
    elif (role, area) in SEES_QC_CASE:
        # the lead (清城区消防救援大队: the rescue lead) and the city administrator (every centre) issue
        issuer = (role, area) in {("rescue_lead", "qingcheng"), ("city_admin", "city")}
        assert w.status_code == (201 if issuer else 403)
        assert r.status_code == 200 and len(r.json()) == (1 if issuer else 0)
    else:
        assert r.status_code == 404 and w.status_code == 404


def test_api_notice_bad_kind(world):
    case = co_handled(world)
    r = api(world, "rescue_lead", "qingcheng").post(
        f"/api/v1/hazards/{case.pk}/notices/", {"kind": "nonsense"}, format="json"
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "kind"


# --- Query counts -----------------------------------------------------------------------------------
def test_case_page_queries_constant(world, django_assert_max_num_queries):
    case = co_handled(world)
    lead = world.user("rescue_lead")
    c = Client()
    c.force_login(lead)
    actions.do_add_attachment(lead, case, file=pdf_file())
    actions.do_issue_notice(lead, case, kind="rectify")
    c.get(f"/console/hazards/{case.pk}/")  # warm caches (sessions, content types)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        c.get(f"/console/hazards/{case.pk}/")
    for _ in range(6):
        actions.do_add_attachment(lead, case, file=pdf_file())
        actions.do_issue_notice(lead, case, kind="rectify")
    with django_assert_max_num_queries(len(one.captured_queries)):
        c.get(f"/console/hazards/{case.pk}/")
    a = APIClient()
    a.force_authenticate(lead)
    with django_assert_max_num_queries(12):
        assert len(a.get(f"/api/v1/hazards/{case.pk}/attachments/").json()) == 7
    with django_assert_max_num_queries(12):
        assert len(a.get(f"/api/v1/hazards/{case.pk}/notices/").json()) == 7
