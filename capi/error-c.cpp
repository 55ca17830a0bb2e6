// The thread's last error, and the names of the status codes.

#include <array>

#include "json.hpp"

namespace quire::capi {

static_assert(QUIRE_EINVAL == -static_cast<int>(Errc::invalid_argument));
static_assert(QUIRE_ENOTFOUND == -static_cast<int>(Errc::not_found));
static_assert(QUIRE_EEXISTS == -static_cast<int>(Errc::already_exists));
static_assert(QUIRE_ECONFLICT == -static_cast<int>(Errc::conflict));
static_assert(QUIRE_EPERM == -static_cast<int>(Errc::permission_denied));
static_assert(QUIRE_EAUTH == -static_cast<int>(Errc::unauthenticated));
static_assert(QUIRE_EQUOTA == -static_cast<int>(Errc::quota_exceeded));
static_assert(QUIRE_EBUSY == -static_cast<int>(Errc::busy));
static_assert(QUIRE_ESTORAGE == -static_cast<int>(Errc::storage));
static_assert(QUIRE_ECORRUPT == -static_cast<int>(Errc::corrupt));
static_assert(QUIRE_EINTERNAL == -static_cast<int>(Errc::internal));
static_assert(QUIRE_ENOTSUP == -static_cast<int>(Errc::not_supported));

namespace {

constexpr const char* out_of_memory = "out of memory";
// quire_last_error_json() for the failure out_of_memory stands for, written without allocating.
constexpr const char* out_of_memory_json =
    R"({"status":-11,"code":"QUIRE_EINTERNAL","message":"out of memory","detail":"","details":{}})";
constexpr const char* no_error_json =
    R"({"status":0,"code":"QUIRE_OK","message":"","detail":"","details":{}})";

struct LastError {
  quire_status code = QUIRE_OK;
  std::uint64_t generation = 0;
  // When set, the message is this static text instead of `message` (no allocation for OOM).
  const char* fixed = nullptr;
  std::string message;
  std::string detail;
  ErrorFacts facts;
  // quire_last_error_json()'s text, written on first asking for the failure of that generation,
  // so that a pointer it gave stays valid until the next failure.
  std::string json;
  std::uint64_t json_generation = 0;
};

LastError& last_error() noexcept {
  thread_local LastError error;
  return error;
}

constexpr std::array<const char*, 13> status_names = {
    "QUIRE_OK",       "QUIRE_EINVAL",    "QUIRE_ENOTFOUND", "QUIRE_EEXISTS", "QUIRE_ECONFLICT",
    "QUIRE_EPERM",    "QUIRE_EAUTH",     "QUIRE_EQUOTA",    "QUIRE_EBUSY",   "QUIRE_ESTORAGE",
    "QUIRE_ECORRUPT", "QUIRE_EINTERNAL", "QUIRE_ENOTSUP",
};

}  // namespace

void set_last_error(quire_status code, std::string_view message, std::string_view detail,
                    const ErrorFacts& facts) noexcept {
  auto& error = last_error();
  error.code = code;
  ++error.generation;
  try {
    error.message.assign(message);
    error.detail.assign(detail);
    error.facts = facts;
    error.fixed = nullptr;
  } catch (...) {  // std::bad_alloc: keep the code, say why the message is missing
    error.fixed = out_of_memory;
    error.detail.clear();
    error.facts = ErrorFacts();  // its strings are empty: nothing to allocate
  }
}

void set_last_error_oom() noexcept {
  auto& error = last_error();
  error.code = QUIRE_EINTERNAL;
  ++error.generation;
  error.fixed = out_of_memory;
  error.detail.clear();
  error.facts = ErrorFacts();
}

quire_status last_error_code() noexcept {
  return last_error().code;
}

const char* last_error_message() noexcept {
  const auto& error = last_error();
  return error.fixed != nullptr ? error.fixed : error.message.c_str();
}

std::uint64_t last_error_generation() noexcept {
  return last_error().generation;
}

Errc errc_of(quire_status status) noexcept {
  if (status < -static_cast<quire_status>(Errc::not_supported) || status >= 0) {
    return Errc::internal;
  }
  return static_cast<Errc>(-status);
}

quire_status report(const Error& error) noexcept {
  const quire_status code = status_of(error.code);
  set_last_error(code, error.message, error.backend_detail, error.facts);
  return code;
}

void throw_invalid(std::string message) {
  throw Error{Errc::invalid_argument, std::move(message), {}};
}

void throw_invalid_field(std::string field, std::string message) {
  Error error{Errc::invalid_argument, std::move(message), {}};
  error.facts.field = std::move(field);
  throw error;
}

namespace {

// The facts that are set, as the members of one JSON object.
std::string encode_facts(const ErrorFacts& facts) {
  std::string out = "{";
  bool first = true;
  const auto key = [&](std::string_view name) {
    append_key(out, name, first);
    first = false;
  };
  const auto text = [&](std::string_view name, const std::string& value) {
    if (value.empty()) return;
    key(name);
    append_string(out, value);
  };
  const auto number = [&](std::string_view name, const std::optional<std::int64_t>& value) {
    if (!value) return;
    key(name);
    append_int(out, *value);
  };
  number("current_version", facts.current_version);
  text("permission", facts.permission);
  text("role", facts.role);
  text("quota", facts.quota);
  number("limit", facts.limit);
  text("plan", facts.plan);
  text("field", facts.field);
  if (facts.retryable) {
    key("retryable");
    append_bool(out, true);
  }
  out.push_back('}');
  return out;
}

std::string encode_last_error(const LastError& error) {
  std::string out = "{\"status\":";
  append_int(out, error.code);
  append_key(out, "code");
  append_string(out, quire_status_name(error.code));
  append_key(out, "message");
  append_string(out, last_error_message());
  append_key(out, "detail");
  append_string(out, error.detail);
  append_key(out, "details");
  out += encode_facts(error.facts);
  out.push_back('}');
  return out;
}

}  // namespace

}  // namespace quire::capi

using namespace quire::capi;

extern "C" {

QUIRE_EXPORT quire_status quire_last_error_code(void) {
  return last_error_code();
}

QUIRE_EXPORT const char* quire_last_error_message(void) {
  return last_error_message();
}

QUIRE_EXPORT const char* quire_last_error_detail(void) {
  const auto& error = last_error();
  return error.detail.c_str();
}

QUIRE_EXPORT const char* quire_last_error_json(void) {
  auto& error = last_error();
  if (error.generation == 0) return no_error_json;
  // Out of memory: the static text, so that reporting it allocates nothing.
  if (error.fixed != nullptr && error.code == QUIRE_EINTERNAL) return out_of_memory_json;
  if (error.json_generation != error.generation) {
    try {
      error.json = encode_last_error(error);
      error.json_generation = error.generation;
    } catch (...) {  // std::bad_alloc
      return out_of_memory_json;
    }
  }
  return error.json.c_str();
}

QUIRE_EXPORT const char* quire_status_name(quire_status status) {
  if (status > 0 || -static_cast<std::int64_t>(status) >= std::ssize(status_names)) {
    return "QUIRE_UNKNOWN";
  }
  return status_names[static_cast<std::size_t>(-status)];
}

}  // extern "C"
