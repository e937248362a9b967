#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "operator/common/result.h"

namespace egressdiag::model {

// The scalars of a YAML document's block mappings, by dotted path: "vxlan:\n  id: 100" gives
// {"vxlan.id": "100"}. Enough for the config files upstream charts render from values with
// toYaml (spidernet's conf.yml), without a YAML library: block mappings nested by indentation,
// plain/single/double-quoted scalars, one-level flow mappings (`k: {a: 1, b: 2}`) and comments.
// Sequences, flow sequences and block scalars (`|`, `>`) are skipped with everything nested in
// them; they are kept out of the result rather than half-read. Quoted scalars are unquoted;
// other values are returned as written (no type resolution: callers parse what they need).
// InvalidInput naming the line for what is not such a document: tabs in indentation, a line
// that is neither `key: value`, `key:` nor `- item`, a key repeated in one mapping, nested
// flow collections, an unterminated quote, anchors, aliases and tags.
Result<std::map<std::string, std::string>> readYamlScalars(std::string_view yaml);

// YAML booleans as Go's YAML decoders accept them for a bool field (true/false in any of the
// three cases, and YAML 1.1's yes/no/on/off). nullopt for anything else.
std::optional<bool> yamlBool(std::string_view value);

}  // namespace egressdiag::model
