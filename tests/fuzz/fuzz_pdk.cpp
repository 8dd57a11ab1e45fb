// libFuzzer target: the PDK loader (JSON parse with the duplicate-key check, the closed format, the schema's
// ranges and required figures) on arbitrary bytes, then the accessors over what it accepted.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.h"
#include "holo/pdk/pdk.h"
#include "holo/pdk/schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  holo::fuzz::expect_only_bad_input([&] {
    const holo::pdk::Pdk p = holo::pdk::parse_pdk(bytes, "fuzz.json");
    // An accepted file holds only schema templates and figures, each inside its range.
    for (const auto& [name, t] : p.templates) {
      const holo::pdk::TemplateSpec* spec = holo::pdk::find_template_spec(name);
      if (!spec) __builtin_trap();
      for (const auto& [key, f] : t.figures) {
        const holo::pdk::FigureSpec* fs = spec->find(key);
        if (!fs || !holo::pdk::figure_range(*fs->quantity, p.wavelength_nm.value).contains(f.value)) __builtin_trap();
      }
    }
    for (const std::string& need : holo::pdk::required_templates()) (void)p.tmpl(need);
    for (const holo::pdk::Rule& r : p.rules) (void)p.layer(r.layer);
  });
  return 0;
}
