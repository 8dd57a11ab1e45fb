"""Trustworthy compile outputs (docs/outputs.md): `holo simulate` runs only the chip that was compiled from the model
beside it, OUT is replaced as a unit (the fault-injection test kills compile at every file-system call in turn),
stale and foreign files are handled, and every chip the compiler writes passes `holo drc`. Each case here was a
bug on the main branch before this protocol (issue 10); the comment says what happened then."""

import hashlib
import json
import os
import pathlib
import re
import shutil
import subprocess

import numpy as np
import pytest

from conftest import REPO

DIGITS = REPO / "examples" / "digits"
DATA = REPO / "tests" / "unit" / "frontend" / "data"
TINY = DATA / "tiny.json"
ERROR_LINE = re.compile(r"^holo: error \[([A-Z0-9-]+)\]: .+$")
WARNING_LINE = re.compile(r"^holo: warning \[([A-Z0-9-]+)\]: .+$")


def expect_error(proc, code):
    """Exit 2, and exactly one coded error line on stderr (warnings may precede it)."""
    lines = [line for line in proc.stderr.splitlines() if not WARNING_LINE.match(line)]
    assert proc.returncode == 2, f"exit {proc.returncode}, stderr: {proc.stderr}"
    assert len(lines) == 1, f"expected one error line, got: {proc.stderr!r}"
    m = ERROR_LINE.match(lines[0])
    assert m, f"not a coded error line: {lines[0]!r}"
    assert m.group(1) == code, f"expected [{code}], got: {lines[0]}"


def warnings_of(proc):
    return [WARNING_LINE.match(line).group(1) for line in proc.stderr.splitlines() if WARNING_LINE.match(line)]


