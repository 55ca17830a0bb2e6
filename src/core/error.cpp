#include <quire/result.hpp>
#include <stdexcept>
#include <system_error>

namespace quire {

std::string_view errc_name(Errc code) noexcept {
  switch (code) {
    case Errc::invalid_argument:
      return "invalid_argument";
    case Errc::not_found:
      return "not_found";
    case Errc::already_exists:
      return "already_exists";
    case Errc::conflict:
      return "conflict";
    case Errc::permission_denied:
      return "permission_denied";
    case Errc::unauthenticated:
      return "unauthenticated";
    case Errc::quota_exceeded:
      return "quota_exceeded";
    case Errc::busy:
      return "busy";
    case Errc::storage:
      return "storage";
    case Errc::corrupt:
      return "corrupt";
    case Errc::internal:
      return "internal";
    case Errc::not_supported:
      return "not_supported";
  }
  return "unknown";
}

namespace {
class QuireCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "quire"; }
  std::string message(int code) const override {
    return std::string(errc_name(static_cast<Errc>(code)));
  }
};
}  // namespace

const std::error_category& error_category() noexcept {
  static const QuireCategory category;
  return category;
}

void outcome_throw_as_system_error_with_payload(const Error& error) {
  throw std::system_error(make_error_code(error.code), error.message);
}

Error fail(Errc code, std::string message, std::string backend_detail) {
  return Error{code, std::move(message), std::move(backend_detail)};
}

}  // namespace quire
