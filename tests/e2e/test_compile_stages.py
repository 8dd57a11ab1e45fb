"""holo compile runs as named stages (docs/cli.md, "Compile stages"): --json lists every stage with its time and
peak-memory growth, --stats prints them as a table, --dump-after writes a stage's intermediate form beside OUT
(never inside it), and compile's warnings reach stderr, --json and report.json."""

import json
import pathlib

REPO = pathlib.Path(__file__).resolve().parents[2]
MLP = REPO / "examples" / "digits" / "digits_mlp.onnx"
TINY = REPO / "tests" / "unit" / "frontend" / "data" / "tiny.json"
STAGES = ["import", "simplify", "map", "verify", "analyse", "layout", "checks", "thermal", "laser_power", "write"]
# Every compile without --calibrate charges the PDK's laser power and says so (docs/simulation.md#laser-power).
UNCALIBRATED = "LASER-POWER-UNCALIBRATED"


def manifest_names(out):
    return {e["name"] for e in json.loads((out / "manifest.json").read_text())["files"]} | {"manifest.json"}


def test_stats_json_shows_every_stage(holo, tmp_path):
    out = tmp_path / "OUT"
    j = holo.json("compile", MLP, "-o", out, "--drc", "--stats")  # stdout is the JSON object only
    assert [s["name"] for s in j["stages"]] == STAGES
    for s in j["stages"]:
        assert set(s) == {"name", "seconds", "peak_rss_mb"}
        assert s["seconds"] >= 0 and s["peak_rss_mb"] >= 0
    # Mapping the digits MLP and laying it out take measurable time and memory.
    by = {s["name"]: s for s in j["stages"]}
    assert by["layout"]["seconds"] > 0 and sum(s["peak_rss_mb"] for s in j["stages"]) > 1
    assert [w["code"] for w in j["warnings"]] == [UNCALIBRATED] and j["counts"]["drc_violations"] == 0
    # Timings never reach OUT: the report is the same bytes as without --stats.
    again = tmp_path / "AGAIN"
    holo.call("compile", MLP, "-o", again, "--drc", "--quiet")
    assert (out / "report.json").read_bytes() == (again / "report.json").read_bytes()
    assert [w["code"] for w in json.loads((out / "report.json").read_text())["warnings"]] == [UNCALIBRATED]


def test_stats_table_and_quiet(holo, tmp_path):
    p = holo.call("compile", TINY, "-o", tmp_path / "OUT", "--stats")
    table = p.stdout.split("stages:\n", 1)[1]
    rows = [line.split()[0] for line in table.splitlines()]
    assert rows == ["stage"] + STAGES + ["total"]
    p = holo.call("compile", TINY, "-o", tmp_path / "OUT", "--stats", "--no-layout", "--quiet")
    assert p.stdout == "" and p.stderr.startswith(f"holo: warning [{UNCALIBRATED}]: ")  # warnings are not quiet
    assert len(p.stderr.splitlines()) == 1
    j = holo.json("compile", TINY, "-o", tmp_path / "OUT", "--no-layout")
    assert [s["name"] for s in j["stages"]] == ["import", "simplify", "map", "verify", "analyse", "laser_power",
                                                "write"]


def test_dump_after_writes_beside_out(holo, tmp_path):
    out = tmp_path / "OUT"
    j = holo.json("compile", TINY, "-o", out, "--dump-after", "simplify", "--dump-after", "map",
                  "--dump-after", "analyse")
    names = ["OUT.after-simplify.graph.txt", "OUT.after-map.circuit.json", "OUT.after-analyse.report.json"]
    assert j["dumps"] == [str(tmp_path / n) for n in names]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["OUT"] + names)
    assert {p.name for p in out.iterdir()} == manifest_names(out)  # OUT holds what its manifest lists
    assert "Gemm(" in (tmp_path / names[0]).read_text()
    # The netlist after map is OUT's but for the laser power the laser_power stage records for simulate, the
    # heater sites the thermal stage records and the drawn paths the layout stage records in the tiles.
    after_map, written = json.loads((tmp_path / names[1]).read_text()), json.loads((out / "circuit.json").read_text())
    assert {k: v for k, v in written["info"].items() if not k.startswith("laser_power_")} == after_map["info"]
    assert "thermal_sites" in written and "thermal_sites" not in after_map
    del written["thermal_sites"]
    optical = [s for s in written["stages"] if s["domain"] == "optical"]
    assert optical and all("drawn" in t for s in optical for t in s["tiles"])
    for s in optical:
        for t in s["tiles"]:
            del t["drawn"]
    assert {**written, "info": after_map["info"]} == after_map
    assert "die_area_mm2" not in json.loads((tmp_path / names[2]).read_text())["figures"]  # before the layout
    # --dump-dir: there instead, under the same name.
    holo.call("compile", TINY, "-o", out, "--dump-after", "import", "--dump-dir", tmp_path / "dumps", "-q")
    assert [p.name for p in (tmp_path / "dumps").iterdir()] == ["OUT.after-import.graph.txt"]


def test_bad_dump_stage_and_help(holo, tmp_path):
    for stage in ("write", "bogus"):
        p = holo.call("compile", TINY, "-o", tmp_path / "OUT", "--dump-after", stage, expect_rc=2)
        assert p.stderr.startswith("holo: error [CLI-BAD-OPTION]: --dump-after") and p.stdout == ""
    assert not (tmp_path / "OUT").exists()
    p = holo.call("compile", TINY, "-o", tmp_path / "OUT", "--no-layout", "--drc", expect_rc=2)
    assert "[CLI-BAD-OPTION]" in p.stderr
    text = holo.call("compile", "--help").stdout
    for stage in STAGES:
        assert f"{stage}: " in text, stage


def test_layout_fallback_is_a_warning(holo, tmp_path):
    pdk = json.loads((REPO / "pdk" / "generic_soi220.json").read_text())
    del pdk["templates"]["grating_coupler"]["figures"]["pitch_um"]
    path = tmp_path / "pdk.json"
    path.write_text(json.dumps(pdk, indent=2))
    out = tmp_path / "OUT"
    p = holo.call("compile", TINY, "-o", out, "--pdk", path, "--quiet")
    lines = p.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith("holo: warning [LAYOUT-FALLBACK]: ")
    assert lines[1].startswith(f"holo: warning [{UNCALIBRATED}]: ")
    assert "grating_coupler.pitch_um" in lines[0]
    report = json.loads((out / "report.json").read_text())
    assert [w["code"] for w in report["warnings"]] == ["LAYOUT-FALLBACK", UNCALIBRATED]
    assert "## Warnings" in (out / "report.md").read_text()
    html = (out / "report.html").read_text()
    assert "<code>LAYOUT-FALLBACK</code>" in html and f"<code>{UNCALIBRATED}</code>" in html
