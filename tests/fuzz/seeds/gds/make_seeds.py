#!/usr/bin/env python3
"""Writes the small GDSII seed files of fuzz_gds (tests/fuzz/seeds/gds/*.gds) with the standard library only.

Each seed exercises one part of the reader (and of the flattening and DRC behind it) so that the fuzzer starts
from valid streams: boundaries, the three path types holo reads, references with mirror / rotation, an array,
port labels on PORT (1/10), text / node / box elements with the optional records, a 5 nm database unit, a short
chain of references, and a layout with DRC violations. Run it from anywhere; it rewrites the seeds in place."""

import math
import pathlib
import struct

HERE = pathlib.Path(__file__).resolve().parent


def real8(v):
    if v == 0:
        return bytes(8)
    sign = 0x80 if v < 0 else 0
    a, e = abs(v), 64
    while a >= 1:
        a /= 16
        e += 1
    while a < 1 / 16:
        a *= 16
        e -= 1
    m = round(math.ldexp(a, 56))
    if m >= 1 << 56:
        m >>= 4
        e += 1
    return bytes([sign | e]) + m.to_bytes(7, "big")


class Gds:
    def __init__(self, dbu_m=1e-9):
        self.b = bytearray()
        self.r(0x0002, struct.pack(">h", 600)).r(0x0102, bytes(24)).r(0x0206, b"SEED")
        self.r(0x0305, real8(1e-3) + real8(dbu_m))

    def r(self, t, payload=b""):
        if len(payload) % 2:
            payload += b"\0"
        self.b += struct.pack(">HH", 4 + len(payload), t) + payload
        return self

    @staticmethod
    def xy(pts):
        return b"".join(struct.pack(">ii", x, y) for x, y in pts)

    def cell(self, name):
        return self.r(0x0502, bytes(24)).r(0x0606, name.encode())

    def end(self):
        return self.r(0x0700)

    def boundary(self, layer, pts, dt=0):
        pts = list(pts) + [pts[0]]
        return self.r(0x0800).r(0x0D02, struct.pack(">h", layer)).r(0x0E02, struct.pack(">h", dt)) \
            .r(0x1003, self.xy(pts)).r(0x1100)

    def box(self, layer, x0, y0, x1, y1):
        return self.boundary(layer, [(x0, y0), (x1, y0), (x1, y1), (x0, y1)])

    def path(self, layer, pts, width, pathtype=0, ext=None):
        self.r(0x0900).r(0x0D02, struct.pack(">h", layer)).r(0x0E02, struct.pack(">h", 0))
        self.r(0x2102, struct.pack(">h", pathtype)).r(0x0F03, struct.pack(">i", width))
        if ext:
            self.r(0x3003, struct.pack(">i", ext[0])).r(0x3103, struct.pack(">i", ext[1]))
        return self.r(0x1003, self.xy(pts)).r(0x1100)

    def text(self, layer, dt, s, at):
        return self.r(0x0C00).r(0x0D02, struct.pack(">h", layer)).r(0x1602, struct.pack(">h", dt)) \
            .r(0x1003, self.xy([at])).r(0x1906, s.encode()).r(0x1100)

    def sref(self, name, at, mirror=False, angle=None, inst=None):
        self.r(0x0A00).r(0x1206, name.encode())
        if mirror or angle:
            self.r(0x1A01, struct.pack(">H", 0x8000 if mirror else 0))
            if angle:
                self.r(0x1C05, real8(angle))
        self.r(0x1003, self.xy([at]))
        if inst:
            self.r(0x2B02, struct.pack(">h", 1)).r(0x2C06, inst.encode())
        return self.r(0x1100)

    def aref(self, name, cols, rows, origin, col_pitch, row_pitch, angle=None):
        x, y = origin
        self.r(0x0B00).r(0x1206, name.encode())
        if angle:
            self.r(0x1A01, struct.pack(">H", 0)).r(0x1C05, real8(angle))
        self.r(0x1302, struct.pack(">hh", cols, rows))
        pts = [(x, y), (x + cols * col_pitch[0], y + cols * col_pitch[1]), (x + rows * row_pitch[0], y + rows * row_pitch[1])]
        return self.r(0x1003, self.xy(pts)).r(0x1100)

    def write(self, name):
        self.r(0x0400)
        (HERE / name).write_bytes(bytes(self.b))


