#include "holo/layout/gds.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <span>
#include <sstream>

#include "holo/support/error.h"
#include "holo/support/file_io.h"

namespace holo::layout {
namespace {

// Record types (high byte) with their data type (low byte).
enum : uint16_t {
  kHeader = 0x0002,
  kBgnLib = 0x0102,
  kLibName = 0x0206,
  kUnits = 0x0305,
  kEndLib = 0x0400,
  kBgnStr = 0x0502,
  kStrName = 0x0606,
  kEndStr = 0x0700,
  kBoundary = 0x0800,
  kSref = 0x0A00,
  kAref = 0x0B00,
  kText = 0x0C00,
  kLayer = 0x0D02,
  kDatatype = 0x0E02,
  kXy = 0x1003,
  kEndEl = 0x1100,
  kSname = 0x1206,
  kColRow = 0x1302,
  kTextType = 0x1602,
  kString = 0x1906,
  kStrans = 0x1A01,
  kAngle = 0x1C05,
  kPropAttr = 0x2B02,
  kPropValue = 0x2C06,
};

constexpr size_t kBlock = 1 << 20;     // flush granularity
constexpr size_t kMaxXyPoints = 8191;  // (65535 - 4) / 8

class Writer {
 public:
  explicit Writer(std::ostream& out) : out_(out) { buf_.resize(kBlock + 4096); }
  ~Writer() = default;

  // Makes room for n more bytes (flushing the full blocks first).
  void ensure(size_t n) {
    if (pos_ + n > buf_.size()) {
      flush();
      if (n > buf_.size()) buf_.resize(n);
    }
  }
  void flush() {
    if (pos_) out_.write(buf_.data(), static_cast<std::streamsize>(pos_));
    pos_ = 0;
  }
  void u16(uint16_t v) {
    buf_[pos_++] = static_cast<char>(v >> 8);
    buf_[pos_++] = static_cast<char>(v & 0xFF);
  }
  void i32(int32_t v) {
    uint32_t u = static_cast<uint32_t>(v);
    buf_[pos_++] = static_cast<char>(u >> 24);
    buf_[pos_++] = static_cast<char>((u >> 16) & 0xFF);
    buf_[pos_++] = static_cast<char>((u >> 8) & 0xFF);
    buf_[pos_++] = static_cast<char>(u & 0xFF);
  }
  void raw(const void* p, size_t n) {
    std::memcpy(buf_.data() + pos_, p, n);
    pos_ += n;
  }
  // Whole records.
  void rec(uint16_t type) {
    ensure(4);
    u16(4);
    u16(type);
  }
  void rec16(uint16_t type, int16_t v) {
    ensure(6);
    u16(6);
    u16(type);
    u16(static_cast<uint16_t>(v));
  }
  void rec16s(uint16_t type, const int16_t* v, size_t n) {
    ensure(4 + 2 * n);
    u16(static_cast<uint16_t>(4 + 2 * n));
    u16(type);
    for (size_t i = 0; i < n; ++i) u16(static_cast<uint16_t>(v[i]));
  }
  void rec_str(uint16_t type, std::string_view s) {
    size_t n = s.size() + (s.size() & 1);
    if (4 + n > 65534) fail("GDS-WRITE", fmt::format("string of {} characters is too long for a GDS record", s.size()));
    ensure(4 + n);
    u16(static_cast<uint16_t>(4 + n));
    u16(type);
    raw(s.data(), s.size());
    if (s.size() & 1) buf_[pos_++] = 0;
  }
  void rec_real8s(uint16_t type, const double* v, size_t n) {
    ensure(4 + 8 * n);
    u16(static_cast<uint16_t>(4 + 8 * n));
    u16(type);
    for (size_t i = 0; i < n; ++i) {
      auto b = encode_real8(v[i]);
      raw(b.data(), 8);
    }
  }
  // LAYER + DATATYPE (or TEXTTYPE) records.
  void layer(LayerSpec l, uint16_t dt_type) {
    ensure(12);
    u16(6);
    u16(kLayer);
    u16(static_cast<uint16_t>(l.layer));
    u16(6);
    u16(dt_type);
    u16(static_cast<uint16_t>(l.datatype));
  }

