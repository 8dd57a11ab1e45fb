"""`holo compile --pdk-variant` (docs/pdk.md#variants): a variant changes the figures the analysis reads, OUT/pdk.json
holds the composed platform (so simulate uses exactly it), report.json records the variants, and a bad variant
argument is one clear error line."""

import json

import pytest

from conftest import REPO

DIGITS = REPO / "examples" / "digits"
MLP = DIGITS / "digits_mlp.onnx"
X = DIGITS / "X_test_mlp.npy"
Y = DIGITS / "y_test.npy"


def compile_mlp(holo, out, *extra):
    holo.call("compile", MLP, "-o", out, "--quiet", *extra)
    return json.loads((out / "report.json").read_text())


@pytest.fixture(scope="module")
def default_report(holo, tmp_path_factory):
    return compile_mlp(holo, tmp_path_factory.mktemp("default") / "out")


def test_ps_mems_lowers_heater_power_and_travels_with_the_chip(holo, tmp_path, default_report):
    out = tmp_path / "mems"
    report = compile_mlp(holo, out, "--pdk-variant", "ps-mems")
    base_mw = default_report["figures"]["heater_power_mw"]["value"]
    mems_mw = report["figures"]["heater_power_mw"]["value"]
    assert base_mw > 100 * mems_mw > 0, (base_mw, mems_mw)
    assert report["options"]["pdk_variants"] == ["ps-mems"]
    assert "pdk_variants" not in default_report["options"]
    assert report["pdk"] == "generic_soi220+ps-mems"
    # OUT/pdk.json is the merged platform: the variant's figures, the base's others.
    platform = json.loads((out / "pdk.json").read_text())
    variant = json.loads((REPO / "pdk" / "variants" / "ps-mems.json").read_text())
    base = json.loads((REPO / "pdk" / "generic_soi220.json").read_text())
    assert platform["format"] == "holo-pdk" and platform["name"] == "generic_soi220+ps-mems"
    for tname, tmpl in variant["templates"].items():
        for key, fig in tmpl["figures"].items():
            assert platform["templates"][tname]["figures"][key] == fig, (tname, key)
    assert platform["templates"]["waveguide"] == base["templates"]["waveguide"]
    assert platform["layers"] == base["layers"] and platform["rules"] == base["rules"]
    circuit = json.loads((out / "circuit.json").read_text())
    assert circuit["pdk"] == "generic_soi220+ps-mems"
    assert circuit["info"]["pdk_variants"] == "ps-mems"
    # The chip simulates on the platform it was compiled for (simulate checks OUT/pdk.json against circuit.json).
    s = json.loads(holo.call("simulate", out, "--input", X, "--labels", Y, "--ideal", "--json").stdout)
    assert s["agreement"] == 1.0
    # The realistic chip too (at the uncalibrated 1 mW per channel its accuracy is low, as the default chip's).
    s = json.loads(holo.call("simulate", out, "--input", X, "--labels", Y, "--json").stdout)
    assert 0 <= s["accuracy"] <= 1


def test_variants_compose_and_change_what_they_set(holo, tmp_path, default_report):
    report = compile_mlp(holo, tmp_path / "out", "--no-layout", "--pdk-variant", "ps-pcm", "--pdk-variant",
                         "io-grating-hi", "--pdk-variant", "mod-ring")
    assert report["options"]["pdk_variants"] == ["ps-pcm", "io-grating-hi", "mod-ring"]
    assert report["pdk"] == "generic_soi220+ps-pcm+io-grating-hi+mod-ring"
    fig = report["figures"]
    base = default_report["figures"]
    assert fig["heater_power_mw"]["value"] < 1e-4 * base["heater_power_mw"]["value"]
    # A 0.69 dB grating coupler instead of 5.2 dB and a 2 dB modulator instead of 4 dB take 6.51 dB off the worst
    # path; the PCM shifter's MZIs (0.47 dB, the base's 0.4 with the shifter swapped) add 0.07 dB per MZI on it.
    pdk = json.loads((tmp_path / "out" / "pdk.json").read_text())["templates"]
    assert pdk["mzi"]["figures"]["insertion_loss_db"]["value"] == 0.47
    mzis = round((fig["worst_path_loss_db"]["value"] - base["worst_path_loss_db"]["value"] + 6.51) / 0.07)
    assert mzis > 0
    assert fig["worst_path_loss_db"]["value"] == pytest.approx(
        base["worst_path_loss_db"]["value"] - 6.51 + 0.07 * mzis, abs=0.02)


@pytest.mark.parametrize("args,code", [
    (["--pdk-variant", "ps-memz"], "PDK-VARIANT-UNKNOWN"),
    (["--pdk-variant", "ps-mems", "--pdk-variant", "ps-tin"], "PDK-VARIANT-CONFLICT"),
])
def test_bad_variant_is_one_error_line(holo, tmp_path, args, code):
    p = holo.call("compile", MLP, "-o", tmp_path / "out", *args, expect_rc=2)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and f"[{code}]" in lines[0], p.stderr
    assert not (tmp_path / "out").exists()


def test_help_lists_the_shipped_variants(holo):
    text = holo.call("compile", "--help").stdout
    for name in ("ps-mems", "ps-pcm", "mod-tfln", "io-grating-hi"):
        assert name in text
