#pragma once
// The storage seam. A Backend hands out Transactions; a Transaction offers one narrow store per
// aggregate, with plain rows in and out. Engines hold the business rules and talk only to this
// interface; each backend (src/storage/<name>/) holds its own SQL. A thread-safe Backend hands out
// single-threaded Transactions.

#include <quire/quire_export.h>

#include <memory>
#include <optional>
#include <quire/audit.hpp>
#include <quire/auth.hpp>
#include <quire/options.hpp>
#include <quire/permission.hpp>
#include <quire/post.hpp>
#include <quire/result.hpp>
#include <quire/tenant.hpp>
#include <quire/types.hpp>
#include <quire/user.hpp>
#include <quire/version.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace quire::storage {

// A keyset scan: rows with id > after_id, ascending, at most `limit`.
struct Scan {
  std::int64_t after_id = 0;
  unsigned limit = 50;
};

struct TenantScan : Scan {
  bool include_inactive = true;
  bool include_deleted = false;
};

class TenantStore {
 public:
  virtual ~TenantStore() = default;
  // Assigns and returns the id. Errors: already_exists (slug, domain).
  virtual Result<TenantId> insert(const Tenant& row) noexcept = 0;
  virtual Result<std::optional<Tenant>> find(TenantId id) noexcept = 0;
  virtual Result<std::optional<Tenant>> find_by_slug(std::string_view slug) noexcept = 0;
  virtual Result<std::optional<Tenant>> find_by_domain(std::string_view domain) noexcept = 0;
  virtual Result<std::vector<Tenant>> list(const TenantScan& scan) noexcept = 0;
  // Rewrites every column of the row with this id. Errors: not_found, already_exists (domain).
  virtual Result<void> update(const Tenant& row) noexcept = 0;
};

// A user row as stored: the public record plus the argon2id hash, which never leaves the engines.
struct UserRow {
  User user;
  std::string password_hash;
};

class UserStore {
 public:
  virtual ~UserStore() = default;
  // Errors: already_exists (username, email).
  virtual Result<UserId> insert(const UserRow& row) noexcept = 0;
  virtual Result<std::optional<UserRow>> find(UserId id) noexcept = 0;
  virtual Result<std::optional<UserRow>> find_by_username(std::string_view username) noexcept = 0;
  virtual Result<std::optional<UserRow>> find_by_email(std::string_view email) noexcept = 0;
  virtual Result<std::vector<User>> list(const Scan& scan) noexcept = 0;
  // The members of one tenant, by user id.
  virtual Result<std::vector<User>> list_members(TenantId tenant, const Scan& scan) noexcept = 0;
  // Errors: not_found, already_exists (username, email).
  virtual Result<void> update(const UserRow& row) noexcept = 0;
};

// A membership and whether its user's account and its tenant are active: what every permission
// check reads.
struct MemberAccount {
  Member member;
  bool user_active = false;
  bool tenant_active = false;  // active and not deleted
};

class MemberStore {
 public:
  virtual ~MemberStore() = default;
  // Errors: already_exists, not_found (tenant or user, through the foreign keys).
  virtual Result<void> insert(const Member& row) noexcept = 0;
  virtual Result<std::optional<Member>> find(TenantId tenant, UserId user) noexcept = 0;
  // find() and the standing of the user and of the tenant, in one lookup.
  virtual Result<std::optional<MemberAccount>> find_with_account(TenantId tenant,
                                                                 UserId user) noexcept = 0;
  virtual Result<std::vector<Member>> list(TenantId tenant) noexcept = 0;
  virtual Result<std::int64_t> count(TenantId tenant) noexcept = 0;
  // Errors: not_found.
  virtual Result<void> update_role(TenantId tenant, UserId user,
                                   std::string_view role) noexcept = 0;
  virtual Result<void> remove(TenantId tenant, UserId user) noexcept = 0;
};

// An invitation as stored: the record plus the BLAKE2b-256 hash of its token, which never leaves
// the engines (the token itself is never stored).
struct InvitationRow {
  Invitation invitation;
  std::string token_hash;  // 32 raw bytes
};

