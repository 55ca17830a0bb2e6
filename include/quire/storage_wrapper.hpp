#pragma once
// Forwarding wrappers for the storage seam, as LevelDB's EnvWrapper: a Backend whose transactions
// and stores pass every call on to another Backend's, with one hook before and one after each
// call. A host wraps storage this way to add metrics, tracing or logging; quire's tests wrap it to
// fail chosen steps (tests/support/fault_backend.hpp). Open a Database over the wrapper with
// Database::open(std::unique_ptr<storage::Backend>, Options).
//
// Public and header-only on purpose: a host builds its own wrappers on these classes, so they
// belong with the seam they wrap (quire/storage.hpp); being inline, they add no symbol to the
// library's ABI, and a change of a store's signature is a mechanical edit of one forwarder here.
//
//   class TimedBackend : public quire::storage::ForwardingBackend {
//    public:
//     using ForwardingBackend::ForwardingBackend;
//     void after(const Step& step, const Error* error) noexcept override { ...record... }
//   };
//   auto db = quire::Database::open(std::make_unique<TimedBackend>(std::move(backend)));

#include <memory>
#include <new>
#include <quire/storage.hpp>
#include <string_view>
#include <utility>

namespace quire::storage {

// What one forwarded call does. `begin` is Backend::begin; `read` and `write` are store calls;
// `savepoint` is Transaction::savepoint, release and rollback_to; `commit` is Transaction::commit.
enum class StepKind : int { begin, read, write, savepoint, commit };

// One call through the seam: its kind, and where it goes ("tenants" / "insert", "transaction" /
// "commit", "backend" / "begin"). The names are string literals: they outlive the call.
struct Step {
  StepKind kind = StepKind::read;
  std::string_view store;
  std::string_view method;
};

// The hooks every forwarded call passes through. Both may be called from any thread that uses the
// backend (each of its transactions from one thread at a time).
class StepObserver {
 public:
  virtual ~StepObserver() = default;
  // Before the call. An error returned here becomes the call's result, and the wrapped backend is
  // not reached.
  virtual Result<void> before(const Step& /*step*/) noexcept { return success(); }
  // After the wrapped call returned: `error` is its failure, or null.
  virtual void after(const Step& /*step*/, const Error* /*error*/) noexcept {}
};

// Runs `call` (which returns a Result) between `observer`'s hooks.
template <class Call>
auto forward_step(StepObserver& observer, const Step& step, Call&& call) noexcept
    -> decltype(call()) {
  if (auto refused = observer.before(step); !refused) return std::move(refused).as_failure();
  auto result = call();
  observer.after(step, result ? nullptr : &result.error());
  return result;
}

// The base of every forwarding store: the wrapped store, the observer and the store's name.
template <class Store>
class ForwardingStore : public Store {
 public:
  ForwardingStore(Store& target, StepObserver& observer, std::string_view name) noexcept
      : target_(target), observer_(observer), name_(name) {}

 protected:
  Store& target() noexcept { return target_; }
  template <class Call>
  auto forward(StepKind kind, std::string_view method, Call&& call) noexcept {
    return forward_step(observer_, Step{kind, name_, method}, std::forward<Call>(call));
  }

