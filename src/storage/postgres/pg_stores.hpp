#pragma once
// The PostgreSQL implementations of the stores: each one holds the session of its transaction.
// Statements on tenant-owned tables go through Session::read_in/write_in with their tenant, which
// is what row-level security checks them against.

#include <quire/storage.hpp>

#include "storage/postgres/pg_errors.hpp"
#include "storage/postgres/pg_session.hpp"

namespace quire::storage::postgres {

class PgTenantStore final : public TenantStore {
 public:
  explicit PgTenantStore(Session& session) noexcept : db_(session) {}
  Result<TenantId> insert(const Tenant& row) noexcept override;
  Result<std::optional<Tenant>> find(TenantId id) noexcept override;
  Result<std::optional<Tenant>> find_by_slug(std::string_view slug) noexcept override;
  Result<std::optional<Tenant>> find_by_domain(std::string_view domain) noexcept override;
  Result<std::vector<Tenant>> list(const TenantScan& scan) noexcept override;
  Result<void> update(const Tenant& row) noexcept override;

 private:
  Session& db_;
};

class PgUserStore final : public UserStore {
 public:
  explicit PgUserStore(Session& session) noexcept : db_(session) {}
  Result<UserId> insert(const UserRow& row) noexcept override;
  Result<std::optional<UserRow>> find(UserId id) noexcept override;
  Result<std::optional<UserRow>> find_by_username(std::string_view username) noexcept override;
  Result<std::optional<UserRow>> find_by_email(std::string_view email) noexcept override;
  Result<std::vector<User>> list(const Scan& scan) noexcept override;
  Result<std::vector<User>> list_members(TenantId tenant, const Scan& scan) noexcept override;
  Result<void> update(const UserRow& row) noexcept override;

 private:
  Session& db_;
};

class PgMemberStore final : public MemberStore {
 public:
  explicit PgMemberStore(Session& session) noexcept : db_(session) {}
  Result<void> insert(const Member& row) noexcept override;
  Result<std::optional<Member>> find(TenantId tenant, UserId user) noexcept override;
  Result<std::optional<MemberAccount>> find_with_account(TenantId tenant,
                                                         UserId user) noexcept override;
  Result<std::vector<Member>> list(TenantId tenant) noexcept override;
  Result<std::int64_t> count(TenantId tenant) noexcept override;
  Result<void> update_role(TenantId tenant, UserId user, std::string_view role) noexcept override;
  Result<void> remove(TenantId tenant, UserId user) noexcept override;

 private:
  Session& db_;
};

class PgInvitationStore final : public InvitationStore {
 public:
  explicit PgInvitationStore(Session& session) noexcept : db_(session) {}
  Result<std::int64_t> insert(const InvitationRow& row) noexcept override;
  Result<std::optional<Invitation>> find(TenantId tenant, std::int64_t id) noexcept override;
  Result<std::optional<InvitationRow>> find_by_token_hash(
      std::string_view token_hash) noexcept override;
  Result<std::vector<Invitation>> list_pending(TenantId tenant, Timestamp now,
                                               const Scan& scan) noexcept override;
  Result<void> update(const Invitation& row) noexcept override;

 private:
  Session& db_;
};

class PgAuditStore final : public AuditStore {
 public:
  explicit PgAuditStore(Session& session) noexcept : db_(session) {}
  Result<std::optional<AuditHead>> head(TenantId chain) noexcept override;
  Result<void> append(const AuditEntry& entry) noexcept override;
  Result<std::vector<AuditEntry>> query(TenantId chain,
                                        const AuditFilter& filter) noexcept override;
  Result<std::vector<AuditEntry>> scan(TenantId chain, std::int64_t after_seq,
                                       unsigned limit) noexcept override;
  Result<std::int64_t> last_seq_before(TenantId chain, Timestamp cutoff) noexcept override;
  Result<std::int64_t> purge_through(TenantId chain, std::int64_t through_seq) noexcept override;

 private:
  Session& db_;
};

class PgPostStore final : public PostStore {
 public:
  explicit PgPostStore(Session& session) noexcept : db_(session) {}
  Result<PostId> insert(const Post& post) noexcept override;
  Result<std::optional<Post>> find(TenantId tenant, PostId id, Lock lock) noexcept override;
  Result<std::optional<PostAccess>> find_access(TenantId tenant, PostId id) noexcept override;
  Result<std::optional<Post>> find_by_slug(TenantId tenant, std::string_view type,
                                           std::string_view slug) noexcept override;
  Result<std::optional<PostId>> find_old_slug(TenantId tenant, std::string_view type,
                                              std::string_view slug) noexcept override;
  Result<bool> slug_taken(TenantId tenant, std::string_view type, std::string_view slug,
                          PostId except) noexcept override;
  Result<void> add_old_slug(TenantId tenant, std::string_view type, std::string_view slug,
                            PostId post) noexcept override;
  Result<void> update(const Post& before, const Post& after) noexcept override;
  Result<void> purge(const Post& post) noexcept override;
  Result<std::vector<Post>> list(TenantId tenant, const PostScan& scan) noexcept override;
  Result<std::int64_t> count(TenantId tenant) noexcept override;
  Result<std::vector<TermCount>> categories(TenantId tenant,
                                            const PostVisibility& visible) noexcept override;
  Result<std::vector<TermCount>> tags(TenantId tenant,
                                      const PostVisibility& visible) noexcept override;
  Result<std::vector<PostId>> due(TenantId tenant, Timestamp now) noexcept override;
  Result<std::vector<SearchHit>> search(TenantId tenant, const SearchQuery& search,
                                        const PostVisibility& visible,
                                        unsigned limit) noexcept override;

