#include "fockmix/exact/sector.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string>

namespace fockmix {

namespace {

/// Size in bytes of the data cache of `level` seen by CPU 0, from sysfs (glibc's sysconf reports the
/// whole package's L3 on some machines, 8x what one core shares); 0 if unknown.
long cache_bytes(int level) {
  for (int k = 0; k < 8; ++k) {
    const std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(k) + "/";
    std::ifstream lv(dir + "level"), ty(dir + "type"), sz(dir + "size");
    int l = 0;
    std::string type, size;
    if (!(lv >> l) || !(ty >> type) || !(sz >> size)) continue;
    if (l != level || type == "Instruction") continue;
    long v = std::stol(size);
    if (size.back() == 'K') v <<= 10;
    if (size.back() == 'M') v <<= 20;
    return v;
  }
  return 0;
}

}  // namespace

Sector::Sector(Index sites, Index fermions, Index bosons, Index cap)
    : F_(sites, fermions), B_(sites, bosons, cap), moves_F_(hop_table(F_)), moves_B_(hop_table(B_)) {}

Index Sector::cache_block_rows() const {
  static const long l3 = [] {
    const long v = cache_bytes(3);
    return v > 0 ? v : std::clamp(sysconf(_SC_LEVEL3_CACHE_SIZE), 4L << 20, 32L << 20);
  }();
  static const long l2 = [] {
    const long v = cache_bytes(2);
    return v > 0 ? v : std::max(sysconf(_SC_LEVEL2_CACHE_SIZE), 256L << 10);
  }();
  const double budget = std::max(0.5 * static_cast<double>(l3), static_cast<double>(l2));
  Index b = static_cast<Index>(budget / (16.0 * static_cast<double>(std::max<Index>(1, dim_bosons()))));
  b = std::max<Index>(4, b - b % 4);
  return std::min(b, std::max<Index>(1, dim_fermions()));
}

}  // namespace fockmix
