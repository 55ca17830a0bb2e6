#pragma once
// What the small one-question benchmarks (capi_overhead, audit_scale, check_cost) share: their
// "--name value" flags, stopping on a failed call, and the median of their latencies.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <initializer_list>
#include <quire/quire.hpp>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace tool {

// A flag and what its value sets.
using Flag = std::pair<std::string_view, std::function<void(const char*)>>;

// Sets a number (a count, seconds, or 0|1) from a flag's value.
template <class T>
std::function<void(const char*)> number(T& into) {
  return [&into](const char* value) { into = static_cast<T>(std::strtod(value, nullptr)); };
}

// Sets a string from a flag's value.
inline std::function<void(const char*)> text(std::string& into) {
  return [&into](const char* value) { into = value; };
}

// Applies argv's "--name value" pairs; an unknown flag or a missing value prints the usage line
// ("usage: <program> <usage>") and exits with status 2.
inline void parse_flags(int argc, char** argv, std::initializer_list<Flag> flags,
                        const char* usage) {
  for (int i = 1; i < argc; i += 2) {
    const auto flag =
        std::find_if(flags.begin(), flags.end(), [&](const Flag& f) { return f.first == argv[i]; });
    if (flag == flags.end() || i + 1 == argc) {
      std::fprintf(stderr, "usage: %s %s\n", argv[0], usage);
      std::exit(2);
    }
    flag->second(argv[i + 1]);
  }
}

// Exits with status 2 and `message` unless `ok`: the check of a program's arguments.
inline void require(bool ok, const char* program, const char* message) {
  if (!ok) {
    std::fprintf(stderr, "%s: %s\n", program, message);
    std::exit(2);
  }
}

// The value of a call that must succeed; otherwise prints what failed and exits with status 1.
template <class T>
T must(quire::Result<T> result, const char* what) {
  if (!result) {
    std::fprintf(stderr, "%s failed: %s\n", what, result.error().message.c_str());
    std::exit(1);
  }
  if constexpr (!std::is_void_v<T>) return std::move(result).value();
}

inline double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace tool
