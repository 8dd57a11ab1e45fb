"""Layout checked by an independent tool: KLayout (batch mode) reads the GDS that holo writes and runs the DRC
deck holo generates.

Fixtures come from the hidden `holo layout-demo OUT` command: OUT/demo.gds (a chip made of every cell
generator, wired and labelled), OUT/demo.drc (the PDK's rules as a KLayout DRC deck), OUT/demo.lyp,
OUT/demo.layermap, OUT/demo.svg and OUT/broken/*.gds (one deliberately broken layout per rule). Its --json
output lists the cell count and flat shape counts holo expects, and the rules each broken layout breaks.

KLayout resolves a relative report path against the input layout's directory, so every path given to
it here is absolute.
"""

import hashlib
import json
import pathlib
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from conftest import KLAYOUT_COUNT_SCRIPT, KLAYOUT_DUMP, lyrdb_rules
from conftest import klayout as run_klayout

# One KLayout batch call takes about 2.5 s on the project's machines; two minutes means a hang.
KLAYOUT_TIMEOUT_S = 120

# The shape counts plus the layer-properties and layer-map checks.
COUNT_SCRIPT = KLAYOUT_COUNT_SCRIPT + r'''
# The layer-properties file names every layer (a standalone LayoutView works in batch mode).
lv = pya.LayoutView()
lv.load_layout(input, True)
lv.load_layer_props(lyp)
result["lyp_layers"] = sorted(l.source.split("@")[0] for l in lv.each_layer())
# The layer map parses as KLayout's layer-map format and names each layer.
lm = pya.LayerMap.from_string(open(layermap).read())
result["mapped"] = {}
for li in ly.layer_indexes():
    info = ly.get_info(li)
    key = pya.LayerInfo(info.layer, info.datatype)
    if lm.is_mapped(key):
        result["mapped"]["%d/%d" % (info.layer, info.datatype)] = lm.mapping(lm.logical(key)).name
''' + KLAYOUT_DUMP


def klayout(*args):
    return run_klayout(*args, timeout_s=KLAYOUT_TIMEOUT_S)


def run_deck(deck, gds, tmp):
    report = pathlib.Path(tmp) / (pathlib.Path(gds).stem + ".lyrdb")
    if report.exists():
        report.unlink()
    klayout("-r", deck.resolve(), "-rd", f"input={pathlib.Path(gds).resolve()}", "-rd", f"report={report.resolve()}")
    return lyrdb_rules(report)


@pytest.fixture(scope="module")
def demo(holo, tmp_path_factory):
    out = tmp_path_factory.mktemp("layout_demo")
    manifest = holo.json("layout-demo", out)
    for name in ("demo.gds", "demo.drc", "demo.lyp", "demo.layermap", "demo.svg"):
        assert (out / name).is_file(), f"layout-demo did not write {name}"
    return out, manifest


def test_klayout_reads_the_demo_chip(demo, tmp_path):
    out, manifest = demo
    result_path = tmp_path / "counts.json"
    script = tmp_path / "count.py"
    script.write_text(COUNT_SCRIPT)
    klayout("-r", script, "-rd", f"input={(out / 'demo.gds').resolve()}", "-rd", f"lyp={(out / 'demo.lyp').resolve()}",
            "-rd", f"layermap={(out / 'demo.layermap').resolve()}", "-rd", f"out={result_path.resolve()}")
    got = json.loads(result_path.read_text())
    assert got["dbu"] == pytest.approx(0.001, rel=1e-12), "database unit must be 1 nm (1e-3 um)"
    assert got["tops"] == ["holo_demo"], f"expected one top cell holo_demo, KLayout sees {got['tops']}"
    assert got["cells"] == manifest["cells"], f"cell count: KLayout {got['cells']}, holo {manifest['cells']}"
    assert got["shapes"] == manifest["shapes"], f"flat shapes per layer: KLayout {got['shapes']}, holo {manifest['shapes']}"
    # Every generator is present: the standalone row plus the chain need at least these layers.
    for layer in ("1/0", "2/0", "44/0", "45/0", "46/0", "47/0", "48/0", "66/0", "99/0"):
        assert got["shapes"].get(layer, 0) > 0, f"no shapes on layer {layer}"
    pdk = json.loads((pathlib.Path(__file__).resolve().parents[2] / "pdk" / "generic_soi220.json").read_text())
    want_layers = sorted(f"{l['layer']}/{l['datatype']}" for l in pdk["layers"])
    assert got["lyp_layers"] == want_layers, "the .lyp must describe exactly the PDK's layers"
    names = {f"{l['layer']}/{l['datatype']}": l["name"] for l in pdk["layers"]}
    assert got["mapped"] == {k: names[k] for k in got["shapes"]}, "layer map names for the layers in use"