class InvitationStore {
 public:
  virtual ~InvitationStore() = default;
  // Assigns and returns the id. Errors: already_exists (token hash), not_found (tenant).
  virtual Result<std::int64_t> insert(const InvitationRow& row) noexcept = 0;
  virtual Result<std::optional<Invitation>> find(TenantId tenant, std::int64_t id) noexcept = 0;
  // Across tenants: the token's hash is how a presented invitation is found.
  virtual Result<std::optional<InvitationRow>> find_by_token_hash(
      std::string_view token_hash) noexcept = 0;
  // The tenant's invitations neither accepted nor revoked that expire after `now`, by id.
  virtual Result<std::vector<Invitation>> list_pending(TenantId tenant, Timestamp now,
                                                       const Scan& scan) noexcept = 0;
  // Rewrites accepted_at, accepted_by and revoked_at of the row with this id (and tenant).
  // Errors: not_found.
  virtual Result<void> update(const Invitation& row) noexcept = 0;
};

// What AuditStore::query filters on; `before_seq` 0 starts from the newest entry.
struct AuditFilter {
  std::optional<ActorType> actor_type;
  std::optional<std::int64_t> actor_id;
  std::string action;
  std::string resource_type;
  std::string resource_id;
  std::string outcome;
  std::optional<Timestamp> since;
  std::optional<Timestamp> until;
  std::int64_t before_seq = 0;
  unsigned limit = 50;
};

// The audit trail of every chain. Entries are only ever appended; the backend refuses UPDATE and
// DELETE on them by itself (triggers, privileges), except through purge_before.
class AuditStore {
 public:
  virtual ~AuditStore() = default;
  // The newest entry of a chain, if any.
  virtual Result<std::optional<AuditHead>> head(TenantId chain) noexcept = 0;
  // Errors: already_exists (the seq is taken: another writer appended first).
  virtual Result<void> append(const AuditEntry& entry) noexcept = 0;
  // Newest first.
  virtual Result<std::vector<AuditEntry>> query(TenantId chain,
                                                const AuditFilter& filter) noexcept = 0;
  // Oldest first: entries with seq > after_seq.
  virtual Result<std::vector<AuditEntry>> scan(TenantId chain, std::int64_t after_seq,
                                               unsigned limit) noexcept = 0;
  // The seq of the last entry before `cutoff`, or 0.
  virtual Result<std::int64_t> last_seq_before(TenantId chain, Timestamp cutoff) noexcept = 0;
  // Removes the entries with seq <= through_seq; returns how many.
  virtual Result<std::int64_t> purge_through(TenantId chain, std::int64_t through_seq) noexcept = 0;
};

// Whether a read precedes a write of the same row in the same transaction. PostgreSQL locks the
// row (FOR NO KEY UPDATE) so that a concurrent writer waits rather than both reading the same
// version; SQLite, whose write transactions hold the database's single write lock, has nothing
// to add.
enum class Lock : int { none = 0, for_update = 1 };

// Which posts a reader may see, as part of the query itself: either every post the other filters
// allow, or only those published (when `published`), written by `author`, or granted to `grantee`
// at any level. Being part of the query, it keeps pages full, cursors on visible rows only and
// counts of terms to what the reader may read.
struct PostVisibility {
  bool all = true;
  bool published = false;
  std::optional<UserId> author;
  std::optional<UserId> grantee;
};

// What a person searches for, as structure: every entry must match. A term is a word, a prefix
// the start of one, a phrase words in a row; each backend tokenizes them as it indexes and renders
// them in its own query language, so no user text is ever query syntax.
struct SearchQuery {
  std::vector<std::string> terms;
  std::vector<std::string> prefixes;
  std::vector<std::vector<std::string>> phrases;

  bool empty() const noexcept { return terms.empty() && prefixes.empty() && phrases.empty(); }
};

// A listing of posts: the filters of PostQuery, resolved, and the keyset position. The sort key of
// published orders is published_at with "never" as 0; of title orders, the title.
struct PostScan {
  std::optional<std::string> type;
  std::optional<PostStatus> status;
  std::optional<UserId> author_id;
  std::optional<std::string> category;
  std::optional<std::string> tag;
  std::optional<std::optional<PostId>> parent_id;
  std::optional<Timestamp> since;
  std::optional<Timestamp> until;
  bool deleted = false;
  PostOrder order = PostOrder::published_desc;
  // Continue after this row: its sort key (an integer time, or a title) and its id.
  std::optional<std::variant<std::int64_t, std::string>> after_key;
  PostId after_id = 0;
  unsigned limit = 20;
  PostVisibility visible;
};

