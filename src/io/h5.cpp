#include "fockmix/io/h5.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <type_traits>

#include "fockmix/core/error.hpp"
#include "io/h5_internal.hpp"

namespace fockmix::h5 {

static_assert(std::is_same_v<hid_t, std::int64_t>, "fockmix::h5 stores hid_t as std::int64_t (HDF5 >= 1.10)");
static_assert(sizeof(std::complex<double>) == 2 * sizeof(double), "complex<double> must be two packed doubles");

using namespace internal;

// ---------------------------------------------------------------------------------------------
// Handle

namespace detail {

Handle::Handle(Handle&& other) noexcept : id_(other.id_), kind_(other.kind_) { other.id_ = -1; }

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    close();
    id_ = other.id_;
    kind_ = other.kind_;
    other.id_ = -1;
  }
  return *this;
}

Handle::~Handle() { close(); }

void Handle::close() noexcept {
  if (id_ < 0) return;
  switch (kind_) {
    case HandleKind::File: H5Fclose(id_); break;
    case HandleKind::Group: H5Gclose(id_); break;
    case HandleKind::Dataset: H5Dclose(id_); break;
  }
  id_ = -1;
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// File

File File::create(const std::string& path, Existing existing) {
  quiet();
  namespace fs = std::filesystem;
  try {
    const fs::path parent = fs::path(path).parent_path();
    if (!parent.empty()) fs::create_directories(parent);
  } catch (const fs::filesystem_error& e) {
    throw IoError("HDF5: " + path + ": cannot create the parent directory (" + e.code().message() + ")");
  }
  const unsigned flags = existing == Existing::Refuse ? H5F_ACC_EXCL : H5F_ACC_TRUNC;
  const hid_t id = H5Fcreate(path.c_str(), flags, H5P_DEFAULT, H5P_DEFAULT);
  if (id < 0) {
    std::error_code ec;
    if (existing == Existing::Refuse && std::filesystem::exists(path, ec)) {
      H5Eclear2(H5E_DEFAULT);
      throw IoError("HDF5: " + path + ": exists, not overwritten");
    }
    fail(path, "cannot create the file");
  }
  return File(detail::Handle(id, detail::HandleKind::File), path);
}

File File::create_in_memory(const std::string& name) {
  quiet();
  const hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl < 0 || H5Pset_fapl_core(fapl, 1 << 20, 0) < 0) {
    if (fapl >= 0) H5Pclose(fapl);
    fail(name, "cannot set up an in-memory file");
  }
  const hid_t id = H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  H5Pclose(fapl);
  if (id < 0) fail(name, "cannot create an in-memory file");
  return File(detail::Handle(id, detail::HandleKind::File), name);
}

File File::open(const std::string& path, Access access) {
  quiet();
  if (!std::filesystem::exists(path)) throw IoError("HDF5: " + path + ": no such file");
  const hid_t id = H5Fopen(path.c_str(), access == Access::ReadWrite ? H5F_ACC_RDWR : H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0) fail(path, "cannot open the file");
  return File(detail::Handle(id, detail::HandleKind::File), path);
}

Group File::root() const {
  quiet();
  const hid_t id = H5Gopen2(handle_.id(), "/", H5P_DEFAULT);
  if (id < 0) fail(path_, "cannot open the root group");
  return Group(detail::Handle(id, detail::HandleKind::Group), path_, "/");
}

void File::flush() const {
  quiet();
  if (H5Fflush(handle_.id(), H5F_SCOPE_GLOBAL) < 0) fail(path_, "cannot flush the file");
}

// ---------------------------------------------------------------------------------------------
// Group

std::string Group::where(const std::string& name) const { return file_ + ":" + join_path(path_, name); }

Group Group::group(const std::string& name) const {
  quiet();
  if (split_path(name).empty()) throw IoError("HDF5: " + where(name) + ": empty group name");
  hid_t id = -1;
  if (link_exists(handle_.id(), name)) {
    id = H5Gopen2(handle_.id(), name.c_str(), H5P_DEFAULT);
    if (id < 0) fail(where(name), "cannot open the group (is it a dataset?)");
  } else {
    Tmp lcpl = intermediate_lcpl();
    id = H5Gcreate2(handle_.id(), name.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT);
    if (id < 0) fail(where(name), "cannot create the group");
  }
  return Group(detail::Handle(id, detail::HandleKind::Group), file_, join_path(path_, name));
}

