#include "holo/support/json.h"

#include <fmt/format.h>

#include "holo/support/error.h"
#include "holo/support/text.h"

namespace holo {
namespace {

constexpr size_t kMaxKeyInMessage = 200;

}  // namespace

void JsonKeyCheck::element() {
  if (!open_.empty() && open_.back().array) ++open_.back().elements;
}

void JsonKeyCheck::begin(bool array) {
  element();
  Frame f;
  f.array = array;
  if (!open_.empty()) {
    const Frame& top = open_.back();
    f.label = top.array ? fmt::format("[{}]", top.elements - 1) : "." + printable(top.key, kMaxKeyInMessage);
  }
  open_.push_back(std::move(f));
}

void JsonKeyCheck::end() {
  if (!open_.empty()) open_.pop_back();
}

void JsonKeyCheck::value() {
  element();
}

void JsonKeyCheck::key(const std::string& k) {
  if (open_.empty()) return;
  Frame& top = open_.back();
  if (!top.keys.insert(k).second)
    fail(code_, fmt::format("{}: {}: key '{}' appears twice in the same object", what_, path(),
                            printable(k, kMaxKeyInMessage)));
  top.key = k;
}

void JsonKeyCheck::not_json(std::string_view message) const {
  fail(code_, fmt::format("{}: not valid JSON: {}", what_, printable(message, 400)));
}

std::string JsonKeyCheck::path() const {
  std::string p = "$";
  for (const Frame& f : open_) p += f.label;
  return p;
}

}  // namespace holo
