"""The default `holo simulate` is the chip as compiled and laid out (issue 14 item 1, docs/simulation.md):

* report.json's stages[].loss_db and simulate --json's stages[].loss_db are the same loss model on the drawn
  paths, for every optical stage of both digits models (to 0.1 dB; they are computed by different code: the
  report sums the model along the meshes' columns, the simulator reads the magnitudes of the path it propagates);
* every effect is on by default and each has its own switch, and each switch changes what it should;
* a chip without drawn paths (--no-layout) is simulated on the schematic's paths, with a warning.
"""

import json

import pytest

from conftest import REPO

DIGITS = REPO / "examples" / "digits"
Y_TEST, Y_CAL = DIGITS / "y_test.npy", DIGITS / "y_calib.npy"
MODELS = ("mlp", "cnn")


@pytest.fixture(scope="module")
def chips(holo, tmp_path_factory):
    out = {}
    for m in MODELS:
        d = tmp_path_factory.mktemp(m) / "OUT"
        holo.call("compile", DIGITS / f"digits_{m}.onnx", "-o", d, "--quiet",
                  "--calibrate", DIGITS / f"X_calib_{m}.npy", "--calibrate-labels", Y_CAL)
        out[m] = d
    return out


def simulate(h, out, m, *extra):
    p = h.call("simulate", out, "--input", DIGITS / f"X_test_{m}.npy", "--labels", Y_TEST, "--json", *extra)
    return json.loads(p.stdout)


@pytest.mark.parametrize("m", MODELS)
def test_report_and_simulate_agree_on_every_stage_loss(holo, chips, m):
    report = json.loads((chips[m] / "report.json").read_text())
    optical = [s for s in report["stages"] if s["domain"] == "optical"]
    s = simulate(holo, chips[m], m)
    assert [st["node"] for st in s["stages"]] == [st["node"] for st in optical]
    for rep, sim in zip(optical, s["stages"]):
        assert rep["loss_paths"] == "drawn" and sim["paths"] == "drawn"
        assert abs(rep["loss_db"] - sim["loss_db"]) < 0.1, (rep, sim)
        # The drawn chip loses more than the schematic (fan-outs, output coupler, fillers), and simulate's
        # --schematic-paths is report.json's schematic worst_path_loss_db's model.
        assert sim["snr_db"] is not None
    schematic = simulate(holo, chips[m], m, "--schematic-paths")
    worst = max(st["loss_db"] for st in schematic["stages"])
    assert abs(worst - report["figures"]["worst_path_loss_db"]["value"]) < 0.1
    assert all(a["loss_db"] < b["loss_db"] - 1.0 for a, b in zip(schematic["stages"], s["stages"]))
    drawn_worst = max(st["loss_db"] for st in s["stages"])
    assert abs(drawn_worst - report["figures"]["worst_path_loss_with_layout_db"]["value"]) < 0.1


def test_every_effect_is_on_by_default_and_has_a_switch(holo, chips):
    d = simulate(holo, chips["cnn"], "cnn")
    imp = d["impairments"]
    for key in ("shot_noise", "thermal_noise", "rin", "signal_quantization", "attenuator_extinction", "drawn_paths",
                "pdk_loss"):
        assert imp[key] is True, key
    assert imp["balanced_mesh_loss"] is False
    det = d["detection"]
    # Noise over the symbol rate's bandwidth, not the receiver's 50 GHz.
    assert det["noise_bandwidth_ghz"] == pytest.approx(det["symbol_rate_gbaud"] / 2)
    assert det["noise_bandwidth_ghz"] < det["receiver_bandwidth_ghz"]
    assert det["rin_db_per_hz"] == -150.0 and det["dac_bits"] == 8 and det["adc_bits"] == 8
    for flag, key in [("--no-shot-noise", "shot_noise"), ("--no-thermal-noise", "thermal_noise"), ("--no-rin", "rin"),
                      ("--no-signal-quantization", "signal_quantization"), ("--no-extinction", "attenuator_extinction"),
                      ("--schematic-paths", "drawn_paths")]:
        assert simulate(holo, chips["cnn"], "cnn", flag)["impairments"][key] is False, flag
    # At the capped laser power the CNN is noise-limited: without detector noise it is clearly better.
    quiet = simulate(holo, chips["cnn"], "cnn", "--no-detector-noise")
    assert not any(quiet["impairments"][k] for k in ("shot_noise", "thermal_noise", "rin"))
    assert quiet["accuracy"] > d["accuracy"] + 0.02
    assert all(st["snr_db"] is None for st in quiet["stages"])
    # The converters change the outputs (the exact analog path has a smaller error). The finite extinction leaks
    # in quadrature with the attenuators' programmed amplitudes (docs/simulation.md, "Attenuator extinction"),
    # which the homodyne receivers do not read: it leaves the detected outputs as they were.
    base = simulate(holo, chips["cnn"], "cnn", "--no-detector-noise")["output_error"]["rms"]
    assert simulate(holo, chips["cnn"], "cnn", "--no-detector-noise", "--no-signal-quantization")["output_error"][
        "rms"] < base
    no_ext = simulate(holo, chips["cnn"], "cnn", "--no-detector-noise", "--no-extinction")["output_error"]["rms"]
    assert abs(no_ext - base) <= 1e-9 * base
    # --ideal turns every effect off: the reference computation.
    ideal = simulate(holo, chips["cnn"], "cnn", "--ideal")
    assert ideal["agreement"] == 1.0
    assert not any(ideal["impairments"][k] for k in ("shot_noise", "thermal_noise", "rin", "signal_quantization",
                                                     "attenuator_extinction", "drawn_paths", "pdk_loss"))


