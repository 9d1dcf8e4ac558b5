#include "fockmix/exact/sector.hpp"

#include <unistd.h>

#include <algorithm>

namespace fockmix {

Sector::Sector(Index sites, Index fermions, Index bosons, Index cap)
    : F_(sites, fermions), B_(sites, bosons, cap), moves_F_(hop_table(F_)), moves_B_(hop_table(B_)) {}

Index Sector::cache_block_rows() const {
  long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
  long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
  if (l3 <= 0) l3 = 16L << 20;
  if (l2 <= 0) l2 = 1L << 20;
  const double budget = std::max(0.5 * static_cast<double>(l3), static_cast<double>(l2));
  Index b = static_cast<Index>(budget / (16.0 * static_cast<double>(std::max<Index>(1, dim_bosons()))));
  b = std::max<Index>(4, b - b % 4);
  return std::min(b, std::max<Index>(1, dim_fermions()));
}

}  // namespace fockmix
