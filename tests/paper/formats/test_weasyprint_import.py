"""WeasyPrint is imported without the library search that runs ldconfig, gcc and ld for each
name it tries and without loading fontTools' subsetter (HarfBuzz subsets the fonts), lays out a
PDF as before, and is imported the usual way where the loader cannot find a library by its
name."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import ctypes.util, json, resource, sys
search = ctypes.util.find_library
{prelude}
from highneeds.paper.formats.weasyprint_import import import_weasyprint
weasyprint = import_weasyprint()
children = resource.getrusage(resource.RUSAGE_CHILDREN)
pdf = weasyprint.HTML(string="<p>High Needs</p>").write_pdf()
subsetter_loaded = "fontTools.subset.cff" in sys.modules
from fontTools import subset
subsetter_on_use = subset.Options().layout_features is not None
print(json.dumps({{
    "subsetter_loaded": subsetter_loaded,
    "subsetter_on_use": subsetter_on_use,
    "subprocesses_cpu": children.ru_utime + children.ru_stime,
    "pdf": pdf.startswith(b"%PDF"),
    "search_restored": ctypes.util.find_library is search,
    "pango": weasyprint.text.ffi.pango is not None,
}}))
"""


def probe(prelude: str = "") -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(prelude=prelude)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_weasyprint_is_imported_without_a_subprocess_and_lays_out_a_pdf():
    found = probe()
    assert found == {
        "subsetter_loaded": False,
        "subsetter_on_use": True,
        "subprocesses_cpu": 0.0,
        "pdf": True,
        "search_restored": True,
        "pango": True,
    }


def test_without_the_search_subprocesses_run_for_each_name_tried():
    """What is avoided: the usual import searches, in subprocesses (the first probe's zero is
    not a machine that never spawns them)."""
    usual = probe("import weasyprint")
    assert usual["subprocesses_cpu"] > 0 and usual["pdf"] and usual["subsetter_loaded"]


def test_a_library_the_loader_cannot_find_by_name_is_searched_for_as_usual():
    """The import fails part-way with the search off (as it would if the loader could not
    open a library by its Linux name): it is done again with the search, and works."""
    found = probe(
        "import contextlib, highneeds.paper.formats.weasyprint_import as w\n"
        "@contextlib.contextmanager\n"
        "def failing():\n"
        "    import weasyprint.urls  # part of the package is imported, then a library fails\n"
        "    raise OSError(\"cannot load library 'libpango-1.0.so.0'\")\n"
        "    yield\n"
        "w.library_search_off = failing\n"
    )
    assert found["pdf"] and found["pango"] and found["search_restored"]
    assert found["subprocesses_cpu"] > 0  # searched, the usual way
