"""A PDK with an out-of-range, unknown or repeated field stops `holo compile` before anything is written: exit
2 and one stderr line `holo: error [PDK-...]: FILE: $.json.path: ...` ("Trustworthy outputs": such files used
to compile, and the report showed a negative heater power, a zero worst-path loss, null or inf)."""

import json
import subprocess

import pytest

from conftest import REPO

MLP = REPO / "examples" / "digits" / "digits_mlp.onnx"
BUNDLED = REPO / "pdk" / "generic_soi220.json"


def with_figure(tmpl, key, value):
    pdk = json.loads(BUNDLED.read_text())
    pdk["templates"][tmpl]["figures"][key]["value"] = value
    return json.dumps(pdk, indent=1)


def edited(old, new):
    text = BUNDLED.read_text()
    assert text.count(old) == 1, old
    return text.replace(old, new)


CASES = [
    ("p_pi_negative", with_figure("phase_shifter", "p_pi_mw", -5), "PDK-RANGE",
     "$.templates.phase_shifter.figures.p_pi_mw.value: -5 mW is outside the allowed (0, 10000] mW"),
    ("loss_negative", with_figure("mzi", "insertion_loss_db", -0.4), "PDK-RANGE",
     "$.templates.mzi.figures.insertion_loss_db.value: -0.4 dB"),
    ("length_huge", with_figure("mzi", "length_um", 1e300), "PDK-RANGE", "$.templates.mzi.figures.length_um.value: 1e+300 um"),
    ("wall_plug_zero", with_figure("laser", "wall_plug_efficiency", 0), "PDK-RANGE",
     "$.templates.laser.figures.wall_plug_efficiency.value: 0 is outside the allowed (0, 1]"),
    ("coupling_two", with_figure("directional_coupler", "coupling_power", 2), "PDK-RANGE",
     "$.templates.directional_coupler.figures.coupling_power.value: 2 is outside the allowed [0, 1]"),
    ("duplicate_figure", edited('"p_pi_mw": { "value": 24.77,', '"p_pi_mw": { "value": 1, "source": "x" }, "p_pi_mw": { "value": 24.77,'),
     "PDK-PARSE", "$.templates.phase_shifter.figures: key 'p_pi_mw' appears twice"),
    ("unknown_figure", edited('"p_pi_mw": {', '"p_pi_mW": {'), "PDK-SCHEMA",
     "$.templates.phase_shifter.figures.p_pi_mW: unknown figure 'p_pi_mW' of template 'phase_shifter' "
     "(did you mean 'p_pi_mw'?)"),
]


@pytest.mark.parametrize("name,text,code,detail", CASES, ids=[c[0] for c in CASES])
def test_bad_pdk_stops_compile(holo, tmp_path, name, text, code, detail):
    bad = tmp_path / "bad_pdk.json"
    bad.write_text(text)
    out = tmp_path / "out"
    p = subprocess.run([holo.path, "compile", str(MLP), "-o", str(out), "--pdk", str(bad), "--no-layout"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2, p.stderr
    lines = [l for l in p.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, p.stderr
    assert lines[0].startswith(f"holo: error [{code}]: {bad}: "), lines[0]
    assert detail in lines[0], lines[0]
    assert not out.exists() or not any(out.iterdir()), "nothing is written for a bad PDK"


def test_bundled_pdk_compiles(holo, tmp_path):
    out = tmp_path / "out"
    p = subprocess.run([holo.path, "compile", str(MLP), "-o", str(out), "--pdk", str(BUNDLED), "--no-layout", "--json"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    figures = json.loads((out / "report.json").read_text())["figures"]
    for key in ("worst_path_loss_db", "heater_power_mw", "laser_power_mw", "latency_ps", "energy_per_mac_pj"):
        value = figures[key]["value"]
        assert isinstance(value, (int, float)) and 0 < value < 1e12, (key, value)
