#include "holo/pdk/variants.h"

#include "holo/support/error.h"
namespace holo::pdk {
std::vector<std::string> list_variants() {
  return {};
}
std::string variant_knob(const std::string&) {
  internal_error("shim");
}
std::string compose_pdk_text(const std::string&, const std::vector<std::string>&) {
  internal_error("shim");
}
}  // namespace holo::pdk
