// GoogleTest main for the distributed suite: one MPI session for all tests, results printed by rank 0 only, and
// the exit code the worst of all ranks (a failure on any rank fails the run).
#include <gtest/gtest.h>

#include "fockmix/distributed/environment.hpp"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  int rc = 1;
  {
    fockmix::MpiSession session(&argc, &argv);
    if (session.rank() != 0) {
      auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
      delete listeners.Release(listeners.default_result_printer());
    }
    rc = RUN_ALL_TESTS();
    MPI_Allreduce(MPI_IN_PLACE, &rc, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  }
  return rc;
}
