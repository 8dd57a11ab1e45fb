"""`holo drc` on hostile GDSII files (issue "Trustworthy outputs"): every one ends in exit code 2 with one line
`holo: error [CODE]: ...` on stderr, within a 2 GiB address space -- never a crash (a 40,000-deep chain of references used to overflow
the stack), an out-of-memory (one 32767 x 32767 array in a 258-byte file used to be expanded to a billion shapes)
or a silently accepted malformed stream. The streams are written here, record by record."""

import re
import resource
import struct
import subprocess

import pytest

# Each refusal is checked from the hierarchy or the records before anything large is built.
ERROR_LINE = re.compile(r"^holo: error \[([A-Z0-9-]+)\]: .+$")


class Gds:
    """A GDSII stream built record by record (1 nm database unit)."""

    def __init__(self):
        self.b = bytearray()
        self.r(0x0002, struct.pack(">h", 600)).r(0x0102, bytes(24)).r(0x0206, b"LIB")
        self.r(0x0305, bytes.fromhex("3E4189374BC6A7F0") + bytes.fromhex("3944B82FA09B5A54"))

    def r(self, rtype, payload=b""):
        if len(payload) % 2:
            payload += b"\0"
        self.b += struct.pack(">HH", 4 + len(payload), rtype) + payload
        return self

    @staticmethod
    def xy(*pts):
        return b"".join(struct.pack(">ii", x, y) for x, y in pts)

    def cell(self, name):
        return self.r(0x0502, bytes(24)).r(0x0606, name.encode())

    def end(self):
        return self.r(0x0700)

    def boundary(self, *pts, layer=1):
        return self.r(0x0800).r(0x0D02, struct.pack(">h", layer)).r(0x0E02, bytes(2)).r(0x1003, self.xy(*pts)) \
            .r(0x1100)

    def square(self, size=1000):
        return self.boundary((0, 0), (size, 0), (size, size), (0, size), (0, 0))

    def sref(self, name, x=0, y=0):
        return self.r(0x0A00).r(0x1206, name.encode()).r(0x1003, self.xy((x, y))).r(0x1100)

    def aref(self, name, cols, rows, pitch):
        return self.r(0x0B00).r(0x1206, name.encode()).r(0x1302, struct.pack(">hh", cols, rows)) \
            .r(0x1003, self.xy((0, 0), (cols * pitch, 0), (0, rows * pitch))).r(0x1100)

    def bytes(self):
        return bytes(self.b + struct.pack(">HH", 4, 0x0400))


# Resources are bounded by limits the test can state exactly, not by wall-clock time (which varies with the
# machine's load): the address space is capped at 2 GiB, so a refusal that came only after expanding a billion
# shapes would end in OUT-OF-MEMORY instead of the expected code, and the timeout catches a hang. (Run against
# a release binary, as CTest does: an AddressSanitizer build reserves terabytes of shadow address space and
# cannot start under this limit.)
ADDRESS_SPACE_BYTES = 2 << 30


def _limit_address_space():
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_BYTES, ADDRESS_SPACE_BYTES))


def drc(holo, path, *args):
    proc = subprocess.run([holo.path, "drc", str(path), *args], capture_output=True, text=True, timeout=120,
                          preexec_fn=_limit_address_space)
    return proc


def expect_refused(holo, tmp_path, data, code, *args):
    path = tmp_path / "in.gds"
    path.write_bytes(data)
    proc = drc(holo, path, *args)
    assert proc.returncode == 2, f"exit {proc.returncode}\nstderr: {proc.stderr[-2000:]}"
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr[-2000:]
    m = ERROR_LINE.match(lines[0])
    assert m and m.group(1) == code, lines[0]
    assert str(path) in lines[0], "the message names the file"
    return lines[0]


def test_forty_thousand_deep_chain_is_refused(holo, tmp_path):
    g = Gds()
    n = 40000
    for i in reversed(range(n)):
        g.cell(f"c{i}")
        if i == n - 1:
            g.square()
        else:
            g.sref(f"c{i + 1}", 1, 0)
        g.end()
    line = expect_refused(holo, tmp_path, g.bytes(), "GDS-TOO-DEEP")
    assert "39999 levels" in line and "'c0'" in line, line


def test_huge_array_is_refused_before_expanding(holo, tmp_path):
    g = Gds()
    g.cell("leaf").square(10).end().cell("top").aref("leaf", 32767, 32767, 20).end()
    data = g.bytes()
    assert len(data) < 300
    line = expect_refused(holo, tmp_path, data, "LAYOUT-TOO-LARGE")
    assert "1073676289" in line, line  # 32767^2 shapes, counted from the hierarchy


def test_flat_budget_is_an_option(holo, tmp_path):
    g = Gds()
    g.cell("leaf").square(1000).end().cell("top").aref("leaf", 10, 10, 5000).end()
    path = tmp_path / "grid.gds"
    path.write_bytes(g.bytes())
    proc = drc(holo, path, "--json")
    assert proc.returncode == 0, proc.stderr
    expect_refused(holo, tmp_path, g.bytes(), "LAYOUT-TOO-LARGE", "--max-flat-shapes", "99")
    expect_refused(holo, tmp_path, g.bytes(), "LAYOUT-TOO-LARGE", "--max-flat-vertices", "399")
    proc = drc(holo, path, "--max-flat-shapes", "100", "--max-flat-vertices", "400")
    assert proc.returncode == 0, proc.stderr


def test_piled_shapes_are_refused_by_the_drc_budget(holo, tmp_path):
    # 10,000 copies of one square (an array with zero pitch): the DRC compares every edge with every other one.
    g = Gds()
    g.cell("leaf").square(1000).end().cell("top").r(0x0B00).r(0x1206, b"leaf").r(0x1302, struct.pack(">hh", 100, 100)) \
        .r(0x1003, Gds.xy((0, 0), (0, 0), (0, 0))).r(0x1100).end()
    line = expect_refused(holo, tmp_path, g.bytes(), "DRC-TOO-COMPLEX")
    assert "--drc-work-per-vertex" in line, line


def _two_point_polygon():
    return Gds().cell("c").boundary((0, 0), (1000, 0)).end().bytes()


def _boundary_without_xy():
    return Gds().cell("c").r(0x0800).r(0x0D02, struct.pack(">h", 1)).r(0x0E02, bytes(2)).r(0x1100).end().bytes()


def _unknown_record():
    return Gds().cell("c").square().r(0x6003, struct.pack(">i", 7)).end().bytes()


def _reference_cycle():
    return Gds().cell("a").square().sref("b").end().cell("b").sref("a", 5000).end().cell("top").sref("a").end() \
        .bytes()


def _missing_cell():
    return Gds().cell("top").square().sref("nowhere").end().bytes()


@pytest.mark.parametrize("make, code", [
    (_two_point_polygon, "GDS-CORRUPT"),
    (_boundary_without_xy, "GDS-CORRUPT"),
    (_unknown_record, "GDS-CORRUPT"),
    (_reference_cycle, "LAYOUT-CYCLE"),
    (_missing_cell, "GDS-CORRUPT"),
], ids=["two-point-polygon", "boundary-without-xy", "unknown-record", "reference-cycle", "missing-cell"])
def test_malformed_streams_are_refused(holo, tmp_path, make, code):
    expect_refused(holo, tmp_path, make(), code)
