// `fockmix scan`: running and resuming scans (include/fockmix/app/scan.hpp). The scan's description,
// plan, results, files and tables live in their own modules (see the header).
#include "fockmix/app/scan.hpp"

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <filesystem>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "fockmix/app/run.hpp"
#include "fockmix/core/error.hpp"
#include "fockmix/model/footprint.hpp"

namespace fockmix {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

/// The value of the scan quantity `name` in a run record (NaN if the run does not record it).
double record_value(const RunRecord& rec, std::string_view name) {
  const ScanQuantity* q = find_scan_quantity(name);
  return q == nullptr ? std::numeric_limits<double>::quiet_NaN() : rec.value(std::string(q->run_path));
}

/// One invocation of run_scan: the points left to run, their progress, and the scan file, all guarded
/// by one lock. Small points run side by side, then the large ones with every thread.
class ScanRunner {
 public:
  ScanRunner(const ScanSpec& spec, const ScanHooks& hooks, Clock::time_point t_start)
      : spec_(spec), hooks_(hooks), t_start_(t_start), plan_(scan_plan(spec)), n_(plan_.size()), done_(n_), cost_(n_, 0.0),
        fraction_(n_, 0.0), running_(n_, false) {}

  ScanResult run();

 private:
  bool external_stop() const { return hooks_.stop != nullptr && hooks_.stop->load(); }
  bool stopping() const { return stop_all_.load() || external_stop(); }
  ScanResult result_so_far(ScanStatus status) const;
  void report(const std::string& note);  // call with lock_ held
  void run_point(std::size_t i, int threads);
  void run_small(const std::vector<std::size_t>& small, int total_threads);
  void run_large(const std::vector<std::size_t>& large, int total_threads);

  const ScanSpec& spec_;
  const ScanHooks& hooks_;
  const Clock::time_point t_start_;
  const std::vector<ScanPoint> plan_;
  const std::size_t n_;
  std::vector<std::optional<ScanPointResult>> done_;
  std::vector<double> cost_, fraction_;
  std::vector<bool> running_;
  double cost_pending_ = 0.0;
  std::mutex lock_;  // guards done_, the progress state and the scan file
  std::atomic<bool> stop_all_{false};
  std::exception_ptr error_;
  std::mutex error_lock_;
};

ScanResult ScanRunner::result_so_far(ScanStatus status) const {
  ScanResult res;
  res.status = status;
  res.output = spec_.output;
  res.points_total = static_cast<Index>(n_);
  for (const auto& r : done_)
    if (r) {
      res.points.push_back(*r);
      if (r->reused) ++res.points_reused;
    }
  res.fits = fit_scan(spec_, res.points);
  res.seconds = std::chrono::duration<double>(Clock::now() - t_start_).count();
  return res;
}

void ScanRunner::report(const std::string& note) {
  if (!hooks_.progress) return;
  ScanProgress pr;
  pr.points_total = static_cast<Index>(n_);
  double work = 0.0;
  for (std::size_t i = 0; i < n_; ++i) {
    if (done_[i]) ++pr.points_done;
    if (running_[i]) ++pr.running;
    if (cost_[i] > 0) work += cost_[i] * (done_[i] ? 1.0 : fraction_[i]);
  }
  pr.fraction = cost_pending_ > 0 ? std::clamp(work / cost_pending_, 0.0, 1.0) : 1.0;
  const double elapsed = std::chrono::duration<double>(Clock::now() - t_start_).count();
  if (pr.fraction > 1e-3 && pr.fraction < 1.0) pr.eta_seconds = elapsed * (1.0 - pr.fraction) / pr.fraction;
  if (pr.fraction >= 1.0) pr.eta_seconds = 0.0;
  pr.note = note;
  hooks_.progress(pr);
}

void ScanRunner::run_point(std::size_t i, int threads) {
  const ScanPoint& p = plan_[i];
  const Model& m = p.model;
  omp_set_num_threads(threads);
  {
    std::lock_guard<std::mutex> g(lock_);
    running_[i] = true;
    if (hooks_.point_started) hooks_.point_started(p);
    report(fmt::format("point {} (M = {}, N = {}, L = {}) started", i + 1, m.fermions.number, m.bosons.number, sites_text(m.sites)));
  }
  RunHooks rh;
  rh.stop = &stop_all_;
  rh.overwrite = true;  // a point is recomputed on purpose (its old file, if any, is incomplete or stale)
  rh.progress = [&, i](double f, const RunRecord& rec) {
    {
      std::lock_guard<std::mutex> g(lock_);
      fraction_[i] = f;
      const bool exact = m.exact.enabled;  // without it, the Hartree–Vlasov errors
      report(fmt::format("M = {}, N = {}: t = {:.3g}, e_F = {:.2e}, e_B = {:.2e}", m.fermions.number, m.bosons.number, rec.t,
                         record_value(rec, exact ? "eF_trace" : "vh_eF_trace"), record_value(rec, exact ? "eB_trace" : "vh_eB_trace")));
    }
    if (external_stop()) stop_all_.store(true);  // run_model checks stop_all_ right after this hook
  };
  RunSummary s;
  try {
    s = run_model(m, rh);
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(fmt::format("point {} (M = {}, N = {}, L = {}, file {}): {}", i, m.fermions.number, m.bosons.number,
                            sites_text(m.sites), m.output, e.what()));
  }
  std::lock_guard<std::mutex> g(lock_);
  running_[i] = false;
  if (s.status == RunStatus::Completed) {
    done_[i] = read_point_file(spec_, p, m.output);
    if (!done_[i]) throw Error("cannot read back the finished point file " + m.output);
    write_scan_file(spec_, result_so_far(ScanStatus::Running));
    report(fmt::format("point {} (M = {}, N = {}) done in {:.1f} s", i + 1, m.fermions.number, m.bosons.number, s.seconds_total));
  } else {
    fraction_[i] = 0.0;
  }
}

/// Up to parallel_points workers, each taking the next small point with its share of the threads; the
/// first error stops them all.
void ScanRunner::run_small(const std::vector<std::size_t>& small, int total_threads) {
  const int workers = std::max(1, std::min({spec_.parallel_points, total_threads, static_cast<int>(small.size())}));
  const int per_worker = std::max(1, total_threads / workers);
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (;;) {
      if (stopping()) return;
      const std::size_t k = next.fetch_add(1);
      if (k >= small.size()) return;
      try {
        run_point(small[k], per_worker);
      } catch (...) {
        std::lock_guard<std::mutex> g(error_lock_);
        if (!error_) error_ = std::current_exception();
        stop_all_.store(true);
        return;
      }
    }
  };
  if (workers == 1) {
    const int saved = omp_get_max_threads();
    worker();
    omp_set_num_threads(saved);
  } else {
    std::vector<std::thread> pool;
    for (int w = 0; w < workers; ++w) pool.emplace_back(worker);
    for (auto& th : pool) th.join();
  }
}

