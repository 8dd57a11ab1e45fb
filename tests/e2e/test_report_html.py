"""holo compile writes OUT/report.html (docs/outputs.md, "The files"): a self-contained page for people.

* it is listed in manifest.json with its size and hash, next to report.md;
* it parses as HTML (python's html.parser) with every non-void element closed in order;
* it shows every figure key of report.json, the power breakdown and the loss charts as well-formed inline SVG,
  and the layout preview embedded (no http(s) URL, no script: it opens with no network);
* the same compile gives the same bytes.
"""

import base64
import hashlib
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from conftest import REPO

MODEL = REPO / "examples" / "digits" / "digits_mlp.onnx"
TINY = REPO / "tests" / "unit" / "frontend" / "data" / "tiny.json"  # a chip.svg small enough to embed
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def compile_to(holo, out, *extra, model=MODEL):
    p = subprocess.run([holo.path, "compile", str(model), "-o", str(out), "--quiet", *extra], capture_output=True,
                       text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    return out


@pytest.fixture(scope="module")
def out(holo, tmp_path_factory):
    return compile_to(holo, tmp_path_factory.mktemp("html") / "out")


class Checker(HTMLParser):
    """Records problems: an end tag that does not close the innermost open element, elements left open."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.problems, self.tags, self.scripts = [], [], [], 0

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self.scripts += 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
            return
        self.stack.pop()


def test_report_html_is_written_and_listed(out):
    html = out / "report.html"
    assert html.stat().st_size > 0
    manifest = json.loads((out / "manifest.json").read_text())
    entries = {f["name"]: f for f in manifest["files"]}
    assert "report.html" in entries and "report.md" in entries
    assert entries["report.html"]["bytes"] == html.stat().st_size
    assert entries["report.html"]["sha256"] == hashlib.sha256(html.read_bytes()).hexdigest()


def parse(text):
    c = Checker()
    c.feed(text)
    c.close()
    assert not c.problems, c.problems[:5]
    assert c.stack == [], f"unclosed elements: {c.stack}"
    return c


def test_report_html_parses_and_is_self_contained(out):
    text = (out / "report.html").read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    c = parse(text)
    assert c.scripts == 0
    assert not re.search(r"https?://", text), "report.html references a URL: it must open with no network"
    for tag, attrs in c.tags:  # nothing loaded from elsewhere: only in-page anchors, chip.svg, and data: URIs
        for name in ("src", "href"):
            if name in attrs:
                v = attrs[name]
                assert v.startswith("#") or v.startswith("data:") or v == "chip.svg", (tag, name, v[:80])
    # The digits chip's preview is above the 5 MB threshold: linked by its relative name, not embedded.
    assert (out / "chip.svg").stat().st_size > 5 << 20
    assert '<a href="chip.svg">chip.svg</a>' in text and "too large to embed" in text
    assert "data:image" not in text


def test_small_chip_preview_is_embedded(holo, tmp_path):
    o = compile_to(holo, tmp_path / "tiny", model=TINY)
    text = (o / "report.html").read_text(encoding="utf-8")
    parse(text)
    assert not re.search(r"https?://", text)
    m = re.search(r'<img class="chip" alt="chip layout preview" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)">', text)
    assert m, "chip.svg not embedded"
    assert base64.b64decode(m.group(1)) == (o / "chip.svg").read_bytes()


def test_report_html_has_every_figure_and_section(out):
    text = (out / "report.html").read_text(encoding="utf-8")
    report = json.loads((out / "report.json").read_text())
    assert report["figures"]
    for key in report["figures"]:
        assert f"<code>{key}</code>" in text, key
    for section in ("figures", "power", "loss", "laser", "warnings", "chip", "counts", "stages"):
        assert f'<h2 id="{section}">' in text, section
    for st in report["stages"]:
        assert f"<code>{st['node']}</code>" in text, st["node"]  # the digits model's names need no escaping
    for w in report["warnings"]:
        assert f"<code>{w['code']}</code>" in text, w["code"]
    assert "Not calibrated" in text  # no --calibrate: the PDK's laser power


def test_report_html_charts_are_well_formed_svg(out):
    text = (out / "report.html").read_text(encoding="utf-8")
    for chart in ("power-breakdown", "stage-loss", "worst-path-loss"):
        m = re.search(rf'<svg id="{chart}".*?</svg>', text, re.S)
        assert m, chart
        root = ET.fromstring(m.group(0))  # well-formed XML
        bars = root.findall(".//rect")
        assert bars, chart
        assert all(float(r.get("width")) >= 0 for r in bars)
    power = re.search(r'<svg id="power-breakdown".*?</svg>', text, re.S).group(0)
    for part in ("heaters", "laser", "signal DACs", "modulators", "ADCs", "receivers"):
        assert part in power, part


def test_report_html_is_deterministic(holo, out, tmp_path):
    again = compile_to(holo, tmp_path / "again")
    assert (again / "report.html").read_bytes() == (out / "report.html").read_bytes()


def test_no_layout_says_so(holo, tmp_path):
    o = compile_to(holo, tmp_path / "nolayout", "--no-layout")
    text = (o / "report.html").read_text(encoding="utf-8")
    assert "No layout preview" in text
    assert "data:image" not in text
    assert not (o / "chip.svg").exists()
