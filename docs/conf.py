"""Sphinx configuration: ``sphinx-build -W -b html docs docs/_build/html`` (the ``docs`` extra)."""

from sb3_ddpg_ext import __version__

project = "sb3_ddpg_ext"
author = "sb3_ddpg_ext contributors"
copyright = f"2026, {author}"
release = __version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3
# The README's links point into docs/ from the repository root; the pages link to each other directly.
suppress_warnings = ["myst.header"]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}
# Classes from SB3, torch and Gymnasium appear in signatures; their own docs describe them.
nitpicky = False

html_theme = "sphinx_rtd_theme"
html_title = f"sb3_ddpg_ext {release}"
# Source pages would otherwise link back to names such as sb3_ddpg_ext.PaperActor, which the API
# reference documents under their modules (sb3_ddpg_ext.policies.PaperActor): broken "[docs]" links.
viewcode_follow_imported_members = False
html_static_path = ["_static"]
html_css_files = ["tables.css"]
