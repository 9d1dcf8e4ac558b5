#include "fockmix/core/record.hpp"

#include <limits>

namespace fockmix {

double Record::scalar(const std::string& name) const {
  for (const auto& [key, value] : entries_)
    if (key == name && std::holds_alternative<double>(value)) return std::get<double>(value);
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace fockmix
