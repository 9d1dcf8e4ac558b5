#pragma once
/// \file A small RAII layer over the HDF5 C API for the run files (SPEC §10): files, groups,
/// attributes, whole datasets and appendable time series. No HDF5 type appears here; every failure
/// throws fockmix::IoError naming the file, the object and the reason.
///
/// Layout conventions, chosen so that h5py reads everything directly:
/// * matrices keep Armadillo's index order: h5py `ds[i, j] == A(i, j)` (dims {n_rows, n_cols});
/// * complex numbers are a compound of two doubles named "r" and "i" (h5py: complex128);
/// * strings are variable-length UTF-8 (h5py: str), booleans the enum {FALSE = 0, TRUE = 1} over
///   int8 (h5py: numpy.bool_), integers 64-bit signed, reals 64-bit IEEE;
/// * a Series is a dataset of shape [time, record_shape...], chunked, unlimited along time.
///
/// Handles are move-only. A Group or Series keeps the file open after its File is destroyed (HDF5's
/// weak close degree): the file closes when its last handle goes.
#include <armadillo>
#include <concepts>
#include <cstdint>
#include <string>
#include <vector>

namespace fockmix::h5 {

namespace detail {

/// Which HDF5 close function an identifier needs.
enum class HandleKind { File, Group, Dataset };

/// An owned HDF5 identifier (hid_t is a 64-bit signed integer since HDF5 1.10), closed on destruction.
class Handle {
 public:
  Handle() = default;
  Handle(std::int64_t id, HandleKind kind) noexcept : id_(id), kind_(kind) {}
  Handle(Handle&& other) noexcept;
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle();

  std::int64_t id() const noexcept { return id_; }
  bool valid() const noexcept { return id_ >= 0; }

 private:
  void close() noexcept;
  std::int64_t id_ = -1;
  HandleKind kind_ = HandleKind::File;
};

}  // namespace detail

class Series;

/// An HDF5 group (the root group of a file included). Names may contain '/' to reach nested objects;
/// missing intermediate groups are created when writing.
class Group {
 public:
  /// Open the subgroup `name`, creating it (and missing intermediate groups) if absent.
  Group group(const std::string& name) const;
  /// Whether a link `name` (group, dataset, ...) exists below this group.
  bool has(const std::string& name) const;
  /// Whether this group has the attribute `name`.
  bool has_attr(const std::string& name) const;
  /// Remove the attribute `name` (nothing happens if it is absent).
  void remove_attr(const std::string& name) const;
  /// HDF5 path of this group inside its file ("/" for the root).
  const std::string& path() const noexcept { return path_; }

  /// Attributes of this group; an existing attribute of the same name is replaced.
  void set_attr(const std::string& name, const std::string& value) const;
  void set_attr(const std::string& name, const char* value) const { set_attr(name, std::string(value)); }
  void set_attr(const std::string& name, double value) const;
  void set_attr(const std::string& name, std::int64_t value) const;
  void set_attr(const std::string& name, bool value) const;
  void set_attr(const std::string& name, const std::vector<double>& values) const;
  void set_attr(const std::string& name, const std::vector<std::int64_t>& values) const;
  /// Any other integer type (int, std::size_t, ...) is stored as a 64-bit signed integer.
  template <std::integral T>
    requires(!std::same_as<T, bool> && !std::same_as<T, std::int64_t>)
  void set_attr(const std::string& name, T value) const {
    set_attr(name, static_cast<std::int64_t>(value));
  }

  /// Read attributes back. attr_double accepts integer attributes, attr_int only integer ones,
  /// attr_bool only the boolean enum; attr_doubles/attr_ints return every element of any shape.
  std::string attr_string(const std::string& name) const;
  double attr_double(const std::string& name) const;
  std::int64_t attr_int(const std::string& name) const;
  bool attr_bool(const std::string& name) const;
  std::vector<double> attr_doubles(const std::string& name) const;
  std::vector<std::int64_t> attr_ints(const std::string& name) const;

  /// Whole datasets; an existing dataset of the same name is replaced. Pass evaluated Armadillo
  /// objects (not expressions). A vector is 1-D [n], a matrix 2-D [n_rows, n_cols] with h5py
  /// ds[i, j] == A(i, j).
  void write(const std::string& name, const arma::vec& v) const;
  void write(const std::string& name, const arma::mat& A) const;
  void write(const std::string& name, const arma::cx_vec& v) const;
  void write(const std::string& name, const arma::cx_mat& A) const;
  void write(const std::string& name, const std::vector<double>& v) const;
  void write(const std::string& name, const std::vector<std::int64_t>& v) const;

