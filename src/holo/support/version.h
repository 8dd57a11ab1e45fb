#pragma once
namespace holo {
inline constexpr const char* kVersion = "0.1.0";
}
