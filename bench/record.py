"""Runs holo's benchmarks, appends the results to bench/history.jsonl and flags regressions.

Each benchmark reports ratios against a baseline measured in the same run (so the numbers compare across
machines and loads better than raw seconds); a ratio more than 25% above the previous entry's is flagged.
"""

import datetime
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
HOLO = ROOT / "build" / "tools" / "holo" / "holo"
HISTORY = ROOT / "bench" / "history.jsonl"
REGRESSION = 1.25

BENCHES = {
    "decompose": [str(HOLO), "bench", "decompose", "--json"],
    "model": [str(HOLO), "bench", "model", "--json"],
    "compile_mnist_mlp": [str(HOLO), "bench", "compile", "--sizes", "784,128,10", "--json"],
    "compile_mnist_mlp_no_layout": [str(HOLO), "bench", "compile", "--sizes", "784,128,10", "--no-layout", "--json"],
    "compile_50x256": [str(HOLO), "bench", "compile", "--sizes", ",".join(["256"] * 51), "--json"],
}


def run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def ratios(name, result):
    """Flattens a result into {label: ratio} for comparison."""
    flat = {}
    if name == "decompose":
        for r in result.get("results", []):
            flat[f"decompose n={r['n']} / gemm"] = r["ratio"]
    elif name.startswith("compile"):
        if "ratio_to_floor" in result:
            flat[f"{name} / (decomposition + write floors)"] = result["ratio_to_floor"]
            flat[f"{name} peak bytes per MZI"] = result["peak_bytes_per_mzi"]
        else:  # entries recorded before the in-run floors existed
            flat[f"{name} seconds (no in-run baseline)"] = result["compile_s"]
        flat[f"{name} peak MB"] = result["peak_mb"]
    elif name == "model":
        flat["forward / eigen baseline"] = result["forward_over_baseline"]
        flat["import peak / weight bytes"] = result["import_peak_over_weight_bytes"]
    return flat


def main():
    only = set(sys.argv[1:])
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    entry = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"), "commit": commit, "results": {}}
    for name, cmd in BENCHES.items():
        if only and name not in only:
            continue
        print(f"running {name} ...", flush=True)
        entry["results"][name] = run(cmd)
    previous = None
    if HISTORY.exists():
        lines = [l for l in HISTORY.read_text().splitlines() if l.strip()]
        if lines:
            previous = json.loads(lines[-1])
    with HISTORY.open("a") as f:
        f.write(json.dumps(entry, sort_keys=True) + "\n")
    flagged = 0
    for name, result in entry["results"].items():
        now = ratios(name, result)
        before = ratios(name, previous["results"][name]) if previous and name in previous.get("results", {}) else {}
        for label, value in now.items():
            old = before.get(label)
            note = ""
            if old:
                change = value / old
                note = f"  (previous {old:.3g}, x{change:.2f})"
                if change > REGRESSION:
                    note += "  <-- REGRESSION"
                    flagged += 1
            print(f"{label:40s} {value:10.3g}{note}")
    print(f"appended to {HISTORY.relative_to(ROOT)}; {flagged} regression(s) flagged")
    return 1 if flagged else 0


if __name__ == "__main__":
    sys.exit(main())
