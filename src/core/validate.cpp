#include "core/validate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "core/errors.hpp"

namespace quire::detail {

namespace {

bool is_lower_alnum(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

char to_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

std::string_view trim(std::string_view text) noexcept {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), to_lower);
  return out;
}

}  // namespace

std::string quoted(std::string_view value) {
  constexpr std::size_t max_shown = 64;
  std::string out = "\"";
  for (std::size_t i = 0; i < value.size() && i < max_shown; ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  if (value.size() > max_shown) out += "…";
  out += '"';
  return out;
}

bool is_valid_utf8(std::string_view text) noexcept {
  std::size_t i = 0;
  while (i < text.size()) {
    // Runs of ASCII (most of a title or a Markdown body) eight bytes at a time: a byte is ASCII
    // when its high bit is clear.
    for (std::uint64_t word = 0; i + sizeof word <= text.size(); i += sizeof word) {
      std::memcpy(&word, text.data() + i, sizeof word);
      if ((word & 0x8080808080808080ULL) != 0) break;
    }
    if (i == text.size()) break;
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    std::uint32_t code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      code = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      code = (code << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    static constexpr std::uint32_t minimum[] = {0, 0x80, 0x800, 0x10000};
    if (code < minimum[extra] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
      return false;
    i += extra + 1;
  }
  return true;
}

Result<std::string> check_text(std::string_view field, std::string_view value,
                               std::size_t max_bytes) noexcept {
  const auto text = trim(value);
  if (text.empty()) return invalid_field(field, fmt::format("{} must not be empty", field));
  if (text.size() > max_bytes) {
    return invalid_field(
        field, fmt::format("{} must be at most {} bytes, got {}", field, max_bytes, text.size()));
  }
  if (!is_valid_utf8(text)) {
    return invalid_field(field, fmt::format("{} must be valid UTF-8", field));
  }
  if (std::any_of(text.begin(), text.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return invalid_field(
        field, fmt::format("{} {} must not contain control characters", field, quoted(text)));
  }
  return std::string(text);
}

Result<void> check_tenant_slug(std::string_view slug) noexcept {
  const bool ok =
      slug.size() >= 2 && slug.size() <= 63 && slug.front() >= 'a' && slug.front() <= 'z' &&
      std::all_of(slug.begin(), slug.end(), [](char c) { return is_lower_alnum(c) || c == '-'; });
  if (!ok) {
    return invalid_field(
        "slug", fmt::format("tenant slug {} must match [a-z][a-z0-9-]{{1,62}}", quoted(slug)));
  }
  return success();
}

Result<void> check_username(std::string_view username) noexcept {
  const bool ok = !username.empty() && username.size() <= 64 && is_lower_alnum(username.front()) &&
                  std::all_of(username.begin(), username.end(), [](char c) {
                    return is_lower_alnum(c) || c == '.' || c == '_' || c == '-';
                  });
  if (!ok) {
    return invalid_field(
        "username",
        fmt::format("username {} must match [a-z0-9][a-z0-9._-]{{0,63}}", quoted(username)));
  }
  return success();
}

Result<std::string> normalise_email(std::string_view email) noexcept {
  const std::string address = lower(trim(email));
  const auto at = address.find('@');
  const auto rule = [&] {
    return invalid_field(
        "email",
        fmt::format("email {} must be local@domain.tld, at most 254 bytes", quoted(email)));
  };
  if (address.size() > 254 || at == std::string::npos || at == 0 || at > 64 ||
      address.find('@', at + 1) != std::string::npos) {
    return rule();
  }
  if (std::any_of(address.begin(), address.end(), [](char c) {
        return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '"' || c == ',' ||
               c == '<' || c == '>';
      })) {
    return rule();
  }
  if (!normalise_domain(std::string_view(address).substr(at + 1))) return rule();
  return address;
}

Result<std::string> normalise_domain(std::string_view domain) noexcept {
  const std::string host = lower(trim(domain));
  const auto rule = [&] {
    return invalid_field(
        "domain", fmt::format("domain {} must be a host name like example.com", quoted(domain)));
  };
  if (host.empty() || host.size() > 253) return rule();
  std::size_t labels = 0;
  std::size_t start = 0;
  while (start <= host.size()) {
    auto end = host.find('.', start);
    if (end == std::string::npos) end = host.size();
    const std::string_view label(host.data() + start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-' ||
        !std::all_of(label.begin(), label.end(),
                     [](char c) { return is_lower_alnum(c) || c == '-'; })) {
      return rule();
    }
    ++labels;
    start = end + 1;
  }
  if (labels < 2) return rule();
  return host;
}

Result<void> check_password(std::string_view password) noexcept {
  if (password.empty()) return invalid_field("password", "password must not be empty");
  // Counted in characters (UTF-8 code points), as ASVS asks; the upper bound is in bytes.
  const auto characters = std::count_if(password.begin(), password.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  });
  if (characters < 8) {
    return invalid_field("password", "password must be at least 8 characters");
  }
  if (password.size() > 4096) {
    return invalid_field("password", "password must be at most 4096 bytes");
  }
  return success();
}

Result<void> check_limit(unsigned limit) noexcept {
  if (limit == 0 || limit > 1000) {
    return invalid_field("limit", fmt::format("limit must be 1..1000, got {}", limit));
  }
  return success();
}

}  // namespace quire::detail
