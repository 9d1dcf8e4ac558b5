// Checkpoint files of a run (include/fockmix/io/checkpoint.hpp): written under a temporary name, synced
// and renamed, so that FILE.ckpt is always a complete checkpoint or absent.
#include "fockmix/io/checkpoint.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "fockmix/core/error.hpp"
#include "fockmix/io/model_h5.hpp"
#include "fockmix/version.hpp"

namespace fockmix {

namespace {

/// Solver groups left before the injected failure (testing::fail_checkpoint_after_groups); < 0: never.
std::atomic<std::int64_t> groups_left{-1};

/// fsync(path): the data reach the disk before the rename makes them the checkpoint.
void sync_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw IoError(path + ": cannot open the checkpoint to sync it (" + std::strerror(errno) + ")");
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) throw IoError(path + ": cannot sync the checkpoint to disk (" + std::strerror(err) + ")");
}

}  // namespace

void testing::fail_checkpoint_after_groups(std::int64_t groups) noexcept { groups_left.store(groups); }

std::string checkpoint_path(const std::string& output) { return output + ".ckpt"; }

CheckpointWriter::CheckpointWriter(const std::string& output, const Model& model, const CheckpointHeader& header)
    : partial_(checkpoint_path(output) + ".partial"), final_(checkpoint_path(output)) {
  file_ = std::make_unique<h5::File>(h5::File::create(partial_, h5::File::Existing::Truncate));
  const h5::Group root = file_->root();
  root.set_attr("program", "fockmix");
  root.set_attr("version", version);
  root.set_attr("run_id", header.run_id);
  root.set_attr("output_index", header.output_index);
  root.set_attr("t", header.t);
  root.set_attr("unconverged_steps", header.unconverged_steps);
  root.set_attr("seconds", header.seconds);
  root.set_attr("solvers", header.solvers);
  write_model_attributes(model, root.group("model"));
}

CheckpointWriter::~CheckpointWriter() {
  if (committed_) return;
  file_.reset();
  std::error_code ec;
  std::filesystem::remove(partial_, ec);  // best effort: the previous checkpoint is untouched either way
}

h5::Group CheckpointWriter::solver_group(const std::string& name) const {
  if (!file_) throw IoError(partial_ + ": the checkpoint was already committed");
  std::int64_t n = groups_left.load();
  while (n >= 0) {
    if (n == 0) {
      groups_left.store(-1);
      throw IoError(partial_ + ": cannot write the checkpoint (injected failure)");
    }
    if (groups_left.compare_exchange_weak(n, n - 1)) break;
  }
  return file_->root().group(name);
}

void CheckpointWriter::commit() {
  if (!file_) throw IoError(partial_ + ": the checkpoint was already committed");
  file_->flush();
  file_.reset();  // closes the file (every group of it must be gone by now)
  sync_file(partial_);
  std::error_code ec;
  std::filesystem::rename(partial_, final_, ec);
  if (ec) throw IoError(partial_ + ": cannot rename the checkpoint to " + final_ + " (" + ec.message() + ")");
  committed_ = true;
}

CheckpointReader::CheckpointReader(const std::string& path) : path_(path), file_(h5::File::open(path)) {
  const h5::Group root = file_.root();
  try {
    if (root.attr_string("program") != "fockmix") throw IoError(path + ": not a fockmix checkpoint");
    header_.run_id = root.attr_string("run_id");
    header_.output_index = root.attr_int("output_index");
    header_.t = root.attr_double("t");
    header_.unconverged_steps = root.attr_int("unconverged_steps");
    header_.seconds = root.attr_double("seconds");
    header_.solvers = root.attr_string("solvers");
  } catch (const IoError& e) {
    throw IoError(path + ": not a complete fockmix checkpoint (" + e.what() + ")");
  }
  if (header_.output_index < 0) throw IoError(path + ": not a complete fockmix checkpoint (negative output_index)");
}

std::string CheckpointReader::model_difference(const Model& model) const { return model_echo_difference(file_.root().group("model"), model); }

h5::Group CheckpointReader::solver_group(const std::string& name) const {
  const h5::Group root = file_.root();
  if (!root.has(name)) throw IoError(path_ + ": the checkpoint holds no state of the solver '" + name + "'");
  return root.group(name);
}

}  // namespace fockmix
