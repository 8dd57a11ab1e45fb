"""holo explore (docs/explore.md) on the wine MLP (13-16-3) with a small knob space and budget:

* pareto.json's front is exactly the non-dominated set of the evaluated designs (recomputed here by brute force
  from the objectives it lists), pareto.csv holds the same rows, every evaluated design off the front is dominated
  by one on it;
* the chosen design is compiled into DIR/best as an ordinary compile output; its design.json compiled again with
  `holo compile --design` gives the same chip byte for byte;
* the evaluations do not depend on the thread count (--jobs 2 vs --jobs 1); targets change the verdicts and the
  order of evaluation, not a design's figures;
* with targets the front cannot meet, the text names the binding constraints; with loose targets the chosen
  design meets them all;
* pareto.svg is one well-formed SVG with a panel per projection and no external reference.
"""

import csv
import json
import xml.etree.ElementTree as ET

import pytest

from conftest import REPO

WINE = REPO / "examples" / "wine"
MLP = WINE / "wine_mlp.onnx"
X_CAL = WINE / "X_calib.npy"
# 2 tile sizes x (base coupler, io-grating-hi): 4 designs, all evaluated whatever the targets.
KNOBS = ["--mesh-sizes", "4,8", "--methods", "clements", "--rank-energies", "1", "--variants", "io-grating-hi",
         "--budget", "4"]
# Loose photonic targets; the accuracy target stays (it is also each design's laser power criterion).
LOOSE = ["--loss-db", "100", "--power-w", "1e5", "--latency-ns", "100", "--bandwidth-ghz", "1"]


@pytest.fixture(scope="module")
def strict(holo, tmp_path_factory):
    out = tmp_path_factory.mktemp("strict") / "DIR"
    p = holo.call("explore", MLP, "-o", out, "--calibrate", X_CAL, "--jobs", "2", *KNOBS)
    return out, p.stdout


@pytest.fixture(scope="module")
def loose(holo, tmp_path_factory):
    out = tmp_path_factory.mktemp("loose") / "DIR"
    j = holo.json("explore", MLP, "-o", out, "--calibrate", X_CAL, "--jobs", "1", *KNOBS, *LOOSE)
    return out, j


def dominates(a, b, objectives):
    better = False
    for o in objectives:
        x, y = a[o["key"]], b[o["key"]]
        if x is None or y is None:
            if x is None and y is not None:
                return False
            better = better or (y is None and x is not None)
            continue
        if o["sense"] == "max":
            x, y = -x, -y
        if x > y:
            return False
        better = better or x < y
    return better


def test_front_is_the_non_dominated_set(strict):
    out, _ = strict
    p = json.loads((out / "pareto.json").read_text())
    assert p["format"] == "holo-pareto" and p["search"]["evaluated"] == 4 and p["search"]["combinations"] == 4
    ok = [e for e in p["evaluated"] if "error" not in e]
    assert len(ok) == 4, p["evaluated"]
    # The front is taken over the designs reaching the accuracy target (all of them if none does).
    accurate = [e for e in ok if e["target_miss_decades"]["accuracy"] == 0]
    assert p["front_over"].startswith("the evaluated designs that reach") == bool(accurate)
    pool = accurate or ok
    brute = [e["id"] for e in pool if not any(dominates(f, e, p["objectives"]) for f in pool)]
    assert [f["id"] for f in p["front"]] == brute
    for e in pool:
        assert e["id"] in brute or any(dominates(f, e, p["objectives"]) for f in p["front"])
        for k in ("loss_db", "power_w", "area_mm2", "latency_ns", "bandwidth_ghz", "energy_per_mac_pj", "accuracy"):
            assert e[k] is not None and e[k] > 0, (k, e)
    rows = list(csv.DictReader((out / "pareto.csv").open()))
    assert [int(r["id"]) for r in rows] == brute
    for r, f in zip(rows, p["front"]):
        assert float(r["loss_db"]) == pytest.approx(f["loss_db"], rel=1e-5)
        assert int(r["mesh_size"]) == f["design"]["mesh_size"]


