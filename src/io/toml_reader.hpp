#pragma once
/// \file Internal to the library (not installed; toml++ is a private dependency): the TOML reading
/// conventions shared by the model reader (src/io/model.cpp) and the scan reader (src/io/scan_file.cpp).
/// Every failure is an InputError(FILE, dotted.key, reason), "FILE: KEY: REASON". The reader checks
/// types and names only; ranges are checked by its callers.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <initializer_list>
#include <limits>
#include <string>
#include <string_view>
#include <toml++/toml.h>
#include <utility>
#include <vector>

#include "fockmix/core/error.hpp"
#include "fockmix/core/types.hpp"

namespace fockmix::detail {

/// The type of a TOML value, for messages ("a table", "an integer", ...).
inline std::string type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a floating-point number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    default: return "nothing";
  }
}

/// " (line N)" where the value came from a file, else "".
inline std::string at_line(const toml::node& n) {
  const auto line = n.source().begin.line;
  return line > 0 ? " (line " + std::to_string(line) + ")" : "";
}

/// The dotted key of `key` inside the table at `path` ("" is the root).
inline std::string join_key(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

/// Parse TOML text read from `file`; a syntax error becomes InputError(file, "", "TOML syntax error at ...").
inline toml::table parse_toml(const std::string& text, const std::string& file) {
  try {
    return toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    throw InputError(file, "", "TOML syntax error at line " + std::to_string(where.line) + ", column " +
                                   std::to_string(where.column) + ": " + std::string(e.description()));
  }
}

/// Reads the values of one TOML file. Two layers:
/// - `as_*(node, key)`: the value of a node that is there, `key` being its full dotted key;
/// - `number(table, path, key, out)` and friends: an optional key of a table; `out` is left as it is
///   (the default) when the key is absent.
class TomlReader {
 public:
  /// `file` names the file in messages; relative paths in it are resolved against its directory.
  explicit TomlReader(std::string file) : file_(std::move(file)), dir_(std::filesystem::path(file_).parent_path()) {}

  const std::string& file() const { return file_; }

  [[noreturn]] void fail(const std::string& key, const std::string& reason) const { throw InputError(file_, key, reason); }

  /// Rethrow an InputError of a function that does not know the file (grid functions) with the file and `key`.
  [[noreturn]] void rethrow(const InputError& e, const std::string& key) const { fail(key, e.reason()); }

  /// A path relative to the file's directory (absolute paths stay as they are).
  std::string resolve(const std::string& name) const {
    const std::filesystem::path p(name);
    if (p.is_absolute() || dir_.empty()) return p.lexically_normal().string();
    return (dir_ / p).lexically_normal().string();
  }

  /// Every key of `t` (the table at `path`) must be one of `allowed`.
  void check_keys(const toml::table& t, const std::string& path, std::initializer_list<std::string_view> allowed) const {
    check_keys(t, path, std::vector<std::string>(allowed.begin(), allowed.end()));
  }
  void check_keys(const toml::table& t, const std::string& path, const std::vector<std::string>& allowed) const {
    for (const auto& [k, v] : t) {
      if (std::find(allowed.begin(), allowed.end(), k.str()) != allowed.end()) continue;
      std::string names;
      for (auto a : allowed) names += (names.empty() ? "" : ", ") + std::string(a);
      fail(join_key(path, k.str()), "unknown key" + at_line(v) + " (allowed here: " + names + ")");
    }
  }

  // --- values of nodes ---------------------------------------------------------------------

  /// A real number: TOML floats and integers are accepted (inf and nan included).
  double as_number(const toml::node& n, const std::string& key) const {
    if (n.is_floating_point()) return n.as_floating_point()->get();
    if (n.is_integer()) return static_cast<double>(n.as_integer()->get());
    fail(key, "expected a number, got " + type_name(n) + at_line(n));
  }

  /// A finite real number.
  double as_finite_number(const toml::node& n, const std::string& key) const {
    const double x = as_number(n, key);
    if (!std::isfinite(x)) fail(key, fmt::format("must be a finite number, got {}", x));
    return x;
  }

  /// An integer: TOML integers only.
  Index as_integer(const toml::node& n, const std::string& key) const {
    if (!n.is_integer()) fail(key, "expected an integer, got " + type_name(n) + at_line(n));
    return n.as_integer()->get();
  }

  std::string as_string(const toml::node& n, const std::string& key) const {
    if (!n.is_string()) fail(key, "expected a string, got " + type_name(n) + at_line(n));
    return n.as_string()->get();
  }

  /// An array; `what` describes it in the message ("an array of numbers").
  const toml::array& as_array(const toml::node& n, const std::string& key, const std::string& what) const {
    if (!n.is_array()) fail(key, "expected " + what + ", got " + type_name(n) + at_line(n));
    return *n.as_array();
  }

  /// An array of real numbers (entries named key[i]).
  std::vector<double> as_numbers(const toml::node& n, const std::string& key) const {
    return each(as_array(n, key, "an array of numbers"), key, &TomlReader::as_number);
  }

  /// An array of finite real numbers.
  std::vector<double> as_finite_numbers(const toml::node& n, const std::string& key) const {
    return each(as_array(n, key, "an array of numbers"), key, &TomlReader::as_finite_number);
  }

  /// An array of integers.
  std::vector<Index> as_integers(const toml::node& n, const std::string& key) const {
    return each(as_array(n, key, "an array of integers"), key, &TomlReader::as_integer);
  }

  /// One integer (a list of one) or an array of integers: the extents of a lattice.
  std::vector<Index> as_integer_list(const toml::node& n, const std::string& key) const {
    if (n.is_integer()) return {n.as_integer()->get()};
    if (!n.is_array()) fail(key, "expected an integer or an array of integers, got " + type_name(n) + at_line(n));
    return as_integers(n, key);
  }

  /// A string that is one of `names`.
  std::string as_choice(const toml::node& n, const std::string& key, std::initializer_list<std::string_view> names) const {
    const std::string s = as_string(n, key);
    std::string list;
    for (auto a : names) {
      if (a == s) return s;
      list += (list.empty() ? "" : ", ") + std::string(a);
    }
    fail(key, "unknown value '" + s + "' (expected " + list + ")");
  }

  // --- optional keys of tables ---------------------------------------------------------------

  /// The sub-table `key` of `t` (a [section] or an inline table), nullptr if absent.
  const toml::table* table(const toml::table& t, const std::string& path, std::string_view key) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return nullptr;
    if (!n->is_table()) fail(join_key(path, key), "expected a table, got " + type_name(*n) + at_line(*n));
    return n->as_table();
  }

  void number(const toml::table& t, const std::string& path, std::string_view key, double& out) const {
    if (const toml::node* n = t.get(key)) out = as_number(*n, join_key(path, key));
  }

  void integer(const toml::table& t, const std::string& path, std::string_view key, Index& out) const {
    if (const toml::node* n = t.get(key)) out = as_integer(*n, join_key(path, key));
  }

  void integer(const toml::table& t, const std::string& path, std::string_view key, int& out) const {
    Index v = out;
    integer(t, path, key, v);
    if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max())
      fail(join_key(path, key), "value " + std::to_string(v) + " is out of range");
    out = static_cast<int>(v);
  }

  void boolean(const toml::table& t, const std::string& path, std::string_view key, bool& out) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return;
    if (!n->is_boolean()) fail(join_key(path, key), "expected true or false, got " + type_name(*n) + at_line(*n));
    out = n->as_boolean()->get();
  }

  /// Returns whether the key was present.
  bool string(const toml::table& t, const std::string& path, std::string_view key, std::string& out) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return false;
    out = as_string(*n, join_key(path, key));
    return true;
  }

  void numbers(const toml::table& t, const std::string& path, std::string_view key, std::vector<double>& out) const {
    if (const toml::node* n = t.get(key)) out = as_numbers(*n, join_key(path, key));
  }

  void integer_list(const toml::table& t, const std::string& path, std::string_view key, std::vector<Index>& out) const {
    if (const toml::node* n = t.get(key)) out = as_integer_list(*n, join_key(path, key));
  }

 private:
  template <class T>
  std::vector<T> each(const toml::array& a, const std::string& key,
                      T (TomlReader::*read)(const toml::node&, const std::string&) const) const {
    std::vector<T> out;
    out.reserve(a.size());
    std::size_t i = 0;
    for (const auto& e : a) out.push_back((this->*read)(e, key + "[" + std::to_string(i++) + "]"));
    return out;
  }

  std::string file_;
  std::filesystem::path dir_;
};

}  // namespace fockmix::detail
