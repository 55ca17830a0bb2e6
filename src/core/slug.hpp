#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace quire::detail {

/// Turns a title into a URL slug: lower-case ASCII a-z0-9 with single '-' between words, no
/// leading/trailing '-', Latin accents folded (é→e, ß→ss, æ→ae, ø→o, œ→oe, þ→th, ð→d, ł→l, å→a,
/// ñ→n, ç→c, and the whole Latin-1 Supplement and Latin Extended-A letter ranges), apostrophes
/// dropped ("don't" → "dont", also U+2019), any other character a separator, cut to at most max_len
/// characters at a '-' boundary where possible (never ending in '-'). Invalid UTF-8 bytes count as
/// separators. May return an empty string (e.g. title "???" or all non-Latin script); callers
/// decide the fallback.
std::string slugify(std::string_view title, std::size_t max_len = 96);

/// True when `slug` is 1..max_len chars of [a-z0-9-], not starting or ending with '-', with no
/// "--".
bool is_valid_slug(std::string_view slug, std::size_t max_len = 96) noexcept;

/// Returns base with the numeric suffix "-n" (n >= 2), shortening base (at a '-' if possible) so
/// the result fits max_len.
std::string slug_with_suffix(std::string_view base, int n, std::size_t max_len = 96);

}  // namespace quire::detail
