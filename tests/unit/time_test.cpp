#include <doctest/doctest.h>

#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <quire/time.hpp>
#include <string>

using quire::format_rfc3339;
using quire::parse_rfc3339;
using quire::Timestamp;

// Expected values below were computed outside quire with GNU date, e.g.
// `date -u -d 2026-11-23T14:07:08Z +%s` → 1795442828.

TEST_CASE("format_rfc3339 known instants") {
  CHECK(format_rfc3339(0) == "1970-01-01T00:00:00.000Z");
  CHECK(format_rfc3339(1) == "1970-01-01T00:00:00.001Z");
  CHECK(format_rfc3339(1795442828123) == "2026-11-23T14:07:08.123Z");
  CHECK(format_rfc3339(951782400000) == "2000-02-29T00:00:00.000Z");
  CHECK(format_rfc3339(951868800000) == "2000-03-01T00:00:00.000Z");
  CHECK(format_rfc3339(1483228799999) == "2016-12-31T23:59:59.999Z");
  CHECK(format_rfc3339(2147483648000) == "2038-01-19T03:14:08.000Z");
  CHECK(format_rfc3339(253402300799999) == "9999-12-31T23:59:59.999Z");
}

TEST_CASE("format_rfc3339 before the epoch") {
  CHECK(format_rfc3339(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(format_rfc3339(-1000) == "1969-12-31T23:59:59.000Z");
  CHECK(format_rfc3339(-86401000) == "1969-12-30T23:59:59.000Z");
  CHECK(format_rfc3339(-2203934400000) == "1900-02-28T12:00:00.000Z");
  CHECK(format_rfc3339(-11670998400000) == "1600-02-29T00:00:00.000Z");
  CHECK(format_rfc3339(-30595944600000) == "1000-06-15T06:30:00.000Z");
  CHECK(format_rfc3339(-62167219200000) == "0000-01-01T00:00:00.000Z");
}

TEST_CASE("format_rfc3339 outside 0000-9999 uses the ISO 8601 expanded year") {
  CHECK(format_rfc3339(253402300800000) == "+10000-01-01T00:00:00.000Z");
  CHECK(format_rfc3339(-62167219200001) == "-0001-12-31T23:59:59.999Z");
  // The extremes must not overflow or crash.
  const std::string max = format_rfc3339(std::numeric_limits<Timestamp>::max());
  const std::string min = format_rfc3339(std::numeric_limits<Timestamp>::min());
  CHECK(max.front() == '+');
  CHECK(min.front() == '-');
  CHECK(max.back() == 'Z');
  CHECK(min.back() == 'Z');
  CHECK_FALSE(parse_rfc3339(max).has_value());
}

TEST_CASE("parse_rfc3339 known instants") {
  CHECK(parse_rfc3339("1970-01-01T00:00:00Z") == Timestamp{0});
  CHECK(parse_rfc3339("2026-11-23T14:07:08.123Z") == Timestamp{1795442828123});
  CHECK(parse_rfc3339("2000-02-29T00:00:00Z") == Timestamp{951782400000});
  CHECK(parse_rfc3339("1969-12-31T23:59:59.999Z") == Timestamp{-1});
  CHECK(parse_rfc3339("1900-02-28T12:00:00Z") == Timestamp{-2203934400000});
  CHECK(parse_rfc3339("0000-01-01T00:00:00Z") == Timestamp{-62167219200000});
  CHECK(parse_rfc3339("9999-12-31T23:59:59.999Z") == Timestamp{253402300799999});
}

TEST_CASE("parse_rfc3339 separators and zone designators") {
  const Timestamp t = 1795442828123;
  CHECK(parse_rfc3339("2026-11-23t14:07:08.123Z") == t);
  CHECK(parse_rfc3339("2026-11-23 14:07:08.123Z") == t);
  CHECK(parse_rfc3339("2026-11-23T14:07:08.123z") == t);
  CHECK(parse_rfc3339("2026-11-23T14:07:08.123+00:00") == t);
  CHECK(parse_rfc3339("2026-11-23T14:07:08.123-00:00") == t);
}

TEST_CASE("parse_rfc3339 converts offsets to UTC") {
  // 14:07:08+05:30 is 08:37:08Z; `date -u -d 2026-11-23T08:37:08Z +%s` → 1795423028.
  CHECK(parse_rfc3339("2026-11-23T14:07:08.123+05:30") == Timestamp{1795423028123});
  CHECK(parse_rfc3339("2026-11-23T08:37:08.123Z") == Timestamp{1795423028123});
  // A negative offset can move the date forward, across a month and year end.
  CHECK(parse_rfc3339("2016-12-31T19:00:00-05:00") == parse_rfc3339("2017-01-01T00:00:00Z"));
  // ... and a positive one backward across the epoch.
  CHECK(parse_rfc3339("1970-01-01T00:30:00+01:00") == Timestamp{-1'800'000});
  CHECK(parse_rfc3339("2000-03-01T01:00:00+02:00") == parse_rfc3339("2000-02-29T23:00:00Z"));
  // Extreme offsets stay representable even at the ends of the year range.
  const Timestamp max_offset = Timestamp{23 * 60 + 59} * 60 * 1000;
  CHECK(parse_rfc3339("0000-01-01T00:00:00+23:59") == -62167219200000 - max_offset);
  CHECK(parse_rfc3339("9999-12-31T23:59:59.999-23:59") == 253402300799999 + max_offset);
}

TEST_CASE("parse_rfc3339 fractions are truncated to milliseconds") {
  CHECK(parse_rfc3339("2026-11-23T14:07:08Z") == Timestamp{1795442828000});
  CHECK(parse_rfc3339("2026-11-23T14:07:08.1Z") == Timestamp{1795442828100});
  CHECK(parse_rfc3339("2026-11-23T14:07:08.12Z") == Timestamp{1795442828120});
  CHECK(parse_rfc3339("2026-11-23T14:07:08.1239Z") == Timestamp{1795442828123});
  CHECK(parse_rfc3339("2026-11-23T14:07:08.123999999Z") == Timestamp{1795442828123});
  // Truncation, not rounding: .9999 must not carry into the next year.
  CHECK(parse_rfc3339("1999-12-31T23:59:59.9999Z") == Timestamp{946684799999});
  CHECK(parse_rfc3339("1969-12-31T23:59:59.0009Z") == Timestamp{-1000});
}

TEST_CASE("parse_rfc3339 leap second is clamped to 59.999") {
  CHECK(parse_rfc3339("2016-12-31T23:59:60Z") == Timestamp{1483228799999});
  CHECK(parse_rfc3339("2016-12-31T23:59:60.5Z") == Timestamp{1483228799999});
  CHECK(parse_rfc3339("2016-12-31T23:59:59.999Z") == Timestamp{1483228799999});
  CHECK(parse_rfc3339("2016-12-31T23:59:61Z") == std::nullopt);
}

TEST_CASE("parse_rfc3339 rejects out-of-range fields") {
  for (const char* text : {
           "2026-13-01T00:00:00Z",       // month 13
           "2026-00-01T00:00:00Z",       // month 0
           "2026-01-00T00:00:00Z",       // day 0
           "2026-01-32T00:00:00Z",       // day 32
           "2026-04-31T00:00:00Z",       // April has 30 days
           "2026-02-30T00:00:00Z",       // Feb 30
           "2026-02-29T00:00:00Z",       // not a leap year
           "1900-02-29T00:00:00Z",       // century, not a leap year
           "2026-11-23T24:00:00Z",       // hour 24
           "2026-11-23T14:60:00Z",       // minute 60
           "2026-11-23T14:07:61Z",       // second 61
           "2026-11-23T14:07:08+24:00",  // offset hour 24
           "2026-11-23T14:07:08+05:60",  // offset minute 60
       }) {
    CAPTURE(text);
    CHECK(parse_rfc3339(text) == std::nullopt);
  }
  // Leap days that do exist.
  CHECK(parse_rfc3339("2000-02-29T00:00:00Z").has_value());
  CHECK(parse_rfc3339("2024-02-29T00:00:00Z").has_value());
}

TEST_CASE("parse_rfc3339 rejects malformed text") {
  for (const char* text : {
           "",
           "2026-11-23",                       // date only
           "14:07:08Z",                        // time only
           "2026-11-23T14:07:08",              // no zone
           "2026-11-23T14:07Z",                // no seconds
           "2026-11-23T14:07:08.Z",            // fraction without digits
           "2026-11-23T14:07:08.1234567890Z",  // 10 fraction digits
           "2026-11-23T14:07:08,123Z",         // comma fraction
           "2026-11-23X14:07:08Z",             // bad separator
           "2026-11-23TT14:07:08Z",
           "2026-11-23T14:07:08ZZ",  // trailing garbage
           "2026-11-23T14:07:08Z ",
           " 2026-11-23T14:07:08Z",     // leading space
           "2026-11-23T14:07:08+0530",  // offset without colon
           "2026-11-23T14:07:08+05",    // offset without minutes
           "2026-11-23T14:07:08+5:30",  // one-digit offset hour
           "2026-11-23T14:07:08UTC",
           "26-11-23T14:07:08Z",          // two-digit year
           "+2026-11-23T14:07:08Z",       // signed year
           "-0001-12-31T23:59:59.999Z",   // year below 0000
           "+10000-01-01T00:00:00.000Z",  // year above 9999
           "2026-1-23T14:07:08Z",         // one-digit month
           "2026-11-3T14:07:08Z",         // one-digit day
           "2026-11-23T4:07:08Z",         // one-digit hour
           "2026/11/23T14:07:08Z",
           "2026-11-23T14:07:0aZ",
           "２０２６-11-23T14:07:08Z",  // non-ASCII digits
       }) {
    CAPTURE(text);
    CHECK(parse_rfc3339(text) == std::nullopt);
  }
  // An embedded NUL must not end the input early.
  CHECK(parse_rfc3339(std::string_view("2026-11-23T14:07:08Z\0", 21)) == std::nullopt);
}

TEST_CASE("format and parse round-trip") {
  for (const Timestamp t :
       {Timestamp{0}, Timestamp{1}, Timestamp{-1}, Timestamp{999}, Timestamp{-999},
        Timestamp{1795442828123}, Timestamp{951782400000}, Timestamp{-2203934400000},
        Timestamp{-62167219200000}, Timestamp{253402300799999}}) {
    CAPTURE(t);
    CHECK(parse_rfc3339(format_rfc3339(t)) == t);
  }
  // A sweep across the whole supported range with a step that is coprime with days, hours, etc.,
  // so that every month, day, and time-of-day field takes many values.
  const Timestamp lo = -62167219200000;
  const Timestamp hi = 253402300799999;
  const Timestamp step = 32'533'608'247;  // about a year plus odd hours, minutes, seconds and ms
  int n = 0;
  for (Timestamp t = lo; t <= hi; t += step, ++n) {
    const std::string s = format_rfc3339(t);
    const std::optional<Timestamp> back = parse_rfc3339(s);
    if (back != t) {
      FAIL_CHECK("round trip failed for " << t << " via " << s);
      break;
    }
  }
  CHECK(n > 9000);
}

TEST_CASE("format_rfc3339 agrees with a day-by-day calendar walk") {
  // Independent of the civil-date formulas: walk every day from 0000-01-01 to 9999-12-31 with
  // plain month lengths, and at each month's edges (where the formulas could go wrong) compare the
  // formatted date and parse it back. Checking every day would only make the test slow.
  const auto leap = [](int y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); };
  const int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  Timestamp day_start = -62167219200000;
  bool ok = true;
  char expected[48];
  for (int y = 0; y <= 9999 && ok; ++y) {
    for (int m = 1; m <= 12 && ok; ++m) {
      const int days = month_days[m - 1] + (m == 2 && leap(y) ? 1 : 0);
      for (int d = 1; d <= days; ++d, day_start += 86'400'000) {
        if (d != 1 && d < 28) continue;
        std::snprintf(expected, sizeof expected, "%04d-%02d-%02dT00:00:00.000Z", y, m, d);
        if (format_rfc3339(day_start) != expected || parse_rfc3339(expected) != day_start) {
          FAIL_CHECK("calendar mismatch at " << expected);
          ok = false;
          break;
        }
      }
    }
  }
  CHECK(ok);
  CHECK(day_start == 253402300800000);  // 10000-01-01, one day past the last day walked
}

TEST_CASE("now_ms is a plausible, non-decreasing UTC time") {
  const Timestamp a = quire::now_ms();
  const Timestamp b = quire::now_ms();
  CHECK(a >= 1'735'689'600'000);  // 2025-01-01T00:00:00Z
  CHECK(a < 253402300800000);     // before year 10000
  CHECK(b >= a - 1000);           // the system clock may step, but not wildly between two calls
  CHECK(parse_rfc3339(format_rfc3339(a)) == a);
}
