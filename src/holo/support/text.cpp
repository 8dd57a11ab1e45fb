#include "holo/support/text.h"

#include <fmt/format.h>

#include <algorithm>

namespace holo {

std::string printable(std::string_view text, size_t max_len) {
  std::string out;
  out.reserve(std::min(text.size(), max_len) + 8);
  for (char c : text) {
    if (out.size() >= max_len) {
      out += "...";
      break;
    }
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f)
      out += fmt::format("\\x{:02x}", u);
    else
      out += c;
  }
  return out;
}

std::string xml_escape(std::string_view text) {
  std::string o;
  o.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      case '\'':
        o += "&#39;";
        break;
      default:
        o += c;
    }
  }
  return o;
}

}  // namespace holo
