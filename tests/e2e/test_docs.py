"""Documentation stays in step with the code: every error code the sources can raise is listed in
docs/errors.md (STYLE.md: stable codes, one list), and the README's two commands are the scripts CI runs."""

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
