#include "core/slug.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace quire::detail {
namespace {

// ASCII folding of U+00C0..U+00FF; "" marks a non-letter (× and ÷), which separates words.
constexpr std::string_view latin1_folds[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c",   // U+00C0 À Á Â Ã Ä Å Æ Ç
    "e", "e", "e", "e", "i", "i", "i",  "i",   // U+00C8 È É Ê Ë Ì Í Î Ï
    "d", "n", "o", "o", "o", "o", "o",  "",    // U+00D0 Ð Ñ Ò Ó Ô Õ Ö ×
    "o", "u", "u", "u", "u", "y", "th", "ss",  // U+00D8 Ø Ù Ú Û Ü Ý Þ ß
    "a", "a", "a", "a", "a", "a", "ae", "c",   // U+00E0 à á â ã ä å æ ç
    "e", "e", "e", "e", "i", "i", "i",  "i",   // U+00E8 è é ê ë ì í î ï
    "d", "n", "o", "o", "o", "o", "o",  "",    // U+00F0 ð ñ ò ó ô õ ö ÷
    "o", "u", "u", "u", "u", "y", "th", "y",   // U+00F8 ø ù ú û ü ý þ ÿ
};

// ASCII folding of Latin Extended-A, U+0100..U+017F (every code point in it is a letter).
constexpr std::string_view latin_ext_a_folds[128] = {
    "a", "a", "a",  "a",  "a", "a", "c", "c",  // U+0100 Ā ā Ă ă Ą ą Ć ć
    "c", "c", "c",  "c",  "c", "c", "d", "d",  // U+0108 Ĉ ĉ Ċ ċ Č č Ď ď
    "d", "d", "e",  "e",  "e", "e", "e", "e",  // U+0110 Đ đ Ē ē Ĕ ĕ Ė ė
    "e", "e", "e",  "e",  "g", "g", "g", "g",  // U+0118 Ę ę Ě ě Ĝ ĝ Ğ ğ
    "g", "g", "g",  "g",  "h", "h", "h", "h",  // U+0120 Ġ ġ Ģ ģ Ĥ ĥ Ħ ħ
    "i", "i", "i",  "i",  "i", "i", "i", "i",  // U+0128 Ĩ ĩ Ī ī Ĭ ĭ Į į
    "i", "i", "ij", "ij", "j", "j", "k", "k",  // U+0130 İ ı Ĳ ĳ Ĵ ĵ Ķ ķ
    "k", "l", "l",  "l",  "l", "l", "l", "l",  // U+0138 ĸ Ĺ ĺ Ļ ļ Ľ ľ Ŀ
    "l", "l", "l",  "n",  "n", "n", "n", "n",  // U+0140 ŀ Ł ł Ń ń Ņ ņ Ň
    "n", "n", "n",  "n",  "o", "o", "o", "o",  // U+0148 ň ŉ Ŋ ŋ Ō ō Ŏ ŏ
    "o", "o", "oe", "oe", "r", "r", "r", "r",  // U+0150 Ő ő Œ œ Ŕ ŕ Ŗ ŗ
    "r", "r", "s",  "s",  "s", "s", "s", "s",  // U+0158 Ř ř Ś ś Ŝ ŝ Ş ş
    "s", "s", "t",  "t",  "t", "t", "t", "t",  // U+0160 Š š Ţ ţ Ť ť Ŧ ŧ
    "u", "u", "u",  "u",  "u", "u", "u", "u",  // U+0168 Ũ ũ Ū ū Ŭ ŭ Ů ů
    "u", "u", "u",  "u",  "w", "w", "y", "y",  // U+0170 Ű ű Ų ų Ŵ ŵ Ŷ ŷ
    "y", "z", "z",  "z",  "z", "z", "z", "s",  // U+0178 Ÿ Ź ź Ż ż Ž ž ſ
};

constexpr char32_t invalid_code_point = 0xFFFFFFFF;

// Decodes one UTF-8 sequence at s[pos], advancing pos. Overlong forms, surrogates, code points
// above U+10FFFF and truncated sequences yield invalid_code_point after consuming a single byte, so
// that the next byte is looked at afresh (it may start a valid sequence).
char32_t next_code_point(std::string_view s, std::size_t& pos) noexcept {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  if (b0 < 0x80) {
    ++pos;
    return b0;
  }
  std::size_t len = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1Fu;
    min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0Fu;
    min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07u;
    min = 0x10000;
  } else {
    ++pos;
    return invalid_code_point;
  }
  if (s.size() - pos < len) {
    ++pos;
    return invalid_code_point;
  }
  for (std::size_t i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(s[pos + i]);
    if ((b & 0xC0u) != 0x80u) {
      ++pos;
      return invalid_code_point;
    }
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++pos;
    return invalid_code_point;
  }
  pos += len;
  return cp;
}