 private:
  std::ostream& out_;
  std::vector<char> buf_;
  size_t pos_ = 0;
};

int32_t coord32(Coord v, const std::string& cell) {
  if (v < INT32_MIN || v > INT32_MAX)
    fail("GDS-WRITE", fmt::format("cell '{}': coordinate {} nm does not fit GDSII's 32-bit integers", cell, v));
  return static_cast<int32_t>(v);
}

void check_layer(LayerSpec l, const std::string& cell) {
  if (l.layer < 0 || l.layer > 65535 || l.datatype < 0 || l.datatype > 65535)
    fail("GDS-WRITE", fmt::format("cell '{}': layer {} is outside 0..65535", cell, to_string(l)));
}

void write_strans(Writer& w, const Trans& t) {
  if (t.mirror || t.rot != 0) {
    w.ensure(6);
    w.u16(6);
    w.u16(kStrans);
    w.u16(t.mirror ? 0x8000 : 0);
    if (t.rot != 0) {
      double a = 90.0 * t.rot;
      w.rec_real8s(kAngle, &a, 1);
    }
  }
}

void write_cell(Writer& w, const Cell& c, const GdsWriteOptions& o) {
  int16_t ts[12];
  for (int i = 0; i < 6; ++i) ts[i] = ts[i + 6] = o.timestamp[i];
  w.rec16s(kBgnStr, ts, 12);
  w.rec_str(kStrName, c.name);
  for (const auto& [l, polys] : c.polygons) {
    check_layer(l, c.name);
    for (const Polygon& p : polys) {
      const size_t n = p.size();
      if (n + 1 > kMaxXyPoints)
        fail("GDS-WRITE", fmt::format("cell '{}': polygon with {} vertices exceeds GDSII's 8190", c.name, n));
      w.ensure(4 + 12 + 4 + 8 * (n + 1) + 4);
      w.u16(4);
      w.u16(kBoundary);
      w.u16(6);
      w.u16(kLayer);
      w.u16(static_cast<uint16_t>(l.layer));
      w.u16(6);
      w.u16(0x0E02);
      w.u16(static_cast<uint16_t>(l.datatype));
      w.u16(static_cast<uint16_t>(4 + 8 * (n + 1)));
      w.u16(kXy);
      for (const Point& q : p) {
        w.i32(coord32(q.x, c.name));
        w.i32(coord32(q.y, c.name));
      }
      w.i32(static_cast<int32_t>(p[0].x));
      w.i32(static_cast<int32_t>(p[0].y));
      w.u16(4);
      w.u16(kEndEl);
    }
  }
  auto text = [&](LayerSpec l, const std::string& s, Point at) {
    check_layer(l, c.name);
    w.rec(kText);
    w.layer(l, kTextType);
    w.ensure(12);
    w.u16(12);
    w.u16(kXy);
    w.i32(coord32(at.x, c.name));
    w.i32(coord32(at.y, c.name));
    w.rec_str(kString, s);
    w.rec(kEndEl);
  };
  for (const Text& t : c.texts) text(t.layer, t.text, t.position);
  if (o.port_layer)
    for (const Port& p : c.ports) text(*o.port_layer, port_label(p), p.position);
  for (const Ref& r : c.refs) {
    w.rec(r.is_array() ? kAref : kSref);
    w.rec_str(kSname, r.cell);
    write_strans(w, r.trans);
    if (r.is_array()) {
      const int16_t cr[2] = {static_cast<int16_t>(r.cols), static_cast<int16_t>(r.rows)};
      w.rec16s(kColRow, cr, 2);
      Point o0 = r.trans.disp;
      Point o1 = o0 + static_cast<Coord>(r.cols) * r.col_step;
      Point o2 = o0 + static_cast<Coord>(r.rows) * r.row_step;
      w.ensure(28);
      w.u16(28);
      w.u16(kXy);
      for (Point q : {o0, o1, o2}) {
        w.i32(coord32(q.x, c.name));
        w.i32(coord32(q.y, c.name));
      }
    } else {
      w.ensure(12);
      w.u16(12);
      w.u16(kXy);
      w.i32(coord32(r.trans.disp.x, c.name));
      w.i32(coord32(r.trans.disp.y, c.name));
    }
    if (!r.name.empty()) {
      w.rec16(kPropAttr, 1);
      w.rec_str(kPropValue, r.name);
    }
    w.rec(kEndEl);
  }
  w.rec(kEndStr);
}

}  // namespace

std::array<uint8_t, 8> encode_real8(double v) {
  std::array<uint8_t, 8> b{};
  if (v == 0) return b;
  if (!std::isfinite(v)) fail("GDS-WRITE", fmt::format("cannot encode {} as a GDSII real", v));
  uint8_t sign = v < 0 ? 0x80 : 0;
  double a = std::fabs(v);
  int e = 64;
  while (a >= 1.0) {
    a /= 16.0;  // exact: a power of two
    ++e;
  }
  while (a < 1.0 / 16.0) {
    a *= 16.0;
    --e;
  }
  uint64_t m = static_cast<uint64_t>(std::llround(std::ldexp(a, 56)));
  if (m >= (uint64_t{1} << 56)) {  // rounding carried into a new hex digit
    m >>= 4;
    ++e;
  }
  if (e < 0 || e > 127) fail("GDS-WRITE", fmt::format("{} is outside the GDSII real range", v));
  b[0] = static_cast<uint8_t>(sign | e);
  for (int i = 7; i >= 1; --i) {
    b[static_cast<size_t>(i)] = static_cast<uint8_t>(m & 0xFF);
    m >>= 8;
  }
  return b;
}

double decode_real8(const uint8_t* b) {
  uint64_t m = 0;
  for (int i = 1; i < 8; ++i) m = (m << 8) | b[i];
  int e = b[0] & 0x7F;
  double v = std::ldexp(static_cast<double>(m), -56 + 4 * (e - 64));
  return (b[0] & 0x80) ? -v : v;
}

std::string port_label(const Port& p) {
  return fmt::format("{}:{}:{}:{}:{}", p.name, to_string(p.kind), p.angle_deg, p.width, to_string(p.layer));
}

std::optional<Port> parse_port_label(const std::string& text, Point at) {
  std::vector<std::string> f;
  size_t start = 0;
  for (;;) {
    size_t k = text.find(':', start);
    f.push_back(text.substr(start, k == std::string::npos ? std::string::npos : k - start));
    if (k == std::string::npos) break;
    start = k + 1;
  }
  if (f.size() != 5 || f[0].empty()) return std::nullopt;
  Port p;
  p.name = f[0];
  p.position = at;
  if (f[1] == "optical")
    p.kind = PortKind::Optical;
  else if (f[1] == "electrical")
    p.kind = PortKind::Electrical;
  else
    return std::nullopt;
  int angle = 0, l = 0, d = 0;
  long long width = 0;
  char tail = 0;
  if (std::sscanf(f[2].c_str(), "%d%c", &angle, &tail) != 1) return std::nullopt;
  if (std::sscanf(f[3].c_str(), "%lld%c", &width, &tail) != 1) return std::nullopt;
  if (std::sscanf(f[4].c_str(), "%d/%d%c", &l, &d, &tail) != 2) return std::nullopt;
  if (angle % 90 != 0 || angle < 0 || angle >= 360 || width < 0) return std::nullopt;
  p.angle_deg = angle;
  p.width = width;
  p.layer = {l, d};
  return p;
}

void write_gds(const Library& lib, std::ostream& out, const GdsWriteOptions& o) {
  // Every referenced cell must exist (a dangling SREF makes an unreadable file for some tools).
  for (const Cell& c : lib.cells())
    for (const Ref& r : c.refs)
      if (!lib.has(r.cell))
        fail("LAYOUT-MISSING-CELL", fmt::format("cell '{}' references '{}', which the library lacks", c.name, r.cell));
  Writer w(out);
  w.rec16(kHeader, 600);
  int16_t ts[12];
  for (int i = 0; i < 6; ++i) ts[i] = ts[i + 6] = o.timestamp[i];
  w.rec16s(kBgnLib, ts, 12);
  w.rec_str(kLibName, lib.name());
  const double units[2] = {1e-3, 1e-9};
  w.rec_real8s(kUnits, units, 2);
  for (const Cell& c : lib.cells()) write_cell(w, c, o);
  w.rec(kEndLib);
  w.flush();
  if (!out) fail("GDS-WRITE", "the output stream failed while writing GDSII");
}

std::string gds_bytes(const Library& lib, const GdsWriteOptions& o) {
  std::ostringstream s;
  write_gds(lib, s, o);
  return std::move(s).str();
}

void write_gds_file(const Library& lib, const std::string& path, const GdsWriteOptions& o) {
  namespace fs = std::filesystem;
  fs::path target(path);
  fs::path tmp = target;
  tmp += fmt::format(".tmp.{}", static_cast<long>(::getpid()));
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) fail("FILE-WRITE", fmt::format("{}: cannot create {}", path, tmp.string()));
    try {
      write_gds(lib, f, o);
    } catch (...) {
      f.close();
      std::error_code ec;
      fs::remove(tmp, ec);
      throw;
    }
    f.close();
    if (!f) {
      std::error_code ec;
      fs::remove(tmp, ec);
      fail("FILE-WRITE", fmt::format("{}: write error", path));
    }
  }
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    fail("FILE-WRITE", fmt::format("{}: cannot rename the temporary file: {}", path, ec.message()));
  }
}

