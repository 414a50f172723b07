"""Finding the POST forms a page offers and filling them in minimally (for "offered means allowed")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any


@dataclass
class Form:
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # name, value (as the browser would send)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # named submit buttons (each an action)
    files: list[str] = field(default_factory=list)
    required_empty: list[tuple[str, str]] = field(default_factory=list)  # name, input type

    def submissions(self) -> list[dict[str, Any]]:
        """One POST body per submit button (a form with "approve"/"reject" buttons is two actions)."""
        base: dict[str, Any] = {}
        for name, value in self.fields:
            base.setdefault(name, [])
            base[name].append(value)
        for name, kind in self.required_empty:
            base[name] = [minimal_value(name, kind)]
        bodies = []
        for name, value in self.buttons or [("", "")]:
            body = dict(base)
            if name:
                body[name] = [value]
            bodies.append(body)
        return bodies


def minimal_value(name: str, kind: str) -> str:
    today = dt.date.today()
    if kind == "date":
        return (today + dt.timedelta(days=30)).isoformat()
    if kind == "datetime-local":
        return (dt.datetime.now() + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    if kind == "time":
        return "09:00"
    if kind == "number" or name in ("lat", "lon"):
        return {"lat": "23.7", "lon": "113.05"}.get(name, "1")
    if kind == "email":
        return "test@example.org"
    if kind == "tel" or "phone" in name:
        return "13800000000"
    if kind == "url":
        return "https://example.org/"
    return "测试"


class _Parser(HTMLParser):
    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.select: tuple[str, bool, list[str], list[str]] | None = None  # name, required, options, selected
        self.textarea: tuple[str, bool] | None = None
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self.current = Form(action=a.get("action") or self.page_url)
            return
        form = self.current
        if form is None or "disabled" in a:
            return
        name = a.get("name", "")
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image"):
                if name:
                    form.buttons.append((name, a.get("value", "")))
            elif kind == "file":
                if name:
                    form.files.append(name)
            elif kind in ("checkbox", "radio"):
                if name and "checked" in a:
                    form.fields.append((name, a.get("value", "on")))
            elif name:
                value = a.get("value", "")
                if not value and "required" in a:
                    form.required_empty.append((name, kind))
                else:
                    form.fields.append((name, value))
        elif tag == "button":
            if a.get("type", "submit").lower() == "submit" and name:
                form.buttons.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self.select = (name, "required" in a, [], [])
        elif tag == "option" and self.select is not None:
            value = a.get("value")
            self.select[2].append(value if value is not None else "")
            if "selected" in a:
                self.select[3].append(value or "")
        elif tag == "textarea" and name:
            self.textarea = (name, "required" in a)
            self.text = ""

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        form = self.current
        if tag == "form":
            if form is not None:
                self.forms.append(form)
            self.current = None
        elif tag == "select" and self.select is not None and form is not None:
            name, required, options, selected = self.select
            # What the person would most plausibly pick: the selected option, else the first real one.
            chosen = selected[:1] or [o for o in options if o][:1] or options[:1]
            for value in chosen:
                form.fields.append((name, value))
            self.select = None
        elif tag == "textarea" and self.textarea is not None and form is not None:
            name, required = self.textarea
            text = self.text.strip("\n")
            if not text and required:
                form.required_empty.append((name, "textarea"))
            else:
                form.fields.append((name, text))
            self.textarea = None


def post_forms(html: str, page_url: str) -> list[Form]:
    parser = _Parser(page_url)
    parser.feed(html)
    return parser.forms
