// Test helper for the layout module: the bundled generic SOI PDK, loaded once per test binary.
#pragma once

#include "holo/pdk/pdk.h"
#include "test_support.h"

namespace holo::layout {

inline const pdk::Pdk& soi() {
  static const pdk::Pdk p = pdk::load_pdk(test::source_path("pdk/generic_soi220.json"));
  return p;
}

}  // namespace holo::layout
