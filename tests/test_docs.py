"""The README and docs/ hold together: every citation and link resolves inside the repository."""

import re
import subprocess

import pytest
from conftest import ROOT

NOTES = ROOT / "docs/notes.md"
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TAG = re.compile(r"\[(00\d)\]")


def _files(*patterns: str) -> list:
    """The repository's files (tracked, or new and not ignored) matching `patterns`."""
    try:
        listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard",
                                 "--", *patterns], cwd=ROOT, capture_output=True, text=True,
                                check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [ROOT / name for name in listed if (ROOT / name).is_file()]


def test_every_cited_note_is_described_in_the_notes_page():
    described = set(TAG.findall(NOTES.read_text()))
    assert described >= {"000", "001", "002", "003", "004"}, sorted(described)
    sources = [path for folder in ("impl", "oracles", "properties")
               for path in (ROOT / folder).rglob("*.py")] + PAGES
    for path in sources:
        cited = set(TAG.findall(path.read_text()))
        assert cited <= described, f"{path.relative_to(ROOT)} cites {sorted(cited - described)}"


def test_no_file_cites_a_document_outside_the_repository():
    words = ["CATA" + "LOG", "EMPTY" + "_BATCH"]  # spelled apart, so this file is no hit
    for path in _files("*.py", "*.md"):
        text = path.read_text()
        for word in words:
            assert word not in text, f"{path.relative_to(ROOT)} mentions {word}"


def test_every_relative_link_in_the_pages_points_to_a_file():
    for page in PAGES:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text()):
            if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", target) or target.startswith("#"):
                continue  # a URL, or an anchor in the page itself
            path = (page.parent / target.split("#", 1)[0]).resolve()
            assert path.exists(), f"{page.relative_to(ROOT)} links to {target}, which is missing"


def test_every_docs_page_named_in_the_code_exists():
    for path in _files("*.py"):
        for name in re.findall(r"docs/[\w-]+\.md", path.read_text()):
            assert (ROOT / name).is_file(), f"{path.relative_to(ROOT)} names {name}"


def test_the_readme_is_a_front_page():
    lines = (ROOT / "README.md").read_text().splitlines()
    assert len(lines) <= 200, f"README.md has {len(lines)} lines: move the detail to docs/"
