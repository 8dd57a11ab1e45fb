// libFuzzer target: circuit.json (the compiled chip holo simulate reads) on arbitrary bytes: the streaming
// reader, the verifier against the bundled PDK and the compiled-chip contract (circuit/compiled.h), then what
// simulate does with an accepted chip: prepare every optical stage (the tile reader) and run it on one all-ones
// sample.
#include <Eigen/Core>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_common.h"
#include "holo/circuit/compiled.h"
#include "holo/circuit/io.h"
#include "holo/circuit/verify.h"
#include "holo/pdk/pdk.h"
#include "holo/sim/stage.h"

namespace {
const holo::pdk::Pdk& platform() {
  static const holo::pdk::Pdk p = holo::pdk::load_pdk(holo::pdk::default_pdk_path());
  return p;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const holo::pdk::Pdk& pdk = platform();
  holo::fuzz::expect_only_bad_input([&] {
    holo::circuit::Netlist net = holo::circuit::from_json(std::string(bytes), "fuzz/circuit.json");
    holo::circuit::verify(net, pdk);
    holo::circuit::verify_compiled(net);
    int64_t index = 0;
    for (const holo::circuit::Stage& st : net.stages) {
      if (st.domain == "optical" && st.in_features <= 4096 && st.out_features <= 4096) {
        holo::sim::SimOptions so = holo::sim::SimOptions::nominal();
        so.ideal = true;
        holo::sim::PreparedStage ps = holo::sim::prepare_stage(net, st, pdk, so, index);
        (void)holo::sim::run_stage(ps, Eigen::MatrixXd::Ones(st.in_features, 1));
      }
      ++index;
    }
  });
  return 0;
}
