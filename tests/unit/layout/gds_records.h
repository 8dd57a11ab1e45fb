// Test helper for the layout module: a minimal GDSII record builder for hand-made (and deliberately broken)
// streams. Record types are written as (type << 8 | data type), as in the GDSII manual (0x0800 BOUNDARY).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "holo/layout/gds.h"

namespace holo::layout {

struct Rec {
  std::string b;
  // One record; an odd-sized (ASCII) payload is padded with a NUL, as GDSII requires.
  Rec& r(uint16_t type, std::string payload = {}) {
    if (payload.size() % 2) payload += '\0';
    uint16_t len = static_cast<uint16_t>(4 + payload.size());
    b += static_cast<char>(len >> 8);
    b += static_cast<char>(len & 0xFF);
    b += static_cast<char>(type >> 8);
    b += static_cast<char>(type & 0xFF);
    b += payload;
    return *this;
  }
  static std::string i16(int v) { return {static_cast<char>((v >> 8) & 0xFF), static_cast<char>(v & 0xFF)}; }
  static std::string i32(int32_t v) {
    uint32_t u = static_cast<uint32_t>(v);
    return {static_cast<char>(u >> 24), static_cast<char>((u >> 16) & 0xFF), static_cast<char>((u >> 8) & 0xFF),
            static_cast<char>(u & 0xFF)};
  }
  static std::string real(double v) {
    auto a = encode_real8(v);
    return std::string(reinterpret_cast<const char*>(a.data()), 8);
  }
  static std::string xy(const std::vector<std::pair<int32_t, int32_t>>& pts) {
    std::string s;
    for (auto [x, y] : pts) s += i32(x) + i32(y);
    return s;
  }
  Rec& head(double dbu_m = 1e-9) {
    r(0x0002, i16(600)).r(0x0102, std::string(24, '\0')).r(0x0206, "LB");
    return r(0x0305, real(1e-3) + real(dbu_m));
  }
  Rec& cell(const std::string& name) { return r(0x0502, std::string(24, '\0')).r(0x0606, name); }
  Rec& endcell() { return r(0x0700); }
  Rec& endlib() { return r(0x0400); }
  // BOUNDARY on layer/0 with the points as given (no closing point added).
  Rec& boundary(int layer, const std::vector<std::pair<int32_t, int32_t>>& pts) {
    return r(0x0800).r(0x0D02, i16(layer)).r(0x0E02, i16(0)).r(0x1003, xy(pts)).r(0x1100);
  }
  // A closed 10 x 10 square on layer/0 at (x, y).
  Rec& square(int layer, int32_t x = 0, int32_t y = 0) {
    return boundary(layer, {{x, y}, {x + 10, y}, {x + 10, y + 10}, {x, y + 10}, {x, y}});
  }
  Rec& sref(const std::string& name, int32_t x = 0, int32_t y = 0) {
    return r(0x0A00).r(0x1206, name).r(0x1003, xy({{x, y}})).r(0x1100);
  }
  // AREF of cols x rows with pitches (px, 0) and (0, py).
  Rec& aref(const std::string& name, int cols, int rows, int32_t px, int32_t py) {
    return r(0x0B00)
        .r(0x1206, name)
        .r(0x1302, i16(cols) + i16(rows))
        .r(0x1003,
           xy({{0, 0}, {static_cast<int32_t>(int64_t{cols} * px), 0}, {0, static_cast<int32_t>(int64_t{rows} * py)}}))
        .r(0x1100);
  }
};

}  // namespace holo::layout