// What a permission decision reads of a post: whose it is and where it stands, not its text.
struct PostAccess {
  TenantId tenant_id = 0;
  PostId id = 0;
  UserId author_id = 0;
  PostStatus status = PostStatus::draft;
  bool deleted = false;  // in the trash
};

// Posts of one tenant, their tags, their old slugs and their search index. Every method is scoped
// by tenant: a row of another tenant is never read or written.
class PostStore {
 public:
  virtual ~PostStore() = default;
  // Assigns and returns the id; indexes the post for search. Errors: already_exists (slug).
  virtual Result<PostId> insert(const Post& post) noexcept = 0;
  virtual Result<std::optional<Post>> find(TenantId tenant, PostId id, Lock lock) noexcept = 0;
  // find() narrowed to what a permission check needs: a few small columns, never the body.
  virtual Result<std::optional<PostAccess>> find_access(TenantId tenant, PostId id) noexcept = 0;
  // The post whose current slug this is (not deleted or deleted alike).
  virtual Result<std::optional<Post>> find_by_slug(TenantId tenant, std::string_view type,
                                                   std::string_view slug) noexcept = 0;
  // The post that had this slug before a rename.
  virtual Result<std::optional<PostId>> find_old_slug(TenantId tenant, std::string_view type,
                                                      std::string_view slug) noexcept = 0;
  // Whether a post other than `except` has or had this slug.
  virtual Result<bool> slug_taken(TenantId tenant, std::string_view type, std::string_view slug,
                                  PostId except) noexcept = 0;
  virtual Result<void> add_old_slug(TenantId tenant, std::string_view type, std::string_view slug,
                                    PostId post) noexcept = 0;
  // Stores `after` over the row whose values are `before`, as this transaction read it: the
  // columns that differ change (SQLite sets only those; PostgreSQL sets every column in one
  // prepared statement, to the same effect). Re-indexes the post when its title or body changed,
  // and keeps count() right when the post goes to or leaves the trash. Errors: not_found.
  virtual Result<void> update(const Post& before, const Post& after) noexcept = 0;
  // Removes the post, its tags, old slugs and search entry for good.
  virtual Result<void> purge(const Post& post) noexcept = 0;
  // Without bodies: listings never read them.
  virtual Result<std::vector<Post>> list(TenantId tenant, const PostScan& scan) noexcept = 0;
  // Posts not in the trash: a count insert, update and purge keep, so reading it is O(1).
  virtual Result<std::int64_t> count(TenantId tenant) noexcept = 0;
  // The terms of the posts not in the trash that `visible` lets the reader see, with their counts.
  virtual Result<std::vector<TermCount>> categories(TenantId tenant,
                                                    const PostVisibility& visible) noexcept = 0;
  virtual Result<std::vector<TermCount>> tags(TenantId tenant,
                                              const PostVisibility& visible) noexcept = 0;
  // Scheduled posts whose time has come, oldest first.
  virtual Result<std::vector<PostId>> due(TenantId tenant, Timestamp now) noexcept = 0;
  // The best `limit` posts not in the trash that match every part of `query` and that `visible`
  // lets the reader see. Errors: invalid_argument (a query the backend cannot run).
  virtual Result<std::vector<SearchHit>> search(TenantId tenant, const SearchQuery& query,
                                                const PostVisibility& visible,
                                                unsigned limit) noexcept = 0;
};

// A stored version: its metadata, title and body, and the rest of the snapshot as JSON.
struct VersionRow {
  TenantId tenant_id = 0;
  Version version;
  std::string title;
  std::string body;
  std::string snapshot = "{}";  // slug, status, category, tags, excerpt, seo, fields
};

