#pragma once
// The stores of the interface the PostgreSQL backend does not have yet. Nothing is faked: every
// method fails with Errc::not_supported, naming the store, so an engine that needs one fails
// loudly on PostgreSQL instead of appearing to work.

#include <fmt/format.h>

#include <quire/storage.hpp>
#include <string_view>

namespace quire::storage::postgres {

inline Error not_supported_yet(std::string_view store) noexcept {
  try {
    return fail(Errc::not_supported,
                fmt::format("the PostgreSQL backend does not support {} yet", store));
  } catch (...) {
    return Error{Errc::not_supported, {}, {}};  // out of memory: the code alone
  }
}

class PgUnsupportedPostStore final : public PostStore {
 public:
  Result<PostId> insert(const Post& /*post*/) noexcept override { return no(); }
  Result<std::optional<Post>> find(TenantId /*tenant*/, PostId /*id*/) noexcept override {
    return no();
  }
  Result<std::optional<Post>> find_by_slug(TenantId /*tenant*/, std::string_view /*type*/,
                                           std::string_view /*slug*/) noexcept override {
    return no();
  }
  Result<std::optional<PostId>> find_old_slug(TenantId /*tenant*/, std::string_view /*type*/,
                                              std::string_view /*slug*/) noexcept override {
    return no();
  }
  Result<bool> slug_taken(TenantId /*tenant*/, std::string_view /*type*/, std::string_view /*slug*/,
                          PostId /*except*/) noexcept override {
    return no();
  }
  Result<void> add_old_slug(TenantId /*tenant*/, std::string_view /*type*/,
                            std::string_view /*slug*/, PostId /*post*/) noexcept override {
    return no();
  }
  Result<void> update(const Post& /*before*/, const Post& /*after*/) noexcept override {
    return no();
  }
  Result<void> purge(const Post& /*post*/) noexcept override { return no(); }
  Result<std::vector<Post>> list(TenantId /*tenant*/, const PostScan& /*scan*/) noexcept override {
    return no();
  }
  Result<std::int64_t> count(TenantId /*tenant*/) noexcept override { return no(); }
  Result<std::vector<TermCount>> categories(TenantId /*tenant*/) noexcept override { return no(); }
  Result<std::vector<TermCount>> tags(TenantId /*tenant*/) noexcept override { return no(); }
  Result<std::vector<PostId>> due(TenantId /*tenant*/, Timestamp /*now*/) noexcept override {
    return no();
  }
  Result<std::vector<SearchHit>> search(TenantId /*tenant*/, std::string_view /*match*/,
                                        bool /*published_only*/,
                                        unsigned /*limit*/) noexcept override {
    return no();
  }

 private:
  static Error no() noexcept { return not_supported_yet("posts"); }
};

class PgUnsupportedVersionStore final : public VersionStore {
 public:
  Result<void> insert(const VersionRow& /*row*/) noexcept override { return no(); }
  Result<std::optional<VersionRow>> find(TenantId /*tenant*/, PostId /*post*/,
                                         std::int64_t /*number*/) noexcept override {
    return no();
  }
  Result<std::vector<Version>> list(TenantId /*tenant*/, PostId /*post*/) noexcept override {
    return no();
  }
  Result<std::int64_t> prune(TenantId /*tenant*/, PostId /*post*/, std::int64_t /*keep*/,
                             std::int64_t /*protect*/) noexcept override {
    return no();
  }
  Result<void> purge(TenantId /*tenant*/, PostId /*post*/) noexcept override { return no(); }

 private:
  static Error no() noexcept { return not_supported_yet("versions"); }
};

class PgUnsupportedRoleStore final : public RoleStore {
 public:
  Result<std::optional<Role>> find(TenantId /*tenant*/,
                                   std::string_view /*name*/) noexcept override {
    return no();
  }
  Result<std::vector<Role>> list(TenantId /*tenant*/) noexcept override { return no(); }
  Result<void> save(TenantId /*tenant*/, const Role& /*role*/) noexcept override { return no(); }
  Result<void> remove(TenantId /*tenant*/, std::string_view /*name*/) noexcept override {
    return no();
  }
  Result<std::int64_t> holders(TenantId /*tenant*/, std::string_view /*name*/) noexcept override {
    return no();
  }

 private:
  static Error no() noexcept { return not_supported_yet("custom roles"); }
};

class PgUnsupportedGrantStore final : public GrantStore {
 public:
  Result<std::optional<GrantLevel>> find(TenantId /*tenant*/, const ResourceRef& /*resource*/,
                                         UserId /*user*/) noexcept override {
    return no();
  }
  Result<void> save(const Grant& /*grant*/) noexcept override { return no(); }
  Result<void> remove(TenantId /*tenant*/, const ResourceRef& /*resource*/,
                      UserId /*user*/) noexcept override {
    return no();
  }
  Result<void> remove_all(TenantId /*tenant*/, const ResourceRef& /*resource*/) noexcept override {
    return no();
  }

 private:
  static Error no() noexcept { return not_supported_yet("grants"); }
};

class PgUnsupportedKeyStore final : public KeyStore {
 public:
  Result<std::int64_t> insert(const KeyRow& /*row*/) noexcept override { return no(); }
  Result<std::optional<KeyRow>> find_by_public_id(
      std::string_view /*public_id*/) noexcept override {
    return no();
  }
  Result<std::optional<KeyRow>> find(TenantId /*tenant*/, std::int64_t /*id*/) noexcept override {
    return no();
  }
  Result<std::vector<ApiKey>> list(TenantId /*tenant*/) noexcept override { return no(); }
  Result<void> update(const KeyRow& /*row*/) noexcept override { return no(); }

 private:
  static Error no() noexcept { return not_supported_yet("API keys"); }
};

class PgUnsupportedSessionStore final : public SessionStore {
 public:
  Result<std::optional<std::string>> secret() noexcept override { return no(); }
  Result<void> set_secret(std::string_view /*secret*/) noexcept override { return no(); }
  Result<void> insert(const SessionRow& /*row*/) noexcept override { return no(); }
  Result<std::optional<SessionRow>> find(std::string_view /*jti*/) noexcept override {
    return no();
  }
  Result<void> revoke(std::string_view /*jti*/, Timestamp /*at*/) noexcept override { return no(); }
  Result<std::pair<std::int64_t, Timestamp>> failures(TenantId /*tenant*/,
                                                      UserId /*user*/) noexcept override {
    return no();
  }
  Result<void> record_failure(TenantId /*tenant*/, UserId /*user*/,
                              Timestamp /*at*/) noexcept override {
    return no();
  }
  Result<void> clear_failures(TenantId /*tenant*/, UserId /*user*/) noexcept override {
    return no();
  }

 private:
  static Error no() noexcept { return not_supported_yet("login sessions"); }
};

}  // namespace quire::storage::postgres