def test_figures_are_the_compiled_chips(strict):
    """The chosen design's objectives are its compile's report figures (loss as laid out, every power)."""
    out, _ = strict
    p = json.loads((out / "pareto.json").read_text())
    chosen = next(e for e in p["evaluated"] if e["id"] == p["chosen"])
    report = json.loads((out / "best" / "report.json").read_text())
    f = report["figures"]
    assert chosen["loss_db"] == pytest.approx(f["end_to_end_loss_db"]["value"], rel=1e-12)
    assert chosen["power_w"] == pytest.approx(f["total_power_mw"]["value"] / 1000, rel=1e-12)
    assert chosen["area_mm2"] == pytest.approx(f["die_area_mm2"]["value"], rel=1e-12)
    assert chosen["latency_ns"] == pytest.approx(f["latency_ps"]["value"] / 1000, rel=1e-12)
    assert chosen["energy_per_mac_pj"] == pytest.approx(f["energy_per_mac_pj"]["value"], rel=1e-12)
    assert chosen["accuracy"] == report["laser_power"]["calibration"]["agreement"]
    assert sum(report["power_breakdown_mw"].values()) == pytest.approx(f["total_power_mw"]["value"], rel=1e-9)
    assert f["end_to_end_loss_db"]["value"] == pytest.approx(f["worst_path_loss_with_layout_db"]["value"], rel=1e-12)


def test_best_recompiles_byte_identically_from_its_design(holo, strict, tmp_path):
    out, _ = strict
    best = out / "best"
    design = json.loads((best / "design.json").read_text())
    p = json.loads((out / "pareto.json").read_text())
    chosen = next(e for e in p["evaluated"] if e["id"] == p["chosen"])
    assert design == chosen["design"]
    again = tmp_path / "again"
    holo.call("compile", MLP, "-o", again, "--design", best / "design.json", "--calibrate", X_CAL, "-q")
    for name in ("circuit.json", "program.csv", "report.json", "chip.gds", "design.json"):
        assert (again / name).read_bytes() == (best / name).read_bytes(), name
    # A flag on the command line wins over the design file.
    other = tmp_path / "other"
    holo.call("compile", MLP, "-o", other, "--design", best / "design.json", "--mesh-size", "4", "--no-layout", "-q")
    assert json.loads((other / "design.json").read_text())["mesh_size"] == 4


def test_thread_count_and_targets_change_only_the_verdicts(strict, loose):
    s = json.loads((strict[0] / "pareto.json").read_text())
    l = loose[1]
    assert l["chosen_meets_targets"] is True
    keep = ("loss_db", "power_w", "area_mm2", "latency_ns", "bandwidth_ghz", "energy_per_mac_pj", "accuracy",
            "design", "laser_power_per_channel_mw")
    # The targets steer the order of evaluation (nearest first); each design's figures are its own.
    def by_design(p):
        return sorted(({k: e[k] for k in keep} for e in p["evaluated"]), key=lambda e: json.dumps(e["design"]))
    assert by_design(s) == by_design(l)


def test_binding_constraints_are_named(strict):
    out, text = strict
    p = json.loads((out / "pareto.json").read_text())
    assert p["chosen_meets_targets"] is False  # on the base platform the heaters alone take watts
    binding = {b["target"]: b for b in p["binding"]}
    assert set(binding) == {"loss_db", "power_w", "latency_ns", "bandwidth_ghz", "accuracy"}
    assert "no evaluated design meets every target" in text
    assert "binds: power_w at most 1" in text


def test_plot_is_one_offline_svg(strict):
    out, _ = strict
    text = (out / "pareto.svg").read_text()
    root = ET.fromstring(text)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "http://" not in text.replace("http://www.w3.org/2000/svg", "") and "https://" not in text
    assert "<script" not in text
    circles = root.findall(".//{http://www.w3.org/2000/svg}circle")
    assert len(circles) == 4 * 4  # four evaluated designs on each of the four panels


def test_bad_input_is_one_clear_error(holo, tmp_path):
    p = holo.call("explore", MLP, "-o", tmp_path / "x", expect_rc=2)
    assert "--calibrate" in p.stderr
    p = holo.call("explore", MLP, "-o", tmp_path / "x", "--calibrate", X_CAL, "--mesh-sizes", "8,0", expect_rc=2)
    assert "CLI-BAD-OPTION" in p.stderr
    bad = tmp_path / "design.json"
    bad.write_text('{"format": "holo-design", "version": 1, "mesh_size": 8, "method": "clements", "rank_energy": 2}')
    p = holo.call("compile", MLP, "-o", tmp_path / "y", "--design", bad, expect_rc=2)
    assert "DESIGN-SCHEMA" in p.stderr and str(bad) in p.stderr and "$.rank_energy" in p.stderr
    assert not (tmp_path / "y").exists()