class VersionStore {
 public:
  virtual ~VersionStore() = default;
  // Errors: already_exists (the number is taken).
  virtual Result<void> insert(const VersionRow& row) noexcept = 0;
  virtual Result<std::optional<VersionRow>> find(TenantId tenant, PostId post,
                                                 std::int64_t number) noexcept = 0;
  // Newest first, metadata only.
  virtual Result<std::vector<Version>> list(TenantId tenant, PostId post) noexcept = 0;
  // Deletes all but the newest `keep` versions, never `protect`; returns how many went.
  virtual Result<std::int64_t> prune(TenantId tenant, PostId post, std::int64_t keep,
                                     std::int64_t protect) noexcept = 0;
  virtual Result<void> purge(TenantId tenant, PostId post) noexcept = 0;

  // Autosaves: one slot per (tenant, post, user), removed with the post when it is purged. A
  // backend without them yet fails with not_supported.
  // Writes the slot of (tenant, autosave.post_id, autosave.user_id), replacing what was there.
  virtual Result<void> save_autosave(TenantId /*tenant*/, const Autosave& /*autosave*/) noexcept {
    return autosaves_not_supported();
  }
  virtual Result<std::optional<Autosave>> find_autosave(TenantId /*tenant*/, PostId /*post*/,
                                                        UserId /*user*/) noexcept {
    return autosaves_not_supported();
  }
  // Returns whether there was one.
  virtual Result<bool> delete_autosave(TenantId /*tenant*/, PostId /*post*/,
                                       UserId /*user*/) noexcept {
    return autosaves_not_supported();
  }

 protected:
  static Error autosaves_not_supported() noexcept {
    try {
      return Error{Errc::not_supported, "this storage backend does not keep autosaves yet", {}};
    } catch (...) {
      return Error{Errc::not_supported, {}, {}};  // out of memory: the code alone
    }
  }
};

// The custom roles of each tenant; the built-in ones live in code.
class RoleStore {
 public:
  virtual ~RoleStore() = default;
  virtual Result<std::optional<Role>> find(TenantId tenant, std::string_view name) noexcept = 0;
  virtual Result<std::vector<Role>> list(TenantId tenant) noexcept = 0;
  // Inserts or replaces.
  virtual Result<void> save(TenantId tenant, const Role& role) noexcept = 0;
  virtual Result<void> remove(TenantId tenant, std::string_view name) noexcept = 0;
  // How many members hold the role.
  virtual Result<std::int64_t> holders(TenantId tenant, std::string_view name) noexcept = 0;
};

class GrantStore {
 public:
  virtual ~GrantStore() = default;
  virtual Result<std::optional<GrantLevel>> find(TenantId tenant, const ResourceRef& resource,
                                                 UserId user) noexcept = 0;
  // Inserts or replaces the level.
  virtual Result<void> save(const Grant& grant) noexcept = 0;
  // Errors: not_found.
  virtual Result<void> remove(TenantId tenant, const ResourceRef& resource,
                              UserId user) noexcept = 0;
  // Every grant on one item (when it is purged).
  virtual Result<void> remove_all(TenantId tenant, const ResourceRef& resource) noexcept = 0;
};

// An API key as stored: the record and the BLAKE2b hash of its secret, never the secret.
struct KeyRow {
  ApiKey key;
  std::string secret_hash;  // 32 raw bytes
  // Made by the system context (or by a key the system made): no person stands behind it, and
  // key.created_by is 0. Every other key's created_by is the person it acts for: the user who made
  // it, or the person behind the key that minted it.
  bool made_by_system = false;
};

// A key and the standing of its tenant and of the person behind it: what every use of the key
// reads, since a key never does more than that person may do now.
struct KeyStanding {
  KeyRow row;
  bool tenant_active = false;   // active and not deleted
  bool creator_active = false;  // the creator's account is active; false when made by the system
  // The creator's role in the key's tenant; none when they are no longer a member (or for a key
  // the system made).
  std::optional<std::string> creator_role;
};