def test_klayout_drc_finds_nothing_on_the_demo_chip(demo, tmp_path):
    out, manifest = demo
    assert manifest["drc_total"] == 0, "holo's own DRC of the demo chip is not clean"
    rules = run_deck(out / "demo.drc", out / "demo.gds", tmp_path)
    assert sum(rules.values()) == 0, f"KLayout DRC found violations on the clean layout: {dict(rules)}"


def test_holo_drc_passes_the_demo_chip(holo, demo):
    out, _ = demo
    result = holo.json("drc", out / "demo.gds")
    assert result["clean"] is True and result["total"] == 0, result
    assert result["top"] == "holo_demo"


def test_broken_layouts_flag_the_same_rules_in_holo_and_klayout(holo, demo, tmp_path):
    out, manifest = demo
    assert len(manifest["broken"]) >= 10, "expected a broken layout per rule"
    covered = set()
    problems = []
    for b in manifest["broken"]:
        want = set(b["rules"])
        covered |= want
        proc = holo.call("drc", b["gds"], "--json", expect_rc=2)
        holo_rules = {rule for rule, n in json.loads(proc.stdout)["counts"].items() if n}
        klayout_rules = {rule for rule, n in run_deck(out / "demo.drc", b["gds"], tmp_path).items() if n}
        if holo_rules != want or klayout_rules != want:
            problems.append(f"{b['name']} ({b['description']}): expected {sorted(want)}, holo {sorted(holo_rules)}, "
                            f"KLayout {sorted(klayout_rules)}")
    assert not problems, "\n".join(problems)
    pdk = json.loads((pathlib.Path(__file__).resolve().parents[2] / "pdk" / "generic_soi220.json").read_text())
    assert covered == {r["name"] for r in pdk["rules"]}, "every PDK rule needs a broken layout"


PLACE_SCRIPT = r'''
import pya
src = pya.Layout()
src.read(input)
ly = pya.Layout()
ly.dbu = src.dbu
piece = ly.create_cell("bend_piece")
piece.copy_tree(src.top_cell())
mid = ly.create_cell("mid")  # a nested, mirrored placement: the orientations compose
mid.insert(pya.CellInstArray(piece.cell_index(), pya.Trans(3, True, 0, 0)))
top = ly.create_cell("placed")
k = 0
for rot in range(4):
    for mirror in (False, True):
        top.insert(pya.CellInstArray(piece.cell_index(), pya.Trans(rot, mirror, 100000 * k, 0)))
        top.insert(pya.CellInstArray(mid.cell_index(), pya.Trans(rot, mirror, 100000 * k, 100000)))
        k += 1
top.insert(pya.CellInstArray(piece.cell_index(), pya.Trans(0, False, 0, 200000), pya.Vector(50000, 0),
                             pya.Vector(0, 50000), 3, 2))
ly.write(hier)
top.flatten(-1, True)
ly.write(flat)
'''
PLACEMENTS = 8 + 8 + 6  # every orientation directly and through `mid`, and a 3 x 2 array


