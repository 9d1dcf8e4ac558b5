#pragma once
/// \file Checkpoints of a run (`fockmix run --resume`, docs/output.md "Checkpoint"): a separate HDF5 file
/// `FILE.ckpt` beside the run file FILE, holding everything the solvers need to continue from one output
/// time bitwise-identically. It is written to `FILE.ckpt.partial` and renamed over `FILE.ckpt` only when
/// complete (after an fsync), so a crash while writing leaves the previous checkpoint as it was.
///
/// Layout: root attributes `program`, `version`, `run_id` (the run file's own `run_id`), `output_index`
/// (the index into the run file's `/times` the state belongs to), `t`, `unconverged_steps`, `seconds`
/// (wall-clock seconds of the run up to this output), `solvers` (their names, comma-separated); a group
/// `model` with the model echo (io/model_h5.hpp); and one group per solver written by the solver itself
/// (Solver::save_state).
#include <cstdint>
#include <memory>
#include <string>

#include "fockmix/io/h5.hpp"
#include "fockmix/model/model.hpp"

namespace fockmix {

/// The checkpoint file of the run file `output`: output + ".ckpt".
std::string checkpoint_path(const std::string& output);

/// What a checkpoint says about itself (its root attributes).
struct CheckpointHeader {
  std::string run_id;                ///< the run file's `run_id` attribute
  std::int64_t output_index = -1;    ///< index of the output time in the run file's `/times`
  double t = 0.0;                    ///< that output time
  std::int64_t unconverged_steps = 0;
  double seconds = 0.0;              ///< wall-clock seconds of the run up to this output
  std::string solvers;               ///< the solvers' names in registry order, comma-separated
};

/// A checkpoint being written. The constructor creates `FILE.ckpt.partial` (replacing a stale one left by a
/// crash) with the header and the model echo; the caller fills one group per solver; commit() closes it,
/// syncs it to disk and renames it over `FILE.ckpt`. Without commit() (an exception on the way) the partial
/// file is removed and the previous checkpoint stays. Every failure throws IoError naming the file.
class CheckpointWriter {
 public:
  CheckpointWriter(const std::string& output, const Model& model, const CheckpointHeader& header);
  CheckpointWriter(const CheckpointWriter&) = delete;
  CheckpointWriter& operator=(const CheckpointWriter&) = delete;
  ~CheckpointWriter();
  /// The (new) group of solver `name`.
  h5::Group solver_group(const std::string& name) const;
  /// Close, fsync and rename over FILE.ckpt. The writer is unusable afterwards.
  void commit();

 private:
  std::string partial_, final_;
  std::unique_ptr<h5::File> file_;
  bool committed_ = false;
};

/// An existing checkpoint, opened read-only.
class CheckpointReader {
 public:
  /// Opens `path` (IoError if it is missing or not a checkpoint: names the file and what is wrong).
  explicit CheckpointReader(const std::string& path);
  const CheckpointHeader& header() const noexcept { return header_; }
  /// The first key that changes the numbers in which the echoed model differs from `model`; "" if none
  /// (model_echo_difference).
  std::string model_difference(const Model& model) const;
  /// The group of solver `name` (IoError if the checkpoint has none).
  h5::Group solver_group(const std::string& name) const;

 private:
  std::string path_;
  h5::File file_;
  CheckpointHeader header_;
};

namespace testing {
/// Test seam: the next checkpoint write fails with an IoError after `groups` solver groups were written,
/// as a crash or a full disk in the middle of it would (a negative count, the default, never fails).
void fail_checkpoint_after_groups(std::int64_t groups) noexcept;
}  // namespace testing

}  // namespace fockmix
