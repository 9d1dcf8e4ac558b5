#include "fockmix/io/h5.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <type_traits>

#include "fockmix/core/error.hpp"

namespace fockmix::h5 {

static_assert(std::is_same_v<hid_t, std::int64_t>, "fockmix::h5 stores hid_t as std::int64_t (HDF5 >= 1.10)");
static_assert(sizeof(std::complex<double>) == 2 * sizeof(double), "complex<double> must be two packed doubles");

namespace {

// ---------------------------------------------------------------------------------------------
// Errors

/// Turn off HDF5's automatic printing of its error stack (per thread in thread-safe builds).
void quiet() {
  thread_local bool done = false;
  if (!done) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    done = true;
  }
}

herr_t collect_error(unsigned /*n*/, const H5E_error2_t* err, void* data) {
  auto* out = static_cast<std::vector<std::string>*>(data);
  if (err->desc != nullptr && err->desc[0] != '\0') out->emplace_back(err->desc);
  return 0;
}

/// The descriptions on HDF5's error stack (outermost and innermost), then clear it.
std::string hdf5_reason() {
  std::vector<std::string> descs;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_error, &descs);
  H5Eclear2(H5E_DEFAULT);
  if (descs.empty()) return "";
  if (descs.size() == 1 || descs.front() == descs.back()) return " (" + descs.front() + ")";
  return " (" + descs.front() + ": " + descs.back() + ")";
}

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw IoError("HDF5: " + where + ": " + what + hdf5_reason());
}

