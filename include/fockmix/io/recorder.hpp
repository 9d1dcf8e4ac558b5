#pragma once
/// \file The HDF5 side of a run: a Recorder appends the records of one solver (or one comparison) to
/// its group, one appendable series per quantity, created on first use (docs/output.md).
#include <map>
#include <string>

#include "fockmix/core/record.hpp"
#include "fockmix/io/h5.hpp"

namespace fockmix {

class Recorder {
 public:
  explicit Recorder(h5::Group group) : group_(std::move(group)) {}
  /// Append every entry of `record` to the series of the same name (scalars: shape [time], vectors
  /// [time, n], matrices [time, n, m]). A name's shape and type must not change between times.
  void append(const Record& record);
  const h5::Group& group() const noexcept { return group_; }

 private:
  h5::Group group_;
  std::map<std::string, h5::Series> series_;
};

}  // namespace fockmix
