#pragma once

#include <string>

#include "operator/model/object_meta.h"

// Calico, crd.projectcalico.org/v1.
namespace egressdiag::model {

struct FelixConfiguration {
  ObjectMeta metadata;
  std::string chainInsertMode;  // spec.chainInsertMode: Insert | Append; empty = absent (Insert)

  bool operator==(const FelixConfiguration&) const = default;
};

}  // namespace egressdiag::model
