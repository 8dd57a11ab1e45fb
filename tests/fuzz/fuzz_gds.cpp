// libFuzzer target: the GDSII reader on arbitrary bytes, then what `holo drc` does with a file it accepts --
// the single top cell flattened under a budget and checked against the bundled PDK's rules -- and the writer
// on the library read. Budgets are smaller than holo drc's defaults so that one input stays well below the
// fuzzer's timeout and memory limit; a run that hits them ends in LAYOUT-TOO-LARGE or DRC-TOO-COMPLEX (bad
// input), like any other refusal. tests/unit/layout/test_gds_reliability.cpp replays the regressions the same way.
// Ports are read from the PDK's PORT layer (1/10) so the port-label parser is fuzzed too.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.h"
#include "holo/layout/cell.h"
#include "holo/layout/drc.h"
#include "holo/layout/gds.h"
#include "holo/pdk/pdk.h"

#ifndef HOLO_FUZZ_PDK
#error "HOLO_FUZZ_PDK (the path of pdk/generic_soi220.json) must be defined"
#endif

namespace {

const holo::layout::DrcDeck& deck() {
  static const holo::layout::DrcDeck d = holo::layout::drc_deck(holo::pdk::load_pdk(HOLO_FUZZ_PDK));
  return d;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)deck();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  holo::fuzz::expect_only_bad_input([&] {
    holo::layout::GdsReadOptions o;
    o.port_layer = holo::layout::LayerSpec{1, 10};
    const holo::layout::Library lib = holo::layout::read_gds(bytes, "fuzz.gds", o);
    holo::fuzz::expect_only_bad_input([&] { (void)holo::layout::gds_bytes(lib); });
    const std::string top = lib.top_cell();
    // At most ~1e5 edge comparisons: milliseconds under the sanitizers, so a short CI run still executes
    // thousands of inputs (the regressions that hit the budgets end in a refusal just as fast).
    const holo::layout::FlatLayout flat = holo::layout::flatten(lib, top, {}, holo::layout::FlatLimits{2000, 20000});
    holo::layout::DrcOptions dopt;
    dopt.max_work_per_vertex = 5;
    dopt.min_work = 2e4;
    (void)holo::layout::run_drc(flat, deck(), dopt);
  });
  return 0;
}
