"""Thermal crosstalk between the placed heaters (docs/simulation.md#thermal-crosstalk): compile records the
layout's heater sites with the compensated heater powers, holo simulate applies the crosstalk; off, compensated
and uncompensated chips are ordered as the physics says, on the bundled digits models."""

import csv
import json
import shutil

import pytest

from conftest import REPO

DIGITS = REPO / "examples" / "digits"
MODELS = {
    "mlp": (DIGITS / "digits_mlp.onnx", DIGITS / "X_test_mlp.npy"),
    "cnn": (DIGITS / "digits_cnn.onnx", DIGITS / "X_test_cnn.npy"),
}
Y = DIGITS / "y_test.npy"


@pytest.fixture(scope="module")
def compiled(holo, tmp_path_factory):
    out = {}
    for name, (model, _) in MODELS.items():
        d = tmp_path_factory.mktemp(name) / "OUT"
        holo.call("compile", model, "-o", d, "--quiet")
        out[name] = d
    return out


def simulate(holo, out, name, *flags):
    return holo.json("simulate", out, "--input", MODELS[name][1], "--labels", Y, *flags)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_sites_and_compensated_powers_recorded(compiled, name):
    net = json.loads((compiled[name] / "circuit.json").read_text())
    report = json.loads((compiled[name] / "report.json").read_text())
    sites = [s for t in net["thermal_sites"] for s in t["sites"]]
    assert report["counts"]["thermal_sites"] == len(sites) > 0
    assert all(s["power_mw"] >= 0 for s in sites)
    assert all(s["heater_um"][0] < s["heater_um"][1] for s in sites)
    assert "compensat" in report["figures"]["heater_power_mw"]["method"]
    # program.csv lists the compensated power of every placed heater: its column sums to the programmed figure
    # (the charged heater_power_mw also nulls the arms' unknown fabrication offsets: an expectation, larger).
    programmed = report["figures"]["heater_power_programmed_mw"]["value"]
    assert report["figures"]["heater_power_mw"]["value"] > programmed
    with open(compiled[name] / "program.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    total = sum(float(r["heater_power_mw"]) for r in rows)
    assert abs(total - programmed) < 1e-6 * len(rows)  # 6 decimals per row


@pytest.mark.parametrize("name", sorted(MODELS))
def test_off_compensated_uncompensated_ordering(holo, compiled, name):
    # Without the random and rounding effects (detector noise, converters) and the extinction floor, so that what
    # differs between the three runs is the crosstalk alone.
    quiet = ("--no-detector-noise", "--no-signal-quantization", "--no-extinction")
    off = simulate(holo, compiled[name], name, *quiet, "--no-thermal-crosstalk")
    comp = simulate(holo, compiled[name], name, *quiet)
    unc = simulate(holo, compiled[name], name, *quiet, "--uncompensated-crosstalk")
    assert off["thermal_crosstalk"]["on"] is False and comp["thermal_crosstalk"]["on"] is True
    assert comp["thermal_crosstalk"]["compensated"] is True and unc["thermal_crosstalk"]["compensated"] is False
    # The compensation restores every programmed phase (the model is the simulator's own).
    assert max(s["max_residual_rad"] for s in comp["thermal_crosstalk"]["stages"]) < 1e-9
    assert max(s["max_residual_rad"] for s in unc["thermal_crosstalk"]["stages"]) > 1e-3
    # The chip's output error: off <= compensated (the common phases remain) < uncompensated.
    e_off, e_comp, e_unc = (r["output_error"]["rms"] for r in (off, comp, unc))
    assert e_off <= e_comp * (1 + 1e-9) and e_comp < e_unc
    assert off["accuracy"] >= unc["accuracy"] and comp["accuracy"] >= unc["accuracy"]


def test_no_layout_warns_that_crosstalk_is_not_modelled(holo, tmp_path):
    out = tmp_path / "OUT"
    holo.call("compile", MODELS["mlp"][0], "-o", out, "--quiet", "--no-layout")
    assert "thermal_sites" not in json.loads((out / "circuit.json").read_text())
    j = simulate(holo, out, "mlp")
    assert "THERMAL-NOT-MODELLED" in [w["code"] for w in j["warnings"]]
    assert j["thermal_crosstalk"]["on"] is False
    # Off by request: no warning.
    j = simulate(holo, out, "mlp", "--no-thermal-crosstalk")
    assert "THERMAL-NOT-MODELLED" not in [w["code"] for w in j["warnings"]]


def edited(compiled, tmp_path, edit):
    out = tmp_path / "OUT"
    shutil.copytree(compiled["mlp"], out)
    net = json.loads((out / "circuit.json").read_text())
    edit(net)
    (out / "circuit.json").write_text(json.dumps(net))
    return out


def test_bad_sites_are_refused(holo, compiled, tmp_path):
    x = MODELS["mlp"][1]

    def no_power(net):
        del net["thermal_sites"][0]["sites"][0]["power_mw"]

    out = edited(compiled, tmp_path / "a", no_power)
    p = holo.call("simulate", out, "--input", x, expect_rc=2)
    assert "[SIM-BAD-THERMAL]" in p.stderr and "--uncompensated-crosstalk" in p.stderr
    holo.call("simulate", out, "--input", x, "--uncompensated-crosstalk")

    def bad_index(net):
        net["thermal_sites"][0]["sites"][0]["index"] = 100000

    p = holo.call("simulate", edited(compiled, tmp_path / "b", bad_index), "--input", x, expect_rc=2)
    assert "[SIM-BAD-THERMAL]" in p.stderr

    def bad_shifter(net):
        net["thermal_sites"][0]["sites"][0]["shifter"] = "gamma"

    p = holo.call("simulate", edited(compiled, tmp_path / "c", bad_shifter), "--input", x, expect_rc=2)
    assert "[CIRCUIT-SCHEMA]" in p.stderr

    def reversed_heater(net):
        h = net["thermal_sites"][0]["sites"][0]["heater_um"]
        h[0], h[1] = h[1], h[0]

    p = holo.call("simulate", edited(compiled, tmp_path / "d", reversed_heater), "--input", x, expect_rc=2)
    assert "[CIRCUIT-SCHEMA]" in p.stderr
