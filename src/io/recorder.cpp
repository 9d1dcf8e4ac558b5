#include "fockmix/io/recorder.hpp"

#include <type_traits>

namespace fockmix {

namespace {

std::vector<std::int64_t> shape_of(double) { return {}; }
std::vector<std::int64_t> shape_of(const arma::vec& v) { return {static_cast<std::int64_t>(v.n_elem)}; }
std::vector<std::int64_t> shape_of(const arma::mat& A) {
  return {static_cast<std::int64_t>(A.n_rows), static_cast<std::int64_t>(A.n_cols)};
}
std::vector<std::int64_t> shape_of(const arma::cx_vec& v) { return {static_cast<std::int64_t>(v.n_elem)}; }
std::vector<std::int64_t> shape_of(const arma::cx_mat& A) {
  return {static_cast<std::int64_t>(A.n_rows), static_cast<std::int64_t>(A.n_cols)};
}

}  // namespace

void Recorder::append(const Record& record) {
  for (const auto& [name, value] : record.entries()) {
    std::visit(
        [&, &name = name](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          constexpr bool complex = std::is_same_v<T, arma::cx_vec> || std::is_same_v<T, arma::cx_mat>;
          auto it = series_.find(name);
          if (it == series_.end()) it = series_.emplace(name, group_.series(name, shape_of(v), complex)).first;
          it->second.append(v);
        },
        value);
  }
}

}  // namespace fockmix
