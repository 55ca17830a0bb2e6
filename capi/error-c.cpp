// The thread's last error, and the names of the status codes.

#include <array>

#include "capi_internal.hpp"

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

struct LastError {
  quire_status code = QUIRE_OK;
  std::uint64_t generation = 0;
  // When set, the message is this static text instead of `message` (no allocation for OOM).
  const char* fixed = nullptr;
  std::string message;
  std::string detail;
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

void set_last_error(quire_status code, std::string_view message, std::string_view detail) noexcept {
  auto& error = last_error();
  error.code = code;
  ++error.generation;
  try {
    error.message.assign(message);
    error.detail.assign(detail);
    error.fixed = nullptr;
  } catch (...) {  // std::bad_alloc: keep the code, say why the message is missing
    error.fixed = out_of_memory;
    error.detail.clear();
  }
}

void set_last_error_oom() noexcept {
  auto& error = last_error();
  error.code = QUIRE_EINTERNAL;
  ++error.generation;
  error.fixed = out_of_memory;
  error.detail.clear();
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
  set_last_error(code, error.message, error.backend_detail);
  return code;
}

void throw_invalid(std::string message) {
  throw Error{Errc::invalid_argument, std::move(message), {}};
}

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

QUIRE_EXPORT const char* quire_status_name(quire_status status) {
  if (status > 0 || -static_cast<std::int64_t>(status) >= std::ssize(status_names)) {
    return "QUIRE_UNKNOWN";
  }
  return status_names[static_cast<std::size_t>(-status)];
}

}  // extern "C"
