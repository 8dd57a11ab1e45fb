"""Documentation stays in step with the code: every error code the sources can raise is listed in
docs/errors.md (docs/architecture.md: stable codes, one list), the README's two commands are the scripts CI
runs, the repository stands alone (no reference to notes kept outside it; every docs/ page, anchor and section
that code or docs point to exists), and docs/physics.md's platform table is the bundled PDK file."""

import json
import pathlib
import re

REPO = pathlib.Path(__file__).resolve().parents[2]
CODE = re.compile(r'"([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)"')
# Suffixes the frontend combines with the reader's prefix (fail_here in frontend/builder.h).
READER_PREFIXES = ("ONNX", "JSON")


def source_codes():
    codes = set()
    for path in list((REPO / "src").rglob("*.cpp")) + list((REPO / "src").rglob("*.h")) + list((REPO / "tools").rglob("*.cpp")):
        for m in CODE.finditer(path.read_text()):
            codes.add(m.group(1))
    return codes


def documented_codes():
    text = (REPO / "docs" / "errors.md").read_text()
    return set(re.findall(r"`([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)`", text))


def test_every_error_code_is_documented():
    documented = documented_codes()
    missing = []
    for code in sorted(source_codes()):
        if code in documented:
            continue
        if any(f"{p}-{code}" in documented for p in READER_PREFIXES):
            continue  # a frontend suffix, documented with its reader prefix
        missing.append(code)
    assert not missing, f"error codes raised in src/ but not listed in docs/errors.md: {missing}"


def test_readme_commands_are_the_ci_scripts():
    readme = (REPO / "README.md").read_text()
    assert "bash scripts/demo" in readme and "bash scripts/test" in readme
    assert "bash scripts/test" in (REPO / ".ci" / "run").read_text()


# --- The repository stands alone -------------------------------------------------------------------------------

# Where references are looked for: everything a user who clones the repository reads.
SCANNED = ["src", "tools", "tests", "bench", "scripts", "pdk", "docs", "examples", "cmake", ".ci", "README.md",
           "CMakeLists.txt"]
# Notes the team keeps outside the repository (built by concatenation so this file does not match itself).
OUTSIDE = [
    re.compile(r"(?<![\w-])shared" + "/"),  # the team's notes folder (any path through it)
    re.compile("performance" + r"-notes"),
    re.compile("performance" + r"-guide"),
    re.compile(r"\becosystem" + r"\.md"),
    re.compile(r"\bARCHITECTURE" + r"\.md"),
    re.compile(r"\bSTYLE" + r"\.md"),
    re.compile(r"(?<![\w/.-])physics" + r"\.md"),  # the outside notes' name; the page in the repository is docs/physics.md
]
# A path ending in .md (at least one directory), with an optional #anchor or " section N" (also after a closing
# backtick: `docs/linalg.md` section 1).
MD_REF = re.compile(r"(?<![\w./-])((?:[\w.-]+/)+[\w.-]+\.md)(?:#([\w-]+)|`? section (\d+))?")


def scanned_files():
    for name in SCANNED:
        path = REPO / name
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for f in files:
            try:
                yield f, f.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue  # binary data (.npy, .onnx, fuzz seeds)


def slug(heading):
    """GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces to hyphens."""
    s = heading.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def headings(md_path):
    return [m.group(2) for m in re.finditer(r"^(#{1,6}) +(.+?) *$", md_path.read_text(), re.M)]


def test_no_reference_to_notes_outside_the_repository():
    found = []
    for f, text in scanned_files():
        for i, line in enumerate(text.splitlines(), 1):
            if any(p.search(line) for p in OUTSIDE):
                found.append(f"{f.relative_to(REPO)}:{i}: {line.strip()[:120]}")
    assert not found, "references to notes outside the repository (point to docs/ or to the original source):\n" + \
        "\n".join(found)


def test_referenced_docs_pages_anchors_and_sections_exist():
    missing = []
    for f, text in scanned_files():
        for i, line in enumerate(text.splitlines(), 1):
            for m in MD_REF.finditer(line):
                rel, anchor, section = m.group(1), m.group(2), m.group(3)
                if rel.startswith("../") or rel.startswith("/"):
                    continue  # outside the tree: the test above reports the notes
                if rel.startswith("OUT/"):
                    continue  # a file of a compile's output directory (report.md), not a page of the tree
                target = REPO / rel
                where = f"{f.relative_to(REPO)}:{i}"
                if not target.is_file():
                    missing.append(f"{where}: {rel} does not exist")
                    continue
                heads = headings(target)
                if anchor and anchor not in {slug(h) for h in heads}:
                    missing.append(f"{where}: {rel} has no heading with anchor #{anchor}")
                if section and not any(re.match(rf"{section}[.\s]", h) for h in heads):
                    missing.append(f"{where}: {rel} has no section {section}")
    assert not missing, "dangling documentation references:\n" + "\n".join(missing)


def test_physics_platform_table_is_the_bundled_pdk():
    pdk = json.loads((REPO / "pdk" / "generic_soi220.json").read_text())
    want = {("(top level)", "wavelength_nm"): pdk["wavelength_nm"]}
    for tname, tmpl in pdk["templates"].items():
        for fname, fig in tmpl["figures"].items():
            want[(tname, fname)] = fig
    text = (REPO / "docs/physics.md").read_text()
    section = text.split("## Platform figures", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[1].startswith("`"):
            rows[(cells[0].strip("`"), cells[1].strip("`"))] = cells
    assert set(rows) == set(want), (f"docs/physics.md platform table: missing {sorted(set(want) - set(rows))}, "
                                    f"not in the PDK {sorted(set(rows) - set(want))}")
    for key, fig in want.items():
        cells = rows[key]
        assert float(cells[2]) == float(fig["value"]), f"{key}: table {cells[2]}, PDK {fig['value']}"
        m = re.match(r"\[(V|C|M)\]", fig["source"])
        assert cells[4] == (m.group(1) if m else "design"), f"{key}: tag {cells[4]}, PDK source {fig['source']!r}"
    rule_rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and re.fullmatch(r"`[A-Z0-9]+\.[A-Z]+\.\d+`", cells[0]):
            rule_rows[cells[0].strip("`")] = cells
    assert set(rule_rows) == {r["name"] for r in pdk["rules"]}
    for r in pdk["rules"]:
        assert float(rule_rows[r["name"]][3]) == float(r["min_um"]), r["name"]
