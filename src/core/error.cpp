#include "fockmix/core/error.hpp"

namespace fockmix {

namespace {
std::string join_message(const std::string& file, const std::string& key, const std::string& reason) {
  std::string out;
  if (!file.empty()) out += file + ": ";
  if (!key.empty()) out += key + ": ";
  return out + reason;
}
}  // namespace

InputError::InputError(std::string file, std::string key, std::string reason)
    : Error(join_message(file, key, reason)), file_(std::move(file)), key_(std::move(key)), reason_(std::move(reason)) {}

}  // namespace fockmix