def snapshot(out):
    """name -> sha256 of every entry of OUT (a directory entry maps to 'dir')."""
    out = pathlib.Path(out)
    if not out.exists():
        return None
    return {p.name: ("dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()) for p in out.iterdir()}


def manifest_complete(out):
    """The files of OUT are exactly its manifest's, with the listed hashes and sizes."""
    snap = snapshot(out)
    m = json.loads((pathlib.Path(out) / "manifest.json").read_text())
    listed = {f["name"]: f["sha256"] for f in m["files"]}
    assert set(snap) == set(listed) | {"manifest.json"}, (sorted(snap), sorted(listed))
    for name, sha in listed.items():
        assert snap[name] == sha, name
        assert (pathlib.Path(out) / name).stat().st_size == next(f["bytes"] for f in m["files"] if f["name"] == name)


def edit_circuit(out, change):
    path = pathlib.Path(out) / "circuit.json"
    c = json.loads(path.read_text())
    change(c)
    path.write_text(json.dumps(c, indent=1))


@pytest.fixture(scope="module")
def mlp_chip(holo, tmp_path_factory):
    out = tmp_path_factory.mktemp("mlp") / "OUT"
    holo.call("compile", DIGITS / "digits_mlp.onnx", "-o", out, "--no-layout", "-q")
    return out


@pytest.fixture(scope="module")
def cnn_chip(holo, tmp_path_factory):
    out = tmp_path_factory.mktemp("cnn") / "OUT"
    holo.call("compile", DIGITS / "digits_cnn.onnx", "-o", out, "--no-layout", "-q")
    return out


@pytest.fixture
def chip(mlp_chip, tmp_path):
    """A private copy of the compiled digits MLP chip, free to break."""
    out = tmp_path / "OUT"
    shutil.copytree(mlp_chip, out)
    return out


def simulate(holo, out, x="X_test_mlp.npy", *extra, expect_rc=None):
    return holo.call("simulate", out, "--input", DIGITS / x, "--labels", DIGITS / "y_test.npy", *extra,
                     expect_rc=expect_rc)


# --- 1. simulate runs only the chip compiled from the model beside it ---------------------------------------

def test_simulate_of_the_intact_chip_runs(holo, chip):
    proc = simulate(holo, chip, expect_rc=0)
    # The chip was compiled with --no-layout: it records no drawn paths and no heater sites, which simulate says
    # (and nothing else).
    assert warnings_of(proc) == ["SIM-SCHEMATIC-PATHS", "THERMAL-NOT-MODELLED"], proc.stderr
    assert warnings_of(simulate(holo, chip, "X_test_mlp.npy", "--no-thermal-crosstalk", "--schematic-paths",
                                expect_rc=0)) == []


def test_model_of_another_compile_is_refused(holo, chip, cnn_chip):
    # Before: the CNN's model ran entirely electronically on the MLP's chip dir, exit 0, accuracy = reference.
    shutil.copy(cnn_chip / "model.onnx", chip / "model.onnx")
    expect_error(simulate(holo, chip, "X_test_cnn.npy"), "CHIP-MODEL-MISMATCH")


def test_renamed_stage_is_refused(holo, chip):
    # Before: the renamed stage matched no node, so that layer silently ran electronically.
    def rename(c):
        optical = next(s for s in c["stages"] if s["domain"] == "optical")
        optical["node"] = optical["node"] + "_renamed"
    edit_circuit(chip, rename)
    expect_error(simulate(holo, chip), "CHIP-STAGE-MISMATCH")


def test_empty_program_is_refused(holo, chip):
    # Before: "stages": [] ran the whole model electronically and reported a perfect chip.
    edit_circuit(chip, lambda c: c.update(stages=[]))
    expect_error(simulate(holo, chip), "CHIP-STAGE-MISMATCH")


def test_optical_stage_made_electronic_is_refused(holo, chip):
    def demote(c):
        s = next(s for s in c["stages"] if s["domain"] == "optical")
        s.update(domain="electronic", reason="edited", tiles=[], layer_cell="", out_features=0, in_features=0)
        for k in ("layer_cell", "out_features", "in_features", "tiles"):
            s.pop(k, None)
    edit_circuit(chip, demote)
    expect_error(simulate(holo, chip), "CHIP-STAGE-MISMATCH")


@pytest.mark.parametrize("gain,code", [(0.0, "CHIP-STAGE-MISMATCH"), (-1.0, "CIRCUIT-BAD-STAGE"),
                                       (1e6, "CHIP-STAGE-MISMATCH")])
def test_absurd_tile_gain_is_refused(holo, chip, gain, code):
    # Before: gain 0 or -1 was accepted and simulated.
    def set_gain(c):
        next(s for s in c["stages"] if s["domain"] == "optical")["tiles"][0]["gain"] = gain
    edit_circuit(chip, set_gain)
    expect_error(simulate(holo, chip), code)


def test_absurd_positions_are_refused(holo, chip):
    def set_positions(c):
        next(s for s in c["stages"] if s["domain"] == "optical")["positions"] = 123456789
    edit_circuit(chip, set_positions)
    expect_error(simulate(holo, chip), "CHIP-STAGE-MISMATCH")


def test_edited_phases_are_simulated_with_a_warning(holo, chip):
    # A hand-edited chip is a legitimate experiment: simulated as edited, and the user is told.
    text = (chip / "circuit.json").read_text()
    edited = re.sub(r'"theta_rad": ([0-9.e+-]+)', lambda m: f'"theta_rad": {float(m.group(1)) + 0.5!r}', text,
                    count=50)
    assert edited != text
    (chip / "circuit.json").write_text(edited)
    # (--no-thermal-crosstalk --schematic-paths: the --no-layout chip would add THERMAL-NOT-MODELLED and
    # SIM-SCHEMATIC-PATHS.)
    proc = simulate(holo, chip, "X_test_mlp.npy", "--json", "--no-thermal-crosstalk", "--schematic-paths", expect_rc=0)
    assert "OUT-MODIFIED" in warnings_of(proc)
    result = json.loads(proc.stdout)
    assert [w["code"] for w in result["warnings"]] == ["OUT-MODIFIED"]
    assert result["output_error"]["max_abs_over_output_scale"] > 1e-6  # the edit really changed the chip


def test_circuit_without_binding_is_refused(holo, chip):
    edit_circuit(chip, lambda c: c["info"].pop("model_sha256"))
    expect_error(simulate(holo, chip), "CHIP-UNBOUND")


def test_changed_pdk_copy_is_refused_and_explicit_pdk_warns(holo, chip, tmp_path):
    pdk = json.loads((chip / "pdk.json").read_text())
    pdk["templates"]["waveguide"]["figures"]["loss_db_per_cm"]["value"] = 2.5
    other = tmp_path / "other_pdk.json"
    other.write_text(json.dumps(pdk))
    proc = simulate(holo, chip, "X_test_mlp.npy", "--pdk", other, "--no-thermal-crosstalk", "--schematic-paths",
                    expect_rc=0)
    assert warnings_of(proc) == ["PDK-DIFFERS"]
    shutil.copy(other, chip / "pdk.json")
    expect_error(simulate(holo, chip), "CHIP-PDK-MISMATCH")


def test_circuit_json_names_no_machine_path(mlp_chip):
    # Before: info.pdk_path was an absolute path into the build tree.
    info = json.loads((mlp_chip / "circuit.json").read_text())["info"]
    assert "pdk_path" not in info
    assert not any(str(REPO) in v for v in info.values()), info
    assert info["pdk_file"] == "generic_soi220.json"
    assert len(info["model_sha256"]) == 64 and len(info["pdk_sha256"]) == 64


def test_simulate_on_a_file_says_so(holo, chip):
    # Before: "no such directory" for a regular file.
    expect_error(simulate(holo, chip / "circuit.json"), "OUT-NOT-DIRECTORY")


def test_zero_sample_batch_is_refused(holo, chip, tmp_path):
    # Before: exit 0 with accuracy 0 over no samples.
    x = tmp_path / "x0.npy"
    np.save(x, np.zeros((0, 64)))
    y = tmp_path / "y0.npy"
    np.save(y, np.zeros((0,), dtype=np.int64))
    expect_error(holo.call("simulate", chip, "--input", x, "--labels", y, expect_rc=None), "INPUT-EMPTY")


# --- 2. OUT is written as a unit -----------------------------------------------------------------------------

def test_no_layout_recompile_leaves_no_stale_layout(holo, tmp_path):
    # Before: chip.gds / chip.svg / pads.csv of the previous compile survived a --no-layout recompile.
    out = tmp_path / "OUT"
    holo.call("compile", TINY, "-o", out, "-q")
    assert (out / "chip.gds").exists()
    holo.call("compile", TINY, "-o", out, "--no-layout", "-q")
    assert not any((out / n).exists() for n in ("chip.gds", "chip.svg", "pads.csv", "chip.drc")), sorted(snapshot(out))
    manifest_complete(out)
    assert [p.name for p in tmp_path.iterdir()] == ["OUT"]  # nothing left beside OUT


def test_failed_compile_leaves_the_previous_out_untouched(holo, tmp_path):
    out = tmp_path / "OUT"
    holo.call("compile", TINY, "-o", out, "-q")
    before = snapshot(out)
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "holo-json-model", "version": 1, "inputs": [], "outputs": ["y"], "nodes": []}')
    proc = holo.call("compile", bad, "-o", out, expect_rc=2)
    assert proc.returncode == 2
    # A failure late in compile (the PDK lacks a template only mapping needs) as well.
    pdk = json.loads((REPO / "pdk" / "generic_soi220.json").read_text())
    pdk["templates"]["modulator"]["figures"] = {}
    broken = tmp_path / "pdk.json"
    broken.write_text(json.dumps(pdk))
    holo.call("compile", TINY, "-o", out, "--pdk", broken, expect_rc=2)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["OUT", "bad.json", "pdk.json"]


def test_foreign_files_are_never_deleted(holo, tmp_path):
    out = tmp_path / "OUT"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    expect_error(holo.call("compile", TINY, "-o", out, expect_rc=None), "OUT-FOREIGN")
    assert (out / "notes.txt").read_text() == "mine"
    # Also a file dropped into a compiled OUT.
    out2 = tmp_path / "OUT2"
    holo.call("compile", TINY, "-o", out2, "-q")
    (out2 / "X.npy").write_bytes(b"x")
    expect_error(holo.call("compile", TINY, "-o", out2, expect_rc=None), "OUT-FOREIGN")
    assert (out2 / "X.npy").exists()


def test_out_of_an_earlier_holo_is_replaced_and_its_leftovers_cleaned(holo, tmp_path):
    # An OUT written before manifests (only compile's file names) plus a killed AtomicFile's temporary file.
    out = tmp_path / "OUT"
    out.mkdir()
    for name in ("circuit.json", "chip.gds", "report.md", "report.html"):
        (out / name).write_text("old")
    (out / ".circuit.json.tmp.Ab12Cd").write_text("partial")
    holo.call("compile", TINY, "-o", out, "--no-layout", "-q")
    manifest_complete(out)
    assert not (out / "chip.gds").exists()


def test_a_killed_compiles_staging_is_cleaned_and_a_live_one_refuses(holo, tmp_path):
    out = tmp_path / "OUT"
    dead_pid = 2 ** 22 + 12345  # above Linux's largest possible pid (2^22): certainly not running
    stale = tmp_path / f".OUT.holo-tmp-{dead_pid}-AbCdEf"
    stale.mkdir()
    (stale / "circuit.json").write_text("partial")
    holo.call("compile", TINY, "-o", out, "--no-layout", "-q")
    assert not stale.exists()
    live = tmp_path / f".OUT.holo-tmp-{os.getpid()}-XyZxYz"  # this test process is alive
    live.mkdir()
    expect_error(holo.call("compile", TINY, "-o", out, expect_rc=None), "OUT-BUSY")
    live.rmdir()


def test_concurrent_compiles_end_complete(holo, tmp_path):
    # Before: two compiles into one OUT both exited 0 and could leave a mix.
    out = tmp_path / "OUT"
    cmds = [[holo.path, "compile", str(DATA / m), "-o", str(out), "-q"] for m in ("tiny.json", "mlp.json") * 3]
    procs = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in cmds]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    for rc, err in results:
        assert rc == 0 or (rc == 2 and "[OUT-BUSY]" in err), (rc, err)
    assert any(rc == 0 for rc, _ in results)
    manifest_complete(out)
    assert [p.name for p in tmp_path.iterdir()] == ["OUT"]