// ---------------------------------------------------------------------------------------------
// Reader. The stream is checked against the GDSII grammar (Calma GDSII Stream Format Manual 6.0):
//   HEADER BGNLIB [LIBDIRSIZE] [SRFNAME] [LIBSECUR] LIBNAME [REFLIBS] [FONTS] [ATTRTABLE] [GENERATIONS]
//   [FORMAT {MASK} ENDMASKS] UNITS {BGNSTR STRNAME [STRCLASS] {element}* ENDSTR}* ENDLIB
//   element: BOUNDARY | PATH | SREF | AREF | TEXT | NODE | BOX, its records in the manual's order,
//            then {PROPATTR PROPVALUE}* ENDEL
// Every record has the manual's data type and payload size; anything else is GDS-CORRUPT, naming the record
// and its byte offset. docs/layout.md lists what is read, what is skipped on purpose and what is refused.
namespace {

namespace rec {
enum : uint8_t {
  HEADER = 0x00,
  BGNLIB = 0x01,
  LIBNAME = 0x02,
  UNITS = 0x03,
  ENDLIB = 0x04,
  BGNSTR = 0x05,
  STRNAME = 0x06,
  ENDSTR = 0x07,
  BOUNDARY = 0x08,
  PATH = 0x09,
  SREF = 0x0A,
  AREF = 0x0B,
  TEXT = 0x0C,
  LAYER = 0x0D,
  DATATYPE = 0x0E,
  WIDTH = 0x0F,
  XY = 0x10,
  ENDEL = 0x11,
  SNAME = 0x12,
  COLROW = 0x13,
  NODE = 0x15,
  TEXTTYPE = 0x16,
  PRESENTATION = 0x17,
  STRING = 0x19,
  STRANS = 0x1A,
  MAG = 0x1B,
  ANGLE = 0x1C,
  REFLIBS = 0x1F,
  FONTS = 0x20,
  PATHTYPE = 0x21,
  GENERATIONS = 0x22,
  ATTRTABLE = 0x23,
  ELFLAGS = 0x26,
  NODETYPE = 0x2A,
  PROPATTR = 0x2B,
  PROPVALUE = 0x2C,
  BOX = 0x2D,
  BOXTYPE = 0x2E,
  PLEX = 0x2F,
  BGNEXTN = 0x30,
  ENDEXTN = 0x31,
  STRCLASS = 0x34,
  FORMAT = 0x36,
  MASK = 0x37,
  ENDMASKS = 0x38,
  LIBDIRSIZE = 0x39,
  SRFNAME = 0x3A,
  LIBSECUR = 0x3B,
  COUNT = 0x3C,
};
}  // namespace rec

// Data types.
enum : uint8_t { kNoData = 0, kBits = 1, kInt16 = 2, kInt32 = 3, kReal8 = 5, kAscii = 6 };

struct RecordSpec {
  const char* name;
  uint8_t data_type;
  int size;        // payload bytes; -1: a whole number (at least one) of `unit`-byte items; -2: any (ASCII)
  int unit;        // item size for size -1
  bool supported;  // false: a record the manual reserves or marks unreleased / tape-only
};

// Indexed by record type; names, data types and sizes as in the GDSII manual.
// clang-format off
constexpr RecordSpec kSpecs[rec::COUNT] = {
    {"HEADER", kInt16, 2, 0, true},  // 0x00
    {"BGNLIB", kInt16, 24, 0, true},  // 0x01
    {"LIBNAME", kAscii, -2, 0, true},  // 0x02
    {"UNITS", kReal8, 16, 0, true},  // 0x03
    {"ENDLIB", kNoData, 0, 0, true},  // 0x04
    {"BGNSTR", kInt16, 24, 0, true},  // 0x05
    {"STRNAME", kAscii, -2, 0, true},  // 0x06
    {"ENDSTR", kNoData, 0, 0, true},  // 0x07
    {"BOUNDARY", kNoData, 0, 0, true},  // 0x08
    {"PATH", kNoData, 0, 0, true},  // 0x09
    {"SREF", kNoData, 0, 0, true},  // 0x0A
    {"AREF", kNoData, 0, 0, true},  // 0x0B
    {"TEXT", kNoData, 0, 0, true},  // 0x0C
    {"LAYER", kInt16, 2, 0, true},  // 0x0D
    {"DATATYPE", kInt16, 2, 0, true},  // 0x0E
    {"WIDTH", kInt32, 4, 0, true},  // 0x0F
    {"XY", kInt32, -1, 8, true},  // 0x10
    {"ENDEL", kNoData, 0, 0, true},  // 0x11
    {"SNAME", kAscii, -2, 0, true},  // 0x12
    {"COLROW", kInt16, 4, 0, true},  // 0x13
    {"TEXTNODE", kNoData, 0, 0, false},  // 0x14
    {"NODE", kNoData, 0, 0, true},  // 0x15
    {"TEXTTYPE", kInt16, 2, 0, true},  // 0x16
    {"PRESENTATION", kBits, 2, 0, true},  // 0x17
    {"SPACING", kInt16, -2, 0, false},  // 0x18
    {"STRING", kAscii, -2, 0, true},  // 0x19
    {"STRANS", kBits, 2, 0, true},  // 0x1A
    {"MAG", kReal8, 8, 0, true},  // 0x1B
    {"ANGLE", kReal8, 8, 0, true},  // 0x1C
    {"UINTEGER", kInt32, -2, 0, false},  // 0x1D
    {"USTRING", kAscii, -2, 0, false},  // 0x1E
    {"REFLIBS", kAscii, -2, 0, true},  // 0x1F
    {"FONTS", kAscii, -2, 0, true},  // 0x20
    {"PATHTYPE", kInt16, 2, 0, true},  // 0x21
    {"GENERATIONS", kInt16, 2, 0, true},  // 0x22
    {"ATTRTABLE", kAscii, -2, 0, true},  // 0x23
    {"STYPTABLE", kAscii, -2, 0, false},  // 0x24
    {"STRTYPE", kInt16, -2, 0, false},  // 0x25
    {"ELFLAGS", kBits, 2, 0, true},  // 0x26
    {"ELKEY", kInt32, -2, 0, false},  // 0x27
    {"LINKTYPE", kInt16, -2, 0, false},  // 0x28
    {"LINKKEYS", kInt32, -2, 0, false},  // 0x29
    {"NODETYPE", kInt16, 2, 0, true},  // 0x2A
    {"PROPATTR", kInt16, 2, 0, true},  // 0x2B
    {"PROPVALUE", kAscii, -2, 0, true},  // 0x2C
    {"BOX", kNoData, 0, 0, true},  // 0x2D
    {"BOXTYPE", kInt16, 2, 0, true},  // 0x2E
    {"PLEX", kInt32, 4, 0, true},  // 0x2F
    {"BGNEXTN", kInt32, 4, 0, true},  // 0x30
    {"ENDEXTN", kInt32, 4, 0, true},  // 0x31
    {"TAPENUM", kInt16, 2, 0, false},  // 0x32
    {"TAPECODE", kInt16, 12, 0, false},  // 0x33
    {"STRCLASS", kBits, 2, 0, true},  // 0x34
    {"RESERVED", kInt32, -2, 0, false},  // 0x35
    {"FORMAT", kInt16, 2, 0, true},  // 0x36
    {"MASK", kAscii, -2, 0, true},  // 0x37
    {"ENDMASKS", kNoData, 0, 0, true},  // 0x38
    {"LIBDIRSIZE", kInt16, 2, 0, true},  // 0x39
    {"SRFNAME", kAscii, -2, 0, true},  // 0x3A
    {"LIBSECUR", kInt16, -1, 6, true},  // 0x3B
};
// clang-format on
static_assert(kSpecs[rec::XY].unit == 8 && kSpecs[rec::LIBSECUR].unit == 6 && kSpecs[rec::COLROW].size == 4);

const char* record_name(uint8_t type) {
  return type < rec::COUNT ? kSpecs[type].name : "unknown";
}

// One step of a record sequence: the record, whether it must appear, whether it may repeat.
struct Step {
  uint8_t type;
  bool required = false;
  bool repeat = false;
};

constexpr Step kLibraryHead[] = {{rec::LIBDIRSIZE},        {rec::SRFNAME},     {rec::LIBSECUR},
                                 {rec::LIBNAME, true},     {rec::REFLIBS},     {rec::FONTS},
                                 {rec::ATTRTABLE},         {rec::GENERATIONS}, {rec::FORMAT},
                                 {rec::MASK, false, true}, {rec::ENDMASKS},    {rec::UNITS, true}};
constexpr Step kBoundarySteps[] = {
    {rec::ELFLAGS}, {rec::PLEX}, {rec::LAYER, true}, {rec::DATATYPE, true}, {rec::XY, true}};
constexpr Step kPathSteps[] = {{rec::ELFLAGS},        {rec::PLEX},     {rec::LAYER, true},
                               {rec::DATATYPE, true}, {rec::PATHTYPE}, {rec::WIDTH},
                               {rec::BGNEXTN},        {rec::ENDEXTN},  {rec::XY, true}};
constexpr Step kSrefSteps[] = {{rec::ELFLAGS}, {rec::PLEX},  {rec::SNAME, true}, {rec::STRANS},
                               {rec::MAG},     {rec::ANGLE}, {rec::XY, true}};
constexpr Step kArefSteps[] = {{rec::ELFLAGS}, {rec::PLEX},  {rec::SNAME, true},  {rec::STRANS},
                               {rec::MAG},     {rec::ANGLE}, {rec::COLROW, true}, {rec::XY, true}};
constexpr Step kTextSteps[] = {{rec::ELFLAGS},      {rec::PLEX},     {rec::LAYER, true}, {rec::TEXTTYPE, true},
                               {rec::PRESENTATION}, {rec::PATHTYPE}, {rec::WIDTH},       {rec::STRANS},
                               {rec::MAG},          {rec::ANGLE},    {rec::XY, true},    {rec::STRING, true}};
constexpr Step kNodeSteps[] = {{rec::ELFLAGS}, {rec::PLEX}, {rec::LAYER, true}, {rec::NODETYPE, true}, {rec::XY, true}};
constexpr Step kBoxSteps[] = {{rec::ELFLAGS}, {rec::PLEX}, {rec::LAYER, true}, {rec::BOXTYPE, true}, {rec::XY, true}};

std::span<const Step> element_steps(uint8_t kind) {
  switch (kind) {
    case rec::BOUNDARY:
      return kBoundarySteps;
    case rec::PATH:
      return kPathSteps;
    case rec::SREF:
      return kSrefSteps;
    case rec::AREF:
      return kArefSteps;
    case rec::TEXT:
      return kTextSteps;
    case rec::NODE:
      return kNodeSteps;
    default:
      return kBoxSteps;
  }
}

struct Element {
  uint8_t kind = 0;  // record type of the element start
  size_t at = 0;     // its byte offset
  int layer = 0, datatype = 0;
  Coord width = 0;
  int pathtype = 0;
  Coord bgnextn = 0, endextn = 0;
  std::vector<Point> xy;
  std::string sname, string;
  bool has_strans = false;
  uint16_t strans = 0;
  double mag = 1.0, angle = 0.0;
  int cols = 1, rows = 1;
  int propattr = -1;  // pending PROPATTR (awaiting its PROPVALUE)
  bool in_properties = false;
  std::string name;  // PROPVALUE of PROPATTR 1
  size_t step = 0;   // position in element_steps(kind)
};

enum class State { Start, Header, LibraryHead, Library, StructName, Structure, Element, Done };

class Reader {
 public:
  Reader(std::string_view b, std::string what, const GdsReadOptions& o) : b_(b), what_(std::move(what)), opts_(o) {}