bool Group::has(const std::string& name) const {
  quiet();
  return link_exists(handle_.id(), name);
}

bool Group::has_attr(const std::string& name) const {
  quiet();
  return H5Aexists(handle_.id(), name.c_str()) > 0;
}

void Group::remove_attr(const std::string& name) const {
  quiet();
  const htri_t exists = H5Aexists(handle_.id(), name.c_str());
  if (exists < 0) fail(where("@" + name), "cannot inspect the attribute");
  if (exists > 0 && H5Adelete(handle_.id(), name.c_str()) < 0) fail(where("@" + name), "cannot remove the attribute");
}

void Group::set_attr(const std::string& name, const std::string& value) const {
  Tmp type = string_type();
  const char* ptr = value.c_str();
  write_attribute(handle_.id(), where("@" + name), name, type.get(), {}, &ptr);
}

void Group::set_attr(const std::string& name, double value) const {
  write_attribute(handle_.id(), where("@" + name), name, H5T_NATIVE_DOUBLE, {}, &value);
}

void Group::set_attr(const std::string& name, std::int64_t value) const {
  write_attribute(handle_.id(), where("@" + name), name, H5T_NATIVE_INT64, {}, &value);
}

void Group::set_attr(const std::string& name, bool value) const {
  Tmp type = bool_type();
  const std::int8_t v = value ? 1 : 0;
  write_attribute(handle_.id(), where("@" + name), name, type.get(), {}, &v);
}

void Group::set_attr(const std::string& name, const std::vector<double>& values) const {
  write_attribute(handle_.id(), where("@" + name), name, H5T_NATIVE_DOUBLE, {static_cast<hsize_t>(values.size())},
                  values.data());
}

void Group::set_attr(const std::string& name, const std::vector<std::int64_t>& values) const {
  write_attribute(handle_.id(), where("@" + name), name, H5T_NATIVE_INT64, {static_cast<hsize_t>(values.size())},
                  values.data());
}

std::string Group::attr_string(const std::string& name) const {
  const std::string w = where("@" + name);
  Tmp attr = open_attribute(handle_.id(), w, name);
  Tmp type(H5Aget_type(attr.get()), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_STRING) throw IoError("HDF5: " + w + ": attribute is not a string");
  Tmp space(H5Aget_space(attr.get()), H5Sclose);
  if (H5Sget_simple_extent_npoints(space.get()) != 1) throw IoError("HDF5: " + w + ": expected one string");
  if (H5Tis_variable_str(type.get()) > 0) {
    Tmp mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.get(), H5T_VARIABLE);
    H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
    char* ptr = nullptr;
    if (H5Aread(attr.get(), mem.get(), &ptr) < 0) fail(w, "cannot read the attribute");
    std::string out = ptr != nullptr ? std::string(ptr) : std::string();
    H5free_memory(ptr);
    return out;
  }
  const std::size_t size = H5Tget_size(type.get());
  std::string buf(size, '\0');
  if (size > 0 && H5Aread(attr.get(), type.get(), buf.data()) < 0) fail(w, "cannot read the attribute");
  const auto end = buf.find('\0');
  if (end != std::string::npos) buf.resize(end);
  while (!buf.empty() && buf.back() == ' ') buf.pop_back();  // space-padded fixed strings
  return buf;
}

double Group::attr_double(const std::string& name) const {
  return read_attribute_scalar<double>(handle_.id(), where("@" + name), name, H5T_NATIVE_DOUBLE, false);
}

std::int64_t Group::attr_int(const std::string& name) const {
  return read_attribute_scalar<std::int64_t>(handle_.id(), where("@" + name), name, H5T_NATIVE_INT64, true);
}