def test_out_is_old_or_new_whatever_call_the_compile_is_killed_at(holo, tmp_path):
    """Kill (SIGKILL) compile at each file-system-changing call in turn (tests/e2e/shim/faultshim.cpp): afterwards
    OUT is the previous complete set or the new complete set, and the next compile cleans what the killed one
    left beside OUT."""
    shim = os.environ.get("HOLO_FAULTSHIM")
    assert shim and os.path.isfile(shim), "HOLO_FAULTSHIM must name the built fault-injection shim"
    old_args = ["compile", str(TINY), "-q"]  # with layout: chip.gds etc.
    new_args = ["compile", str(DATA / "mlp.json"), "--no-layout", "-q"]  # another model, fewer files
    ref_old, ref_new = tmp_path / "ref_old", tmp_path / "ref_new"
    holo.call(*old_args[:2], "-o", ref_old, *old_args[2:])
    holo.call(*new_args[:2], "-o", ref_new, *new_args[2:])
    old, new = snapshot(ref_old), snapshot(ref_new)
    assert old != new

    work = tmp_path / "work"
    work.mkdir()
    out = work / "OUT"
    count_file = tmp_path / "count.txt"

    def run_new(kill_at):
        env = dict(os.environ, LD_PRELOAD=shim, HOLO_FAULT_KILL_AT=str(kill_at), HOLO_FAULT_COUNT_FILE=str(count_file))
        cmd = [holo.path, *new_args[:2], "-o", str(out), *new_args[2:]]
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)

    shutil.copytree(ref_old, out)
    assert run_new(0).returncode == 0
    steps = int(count_file.read_text())
    assert steps > 20, steps  # the shim saw the writes
    outcomes = {"old": 0, "new": 0}
    for k in range(1, steps + 1):
        shutil.rmtree(out)
        shutil.copytree(ref_old, out)
        proc = run_new(k)
        assert proc.returncode == -9, f"kill at call {k}: exit {proc.returncode} {proc.stderr}"
        state = snapshot(out)
        assert state in (old, new), f"kill at call {k} of {steps}: OUT is neither the old nor the new set: {state}"
        outcomes["old" if state == old else "new"] += 1
        # The next compile removes whatever the killed one left beside OUT.
        proc = holo.call(*new_args[:2], "-o", out, *new_args[2:], expect_rc=0)
        assert snapshot(out) == new
        assert [p.name for p in work.iterdir()] == ["OUT"], f"after kill at {k}: {sorted(p.name for p in work.iterdir())}"
    assert outcomes["old"] > 0 and outcomes["new"] > 0, outcomes


