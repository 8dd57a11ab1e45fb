// A short immutable-size string for the names a netlist repeats millions of times (port references
// "mzi2015"/"o3", setting keys "theta_rad"): 16 bytes, up to 15 characters stored inline, longer names on
// the heap. std::string takes 32 bytes for the same; a 50-layer compiled chip holds ~13M such names.
// It converts implicitly to std::string_view and std::string and compares with both, so code written for
// std::string members keeps working.
#pragma once

#include <fmt/format.h>

#include <compare>
#include <cstdint>
#include <cstring>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace holo::circuit {

class Name {
 public:
  Name() noexcept { make_empty(); }
  Name(const char* s) : Name(std::string_view(s)) {}         // NOLINT: implicit like std::string
  Name(const std::string& s) : Name(std::string_view(s)) {}  // NOLINT
  Name(std::string_view s) { assign(s); }                    // NOLINT
  Name(const Name& o) { assign(o.view()); }
  Name(Name&& o) noexcept {
    std::memcpy(bytes_, o.bytes_, sizeof bytes_);
    o.make_empty();
  }
  Name& operator=(const Name& o) {
    if (this != &o) {
      Name copy(o);
      swap(copy);
    }
    return *this;
  }
  Name& operator=(Name&& o) noexcept {
    if (this != &o) {
      release();
      std::memcpy(bytes_, o.bytes_, sizeof bytes_);
      o.make_empty();
    }
    return *this;
  }
  Name& operator=(std::string_view s) {
    Name copy(s);
    swap(copy);
    return *this;
  }
  Name& operator=(const std::string& s) { return *this = std::string_view(s); }
  Name& operator=(const char* s) { return *this = std::string_view(s); }
  ~Name() { release(); }

  void swap(Name& o) noexcept {
    unsigned char t[sizeof bytes_];
    std::memcpy(t, bytes_, sizeof t);
    std::memcpy(bytes_, o.bytes_, sizeof t);
    std::memcpy(o.bytes_, t, sizeof t);
  }

  std::string_view view() const noexcept {
    if (on_heap()) {
      const char* p = nullptr;
      uint32_t n = 0;
      std::memcpy(&p, bytes_, sizeof p);
      std::memcpy(&n, bytes_ + 8, sizeof n);
      return {p, n};
    }
    return {reinterpret_cast<const char*>(bytes_), static_cast<size_t>(kInline - bytes_[kInline])};
  }
  std::string str() const { return std::string(view()); }
  operator std::string_view() const noexcept { return view(); }  // NOLINT
  operator std::string() const { return str(); }                 // NOLINT
  const char* data() const noexcept { return view().data(); }
  size_t size() const noexcept { return view().size(); }
  bool empty() const noexcept { return size() == 0; }

  friend bool operator==(const Name& a, const Name& b) noexcept { return a.view() == b.view(); }
  friend bool operator==(const Name& a, std::string_view b) noexcept { return a.view() == b; }
  friend bool operator==(const Name& a, const std::string& b) noexcept { return a.view() == std::string_view(b); }
  friend bool operator==(const Name& a, const char* b) noexcept { return a.view() == std::string_view(b); }
  friend std::strong_ordering operator<=>(const Name& a, const Name& b) noexcept { return a.view() <=> b.view(); }
  friend std::strong_ordering operator<=>(const Name& a, std::string_view b) noexcept { return a.view() <=> b; }
  friend std::strong_ordering operator<=>(const Name& a, const std::string& b) noexcept {
    return a.view() <=> std::string_view(b);
  }
  friend std::strong_ordering operator<=>(const Name& a, const char* b) noexcept {
    return a.view() <=> std::string_view(b);
  }
  friend std::string operator+(const Name& a, std::string_view b) { return std::string(a.view()).append(b); }
  friend std::string operator+(std::string_view a, const Name& b) { return std::string(a).append(b.view()); }
  friend std::string operator+(const Name& a, const Name& b) { return std::string(a.view()).append(b.view()); }
  friend std::string operator+(const Name& a, const char* b) { return std::string(a.view()).append(b); }
  friend std::string operator+(const char* a, const Name& b) { return std::string(a).append(b.view()); }
  friend std::string operator+(const Name& a, const std::string& b) { return std::string(a.view()).append(b); }
  friend std::string operator+(const std::string& a, const Name& b) { return std::string(a).append(b.view()); }
  friend std::ostream& operator<<(std::ostream& os, const Name& n) { return os << n.view(); }

 private:
  // bytes_[15] < 16: inline, size = 15 - bytes_[15] (so a 15-character name ends in a zero byte);
  // bytes_[15] == kHeap: pointer in bytes 0..7, size in bytes 8..11.
  static constexpr int kInline = 15;
  static constexpr unsigned char kHeap = 0x80;

  bool on_heap() const noexcept { return bytes_[kInline] == kHeap; }
  void make_empty() noexcept {
    std::memset(bytes_, 0, sizeof bytes_);
    bytes_[kInline] = kInline;
  }
  void assign(std::string_view s) {
    if (s.size() <= static_cast<size_t>(kInline)) {
      std::memset(bytes_, 0, sizeof bytes_);
      if (!s.empty()) std::memcpy(bytes_, s.data(), s.size());
      bytes_[kInline] = static_cast<unsigned char>(kInline - s.size());
      return;
    }
    if (s.size() > UINT32_MAX) throw std::length_error("circuit::Name longer than 4 GiB");
    char* p = new char[s.size() + 1];
    std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    const auto n = static_cast<uint32_t>(s.size());
    std::memcpy(bytes_, &p, sizeof p);
    std::memcpy(bytes_ + 8, &n, sizeof n);
    bytes_[kInline] = kHeap;
  }
  void release() noexcept {
    if (!on_heap()) return;
    char* p = nullptr;
    std::memcpy(&p, bytes_, sizeof p);
    delete[] p;
    make_empty();
  }

  alignas(8) unsigned char bytes_[16];
};

static_assert(sizeof(Name) == 16);

}  // namespace holo::circuit

template <>
struct fmt::formatter<holo::circuit::Name> : fmt::formatter<std::string_view> {
  template <class Context>
  auto format(const holo::circuit::Name& n, Context& ctx) const {
    return fmt::formatter<std::string_view>::format(n.view(), ctx);
  }
};

template <>
struct std::hash<holo::circuit::Name> {
  size_t operator()(const holo::circuit::Name& n) const noexcept { return std::hash<std::string_view>{}(n.view()); }
};
