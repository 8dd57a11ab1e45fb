"""Command-line errors keep the one-line coded format (issue "Trustworthy outputs", hostile-user campaign).

Every bad command line of every subcommand exits 2 with exactly one stderr line
`holo: error [CLI-...]: <what>; run 'holo <cmd> --help'` and nothing on stdout (with --json too); numeric options
are range-checked at parse time, naming the option, the value and the range (docs/cli.md). Values at the ends of
each range are accepted by the parser and by the library behind it (the two ranges agree)."""

import json
import os
import re
import subprocess

import numpy as np
import pytest

from conftest import REPO

DIGITS = REPO / "examples" / "digits"
MLP = DIGITS / "digits_mlp.onnx"
X = DIGITS / "X_test_mlp.npy"
Y = DIGITS / "y_test.npy"
# Parse errors come before any file is opened, so the paths below need not exist.
OUT = "/nonexistent/holo-out"
U = "/nonexistent/u.npy"
GDS = "/nonexistent/chip.gds"
U64_MAX = str(2**64 - 1)

LINE = re.compile(r"^holo: error \[(CLI-[A-Z-]+)\]: (.+); run 'holo ((?:[a-z-]+ )*)--help'$")
COMMANDS = {"inspect", "run", "eval", "decompose", "bench", "compile", "simulate", "drc", "layout-demo"}
BENCH_COMMANDS = {"decompose", "model", "compile"}


def holo_run(holo, args):
    return subprocess.run([holo.path, *map(str, args)], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ))


def command_path(args):
    """The subcommand words at the start of args (what the help hint names)."""
    path = []
    if args and args[0] in COMMANDS:
        path.append(args[0])
        if args[0] == "bench" and len(args) > 1 and args[1] in BENCH_COMMANDS:
            path.append(args[1])
    return path


def expect_cli_error(p, code=None, hint=None):
    """Exit 2, one stderr line in the coded format, empty stdout; returns (code, message)."""
    assert p.returncode == 2, f"rc={p.returncode}\nstdout: {p.stdout!r}\nstderr: {p.stderr!r}"
    assert p.stdout == "", f"stdout is not empty: {p.stdout!r}"
    assert p.stderr.endswith("\n") and p.stderr.count("\n") == 1, f"stderr is not one line: {p.stderr!r}"
    m = LINE.match(p.stderr[:-1])
    assert m, f"not `holo: error [CLI-...]: <what>; run 'holo <cmd> --help'`: {p.stderr!r}"
    if code:
        assert m.group(1) == code, p.stderr
    if hint is not None:
        assert m.group(3) == "".join(w + " " for w in hint), p.stderr
    return m.group(1), m.group(2)


def case(*args, code, has=()):
    return pytest.param(list(args), code, list(has), id=" ".join(map(str, args))[:80] or "<none>")


