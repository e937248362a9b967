#pragma once

#include <vector>

#include "operator/kube/client.h"
#include "operator/kube/informer.h"

namespace egressdiag::kube {

// Typed wrappers: the raw verbs of Client plus a model decoder. A decode failure becomes
// ApiError{Malformed} carrying the decoder's message.

template <class T>
ApiResult<T> decodeAs(const rapidjson::Value& value, const Decoder<T>& decode,
                      std::string_view what) {
  auto decoded = decode(value);
  if (!decoded) {
    return apiFail(ApiReason::Malformed, std::string(what) + ": " + decoded.error().message);
  }
  return std::move(*decoded);
}

template <class T>
ApiResult<T> getAs(Client& client, const ResourceRef& resource, std::string_view ns,
                   std::string_view name, const Decoder<T>& decode) {
  auto doc = client.get(resource, ns, name);
  if (!doc) {
    return std::unexpected(doc.error());
  }
  return decodeAs(*doc, decode, resource.plural + "/" + std::string(name));
}

// Every page of a LIST, decoded. Items the decoder rejects are a Malformed error (use an
// Informer to skip bad objects instead).
template <class T>
ApiResult<std::vector<T>> listAs(Client& client, const ResourceRef& resource, std::string_view ns,
                                 ListOptions options, const Decoder<T>& decode) {
  std::vector<T> out;
  if (options.limit == 0) {
    options.limit = 500;
  }
  while (true) {
    auto page = client.listPage(resource, ns, options);
    if (!page) {
      return std::unexpected(page.error());
    }
    for (const auto& item : page->items().GetArray()) {
      auto decoded = decodeAs(item, decode, "list " + resource.plural);
      if (!decoded) {
        return std::unexpected(decoded.error());
      }
      out.push_back(std::move(*decoded));
    }
    if (page->continueToken.empty()) {
      return out;
    }
    options.continueToken = page->continueToken;
  }
}

}  // namespace egressdiag::kube
