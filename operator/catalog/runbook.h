#pragma once

#include <string>
#include <string_view>

namespace egressdiag::catalog {

// The check catalog rendered as the markdown runbook of docs/checks.md: one `### <ID>` heading
// per check (its anchor is the lower-cased ID, which alert runbook_urls link to), grouped by
// section in catalog order. Pure; cannot fail.
std::string runbookMarkdown();

// Catalog prose as inline markdown: `<` and `>` outside code spans become &lt; and &gt;, so
// placeholders such as <mark> are shown rather than taken for HTML tags. Code spans (any run of
// backticks up to the same run) are copied unchanged; an unmatched backtick is plain text.
std::string markdownInline(std::string_view text);

}  // namespace egressdiag::catalog
