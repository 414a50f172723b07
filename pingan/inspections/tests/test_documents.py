"""Enforcement documents (numbered per department, year and kind, without gaps; PDF and DOCX), the
penalty register and the enforcement statistics with their Excel export."""

import datetime as dt
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from pingan.core import pdf
from pingan.core.actions import ActionError, Conflict, Forbidden
from pingan.core.models import AuditEvent, Deadline
from pingan.inspections import actions, documents, rules
from pingan.inspections.models import DocumentCounter, EnforcementDocument, Penalty

from .factories import drawn_plan, registers, the_inspection

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(world):
    reg = registers(world)
    inspection = the_inspection(drawn_plan(world))
    inspector = world.user("inspector")
    actions.do_start(inspector, inspection, representative="王经理")
    actions.do_add_finding(
        inspector,
        inspection,
        item=reg["major_item"],
        description="动火作业前未进行气体分析",
        rectify_by=timezone.localdate() + dt.timedelta(days=10),
    )
    inspection.refresh_from_db()
    return inspection


def test_rule_vectors():
    assert rules.chinese_date(dt.date(2026, 3, 2)) == "二〇二六年三月二日"
    assert rules.chinese_date(dt.date(2026, 12, 31)) == "二〇二六年十二月三十一日"
    assert rules.chinese_date(dt.date(2026, 10, 20)) == "二〇二六年十月二十日"
    assert rules.document_number("清城应急", "责改", 2026, 3) == "清城应急责改〔2026〕3号"
    assert rules.payment_due(dt.date(2026, 3, 2)) == dt.date(2026, 3, 17)
    assert rules.earliest_decision(dt.date(2026, 3, 2)) == dt.date(2026, 3, 8)
    with pytest.raises(rules.RuleError) as exc:
        rules.check_penalty("-5", "安全生产法第九十七条", "未按规定进行气体分析")
    assert exc.value.field == "amount"
    with pytest.raises(rules.RuleError) as exc:
        rules.check_penalty("5000", "", "事实")
    assert exc.value.field == "basis"


def test_numbers_are_per_department_year_kind_and_gap_free(world, started):
    inspector = world.user("inspector")
    record = actions.do_issue_document(inspector, started, "site_record")
    order = actions.do_issue_document(inspector, started, "rectify_order")
    year = timezone.localdate().year
    assert record.seq == order.seq == 1  # each kind its own series
    assert record.number.endswith(f"检记〔{year}〕1号") and "责改" in order.number
    with pytest.raises(Conflict):
        actions.do_issue_document(inspector, started, "site_record")  # once per inspection
    with pytest.raises(ActionError):
        actions.do_issue_document(inspector, started, "review_opinion")  # nothing re-inspected yet
    # A number taken in a transaction that fails is given back: the next one follows without a gap.
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.next_number(record.department, year, "site_record")
        raise RuntimeError
    assert actions.next_number(record.department, year, "site_record") == 2
    assert DocumentCounter.objects.get(department=record.department, year=year, kind="site_record").last == 2
    assert AuditEvent.objects.filter(action="inspections.document.issue").count() == 2
    # Nobody outside the inspection issues its documents.
    with pytest.raises(Forbidden):
        actions.do_issue_document(world.user("inspector", "yingde"), started, "review_opinion")


def test_pdf_and_docx_render_the_form(world, started):
    doc = actions.do_issue_document(world.user("inspector"), started, "rectify_order")
    assert doc.content["title"] == "责令限期整改指令书"
    pdf = documents.render_pdf(doc.number, doc.content)
    assert pdf.startswith(b"%PDF")
    if os.environ.get("PINGAN_DOC_DUMP"):  # to look at the form: PINGAN_DOC_DUMP=var/screenshots pytest …
        Path(os.environ["PINGAN_DOC_DUMP"], "rectify_order.pdf").write_bytes(pdf)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout
        text = text.decode()
        assert "责令限期整改指令书" in text and doc.number in text and "动火作业前未进行气体分析" in text
    from docx import Document

    body = "\n".join(
        p.text for p in Document(io.BytesIO(documents.render_docx(doc.number, doc.content))).paragraphs
    )
    assert "责令限期整改指令书" in body and doc.number in body and "重大事故隐患" in body


def test_font_missing_is_said_clearly(monkeypatch):
    monkeypatch.setattr(pdf, "FONT_CANDIDATES", ("/nonexistent.ttc",))
    monkeypatch.delenv("PINGAN_CJK_FONT", raising=False)
    with pytest.raises(documents.FontMissing) as exc:
        documents.cjk_font()
    assert "fonts-noto-cjk" in str(exc.value)


