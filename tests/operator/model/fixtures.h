#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "operator/model/decode.h"

namespace egressdiag::model::testing {

// Text of a file in tests/operator/model/corpus.
inline std::string readFixture(const std::string& name) {
  std::ifstream in(std::string(EGRESSDIAG_MODEL_CORPUS) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing fixture " << name;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// decodeList() of a fixture, failing the test on error.
inline ObjectSet loadFixture(const std::string& name) {
  auto set = decodeList(readFixture(name));
  EXPECT_TRUE(set.has_value()) << name << ": " << (set ? "" : set.error().message);
  return set ? *std::move(set) : ObjectSet{};
}

inline Time at(std::string_view rfc3339) {
  auto time = parseTime(rfc3339);
  EXPECT_TRUE(time.has_value()) << rfc3339;
  return time.value_or(Time{});
}

}  // namespace egressdiag::model::testing