SEED_RANGE = f"0..{U64_MAX}"
BAD = [
    # holo itself
    case(code="CLI-MISSING-COMMAND", has=["inspect", "compile", "simulate", "bench"]),
    case("frobnicate", code="CLI-UNKNOWN-COMMAND", has=["'frobnicate'", "compile", "simulate"]),
    case("--frobnicate", code="CLI-UNKNOWN-OPTION", has=["--frobnicate"]),
    case("bench", code="CLI-MISSING-COMMAND", has=["decompose", "model", "compile"]),
    case("bench", "frobnicate", code="CLI-UNKNOWN-COMMAND", has=["'frobnicate'", "decompose", "model"]),
    case("--json", "inspect", MLP, code="CLI-UNKNOWN-OPTION", has=["--json", "after the command"]),
    # inspect / run / eval
    case("inspect", code="CLI-MISSING-OPTION", has=["MODEL"]),
    case("inspect", MLP, "--frobnicate", code="CLI-UNKNOWN-OPTION", has=["--frobnicate"]),
    case("inspect", MLP, "second.onnx", code="CLI-EXTRA-ARGUMENT", has=["'second.onnx'"]),
    case("run", MLP, "--input", X, code="CLI-MISSING-OPTION", has=["--output"]),
    case("run", MLP, "--output", "y.npy", code="CLI-MISSING-OPTION", has=["--input"]),
    case("run", MLP, "--output", "y.npy", "--input", code="CLI-BAD-OPTION", has=["--input", "needs a value"]),
    case("eval", MLP, "--input", X, code="CLI-MISSING-OPTION", has=["--labels"]),
    case("eval", MLP, "--input", X, "--labels", Y, "--float32", code="CLI-UNKNOWN-OPTION", has=["--float32"]),
    # compile
    case("compile", MLP, code="CLI-MISSING-OPTION", has=["--out"]),
    case("compile", "-o", OUT, code="CLI-MISSING-OPTION", has=["MODEL"]),
    case("compile", MLP, "-o", OUT, "--dac-bits", "abc", code="CLI-BAD-OPTION", has=["--dac-bits", "'abc'", "1..24"]),
    case("compile", MLP, "-o", OUT, "--dac-bits", "0", code="CLI-BAD-OPTION", has=["--dac-bits", "'0'", "1..24"]),
    case("compile", MLP, "-o", OUT, "--dac-bits", "25", code="CLI-BAD-OPTION", has=["1..24"]),
    case("compile", MLP, "-o", OUT, "--dac-bits", "8.5", code="CLI-BAD-OPTION", has=["'8.5'", "integer"]),
    case("compile", MLP, "-o", OUT, "--dac-bits", code="CLI-BAD-OPTION", has=["--dac-bits", "needs a value"]),
    case("compile", MLP, "-o", OUT, "--mesh-size", "0", code="CLI-BAD-OPTION", has=["--mesh-size", "'0'", "1..2048"]),
    case("compile", MLP, "-o", OUT, "--mesh-size", "-3", code="CLI-BAD-OPTION", has=["'-3'", "negative", "1..2048"]),
    case("compile", MLP, "-o", OUT, "--mesh-size", "2049", code="CLI-BAD-OPTION", has=["1..2048"]),
    case("compile", MLP, "-o", OUT, "--mesh-size", "4294967360", code="CLI-BAD-OPTION", has=["1..2048"]),
    case("compile", MLP, "-o", OUT, "--mesh-size", "0x40", code="CLI-BAD-OPTION", has=["'0x40'"]),
    case("compile", MLP, "-o", OUT, "--mesh-size", "8", "--mesh-size", "16", code="CLI-BAD-OPTION",
         has=["--mesh-size", "more than once"]),
    case("compile", MLP, "-o", OUT, "--method", "foo", code="CLI-BAD-OPTION", has=["--method", "'foo'", "clements, reck"]),
    case("compile", MLP, "-o", OUT, "--activation", "quantum", code="CLI-BAD-OPTION", has=["'quantum'", "oeo, eo"]),
    case("compile", MLP, "-o", OUT, "--rank-energy", "0", code="CLI-BAD-OPTION", has=["--rank-energy", "(0, 1]"]),
    case("compile", MLP, "-o", OUT, "--rank-energy", "1.5", code="CLI-BAD-OPTION", has=["'1.5'", "(0, 1]"]),
    case("compile", MLP, "-o", OUT, "--rank-energy", "nan", code="CLI-BAD-OPTION", has=["'nan'", "finite"]),
    case("compile", MLP, "-o", OUT, "--rank-energy", "0.5x", code="CLI-BAD-OPTION", has=["'0.5x'", "not a number"]),
    case("compile", MLP, "-o", OUT, "--frobnicate", code="CLI-UNKNOWN-OPTION", has=["compile", "--frobnicate"]),
    case("compile", MLP, "-o", OUT, "--no-layout=maybe", code="CLI-BAD-OPTION", has=["--no-layout", "'maybe'", "flag"]),
    # simulate
    case("simulate", OUT, code="CLI-MISSING-OPTION", has=["--input"]),
    case("simulate", "--input", X, code="CLI-MISSING-OPTION", has=["OUT"]),
    case("simulate", OUT, "--input", X, "--seed", "-1", code="CLI-BAD-OPTION", has=["--seed", "'-1'", SEED_RANGE]),
    case("simulate", OUT, "--input", X, "--seed", "1e23", code="CLI-BAD-OPTION", has=["'1e23'", SEED_RANGE]),
    case("simulate", OUT, "--input", X, "--seed", "1.5", code="CLI-BAD-OPTION", has=["'1.5'", SEED_RANGE]),
    case("simulate", OUT, "--input", X, "--seed", "abc", code="CLI-BAD-OPTION", has=["'abc'", SEED_RANGE]),
    case("simulate", OUT, "--input", X, "--seed", str(2**64), code="CLI-BAD-OPTION", has=[str(2**64), SEED_RANGE]),
    case("simulate", OUT, "--input", X, "--seed", "", code="CLI-BAD-OPTION", has=["--seed", SEED_RANGE]),
    case("simulate", OUT, "--input", X, "--monte-carlo", "0", code="CLI-BAD-OPTION",
         has=["--monte-carlo", "'0'", "1..100000"]),
    case("simulate", OUT, "--input", X, "--monte-carlo", "1e9", code="CLI-BAD-OPTION", has=["'1e9'", "1..100000"]),
    case("simulate", OUT, "--input", X, "--monte-carlo", "1000000000", code="CLI-BAD-OPTION", has=["1..100000"]),
    case("simulate", OUT, "--input", X, "--monte-carlo", "100001", code="CLI-BAD-OPTION", has=["1..100000"]),
    case("simulate", OUT, "--input", X, "--dac-bits", "abc", code="CLI-BAD-OPTION", has=["--dac-bits", "'abc'", "0..24"]),
    case("simulate", OUT, "--input", X, "--dac-bits", "25", code="CLI-BAD-OPTION", has=["0..24"]),
    case("simulate", OUT, "--input", X, "--dac-bits", "-1", code="CLI-BAD-OPTION", has=["0..24"]),
    case("simulate", OUT, "--input", X, "--laser-power-mw", "nan", code="CLI-BAD-OPTION",
         has=["--laser-power-mw", "'nan'", "(0, 10000] mW"]),
    case("simulate", OUT, "--input", X, "--laser-power-mw", "inf", code="CLI-BAD-OPTION", has=["'inf'", "finite"]),
    case("simulate", OUT, "--input", X, "--laser-power-mw", "0", code="CLI-BAD-OPTION", has=["(0, 10000] mW"]),
    case("simulate", OUT, "--input", X, "--laser-power-mw", "-5", code="CLI-BAD-OPTION", has=["'-5'"]),
    case("simulate", OUT, "--input", X, "--laser-power-mw", "1e400", code="CLI-BAD-OPTION", has=["'1e400'"]),
    case("simulate", OUT, "--input", X, "--coupler-sigma", "-1", code="CLI-BAD-OPTION",
         has=["--coupler-sigma", "'-1'", "[0, pi] rad"]),
    case("simulate", OUT, "--input", X, "--coupler-sigma", "4", code="CLI-BAD-OPTION", has=["[0, pi] rad"]),
    case("simulate", OUT, "--input", X, "--phase-noise", "-0.1", code="CLI-BAD-OPTION", has=["--phase-noise", "[0, pi]"]),
    case("simulate", OUT, "--input", X, "--phase-noise", "NaN", code="CLI-BAD-OPTION", has=["'NaN'"]),
    case("simulate", OUT, "--input", X, "--noise", code="CLI-UNKNOWN-OPTION", has=["--noise"]),
    # decompose
    case("decompose", code="CLI-MISSING-OPTION", has=["UNITARY"]),
    case("decompose", U, "--method", "foo", code="CLI-BAD-OPTION", has=["--method", "'foo'", "clements, reck"]),
    case("decompose", U, "--tolerance", "-1", code="CLI-BAD-OPTION", has=["--tolerance", "[0, inf)"]),
    case("decompose", U, "--tolerance", "nan", code="CLI-BAD-OPTION", has=["'nan'"]),
    case("decompose", U, "--tolerance", "inf", code="CLI-BAD-OPTION", has=["'inf'"]),
    case("decompose", U, "V.npy", code="CLI-EXTRA-ARGUMENT", has=["'V.npy'"]),
    # drc / layout-demo
    case("drc", code="CLI-MISSING-OPTION", has=["GDS"]),
    case("drc", GDS, "--max-listed", "-1", code="CLI-BAD-OPTION", has=["--max-listed", "'-1'", "0..1000000"]),
    case("drc", GDS, "--max-listed", "lots", code="CLI-BAD-OPTION", has=["'lots'", "0..1000000"]),
    case("layout-demo", code="CLI-MISSING-OPTION", has=["OUT"]),
    # bench decompose
    case("bench", "decompose", "--sizes", "0", code="CLI-BAD-OPTION", has=["--sizes", "'0'", "1..8192"]),
    case("bench", "decompose", "--sizes", "64,8193", code="CLI-BAD-OPTION", has=["'8193'", "1..8192"]),
    case("bench", "decompose", "--sizes", "64,abc", code="CLI-BAD-OPTION", has=["'abc'", "1..8192"]),
    case("bench", "decompose", "--sizes", "", code="CLI-BAD-OPTION", has=["''", "1..8192"]),
    case("bench", "decompose", "--repeats", "0", code="CLI-BAD-OPTION", has=["--repeats", "1..1000"]),
    case("bench", "decompose", "--tiling-size", "-1", code="CLI-BAD-OPTION", has=["--tiling-size", "0..8192"]),
    case("bench", "decompose", "--tile", "0", code="CLI-BAD-OPTION", has=["--tile", "1..2048"]),
    case("bench", "decompose", "--threads", "0", code="CLI-BAD-OPTION", has=["--threads", "1..1024"]),
    case("bench", "decompose", "--seed", "-1", code="CLI-BAD-OPTION", has=["--seed", SEED_RANGE]),
    case("bench", "decompose", "--method", "givens", code="CLI-BAD-OPTION", has=["'givens'", "clements, reck"]),
    # bench model
    case("bench", "model", "--layers", "0", code="CLI-BAD-OPTION", has=["--layers", "1..10000"]),
    case("bench", "model", "--layers", "1.5", code="CLI-BAD-OPTION", has=["'1.5'"]),
    case("bench", "model", "--width", "65537", code="CLI-BAD-OPTION", has=["--width", "1..65536"]),
    case("bench", "model", "--batch", "1e6", code="CLI-BAD-OPTION", has=["--batch", "'1e6'", "1..1000000"]),
    case("bench", "model", "--repeats", "-2", code="CLI-BAD-OPTION", has=["--repeats", "1..1000"]),
    case("bench", "model", "--seed", "1e23", code="CLI-BAD-OPTION", has=["--seed", SEED_RANGE]),
    case("bench", "model", "--frobnicate", code="CLI-UNKNOWN-OPTION", has=["bench model", "--frobnicate"]),
    # bench compile
    case("bench", "compile", "--sizes", "784", code="CLI-BAD-OPTION", has=["--sizes", "at least 2"]),
    case("bench", "compile", "--sizes", "784,0", code="CLI-BAD-OPTION", has=["'0'", "1..65536"]),
    case("bench", "compile", "--sizes", "70000,10", code="CLI-BAD-OPTION", has=["'70000'", "1..65536"]),
    case("bench", "compile", "--mesh-size", "0", code="CLI-BAD-OPTION", has=["--mesh-size", "1..2048"]),
    case("bench", "compile", "--seed", "abc", code="CLI-BAD-OPTION", has=["--seed", SEED_RANGE]),
]