def test_idle_slots_as_drawn_cost_calibration_accuracy(holo, chips):
    """The layout fills idle mesh slots with straights: paths through them lose less than through MZIs, so the
    lossy tile is not a multiple of the lossless one. --balanced-loss is the hypothetical chip with
    loss-matched dummies: only the drawn I/O paths (fan-outs of different lengths) still differ, so its
    calibration residual is several times smaller."""
    drawn = simulate(holo, chips["mlp"], "mlp", "--no-detector-noise", "--no-signal-quantization", "--no-extinction")
    balanced = simulate(holo, chips["mlp"], "mlp", "--no-detector-noise", "--no-signal-quantization",
                        "--no-extinction", "--balanced-loss")
    assert balanced["impairments"]["balanced_mesh_loss"] is True
    assert drawn["gain_calibration_residual"] > 3 * balanced["gain_calibration_residual"]
    assert drawn["output_error"]["rms"] > balanced["output_error"]["rms"]


def test_temperature_drift_moves_the_calibrated_io_phases(holo, chips):
    """--delta-t-k: the drawn fan-in and fan-out waveguides (lengths spread over millimetres) drift in phase
    against the phases calibrated at the reference temperature; a few kelvin scramble the MLP's first layer."""
    quiet = ("--no-detector-noise",)
    at0 = simulate(holo, chips["mlp"], "mlp", *quiet)
    warm = simulate(holo, chips["mlp"], "mlp", *quiet, "--delta-t-k", "3")
    assert warm["impairments"]["delta_t_k"] == 3.0
    assert warm["output_error"]["rms"] > 2 * at0["output_error"]["rms"]
    assert warm["accuracy"] < at0["accuracy"] - 0.3
    p = holo.call("simulate", chips["mlp"], "--input", DIGITS / "X_test_mlp.npy", "--delta-t-k", "201",
                  expect_rc=2)
    assert "--delta-t-k" in p.stderr


def test_a_chip_without_layout_is_simulated_on_the_schematic_with_a_warning(holo, tmp_path):
    out = tmp_path / "OUT"
    holo.call("compile", DIGITS / "digits_mlp.onnx", "-o", out, "--quiet", "--no-layout")
    p = holo.call("simulate", out, "--input", DIGITS / "X_test_mlp.npy", "--labels", Y_TEST, "--json")
    j = json.loads(p.stdout)
    assert [w["code"] for w in j["warnings"]] == ["SIM-SCHEMATIC-PATHS", "THERMAL-NOT-MODELLED"]
    assert "SIM-SCHEMATIC-PATHS" in p.stderr
    assert all(st["paths"] == "schematic" for st in j["stages"])
    report = json.loads((out / "report.json").read_text())
    for rep, sim in zip([s for s in report["stages"] if s["domain"] == "optical"], j["stages"]):
        assert rep["loss_paths"] == "schematic" and abs(rep["loss_db"] - sim["loss_db"]) < 0.1