# --- 3. what compile writes passes holo's own DRC ------------------------------------------------------------

@pytest.mark.parametrize("model,extra", [
    (TINY, []), (TINY, ["--mesh-size", "1"]), (TINY, ["--mesh-size", "2"]),
    (DATA / "mlp.json", []), (DATA / "mlp.json", ["--mesh-size", "1"]), (DATA / "mlp.json", ["--mesh-size", "3"]),
    (DATA / "cnn_opset11.onnx", []), (DATA / "gap_opset14.onnx", []),
    (DIGITS / "digits_mlp.onnx", ["--mesh-size", "1"]),
], ids=lambda v: v.name if isinstance(v, pathlib.Path) else "-".join(v) or "default")
def test_compiled_chip_passes_holo_drc(holo, tmp_path, model, extra):
    # Before: tiny.json gave 2 top cells, the digits MLP with --mesh-size 1 three (holo drc: LAYOUT-TOP), while
    # compile --drc reported 0 violations.
    out = tmp_path / "OUT"
    holo.call("compile", model, "-o", out, "-q", "--drc", *extra)
    report = json.loads((out / "report.json").read_text())
    assert report["counts"]["drc_violations"] == 0
    result = holo.json("drc", out / "chip.gds")
    assert result["clean"] and result["total"] == 0, result
    assert result["pdk_file"].endswith("pdk.json")  # checked against the platform compiled for
