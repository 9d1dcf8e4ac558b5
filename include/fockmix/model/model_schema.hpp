#pragma once
/// \file The one description of every model key: name, type, default, range and doc line, with access
/// to its field of `Model`. Reading model files (io/model.cpp), the per-key range checks of validation,
/// the HDF5 echo (io/model_h5.cpp), the scan fingerprint and the scan point-file check all come from
/// this table, and a test holds models/README.md to it. Adding a section ([vlasov], [fluct]) means
/// adding its rows in src/model/model_schema.cpp.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fockmix/model/model.hpp"

namespace fockmix {

/// The value types of model keys (models/README.md, "Types").
enum class KeyType {
  Real,         ///< a finite real (TOML floats and integers)
  Integer,      ///< a TOML integer
  Bool,         ///< true / false
  String,       ///< a string
  Choice,       ///< a string out of `choices`
  Reals,        ///< an array of reals (per axis)
  Sites,        ///< an integer or an array of 1–3 integers (grid.sites)
  Table,        ///< an array of L reals, or a string naming a text file of them
  Path          ///< a string naming a file, relative to the model file
};

/// The range a key's own value must lie in (checked by validate(); checks that need several keys,
/// such as M <= L, are validate()'s own).
enum class KeyRange { Any, Finite, Positive, NonNegative, AtLeast4 };

/// One key of the model file.
struct ModelKey {
  std::string name;           ///< dotted key, "grid.spacing"
  KeyType type = KeyType::Real;
  std::string type_text;      ///< the type column of models/README.md
  std::string default_text;   ///< the default column of models/README.md
  std::string range_text;     ///< the range column of models/README.md
  std::string doc;            ///< one line
  KeyRange range = KeyRange::Any;
  std::vector<std::string> choices;  ///< Choice: the names allowed
  /// Changes the numbers of a run (part of a scan point's identity). Output options, tolerances that
  /// only bound errors and solver switches are not.
  bool physics = true;
  // Access to the field (exactly one is set, by type): reals, integers, bools, strings (String, Choice
  // and Path keys, Choice through its name), lists.
  std::function<double&(Model&)> real;
  std::function<Index&(Model&)> integer;
  std::function<bool&(Model&)> boolean;
  std::function<std::string(const Model&)> get_text;
  std::function<void(Model&, const std::string&)> set_text;
  std::function<std::vector<double>&(Model&)> reals;
  std::function<std::vector<Index>&(Model&)> integers;

  /// The section: everything before the last dot ("fermions.trap" for "fermions.trap.kind"; "" at the top).
  std::string section() const;
  /// The key inside its section ("kind").
  std::string leaf() const;
  /// The value as text, for fingerprints and messages (reals in shortest round-trip form).
  std::string text(const Model& m) const;
  /// Why the value is out of range, or nothing.
  std::optional<std::string> out_of_range(const Model& m) const;
};

/// Every key of a model file, in the order of models/README.md.
const std::vector<ModelKey>& model_schema();

/// The key named `name`, or nullptr.
const ModelKey* find_model_key(const std::string& name);

/// "name=value;" for every physics key, in schema order: two models give the same numbers if these agree.
std::string model_fingerprint(const Model& m);

}  // namespace fockmix
