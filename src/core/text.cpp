#include "core/text.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <vector>

#include "core/validate.hpp"

namespace quire::detail {

namespace {

bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// A byte that can belong to a searchable word: ASCII letters and digits, and any byte of a
// multi-byte UTF-8 character.
bool is_word_byte(char c) noexcept {
  const auto b = static_cast<unsigned char>(c);
  return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || b >= 0x80;
}

bool has_word(std::string_view text) noexcept {
  for (char c : text) {
    if (is_word_byte(c)) return true;
  }
  return false;
}

// The words of a phrase: the runs between spaces that hold something searchable.
std::vector<std::string> words_of(std::string_view phrase) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < phrase.size()) {
    while (i < phrase.size() && is_space(phrase[i])) ++i;
    auto end = i;
    while (end < phrase.size() && !is_space(phrase[end])) ++end;
    const auto word = phrase.substr(i, end - i);
    if (has_word(word)) words.emplace_back(word);
    i = end;
  }
  return words;
}

}  // namespace

std::string derive_excerpt(std::string_view markdown, std::size_t max_chars) {
  // Markdown to plain text with runs of spaces collapsed, in one pass that stops once the text
  // holds max_chars + 2 characters: the cut below is decided by then (the text past the first
  // max_chars + 1 characters only matters as "there is more"), so a long body costs no more than
  // a short one.
  std::string text;
  std::size_t count = 0;
  const auto emit = [&](char c) {
    if (is_space(c)) {
      if (text.empty() || text.back() == ' ') return;
      c = ' ';
    }
    text += c;
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  };
  const std::size_t enough = max_chars < SIZE_MAX - 2 ? max_chars + 2 : SIZE_MAX;
  bool at_line_start = true;
  for (std::size_t i = 0; i < markdown.size() && count < enough; ++i) {
    const char c = markdown[i];
    if (c == '\n' || c == '\r') {
      at_line_start = true;
      emit(' ');
      continue;
    }
    if (at_line_start && (c == '#' || c == '>' || c == '-' || c == '+' || c == ' ')) continue;
    at_line_start = false;
    // [text](url): keep the text, drop the url.
    if (c == ']' && i + 1 < markdown.size() && markdown[i + 1] == '(') {
      const auto close = markdown.find(')', i + 2);
      if (close != std::string_view::npos) i = close;
      continue;
    }
    if (c == '*' || c == '_' || c == '`' || c == '[' || c == '!') continue;
    emit(c);
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();

  // Count characters, not bytes, and never cut inside one.
  std::size_t chars = 0;
  std::size_t cut = text.size();
  std::size_t last_space = std::string::npos;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (chars == max_chars) {
      cut = i;
      break;
    }
    if (text[i] == ' ') last_space = i;
    ++chars;
  }
  if (cut == text.size()) return text;
  if (last_space != std::string::npos && last_space > 0) cut = last_space;
  return text.substr(0, cut) + "…";
}

std::int64_t reading_time(std::string_view body) noexcept {
  std::int64_t words = 0;
  bool in_word = false;
  for (char c : body) {
    if (is_space(c)) {
      in_word = false;
    } else if (!in_word) {
      in_word = true;
      ++words;
    }
  }
  return (words + 199) / 200;
}

Result<storage::SearchQuery> full_text_query(std::string_view query) noexcept {
  constexpr std::size_t max_bytes = 1024;
  constexpr std::size_t max_parts = 32;
  if (query.size() > max_bytes) {
    return fail(Errc::invalid_argument, fmt::format("search query must be at most {} bytes, got {}",
                                                    max_bytes, query.size()));
  }
  if (query.find('\0') != std::string_view::npos) {
    return fail(Errc::invalid_argument, "search query must not contain NUL bytes");
  }
  if (!is_valid_utf8(query)) {
    return fail(Errc::invalid_argument, "search query must be valid UTF-8");
  }
  if (!has_word(query)) {
    if (query.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      return fail(Errc::invalid_argument, "search query must not be empty");
    }
    return storage::SearchQuery();
  }
  try {
    storage::SearchQuery search;
    std::size_t parts = 0;
    std::size_t i = 0;
    while (i < query.size() && parts < max_parts) {
      if (is_space(query[i])) {
        ++i;
      } else if (query[i] == '"') {
        // A phrase, up to the closing quote or the end.
        const auto close = query.find('"', i + 1);
        const auto end = close == std::string_view::npos ? query.size() : close;
        auto words = words_of(query.substr(i + 1, end - i - 1));
        if (words.size() == 1) {
          search.terms.push_back(std::move(words.front()));
          ++parts;
        } else if (!words.empty()) {
          search.phrases.push_back(std::move(words));
          ++parts;
        }
        i = end + 1;
      } else {
        auto end = i;
        while (end < query.size() && !is_space(query[end]) && query[end] != '"') ++end;
        auto word = query.substr(i, end - i);
        const bool prefix = word.size() > 1 && word.back() == '*';
        if (prefix) word.remove_suffix(1);
        if (has_word(word)) {
          (prefix ? search.prefixes : search.terms).emplace_back(word);
          ++parts;
        }
        i = end;
      }
    }
    return search;
  } catch (const std::bad_alloc&) {
    return fail(Errc::internal, "out of memory");
  }
}

}  // namespace quire::detail