/// The large points one after another, each with every thread.
void ScanRunner::run_large(const std::vector<std::size_t>& large, int total_threads) {
  const int saved = omp_get_max_threads();
  for (std::size_t i : large) {
    if (stopping()) break;
    try {
      run_point(i, total_threads);
    } catch (...) {
      error_ = std::current_exception();
      break;
    }
  }
  omp_set_num_threads(saved);
}

ScanResult ScanRunner::run() {
  fs::create_directories(scan_points_dir(spec_));
  if (const fs::path parent = fs::path(spec_.output).parent_path(); !parent.empty()) fs::create_directories(parent);
  std::vector<std::size_t> pending;
  for (std::size_t i = 0; i < n_; ++i) {
    done_[i] = read_point_file(spec_, plan_[i], plan_[i].model.output);
    if (done_[i])
      done_[i]->reused = true;
    else
      pending.push_back(i);
  }
  for (std::size_t i : pending) cost_pending_ += cost_[i] = point_cost(plan_[i]);
  {
    std::lock_guard<std::mutex> g(lock_);
    write_scan_file(spec_, result_so_far(ScanStatus::Running));
    report(pending.size() < n_ ? fmt::format("{} of {} points reused from earlier runs", n_ - pending.size(), n_) : "starting");
  }

  // small points side by side, then the large ones with every thread; on an error the scan file says
  // `interrupted` (it holds every point finished before) and the error goes to the caller
  const int total_threads = spec_.threads > 0 ? spec_.threads : omp_get_max_threads();
  std::vector<std::size_t> small, large;
  for (std::size_t i : pending) {
    const bool is_small = scan_point_is_small(spec_, plan_[i]);
    (is_small ? small : large).push_back(i);
  }
  if (!small.empty()) run_small(small, total_threads);
  if (!error_) run_large(large, total_threads);
  if (error_) {
    {
      std::lock_guard<std::mutex> g(lock_);
      write_scan_file(spec_, result_so_far(ScanStatus::Interrupted));
    }
    std::rethrow_exception(error_);
  }

  std::lock_guard<std::mutex> g(lock_);
  const bool complete = std::all_of(done_.begin(), done_.end(), [](const auto& r) { return r.has_value(); });
  ScanResult res = result_so_far(complete ? ScanStatus::Completed : ScanStatus::Interrupted);
  write_scan_file(spec_, res);
  report(complete ? "done" : "interrupted");
  return res;
}

}  // namespace

ScanResult collect_scan(const ScanSpec& spec) {
  ScanResult res;
  res.output = spec.output;
  const std::vector<ScanPoint> plan = scan_plan(spec);
  res.points_total = static_cast<Index>(plan.size());
  for (const auto& p : plan)
    if (auto r = read_point_file(spec, p, p.model.output)) {
      r->reused = true;
      res.points.push_back(std::move(*r));
    }
  res.points_reused = static_cast<Index>(res.points.size());
  res.fits = fit_scan(spec, res.points);
  res.status = res.points.size() == plan.size() ? ScanStatus::Completed : ScanStatus::Interrupted;
  return res;
}

ScanResult run_scan(const ScanSpec& spec, const ScanHooks& hooks) {
  const auto t_start = Clock::now();
  validate_scan(spec);
  ScanRunner runner(spec, hooks, t_start);
  return runner.run();
}

}  // namespace fockmix