@pytest.mark.parametrize("args,code,has", BAD)
def test_bad_command_line_is_one_coded_line(holo, args, code, has):
    _, message = expect_cli_error(holo_run(holo, args), code, hint=command_path(args))
    for text in has:
        assert text in message, f"{text!r} not in {message!r}"


@pytest.mark.parametrize("args,code,has", BAD)
def test_bad_command_line_with_json_prints_nothing_but_the_error(holo, args, code, has):
    path = command_path(args)
    with_json = [*args[: len(path)], "--json", *args[len(path):]]
    got, _ = expect_cli_error(holo_run(holo, with_json), hint=path)
    if path and path != ["bench"]:  # (holo and holo bench have no --json: it becomes the unknown option)
        assert got == code


def test_unknown_command_lists_the_commands_but_not_the_hidden_one(holo):
    _, message = expect_cli_error(holo_run(holo, ["frobnicate"]), "CLI-UNKNOWN-COMMAND", hint=[])
    listed = message.split("commands: ")[1].split(", ")
    assert listed == ["inspect", "run", "eval", "decompose", "bench", "compile", "simulate", "explore", "drc"]


def test_hostile_values_stay_on_one_short_line(holo):
    """A newline in a value is escaped, a huge value is cut short: still one line of reasonable length."""
    _, message = expect_cli_error(holo_run(holo, ["compile", MLP, "-o", OUT, "--dac-bits", "1\n2"]), "CLI-BAD-OPTION")
    assert "'1\\n2'" in message
    p = holo_run(holo, ["simulate", OUT, "--input", X, "--seed", "9" * 100000])
    expect_cli_error(p, "CLI-BAD-OPTION")
    assert len(p.stderr) < 300


