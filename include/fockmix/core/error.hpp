#pragma once
/// \file The small exception hierarchy of fockmix: invalid input throws, solver outcomes are values.
#include <stdexcept>
#include <string>

namespace fockmix {

/// Base of every exception fockmix throws.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Invalid input: a model file, a key, a value or an argument that cannot be used.
/// what() reads "FILE: KEY: REASON" (parts that are empty are left out).
class InputError : public Error {
 public:
  InputError(std::string file, std::string key, std::string reason);
  const std::string& file() const noexcept { return file_; }
  const std::string& key() const noexcept { return key_; }
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string file_, key_, reason_;
};

/// A problem too large to represent or to fit in memory (dimension overflow, memory estimate).
class CapacityError : public Error {
 public:
  using Error::Error;
};

/// Failure reading or writing a file (HDF5, tables).
class IoError : public Error {
 public:
  using Error::Error;
};

}  // namespace fockmix