def lyrdb_markers(path):
    """Sorted marker geometry (KLayout's text form, um) of every item in a report database."""
    root = ET.parse(path).getroot()
    return sorted("".join(v.itertext()).strip() for item in root.iter("item") for v in item.iter("value"))


def test_bend_markers_of_a_hierarchy_are_those_of_a_flat_pass(holo, demo, tmp_path):
    """The deck estimates bend radii once per cell and places the markers through the hierarchy; a placed sharp
    bend in every orientation (mirrored ones too, nested) and in an array must give exactly the markers of the
    flattened copy, one per placement, and holo (which flattens) must count the same. Exact comparison: the
    markers are computed from the same integer outlines."""
    out, manifest = demo
    sharp = next(b for b in manifest["broken"] if b["name"] == "sharp_bend")
    script = tmp_path / "place.py"
    script.write_text(PLACE_SCRIPT)
    hier, flat = tmp_path / "placed.gds", tmp_path / "placed_flat.gds"
    klayout("-r", script, "-rd", f"input={pathlib.Path(sharp['gds']).resolve()}", "-rd", f"hier={hier.resolve()}",
            "-rd", f"flat={flat.resolve()}")
    single = run_deck(out / "demo.drc", sharp["gds"], tmp_path)
    assert single == Counter({"WG.R.1": 1}), single
    got = {}
    for gds in (hier, flat):
        report = tmp_path / (gds.stem + ".lyrdb")
        klayout("-r", (out / "demo.drc").resolve(), "-rd", f"input={gds.resolve()}", "-rd", f"report={report.resolve()}")
        assert lyrdb_rules(report) == Counter({"WG.R.1": PLACEMENTS}), (gds.name, lyrdb_rules(report))
        got[gds.name] = lyrdb_markers(report)
    assert got[hier.name] == got[flat.name], "markers of the hierarchical pass differ from a flat pass"
    proc = holo.call("drc", hier, "--json", expect_rc=2)
    assert json.loads(proc.stdout)["counts"]["WG.R.1"] == PLACEMENTS


def test_drc_text_lists_violations_and_writes_the_deck(holo, demo, tmp_path):
    out, manifest = demo
    narrow = next(b for b in manifest["broken"] if b["name"] == "narrow_WG")
    deck = tmp_path / "again.drc"
    proc = holo.call("drc", narrow["gds"], "--deck", deck, expect_rc=2)
    assert "WG.W.1" in proc.stdout and "width 0.300 um < 0.400 um" in proc.stdout, proc.stdout
    assert deck.read_text() == (out / "demo.drc").read_text(), "holo drc --deck must write the same deck"


def test_layout_demo_is_byte_identical_twice(holo, demo, tmp_path):
    out, _ = demo
    holo.call("layout-demo", tmp_path)
    for name in ("demo.gds", "demo.svg", "demo.drc", "demo.lyp"):
        a = hashlib.sha256((out / name).read_bytes()).hexdigest()
        b = hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
        assert a == b, f"{name} differs between two runs"


def test_svg_preview_draws_every_polygon(demo):
    out, manifest = demo
    root = ET.parse(out / "demo.svg").getroot()
    assert root.tag.endswith("svg")
    paths = [e for e in root.iter() if e.tag.endswith("path")]
    assert len(paths) == manifest["polygons"]


def test_drc_errors_are_bad_input(holo, tmp_path):
    bad = tmp_path / "bad.gds"
    bad.write_bytes(b"\x00\x06\x00\x02\x02\x58\x00\x1c\x01\x02")  # HEADER, then a truncated BGNLIB
    proc = holo.call("drc", bad, expect_rc=2)
    assert "GDS-CORRUPT" in proc.stderr, proc.stderr
    proc = holo.call("drc", tmp_path / "missing.gds", expect_rc=2)
    assert "FILE-NOT-FOUND" in proc.stderr
