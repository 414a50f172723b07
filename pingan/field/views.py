"""The field app's pages: the shell (one page; the phone keeps it and its data for offline use), the
service worker and the web manifest — all from the platform's own origin, under /field/."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from pingan.core.permissions import console_view, may

# The script's strings, translated here and handed to it as JSON (never pasted into a script).
TEXT = {
    "online": gettext_lazy("在线"),
    "offline": gettext_lazy("离线"),
    "pending": gettext_lazy("未发送"),
    "nothingPending": gettext_lazy("全部已发送"),
    "bundleNone": gettext_lazy("尚未下载离线数据:联网时点“离线可用”"),
    "bundleAt": gettext_lazy("离线数据下载于"),
    "bundleSaved": gettext_lazy("已可离线使用"),
    "needOnline": gettext_lazy("需要联网"),
    "inspections": gettext_lazy("我的检查任务"),
    "tasks": gettext_lazy("排查任务"),
    "report": gettext_lazy("上报隐患"),
    "none": gettext_lazy("暂无"),
    "back": gettext_lazy("返回"),
    "target": gettext_lazy("被检查单位"),
    "address": gettext_lazy("地址"),
    "industry": gettext_lazy("行业"),
    "checklist": gettext_lazy("检查表"),
    "ok": gettext_lazy("合格"),
    "fail": gettext_lazy("不合格"),
    "na": gettext_lazy("不涉及"),
    "major": gettext_lazy("重大隐患判定项"),
    "finding": gettext_lazy("问题描述"),
    "rectifyBy": gettext_lazy("整改期限"),
    "photos": gettext_lazy("照片"),
    "addFinding": gettext_lazy("添加其他问题"),
    "remove": gettext_lazy("删除"),
    "present": gettext_lazy("在场执法人员(至少两名)"),
    "certificate": gettext_lazy("执法证号"),
    "representative": gettext_lazy("被检查单位代表"),
    "sign": gettext_lazy("签名"),
    "clear": gettext_lazy("重写"),
    "signHere": gettext_lazy("请在框内签名"),
    "position": gettext_lazy("位置"),
    "locate": gettext_lazy("获取位置"),
    "noPosition": gettext_lazy("未获取位置"),
    "startedAt": gettext_lazy("开始时间"),
    "note": gettext_lazy("情况说明"),
    "issueDocs": gettext_lazy("同步后制作现场检查记录和责令限期整改指令书"),
    "save": gettext_lazy("保存到本机"),
    "saved": gettext_lazy("已保存到本机,待发送"),
    "title": gettext_lazy("标题"),
    "description": gettext_lazy("详细描述"),
    "category": gettext_lazy("隐患类别"),
    "result": gettext_lazy("检查结果"),
    "normal": gettext_lazy("正常"),
    "problem": gettext_lazy("有问题"),
    "resultOk": gettext_lazy("未发现问题"),
    "resultFinding": gettext_lazy("发现问题"),
    "due": gettext_lazy("应检时间"),
    "overdue": gettext_lazy("已逾期"),
    "mine": gettext_lazy("我负责"),
    "sent": gettext_lazy("已发送"),
    "failed": gettext_lazy("未能发送"),
    "waiting": gettext_lazy("等待发送"),
    "sending": gettext_lazy("正在发送"),
    "hazardCase": gettext_lazy("隐患案件"),
    "documents": gettext_lazy("执法文书"),
    "recorded": gettext_lazy("已记录"),
    "inspection": gettext_lazy("检查记录"),
    "check": gettext_lazy("排查记录"),
    "hazard": gettext_lazy("隐患上报"),
    "retry": gettext_lazy("重试"),
    "discard": gettext_lazy("放弃"),
    "confirmForget": gettext_lazy("清除本机保存的离线数据和未发送记录?"),
    "required": gettext_lazy("请填写"),
    "signatureMissing": gettext_lazy("缺少签名"),
    "twoInspectors": gettext_lazy("须有至少两名执法人员在场"),
}

ASSETS = ("field/app.js", "field/app.css", "field/icon.svg", "field/icon-192.png")


@cache
def version() -> str:
    """Changes whenever an asset changes, so a new service worker replaces the cached shell."""
    digest = hashlib.sha256()
    for name in ASSETS:
        found = finders.find(name)
        if found:
            digest.update(Path(str(found)).read_bytes())
    digest.update((Path(__file__).parent / "templates/field/app.html").read_bytes())
    return digest.hexdigest()[:12]


@never_cache
@console_view("field.use")
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "field/app.html",
        {
            "version": version(),
            "text": {k: str(v) for k, v in TEXT.items()},
            "may": {
                "inspect": may(user, "field.inspect"),
                "report": may(user, "field.report_hazard"),
                "check": may(user, "field.check"),
            },
        },
    )


@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    body = render(
        request,
        "field/sw.js",
        {"version": version(), "assets": [static(a) for a in ASSETS], "shell": reverse("field:home")},
        content_type="text/javascript; charset=utf-8",
    )
    body["Service-Worker-Allowed"] = reverse("field:home")
    return body


def manifest(request: HttpRequest) -> JsonResponse:
    home_url = reverse("field:home")
    data = {
        "name": _("平安 · 移动端"),
        "short_name": _("平安移动"),
        "description": _("执法检查、隐患上报和风险排查,无网络时也能记录,联网后同步"),
        "start_url": home_url,
        "scope": home_url,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#b71c1c",
        "lang": request.LANGUAGE_CODE,
        "icons": [
            {"src": static("field/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("field/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response
