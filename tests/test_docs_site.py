"""The docs-site checker (``docs/check_site.py``, run by CI on the built site) finds what a reader would:
a page missing from the site or under another title, a broken link or anchor, an inherited docstring."""

import importlib.util
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.fixture(scope="module")
def check_site():
    spec = importlib.util.spec_from_file_location("check_site", DOCS / "check_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _page(title: str, body: str = "") -> str:
    return f"<html><head><title>{title} &#8212; sb3_ddpg_ext</title></head><body>{body}</body></html>"


@pytest.fixture
def good_site(check_site, tmp_path):
    """A site with every docs page under its own heading, linking to each other correctly."""
    for page in DOCS.glob("*.md"):
        if page.stem in check_site.PAGES_LEFT_OUT:
            continue
        title = check_site.heading(page) or "Changelog"
        (tmp_path / f"{page.stem}.html").write_text(
            _page(title, '<h1 id="top">x</h1><a href="index.html#top">home</a><a href="https://x.org">out</a>')
        )
    return tmp_path


def test_a_good_site_has_no_problems(check_site, good_site):
    assert check_site.problems(good_site) == []


def test_a_page_missing_or_under_another_title_is_named(check_site, good_site):
    (good_site / "wrappers.html").unlink()
    (good_site / "noise.html").write_text(_page("Search Page"))
    found = check_site.problems(good_site)
    assert "wrappers.md: no wrappers.html in the site" in found
    assert any(line.startswith("noise.html: its title is 'Search Page") for line in found)
    assert len(found) == 2


def test_broken_links_and_anchors_are_named(check_site, good_site):
    links = '<a href="nowhere.html">a</a><a href="index.html#missing">b</a><a href="#x">c</a>'
    (good_site / "api.html").write_text(_page("API reference", links))
    assert check_site.problems(good_site) == [
        "api.html: broken link nowhere.html",
        "api.html: no #missing in index.html (index.html#missing)",
    ]


@pytest.mark.parametrize("phrase", ["Should be overridden by all subclasses.", "Call self as a function."])
def test_an_api_entry_with_an_inherited_docstring_is_named(check_site, good_site, phrase):
    (good_site / "api.html").write_text(_page("API reference", f"<dd><p>{phrase}</p></dd>"))
    assert check_site.problems(good_site) == [f"api.html: inherited docstring {phrase.rstrip('.')!r}"]