def main():
    g = Gds()
    g.cell("shapes").box(1, 0, 0, 10000, 500).boundary(1, [(0, 2000), (3000, 2000), (1500, 4000)])
    g.boundary(1, [(0, 6000), (4000, 6000), (4000, 7000), (1000, 7000), (1000, 9000), (0, 9000)]).end()
    g.write("boundary.gds")

    g = Gds()
    g.cell("paths").path(1, [(0, 0), (10000, 0), (10000, 10000)], 500)
    g.path(1, [(0, 3000), (5000, 3000)], 500, 2).path(1, [(0, 6000), (5000, 8000)], 500, 4, (100, 300)).end()
    g.write("path.gds")

    g = Gds()
    g.cell("leaf").box(1, 0, -250, 20000, 250).text(1, 10, "o1:optical:180:500:1/0", (0, 0))
    g.text(1, 10, "o2:optical:0:500:1/0", (20000, 0)).end()
    g.cell("top").sref("leaf", (0, 0), inst="a").sref("leaf", (20000, 0), mirror=True, angle=90.0, inst="b")
    g.aref("leaf", 3, 2, (0, 50000), (25000, 0), (0, 10000)).end()
    g.write("refs.gds")

    g = Gds()
    g.cell("misc").r(0x3401, bytes(2))
    g.r(0x2D00).r(0x0D02, struct.pack(">h", 45)).r(0x2E02, struct.pack(">h", 0))
    g.r(0x1003, Gds.xy([(0, 0), (2000, 0), (2000, 2000), (0, 2000), (0, 0)])).r(0x1100)
    g.r(0x1500).r(0x0D02, struct.pack(">h", 41)).r(0x2A02, struct.pack(">h", 0)).r(0x1003, Gds.xy([(5, 5)])).r(0x1100)
    g.r(0x0C00).r(0x2601, bytes(2)).r(0x0D02, struct.pack(">h", 66)).r(0x1602, struct.pack(">h", 0))
    g.r(0x1701, struct.pack(">H", 5)).r(0x1A01, bytes(2)).r(0x1C05, real8(30.0)).r(0x1003, Gds.xy([(7, 8)]))
    g.r(0x1906, b"label").r(0x1100)
    g.r(0x0800).r(0x2F03, struct.pack(">i", 0)).r(0x0D02, struct.pack(">h", 41)).r(0x0E02, struct.pack(">h", 0))
    g.r(0x1003, Gds.xy([(0, 3000), (3000, 3000), (3000, 4000), (0, 4000), (0, 3000)]))
    g.r(0x2B02, struct.pack(">h", 7)).r(0x2C06, b"prop").r(0x1100).end()
    g.write("elements.gds")

    g = Gds(5e-9)
    g.cell("c").box(1, 0, 0, 2000, 100).path(1, [(0, 1000), (2000, 1000)], 100, 0).end()
    g.write("dbu5.gds")

    g = Gds()
    for i in range(7, -1, -1):
        g.cell(f"c{i}")
        if i == 7:
            g.box(1, 0, 0, 1000, 500)
        else:
            g.sref(f"c{i + 1}", (1000, 0), angle=90.0 if i % 2 else None)
        g.end()
    g.write("chain.gds")

    g = Gds()  # WG width and space violations, an uncovered VIA, a narrow M2 line
    g.cell("bad").box(1, 0, 0, 10000, 300).box(1, 0, 400, 10000, 900).box(45, 0, 2000, 400, 2400)
    g.box(44, 0, 2000, 300, 2300).box(44, 5000, 2000, 5300, 2300).box(45, 0, 5000, 10000, 5200).end()
    g.write("drc.gds")


if __name__ == "__main__":
    main()
