// Text helpers for error messages built from untrusted input (names and keys from user files).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace holo {

// Makes untrusted text (names from a model or PDK, parser messages) safe for a one-line message: control
// characters become \xNN escapes and the result is cut at max_len characters.
std::string printable(std::string_view text, size_t max_len = 4000);

// Text for XML/HTML element content and quoted attributes: & < > " ' as entities (the five XML escapes, so the
// result is well-formed in SVG, .lyp and HTML alike); everything else as is.
std::string xml_escape(std::string_view text);

}  // namespace holo