def test_help_and_version_are_unchanged(holo):
    for args in (["--help"], ["simulate", "--help"], ["bench", "model", "--help"], ["--version"]):
        p = holo_run(holo, args)
        assert p.returncode == 0 and p.stderr == "" and p.stdout, args
    # --help shows each checked option's range
    text = holo_run(holo, ["simulate", "--help"]).stdout
    assert "1..100000" in text and "0..24" in text and SEED_RANGE in text


# Values at both ends of every range the library also checks: the parser accepts them and so does the library
# (it validates the options before looking for OUT, hence FILE-NOT-FOUND rather than a *-BAD-OPTION).
@pytest.mark.parametrize(
    "extra",
    [
        ["--seed", U64_MAX, "--monte-carlo", "100000", "--dac-bits", "24", "--coupler-sigma", "3.14159",
         "--phase-noise", "3.14159", "--laser-power-mw", "10000", "--no-rin"],
        ["--seed", "0", "--monte-carlo", "1", "--dac-bits", "0", "--coupler-sigma", "0", "--phase-noise", "0",
         "--laser-power-mw", "1e-300"],
        ["--seed", "+0018446744073709551615", "--monte-carlo", "007", "--dac-bits", "-0"],
    ],
    ids=["upper", "lower", "spellings"],
)
def test_simulate_range_ends_pass_parser_and_library(holo, tmp_path, extra):
    p = holo_run(holo, ["simulate", tmp_path / "missing", "--input", X, *extra])
    assert p.returncode == 2 and "[FILE-NOT-FOUND]" in p.stderr, p.stderr