class KeyStore {
 public:
  virtual ~KeyStore() = default;
  // Assigns and returns the id. Errors: already_exists (public id).
  virtual Result<std::int64_t> insert(const KeyRow& row) noexcept = 0;
  // Across tenants: the public id is how a presented key is found.
  virtual Result<std::optional<KeyRow>> find_by_public_id(std::string_view public_id) noexcept = 0;
  virtual Result<std::optional<KeyRow>> find(TenantId tenant, std::int64_t id) noexcept = 0;
  // find() and the standing of the key's tenant and creator (account and role), in one lookup.
  virtual Result<std::optional<KeyStanding>> find_with_standing(TenantId tenant,
                                                                std::int64_t id) noexcept = 0;
  virtual Result<std::vector<ApiKey>> list(TenantId tenant) noexcept = 0;
  // Rewrites the row with this id (and tenant).
  virtual Result<void> update(const KeyRow& row) noexcept = 0;
};

struct SessionRow {
  std::string jti;
  TenantId tenant_id = 0;
  UserId user_id = 0;
  Timestamp issued_at = 0;
  Timestamp expires_at = 0;
  std::optional<Timestamp> revoked_at;
};

// Login sessions, failed-login counters and the per-database secret that signs tokens.
class SessionStore {
 public:
  virtual ~SessionStore() = default;
  virtual Result<std::optional<std::string>> secret() noexcept = 0;
  virtual Result<void> set_secret(std::string_view secret) noexcept = 0;
  virtual Result<void> insert(const SessionRow& row) noexcept = 0;
  virtual Result<std::optional<SessionRow>> find(std::string_view jti) noexcept = 0;
  virtual Result<void> revoke(std::string_view jti, Timestamp at) noexcept = 0;
  // Failed logins in a row under one name in a tenant, and when the last one was. Counted per
  // name as typed (normalised), whether or not an account has it, so that the throttle tells no
  // account apart; `tenant` is 0 for a tenant reference that names no tenant, and then `login`
  // names that reference too (see session.cpp).
  virtual Result<std::pair<std::int64_t, Timestamp>> failures(TenantId tenant,
                                                              std::string_view login) noexcept = 0;
  virtual Result<void> record_failure(TenantId tenant, std::string_view login,
                                      Timestamp at) noexcept = 0;
  virtual Result<void> clear_failures(TenantId tenant, std::string_view login) noexcept = 0;
};

enum class Access : int { read = 0, write = 1 };

// Rolls back in its destructor unless committed; never throws.
class Transaction {
 public:
  virtual ~Transaction() = default;
  virtual Access access() const noexcept = 0;

  virtual TenantStore& tenants() noexcept = 0;
  virtual UserStore& users() noexcept = 0;
  virtual MemberStore& members() noexcept = 0;
  virtual InvitationStore& invitations() noexcept = 0;
  virtual AuditStore& audit() noexcept = 0;
  virtual PostStore& posts() noexcept = 0;
  virtual VersionStore& versions() noexcept = 0;
  virtual RoleStore& roles() noexcept = 0;
  virtual GrantStore& grants() noexcept = 0;
  virtual KeyStore& keys() noexcept = 0;
  virtual SessionStore& sessions() noexcept = 0;

  // Nested units of work inside an explicit transaction undo only their own changes on failure.
  virtual Result<void> savepoint(std::string_view name) noexcept = 0;
  virtual Result<void> release(std::string_view name) noexcept = 0;
  virtual Result<void> rollback_to(std::string_view name) noexcept = 0;

  virtual Result<void> commit() noexcept = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  // "sqlite", "postgresql"
  virtual std::string_view name() const noexcept = 0;
  // A write transaction holds the backend's write lock until it ends: take one per thread at a
  // time. Errors: busy (the lock could not be had within the busy timeout), storage.
  virtual Result<std::unique_ptr<Transaction>> begin(Access access) noexcept = 0;
  // The schema version this database is at.
  virtual Result<int> schema_version() noexcept = 0;
};

// Opens the backend a URL names ("sqlite:…", "sqlite::memory:", "postgresql://…") and migrates
// its schema.
QUIRE_EXPORT Result<std::unique_ptr<Backend>> open_backend(std::string_view url,
                                                           const Options& options) noexcept;

// Brings the schema of the database a URL names up to date and lets go of it; returns the schema
// version. On PostgreSQL this is the one thing quire does as the schema's owner, which
// open_backend refuses (docs/postgresql.md); on SQLite it is open_backend and close.
QUIRE_EXPORT Result<int> migrate(std::string_view url, const Options& options) noexcept;

}  // namespace quire::storage
