"""Check the built docs site as a reader meets it: every page is there under its own title, no link
between pages is broken, and no API entry shows a docstring inherited from torch or Python.

    sphinx-build -W -b html docs docs/_build/html && python docs/check_site.py docs/_build/html

Exits 1 naming each problem. With ``--screenshots DIR`` it also has headless Chromium (Debian's
``chromium`` package) photograph the pages a new reader opens first, at 1280 px, to look at.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

DOCS = Path(__file__).resolve().parent
PAGES_LEFT_OUT = {"README"}  # not part of the site
TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)
LINK = re.compile(r'<a [^>]*href="([^"]+)"')
ANCHOR = re.compile(r'id="([^"]+)"')
# What autodoc shows for a method without its own docstring: nn.Module.forward's and object.__call__'s.
INHERITED_BOILERPLATE = ("Should be overridden by all subclasses", "Call self as a function")


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
        source = built.read_text()
        name = built.relative_to(site)
        found += [f"{name}: inherited docstring {p!r}" for p in INHERITED_BOILERPLATE if p in source]
        for href in LINK.findall(source):
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


FIRST_READ = ("index", "getting_started", "api")


def screenshots(site: Path, out: Path, width: int = 1280, height: int = 2400) -> list[Path]:
    """PNGs of the pages in FIRST_READ as a ``width``-px browser window shows them."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("--screenshots needs Chromium: apt-get install chromium")
    out.mkdir(parents=True, exist_ok=True)
    shots = []
    for name in FIRST_READ:
        shot = out / f"{name}.png"
        page = (site / f"{name}.html").resolve().as_uri()
        window = [f"--window-size={width},{height}", f"--screenshot={shot}"]
        headless = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
        subprocess.run([browser, *headless, *window, page], check=True, capture_output=True, timeout=120)
        shots.append(shot)
    return shots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", nargs="?", type=Path, default=DOCS / "_build" / "html")
    parser.add_argument("--screenshots", type=Path, metavar="DIR", help="also photograph the first pages")
    args = parser.parse_args()
    found = problems(args.site)
    fine = "every page under its own title, no broken internal link, no inherited boilerplate"
    print("\n".join(found) or f"{args.site}: {fine}")
    if args.screenshots:
        print("\n".join(str(shot) for shot in screenshots(args.site, args.screenshots)))
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
