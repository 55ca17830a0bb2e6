// The library itself: its version, the buffers it hands over, and the argument rules every entry
// point shares.

#include <charconv>
#include <cstdlib>
#include <cstring>

#include "capi_internal.hpp"

namespace quire::capi {

char* give(std::string_view text) {
  // malloc, so that quire_free() (free) releases it whichever allocator the host uses.
  auto* copy = static_cast<char*>(std::malloc(text.size() + 1));  // NOLINT(*-no-malloc)
  if (copy == nullptr) throw std::bad_alloc();
  if (!text.empty()) std::memcpy(copy, text.data(), text.size());
  copy[text.size()] = '\0';
  return copy;
}

std::string_view string_arg(const char* value, const char* name) {
  if (value == nullptr) throw_invalid_field(name, std::string(name) + " must not be NULL");
  return value;
}

TenantRef tenant_ref(std::string_view value, std::string_view name) {
  if (value.empty()) throw_invalid(std::string(name) + " must be a slug or an id, not empty");
  if (value.find_first_not_of("0123456789") != std::string_view::npos) return value;
  TenantId id = 0;
  const auto* end = value.data() + value.size();
  const auto [ptr, ec] = std::from_chars(value.data(), end, id);
  if (ec != std::errc() || ptr != end) {
    throw_invalid(std::string(name) + " is a decimal id out of range");
  }
  return id;
}

TenantRef tenant_ref(const char* value, const char* name) {
  return tenant_ref(string_arg(value, name), name);
}

}  // namespace quire::capi

extern "C" {

QUIRE_EXPORT const char* quire_library_version(void) {
  return QUIRE_VERSION_STRING;
}

QUIRE_EXPORT int32_t quire_abi_version(void) {
  return QUIRE_ABI_VERSION;
}

QUIRE_EXPORT void quire_free(void* ptr) {
  std::free(ptr);  // NOLINT(*-no-malloc)
}

}  // extern "C"