  Library run() {
    Library lib("gds");
    std::string libname = "gds";
    while (pos_ < b_.size()) {
      const size_t at = pos_;
      if (state_ == State::Done) {  // only zero padding (e.g. to a tape block) may follow ENDLIB
        for (; pos_ < b_.size(); ++pos_)
          if (b_[pos_] != '\0') corrupt(pos_, "data after ENDLIB");
        break;
      }
      if (b_.size() - pos_ < 4) corrupt(at, "truncated record header");
      const uint16_t len = be16(pos_);
      const uint8_t type = static_cast<uint8_t>(b_[pos_ + 2]);
      const uint8_t dt = static_cast<uint8_t>(b_[pos_ + 3]);
      if (len < 4 || (len & 1)) corrupt(at, fmt::format("record length {} (at least 4 and even)", len));
      if (len > b_.size() - pos_)
        corrupt(at, fmt::format("{} record runs past the end of the file", record_name(type)));
      if (type >= rec::COUNT) corrupt(at, fmt::format("unknown record type 0x{:02X}", type));
      const RecordSpec& spec = kSpecs[type];
      if (!spec.supported)
        fail("GDS-UNSUPPORTED",
             fmt::format("{}: byte offset {}: {} record (type 0x{:02X}) is reserved or unreleased in GDSII and not "
                         "read",
                         what_, at, spec.name, type));
      if (dt != spec.data_type)
        corrupt(at, fmt::format("{} record has data type {}, expected {}", spec.name, dt, spec.data_type));
      d_ = reinterpret_cast<const uint8_t*>(b_.data()) + pos_ + 4;
      n_ = len - 4u;
      if (spec.size >= 0 && n_ != static_cast<size_t>(spec.size))
        corrupt(at, fmt::format("{} record holds {} bytes, expected {}", spec.name, n_, spec.size));
      if (spec.size == -1 && (n_ == 0 || n_ % static_cast<size_t>(spec.unit)))
        corrupt(at, fmt::format("{} record holds {} bytes, not a positive multiple of {}", spec.name, n_, spec.unit));
      pos_ += len;
      record(lib, libname, type, at);
    }
    if (state_ != State::Done) corrupt(b_.size(), "no ENDLIB record: the file is truncated");
    for (auto& [parent, r] : pending_) {
      if (!lib.has(r.cell))
        corrupt_msg(fmt::format("structure '{}' references the undefined structure '{}'", parent, r.cell));
      lib.cell(parent).refs.push_back(std::move(r));
    }
    // The hierarchy: no loops, and no deeper than the budget (every walk over it is iterative, but a chain of
    // 40,000 references is no layout).
    HierarchyDepth deep;
    try {
      deep = deepest_hierarchy(lib);
    } catch (const Error& e) {
      throw Error(e.code(), fmt::format("{}: {}", what_, e.what()), e.kind());
    }
    if (deep.levels > opts_.max_depth)
      fail("GDS-TOO-DEEP", fmt::format("{}: the references below structure '{}' nest {} levels deep, more than the {} "
                                       "allowed (GdsReadOptions::max_depth; real layouts are < 20 deep)",
                                       what_, deep.cell, deep.levels, opts_.max_depth));
    for (auto& [c, t] : texts_) {
      std::optional<Port> p;
      if (opts_.port_layer && t.layer == *opts_.port_layer) p = parse_port_label(t.text, t.position);
      if (p && !c->find_port(p->name))
        c->ports.push_back(std::move(*p));
      else
        c->texts.push_back(std::move(t));
    }
    Library out(libname);
    for (Cell& c : lib.cells()) out.add_cell(c.name) = std::move(c);
    return out;
  }