def test_drc_range_ends_pass_parser(holo, tmp_path):
    for n in ("0", "1000000"):
        p = holo_run(holo, ["drc", tmp_path / "missing.gds", "--max-listed", n])
        assert p.returncode == 2 and "[FILE-NOT-FOUND]" in p.stderr, p.stderr


@pytest.fixture(scope="module")
def compiled_mlp(holo, tmp_path_factory):
    out = tmp_path_factory.mktemp("mlp")
    p = holo_run(holo, ["compile", MLP, "-o", out, "--no-layout", "--quiet"])
    assert p.returncode == 0, p.stderr
    return out


def test_largest_seed_runs_and_values_are_read_as_decimal(holo, compiled_mlp):
    """seed 2^64 - 1 runs (draw 2 wraps to seed 0), and '010' is ten, not octal eight."""
    p = holo_run(holo, ["simulate", compiled_mlp, "--input", X, "--labels", Y, "--seed", U64_MAX, "--monte-carlo", "2",
                        "--phase-noise", "0.001", "--dac-bits", "010", "--json"])
    assert p.returncode == 0, p.stderr
    j = json.loads(p.stdout)
    assert j["impairments"]["seed"] == 2**64 - 1
    assert j["impairments"]["dac_bits"] == 10
    assert j["monte_carlo"]["draws"] == 2


@pytest.mark.parametrize(
    "extra",
    [["--mesh-size", "2048", "--dac-bits", "24", "--rank-energy", "1"],
     ["--mesh-size", "1", "--dac-bits", "1", "--rank-energy", "1e-300", "--method", "reck", "--activation", "eo"]],
    ids=["upper", "lower"],
)
def test_compile_range_ends_pass_parser_and_library(holo, tmp_path, extra):
    p = holo_run(holo, ["compile", MLP, "-o", tmp_path / "out", "--no-layout", "--quiet", *extra])
    assert p.returncode == 0, p.stderr


def test_decompose_tolerance_ends(holo, tmp_path):
    q, _ = np.linalg.qr(np.random.default_rng(3).standard_normal((4, 4)))
    np.save(tmp_path / "u.npy", q)
    assert holo_run(holo, ["decompose", tmp_path / "u.npy", "--tolerance", "1e300", "--quiet"]).returncode == 0
    p = holo_run(holo, ["decompose", tmp_path / "u.npy", "--tolerance", "0", "--quiet"])
    assert p.returncode == 0 or "[LINALG-NOT-UNITARY]" in p.stderr, p.stderr


@pytest.mark.parametrize(
    "args",
    [["bench", "decompose", "--sizes", "1", "--repeats", "1", "--tiling-size", "0", "--tile", "1", "--threads", "1",
      "--seed", U64_MAX],
     ["bench", "model", "--layers", "1", "--width", "1", "--batch", "1", "--repeats", "1", "--seed", "0"],
     ["bench", "compile", "--sizes", "1,1", "--mesh-size", "1", "--no-layout", "--seed", U64_MAX]],
    ids=["decompose", "model", "compile"],
)
def test_bench_lower_ends_run(holo, args):
    p = holo_run(holo, [*args, "--json"])
    assert p.returncode == 0, p.stderr
    json.loads(p.stdout)
