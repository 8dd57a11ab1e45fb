"""Analog links between optical stages (docs/physics.md#analog-links), on the digits MLP with 16-mode tiles:

* the ideal analog chip computes the model exactly (agreement 1.0 with the reference on the test images): the link
  changes converters and scales, not the arithmetic;
* against the digital chip: the hidden layers lose their ADCs and DACs (counts, power breakdown, latency by one
  DAC symbol + one ADC sample per link), the first layer keeps its DACs and the last its ADCs;
* the realistic simulator runs it at the power compile found and the design point records the choice.
"""

import json

import pytest

from conftest import REPO

DIGITS = REPO / "examples" / "digits"
MLP = DIGITS / "digits_mlp.onnx"
X_TEST, Y_TEST = DIGITS / "X_test_mlp.npy", DIGITS / "y_test.npy"


@pytest.fixture(scope="module")
def chips(holo, tmp_path_factory):
    out = {}
    for link in ("digital", "analog"):
        d = tmp_path_factory.mktemp(link) / "OUT"
        holo.call("compile", MLP, "-o", d, "--mesh-size", "16", "--no-layout", "--inter-layer", link, "-q")
        out[link] = d
    return out


def report(d):
    return json.loads((d / "report.json").read_text())


def test_ideal_analog_chip_is_exact(holo, chips):
    j = holo.json("simulate", chips["analog"], "--input", X_TEST, "--labels", Y_TEST, "--ideal")
    assert j["agreement"] == 1.0


def test_converters_leave_the_links(chips):
    d, a = report(chips["digital"]), report(chips["analog"])
    assert d["options"]["inter_layer"] == "digital" and a["options"]["inter_layer"] == "analog"
    # 64-64-32-10 on 16-mode tiles: first layer 4 x 4 tiles of 16 inputs keep their DACs (256), the last layer's
    # 2 column blocks x 10 outputs keep their ADCs (20); 64 + 32 hidden values x their column blocks go analog.
    assert a["counts"]["dacs"] == 256 and a["counts"]["adcs"] == 20
    assert d["counts"]["dacs"] == 416 and d["counts"]["adcs"] == 404
    assert a["counts"]["analog_links"] == 404 - 20
    pd, pa = d["power_breakdown_mw"], a["power_breakdown_mw"]
    assert pa["adcs"] == pytest.approx(pd["adcs"] * 20 / 404, rel=1e-12)
    assert pa["dacs"] == pytest.approx(pd["dacs"] * 256 / 416, rel=1e-12)
    assert pa["modulators"] == pytest.approx(pd["modulators"], rel=1e-12)
    # Two links: two DAC symbols (100 ps) and two ADC samples (100 ps) less.
    lat = d["figures"]["latency_ps"]["value"] - a["figures"]["latency_ps"]["value"]
    assert lat == pytest.approx(400.0, rel=1e-9)
    design = json.loads((chips["analog"] / "design.json").read_text())
    assert design["inter_layer"] == "analog"


def test_realistic_analog_chip_runs(holo, chips):
    j = holo.json("simulate", chips["analog"], "--input", X_TEST, "--labels", Y_TEST, "--laser-power-mw", "5")
    assert 0.9 < j["accuracy"] <= 1.0
