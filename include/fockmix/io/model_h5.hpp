#pragma once
/// \file The model echoed into an output file: every key of models/README.md as a dotted attribute.
#include "fockmix/model/model.hpp"

namespace fockmix {

namespace h5 {
class Group;
}

/// Echo a model into HDF5 attributes of `group` (every key of models/README.md, dotted names).
void write_model_attributes(const Model& model, const h5::Group& group);

}  // namespace fockmix
