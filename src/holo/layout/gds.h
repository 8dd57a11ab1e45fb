// GDSII stream writer and reader (database unit 1 nm, user unit 1 um). The writer is deterministic: fixed
// timestamps, cells in library order, layers in ascending order, so the same library gives the same bytes.
// It formats big-endian records into a 1 MiB buffer and flushes it in blocks. The reader turns a stream
// back into a Library (BOUNDARY, BOX, PATH, TEXT, SREF, AREF) for the tests and for `holo drc`.
#pragma once

#include <array>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "holo/layout/cell.h"

namespace holo::layout {

struct GdsWriteOptions {
  // Ports are written as TEXT elements on this layer, one per port, reading
  // "name:kind:angle:width_nm:layer/datatype" (e.g. "o1:optical:180:500:1/0"); the reader turns them back
  // into ports. No port labels when unset.
  std::optional<LayerSpec> port_layer;
  // BGNLIB / BGNSTR timestamps (year, month, day, hour, minute, second): fixed for reproducible files.
  std::array<int16_t, 6> timestamp{2000, 1, 1, 0, 0, 0};
};

void write_gds(const Library& lib, std::ostream& out, const GdsWriteOptions& opts = {});
std::string gds_bytes(const Library& lib, const GdsWriteOptions& opts = {});
// Writes to a temporary file beside `path` and renames it (FILE-WRITE on failure).
void write_gds_file(const Library& lib, const std::string& path, const GdsWriteOptions& opts = {});

struct GdsReadOptions {
  std::optional<LayerSpec> port_layer;  // TEXT elements on this layer in the port format become ports
  // The deepest chain of references accepted (GDS-TOO-DEEP beyond it). Real layouts nest fewer than 20 levels.
  int64_t max_depth = 1000;
  // The largest file read_gds_file reads (FILE-TOO-LARGE, checked before reading). The library read from a
  // file takes at most a few times its size in memory.
  uint64_t max_bytes = uint64_t{1} << 30;
};

// Reads a GDSII stream strictly (docs/layout.md, "Reading GDSII"). Errors: GDS-CORRUPT (truncated or malformed
// records, records out of order, point counts an element cannot have, undefined or twice-defined structures,
// naming the record and its byte offset), GDS-UNSUPPORTED (reserved records, rotations that are not multiples
// of 90 degrees, magnification, round-ended paths, a database unit that is not a whole number of nanometres),
// LAYOUT-POLYGON (a BOUNDARY or BOX without area), LAYOUT-CYCLE (a structure that references itself),
// GDS-TOO-DEEP (references nested deeper than max_depth).
Library read_gds(std::string_view bytes, const std::string& what, const GdsReadOptions& opts = {});
Library read_gds_file(const std::string& path, const GdsReadOptions& opts = {});

// GDSII 8-byte real (excess-64, base 16): encode / decode.
std::array<uint8_t, 8> encode_real8(double v);
double decode_real8(const uint8_t* bytes);

// The text of a port label and its inverse (nullopt when `text` is not in the port format).
std::string port_label(const Port& p);
std::optional<Port> parse_port_label(const std::string& text, Point at);

}  // namespace holo::layout
