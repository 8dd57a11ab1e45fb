// Programmed settings of one instance (theta_rad, phi_rad, transmission, length_um, ...): a small map
// from name to value kept as a vector sorted by name. It iterates, compares and serializes exactly like
// std::map<std::string, double> (sorted keys), but an MZI's two settings take one allocation of 48 bytes
// (two 16-byte Names and their values) instead of two tree nodes and a header (~220 bytes): a 50-layer
// compiled chip has millions of them.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "holo/circuit/name.h"

namespace holo::circuit {

class Settings {
 public:
  using value_type = std::pair<Name, double>;
  using iterator = std::vector<value_type>::iterator;
  using const_iterator = std::vector<value_type>::const_iterator;

  Settings() = default;
  Settings(std::initializer_list<value_type> init) {
    items_.reserve(init.size());
    for (const value_type& kv : init) emplace(kv.first, kv.second);
  }

  iterator begin() { return items_.begin(); }
  iterator end() { return items_.end(); }
  const_iterator begin() const { return items_.begin(); }
  const_iterator end() const { return items_.end(); }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  void clear() { items_.clear(); }

  iterator find(std::string_view key) {
    auto it = lower(key);
    return it != items_.end() && it->first == key ? it : items_.end();
  }
  const_iterator find(std::string_view key) const {
    auto it = std::lower_bound(items_.begin(), items_.end(), key,
                               [](const value_type& kv, std::string_view k) { return kv.first < k; });
    return it != items_.end() && it->first == key ? it : items_.end();
  }
  size_t count(std::string_view key) const { return find(key) == end() ? 0 : 1; }
  // std::out_of_range when absent, as std::map::at.
  double at(std::string_view key) const {
    auto it = find(key);
    if (it == end()) throw std::out_of_range("Settings::at: no setting '" + std::string(key) + "'");
    return it->second;
  }
  double& operator[](std::string_view key) { return emplace(key, 0.0).first->second; }
  // Inserts when absent; returns the entry and whether it was inserted (std::map::emplace semantics).
  std::pair<iterator, bool> emplace(std::string_view key, double value) {
    auto it = lower(key);
    if (it != items_.end() && it->first == key) return {it, false};
    return {items_.insert(it, value_type(Name(key), value)), true};
  }
  size_t erase(std::string_view key) {
    auto it = find(key);
    if (it == items_.end()) return 0;
    items_.erase(it);
    return 1;
  }

  bool operator==(const Settings& o) const = default;

 private:
  iterator lower(std::string_view key) {
    return std::lower_bound(items_.begin(), items_.end(), key,
                            [](const value_type& kv, std::string_view k) { return kv.first < k; });
  }
  std::vector<value_type> items_;
};

}  // namespace holo::circuit
