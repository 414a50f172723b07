"""Safety education and training (安全宣传教育): content, courses, quizzes, certificates, training records,
activities, demonstration sites, volunteers. No workflow here: see actions.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.core.querysets import ScopedQuerySet

from .choices import ActivityKind, ContentKind, OrgKind, SiteKind, SiteState, Trainee, TrainingKind


class Article(models.Model):
    """Published knowledge: articles, accident case analyses, law publicity, warning knowledge."""

    kind = models.CharField(_("类别"), max_length=10, choices=ContentKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    body = models.TextField(_("正文"))
    source_incident = models.CharField(_("来源事件编号"), max_length=32, blank=True)
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now, db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope_public = True

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("宣传内容")
        verbose_name_plural = _("宣传内容")

    def __str__(self) -> str:
        return self.title


class Course(models.Model):
    title = models.CharField(_("课程名称"), max_length=200)
    summary = models.TextField(_("简介"), blank=True)
    audience = models.CharField(_("适用对象"), max_length=100, blank=True)
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1, default=1)
    pass_mark = models.PositiveSmallIntegerField(_("合格分数"), default=80)
    published = models.BooleanField(_("已上线"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_public = True

    class Meta:
        ordering = ["id"]
        verbose_name = _("课程")
        verbose_name_plural = _("课程")

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    image = models.FileField(_("图片"), upload_to="culture/lessons/", blank=True)
    video = models.FileField(_("视频"), upload_to="culture/lessons/", blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_public = True

    class Meta:
        ordering = ["course_id", "order", "id"]
        verbose_name = _("课时")
        verbose_name_plural = _("课时")

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    """One question of a course's bank (single choice)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("题目"), max_length=300)
    options = models.JSONField(_("选项"), default=list)
    answer = models.PositiveSmallIntegerField(_("正确选项序号"))
    explanation = models.CharField(_("解析"), max_length=300, blank=True)

    class Meta:
        ordering = ["course_id", "id"]
        verbose_name = _("题目")
        verbose_name_plural = _("题库")

    def __str__(self) -> str:
        return self.text


class Enrolment(models.Model):
    """A learner's progress in a course (kept between visits)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    lessons_done = models.JSONField(default=list)
    best_score = models.PositiveSmallIntegerField(_("最高得分"), default=0)
    attempts = models.PositiveSmallIntegerField(_("测验次数"), default=0)
    passed_at = models.DateTimeField(_("通过时间"), null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="culture_enrol_once")]
        verbose_name = _("学习记录")
        verbose_name_plural = _("学习记录")

    def __str__(self) -> str:
        return f"{self.user} · {self.course}"

    @classmethod
    def scope_q(cls, user: object) -> models.Q:
        return models.Q(user=getattr(user, "pk", None))


class Certificate(models.Model):
    """Issued when a learner passes a course's quiz; anyone can check the code on the portal."""

    code = models.CharField(_("验证码"), max_length=20, unique=True)
    enrolment = models.OneToOneField(Enrolment, on_delete=models.PROTECT, related_name="certificate")
    holder = models.CharField(_("持证人"), max_length=50)
    course_title = models.CharField(_("课程"), max_length=200)
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    score = models.PositiveSmallIntegerField(_("成绩"))
    issued_at = models.DateTimeField(_("发证时间"), default=timezone.now)

    class Meta:
        verbose_name = _("培训证书")
        verbose_name_plural = _("培训证书")

    def __str__(self) -> str:
        return self.code


