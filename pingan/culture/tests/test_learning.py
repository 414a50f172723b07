"""A learner takes a course: progress kept, quiz scored, certificate issued once, PDF for the holder only,
verification for anyone."""

import pytest
from django.test import Client

from pingan.core.models import AuditEvent
from pingan.culture.models import Certificate, Enrolment

pytestmark = pytest.mark.django_db


def _answers(course, right=True):
    return {
        f"q{q.pk}": str(q.answer if right else (q.answer + 1) % len(q.options))
        for q in course.questions.all()
    }


def test_course_quiz_certificate_and_verification(world, course):
    farmer = world.user("public", "city")
    c = Client()
    c.force_login(farmer)
    assert c.get("/learn/").status_code == 200
    assert c.get(f"/learn/courses/{course.pk}/").status_code == 200
    # the quiz waits for the lessons
    r = c.post(f"/learn/courses/{course.pk}/quiz/", _answers(course))
    assert r.status_code == 302 and not Certificate.objects.exists()
    lessons = list(course.lessons.all())
    c.post(f"/learn/courses/{course.pk}/start/")
    r = c.post(f"/learn/courses/{course.pk}/lessons/{lessons[0].pk}/")
    assert r["Location"].endswith(f"/lessons/{lessons[1].pk}/")
    assert Enrolment.objects.get(user=farmer).lessons_done == [lessons[0].pk]  # progress kept
    for lesson in lessons[1:]:
        c.post(f"/learn/courses/{course.pk}/lessons/{lesson.pk}/")
    r = c.post(f"/learn/courses/{course.pk}/quiz/", _answers(course, right=False))
    assert "未合格" in r.content.decode() and not Certificate.objects.exists()
    r = c.post(f"/learn/courses/{course.pk}/quiz/", _answers(course))
    cert = Certificate.objects.get()
    assert cert.score == 100 and cert.code in r.content.decode()
    c.post(f"/learn/courses/{course.pk}/quiz/", _answers(course))
    assert Certificate.objects.count() == 1  # once
    e = Enrolment.objects.get(user=farmer)
    assert e.attempts == 3 and e.passed_at is not None
    assert AuditEvent.objects.filter(action="culture.certificate.issue").count() == 1
    pdf = c.get(f"/learn/certificates/{cert.code}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    # another person cannot download it; anyone can verify it
    other = Client()
    other.force_login(world.user("enterprise", "qingcheng"))
    assert other.get(f"/learn/certificates/{cert.code}.pdf").status_code == 404
    anon = Client()
    assert anon.get(f"/learn/certificates/{cert.code}.pdf").status_code == 302
    page = anon.get("/learn/verify/", {"code": cert.code.lower().replace("-", " ")}).content.decode()
    assert "证书有效" in page and course.title in page
    assert "查无此证书" in anon.get("/learn/verify/", {"code": "2222-2222-2222"}).content.decode()


def test_anonymous_reads_but_must_sign_in_to_learn(course):
    anon = Client()
    assert anon.get("/learn/").status_code == 200
    assert anon.get(f"/learn/courses/{course.pk}/").status_code == 200
    lesson = course.lessons.first()
    assert anon.get(f"/learn/courses/{course.pk}/lessons/{lesson.pk}/").status_code == 302
    assert anon.get(f"/learn/courses/{course.pk}/quiz/").status_code == 302
