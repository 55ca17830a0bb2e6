#pragma once
#include <quire/quire_export.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
namespace quire {
/// Milliseconds since the Unix epoch, UTC. Every time quire stores or returns is one of these.
using Timestamp = std::int64_t;
/// The current UTC time in milliseconds (system clock).
QUIRE_EXPORT Timestamp now_ms() noexcept;
/// RFC 3339 in UTC with exactly three fraction digits: "2026-11-23T14:07:08.123Z".
QUIRE_EXPORT std::string format_rfc3339(Timestamp t);
/// Parses RFC 3339 (date-time production): 'T' or 't' or ' ' separator, optional fraction of 1-9
/// digits (truncated to milliseconds), 'Z'/'z' or a +hh:mm / -hh:mm offset. Returns nullopt on
/// anything else, including out-of-range fields (month 13, Feb 30, hour 24, minute 60; leap second
/// 60 is accepted and clamped to 59.999). Years 0000-9999 only.
QUIRE_EXPORT std::optional<Timestamp> parse_rfc3339(std::string_view text) noexcept;
}  // namespace quire
