"""holo compile writes the chip layout (issue 5 item 6), checked with KLayout in batch mode (an independent GDSII
reader and DRC engine) on the chips of BOTH bundled models: KLayout opens OUT/chip.gds, finds one top cell, the cell
count and the flat shape count of every layer that holo's report states, a 1 nm database unit, and its DRC with the
deck holo wrote (OUT/chip.drc, hierarchical mode) finds 0 violations. holo's own DRC (compile --drc) and the
layout-versus-netlist check find 0 as well."""

import json
import pathlib
import subprocess
import xml.etree.ElementTree as ET

import pytest

from conftest import KLAYOUT_COUNT_SCRIPT, KLAYOUT_DUMP, REPO, lyrdb_rules
from conftest import klayout as run_klayout

MODELS = {"mlp": REPO / "examples" / "digits" / "digits_mlp.onnx",
          "cnn": REPO / "examples" / "digits" / "digits_cnn.onnx"}
# Reading a digits chip takes a few seconds and its DRC with the written deck 35-75 s on the project's 2-core
# machine; ten minutes means a hang.
KLAYOUT_TIMEOUT_S = 600

def klayout(*args):
    return run_klayout(*args, timeout_s=KLAYOUT_TIMEOUT_S)


@pytest.fixture(scope="module", params=sorted(MODELS))
def chip(request, holo, tmp_path_factory):
    out = tmp_path_factory.mktemp("chip_" + request.param)
    holo.call("compile", MODELS[request.param], "-o", out, "--quiet", "--drc")
    for name in ("chip.gds", "chip.lyp", "chip.drc", "chip.svg", "chip.layermap"):
        assert (out / name).is_file(), f"holo compile did not write {name}"
    return out, json.loads((out / "report.json").read_text())


def test_klayout_reads_chip(chip, tmp_path):
    out, report = chip
    script = tmp_path / "count.py"
    script.write_text(KLAYOUT_COUNT_SCRIPT + KLAYOUT_DUMP)
    result = tmp_path / "count.json"
    klayout("-r", script, "-rd", f"input={(out / 'chip.gds').resolve()}", "-rd", f"out={result.resolve()}")
    got = json.loads(result.read_text())
    assert len(got["tops"]) == 1, got["tops"]
    assert got["cells"] == report["counts"]["layout_cells"]
    assert got["dbu"] == pytest.approx(0.001, rel=0, abs=1e-12)  # holo writes a 1 nm database unit
    want = {k[len("layout_shapes_"):]: v for k, v in report["counts"].items() if k.startswith("layout_shapes_")}
    assert want, "the report lists no shapes per layer"
    assert got["shapes"] == want, f"flat shapes per layer: KLayout {got['shapes']}, holo {want}"


def test_klayout_drc_with_written_deck_is_clean(chip, tmp_path):
    out, _ = chip
    report = tmp_path / "chip.lyrdb"
    klayout("-r", (out / "chip.drc").resolve(), "-rd", f"input={(out / 'chip.gds').resolve()}", "-rd",
            f"report={report.resolve()}")
    items = lyrdb_rules(report)
    assert not items, f"KLayout DRC violations on the compiled chip: {dict(items)}"
    # The deck really ran the PDK's rules (a category per rule in the report).
    categories = {c.findtext("name").strip("'") for c in ET.parse(report).getroot().iter("category")}
    assert {"WG.W.1", "WG.S.1", "WG.R.1", "M2.W.1", "VIA.EN.1"} <= categories, categories


def test_drc_and_lvs_clean(chip):
    _, report = chip
    assert report["counts"]["drc_violations"] == 0
    assert report["counts"]["lvs_mismatches"] == 0


def test_layout_figures_in_report(chip):
    _, report = chip
    f = report["figures"]
    assert f["die_area_mm2"]["value"] > 0
    assert f["waveguide_length_um"]["value"] > 0
    # The loss model on the drawn paths (docs/simulation.md, "Losses"): the worst of the stages' losses, above the
    # schematic's worst path by what the layout adds (fan-outs, output coupler, channel straights).
    optical = [s for s in report["stages"] if s["domain"] == "optical"]
    assert all(s["loss_paths"] == "drawn" for s in optical)
    assert f["worst_path_loss_with_layout_db"]["value"] == pytest.approx(max(s["loss_db"] for s in optical),
                                                                          rel=1e-12)
    assert f["worst_path_loss_with_layout_db"]["value"] > f["worst_path_loss_db"]["value"] + 1.0


def test_holo_drc_on_written_chip(holo, chip):
    out, _ = chip
    p = subprocess.run([holo.path, "drc", str(out / "chip.gds"), "--json"], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    j = json.loads(p.stdout)
    assert j["clean"] is True and j["total"] == 0
    assert j["polygons"] > 100000  # the flattened digits chip: the check really looked at the geometry


def test_every_programmed_heater_has_its_own_pad(chip):
    """pads.csv (the layout's pads) against program.csv (the netlist's phase shifters): every heater the chip
    programs has exactly one pad, named as program.csv names it, plus one ground pad per wiring channel; the
    geometric check in the report (M2 nets of the flattened chip) finds no open and no short."""
    import csv
    out, report = chip
    counts = report["counts"]
    assert counts["wiring_opens"] == 0 and counts["wiring_shorts"] == 0
    with open(out / "program.csv", newline="") as f:
        program = list(csv.DictReader(f))
    with open(out / "pads.csv", newline="") as f:
        pads = list(csv.DictReader(f))
    # The attenuators' phi is 0 rad by construction and the attenuator cell has no phi heater (docs/layout.md).
    heaters = {(r["cell"], r["instance"], r["parameter"]) for r in program
               if not (r["component"] == "attenuator" and r["parameter"] == "phi_rad")}
    assert all(float(r["phase_rad"]) == 0.0 for r in program
               if r["component"] == "attenuator" and r["parameter"] == "phi_rad")
    drive = [(r["cell"], r["instance"], r["parameter"]) for r in pads if r["parameter"] != "ground"]
    assert len(drive) == len(set(drive)), "a heater with two pads"
    assert set(drive) == heaters
    grounds = [r for r in pads if r["parameter"] == "ground"]
    assert len(grounds) == counts["ground_pads"] > 0
    # The bare test MZI adds two heaters and four pads of its own.
    assert counts["wired_heaters"] == len(heaters) + 2
    assert counts["bond_pads"] == len(pads) + 4
    centres = {(r["x_um"], r["y_um"]) for r in pads}
    assert len(centres) == len(pads), "two pads at one place"