bool Group::attr_bool(const std::string& name) const {
  const std::string w = where("@" + name);
  Tmp attr = open_attribute(handle_.id(), w, name);
  Tmp type(H5Aget_type(attr.get()), H5Tclose);
  Tmp mine = bool_type();
  if (H5Tget_class(type.get()) != H5T_ENUM || H5Tget_size(type.get()) != 1) throw IoError("HDF5: " + w + ": attribute is not a boolean");
  std::int8_t v = 0;
  if (H5Aread(attr.get(), mine.get(), &v) < 0) fail(w, "cannot read the boolean attribute");
  return v != 0;
}

std::vector<double> Group::attr_doubles(const std::string& name) const {
  return read_attribute_numbers<double>(handle_.id(), where("@" + name), name, H5T_NATIVE_DOUBLE, false);
}

std::vector<std::int64_t> Group::attr_ints(const std::string& name) const {
  return read_attribute_numbers<std::int64_t>(handle_.id(), where("@" + name), name, H5T_NATIVE_INT64, true);
}

// -- whole datasets

void Group::write(const std::string& name, const arma::vec& v) const {
  write_dataset(handle_.id(), where(name), name, H5T_NATIVE_DOUBLE, {static_cast<hsize_t>(v.n_elem)}, v.memptr());
}

void Group::write(const std::string& name, const arma::mat& A) const {
  const arma::mat T = row_major(A);
  write_dataset(handle_.id(), where(name), name, H5T_NATIVE_DOUBLE, dims_of(A.n_rows, A.n_cols), T.memptr());
}

void Group::write(const std::string& name, const arma::cx_vec& v) const {
  Tmp type = complex_type();
  write_dataset(handle_.id(), where(name), name, type.get(), {static_cast<hsize_t>(v.n_elem)}, v.memptr());
}

void Group::write(const std::string& name, const arma::cx_mat& A) const {
  const arma::cx_mat T = row_major(A);
  Tmp type = complex_type();
  write_dataset(handle_.id(), where(name), name, type.get(), dims_of(A.n_rows, A.n_cols), T.memptr());
}

void Group::write(const std::string& name, const std::vector<double>& v) const {
  write_dataset(handle_.id(), where(name), name, H5T_NATIVE_DOUBLE, {static_cast<hsize_t>(v.size())}, v.data());
}

void Group::write(const std::string& name, const std::vector<std::int64_t>& v) const {
  write_dataset(handle_.id(), where(name), name, H5T_NATIVE_INT64, {static_cast<hsize_t>(v.size())}, v.data());
}

arma::vec Group::read_vec(const std::string& name) const {
  std::vector<hsize_t> dims;
  Tmp ds = open_dataset(handle_.id(), where(name), name, false, dims);
  require_rank(where(name), dims, 1);
  arma::vec v(dims[0]);
  read_all(ds.get(), where(name), H5T_NATIVE_DOUBLE, dims[0], v.memptr());
  return v;
}

arma::mat Group::read_mat(const std::string& name) const {
  std::vector<hsize_t> dims;
  Tmp ds = open_dataset(handle_.id(), where(name), name, false, dims);
  require_rank(where(name), dims, 2);
  arma::mat T(dims[1], dims[0]);  // row-major [i, j] is column-major T(j, i)
  read_all(ds.get(), where(name), H5T_NATIVE_DOUBLE, product(dims), T.memptr());
  return from_row_major(T);
}

arma::cube Group::read_cube(const std::string& name) const {
  std::vector<hsize_t> dims;
  Tmp ds = open_dataset(handle_.id(), where(name), name, false, dims);
  require_rank(where(name), dims, 3);
  arma::cube T(dims[2], dims[1], dims[0]);
  read_all(ds.get(), where(name), H5T_NATIVE_DOUBLE, product(dims), T.memptr());
  arma::cube C(dims[1], dims[2], dims[0]);
  for (arma::uword t = 0; t < C.n_slices; ++t) C.slice(t) = from_row_major(arma::mat(T.slice(t)));
  return C;
}

