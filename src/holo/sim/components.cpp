#include "holo/sim/components.h"

#include <fmt/format.h>

#include <cmath>

#include "holo/support/error.h"

namespace holo::sim {

namespace {

using linalg::cdouble;

double db_to_field(double db) {
  return std::pow(10.0, -db / 20.0);
}

double get_setting(const circuit::Settings& s, const std::string& key, const std::string& where, bool required,
                   double fallback) {
  auto it = s.find(key);
  if (it == s.end()) {
    if (required) fail("SIM-BAD-SETTING", fmt::format("{}: the setting '{}' is missing", where, key));
    return fallback;
  }
  if (!std::isfinite(it->second))
    fail("SIM-BAD-SETTING", fmt::format("{}: the setting '{}' is not finite", where, key));
  return it->second;
}

int port_index(const std::vector<std::string>& ports, const std::string& name, const pdk::Template& t) {
  for (size_t i = 0; i < ports.size(); ++i) {
    if (ports[i] == name) return static_cast<int>(i);
  }
  fail("SIM-UNSUPPORTED-MODEL",
       fmt::format("template '{}' (model '{}') has no optical port '{}'", t.name, t.model, name));
}

Eigen::MatrixXcd four_port(const std::vector<std::string>& ports, const pdk::Template& t, const linalg::Mat2& m) {
  if (ports.size() != 4) {
    fail("SIM-UNSUPPORTED-MODEL",
         fmt::format("template '{}' (model '{}') has {} optical ports, expected 4", t.name, t.model, ports.size()));
  }
  const int o1 = port_index(ports, "o1", t), o2 = port_index(ports, "o2", t), o3 = port_index(ports, "o3", t),
            o4 = port_index(ports, "o4", t);
  Eigen::MatrixXcd s = Eigen::MatrixXcd::Zero(4, 4);
  s(o3, o2) = m(0, 0);
  s(o3, o1) = m(0, 1);
  s(o4, o2) = m(1, 0);
  s(o4, o1) = m(1, 1);
  // Reciprocal: light entering an output travels back with the transposed matrix.
  s(o2, o3) = m(0, 0);
  s(o1, o3) = m(0, 1);
  s(o2, o4) = m(1, 0);
  s(o1, o4) = m(1, 1);
  return s;
}

Eigen::MatrixXcd two_port(const std::vector<std::string>& ports, const pdk::Template& t, cdouble tr) {
  if (ports.size() != 2) {
    fail("SIM-UNSUPPORTED-MODEL",
         fmt::format("template '{}' (model '{}') has {} optical ports, expected 2", t.name, t.model, ports.size()));
  }
  const int o1 = port_index(ports, "o1", t), o2 = port_index(ports, "o2", t);
  Eigen::MatrixXcd s = Eigen::MatrixXcd::Zero(2, 2);
  s(o2, o1) = tr;
  s(o1, o2) = tr;
  return s;
}

}  // namespace

double loss_factor(const pdk::Pdk& pdk, const std::string& tmpl, bool use_loss) {
  const pdk::Template& t = pdk.tmpl(tmpl);
  if (!use_loss) return 1.0;
  const char* key = t.model == "coupler" ? "excess_loss_db" : "insertion_loss_db";
  return t.has(key) ? db_to_field(t.number(key)) : 1.0;
}

std::vector<std::string> optical_ports(const pdk::Template& t) {
  std::vector<std::string> out;
  for (const pdk::Port& p : t.ports) {
    if (p.kind == "optical") out.push_back(p.name);
  }
  return out;
}

Eigen::MatrixXcd component_smatrix(const pdk::Pdk& pdk, const pdk::Template& t, const circuit::Settings& settings,
                                   const ComponentOptions& options, const std::string& where) {
  const std::vector<std::string> ports = optical_ports(t);
  const std::string& model = t.model;
  const double loss = loss_factor(pdk, t.name, options.use_loss);
  if (model == "mzi") {
    const double theta = get_setting(settings, "theta_rad", where, true, 0.0);
    const double phi = get_setting(settings, "phi_rad", where, true, 0.0);
    const linalg::Mat2 m =
        options.coupler_error ? linalg::mzi_matrix(theta, phi, *options.coupler_error) : linalg::mzi_matrix(theta, phi);
    return four_port(ports, t, loss * m);
  }
  if (model == "attenuator") {
    const double theta = get_setting(settings, "theta_rad", where, true, 0.0);
    const double phi = get_setting(settings, "phi_rad", where, true, 0.0);
    const cdouble bar = (options.coupler_error ? linalg::mzi_matrix(theta, phi, *options.coupler_error)
                                               : linalg::mzi_matrix(theta, phi))(0, 0);
    return two_port(ports, t, loss * bar);
  }
  if (model == "phase_shifter") {
    const double phi = get_setting(settings, "phi_rad", where, true, 0.0);
    return two_port(ports, t, loss * std::polar(1.0, phi));
  }
  if (model == "coupler") {
    const double power = t.has("coupling_power") ? t.number("coupling_power") : 0.5;
    if (!(power >= 0.0 && power <= 1.0)) {
      fail("SIM-UNSUPPORTED-MODEL", fmt::format("template '{}': coupling_power {} outside [0, 1]", t.name, power));
    }
    const double s = std::asin(std::sqrt(power)) + get_setting(settings, "coupling_error_rad", where, false, 0.0);
    return four_port(ports, t, loss * linalg::coupler_matrix(s));
  }
  if (model == "waveguide") {
    const double length_um = get_setting(settings, "length_um", where, false, 0.0);
    if (length_um < 0.0) fail("SIM-BAD-SETTING", fmt::format("{}: length_um {} is negative", where, length_um));
    const double n_eff = t.number("n_eff");
    const double lambda_um = pdk.wavelength_nm.value * 1e-3;
    const double db = options.use_loss && t.has("loss_db_per_cm") ? t.number("loss_db_per_cm") * length_um * 1e-4 : 0.0;
    return two_port(ports, t, db_to_field(db) * std::polar(1.0, 2.0 * linalg::kPi * n_eff * length_um / lambda_um));
  }
  if (model == "modulator") {
    const double amplitude = get_setting(settings, "amplitude", where, false, 1.0);
    return two_port(ports, t, loss * amplitude);
  }
  if (model == "photodetector" || model == "homodyne_receiver" || model == "coupler_io" || model == "electronic") {
    const auto n = static_cast<Eigen::Index>(ports.size());
    return Eigen::MatrixXcd::Zero(n, n);  // light is absorbed (detected or radiated off chip), nothing reflected
  }
  if (model == "eo_activation") {
    fail(
        "SIM-UNSUPPORTED-MODEL",
        fmt::format("{}: the electro-optic activation is nonlinear; the S-matrix solver handles linear components only",
                    where));
  }
  fail("SIM-UNSUPPORTED-MODEL", fmt::format("{}: template '{}' has the compact-model kind '{}', which the simulator "
                                            "does not know",
                                            where, t.name, model));
}

}  // namespace holo::sim