class TrainingRecord(models.Model):
    """A person's statutory training (docs/domain/13-training.md): who, how many hours, when."""

    person = models.CharField(_("姓名"), max_length=50)
    trainee = models.CharField(_("人员类别"), max_length=16, choices=Trainee.choices)
    kind = models.CharField(_("培训类型"), max_length=10, choices=TrainingKind.choices)
    enterprise = models.ForeignKey(
        "org.Enterprise",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("乡镇/街道"), on_delete=models.PROTECT, related_name="+"
    )
    high_risk = models.BooleanField(_("高危行业"), default=False)
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    trained_on = models.DateField(_("培训日期"))
    compliant = models.BooleanField(_("达到规定学时"), null=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"
    scope_enterprise = "enterprise"

    class Meta:
        ordering = ["-trained_on", "-id"]
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")

    def __str__(self) -> str:
        return f"{self.person} {self.trained_on}"


class Activity(models.Model):
    """A rural or school activity: a lecture, a skills training, a drill."""

    kind = models.CharField(_("类型"), max_length=10, choices=ActivityKind.choices)
    title = models.CharField(_("名称"), max_length=200)
    place = models.CharField(_("地点"), max_length=200)
    held_on = models.DateField(_("日期"))
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("乡镇/街道"), on_delete=models.PROTECT, related_name="+"
    )
    farmers = models.PositiveIntegerField(_("农民"), default=0)
    students = models.PositiveIntegerField(_("学生"), default=0)
    workers = models.PositiveIntegerField(_("职工"), default=0)
    others = models.PositiveIntegerField(_("其他"), default=0)
    photo = models.FileField(_("照片"), upload_to="culture/activities/", blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("宣教活动")
        verbose_name_plural = _("宣教活动")

    def __str__(self) -> str:
        return self.title

    @property
    def participants(self) -> int:
        return self.farmers + self.students + self.workers + self.others


class DemoSite(models.Model):
    """安全示范点: applied for, assessed against the criteria, shown on a map with what it teaches."""

    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=12, choices=SiteKind.choices)
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("乡镇/街道"), on_delete=models.PROTECT, related_name="+"
    )
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    teaches = models.TextField(_("示范内容"))
    criteria_met = models.JSONField(_("达到的标准"), default=list)
    score = models.PositiveSmallIntegerField(_("评估得分"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=SiteState.choices, default=SiteState.APPLIED)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"

    class Meta:
        ordering = ["id"]
        verbose_name = _("安全示范点")
        verbose_name_plural = _("安全示范点")

    def __str__(self) -> str:
        return self.name


class Volunteer(models.Model):
    name = models.CharField(_("姓名"), max_length=50)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("乡镇/街道"), on_delete=models.PROTECT, related_name="+"
    )
    skills = models.CharField(_("技能"), max_length=200, blank=True)
    availability = models.CharField(_("可服务时间"), max_length=100, blank=True)
    certificates = models.CharField(_("证书"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        "SocialOrganisation", verbose_name=_("所属组织"), null=True, blank=True, on_delete=models.SET_NULL
    )
    hours = models.DecimalField(_("服务时长"), max_digits=7, decimal_places=1, default=0)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"

    class Meta:
        ordering = ["division_id", "id"]
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")

    def __str__(self) -> str:
        return self.name


class SocialOrganisation(models.Model):
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=12, choices=OrgKind.choices)
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所在地"), on_delete=models.PROTECT, related_name="+"
    )
    members = models.PositiveIntegerField(_("成员数"), default=0)
    capabilities = models.CharField(_("能力"), max_length=300, blank=True)
    leader = models.CharField(_("负责人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    # Where it musters (a rescue team's base, for the dispatch's travel times).
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    # The rescue Team this organisation is called out as (decision 0013): rescue's id, linked through
    # rescue.services (no foreign key across the domain apps' migrations).
    rescue_team_id = models.PositiveIntegerField(_("救援队伍"), null=True, blank=True, unique=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_division = "division"

    class Meta:
        ordering = ["id"]
        verbose_name = _("社会组织")
        verbose_name_plural = _("社会组织")

    def __str__(self) -> str:
        return self.name


class ServiceHours(models.Model):
    """A volunteer's service on a date (hours add up on the volunteer)."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="services")
    served_on = models.DateField(_("日期"))
    hours = models.DecimalField(_("时长"), max_digits=5, decimal_places=1)
    what = models.CharField(_("服务内容"), max_length=200)

    objects = ScopedQuerySet.as_manager()
    scope_division = "volunteer__division"

    class Meta:
        ordering = ["-served_on", "-id"]
        verbose_name = _("志愿服务")
        verbose_name_plural = _("志愿服务")

    def __str__(self) -> str:
        return f"{self.volunteer} {self.served_on}"