 private:
  [[noreturn]] void corrupt(size_t at, const std::string& msg) const {
    fail("GDS-CORRUPT", fmt::format("{}: byte offset {}: {}", what_, at, msg));
  }
  [[noreturn]] void corrupt_msg(const std::string& msg) const {
    fail("GDS-CORRUPT", fmt::format("{}: {}", what_, msg));
  }
  std::string in_cell() const { return cell_ ? fmt::format(" in structure '{}'", cell_->name) : std::string(); }

  uint16_t be16(size_t p) const {
    return static_cast<uint16_t>((static_cast<uint8_t>(b_[p]) << 8) | static_cast<uint8_t>(b_[p + 1]));
  }
  int16_t i16(size_t i) const { return static_cast<int16_t>((d_[2 * i] << 8) | d_[2 * i + 1]); }
  int32_t i32(size_t i) const {
    uint32_t u =
        (uint32_t{d_[4 * i]} << 24) | (uint32_t{d_[4 * i + 1]} << 16) | (uint32_t{d_[4 * i + 2]} << 8) | d_[4 * i + 3];
    return static_cast<int32_t>(u);
  }
  std::string str() const {
    std::string s(reinterpret_cast<const char*>(d_), n_);
    while (!s.empty() && s.back() == '\0') s.pop_back();
    return s;
  }