// Characters that vanish without splitting a word: apostrophes ("don't" is one word) and combining
// diacritics, so that decomposed (NFD) input folds like its precomposed form ("e" + U+0301 → "e").
bool is_ignored(char32_t cp) noexcept {
  return cp == U'\'' || cp == 0x2019 || cp == 0x02BC || (cp >= 0x0300 && cp <= 0x036F);
}

// The ASCII spelling of a code point, or "" when it separates words.
std::string_view fold(char32_t cp) noexcept {
  static constexpr char alnum[] =
      "0123456789"
      "abcdefghijklmnopqrstuvwxyz";
  if (cp >= U'0' && cp <= U'9') return {alnum + (cp - U'0'), 1};
  if (cp >= U'a' && cp <= U'z') return {alnum + 10 + (cp - U'a'), 1};
  if (cp >= U'A' && cp <= U'Z') return {alnum + 10 + (cp - U'A'), 1};
  if (cp == 0xAA) return "a";  // ª feminine ordinal indicator, a Latin letter
  if (cp == 0xBA) return "o";  // º masculine ordinal indicator
  if (cp >= 0xC0 && cp <= 0xFF) return latin1_folds[cp - 0xC0];
  if (cp >= 0x100 && cp <= 0x17F) return latin_ext_a_folds[cp - 0x100];
  return {};
}

// Shortens a well-formed slug (single '-' between words) to at most max_len characters, preferring
// to drop whole words; a single word longer than max_len is cut mid-word as a last resort.
std::string_view cut_at_boundary(std::string_view s, std::size_t max_len) noexcept {
  if (s.size() <= max_len) return s;
  if (max_len == 0) return {};
  if (s[max_len] == '-') return s.substr(0, max_len);  // a word ends exactly at the limit
  const std::size_t dash = s.rfind('-', max_len - 1);
  if (dash != std::string_view::npos && dash > 0) return s.substr(0, dash);
  return s.substr(0, max_len);
}

}  // namespace

std::string slugify(std::string_view title, std::size_t max_len) {
  std::string out;
  out.reserve(std::min(title.size(), max_len + 1));
  bool pending_dash = false;
  std::size_t pos = 0;
  // One character past max_len is enough to know whether the last word is whole, so stop there
  // rather than fold a huge title only to throw most of it away.
  while (pos < title.size() && out.size() <= max_len) {
    const char32_t cp = next_code_point(title, pos);
    if (is_ignored(cp)) continue;
    const std::string_view ascii = cp == invalid_code_point ? std::string_view{} : fold(cp);
    if (ascii.empty()) {
      pending_dash = !out.empty();  // collapses runs, and never leads
      continue;
    }
    if (pending_dash) {
      out.push_back('-');
      pending_dash = false;
    }
    out += ascii;
  }
  out.resize(cut_at_boundary(out, max_len).size());
  return out;
}

bool is_valid_slug(std::string_view slug, std::size_t max_len) noexcept {
  if (slug.empty() || slug.size() > max_len || slug.front() == '-' || slug.back() == '-') {
    return false;
  }
  char prev = '\0';
  for (const char c : slug) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && prev != '-');
    if (!ok) return false;
    prev = c;
  }
  return true;
}

std::string slug_with_suffix(std::string_view base, int n, std::size_t max_len) {
  // Suffixes start at 2 ("post", "post-2", ...); a smaller n would collide with the base or, when
  // negative, produce "--1". No exception may leave the library, so clamp instead of throwing.
  const std::string number = std::to_string(std::max(n, 2));
  const std::size_t suffix_len = number.size() + 1;
  std::string_view head;
  if (max_len > suffix_len) head = cut_at_boundary(base, max_len - suffix_len);
  while (!head.empty() && head.back() == '-') head.remove_suffix(1);  // tolerate a sloppy base
  if (head.empty()) {
    // No room for any of the base (or none given): the bare number is still a valid slug.
    return number.substr(0, max_len);
  }
  std::string out;
  out.reserve(head.size() + suffix_len);
  out += head;
  out.push_back('-');
  out += number;
  return out;
}

}  // namespace quire::detail
