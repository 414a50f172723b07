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
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.cache import never_cache

from pingan.core.permissions import console_view, may

# The script's strings, translated here and handed to it as JSON (never pasted into a script).
TEXT = {
    "online": _l("在线"),
    "offline": _l("离线"),
    "pending": _l("未发送"),
    "nothingPending": _l("全部已发送"),
    "bundleNone": _l("尚未下载离线数据:联网时点“离线可用”"),
    "bundleAt": _l("离线数据下载于"),
    "bundleSaved": _l("已可离线使用"),
    "needOnline": _l("需要联网"),
    "inspections": _l("我的检查任务"),
    "tasks": _l("排查任务"),
    "report": _l("上报隐患"),
    "none": _l("暂无"),
    "back": _l("返回"),
    "target": _l("被检查单位"),
    "address": _l("地址"),
    "industry": _l("行业"),
    "checklist": _l("检查表"),
    "ok": _l("合格"),
    "fail": _l("不合格"),
    "na": _l("不涉及"),
    "major": _l("重大隐患判定项"),
    "finding": _l("问题描述"),
    "rectifyBy": _l("整改期限"),
    "photos": _l("照片"),
    "addFinding": _l("添加其他问题"),
    "remove": _l("删除"),
    "present": _l("在场执法人员(至少两名)"),
    "certificate": _l("执法证号"),
    "representative": _l("被检查单位代表"),
    "sign": _l("签名"),
    "clear": _l("重写"),
    "signHere": _l("请在框内签名"),
    "position": _l("位置"),
    "locate": _l("获取位置"),
    "noPosition": _l("未获取位置"),
    "startedAt": _l("开始时间"),
    "note": _l("情况说明"),
    "issueDocs": _l("同步后制作现场检查记录和责令限期整改指令书"),
    "save": _l("保存到本机"),
    "saved": _l("已保存到本机,待发送"),
    "title": _l("标题"),
    "description": _l("详细描述"),
    "category": _l("隐患类别"),
    "result": _l("检查结果"),
    "normal": _l("正常"),
    "problem": _l("有问题"),
    "resultOk": _l("未发现问题"),
    "resultFinding": _l("发现问题"),
    "due": _l("应检时间"),
    "overdue": _l("已逾期"),
    "mine": _l("我负责"),
    "sent": _l("已发送"),
    "failed": _l("未能发送"),
    "waiting": _l("等待发送"),
    "sending": _l("正在发送"),
    "hazardCase": _l("隐患案件"),
    "documents": _l("执法文书"),
    "recorded": _l("已记录"),
    "inspection": _l("检查记录"),
    "check": _l("排查记录"),
    "hazard": _l("隐患上报"),
    "retry": _l("重试"),
    "discard": _l("放弃"),
    "confirmForget": _l("清除本机保存的离线数据和未发送记录?"),
    "required": _l("请填写"),
    "signatureMissing": _l("缺少签名"),
    "twoInspectors": _l("须有至少两名执法人员在场"),
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