  // Moves along a record sequence to the step of `type`: an error when a required step is skipped, or when
  // the record comes again, out of order, or does not belong here.
  void advance(std::span<const Step> steps, size_t& step, uint8_t type, size_t at, const std::string& where) const {
    for (size_t k = step; k < steps.size(); ++k) {
      if (steps[k].type == type) {
        step = steps[k].repeat ? k : k + 1;
        return;
      }
      if (steps[k].required)
        corrupt(at, fmt::format("{} record where {} is expected ({})", record_name(type), record_name(steps[k].type),
                                where));
    }
    for (size_t k = 0; k < step; ++k)
      if (steps[k].type == type)
        corrupt(at, fmt::format("{} record repeated or out of order ({})", record_name(type), where));
    corrupt(at, fmt::format("{} record does not belong here ({})", record_name(type), where));
  }
  // The first required step not yet seen (nullptr when every one has been).
  static const Step* missing(std::span<const Step> steps, size_t step) {
    for (size_t k = step; k < steps.size(); ++k)
      if (steps[k].required) return &steps[k];
    return nullptr;
  }

  void record(Library& lib, std::string& libname, uint8_t type, size_t at) {
    switch (state_) {
      case State::Start:
        if (type != rec::HEADER)
          corrupt(at, fmt::format("not a GDSII stream: it starts with a {} record, not HEADER", record_name(type)));
        state_ = State::Header;
        return;
      case State::Header:
        if (type != rec::BGNLIB) corrupt(at, fmt::format("{} record where BGNLIB is expected", record_name(type)));
        state_ = State::LibraryHead;
        return;
      case State::LibraryHead:
        advance(kLibraryHead, step_, type, at, "library header");
        if (type == rec::LIBNAME) libname = str();
        if (type == rec::UNITS) {
          units(at);
          state_ = State::Library;
        }
        return;
      case State::Library:
        if (type == rec::BGNSTR) {
          state_ = State::StructName;
        } else if (type == rec::ENDLIB) {
          state_ = State::Done;
        } else {
          corrupt(at, fmt::format("{} record outside a structure (BGNSTR or ENDLIB expected)", record_name(type)));
        }
        return;
      case State::StructName: {
        if (type != rec::STRNAME) corrupt(at, fmt::format("{} record where STRNAME is expected", record_name(type)));
        std::string name = str();
        if (lib.has(name)) corrupt(at, fmt::format("structure '{}' is defined twice", name));
        try {
          cell_ = &lib.add_cell(name);
        } catch (const Error& e) {
          fail("GDS-UNSUPPORTED", fmt::format("{}: byte offset {}: {}", what_, at, e.what()));
        }
        state_ = State::Structure;
        strclass_ok_ = true;
        return;
      }
      case State::Structure:
        if (type == rec::STRCLASS && strclass_ok_) {  // Calma-internal; right after STRNAME only
          strclass_ok_ = false;
          return;
        }
        strclass_ok_ = false;
        if (type == rec::ENDSTR) {
          cell_ = nullptr;
          state_ = State::Library;
          return;
        }
        if (type == rec::BOUNDARY || type == rec::PATH || type == rec::SREF || type == rec::AREF || type == rec::TEXT ||
            type == rec::NODE || type == rec::BOX) {
          el_ = Element{};
          el_.kind = type;
          el_.at = at;
          state_ = State::Element;
          return;
        }
        corrupt(at, fmt::format("{} record outside an element{}", record_name(type), in_cell()));
      case State::Element:
        element_record(type, at);
        return;
      case State::Done:
        return;
    }
  }

