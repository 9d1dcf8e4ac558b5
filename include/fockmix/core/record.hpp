#pragma once
/// \file A record: the named quantities a solver or a comparison reports at one time, in the order they
/// were put. Names are local to the reporter's HDF5 group ("energy", "gamma_F", "eF_trace"). Scalars also
/// reach the terminal summary and the scans; arrays go to the file only.
#include <armadillo>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace fockmix {

class Record {
 public:
  using Value = std::variant<double, arma::vec, arma::mat, arma::cx_vec, arma::cx_mat>;
  void put(std::string name, Value value) { entries_.emplace_back(std::move(name), std::move(value)); }
  const std::vector<std::pair<std::string, Value>>& entries() const noexcept { return entries_; }
  /// The scalar `name`; NaN if absent or not a scalar.
  double scalar(const std::string& name) const;

 private:
  std::vector<std::pair<std::string, Value>> entries_;
};

}  // namespace fockmix