 private:
  Session& db_;
};

class PgVersionStore final : public VersionStore {
 public:
  explicit PgVersionStore(Session& session) noexcept : db_(session) {}
  Result<void> insert(const VersionRow& row) noexcept override;
  Result<std::optional<VersionRow>> find(TenantId tenant, PostId post,
                                         std::int64_t number) noexcept override;
  Result<std::vector<Version>> list(TenantId tenant, PostId post) noexcept override;
  Result<std::int64_t> prune(TenantId tenant, PostId post, std::int64_t keep,
                             std::int64_t protect) noexcept override;
  Result<void> purge(TenantId tenant, PostId post) noexcept override;
  Result<void> save_autosave(TenantId tenant, const Autosave& autosave) noexcept override;
  Result<std::optional<Autosave>> find_autosave(TenantId tenant, PostId post,
                                                UserId user) noexcept override;
  Result<bool> delete_autosave(TenantId tenant, PostId post, UserId user) noexcept override;

 private:
  Session& db_;
};

class PgRoleStore final : public RoleStore {
 public:
  explicit PgRoleStore(Session& session) noexcept : db_(session) {}
  Result<std::optional<Role>> find(TenantId tenant, std::string_view name) noexcept override;
  Result<std::vector<Role>> list(TenantId tenant) noexcept override;
  Result<void> save(TenantId tenant, const Role& role) noexcept override;
  Result<void> remove(TenantId tenant, std::string_view name) noexcept override;
  Result<std::int64_t> holders(TenantId tenant, std::string_view name) noexcept override;

 private:
  Session& db_;
};

class PgGrantStore final : public GrantStore {
 public:
  explicit PgGrantStore(Session& session) noexcept : db_(session) {}
  Result<std::optional<GrantLevel>> find(TenantId tenant, const ResourceRef& resource,
                                         UserId user) noexcept override;
  Result<void> save(const Grant& grant) noexcept override;
  Result<void> remove(TenantId tenant, const ResourceRef& resource, UserId user) noexcept override;
  Result<void> remove_all(TenantId tenant, const ResourceRef& resource) noexcept override;

 private:
  Session& db_;
};

class PgKeyStore final : public KeyStore {
 public:
  explicit PgKeyStore(Session& session) noexcept : db_(session) {}
  Result<std::int64_t> insert(const KeyRow& row) noexcept override;
  Result<std::optional<KeyRow>> find_by_public_id(std::string_view public_id) noexcept override;
  Result<std::optional<KeyRow>> find(TenantId tenant, std::int64_t id) noexcept override;
  Result<std::optional<KeyStanding>> find_with_standing(TenantId tenant,
                                                        std::int64_t id) noexcept override;
  Result<std::vector<ApiKey>> list(TenantId tenant) noexcept override;
  Result<void> update(const KeyRow& row) noexcept override;

 private:
  Session& db_;
};

class PgSessionStore final : public SessionStore {
 public:
  explicit PgSessionStore(Session& session) noexcept : db_(session) {}
  Result<std::optional<std::string>> secret() noexcept override;
  Result<void> set_secret(std::string_view secret) noexcept override;
  Result<void> insert(const SessionRow& row) noexcept override;
  Result<std::optional<SessionRow>> find(std::string_view jti) noexcept override;
  Result<void> revoke(std::string_view jti, Timestamp at) noexcept override;
  Result<std::pair<std::int64_t, Timestamp>> failures(TenantId tenant,
                                                      std::string_view login) noexcept override;
  Result<void> record_failure(TenantId tenant, std::string_view login,
                              Timestamp at) noexcept override;
  Result<void> clear_failures(TenantId tenant, std::string_view login) noexcept override;

 private:
  Session& db_;
};

// Raw bytes as a bytea parameter (hex form), and a bytea column (hex form, "\x…") as raw bytes.
std::string bytea_param(std::string_view bytes);
std::string bytea_bytes(const PgResult& result, int row, int column);

// Every row of `result`, each read by `read(result, row)`.
template <class Read>
auto collect(const PgResult& result, Read read) {
  std::vector<decltype(read(result, 0))> rows;
  rows.reserve(static_cast<std::size_t>(result.rows()));
  for (int row = 0; row < result.rows(); ++row) rows.push_back(read(result, row));
  return rows;
}

// The first row of `result` read by `read`, or nullopt.
template <class Read>
auto first_row(const PgResult& result, Read read) -> std::optional<decltype(read(result, 0))> {
  if (result.empty()) return std::nullopt;
  return read(result, 0);
}

}  // namespace quire::storage::postgres
