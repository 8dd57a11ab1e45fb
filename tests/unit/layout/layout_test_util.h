// Test helper for the layout module: the bundled generic SOI PDK and its layout parameters, loaded once per test
// binary.
#pragma once

#include "holo/layout/params.h"
#include "holo/pdk/pdk.h"
#include "test_support.h"

namespace holo::layout {

inline const pdk::Pdk& soi() {
  static const pdk::Pdk p = pdk::load_pdk(test::source_path("pdk/generic_soi220.json"));
  return p;
}

inline const LayoutParams& soi_params() {
  static const LayoutParams p = layout_params(soi());
  return p;
}

}  // namespace holo::layout
