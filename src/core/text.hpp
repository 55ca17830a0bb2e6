#pragma once
// What the Post engine derives from a body, and the safe translation of a user's search words into
// a structured search.

#include <cstdint>
#include <quire/result.hpp>
#include <quire/storage.hpp>
#include <string>
#include <string_view>

namespace quire::detail {

// The first words of a Markdown body as plain text (headings, emphasis, links, code and list
// marks removed), cut at a word boundary to at most max_chars characters, with "…" when cut.
std::string derive_excerpt(std::string_view markdown, std::size_t max_chars = 200);

// Minutes to read: words ÷ 200, rounded up (0 for an empty body).
std::int64_t reading_time(std::string_view body) noexcept;

// Turns what a person typed into a search the store runs as structure: every word becomes a term,
// "a phrase" a phrase (its words), word* a prefix, and all must match. Operators and punctuation
// are just text, which each backend's tokenizer splits as it splits what it indexes. Returns an
// empty query when nothing searchable is left; at most 32 parts. Errors: invalid_argument (empty,
// over 1 KiB, NUL, invalid UTF-8).
Result<storage::SearchQuery> full_text_query(std::string_view query) noexcept;

}  // namespace quire::detail