 private:
  Store& target_;
  StepObserver& observer_;
  std::string_view name_;
};

// One line per store method: `QUIRE_FORWARD(write, insert, row)` forwards insert(row) as a write.
// Defined for this header only (undefined at its end).
#define QUIRE_FORWARD(kind, method, ...) \
  return this->forward(StepKind::kind, #method, [&] { return this->target().method(__VA_ARGS__); })

class ForwardingTenantStore : public ForwardingStore<TenantStore> {
 public:
  ForwardingTenantStore(TenantStore& target, StepObserver& observer) noexcept
      : ForwardingStore(target, observer, "tenants") {}
  Result<TenantId> insert(const Tenant& row) noexcept override {
    QUIRE_FORWARD(write, insert, row);
  }
  Result<std::optional<Tenant>> find(TenantId id) noexcept override {
    QUIRE_FORWARD(read, find, id);
  }
  Result<std::optional<Tenant>> find_by_slug(std::string_view slug) noexcept override {
    QUIRE_FORWARD(read, find_by_slug, slug);
  }
  Result<std::optional<Tenant>> find_by_domain(std::string_view domain) noexcept override {
    QUIRE_FORWARD(read, find_by_domain, domain);
  }
  Result<std::vector<Tenant>> list(const TenantScan& scan) noexcept override {
    QUIRE_FORWARD(read, list, scan);
  }
  Result<void> update(const Tenant& row) noexcept override { QUIRE_FORWARD(write, update, row); }
};

class ForwardingUserStore : public ForwardingStore<UserStore> {
 public:
  ForwardingUserStore(UserStore& target, StepObserver& observer) noexcept
      : ForwardingStore(target, observer, "users") {}
  Result<UserId> insert(const UserRow& row) noexcept override { QUIRE_FORWARD(write, insert, row); }
  Result<std::optional<UserRow>> find(UserId id) noexcept override {
    QUIRE_FORWARD(read, find, id);
  }
  Result<std::optional<UserRow>> find_by_username(std::string_view username) noexcept override {
    QUIRE_FORWARD(read, find_by_username, username);
  }
  Result<std::optional<UserRow>> find_by_email(std::string_view email) noexcept override {
    QUIRE_FORWARD(read, find_by_email, email);
  }
  Result<std::vector<User>> list(const Scan& scan) noexcept override {
    QUIRE_FORWARD(read, list, scan);
  }
  Result<std::vector<User>> list_members(TenantId tenant, const Scan& scan) noexcept override {
    QUIRE_FORWARD(read, list_members, tenant, scan);
  }
  Result<void> update(const UserRow& row) noexcept override { QUIRE_FORWARD(write, update, row); }
};

class ForwardingMemberStore : public ForwardingStore<MemberStore> {
 public:
  ForwardingMemberStore(MemberStore& target, StepObserver& observer) noexcept
      : ForwardingStore(target, observer, "members") {}
  Result<void> insert(const Member& row) noexcept override { QUIRE_FORWARD(write, insert, row); }
  Result<std::optional<Member>> find(TenantId tenant, UserId user) noexcept override {
    QUIRE_FORWARD(read, find, tenant, user);
  }
  Result<std::optional<MemberAccount>> find_with_account(TenantId tenant,
                                                         UserId user) noexcept override {
    QUIRE_FORWARD(read, find_with_account, tenant, user);
  }
  Result<std::vector<Member>> list(TenantId tenant) noexcept override {
    QUIRE_FORWARD(read, list, tenant);
  }
  Result<std::int64_t> count(TenantId tenant) noexcept override {
    QUIRE_FORWARD(read, count, tenant);
  }
  Result<void> update_role(TenantId tenant, UserId user, std::string_view role) noexcept override {
    QUIRE_FORWARD(write, update_role, tenant, user, role);
  }
  Result<void> remove(TenantId tenant, UserId user) noexcept override {
    QUIRE_FORWARD(write, remove, tenant, user);
  }
};

class ForwardingInvitationStore : public ForwardingStore<InvitationStore> {
 public:
  ForwardingInvitationStore(InvitationStore& target, StepObserver& observer) noexcept
      : ForwardingStore(target, observer, "invitations") {}
  Result<std::int64_t> insert(const InvitationRow& row) noexcept override {
    QUIRE_FORWARD(write, insert, row);
  }
  Result<std::optional<Invitation>> find(TenantId tenant, std::int64_t id) noexcept override {
    QUIRE_FORWARD(read, find, tenant, id);
  }
  Result<std::optional<InvitationRow>> find_by_token_hash(
      std::string_view token_hash) noexcept override {
    QUIRE_FORWARD(read, find_by_token_hash, token_hash);
  }
  Result<std::vector<Invitation>> list_pending(TenantId tenant, Timestamp now,
                                               const Scan& scan) noexcept override {
    QUIRE_FORWARD(read, list_pending, tenant, now, scan);
  }
  Result<void> update(const Invitation& row) noexcept override {
    QUIRE_FORWARD(write, update, row);
  }
};

class ForwardingAuditStore : public ForwardingStore<AuditStore> {
 public:
  ForwardingAuditStore(AuditStore& target, StepObserver& observer) noexcept
      : ForwardingStore(target, observer, "audit") {}
  Result<std::optional<AuditHead>> head(TenantId chain) noexcept override {
    QUIRE_FORWARD(read, head, chain);
  }
  Result<void> append(const AuditEntry& entry) noexcept override {
    QUIRE_FORWARD(write, append, entry);
  }
  Result<std::vector<AuditEntry>> query(TenantId chain,
                                        const AuditFilter& filter) noexcept override {
    QUIRE_FORWARD(read, query, chain, filter);
  }
  Result<std::vector<AuditEntry>> scan(TenantId chain, std::int64_t after_seq,
                                       unsigned limit) noexcept override {
    QUIRE_FORWARD(read, scan, chain, after_seq, limit);
  }
  Result<std::int64_t> last_seq_before(TenantId chain, Timestamp cutoff) noexcept override {
    QUIRE_FORWARD(read, last_seq_before, chain, cutoff);
  }
  Result<std::int64_t> purge_through(TenantId chain, std::int64_t through_seq) noexcept override {
    QUIRE_FORWARD(write, purge_through, chain, through_seq);
  }
};

class ForwardingPostStore : public ForwardingStore<PostStore> {
 public:
  ForwardingPostStore(PostStore& target, StepObserver& observer) noexcept
      : ForwardingStore(target, observer, "posts") {}
  Result<PostId> insert(const Post& post) noexcept override { QUIRE_FORWARD(write, insert, post); }
  Result<std::optional<Post>> find(TenantId tenant, PostId id, Lock lock) noexcept override {
    QUIRE_FORWARD(read, find, tenant, id, lock);
  }
  Result<std::optional<PostAccess>> find_access(TenantId tenant, PostId id) noexcept override {
    QUIRE_FORWARD(read, find_access, tenant, id);
  }
  Result<std::optional<Post>> find_by_slug(TenantId tenant, std::string_view type,
                                           std::string_view slug) noexcept override {
    QUIRE_FORWARD(read, find_by_slug, tenant, type, slug);
  }
  Result<std::optional<PostId>> find_old_slug(TenantId tenant, std::string_view type,
                                              std::string_view slug) noexcept override {
    QUIRE_FORWARD(read, find_old_slug, tenant, type, slug);
  }
  Result<bool> slug_taken(TenantId tenant, std::string_view type, std::string_view slug,
                          PostId except) noexcept override {
    QUIRE_FORWARD(read, slug_taken, tenant, type, slug, except);
  }
  Result<void> add_old_slug(TenantId tenant, std::string_view type, std::string_view slug,
                            PostId post) noexcept override {
    QUIRE_FORWARD(write, add_old_slug, tenant, type, slug, post);
  }
  Result<void> update(const Post& before, const Post& after) noexcept override {
    QUIRE_FORWARD(write, update, before, after);
  }
  Result<void> purge(const Post& post) noexcept override { QUIRE_FORWARD(write, purge, post); }
  Result<std::vector<Post>> list(TenantId tenant, const PostScan& scan) noexcept override {
    QUIRE_FORWARD(read, list, tenant, scan);
  }
  Result<std::int64_t> count(TenantId tenant) noexcept override {
    QUIRE_FORWARD(read, count, tenant);
  }
  Result<std::vector<TermCount>> categories(TenantId tenant,
                                            const PostVisibility& visible) noexcept override {
    QUIRE_FORWARD(read, categories, tenant, visible);
  }
  Result<std::vector<TermCount>> tags(TenantId tenant,
                                      const PostVisibility& visible) noexcept override {
    QUIRE_FORWARD(read, tags, tenant, visible);
  }
  Result<std::vector<PostId>> due(TenantId tenant, Timestamp now) noexcept override {
    QUIRE_FORWARD(read, due, tenant, now);
  }
  Result<std::vector<SearchHit>> search(TenantId tenant, const SearchQuery& query,
                                        const PostVisibility& visible,
                                        unsigned limit) noexcept override {
    QUIRE_FORWARD(read, search, tenant, query, visible, limit);
  }
};

class ForwardingVersionStore : public ForwardingStore<VersionStore> {
 public:
  ForwardingVersionStore(VersionStore& target, StepObserver& observer) noexcept
      : ForwardingStore(target, observer, "versions") {}
  Result<void> insert(const VersionRow& row) noexcept override {
    QUIRE_FORWARD(write, insert, row);
  }
  Result<std::optional<VersionRow>> find(TenantId tenant, PostId post,
                                         std::int64_t number) noexcept override {
    QUIRE_FORWARD(read, find, tenant, post, number);
  }
  Result<std::vector<Version>> list(TenantId tenant, PostId post) noexcept override {
    QUIRE_FORWARD(read, list, tenant, post);
  }
  Result<std::int64_t> prune(TenantId tenant, PostId post, std::int64_t keep,
                             std::int64_t protect) noexcept override {
    QUIRE_FORWARD(write, prune, tenant, post, keep, protect);
  }
  Result<void> purge(TenantId tenant, PostId post) noexcept override {
    QUIRE_FORWARD(write, purge, tenant, post);
  }
  Result<void> save_autosave(TenantId tenant, const Autosave& autosave) noexcept override {
    QUIRE_FORWARD(write, save_autosave, tenant, autosave);
  }
  Result<std::optional<Autosave>> find_autosave(TenantId tenant, PostId post,
                                                UserId user) noexcept override {
    QUIRE_FORWARD(read, find_autosave, tenant, post, user);
  }
  Result<bool> delete_autosave(TenantId tenant, PostId post, UserId user) noexcept override {
    QUIRE_FORWARD(write, delete_autosave, tenant, post, user);
  }
};

class ForwardingRoleStore : public ForwardingStore<RoleStore> {
 public:
  ForwardingRoleStore(RoleStore& target, StepObserver& observer) noexcept
      : ForwardingStore(target, observer, "roles") {}
  Result<std::optional<Role>> find(TenantId tenant, std::string_view name) noexcept override {
    QUIRE_FORWARD(read, find, tenant, name);
  }
  Result<std::vector<Role>> list(TenantId tenant) noexcept override {
    QUIRE_FORWARD(read, list, tenant);
  }
  Result<void> save(TenantId tenant, const Role& role) noexcept override {
    QUIRE_FORWARD(write, save, tenant, role);
  }
  Result<void> remove(TenantId tenant, std::string_view name) noexcept override {
    QUIRE_FORWARD(write, remove, tenant, name);
  }
  Result<std::int64_t> holders(TenantId tenant, std::string_view name) noexcept override {
    QUIRE_FORWARD(read, holders, tenant, name);
  }
};

class ForwardingGrantStore : public ForwardingStore<GrantStore> {
 public:
  ForwardingGrantStore(GrantStore& target, StepObserver& observer) noexcept
      : ForwardingStore(target, observer, "grants") {}
  Result<std::optional<GrantLevel>> find(TenantId tenant, const ResourceRef& resource,
                                         UserId user) noexcept override {
    QUIRE_FORWARD(read, find, tenant, resource, user);
  }
  Result<void> save(const Grant& grant) noexcept override { QUIRE_FORWARD(write, save, grant); }
  Result<void> remove(TenantId tenant, const ResourceRef& resource, UserId user) noexcept override {
    QUIRE_FORWARD(write, remove, tenant, resource, user);
  }
  Result<void> remove_all(TenantId tenant, const ResourceRef& resource) noexcept override {
    QUIRE_FORWARD(write, remove_all, tenant, resource);
  }
};

class ForwardingKeyStore : public ForwardingStore<KeyStore> {
 public:
  ForwardingKeyStore(KeyStore& target, StepObserver& observer) noexcept
      : ForwardingStore(target, observer, "keys") {}
  Result<std::int64_t> insert(const KeyRow& row) noexcept override {
    QUIRE_FORWARD(write, insert, row);
  }
  Result<std::optional<KeyRow>> find_by_public_id(std::string_view public_id) noexcept override {
    QUIRE_FORWARD(read, find_by_public_id, public_id);
  }
  Result<std::optional<KeyRow>> find(TenantId tenant, std::int64_t id) noexcept override {
    QUIRE_FORWARD(read, find, tenant, id);
  }
  Result<std::optional<KeyStanding>> find_with_standing(TenantId tenant,
                                                        std::int64_t id) noexcept override {
    QUIRE_FORWARD(read, find_with_standing, tenant, id);
  }
  Result<std::vector<ApiKey>> list(TenantId tenant) noexcept override {
    QUIRE_FORWARD(read, list, tenant);
  }
  Result<void> update(const KeyRow& row) noexcept override { QUIRE_FORWARD(write, update, row); }
};

class ForwardingSessionStore : public ForwardingStore<SessionStore> {
 public:
  ForwardingSessionStore(SessionStore& target, StepObserver& observer) noexcept
      : ForwardingStore(target, observer, "sessions") {}
  Result<std::optional<std::string>> secret() noexcept override { QUIRE_FORWARD(read, secret); }
  Result<void> set_secret(std::string_view secret) noexcept override {
    QUIRE_FORWARD(write, set_secret, secret);
  }
  Result<void> insert(const SessionRow& row) noexcept override {
    QUIRE_FORWARD(write, insert, row);
  }
  Result<std::optional<SessionRow>> find(std::string_view jti) noexcept override {
    QUIRE_FORWARD(read, find, jti);
  }
  Result<void> revoke(std::string_view jti, Timestamp at) noexcept override {
    QUIRE_FORWARD(write, revoke, jti, at);
  }
  Result<std::pair<std::int64_t, Timestamp>> failures(TenantId tenant,
                                                      std::string_view login) noexcept override {
    QUIRE_FORWARD(read, failures, tenant, login);
  }
  Result<void> record_failure(TenantId tenant, std::string_view login,
                              Timestamp at) noexcept override {
    QUIRE_FORWARD(write, record_failure, tenant, login, at);
  }
  Result<void> clear_failures(TenantId tenant, std::string_view login) noexcept override {
    QUIRE_FORWARD(write, clear_failures, tenant, login);
  }
};

#undef QUIRE_FORWARD

// A transaction whose stores forward to `target`'s, reporting every call to `observer`. To
// change one store, derive from this and override its accessor.
class ForwardingTransaction : public Transaction {
 public:
  ForwardingTransaction(std::unique_ptr<Transaction> target, StepObserver& observer) noexcept
      : target_(std::move(target)), observer_(observer) {}

  Access access() const noexcept override { return target_->access(); }

  TenantStore& tenants() noexcept override { return tenants_; }
  UserStore& users() noexcept override { return users_; }
  MemberStore& members() noexcept override { return members_; }
  InvitationStore& invitations() noexcept override { return invitations_; }
  AuditStore& audit() noexcept override { return audit_; }
  PostStore& posts() noexcept override { return posts_; }
  VersionStore& versions() noexcept override { return versions_; }
  RoleStore& roles() noexcept override { return roles_; }
  GrantStore& grants() noexcept override { return grants_; }
  KeyStore& keys() noexcept override { return keys_; }
  SessionStore& sessions() noexcept override { return sessions_; }

  Result<void> savepoint(std::string_view name) noexcept override {
    return control(StepKind::savepoint, "savepoint", [&] { return target_->savepoint(name); });
  }
  Result<void> release(std::string_view name) noexcept override {
    return control(StepKind::savepoint, "release", [&] { return target_->release(name); });
  }
  Result<void> rollback_to(std::string_view name) noexcept override {
    return control(StepKind::savepoint, "rollback_to", [&] { return target_->rollback_to(name); });
  }
  // A commit the observer refuses never reaches the wrapped transaction, which then rolls back
  // when this one is destroyed, as a failed commit would.
  Result<void> commit() noexcept override {
    return control(StepKind::commit, "commit", [&] { return target_->commit(); });
  }

 protected:
  Transaction& target() noexcept { return *target_; }
  StepObserver& observer() noexcept { return observer_; }

 private:
  template <class Call>
  Result<void> control(StepKind kind, std::string_view method, Call&& call) noexcept {
    return forward_step(observer_, Step{kind, "transaction", method}, std::forward<Call>(call));
  }

  std::unique_ptr<Transaction> target_;
  StepObserver& observer_;
  // Declared after target_: each is made from target_'s store.
  ForwardingTenantStore tenants_{target_->tenants(), observer_};
  ForwardingUserStore users_{target_->users(), observer_};
  ForwardingMemberStore members_{target_->members(), observer_};
  ForwardingInvitationStore invitations_{target_->invitations(), observer_};
  ForwardingAuditStore audit_{target_->audit(), observer_};
  ForwardingPostStore posts_{target_->posts(), observer_};
  ForwardingVersionStore versions_{target_->versions(), observer_};
  ForwardingRoleStore roles_{target_->roles(), observer_};
  ForwardingGrantStore grants_{target_->grants(), observer_};
  ForwardingKeyStore keys_{target_->keys(), observer_};
  ForwardingSessionStore sessions_{target_->sessions(), observer_};
};

// A backend that forwards everything to `target` and is its own StepObserver: override before()
// and after() to see or refuse every call, or wrap() to hand out transactions of your own.
class ForwardingBackend : public Backend, public StepObserver {
 public:
  explicit ForwardingBackend(std::unique_ptr<Backend> target) noexcept
      : target_(std::move(target)) {}

  std::string_view name() const noexcept override { return target_->name(); }
  Result<std::unique_ptr<Transaction>> begin(Access access) noexcept override {
    return forward_step(*this, Step{StepKind::begin, "backend", "begin"},
                        [&]() noexcept -> Result<std::unique_ptr<Transaction>> {
                          auto inner = target_->begin(access);
                          if (!inner) return std::move(inner).as_failure();
                          return wrap(std::move(inner).value());
                        });
  }
  Result<int> schema_version() noexcept override {
    return forward_step(*this, Step{StepKind::read, "backend", "schema_version"},
                        [&] { return target_->schema_version(); });
  }

 protected:
  Backend& target() noexcept { return *target_; }
  // The transaction handed out over `inner`: by default a ForwardingTransaction reporting to this
  // backend's hooks.
  virtual Result<std::unique_ptr<Transaction>> wrap(std::unique_ptr<Transaction> inner) noexcept {
    auto* wrapper = new (std::nothrow) ForwardingTransaction(std::move(inner), *this);
    // Short enough for the small-string buffer: building the message allocates nothing.
    if (wrapper == nullptr) return fail(Errc::internal, "out of memory");
    return std::unique_ptr<Transaction>(wrapper);
  }

 private:
  std::unique_ptr<Backend> target_;
};

}  // namespace quire::storage
