"""Check the built docs site as a reader meets it: every page is there under its own title, and no link
between pages is broken.

    sphinx-build -W -b html docs docs/_build/html && python docs/check_site.py docs/_build/html

Exits 1 naming each problem.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

DOCS = Path(__file__).resolve().parent
PAGES_LEFT_OUT = {"README"}  # not part of the site
TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)
LINK = re.compile(r'<a [^>]*href="([^"]+)"')
ANCHOR = re.compile(r'id="([^"]+)"')


def heading(page: Path) -> str | None:
    """The page's own title; None for a page that only includes another file (the changelog)."""
    for line in page.read_text().splitlines():
        if line.startswith("# "):
            return line[2:].strip().replace("`", "")
    return None


def problems(site: Path) -> list[str]:
    found = []
    for page in sorted(DOCS.glob("*.md")):
        if page.stem in PAGES_LEFT_OUT:
            continue
        built = site / f"{page.stem}.html"
        if not built.is_file():
            found.append(f"{page.name}: no {built.name} in the site")
            continue
        title = TITLE.search(built.read_text())
        text = html.unescape(title.group(1)).replace("\u2019", "'") if title else ""  # Sphinx's smart quotes
        own = heading(page)
        if own is not None and not text.startswith(own):
            found.append(f"{built.name}: its title is {text!r}, not the page's heading {own!r}")
    anchors: dict[Path, set[str]] = {}
    for built in sorted(site.rglob("*.html")):
        for href in LINK.findall(built.read_text()):
            parts = urlsplit(html.unescape(href))
            if parts.scheme or parts.netloc or href.startswith(("mailto:", "#")):
                continue
            target = (built.parent / unquote(parts.path)).resolve() if parts.path else built
            if not target.exists():
                found.append(f"{built.relative_to(site)}: broken link {href}")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = anchors.setdefault(target, set(ANCHOR.findall(target.read_text())))
                if parts.fragment not in ids:
                    found.append(f"{built.relative_to(site)}: no #{parts.fragment} in {target.name} ({href})")
    return found


def main() -> None:
    site = Path(sys.argv[1]) if len(sys.argv) > 1 else DOCS / "_build" / "html"
    found = problems(site)
    print("\n".join(found) or f"{site}: every page under its own title, no broken internal link")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