  /// Read datasets back. read_vec needs rank 1, read_mat rank 2 (a real Series of vectors reads as
  /// a matrix (time, i)), read_cube rank 3 (a Series of matrices: C.slice(t)(i, j) == ds[t, i, j]).
  /// Integer datasets read as reals; the complex readers need the "r"/"i" compound.
  arma::vec read_vec(const std::string& name) const;
  arma::mat read_mat(const std::string& name) const;
  arma::cube read_cube(const std::string& name) const;
  arma::cx_vec read_cx_vec(const std::string& name) const;
  arma::cx_mat read_cx_mat(const std::string& name) const;
  arma::cx_cube read_cx_cube(const std::string& name) const;
  std::vector<std::int64_t> read_ints(const std::string& name) const;
  /// Read a complex vector dataset into `out`'s own memory (no second copy: for state vectors of
  /// gigabytes). Its length must equal out.n_elem (IoError otherwise).
  void read_into(const std::string& name, arma::cx_vec& out) const;
  /// Dimensions of a dataset (h5py's ds.shape).
  std::vector<std::int64_t> shape(const std::string& name) const;
  /// Every dataset below this group (any depth), as paths relative to it, in HDF5's name order.
  std::vector<std::string> datasets() const;

  /// An appendable dataset [time, record_shape...] (record_shape {} = one scalar per record), chunked
  /// and unlimited along time, of doubles or (complex = true) of the complex compound. If `name`
  /// already exists with the same record shape and type it is reopened and appends continue after
  /// its last record; otherwise an existing object of that name is an error.
  /// \param record_shape entries >= 0 (at most 31 of them)
  Series series(const std::string& name, std::vector<std::int64_t> record_shape, bool complex = false) const;
  /// Cut every appendable series below this group (any depth) that holds more than `records` records
  /// back to its first `records` (HDF5 H5Dset_extent; used by `fockmix run --resume` to drop output
  /// times after a checkpoint). Datasets that are not series are left alone. Returns how many were cut.
  /// Series objects already open on a cut dataset must not be used afterwards (reopen them).
  std::int64_t shrink_series(std::int64_t records) const;

 private:
  friend class File;
  Group(detail::Handle handle, std::string file, std::string path)
      : handle_(std::move(handle)), file_(std::move(file)), path_(std::move(path)) {}
  std::string where(const std::string& name) const;

  detail::Handle handle_;
  std::string file_;  ///< file name, for messages
  std::string path_;  ///< path of the group in the file
};

/// An appendable time series (see Group::series). Each append adds one record along the first axis
/// and must match the record shape and the real/complex type the series was created with.
class Series {
 public:
  void append(double value);             ///< record_shape {}
  void append(const arma::vec& v);       ///< record_shape {n}
  void append(const arma::mat& A);       ///< record_shape {n_rows, n_cols}, h5py ds[t, i, j] == A(i, j)
  void append(const arma::cx_vec& v);    ///< complex, record_shape {n}
  void append(const arma::cx_mat& A);    ///< complex, record_shape {n_rows, n_cols}
  /// Records written so far.
  std::int64_t size() const noexcept { return size_; }
  const std::vector<std::int64_t>& record_shape() const noexcept { return shape_; }
  bool is_complex() const noexcept { return complex_; }

 private:
  friend class Group;
  Series(detail::Handle handle, std::vector<std::int64_t> shape, bool complex, std::int64_t size, std::string where)
      : handle_(std::move(handle)), shape_(std::move(shape)), complex_(complex), size_(size), where_(std::move(where)) {}
  void append_raw(const void* data, const std::vector<std::int64_t>& shape, bool complex);

  detail::Handle handle_;
  std::vector<std::int64_t> shape_;
  bool complex_ = false;
  std::int64_t size_ = 0;
  std::string where_;
};

/// An HDF5 file.
class File {
 public:
  /// How File::create treats an existing file.
  enum class Existing { Truncate, Refuse };
  /// Create `path` for writing, creating missing parent directories. An existing file is truncated
  /// (Existing::Truncate) or left alone with an IoError (Existing::Refuse, HDF5's exclusive create).
  static File create(const std::string& path, Existing existing = Existing::Truncate);
  /// A file that lives only in this process's memory (HDF5's core driver without a backing store):
  /// nothing reaches the disk. For the ranks of a distributed run that do not write the run file
  /// (app/run.hpp, RunHooks::write_output); `name` only appears in messages.
  static File create_in_memory(const std::string& name);
  /// How File::open opens a file.
  enum class Access { ReadOnly, ReadWrite };
  /// Open an existing file, read-only (the default) or for writing (to continue a run; HDF5 then takes
  /// its lock, so a file another process writes is refused with an IoError). Read-only inside one
  /// process also works while a writer holds the same file open (the handles share HDF5's cache).
  static File open(const std::string& path, Access access = Access::ReadOnly);

  /// The root group "/".
  Group root() const;
  /// Write every buffer and all metadata of the file to disk (H5Fflush, global scope): afterwards
  /// the file on disk is complete and readable even if the process is killed. While the writer is
  /// alive HDF5 1.10 holds an exclusive lock on the file, so another process (h5py) can open it only
  /// with the environment variable HDF5_USE_FILE_LOCKING=FALSE; the lock goes when the writer exits
  /// or is killed.
  void flush() const;
  const std::string& path() const noexcept { return path_; }

 private:
  File(detail::Handle handle, std::string path) : handle_(std::move(handle)), path_(std::move(path)) {}
  detail::Handle handle_;
  std::string path_;
};

namespace testing {
/// Test seam: after `appends` more successful Series appends in this process, every further append
/// fails with an IoError as a full disk would (a negative count, the default, never fails).
void fail_appends_after(std::int64_t appends) noexcept;
}  // namespace testing

}  // namespace fockmix::h5