def test_penalty_notice_decision_payment(world, started):
    staff = world.user("dept_staff")
    with pytest.raises(Forbidden):  # another district's department decides nothing here
        actions.do_notify_penalty(
            world.user("dept_staff", "yingde"), started, facts="x", basis="y", amount="1"
        )
    with pytest.raises(ActionError) as exc:
        actions.do_notify_penalty(staff, started, facts="事实", basis="依据", amount="abc")
    assert exc.value.field == "amount"
    penalty = actions.do_notify_penalty(
        staff,
        started,
        facts="动火作业前未进行气体分析。",
        basis="《中华人民共和国安全生产法》第一百零一条",
        amount="20000",
    )
    notice = penalty.documents.get()
    assert notice.kind == "penalty_notice" and "罚告" in notice.number
    with pytest.raises(ActionError) as exc:
        actions.do_decide_penalty(staff, penalty)  # the hearing-request period has not passed
    assert exc.value.code == "too_early"
    Penalty.objects.filter(pk=penalty.pk).update(notified_at=timezone.now() - dt.timedelta(days=7))
    penalty.refresh_from_db()
    actions.do_decide_penalty(staff, penalty)
    penalty.refresh_from_db()
    assert penalty.state == "decided" and penalty.pay_by == timezone.localdate() + dt.timedelta(days=15)
    decision = penalty.documents.get(kind="penalty_decision")
    assert notice.number in " ".join(decision.content["sections"][0]["paragraphs"])
    assert Deadline.objects.filter(kind="inspections.pay", object_id=str(penalty.pk), met_at=None).exists()
    actions.do_record_payment(staff, penalty)
    penalty.refresh_from_db()
    assert penalty.state == "paid"
    assert not Deadline.objects.filter(
        kind="inspections.pay", object_id=str(penalty.pk), met_at=None
    ).exists()
    assert set(
        AuditEvent.objects.filter(action__startswith="inspections.penalty.").values_list("action", flat=True)
    ) == {
        "inspections.penalty.notify",
        "inspections.penalty.decide",
        "inspections.penalty.pay",
    }


def client(world, role, area="qingcheng"):
    c = Client()
    c.force_login(world.user(role, area))
    return c


def test_pages_downloads_and_export(world, started, django_assert_max_num_queries):
    from openpyxl import load_workbook

    doc = actions.do_issue_document(world.user("inspector"), started, "site_record")
    actions.do_notify_penalty(
        world.user("dept_staff"), started, facts="事实。", basis="依据", amount="500.50"
    )
    r = client(world, "inspector").get(f"/console/inspections/{started.pk}/")
    assert doc.number in r.content.decode()
    r = client(world, "inspector").get(f"/console/inspections/documents/{doc.pk}.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    url = f"/console/inspections/documents/{doc.pk}.docx"
    assert client(world, "enterprise").get(url).status_code == 200  # the party gets its documents
    assert client(world, "dept_staff", "yingde").get(url).status_code == 404
    assert client(world, "inspector").get(f"/console/inspections/documents/{doc.pk}.txt").status_code == 404
    for url in ("/console/inspections/penalties/", "/console/inspections/statistics/"):
        assert client(world, "dept_staff").get(url).status_code == 200
        assert client(world, "grid_worker").get(url).status_code == 403
        assert client(world, "enterprise").get(url).status_code == 403
    c = client(world, "dept_staff")
    assert "500.50" in c.get("/console/inspections/penalties/").content.decode()
    with django_assert_max_num_queries(30) as one:
        c.get("/console/inspections/penalties/")
        c.get("/console/inspections/statistics/")
    for n in range(4):  # more penalties: the register and the statistics cost the same queries
        actions.do_notify_penalty(
            world.user("dept_staff"), started, facts=f"事实{n}。", basis="依据", amount="1"
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        c.get("/console/inspections/penalties/")
        c.get("/console/inspections/statistics/")
    r = client(world, "dept_staff").get("/console/inspections/statistics/export.xlsx?year=2026")
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["按部门", "按区县", "按月份", "行政处罚台账"]
    dept = list(wb["按部门"].iter_rows(values_only=True))
    assert dept[1][1:7] == (1, 0, 1, 0, 1, 5)  # planned, done, findings, per inspection, major, penalties
    assert 500.5 in [row[4] for row in wb["行政处罚台账"].iter_rows(values_only=True)]
    assert EnforcementDocument.objects.filter(kind="penalty_notice").count() == 5


@pytest.mark.django_db(transaction=True)
def test_numbers_under_concurrency(world):
    """Two issuers at once get consecutive numbers (PostgreSQL: the counter row is locked)."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL")
    department = world.departments[next(iter(world.departments))]
    got: list[int] = []
    start = threading.Barrier(2)

    def issue() -> None:
        try:
            start.wait()
            with transaction.atomic():
                got.append(actions.next_number(department, 2026, "rectify_order"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == [1, 2]
