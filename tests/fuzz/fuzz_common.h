// Shared by the libFuzzer targets: run a parser on the input and accept only holo::Error of kind BadInput.
// Anything else -- another exception type, an internal error, a sanitizer report, a hang -- is a bug the
// fuzzer must see, so it aborts (exceptions other than holo::Error simply propagate and terminate).
#pragma once

#include <cstdio>
#include <cstdlib>

#include "holo/support/error.h"

namespace holo::fuzz {

template <typename F>
void expect_only_bad_input(F&& parse) {
  try {
    parse();
  } catch (const holo::Error& e) {
    if (e.kind() != ErrorKind::BadInput) {
      std::fprintf(stderr, "internal error on fuzz input: [%s] %s\n", e.code().c_str(), e.what());
      std::abort();
    }
  }
}

}  // namespace holo::fuzz