  void units(size_t at) {
    const double user = decode_real8(d_), dbu_m = decode_real8(d_ + 8);
    if (!(user > 0) || !(dbu_m > 0))
      corrupt(at, fmt::format("UNITS {} user units and {} m per database unit (both must be positive)", user, dbu_m));
    const double k = dbu_m / 1e-9;
    const double kr = std::round(k);
    // Up to 1 mm per database unit: int32 coordinates times the scale stay below 2^51 nm.
    if (!(kr >= 1 && kr <= 1e6) || std::fabs(k - kr) > 1e-6 * kr)
      fail("GDS-UNSUPPORTED",
           fmt::format("{}: database unit {} m is not a whole number of nanometres from 1 nm to 1 mm", what_, dbu_m));
    scale_ = static_cast<Coord>(kr);
  }

  void element_record(uint8_t type, size_t at) {
    Element& e = el_;
    const std::string where = fmt::format("{} element at byte offset {}{}", record_name(e.kind), e.at, in_cell());
    const std::span<const Step> steps = element_steps(e.kind);
    if (type == rec::PROPATTR || type == rec::PROPVALUE || type == rec::ENDEL) {
      if (const Step* s = missing(steps, e.step))
        corrupt(at,
                fmt::format("{} record, but the {} has no {} record", record_name(type), where, record_name(s->type)));
      e.in_properties = true;
      if (type == rec::PROPATTR) {
        if (e.propattr >= 0) corrupt(at, fmt::format("PROPATTR record without a PROPVALUE before it ({})", where));
        e.propattr = i16(0);
      } else if (type == rec::PROPVALUE) {
        if (e.propattr < 0) corrupt(at, fmt::format("PROPVALUE record without a PROPATTR ({})", where));
        if (e.propattr == 1) e.name = str();
        e.propattr = -1;
      } else {
        if (e.propattr >= 0) corrupt(at, fmt::format("ENDEL after a PROPATTR without its PROPVALUE ({})", where));
        finish(e);
        state_ = State::Structure;
      }
      return;
    }
    if (e.in_properties) corrupt(at, fmt::format("{} record after the properties ({})", record_name(type), where));
    advance(steps, e.step, type, at, where);
    switch (type) {
      case rec::LAYER:
        e.layer = static_cast<uint16_t>(i16(0));
        break;
      case rec::DATATYPE:
      case rec::TEXTTYPE:
      case rec::BOXTYPE:
        e.datatype = static_cast<uint16_t>(i16(0));
        break;
      case rec::WIDTH:  // negative: absolute width (not scaled by a parent's magnification, which is 1 here)
        e.width = std::abs(static_cast<Coord>(i32(0))) * scale_;
        break;
      case rec::PATHTYPE:
        e.pathtype = i16(0);
        break;
      case rec::BGNEXTN:
        e.bgnextn = static_cast<Coord>(i32(0)) * scale_;
        break;
      case rec::ENDEXTN:
        e.endextn = static_cast<Coord>(i32(0)) * scale_;
        break;
      case rec::XY:
        e.xy.resize(n_ / 8);  // at most 8191 points: the record length is 16 bits
        for (size_t i = 0; i < e.xy.size(); ++i)
          e.xy[i] = {static_cast<Coord>(i32(2 * i)) * scale_, static_cast<Coord>(i32(2 * i + 1)) * scale_};
        break;
      case rec::SNAME:
        e.sname = str();
        if (e.sname.empty()) corrupt(at, fmt::format("empty SNAME ({})", where));
        break;
      case rec::COLROW:
        e.cols = i16(0);
        e.rows = i16(1);
        break;
      case rec::STRING:
        e.string = str();
        break;
      case rec::STRANS:
        e.has_strans = true;
        e.strans = static_cast<uint16_t>(i16(0));
        break;
      case rec::MAG:
      case rec::ANGLE:
        if (!e.has_strans) corrupt(at, fmt::format("{} record without STRANS ({})", record_name(type), where));
        (type == rec::MAG ? e.mag : e.angle) = decode_real8(d_);
        break;
      default:
        break;  // ELFLAGS, PLEX, PRESENTATION, NODETYPE: no geometric meaning
    }
  }

  Trans ref_trans(const Element& e, Point at) const {
    const std::string where = fmt::format("{} at byte offset {}{}", record_name(e.kind), e.at, in_cell());
    if (e.strans & 0x7FF9)
      corrupt(e.at, fmt::format("STRANS sets reserved bits 0x{:04X} ({})", e.strans & 0x7FF9, where));
    if (e.strans & 0x0006)
      fail("GDS-UNSUPPORTED",
           fmt::format("{}: {} of '{}': absolute magnification or angle (STRANS bits 0x0006)", what_, where, e.sname));
    if (std::fabs(e.mag - 1.0) > 1e-12)
      fail("GDS-UNSUPPORTED", fmt::format("{}: {} of '{}' with magnification {}", what_, where, e.sname, e.mag));
    const double q = std::fmod(e.angle, 360.0) / 90.0;
    if (std::fabs(q - std::round(q)) > 1e-9)
      fail("GDS-UNSUPPORTED",
           fmt::format("{}: {} of '{}' rotated by {} degrees (only multiples of 90)", what_, where, e.sname, e.angle));
    return Trans::make(static_cast<int>(std::lround(q)) * 90, (e.strans & 0x8000) != 0, at);
  }

