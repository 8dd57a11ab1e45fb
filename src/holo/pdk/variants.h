// TEMPORARY shim until the PDK-variant branch lands.
#pragma once
#include <string>
#include <vector>
namespace holo::pdk {
std::vector<std::string> list_variants();
std::string variant_knob(const std::string& name);
std::string compose_pdk_text(const std::string& base_path, const std::vector<std::string>& variants);
}  // namespace holo::pdk