/// A temporary HDF5 identifier (type, dataspace, property list, attribute) closed on scope exit.
class Tmp {
 public:
  Tmp(hid_t id, herr_t (*close)(hid_t)) noexcept : id_(id), close_(close) {}
  Tmp(Tmp&& other) noexcept : id_(other.id_), close_(other.close_) { other.id_ = -1; }
  Tmp(const Tmp&) = delete;
  Tmp& operator=(const Tmp&) = delete;
  Tmp& operator=(Tmp&&) = delete;
  ~Tmp() {
    if (id_ >= 0) close_(id_);
  }
  hid_t get() const noexcept { return id_; }
  bool ok() const noexcept { return id_ >= 0; }
  /// Give up ownership (the caller closes the identifier).
  hid_t release() noexcept {
    const hid_t id = id_;
    id_ = -1;
    return id;
  }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

// ---------------------------------------------------------------------------------------------
// Types

/// Compound {double r; double i;}: the layout of std::complex<double>, read by h5py as complex128.
Tmp complex_type() {
  Tmp t(H5Tcreate(H5T_COMPOUND, 2 * sizeof(double)), H5Tclose);
  H5Tinsert(t.get(), "r", 0, H5T_NATIVE_DOUBLE);
  H5Tinsert(t.get(), "i", sizeof(double), H5T_NATIVE_DOUBLE);
  return t;
}

/// Enum {FALSE = 0, TRUE = 1} over int8: h5py's (and PyTables') boolean.
Tmp bool_type() {
  Tmp t(H5Tenum_create(H5T_NATIVE_INT8), H5Tclose);
  const std::int8_t no = 0, yes = 1;
  H5Tenum_insert(t.get(), "FALSE", &no);
  H5Tenum_insert(t.get(), "TRUE", &yes);
  return t;
}

/// Variable-length UTF-8 string.
Tmp string_type() {
  Tmp t(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(t.get(), H5T_VARIABLE);
  H5Tset_cset(t.get(), H5T_CSET_UTF8);
  return t;
}

bool is_complex_type(hid_t type) {
  if (H5Tget_class(type) != H5T_COMPOUND || H5Tget_nmembers(type) != 2) return false;
  bool has_r = false, has_i = false;
  for (unsigned k = 0; k < 2; ++k) {
    char* name = H5Tget_member_name(type, k);
    if (name == nullptr) return false;
    has_r = has_r || std::strcmp(name, "r") == 0;
    has_i = has_i || std::strcmp(name, "i") == 0;
    H5free_memory(name);
    if (H5Tget_member_class(type, k) != H5T_FLOAT) return false;
  }
  return has_r && has_i;
}

bool is_real_type(hid_t type) {
  const H5T_class_t c = H5Tget_class(type);
  return c == H5T_FLOAT || c == H5T_INTEGER;
}

// ---------------------------------------------------------------------------------------------
// Dataspaces

Tmp make_space(const std::vector<hsize_t>& dims) {
  if (dims.empty()) return Tmp(H5Screate(H5S_SCALAR), H5Sclose);
  return Tmp(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
}

std::vector<hsize_t> space_dims(hid_t space) {
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank <= 0) return {};
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dims;
}

hsize_t product(const std::vector<hsize_t>& dims) {
  hsize_t n = 1;
  for (hsize_t d : dims) n *= d;
  return n;
}

std::string dims_text(const std::vector<hsize_t>& dims) {
  std::string s = "[";
  for (std::size_t k = 0; k < dims.size(); ++k) s += (k ? ", " : "") + std::to_string(dims[k]);
  return s + "]";
}

// ---------------------------------------------------------------------------------------------
// Links

std::vector<std::string> split_path(const std::string& name) {
  std::vector<std::string> parts;
  std::string cur;
  for (char ch : name) {
    if (ch == '/') {
      if (!cur.empty()) parts.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  if (!cur.empty()) parts.push_back(cur);
  return parts;
}

/// Whether every component of the relative path `name` exists below `loc`.
bool link_exists(hid_t loc, const std::string& name) {
  std::string prefix;
  for (const auto& part : split_path(name)) {
    prefix += (prefix.empty() ? "" : "/") + part;
    const htri_t e = H5Lexists(loc, prefix.c_str(), H5P_DEFAULT);
    if (e <= 0) {
      H5Eclear2(H5E_DEFAULT);
      return false;
    }
  }
  return !prefix.empty();
}

/// Link creation property list that creates missing intermediate groups.
Tmp intermediate_lcpl() {
  Tmp p(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(p.get(), 1);
  return p;
}

std::string join_path(const std::string& base, const std::string& name) {
  std::string out = base;
  for (const auto& part : split_path(name)) out += (out.empty() || out.back() == '/' ? "" : "/") + part;
  return out.empty() ? "/" : out;
}

// ---------------------------------------------------------------------------------------------
// Raw dataset and attribute I/O

void write_dataset(hid_t loc, const std::string& where, const std::string& name, hid_t type,
                   const std::vector<hsize_t>& dims, const void* data) {
  quiet();
  if (split_path(name).empty()) fail(where, "empty dataset name");
  if (link_exists(loc, name) && H5Ldelete(loc, name.c_str(), H5P_DEFAULT) < 0) fail(where, "cannot replace the existing object");
  Tmp space = make_space(dims);
  Tmp lcpl = intermediate_lcpl();
  Tmp ds(H5Dcreate2(loc, name.c_str(), type, space.get(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
  if (!ds.ok()) fail(where, "cannot create the dataset");
  if (product(dims) > 0 && H5Dwrite(ds.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    fail(where, "cannot write the dataset");
}

/// Open a dataset, check that its elements are real numbers (or the complex compound), return its dims.
Tmp open_dataset(hid_t loc, const std::string& where, const std::string& name, bool complex, std::vector<hsize_t>& dims) {
  quiet();
  if (!link_exists(loc, name)) fail(where, "no such dataset");
  Tmp ds(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), H5Dclose);
  if (!ds.ok()) fail(where, "cannot open the dataset");
  Tmp type(H5Dget_type(ds.get()), H5Tclose);
  if (complex && !is_complex_type(type.get())) fail(where, "is not complex (a compound of doubles \"r\" and \"i\")");
  if (!complex && !is_real_type(type.get())) fail(where, "is not an integer or floating-point dataset");
  Tmp space(H5Dget_space(ds.get()), H5Sclose);
  dims = space_dims(space.get());
  return ds;
}

void read_all(hid_t ds, const std::string& where, hid_t mem_type, hsize_t count, void* out) {
  if (count == 0) return;
  if (H5Dread(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0) fail(where, "cannot read the dataset");
}

void require_rank(const std::string& where, const std::vector<hsize_t>& dims, std::size_t rank) {
  if (dims.size() != rank)
    throw IoError("HDF5: " + where + ": expected a dataset of rank " + std::to_string(rank) + ", found shape " +
                  dims_text(dims));
}

void write_attribute(hid_t loc, const std::string& where, const std::string& name, hid_t type,
                     const std::vector<hsize_t>& dims, const void* data) {
  quiet();
  const htri_t exists = H5Aexists(loc, name.c_str());
  if (exists < 0) fail(where, "cannot inspect the attribute");
  if (exists > 0 && H5Adelete(loc, name.c_str()) < 0) fail(where, "cannot replace the existing attribute");
  Tmp space = make_space(dims);
  Tmp attr(H5Acreate2(loc, name.c_str(), type, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (!attr.ok()) fail(where, "cannot create the attribute");
  if (product(dims) > 0 && H5Awrite(attr.get(), type, data) < 0) fail(where, "cannot write the attribute");
}

Tmp open_attribute(hid_t loc, const std::string& where, const std::string& name) {
  quiet();
  const htri_t exists = H5Aexists(loc, name.c_str());
  if (exists <= 0) {
    H5Eclear2(H5E_DEFAULT);
    throw IoError("HDF5: " + where + ": no such attribute");
  }
  Tmp attr(H5Aopen(loc, name.c_str(), H5P_DEFAULT), H5Aclose);
  if (!attr.ok()) fail(where, "cannot open the attribute");
  return attr;
}

/// Every element of a numeric attribute, converted to `mem_type`.
template <class T>
std::vector<T> read_attribute_numbers(hid_t loc, const std::string& where, const std::string& name, hid_t mem_type,
                                      bool integers_only) {
  Tmp attr = open_attribute(loc, where, name);
  Tmp type(H5Aget_type(attr.get()), H5Tclose);
  const H5T_class_t c = H5Tget_class(type.get());
  if (integers_only ? c != H5T_INTEGER : !(c == H5T_INTEGER || c == H5T_FLOAT))
    throw IoError("HDF5: " + where + ": attribute is not " + (integers_only ? "an integer" : "a number"));
  Tmp space(H5Aget_space(attr.get()), H5Sclose);
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  std::vector<T> out(static_cast<std::size_t>(std::max<hssize_t>(n, 0)));
  if (!out.empty() && H5Aread(attr.get(), mem_type, out.data()) < 0) fail(where, "cannot read the attribute");
  return out;
}

template <class T>
T read_attribute_scalar(hid_t loc, const std::string& where, const std::string& name, hid_t mem_type, bool integers_only) {
  const auto v = read_attribute_numbers<T>(loc, where, name, mem_type, integers_only);
  if (v.size() != 1)
    throw IoError("HDF5: " + where + ": expected one value, the attribute holds " + std::to_string(v.size()));
  return v[0];
}

/// Row-major dims of an Armadillo object (so that h5py sees A(i, j) at [i, j]).
std::vector<hsize_t> dims_of(arma::uword rows, arma::uword cols) {
  return {static_cast<hsize_t>(rows), static_cast<hsize_t>(cols)};
}

}  // namespace

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

File File::create(const std::string& path) {
  quiet();
  namespace fs = std::filesystem;
  try {
    const fs::path parent = fs::path(path).parent_path();
    if (!parent.empty()) fs::create_directories(parent);
  } catch (const fs::filesystem_error& e) {
    throw IoError("HDF5: " + path + ": cannot create the parent directory (" + e.code().message() + ")");
  }
  const hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (id < 0) fail(path, "cannot create the file");
  return File(detail::Handle(id, detail::HandleKind::File), path);
}

File File::open(const std::string& path) {
  quiet();
  if (!std::filesystem::exists(path)) throw IoError("HDF5: " + path + ": no such file");
  const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
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
  const arma::mat T = A.t();  // row-major memory of A
  write_dataset(handle_.id(), where(name), name, H5T_NATIVE_DOUBLE, dims_of(A.n_rows, A.n_cols), T.memptr());
}

void Group::write(const std::string& name, const arma::cx_vec& v) const {
  Tmp type = complex_type();
  write_dataset(handle_.id(), where(name), name, type.get(), {static_cast<hsize_t>(v.n_elem)}, v.memptr());
}

void Group::write(const std::string& name, const arma::cx_mat& A) const {
  const arma::cx_mat T = A.st();  // plain (not conjugate) transpose: row-major memory of A
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
  return T.t();
}

arma::cube Group::read_cube(const std::string& name) const {
  std::vector<hsize_t> dims;
  Tmp ds = open_dataset(handle_.id(), where(name), name, false, dims);
  require_rank(where(name), dims, 3);
  arma::cube T(dims[2], dims[1], dims[0]);
  read_all(ds.get(), where(name), H5T_NATIVE_DOUBLE, product(dims), T.memptr());
  arma::cube C(dims[1], dims[2], dims[0]);
  for (arma::uword t = 0; t < C.n_slices; ++t) C.slice(t) = T.slice(t).t();
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

arma::cx_mat Group::read_cx_mat(const std::string& name) const {
  std::vector<hsize_t> dims;
  Tmp ds = open_dataset(handle_.id(), where(name), name, true, dims);
  require_rank(where(name), dims, 2);
  arma::cx_mat T(dims[1], dims[0]);
  Tmp type = complex_type();
  read_all(ds.get(), where(name), type.get(), product(dims), T.memptr());
  return T.st();
}

arma::cx_cube Group::read_cx_cube(const std::string& name) const {
  std::vector<hsize_t> dims;
  Tmp ds = open_dataset(handle_.id(), where(name), name, true, dims);
  require_rank(where(name), dims, 3);
  arma::cx_cube T(dims[2], dims[1], dims[0]);
  Tmp type = complex_type();
  read_all(ds.get(), where(name), type.get(), product(dims), T.memptr());
  arma::cx_cube C(dims[1], dims[2], dims[0]);
  for (arma::uword t = 0; t < C.n_slices; ++t) C.slice(t) = T.slice(t).st();
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

Series Group::series(const std::string& name, std::vector<std::int64_t> record_shape, bool complex) const {
  quiet();
  const std::string w = where(name);
  if (record_shape.size() > 31) throw IoError("HDF5: " + w + ": a record has at most 31 dimensions");
  for (auto d : record_shape)
    if (d < 0) throw IoError("HDF5: " + w + ": negative record dimension " + std::to_string(d));
  Tmp type = complex ? complex_type() : Tmp(H5Tcopy(H5T_NATIVE_DOUBLE), H5Tclose);

  if (link_exists(handle_.id(), name)) {
    Tmp ds(H5Dopen2(handle_.id(), name.c_str(), H5P_DEFAULT), H5Dclose);
    if (!ds.ok()) fail(w, "exists and is not a dataset");
    Tmp ftype(H5Dget_type(ds.get()), H5Tclose);
    if (complex ? !is_complex_type(ftype.get()) : H5Tget_class(ftype.get()) != H5T_FLOAT)
      throw IoError("HDF5: " + w + ": exists with another element type");
    Tmp space(H5Dget_space(ds.get()), H5Sclose);
    const auto dims = space_dims(space.get());
    bool same = dims.size() == record_shape.size() + 1;
    for (std::size_t k = 0; same && k < record_shape.size(); ++k) same = dims[k + 1] == static_cast<hsize_t>(record_shape[k]);
    std::vector<hsize_t> maxdims(dims.size());
    if (same) H5Sget_simple_extent_dims(space.get(), nullptr, maxdims.data());
    if (!same || maxdims[0] != H5S_UNLIMITED)
      throw IoError("HDF5: " + w + ": exists with shape " + dims_text(dims) + ", not an appendable series of records " +
                    dims_text(std::vector<hsize_t>(record_shape.begin(), record_shape.end())));
    const auto size = static_cast<std::int64_t>(dims[0]);
    return Series(detail::Handle(ds.release(), detail::HandleKind::Dataset), std::move(record_shape), complex, size, w);
  }

  // [0, shape...], unlimited in time; zero-size record axes are made unlimited too so that their
  // chunk extent (which must be positive) does not exceed the maximum.
  std::vector<hsize_t> dims{0}, maxdims{H5S_UNLIMITED}, chunk{1};
  hsize_t record_elems = 1;
  for (auto d : record_shape) {
    const auto ud = static_cast<hsize_t>(d);
    dims.push_back(ud);
    maxdims.push_back(ud == 0 ? H5S_UNLIMITED : ud);
    chunk.push_back(std::max<hsize_t>(ud, 1));
    record_elems *= std::max<hsize_t>(ud, 1);
  }
  // about 256 KiB per chunk, between 1 and 4096 records
  const hsize_t record_bytes = record_elems * (complex ? 16 : 8);
  chunk[0] = std::clamp<hsize_t>(hsize_t{262144} / record_bytes, 1, 4096);
  Tmp space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), maxdims.data()), H5Sclose);
  Tmp dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  if (H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()) < 0) fail(w, "cannot set the chunk shape");
  Tmp lcpl = intermediate_lcpl();
  const hid_t id = H5Dcreate2(handle_.id(), name.c_str(), type.get(), space.get(), lcpl.get(), dcpl.get(), H5P_DEFAULT);
  if (id < 0) fail(w, "cannot create the series");
  return Series(detail::Handle(id, detail::HandleKind::Dataset), std::move(record_shape), complex, 0, w);
}

// ---------------------------------------------------------------------------------------------
// Series

void Series::append_raw(const void* data, const std::vector<std::int64_t>& shape, bool complex) {
  quiet();
  auto text = [](const std::vector<std::int64_t>& s) {
    return dims_text(std::vector<hsize_t>(s.begin(), s.end()));
  };
  if (!handle_.valid()) throw IoError("HDF5: " + where_ + ": append to a moved-from series");
  if (complex != complex_)
    throw IoError("HDF5: " + where_ + ": appending a " + (complex ? "complex" : "real") + " record to a " +
                  (complex_ ? "complex" : "real") + " series");
  if (shape != shape_)
    throw IoError("HDF5: " + where_ + ": record of shape " + text(shape) + " appended to a series of records " + text(shape_));
  const hid_t ds = handle_.id();
  std::vector<hsize_t> dims{static_cast<hsize_t>(size_ + 1)}, start{static_cast<hsize_t>(size_)}, count{1};
  for (auto d : shape_) {
    dims.push_back(static_cast<hsize_t>(d));
    start.push_back(0);
    count.push_back(static_cast<hsize_t>(d));
  }
  if (H5Dset_extent(ds, dims.data()) < 0) fail(where_, "cannot extend the series");
  if (product(count) > 0) {
    Tmp fspace(H5Dget_space(ds), H5Sclose);
    if (H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr) < 0)
      fail(where_, "cannot select the record");
    Tmp mspace(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), H5Sclose);
    Tmp type = complex_ ? complex_type() : Tmp(H5Tcopy(H5T_NATIVE_DOUBLE), H5Tclose);
    if (H5Dwrite(ds, type.get(), mspace.get(), fspace.get(), H5P_DEFAULT, data) < 0) fail(where_, "cannot write the record");
  }
  ++size_;
}

void Series::append(double value) { append_raw(&value, {}, false); }

void Series::append(const arma::vec& v) { append_raw(v.memptr(), {static_cast<std::int64_t>(v.n_elem)}, false); }

void Series::append(const arma::mat& A) {
  const arma::mat T = A.t();
  append_raw(T.memptr(), {static_cast<std::int64_t>(A.n_rows), static_cast<std::int64_t>(A.n_cols)}, false);
}

void Series::append(const arma::cx_vec& v) { append_raw(v.memptr(), {static_cast<std::int64_t>(v.n_elem)}, true); }

void Series::append(const arma::cx_mat& A) {
  const arma::cx_mat T = A.st();
  append_raw(T.memptr(), {static_cast<std::int64_t>(A.n_rows), static_cast<std::int64_t>(A.n_cols)}, true);
}

}  // namespace fockmix::h5