  [[noreturn]] void bad_points(const Element& e, const char* need) const {
    corrupt(e.at,
            fmt::format("{} element{} has {} point(s) in XY; {}", record_name(e.kind), in_cell(), e.xy.size(), need));
  }

  void add_polygon(const Element& e, Polygon p) {
    p.pop_back();  // the closing point
    compress(p);
    if (p.size() < 3)
      fail("LAYOUT-POLYGON", fmt::format("{}: byte offset {}: {} element{} on layer {} has fewer than 3 distinct "
                                         "corners (no area)",
                                         what_, e.at, record_name(e.kind), in_cell(), e.layer));
    cell_->polygons[{e.layer, e.datatype}].push_back(std::move(p));
  }

  void finish(Element& e) {
    Cell& c = *cell_;
    const LayerSpec l{e.layer, e.datatype};
    switch (e.kind) {
      case rec::BOUNDARY:
        if (e.xy.size() < 4 || e.xy.front() != e.xy.back())
          bad_points(e, "a BOUNDARY needs at least 4, the last equal to the first");
        add_polygon(e, std::move(e.xy));
        break;
      case rec::BOX:
        if (e.xy.size() != 5 || e.xy.front() != e.xy.back())
          bad_points(e, "a BOX needs 5, the last equal to the first");
        add_polygon(e, std::move(e.xy));
        break;
      case rec::PATH: {
        if (e.xy.size() < 2) bad_points(e, "a PATH needs at least 2");
        Coord ext0 = 0, ext1 = 0;
        if (e.pathtype == 1)
          fail("GDS-UNSUPPORTED",
               fmt::format("{}: byte offset {}: round-ended PATH (pathtype 1){}", what_, e.at, in_cell()));
        if (e.pathtype != 0 && e.pathtype != 2 && e.pathtype != 4)
          corrupt(e.at, fmt::format("PATH{} with pathtype {} (0, 1, 2 or 4)", in_cell(), e.pathtype));
        if (e.pathtype == 2) ext0 = ext1 = e.width / 2;
        if (e.pathtype == 4) {
          ext0 = e.bgnextn;
          ext1 = e.endextn;
        }
        Polygon p;
        try {
          p = path_polygon(e.xy, e.width, ext0, ext1);
        } catch (const Error& err) {
          fail("GDS-UNSUPPORTED", fmt::format("{}: byte offset {}: PATH{}: {}", what_, e.at, in_cell(), err.what()));
        }
        // A PATH of width 0 or with all its points equal covers no area (as in KLayout's DRC): nothing to keep.
        if (p.size() >= 3) c.polygons[l].push_back(std::move(p));
        break;
      }
      case rec::TEXT:
        if (e.xy.size() != 1) bad_points(e, "a TEXT needs 1");
        texts_.emplace_back(&c, Text{e.string, e.xy[0], l});
        break;
      case rec::SREF: {
        if (e.xy.size() != 1) bad_points(e, "an SREF needs 1");
        Ref r;
        r.cell = e.sname;
        r.trans = ref_trans(e, e.xy[0]);
        r.name = e.name;
        pending_.emplace_back(c.name, std::move(r));
        break;
      }
      case rec::AREF: {
        if (e.xy.size() != 3) bad_points(e, "an AREF needs 3 (origin, column end, row end)");
        if (e.cols < 1 || e.rows < 1)
          corrupt(e.at,
                  fmt::format("AREF{} with {} x {} elements (COLROW needs 1..32767 each)", in_cell(), e.cols, e.rows));
        Ref r;
        r.cell = e.sname;
        r.trans = ref_trans(e, e.xy[0]);
        r.cols = e.cols;
        r.rows = e.rows;
        const Point dc = e.xy[1] - e.xy[0], dr = e.xy[2] - e.xy[0];
        if (dc.x % e.cols || dc.y % e.cols || dr.x % e.rows || dr.y % e.rows)
          fail("GDS-UNSUPPORTED", fmt::format("{}: byte offset {}: AREF{}: pitch is not a whole number of database "
                                              "units",
                                              what_, e.at, in_cell()));
        r.col_step = {dc.x / e.cols, dc.y / e.cols};
        r.row_step = {dr.x / e.rows, dr.y / e.rows};
        r.name = e.name;
        pending_.emplace_back(c.name, std::move(r));
        break;
      }
      case rec::NODE:  // electrical net nodes: no geometry
        if (e.xy.size() > 50) bad_points(e, "a NODE has 1 to 50");
        break;
      default:
        break;
    }
  }

  std::string_view b_;
  std::string what_;
  GdsReadOptions opts_;
  size_t pos_ = 0;
  const uint8_t* d_ = nullptr;  // payload of the current record
  size_t n_ = 0;                // its size
  Coord scale_ = 1;
  State state_ = State::Start;
  size_t step_ = 0;  // position in kLibraryHead
  bool strclass_ok_ = false;
  Cell* cell_ = nullptr;
  Element el_;
  std::vector<std::pair<std::string, Ref>> pending_;  // (parent, reference), resolved once every cell is read
  std::vector<std::tuple<Cell*, Text>> texts_;
};

}  // namespace

Library read_gds(std::string_view bytes, const std::string& what, const GdsReadOptions& opts) {
  return Reader(bytes, what, opts).run();
}

Library read_gds_file(const std::string& path, const GdsReadOptions& opts) {
  std::string bytes = read_file(path, false, opts.max_bytes);
  return read_gds(bytes, path, opts);
}

}  // namespace holo::layout
