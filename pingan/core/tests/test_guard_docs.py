"""The documentation stands on its own inside the repository.

- every relative link in the guides, the decision records, the domain rules and the READMEs resolves
  to a file of the repository;
- nothing points outside it: no `../shared/…`, no "DOMAIN.md" or "DOMAIN §N" (the domain rules are in
  docs/domain/, one file per area: `docs/domain/01-hazards.md` …), in docs, READMEs or source.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SKIP = {".venv", "node_modules", "var", ".git", "locale", "migrations"}
OUTSIDE = re.compile(r"\.\./shared\b|\bshared/(?:DOMAIN|DESIGN|STYLE|data)\b|\bDOMAIN(?:\.md| §)")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")

# Files that still point outside, on the day the guard was written (other engineers' files).
# INTEGRATOR: replace each "DOMAIN §N" with the docs/domain/ file of that area, then empty this.
KNOWN_OUTSIDE: set[str] = set()


def files(*suffixes: str) -> list[Path]:
    return sorted(
        p
        for p in ROOT.rglob("*")
        if p.suffix in suffixes and p.is_file() and not SKIP & set(p.relative_to(ROOT).parts)
    )


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_links_resolve_inside_the_repository():
    broken = []
    for doc in files(".md"):
        for target in LINK.findall(doc.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue  # a web address or an anchor on the same page
            resolved = (doc.parent / target.split("#")[0]).resolve()
            if not resolved.exists() or ROOT not in resolved.parents:
                broken.append(f"{rel(doc)}: {target}")
    assert not broken, "links that lead nowhere or out of the repository:\n  " + "\n  ".join(broken)


def test_nothing_points_outside_the_repository():
    this = Path(__file__).resolve()
    found: dict[str, list[int]] = {}
    for path in files(".md", ".py", ".html", ".toml", ".txt"):
        if path.resolve() == this:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if OUTSIDE.search(line):
                found.setdefault(rel(path), []).append(number)
    new = {p: lines for p, lines in found.items() if p not in KNOWN_OUTSIDE}
    stale = KNOWN_OUTSIDE - set(found)
    assert not new, (
        "point to docs/domain/ (or docs/decisions/) instead of outside the repository:\n  "
        + "\n  ".join(f"{p}: lines {lines}" for p, lines in sorted(new.items()))
    )
    assert not stale, f"KNOWN_OUTSIDE entries no longer needed, remove them: {sorted(stale)}"
