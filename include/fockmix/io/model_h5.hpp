#pragma once
/// \file The model echoed into an output file: every key of models/README.md as a dotted attribute.
#include <string>

#include "fockmix/model/model.hpp"

namespace fockmix {

namespace h5 {
class Group;
}

/// Echo a model into HDF5 attributes of `group`: `source`, and every key of the model schema
/// (model/model_schema.hpp, = models/README.md) under its dotted name. Lists that are empty and file
/// names that are not given are left out.
void write_model_attributes(const Model& model, const h5::Group& group);

/// Whether the echo in `group` is `model` in every key that changes the numbers (ModelKey::physics):
/// how a scan recognises a finished point. Throws IoError if an attribute is missing or unreadable.
bool model_echo_matches(const h5::Group& group, const Model& model);

/// The first key (in schema order) that changes the numbers and differs between the echo in `group` and
/// `model`; "" if none (then model_echo_matches). Throws IoError like model_echo_matches.
std::string model_echo_difference(const h5::Group& group, const Model& model);

}  // namespace fockmix
