"""Great Expectations' Data Docs pages made self-contained: no script, nothing loaded from
outside the folder, ids that are the same from run to run; text and local styles kept."""

from __future__ import annotations

from pathlib import Path

from highneeds.gate.checks.data_docs_offline import make_offline, offline_page

PAGE = """<!DOCTYPE html>
<html><head>
<link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css">
<link rel="stylesheet" href="//cdn.example.org/x.css">
<link rel="stylesheet" href="./static/styles/local.css">
<script src="https://cdn.jsdelivr.net/npm/vega@5"></script>
<script>window.x = "<b>";</script>
<style>.logo { background: url('https://assets.example.org/logo.png'); color: red; }
@import url("https://fonts.example.org/f.css");</style>
</head><body>
<img src="https://assets.example.org/logo.png?d=20261207T103601Z" alt="logo">
<img src="data:image/png;base64,AAAA" alt="inline">
<div id="1c64191b-8cbe-40c3-9bfb-f11ab908c5e8" onclick="steal()">Budget &amp; costs: 4 &lt; 5</div>
<a href="#1c64191b-8cbe-40c3-9bfb-f11ab908c5e8">link</a>
<a href="https://greatexpectations.io">a link, which loads nothing</a>
<span id="0f0e0d0c-0b0a-4909-8807-060504030201">second</span>
<iframe src="https://evil.example"></iframe>
</body></html>"""


def test_a_page_keeps_its_text_and_loses_every_script_and_outside_resource() -> None:
    page = offline_page(PAGE)
    for gone in (
        "<script",
        "bootstrapcdn",
        "//cdn.example.org",
        "vega@5",
        "assets.example.org",
        "fonts.example.org",
        "onclick",
        "<iframe",
        "evil.example",
    ):
        assert gone not in page, gone
    for kept in (
        'href="./static/styles/local.css"',
        "Budget &amp; costs: 4 &lt; 5",
        'src="data:image/png;base64,AAAA"',
        'href="https://greatexpectations.io"',
        "color: red",
        "<!DOCTYPE html>",
    ):
        assert kept in page, kept
    assert 'id="gx-1"' in page and 'href="#gx-1"' in page and 'id="gx-2"' in page
    assert offline_page(PAGE) == page  # the same page every time


def test_every_page_and_stylesheet_of_a_folder_is_made_offline(tmp_path: Path) -> None:
    (tmp_path / "validations" / "budget").mkdir(parents=True)
    (tmp_path / "validations" / "budget" / "r.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "s.css").write_text(
        "h1 { background-image: url('https://assets.example.org/full_logo_dark.png'); }",
        encoding="utf-8",
    )
    make_offline(tmp_path)
    assert "<script" not in (tmp_path / "validations" / "budget" / "r.html").read_text()
    assert "https:" not in (tmp_path / "static" / "s.css").read_text()
