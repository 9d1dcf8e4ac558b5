#include "fockmix/distributed/distributed_hamiltonian.hpp"
#include "fockmix/exact/initial_state.hpp"

#include <algorithm>
#include <complex>
#include <memory>
#include <string>

namespace fockmix {

namespace {

static_assert(sizeof(PetscScalar) == sizeof(cplx), "FOCKMIX_MPI needs PETSc built with complex double scalars");

const cplx* as_cplx(const PetscScalar* p) { return reinterpret_cast<const cplx*>(p); }
cplx* as_cplx(PetscScalar* p) { return reinterpret_cast<cplx*>(p); }

/// MatMult of the shell: exceptions must not cross PETSc's C frames, so they become an error code.
PetscErrorCode shell_mult(Mat A, Vec x, Vec y) {
  void* ctx = nullptr;
  if (MatShellGetContext(A, &ctx) != 0 || ctx == nullptr) return PETSC_ERR_ARG_WRONGSTATE;
  try {
    static_cast<DistributedHamiltonian*>(ctx)->apply(x, y);
  } catch (...) {
    return PETSC_ERR_LIB;
  }
  return 0;
}

}  // namespace

GhostExchange::GhostExchange(Vec layout, const std::vector<Index>& ghosts, Index DF, Index DB)
    : ghosts_(ghosts), slot_(static_cast<std::size_t>(DB), -1) {
  const Index n = static_cast<Index>(ghosts_.size());
  std::vector<PetscInt> blocks(ghosts_.size());
  for (Index k = 0; k < n; ++k) {
    const Index j = ghosts_[k];
    if (j < 0 || j >= DB || (k > 0 && ghosts_[k - 1] >= j)) throw InputError("", "ghosts", "must be sorted distinct columns in [0, D_B)");
    slot_[j] = static_cast<std::int32_t>(k);
    blocks[k] = static_cast<PetscInt>(j);
  }
  petsc_check(VecCreateSeq(PETSC_COMM_SELF, static_cast<PetscInt>(n * DF), buffer_.out()), "VecCreateSeq (ghost columns)");
  // column j' is the block j' of D_F entries of the distributed vector (global index i + j' D_F)
  PetscIS from;
  petsc_check(ISCreateBlock(PETSC_COMM_SELF, static_cast<PetscInt>(DF), static_cast<PetscInt>(n), blocks.data(), PETSC_COPY_VALUES,
                            from.out()),
              "ISCreateBlock (ghost columns)");
  petsc_check(VecScatterCreate(layout, from.get(), buffer_.get(), nullptr, scatter_.out()), "VecScatterCreate (ghost columns)");
}

void GhostExchange::fetch(Vec psi) {
  petsc_check(VecScatterBegin(scatter_.get(), psi, buffer_.get(), INSERT_VALUES, SCATTER_FORWARD), "VecScatterBegin");
  petsc_check(VecScatterEnd(scatter_.get(), psi, buffer_.get(), INSERT_VALUES, SCATTER_FORWARD), "VecScatterEnd");
  // a sequential Vec keeps its array: the pointer stays valid until the buffer is destroyed
  const PetscScalar* a = nullptr;
  petsc_check(VecGetArrayRead(buffer_.get(), &a), "VecGetArrayRead (ghost columns)");
  data_ = as_cplx(a);
  petsc_check(VecRestoreArrayRead(buffer_.get(), &a), "VecRestoreArrayRead (ghost columns)");
}

DistributedHamiltonian::DistributedHamiltonian(const SectorHamiltonian& H, MPI_Comm comm)
    : H_(H), comm_(comm), DF_(H.sector().dim_fermions()), DB_(H.sector().dim_bosons()) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm_, &rank);
  MPI_Comm_size(comm_, &size);
  const double D = static_cast<double>(DF_) * static_cast<double>(DB_);
  if (D > static_cast<double>(PETSC_MAX_INT))
    throw CapacityError("distributed engine: the sector dimension " + std::to_string(DF_ * DB_) +
                        " exceeds PETSc's index range (" + std::to_string(static_cast<long long>(PETSC_MAX_INT)) +
                        "; a PETSc built with 64-bit indices is needed)");
  const ColumnSplit split{DB_, size};
  j0_ = split.first(rank);
  j1_ = split.last(rank);
  PetscVec layout = create_vector();
  exchange_ = std::make_unique<GhostExchange>(layout.get(), H_.boson_neighbours(j0_, j1_), DF_, DB_);
  const auto n = static_cast<PetscInt>(local_size());
  const auto N = static_cast<PetscInt>(DF_ * DB_);
  petsc_check(MatCreateShell(comm_, n, n, N, N, this, A_.out()), "MatCreateShell");
  petsc_check(MatShellSetOperation(A_.get(), MATOP_MULT, reinterpret_cast<void (*)(void)>(&shell_mult)), "MatShellSetOperation");
  petsc_check(MatSetOption(A_.get(), MAT_HERMITIAN, PETSC_TRUE), "MatSetOption (Hermitian)");
}

