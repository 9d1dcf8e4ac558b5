#pragma once
// Internal to the library: the whole text of a file ("" if it cannot be read), for the copies of model and
// scan files that output files carry.
#include <fstream>
#include <sstream>
#include <string>

namespace fockmix::detail {

inline std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace fockmix::detail