arma::cx_vec Group::read_cx_vec(const std::string& name) const {
  std::vector<hsize_t> dims;
  Tmp ds = open_dataset(handle_.id(), where(name), name, true, dims);
  require_rank(where(name), dims, 1);
  arma::cx_vec v(dims[0]);
  Tmp type = complex_type();
  read_all(ds.get(), where(name), type.get(), dims[0], v.memptr());
  return v;
}

void Group::read_into(const std::string& name, arma::cx_vec& out) const {
  std::vector<hsize_t> dims;
  Tmp ds = open_dataset(handle_.id(), where(name), name, true, dims);
  require_rank(where(name), dims, 1);
  if (dims[0] != static_cast<hsize_t>(out.n_elem))
    throw IoError("HDF5: " + where(name) + ": holds " + std::to_string(dims[0]) + " entries, expected " + std::to_string(out.n_elem));
  Tmp type = complex_type();
  read_all(ds.get(), where(name), type.get(), dims[0], out.memptr());
}

arma::cx_mat Group::read_cx_mat(const std::string& name) const {
  std::vector<hsize_t> dims;
  Tmp ds = open_dataset(handle_.id(), where(name), name, true, dims);
  require_rank(where(name), dims, 2);
  arma::cx_mat T(dims[1], dims[0]);
  Tmp type = complex_type();
  read_all(ds.get(), where(name), type.get(), product(dims), T.memptr());
  return from_row_major(T);
}

arma::cx_cube Group::read_cx_cube(const std::string& name) const {
  std::vector<hsize_t> dims;
  Tmp ds = open_dataset(handle_.id(), where(name), name, true, dims);
  require_rank(where(name), dims, 3);
  arma::cx_cube T(dims[2], dims[1], dims[0]);
  Tmp type = complex_type();
  read_all(ds.get(), where(name), type.get(), product(dims), T.memptr());
  arma::cx_cube C(dims[1], dims[2], dims[0]);
  for (arma::uword t = 0; t < C.n_slices; ++t) C.slice(t) = from_row_major(arma::cx_mat(T.slice(t)));
  return C;
}

std::vector<std::int64_t> Group::read_ints(const std::string& name) const {
  std::vector<hsize_t> dims;
  Tmp ds = open_dataset(handle_.id(), where(name), name, false, dims);
  require_rank(where(name), dims, 1);
  Tmp type(H5Dget_type(ds.get()), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_INTEGER) throw IoError("HDF5: " + where(name) + ": is not an integer dataset");
  std::vector<std::int64_t> v(dims[0]);
  read_all(ds.get(), where(name), H5T_NATIVE_INT64, dims[0], v.data());
  return v;
}

std::vector<std::int64_t> Group::shape(const std::string& name) const {
  quiet();
  if (!link_exists(handle_.id(), name)) throw IoError("HDF5: " + where(name) + ": no such dataset");
  Tmp ds(H5Dopen2(handle_.id(), name.c_str(), H5P_DEFAULT), H5Dclose);
  if (!ds.ok()) fail(where(name), "cannot open the dataset");
  Tmp space(H5Dget_space(ds.get()), H5Sclose);
  std::vector<std::int64_t> out;
  for (hsize_t d : space_dims(space.get())) out.push_back(static_cast<std::int64_t>(d));
  return out;
}

// -- series

std::vector<std::string> Group::datasets() const {
  quiet();
  struct Visit {
    static herr_t one(hid_t loc, const char* name, const H5L_info_t* info, void* data) {
      if (info->type != H5L_TYPE_HARD) return 0;
      const hid_t obj = H5Oopen(loc, name, H5P_DEFAULT);
      if (obj < 0) return -1;
      if (H5Iget_type(obj) == H5I_DATASET) static_cast<std::vector<std::string>*>(data)->emplace_back(name);
      H5Oclose(obj);
      return 0;
    }
  };
  std::vector<std::string> out;
  if (H5Lvisit(handle_.id(), H5_INDEX_NAME, H5_ITER_INC, Visit::one, &out) < 0) fail(path_, "cannot list the datasets");
  return out;
}

}  // namespace fockmix::h5
