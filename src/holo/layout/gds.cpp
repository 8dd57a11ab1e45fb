#include "holo/layout/gds.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
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
namespace {

struct Element {
  int kind = 0;  // record type byte of the element start
  int layer = 0, datatype = 0;
  Coord width = 0;
  int pathtype = 0;
  Coord bgnextn = 0, endextn = 0;
  std::vector<Point> xy;
  std::string sname, string;
  uint16_t strans = 0;
  double mag = 1.0, angle = 0.0;
  int cols = 1, rows = 1;
  int propattr = -1;
  std::string name;  // PROPVALUE of PROPATTR 1
};

class Reader {
 public:
  Reader(std::string_view b, std::string what, const GdsReadOptions& o) : b_(b), what_(std::move(what)), opts_(o) {}

  Library run() {
    Library lib("gds");
    bool have_lib = false, ended = false;
    Cell* cell = nullptr;
    std::optional<Element> el;
    std::string libname = "gds";
    std::vector<std::pair<std::string, Ref>> pending;  // (parent, ref)
    std::vector<std::tuple<Cell*, Text>> texts;
    (void)have_lib;
    while (pos_ < b_.size()) {
      if (b_.size() - pos_ < 4) corrupt("truncated record header");
      size_t at = pos_;
      uint16_t len = be16(pos_);
      uint8_t type = static_cast<uint8_t>(b_[pos_ + 2]);
      uint8_t dt = static_cast<uint8_t>(b_[pos_ + 3]);
      if (len < 4) {
        if (len == 0 && ended) break;  // zero padding after ENDLIB
        corrupt(fmt::format("record length {} at offset {}", len, at));
      }
      if (pos_ + len > b_.size()) corrupt(fmt::format("record at offset {} runs past the end of the file", at));
      const uint8_t* d = reinterpret_cast<const uint8_t*>(b_.data()) + pos_ + 4;
      const size_t n = len - 4u;
      pos_ += len;
      if (ended) continue;
      auto need = [&](size_t k, const char* what) {
        if (n < k) corrupt(fmt::format("{} record at offset {} is too short", what, at));
      };
      auto i16 = [&](size_t i) { return static_cast<int16_t>((d[2 * i] << 8) | d[2 * i + 1]); };
      auto i32 = [&](size_t i) {
        uint32_t u =
            (uint32_t{d[4 * i]} << 24) | (uint32_t{d[4 * i + 1]} << 16) | (uint32_t{d[4 * i + 2]} << 8) | d[4 * i + 3];
        return static_cast<int32_t>(u);
      };
      auto str = [&]() {
        std::string s(reinterpret_cast<const char*>(d), n);
        while (!s.empty() && s.back() == '\0') s.pop_back();
        return s;
      };
      switch (type) {
        case 0x00:
          break;  // HEADER
        case 0x01:
          have_lib = true;
          break;
        case 0x02:
          libname = str();
          break;
        case 0x03: {  // UNITS
          need(16, "UNITS");
          double dbu_m = decode_real8(d + 8);
          double k = dbu_m / 1e-9;
          double kr = std::round(k);
          if (!(kr >= 1) || std::fabs(k - kr) > 1e-6 * kr)
            fail("GDS-UNSUPPORTED",
                 fmt::format("{}: database unit {} m is not a whole number of nanometres", what_, dbu_m));
          scale_ = static_cast<Coord>(kr);
          break;
        }
        case 0x04:
          ended = true;
          break;
        case 0x05:
          cell = nullptr;
          break;
        case 0x06: {
          std::string name = str();
          if (lib.has(name)) corrupt(fmt::format("structure '{}' is defined twice", name));
          try {
            cell = &lib.add_cell(name);
          } catch (const Error& e) {
            fail("GDS-UNSUPPORTED", fmt::format("{}: {}", what_, e.what()));
          }
          break;
        }
        case 0x07:
          cell = nullptr;
          break;
        case 0x08:
        case 0x09:
        case 0x0A:
        case 0x0B:
        case 0x0C:
        case 0x2D:
        case 0x15:
          if (!cell) corrupt(fmt::format("element at offset {} outside a structure", at));
          el = Element{};
          el->kind = type;
          break;
        case 0x0D:
          need(2, "LAYER");
          if (el) el->layer = static_cast<uint16_t>(i16(0));
          break;
        case 0x0E:
        case 0x16:
        case 0x2E:
          need(2, "DATATYPE");
          if (el) el->datatype = static_cast<uint16_t>(i16(0));
          break;
        case 0x0F:
          need(4, "WIDTH");
          if (el) el->width = std::abs(static_cast<Coord>(i32(0))) * scale_;
          break;
        case 0x21:
          need(2, "PATHTYPE");
          if (el) el->pathtype = i16(0);
          break;
        case 0x30:
          need(4, "BGNEXTN");
          if (el) el->bgnextn = static_cast<Coord>(i32(0)) * scale_;
          break;
        case 0x31:
          need(4, "ENDEXTN");
          if (el) el->endextn = static_cast<Coord>(i32(0)) * scale_;
          break;
        case 0x10: {
          if (!el) corrupt(fmt::format("XY at offset {} outside an element", at));
          if (n % 8) corrupt(fmt::format("XY record at offset {} has {} bytes, not a multiple of 8", at, n));
          el->xy.clear();
          for (size_t i = 0; i < n / 8; ++i)
            el->xy.push_back({static_cast<Coord>(i32(2 * i)) * scale_, static_cast<Coord>(i32(2 * i + 1)) * scale_});
          break;
        }
        case 0x12:
          if (el) el->sname = str();
          break;
        case 0x13:
          need(4, "COLROW");
          if (el) {
            el->cols = i16(0);
            el->rows = i16(1);
          }
          break;
        case 0x19:
          if (el) el->string = str();
          break;
        case 0x1A:
          need(2, "STRANS");
          if (el) el->strans = static_cast<uint16_t>(i16(0));
          break;
        case 0x1B:
          need(8, "MAG");
          if (el) el->mag = decode_real8(d);
          break;
        case 0x1C:
          need(8, "ANGLE");
          if (el) el->angle = decode_real8(d);
          break;
        case 0x2B:
          need(2, "PROPATTR");
          if (el) el->propattr = i16(0);
          break;
        case 0x2C:
          if (el && el->propattr == 1) el->name = str();
          break;
        case 0x11: {  // ENDEL
          if (!el || !cell) corrupt(fmt::format("ENDEL at offset {} without an element", at));
          finish(*el, *cell, pending, texts);
          el.reset();
          break;
        }
        default:
          break;  // records without geometric meaning (PRESENTATION, ELFLAGS, ...)
      }
      (void)dt;
    }
    if (!ended) corrupt("no ENDLIB record: the file is truncated");
    for (auto& [parent, r] : pending) {
      if (!lib.has(r.cell)) corrupt(fmt::format("cell '{}' references the undefined structure '{}'", parent, r.cell));
      lib.cell(parent).refs.push_back(std::move(r));
    }
    for (auto& [c, t] : texts) {
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
  [[noreturn]] void corrupt(const std::string& msg) { fail("GDS-CORRUPT", fmt::format("{}: {}", what_, msg)); }

  uint16_t be16(size_t p) const {
    return static_cast<uint16_t>((static_cast<uint8_t>(b_[p]) << 8) | static_cast<uint8_t>(b_[p + 1]));
  }

  Trans ref_trans(const Element& e, Point at) {
    if (std::fabs(e.mag - 1.0) > 1e-12)
      fail("GDS-UNSUPPORTED", fmt::format("{}: reference to '{}' with magnification {}", what_, e.sname, e.mag));
    double q = e.angle / 90.0;
    if (std::fabs(q - std::round(q)) > 1e-9)
      fail("GDS-UNSUPPORTED",
           fmt::format("{}: reference to '{}' rotated by {} degrees (only multiples of 90)", what_, e.sname, e.angle));
    return Trans::make(static_cast<int>(std::lround(q)) * 90, (e.strans & 0x8000) != 0, at);
  }

  void finish(Element& e, Cell& c, std::vector<std::pair<std::string, Ref>>& pending,
              std::vector<std::tuple<Cell*, Text>>& texts) {
    LayerSpec l{e.layer, e.datatype};
    switch (e.kind) {
      case 0x08:
      case 0x2D: {  // BOUNDARY, BOX
        Polygon p = e.xy;
        if (p.size() >= 2 && p.front() == p.back()) p.pop_back();
        compress(p);
        if (p.size() >= 3) c.polygons[l].push_back(std::move(p));
        break;
      }
      case 0x09: {  // PATH
        Coord ext0 = 0, ext1 = 0;
        if (e.pathtype == 1)
          fail("GDS-UNSUPPORTED", fmt::format("{}: cell '{}': round-ended PATH (pathtype 1)", what_, c.name));
        if (e.pathtype == 2) ext0 = ext1 = e.width / 2;
        if (e.pathtype == 4) {
          ext0 = e.bgnextn;
          ext1 = e.endextn;
        }
        Polygon p;
        try {
          p = path_polygon(e.xy, e.width, ext0, ext1);
        } catch (const Error& err) {
          fail("GDS-UNSUPPORTED", fmt::format("{}: cell '{}': {}", what_, c.name, err.what()));
        }
        if (p.size() >= 3) c.polygons[l].push_back(std::move(p));
        break;
      }
      case 0x0C:  // TEXT
        if (e.xy.size() != 1) corrupt(fmt::format("cell '{}': TEXT with {} points", c.name, e.xy.size()));
        texts.emplace_back(&c, Text{e.string, e.xy[0], l});
        break;
      case 0x0A: {  // SREF
        if (e.xy.size() != 1) corrupt(fmt::format("cell '{}': SREF with {} points", c.name, e.xy.size()));
        Ref r;
        r.cell = e.sname;
        r.trans = ref_trans(e, e.xy[0]);
        r.name = e.name;
        pending.emplace_back(c.name, std::move(r));
        break;
      }
      case 0x0B: {  // AREF
        if (e.xy.size() != 3) corrupt(fmt::format("cell '{}': AREF with {} points", c.name, e.xy.size()));
        if (e.cols < 1 || e.rows < 1)
          corrupt(fmt::format("cell '{}': AREF with {} x {} elements", c.name, e.cols, e.rows));
        Ref r;
        r.cell = e.sname;
        r.trans = ref_trans(e, e.xy[0]);
        r.cols = e.cols;
        r.rows = e.rows;
        Point dc = e.xy[1] - e.xy[0], dr = e.xy[2] - e.xy[0];
        if (dc.x % e.cols || dc.y % e.cols || dr.x % e.rows || dr.y % e.rows)
          fail("GDS-UNSUPPORTED",
               fmt::format("{}: cell '{}': AREF pitch is not a whole number of database units", what_, c.name));
        r.col_step = {dc.x / e.cols, dc.y / e.cols};
        r.row_step = {dr.x / e.rows, dr.y / e.rows};
        r.name = e.name;
        pending.emplace_back(c.name, std::move(r));
        break;
      }
      default:
        break;  // NODE: no geometry
    }
  }

  std::string_view b_;
  std::string what_;
  GdsReadOptions opts_;
  size_t pos_ = 0;
  Coord scale_ = 1;
};

}  // namespace

Library read_gds(std::string_view bytes, const std::string& what, const GdsReadOptions& opts) {
  return Reader(bytes, what, opts).run();
}

Library read_gds_file(const std::string& path, const GdsReadOptions& opts) {
  std::string bytes = read_file(path);
  return read_gds(bytes, path, opts);
}

}  // namespace holo::layout
