#include "fockmix/model/model.hpp"

#include <cmath>

namespace fockmix {

std::string to_string(InitKind k) {
  switch (k) {
    case InitKind::Trap: return "trap";
    case InitKind::PlaneWaves: return "plane_waves";
    case InitKind::Packet: return "packet";
    case InitKind::Hartree: return "hartree";
    case InitKind::File: return "file";
  }
  return "?";
}

std::string to_string(HartreeScheme s) { return s == HartreeScheme::TripleJump4 ? "triple_jump4" : "midpoint2"; }

std::string describe(HartreeScheme s) {
  return s == HartreeScheme::TripleJump4 ? "triple jump of the self-consistent exponential midpoint (order 4)"
                                         : "self-consistent exponential midpoint (order 2)";
}

std::vector<double> Model::output_times() const {
  std::vector<double> times{0.0};
  const double T = t_final, dt = output_every;
  if (!(T > 0.0) || !(dt > 0.0) || !std::isfinite(T) || !std::isfinite(dt)) return times;
  const double ratio = T / dt;
  if (!(ratio < max_output_times)) return times;  // validate() rejects this; never allocate without bound
  // k full steps fit; if k + 1 steps land on T within 1e-9 relative, T is a multiple of dt.
  auto k = static_cast<Index>(std::floor(ratio));
  if (std::abs(static_cast<double>(k + 1) * dt - T) <= 1e-9 * T) ++k;
  const bool multiple = std::abs(static_cast<double>(k) * dt - T) <= 1e-9 * T;
  times.reserve(static_cast<std::size_t>(k) + 2);
  for (Index i = 1; i <= k; ++i) times.push_back(static_cast<double>(i) * dt);
  if (multiple)
    times.back() = T;  // exactly T, not k * dt up to rounding
  else
    times.push_back(T);
  return times;
}

}  // namespace fockmix
