#pragma once
// Internal to src/io/h5*.cpp: the HDF5 C-API helpers behind fockmix::h5 (errors, types, spaces, paths,
// raw dataset and attribute I/O). Not installed.
#include <hdf5.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "fockmix/core/error.hpp"
#include "fockmix/io/h5.hpp"

namespace fockmix::h5::internal {

// ---------------------------------------------------------------------------------------------
// Errors

/// Turn off HDF5's automatic printing of its error stack (per thread in thread-safe builds).
inline void quiet() {
  thread_local bool done = false;
  if (!done) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    done = true;
  }
}

inline herr_t collect_error(unsigned /*n*/, const H5E_error2_t* err, void* data) {
  auto* out = static_cast<std::vector<std::string>*>(data);
  if (err->desc != nullptr && err->desc[0] != '\0') out->emplace_back(err->desc);
  return 0;
}

/// The descriptions on HDF5's error stack (outermost and innermost), then clear it.
inline std::string hdf5_reason() {
  std::vector<std::string> descs;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_error, &descs);
  H5Eclear2(H5E_DEFAULT);
  if (descs.empty()) return "";
  if (descs.size() == 1 || descs.front() == descs.back()) return " (" + descs.front() + ")";
  return " (" + descs.front() + ": " + descs.back() + ")";
}

[[noreturn]] inline void fail(const std::string& where, const std::string& what) {
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
inline Tmp complex_type() {
  Tmp t(H5Tcreate(H5T_COMPOUND, 2 * sizeof(double)), H5Tclose);
  H5Tinsert(t.get(), "r", 0, H5T_NATIVE_DOUBLE);
  H5Tinsert(t.get(), "i", sizeof(double), H5T_NATIVE_DOUBLE);
  return t;
}

/// Enum {FALSE = 0, TRUE = 1} over int8: h5py's (and PyTables') boolean.
inline Tmp bool_type() {
  Tmp t(H5Tenum_create(H5T_NATIVE_INT8), H5Tclose);
  const std::int8_t no = 0, yes = 1;
  H5Tenum_insert(t.get(), "FALSE", &no);
  H5Tenum_insert(t.get(), "TRUE", &yes);
  return t;
}

/// Variable-length UTF-8 string.
inline Tmp string_type() {
  Tmp t(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(t.get(), H5T_VARIABLE);
  H5Tset_cset(t.get(), H5T_CSET_UTF8);
  return t;
}

inline bool is_complex_type(hid_t type) {
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

inline bool is_real_type(hid_t type) {
  const H5T_class_t c = H5Tget_class(type);
  return c == H5T_FLOAT || c == H5T_INTEGER;
}

// ---------------------------------------------------------------------------------------------
// Dataspaces

inline Tmp make_space(const std::vector<hsize_t>& dims) {
  if (dims.empty()) return Tmp(H5Screate(H5S_SCALAR), H5Sclose);
  return Tmp(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
}

inline std::vector<hsize_t> space_dims(hid_t space) {
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank <= 0) return {};
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dims;
}

inline hsize_t product(const std::vector<hsize_t>& dims) {
  hsize_t n = 1;
  for (hsize_t d : dims) n *= d;
  return n;
}

inline std::string dims_text(const std::vector<hsize_t>& dims) {
  std::string s = "[";
  for (std::size_t k = 0; k < dims.size(); ++k) s += (k ? ", " : "") + std::to_string(dims[k]);
  return s + "]";
}

// ---------------------------------------------------------------------------------------------
// Links

inline std::vector<std::string> split_path(const std::string& name) {
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
inline bool link_exists(hid_t loc, const std::string& name) {
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
inline Tmp intermediate_lcpl() {
  Tmp p(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(p.get(), 1);
  return p;
}

inline std::string join_path(const std::string& base, const std::string& name) {
  std::string out = base;
  for (const auto& part : split_path(name)) out += (out.empty() || out.back() == '/' ? "" : "/") + part;
  return out.empty() ? "/" : out;
}

// ---------------------------------------------------------------------------------------------
// Raw dataset and attribute I/O

inline void write_dataset(hid_t loc, const std::string& where, const std::string& name, hid_t type,
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
inline Tmp open_dataset(hid_t loc, const std::string& where, const std::string& name, bool complex, std::vector<hsize_t>& dims) {
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

inline void read_all(hid_t ds, const std::string& where, hid_t mem_type, hsize_t count, void* out) {
  if (count == 0) return;
  if (H5Dread(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0) fail(where, "cannot read the dataset");
}

inline void require_rank(const std::string& where, const std::vector<hsize_t>& dims, std::size_t rank) {
  if (dims.size() != rank)
    throw IoError("HDF5: " + where + ": expected a dataset of rank " + std::to_string(rank) + ", found shape " +
                  dims_text(dims));
}

inline void write_attribute(hid_t loc, const std::string& where, const std::string& name, hid_t type,
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

inline Tmp open_attribute(hid_t loc, const std::string& where, const std::string& name) {
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
inline std::vector<T> read_attribute_numbers(hid_t loc, const std::string& where, const std::string& name, hid_t mem_type,
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
inline T read_attribute_scalar(hid_t loc, const std::string& where, const std::string& name, hid_t mem_type, bool integers_only) {
  const auto v = read_attribute_numbers<T>(loc, where, name, mem_type, integers_only);
  if (v.size() != 1)
    throw IoError("HDF5: " + where + ": expected one value, the attribute holds " + std::to_string(v.size()));
  return v[0];
}

/// Row-major dims of an Armadillo object (so that h5py sees A(i, j) at [i, j]).
inline std::vector<hsize_t> dims_of(arma::uword rows, arma::uword cols) {
  return {static_cast<hsize_t>(rows), static_cast<hsize_t>(cols)};
}

/// A's elements in row-major order (the memory of its plain transpose). Armadillo's transpose of an n x 0
/// matrix reads through a null pointer, so an empty matrix gives an empty result.
template <class Matrix>
Matrix row_major(const Matrix& A) {
  return A.is_empty() ? Matrix() : Matrix(arma::strans(A));
}

/// The matrix whose row-major elements T holds (T is its plain transpose); empty T gives the right shape.
template <class Matrix>
Matrix from_row_major(const Matrix& T) {
  return T.is_empty() ? Matrix(T.n_cols, T.n_rows) : Matrix(arma::strans(T));
}

}  // namespace fockmix::h5::internal
