"""``python pipeline.py preview`` as an author uses it: a browser (Debian's Chromium) open on
the preview while the narrative is edited, broken and fixed; and beside a scheduled run."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import (
    APPENDICES,
    CHROMIUM,
    CHROMIUM_ARGS,
    CYCLE,
    HTML_ONLY,
    copy_project,
    run_pipeline,
)

pytestmark = pytest.mark.e2e


class Preview:
    """A preview server started as an author starts it, in a project copy."""

    def __init__(self, root: Path, temporary: Path) -> None:
        self.root, self.temporary = root, temporary
        temporary.mkdir()
        self.process = subprocess.Popen(
            [sys.executable, "pipeline.py", "preview", "--cycle", CYCLE, "--port", "0"],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=os.environ | {"TMPDIR": str(temporary)},
        )
        assert self.process.stdout is not None
        first = self.process.stdout.readline()  # printed once the first build is done
        found = re.search(r"http://127\.0\.0\.1:\d+/", first)
        assert found, first + self.process.stderr.read()
        self.url = found.group(0)

    def get(self, path: str = "") -> str:
        with urllib.request.urlopen(self.url + path, timeout=30) as response:
            return response.read().decode("utf-8")

    def stop(self, sig: signal.Signals) -> tuple[int, str, str]:
        self.process.send_signal(sig)
        out, err = self.process.communicate(timeout=30)
        return self.process.returncode, out, err


@pytest.fixture
def preview(project_root: Path, tmp_path: Path) -> Iterator[Preview]:
    server = Preview(copy_project(project_root, tmp_path / "project"), tmp_path / "tmp")
    yield server
    if server.process.poll() is None:
        server.process.kill()
        server.process.communicate()


def test_an_author_sees_each_save_and_a_mistake_as_a_banner_until_fixed(preview: Preview) -> None:
    from playwright.sync_api import sync_playwright

    narrative = preview.root / "data" / "raw" / CYCLE / "narrative.md"
    shipped = narrative.read_text(encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(preview.url)
            assert page.locator("h1").count() == 1
            assert page.locator(".preview-problem").count() == 0

            edit = shipped.replace(APPENDICES, "No appendices this cycle.")
            narrative.write_text(edit, encoding="utf-8")
            page.get_by_text("No appendices this cycle.").wait_for(timeout=20_000)

            # Scrolled to the end of the paper, the author saves a mistake: the banner is in
            # view there (the page reloads where it was).
            page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
            narrative.write_text(edit.replace('ref("financial")', 'ref("financal")', 1))
            banner = page.locator(".preview-problem")
            banner.wait_for(timeout=20_000)
            page.wait_for_load_state()
            assert page.evaluate("window.scrollY") > 1000  # still at the end of the paper
            box = banner.bounding_box()
            height = page.evaluate("window.innerHeight")
            assert box is not None and box["y"] >= 0 and box["y"] + 20 < height
            assert "unknown label 'financal'" in banner.inner_text()
            assert "did you mean 'financial'?" in banner.inner_text()
            assert page.get_by_text("No appendices this cycle.").count() == 1  # last good paper

            narrative.write_text(shipped, encoding="utf-8")
            banner.wait_for(state="detached", timeout=20_000)
            page.get_by_text(APPENDICES).wait_for(timeout=20_000)
        finally:
            browser.close()
    code, out, err = preview.stop(signal.SIGINT)
    assert code == 0, err
    assert out.splitlines()[-1] == f"Preview of cycle {CYCLE} stopped."
    assert "narrative.md changed: not updated:" in err
    assert "unknown label 'financal'" in err


def test_preview_beside_a_scheduled_run_publishes_nothing_and_stops_on_sigterm(
    preview: Preview,
) -> None:
    page = preview.get()
    assert "preview-bar" in page and "Financial implications" in page
    assert '"problem":null' in preview.get("_preview/state")
    assert not (preview.root / "reports" / CYCLE).exists()
    assert not (preview.root / "data" / "processed" / CYCLE).exists()
    assert [p.name[:18] for p in preview.temporary.iterdir()] == ["highneeds-preview-"]

    # The scheduled run goes ahead while the preview serves: no lock is held against it (a
    # run for the HTML only: the HTML is what the preview shows).
    run = run_pipeline(preview.root, "-q", *HTML_ONLY)
    assert run.returncode == 0, run.stdout + run.stderr
    published = (preview.root / "reports" / CYCLE / "cabinet-report.html").read_text()
    bar = re.compile(r'<div class="preview-bar".*?</script>\n</div>\n', re.DOTALL)
    # The paper byte for byte, but for the charts' large print drawings, which a screen never
    # shows (the preview draws none: a table edit redraws only what it shows).
    large_print = re.compile(r'<img [^>]*class="chart-large-print"[^>]*>')
    assert len(large_print.findall(published)) == 3
    assert bar.sub("", preview.get(), count=1) == large_print.sub("", published)

    code, out, err = preview.stop(signal.SIGTERM)
    assert code == 0, err
    assert out.splitlines()[-1] == f"Preview of cycle {CYCLE} stopped."
    assert list(preview.temporary.iterdir()) == []  # its working folder is gone