PetscVec DistributedHamiltonian::create_vector() const {
  PetscVec v;
  petsc_check(VecCreateMPI(comm_, static_cast<PetscInt>(local_size()), static_cast<PetscInt>(DF_ * DB_), v.out()), "VecCreateMPI");
  petsc_check(VecSet(v.get(), 0.0), "VecSet");
  return v;
}

void DistributedHamiltonian::apply(Vec in, Vec out) {
  const double t0 = MPI_Wtime();
  exchange_->fetch(in);
  const double t1 = MPI_Wtime();
  const PetscScalar* x = nullptr;
  PetscScalar* y = nullptr;
  petsc_check(VecGetArrayRead(in, &x), "VecGetArrayRead");
  petsc_check(VecGetArrayWrite(out, &y), "VecGetArrayWrite");
  H_.apply_columns(j0_, j1_, as_cplx(x), exchange_->ghosts(), exchange_->slot(), as_cplx(y));
  petsc_check(VecRestoreArrayWrite(out, &y), "VecRestoreArrayWrite");
  petsc_check(VecRestoreArrayRead(in, &x), "VecRestoreArrayRead");
  exchange_seconds_ += t1 - t0;
  kernel_seconds_ += MPI_Wtime() - t1;
  ++matvecs_;
}

double DistributedHamiltonian::ghost_bytes() const noexcept {
  return static_cast<double>(exchange_->size()) * static_cast<double>(DF_) * static_cast<double>(sizeof(cplx));
}

PetscVec distributed_product_state(const DistributedHamiltonian& H, const arma::cx_mat& orbitals, const arma::cx_vec& phi) {
  const Sector& s = H.serial().sector();
  const arma::cx_vec f = slater_determinant(s.fermions(), orbitals);  // D_F
  const arma::cx_vec b = product_bosons(s.bosons(), phi);             // D_B
  const Index DF = s.dim_fermions();
  PetscVec psi = H.create_vector();
  PetscScalar* y = nullptr;
  petsc_check(VecGetArrayWrite(psi.get(), &y), "VecGetArrayWrite");
  cplx* out = as_cplx(y);
  for (Index j = H.first_column(); j < H.last_column(); ++j)
    for (Index i = 0; i < DF; ++i) out[(j - H.first_column()) * DF + i] = f(i) * b(j);
  petsc_check(VecRestoreArrayWrite(psi.get(), &y), "VecRestoreArrayWrite");
  return psi;
}

double distributed_energy(DistributedHamiltonian& H, Vec psi, Vec scratch) {
  H.apply(psi, scratch);
  PetscScalar e = 0.0;
  petsc_check(VecDot(scratch, psi, &e), "VecDot");  // VecDot(x, y) = y^H x
  return PetscRealPart(e);
}

void scatter_from_full(const cplx* full, Vec psi) {
  PetscInt lo = 0, hi = 0;
  petsc_check(VecGetOwnershipRange(psi, &lo, &hi), "VecGetOwnershipRange");
  PetscScalar* y = nullptr;
  petsc_check(VecGetArrayWrite(psi, &y), "VecGetArrayWrite");
  std::copy(full + lo, full + hi, as_cplx(y));
  petsc_check(VecRestoreArrayWrite(psi, &y), "VecRestoreArrayWrite");
}

std::vector<cplx> gather_to_all(Vec psi) {
  PetscScatter to_all;
  PetscVec all;
  petsc_check(VecScatterCreateToAll(psi, to_all.out(), all.out()), "VecScatterCreateToAll");
  petsc_check(VecScatterBegin(to_all.get(), psi, all.get(), INSERT_VALUES, SCATTER_FORWARD), "VecScatterBegin");
  petsc_check(VecScatterEnd(to_all.get(), psi, all.get(), INSERT_VALUES, SCATTER_FORWARD), "VecScatterEnd");
  PetscInt n = 0;
  petsc_check(VecGetSize(all.get(), &n), "VecGetSize");
  const PetscScalar* a = nullptr;
  petsc_check(VecGetArrayRead(all.get(), &a), "VecGetArrayRead");
  std::vector<cplx> out(as_cplx(a), as_cplx(a) + n);
  petsc_check(VecRestoreArrayRead(all.get(), &a), "VecRestoreArrayRead");
  return out;
}

}  // namespace fockmix
