// The scan HDF5 file (include/fockmix/io/scan_h5.hpp; layout in docs/scaling.md).
#include "fockmix/io/scan_h5.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fockmix/core/error.hpp"
#include "fockmix/io/h5.hpp"
#include "fockmix/io/scan_file.hpp"
#include "fockmix/version.hpp"
#include "io/text_file.hpp"

namespace fockmix {

namespace fs = std::filesystem;

namespace {

/// Root attributes: what the scan is, where it stands, and the chosen times.
void write_description(const h5::Group& root, const ScanSpec& spec, const ScanResult& res) {
  root.set_attr("program", "fockmix");
  root.set_attr("version", version);
  root.set_attr("kind", "scan");
  root.set_attr("name", spec.name);
  root.set_attr("status", to_string(res.status));
  root.set_attr("regime", to_string(spec.regime));
  root.set_attr("fit_against", to_string(spec.fit_against));
  root.set_attr("points_per_hbar", spec.points_per_hbar);
  root.set_attr("vary", to_string(spec.vary));
  root.set_attr("box", to_string(spec.box));
  root.set_attr("trap", to_string(spec.trap));
  root.set_attr("scan_file", spec.source);
  root.set_attr("scan_toml", spec.text);
  root.set_attr("base_file", spec.base_path);
  root.set_attr("base_toml", detail::read_text_file(spec.base_path));
  root.set_attr("horizon", spec.horizon);
  root.set_attr("output_every", spec.output_every);
  root.set_attr("points_total", res.points_total);
  root.set_attr("points_done", static_cast<Index>(res.points.size()));
  root.set_attr("points_reused", res.points_reused);
  root.set_attr("points_dir", scan_points_dir(spec));
  std::string warnings, ids, quantities;
  for (const auto& w : spec.warnings) warnings += (warnings.empty() ? "" : "\n") + w;
  root.set_attr("warnings", warnings);
  for (const auto& r : res.points) ids += (ids.empty() ? "" : ",") + r.point.id;
  root.set_attr("point_ids", ids);
  for (const auto& q : scan_quantities()) {
    if (!quantities.empty()) quantities += ',';
    quantities += q.name;
  }
  root.set_attr("quantities", quantities);
  if (!spec.times.empty()) root.write("times", spec.times);
}

/// `points/`: one entry per finished point in every column (parameters, dimensions, cost).
void write_points_table(const h5::Group& root, const ScanSpec& spec, const ScanResult& res) {
  const h5::Group pg = root.group("points");
  auto column = [&](const std::string& name, auto get) {
    std::vector<double> v;
    for (const auto& r : res.points) v.push_back(static_cast<double>(get(r)));
    pg.write(name, v);
  };
  auto icolumn = [&](const std::string& name, auto get) {
    std::vector<std::int64_t> v;
    for (const auto& r : res.points) v.push_back(static_cast<std::int64_t>(get(r)));
    pg.write(name, v);
  };
  using R = ScanPointResult;
  icolumn("value", [](const R& r) { return r.point.value; });
  icolumn("M", [](const R& r) { return r.point.model.fermions.number; });
  icolumn("N", [](const R& r) { return r.point.model.bosons.number; });
  column("M_unrounded", [](const R& r) { return r.point.M_unrounded; });
  column("N_unrounded", [](const R& r) { return r.point.N_unrounded; });
  icolumn("L", [](const R& r) { return r.point.sites(); });
  column("spacing", [](const R& r) { return r.point.model.spacing; });
  column("lambda", [](const R& r) { return r.point.model.lambda; });
  column("hbar", [](const R& r) { return r.point.model.hbar; });
  column("mass_F", [](const R& r) { return r.point.model.fermions.mass; });
  column("mass_B", [](const R& r) { return r.point.model.bosons.mass; });
  column("A", [](const R& r) { return r.point.exponent_A(); });
  icolumn("dim_F", [](const R& r) { return r.dim_fermions; });
  icolumn("dim_B", [](const R& r) { return r.dim_bosons; });
  icolumn("dim", [](const R& r) { return r.dim; });
  icolumn("krylov_dim", [](const R& r) { return r.krylov_dim; });
  icolumn("matvecs", [](const R& r) { return r.matvecs; });
  icolumn("threads", [](const R& r) { return r.threads; });
  icolumn("reused", [](const R& r) { return r.reused ? 1 : 0; });
  column("seconds", [](const R& r) { return r.seconds; });
  const std::size_t n = res.points.size();
  const int d = static_cast<int>(spec.base.sites.size());
  arma::mat sites(n, d);
  for (std::size_t i = 0; i < n; ++i)
    for (int a = 0; a < d; ++a) sites(i, a) = static_cast<double>(res.points[i].point.model.sites[a]);
  pg.write("sites", sites);
}

/// `max/<q>`, `at_times/<q>` (point x chosen time) and `series/<point id>/<q>` for every quantity;
/// a point without a quantity has NaN in `max` and `at_times` and no series.
void write_quantities(const h5::Group& root, const ScanSpec& spec, const ScanResult& res) {
  const std::size_t n = res.points.size();
  const auto quantities = scan_quantities();
  const h5::Group mg = root.group("max"), ag = root.group("at_times"), sg = root.group("series");
  for (std::size_t q = 0; q < quantities.size(); ++q) {
    const std::string name(quantities[q].name);
    std::vector<double> mx;
    arma::mat at(n, spec.times.size());
    for (std::size_t i = 0; i < n; ++i) {
      mx.push_back(res.points[i].max_value[q]);
      for (std::size_t k = 0; k < spec.times.size(); ++k) at(i, k) = res.points[i].at_times[q][k];
    }
    mg.write(name, mx);
    if (!spec.times.empty()) ag.write(name, at);
  }
  for (const auto& r : res.points) {
    const h5::Group g = sg.group(r.point.id);
    g.set_attr("file", r.file);
    g.set_attr("fingerprint", r.point.fingerprint);
    g.write("times", r.times);
    for (std::size_t q = 0; q < quantities.size(); ++q)
      if (r.has(q)) g.write(std::string(quantities[q].name), r.series[q]);
  }
}

/// `fits/<axis>/<q>` (axis N, M, and hbar with fit_against = "hbar"): slope, intercept, their standard errors, residual and points of every column.
void write_fits(const h5::Group& root, const ScanSpec& spec, const ScanResult& res) {
  std::string columns = "max";
  for (double t : spec.times) columns += fmt::format(",{}", t);
  const h5::Group fg = root.group("fits");
  fg.set_attr("columns", columns);
  fg.set_attr("fit_from", spec.fit_from);
  fg.set_attr("fit_against", to_string(spec.fit_against));
  std::string axes;
  for (FitAxis a : fit_axes(spec)) {
    if (!axes.empty()) axes += ',';
    axes += to_string(a);
  }
  fg.set_attr("axes", axes);
  fg.set_attr("model", std::string("log y = intercept + slope log x, least squares; slope_stderr = sqrt(s^2 / Sxx)"));
  for (const auto& f : res.fits) {
    const h5::Group g = fg.group(to_string(f.axis) + "/" + std::string(scan_quantities()[f.quantity].name));
    std::vector<double> slope, se, icpt, ise, rms;
    std::vector<std::int64_t> pts;
    for (const auto& c : f.columns) {
      slope.push_back(c.slope);
      se.push_back(c.slope_stderr);
      icpt.push_back(c.intercept);
      ise.push_back(c.intercept_stderr);
      rms.push_back(c.residual_rms);
      pts.push_back(c.points);
    }
    g.write("slope", slope);
    g.write("slope_stderr", se);
    g.write("intercept", icpt);
    g.write("intercept_stderr", ise);
    g.write("residual_rms", rms);
    g.write("points", pts);
  }
}

}  // namespace

void write_scan_file(const ScanSpec& spec, const ScanResult& res) {
  const std::string tmp = spec.output + ".tmp";
  {
    h5::File file = h5::File::create(tmp);
    const h5::Group root = file.root();
    write_description(root, spec, res);
    if (!res.points.empty()) {
      write_points_table(root, spec, res);
      write_quantities(root, spec, res);
    }
    write_fits(root, spec, res);
    file.flush();
  }  // every handle closed here
  std::error_code ec;
  fs::rename(tmp, spec.output, ec);
  if (ec) throw IoError("cannot move " + tmp + " to " + spec.output + ": " + ec.message());
}

}  // namespace fockmix
