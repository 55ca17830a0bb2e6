#include <chrono>
#include <cstdint>
#include <optional>
#include <quire/time.hpp>
#include <string>
#include <string_view>

namespace quire {
namespace {

constexpr std::int64_t ms_per_second = 1000;
constexpr std::int64_t ms_per_minute = 60 * ms_per_second;
constexpr std::int64_t ms_per_hour = 60 * ms_per_minute;
constexpr std::int64_t ms_per_day = 24 * ms_per_hour;

struct CivilDate {
  std::int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

// Howard Hinnant's algorithms (http://howardhinnant.github.io/date_algorithms.html): exact for the
// proleptic Gregorian calendar over the whole int64 range we can reach, with no global state,
// unlike timegm/gmtime (locale/TZ-free, thread-safe, and not limited by time_t or year 1900).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);                 // [0, 399]
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

constexpr CivilDate civil_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);                    // [0, 146096]
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const unsigned mp = (5 * doy + 2) / 153;                                     // [0, 11]
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;                             // [1, 31]
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;                                // [1, 12]
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
  return {y, m, d};
}

static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(civil_from_days(0).year == 1970);

constexpr bool is_leap(std::int64_t y) noexcept {
  return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

constexpr unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
  constexpr unsigned month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : month_days[m - 1];
}

void append_2(std::string& out, unsigned v) {
  out.push_back(static_cast<char>('0' + v / 10));
  out.push_back(static_cast<char>('0' + v % 10));
}

// Reads exactly `n` ASCII digits at `pos`; false (and `pos` unspecified) if any is not a digit.
bool read_digits(std::string_view s, std::size_t& pos, std::size_t n, unsigned& value) noexcept {
  if (s.size() < pos + n) return false;
  value = 0;
  for (std::size_t i = 0; i < n; ++i, ++pos) {
    const char c = s[pos];
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) noexcept {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

}  // namespace

Timestamp now_ms() noexcept {
  using namespace std::chrono;
  return floor<milliseconds>(system_clock::now()).time_since_epoch().count();
}

std::string format_rfc3339(Timestamp t) {
  // Floor division so that times before 1970 land on the previous day with a positive time of day.
  std::int64_t days = t / ms_per_day;
  std::int64_t ms_of_day = t % ms_per_day;
  if (ms_of_day < 0) {
    ms_of_day += ms_per_day;
    --days;
  }
  const CivilDate date = civil_from_days(days);

  std::string out;
  out.reserve(32);
  if (date.year >= 0 && date.year <= 9999) {
    const auto y = static_cast<unsigned>(date.year);
    append_2(out, y / 100);
    append_2(out, y % 100);
  } else {
    // RFC 3339 has no spelling for these years; ISO 8601's expanded form ("+10000", "-0001") keeps
    // the output unambiguous instead of silently clamping. parse_rfc3339 rejects it, as documented.
    const std::int64_t y = date.year;
    std::string digits = std::to_string(y < 0 ? -y : y);  // |y| < 3e8, negation cannot overflow
    if (digits.size() < 4) digits.insert(0, 4 - digits.size(), '0');
    out.push_back(y < 0 ? '-' : '+');
    out += digits;
  }
  out.push_back('-');
  append_2(out, date.month);
  out.push_back('-');
  append_2(out, date.day);
  out.push_back('T');
  const auto tod = static_cast<unsigned>(ms_of_day);
  append_2(out, tod / static_cast<unsigned>(ms_per_hour));
  out.push_back(':');
  append_2(out, tod / static_cast<unsigned>(ms_per_minute) % 60);
  out.push_back(':');
  append_2(out, tod / static_cast<unsigned>(ms_per_second) % 60);
  out.push_back('.');
  const unsigned ms = tod % 1000;
  out.push_back(static_cast<char>('0' + ms / 100));
  append_2(out, ms % 100);
  out.push_back('Z');
  return out;
}

std::optional<Timestamp> parse_rfc3339(std::string_view s) noexcept {
  std::size_t pos = 0;
  unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_digits(s, pos, 4, year) || !expect(s, pos, '-') || !read_digits(s, pos, 2, month) ||
      !expect(s, pos, '-') || !read_digits(s, pos, 2, day)) {
    return std::nullopt;
  }
  if (pos >= s.size() || (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ')) return std::nullopt;
  ++pos;
  if (!read_digits(s, pos, 2, hour) || !expect(s, pos, ':') || !read_digits(s, pos, 2, minute) ||
      !expect(s, pos, ':') || !read_digits(s, pos, 2, second)) {
    return std::nullopt;
  }

  unsigned millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t n = 0;
    for (; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos, ++n) {
      // Truncate rather than round: rounding could carry into the next second, minute, ... year.
      if (n < 3) millis = millis * 10 + static_cast<unsigned>(s[pos] - '0');
    }
    if (n == 0 || n > 9) return std::nullopt;
    for (; n < 3; ++n) millis *= 10;
  }

  std::int64_t offset_ms = 0;
  if (pos >= s.size()) return std::nullopt;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    const bool negative = s[pos] == '-';
    ++pos;
    unsigned off_h = 0, off_m = 0;
    if (!read_digits(s, pos, 2, off_h) || !expect(s, pos, ':') || !read_digits(s, pos, 2, off_m) ||
        off_h > 23 || off_m > 59) {
      return std::nullopt;
    }
    offset_ms = off_h * ms_per_hour + off_m * ms_per_minute;
    if (negative) offset_ms = -offset_ms;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;

  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
      minute > 59 || second > 60) {
    return std::nullopt;
  }
  if (second == 60) {
    // A leap second has no Unix-time representation; the last representable instant keeps order.
    second = 59;
    millis = 999;
  }

  const std::int64_t days = days_from_civil(year, month, day);
  const std::int64_t local = days * ms_per_day + hour * ms_per_hour + minute * ms_per_minute +
                             second * ms_per_second + millis;
  // The local time is ahead of UTC by the offset, so subtract it.
  return local - offset_ms;
}

}  // namespace quire
