// fockmix::h5 appendable time series (Group::series, Series::append): datasets of shape [time, record...],
// chunked and unlimited along time.
#include <hdf5.h>

#include <atomic>

#include "fockmix/io/h5.hpp"
#include "io/h5_internal.hpp"

namespace fockmix::h5 {

using namespace internal;

namespace {
/// Successful appends left before the injected failure (testing::fail_appends_after); < 0: never.
std::atomic<std::int64_t> appends_left{-1};

/// Whether the test seam makes this append fail; counts it down otherwise.
bool injected_failure() noexcept {
  std::int64_t n = appends_left.load();
  while (n >= 0) {
    if (n == 0) return true;
    if (appends_left.compare_exchange_weak(n, n - 1)) return false;
  }
  return false;
}
}  // namespace

void testing::fail_appends_after(std::int64_t appends) noexcept { appends_left.store(appends); }

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

std::int64_t Group::shrink_series(std::int64_t records) const {
  quiet();
  if (records < 0) throw IoError("HDF5: " + path_ + ": cannot keep a negative number of records");
  std::int64_t cut = 0;
  for (const std::string& name : datasets()) {
    const std::string w = where(name);
    Tmp ds(H5Dopen2(handle_.id(), name.c_str(), H5P_DEFAULT), H5Dclose);
    if (!ds.ok()) fail(w, "cannot open the dataset");
    Tmp space(H5Dget_space(ds.get()), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank <= 0) continue;  // scalar or null dataspace: not a series
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank)), maxdims(static_cast<std::size_t>(rank));
    H5Sget_simple_extent_dims(space.get(), dims.data(), maxdims.data());
    if (maxdims[0] != H5S_UNLIMITED || dims[0] <= static_cast<hsize_t>(records)) continue;
    dims[0] = static_cast<hsize_t>(records);
    if (H5Dset_extent(ds.get(), dims.data()) < 0) fail(w, "cannot shrink the series");
    ++cut;
  }
  return cut;
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
  if (injected_failure()) throw IoError("HDF5: " + where_ + ": cannot write the record (injected failure: disk full)");
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
    if (H5Dwrite(ds, type.get(), mspace.get(), fspace.get(), H5P_DEFAULT, data) < 0) {
      const std::string reason = hdf5_reason();
      dims[0] = static_cast<hsize_t>(size_);  // a failed record is not left behind as a row of fill values
      H5Dset_extent(ds, dims.data());
      H5Eclear2(H5E_DEFAULT);
      throw IoError("HDF5: " + where_ + ": cannot write the record" + reason);
    }
  }
  ++size_;
}

void Series::append(double value) { append_raw(&value, {}, false); }

void Series::append(const arma::vec& v) { append_raw(v.memptr(), {static_cast<std::int64_t>(v.n_elem)}, false); }

void Series::append(const arma::mat& A) {
  const arma::mat T = row_major(A);
  append_raw(T.memptr(), {static_cast<std::int64_t>(A.n_rows), static_cast<std::int64_t>(A.n_cols)}, false);
}

void Series::append(const arma::cx_vec& v) { append_raw(v.memptr(), {static_cast<std::int64_t>(v.n_elem)}, true); }

void Series::append(const arma::cx_mat& A) {
  const arma::cx_mat T = row_major(A);
  append_raw(T.memptr(), {static_cast<std::int64_t>(A.n_rows), static_cast<std::int64_t>(A.n_cols)}, true);
}

}  // namespace fockmix::h5
