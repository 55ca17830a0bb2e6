// The storage conformance suite: every store operation, written once against quire::storage and run
// on every backend in QUIRE_TEST_BACKENDS. A backend is done when this passes.

#include <doctest/doctest.h>

#include <quire/storage.hpp>
#include <set>

#include "support/backends.hpp"

using namespace quire;
using storage::Access;

namespace {

template <class BackendKind>
struct Store {
  BackendKind kind;
  std::unique_ptr<storage::Backend> backend;

  Store() {
    auto opened = storage::open_backend(kind.url(), test::test_options());
    REQUIRE_MESSAGE(opened.has_value(), opened.error().message);
    backend = std::move(opened).value();
  }

  std::unique_ptr<storage::Transaction> begin(Access access = Access::write) {
    auto tx = backend->begin(access);
    REQUIRE_MESSAGE(tx.has_value(), tx.error().message);
    return std::move(tx).value();
  }
};

Tenant tenant_row(std::string slug, std::optional<std::string> domain = std::nullopt) {
  Tenant row;
  row.slug = std::move(slug);
  row.name = "Name of " + row.slug;
  row.plan = "free";
  row.domain = std::move(domain);
  row.settings = R"({"theme":"dark"})";
  row.created_at = 1000;
  row.updated_at = 2000;
  return row;
}

storage::UserRow user_row(const std::string& username) {
  storage::UserRow row;
  row.user.username = username;
  row.user.email = username + "@example.test";
  row.user.display_name = "User " + username;
  row.user.created_at = 10;
  row.user.updated_at = 20;
  row.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA";
  return row;
}

template <class T>
T must(Result<T> result) {
  REQUIRE_MESSAGE(result.has_value(), result.error().message);
  return std::move(result).value();
}

void must(Result<void> result) {
  REQUIRE_MESSAGE(result.has_value(), result.error().message);
}

}  // namespace

TEST_CASE_TEMPLATE("conformance: the schema is migrated on open", B, QUIRE_TEST_BACKENDS) {
  Store<B> s;
  CHECK(must(s.backend->schema_version()) >= 1);
}

TEST_CASE_TEMPLATE("conformance: tenants round-trip every column", B, QUIRE_TEST_BACKENDS) {
  Store<B> s;
  auto tx = s.begin();
  auto row = tenant_row("acme", "acme.example");
  row.is_active = false;
  row.deleted_at = 3000;
  const auto id = must(tx->tenants().insert(row));
  CHECK(id > 0);
  auto found = must(tx->tenants().find(id));
  REQUIRE(found);
  CHECK(found->id == id);
  CHECK(found->slug == "acme");
  CHECK(found->name == "Name of acme");
  CHECK(found->plan == "free");
  CHECK(found->domain == std::optional<std::string>("acme.example"));
  CHECK(found->settings == R"({"theme":"dark"})");
  CHECK_FALSE(found->is_active);
  CHECK(found->created_at == 1000);
  CHECK(found->updated_at == 2000);
  CHECK(found->deleted_at == std::optional<Timestamp>(3000));
  CHECK(must(tx->tenants().find_by_slug("acme"))->id == id);
  CHECK(must(tx->tenants().find_by_domain("acme.example"))->id == id);
  CHECK_FALSE(must(tx->tenants().find(id + 1000)));
  CHECK_FALSE(must(tx->tenants().find_by_slug("nope")));
  CHECK_FALSE(must(tx->tenants().find_by_domain("nope.example")));
}

TEST_CASE_TEMPLATE("conformance: tenant update rewrites the row", B, QUIRE_TEST_BACKENDS) {
  Store<B> s;
  auto tx = s.begin();
  auto row = tenant_row("acme", "acme.example");
  row.id = must(tx->tenants().insert(row));
  row.name = "Renamed";
  row.domain.reset();
  row.deleted_at = 77;
  row.updated_at = 99;
  must(tx->tenants().update(row));
  auto found = must(tx->tenants().find(row.id));
  CHECK(found->name == "Renamed");
  CHECK_FALSE(found->domain);
  CHECK(found->deleted_at == std::optional<Timestamp>(77));
  CHECK(found->updated_at == 99);

  row.id += 100;
  auto missing = tx->tenants().update(row);
  REQUIRE(missing.has_error());
  CHECK(missing.error().code == Errc::not_found);
}

TEST_CASE_TEMPLATE("conformance: tenant slug and domain are unique", B, QUIRE_TEST_BACKENDS) {
  Store<B> s;
  auto tx = s.begin();
  must(tx->tenants().insert(tenant_row("acme", "acme.example")));
  auto slug = tx->tenants().insert(tenant_row("acme"));
  REQUIRE(slug.has_error());
  CHECK(slug.error().code == Errc::already_exists);
  CHECK(slug.error().message.find("slug") != std::string::npos);
  auto domain = tx->tenants().insert(tenant_row("other", "acme.example"));
  REQUIRE(domain.has_error());
  CHECK(domain.error().code == Errc::already_exists);
  // Any number of tenants may have no domain.
  must(tx->tenants().insert(tenant_row("one")));
  must(tx->tenants().insert(tenant_row("two")));
}

TEST_CASE_TEMPLATE("conformance: tenant scans are keyset-paginated and filtered", B,
                   QUIRE_TEST_BACKENDS) {
  Store<B> s;
  auto tx = s.begin();
  std::vector<TenantId> ids;
  for (int i = 0; i < 7; ++i) {
    auto row = tenant_row("t" + std::to_string(i));
    row.is_active = i != 2;
    if (i == 4) row.deleted_at = 5;
    ids.push_back(must(tx->tenants().insert(row)));
  }
  storage::TenantScan scan;
  scan.limit = 3;
  auto first = must(tx->tenants().list(scan));
  REQUIRE(first.size() == 3);
  CHECK(first[0].id == ids[0]);
  CHECK(first[2].id == ids[2]);
  scan.after_id = first.back().id;
  auto second = must(tx->tenants().list(scan));
  REQUIRE(second.size() == 3);  // t3, t5, t6: t4 is deleted
  CHECK(second[0].slug == "t3");
  CHECK(second[1].slug == "t5");
  CHECK(second[2].slug == "t6");
  scan.after_id = second.back().id;
  CHECK(must(tx->tenants().list(scan)).empty());

  storage::TenantScan all;
  all.limit = 100;
  all.include_deleted = true;
  CHECK(must(tx->tenants().list(all)).size() == 7);
  all.include_inactive = false;
  CHECK(must(tx->tenants().list(all)).size() == 6);
}

TEST_CASE_TEMPLATE("conformance: users round-trip and stay unique", B, QUIRE_TEST_BACKENDS) {
  Store<B> s;
  auto tx = s.begin();
  auto row = user_row("alice");
  row.user.is_active = false;
  row.user.id = must(tx->users().insert(row));
  auto found = must(tx->users().find(row.user.id));
  REQUIRE(found);
  CHECK(found->user.username == "alice");
  CHECK(found->user.email == "alice@example.test");
  CHECK(found->user.display_name == "User alice");
  CHECK_FALSE(found->user.is_active);
  CHECK(found->user.created_at == 10);
  CHECK(found->user.updated_at == 20);
  CHECK(found->password_hash == row.password_hash);
  CHECK(must(tx->users().find_by_username("alice"))->user.id == row.user.id);
  CHECK(must(tx->users().find_by_email("alice@example.test"))->user.id == row.user.id);
  CHECK_FALSE(must(tx->users().find_by_username("bob")));

  auto same_name = user_row("alice");
  same_name.user.email = "other@example.test";
  auto dup = tx->users().insert(same_name);
  REQUIRE(dup.has_error());
  CHECK(dup.error().code == Errc::already_exists);
  auto same_email = user_row("alice2");
  same_email.user.email = "alice@example.test";
  dup = tx->users().insert(same_email);
  REQUIRE(dup.has_error());
  CHECK(dup.error().code == Errc::already_exists);

  row.user.display_name = "Alice";
  row.password_hash = "$argon2id$other";
  must(tx->users().update(row));
  found = must(tx->users().find(row.user.id));
  CHECK(found->user.display_name == "Alice");
  CHECK(found->password_hash == "$argon2id$other");
  row.user.id = 999999;
  CHECK(tx->users().update(row).error().code == Errc::not_found);
}

TEST_CASE_TEMPLATE("conformance: memberships belong to one tenant", B, QUIRE_TEST_BACKENDS) {
  Store<B> s;
  auto tx = s.begin();
  const auto a = must(tx->tenants().insert(tenant_row("aaa")));
  const auto b = must(tx->tenants().insert(tenant_row("bbb")));
  std::vector<UserId> users;
  for (const char* name : {"u1", "u2", "u3"})
    users.push_back(must(tx->users().insert(user_row(name))));

  must(tx->members().insert({a, users[1], "editor", 5}));
  must(tx->members().insert({a, users[0], "admin", 6}));
  must(tx->members().insert({b, users[2], "viewer", 7}));

  auto dup = tx->members().insert({a, users[0], "viewer", 8});
  REQUIRE(dup.has_error());
  CHECK(dup.error().code == Errc::already_exists);
  auto orphan = tx->members().insert({a, 424242, "viewer", 8});
  REQUIRE(orphan.has_error());
  CHECK(orphan.error().code == Errc::not_found);
  orphan = tx->members().insert({424242, users[0], "viewer", 8});
  REQUIRE(orphan.has_error());
  CHECK(orphan.error().code == Errc::not_found);

  auto list = must(tx->members().list(a));
  REQUIRE(list.size() == 2);
  CHECK(list[0].user_id == users[0]);  // ordered by user id
  CHECK(list[0].role == "admin");
  CHECK(list[0].joined_at == 6);
  CHECK(list[1].user_id == users[1]);
  CHECK(must(tx->members().count(a)) == 2);
  CHECK(must(tx->members().count(b)) == 1);
  CHECK_FALSE(must(tx->members().find(b, users[0])));

  storage::Scan scan;
  scan.limit = 10;
  auto in_a = must(tx->users().list_members(a, scan));
  REQUIRE(in_a.size() == 2);
  CHECK(in_a[0].id == users[0]);
  CHECK(in_a[1].id == users[1]);
  CHECK(must(tx->users().list_members(b, scan)).size() == 1);

  must(tx->members().update_role(a, users[1], "author"));
  CHECK(must(tx->members().find(a, users[1]))->role == "author");
  CHECK(tx->members().update_role(b, users[1], "author").error().code == Errc::not_found);
  must(tx->members().remove(a, users[1]));
  CHECK_FALSE(must(tx->members().find(a, users[1])));
  CHECK(tx->members().remove(a, users[1]).error().code == Errc::not_found);
}

TEST_CASE_TEMPLATE("conformance: invitations round-trip, are found by token hash and listed", B,
                   QUIRE_TEST_BACKENDS) {
  Store<B> s;
  auto tx = s.begin();
  const auto a = must(tx->tenants().insert(tenant_row("aaa")));
  const auto b = must(tx->tenants().insert(tenant_row("bbb")));
  const auto invitation = [](TenantId tenant, std::string email, char hash, Timestamp expires) {
    storage::InvitationRow row;
    row.invitation.tenant_id = tenant;
    row.invitation.email = std::move(email);
    row.invitation.role = "editor";
    row.invitation.invited_by = 7;
    row.invitation.created_at = 100;
    row.invitation.expires_at = expires;
    row.token_hash = std::string(31, hash) + '\0';  // raw bytes, a NUL included
    return row;
  };
  auto first = invitation(a, "ann@example.test", 'a', 5000);
  first.invitation.id = must(tx->invitations().insert(first));
  auto expired = invitation(a, "old@example.test", 'b', 1500);
  expired.invitation.id = must(tx->invitations().insert(expired));
  auto other = invitation(b, "bob@example.test", 'c', 5000);
  other.invitation.id = must(tx->invitations().insert(other));
  auto second = invitation(a, "cy@example.test", 'd', 5000);
  second.invitation.id = must(tx->invitations().insert(second));
  CHECK(tx->invitations().insert(invitation(a, "dup@example.test", 'a', 5000)).error().code ==
        Errc::already_exists);
  CHECK(tx->invitations().insert(invitation(424242, "x@example.test", 'e', 5000)).error().code ==
        Errc::not_found);

  const auto found = must(tx->invitations().find_by_token_hash(first.token_hash));
  REQUIRE(found);
  CHECK(found->token_hash == first.token_hash);
  CHECK(found->invitation.id == first.invitation.id);
  CHECK(found->invitation.tenant_id == a);
  CHECK(found->invitation.email == "ann@example.test");
  CHECK(found->invitation.role == "editor");
  CHECK(found->invitation.invited_by == 7);
  CHECK(found->invitation.created_at == 100);
  CHECK(found->invitation.expires_at == 5000);
  CHECK_FALSE(found->invitation.accepted_at);
  CHECK_FALSE(found->invitation.accepted_by);
  CHECK_FALSE(found->invitation.revoked_at);
  CHECK(must(tx->invitations().find_by_token_hash(other.token_hash))->invitation.tenant_id == b);
  CHECK_FALSE(must(tx->invitations().find_by_token_hash(std::string(32, 'z'))));
  CHECK(must(tx->invitations().find(a, first.invitation.id))->email == "ann@example.test");
  CHECK_FALSE(must(tx->invitations().find(b, first.invitation.id)));  // another tenant's id

  // Pending at time 2000: neither accepted, revoked nor expired; by id, keyset-paged.
  auto pending = must(tx->invitations().list_pending(a, 2000, {0, 10}));
  REQUIRE(pending.size() == 2);
  CHECK(pending[0].id == first.invitation.id);
  CHECK(pending[1].id == second.invitation.id);
  pending = must(tx->invitations().list_pending(a, 2000, {first.invitation.id, 10}));
  REQUIRE(pending.size() == 1);
  CHECK(pending[0].id == second.invitation.id);
  CHECK(must(tx->invitations().list_pending(a, 1000, {0, 1})).size() == 1);  // the limit
  CHECK(must(tx->invitations().list_pending(a, 1000, {0, 10})).size() == 3);

  auto accepted = first.invitation;
  accepted.accepted_at = 2500;
  accepted.accepted_by = 9;
  must(tx->invitations().update(accepted));
  auto revoked = second.invitation;
  revoked.revoked_at = 2600;
  must(tx->invitations().update(revoked));
  const auto reread = must(tx->invitations().find(a, first.invitation.id));
  CHECK(reread->accepted_at == std::optional<Timestamp>(2500));
  CHECK(reread->accepted_by == std::optional<UserId>(9));
  CHECK(must(tx->invitations().find(a, second.invitation.id))->revoked_at ==
        std::optional<Timestamp>(2600));
  CHECK(must(tx->invitations().list_pending(a, 2000, {0, 10})).empty());
  CHECK(must(tx->invitations().list_pending(b, 2000, {0, 10})).size() == 1);
  auto wrong_tenant = other.invitation;
  wrong_tenant.tenant_id = a;
  CHECK(tx->invitations().update(wrong_tenant).error().code == Errc::not_found);
}

TEST_CASE_TEMPLATE("conformance: a transaction commits everything or nothing", B,
                   QUIRE_TEST_BACKENDS) {
  Store<B> s;
  {
    auto tx = s.begin();
    must(tx->tenants().insert(tenant_row("kept")));
    must(tx->commit());
  }
  {
    auto tx = s.begin();
    must(tx->tenants().insert(tenant_row("dropped")));
    // destroyed without commit: rolled back
  }
  auto tx = s.begin(Access::read);
  CHECK(must(tx->tenants().find_by_slug("kept")));
  CHECK_FALSE(must(tx->tenants().find_by_slug("dropped")));
}

TEST_CASE_TEMPLATE("conformance: a savepoint undoes only its own changes", B, QUIRE_TEST_BACKENDS) {
  Store<B> s;
  {
    auto tx = s.begin();
    must(tx->tenants().insert(tenant_row("outer")));
    must(tx->savepoint("inner"));
    must(tx->tenants().insert(tenant_row("inner")));
    must(tx->rollback_to("inner"));
    must(tx->savepoint("kept"));
    must(tx->tenants().insert(tenant_row("second")));
    must(tx->release("kept"));
    must(tx->commit());
  }
  auto tx = s.begin(Access::read);
  CHECK(must(tx->tenants().find_by_slug("outer")));
  CHECK_FALSE(must(tx->tenants().find_by_slug("inner")));
  CHECK(must(tx->tenants().find_by_slug("second")));
}

TEST_CASE_TEMPLATE("conformance: readers see committed data only", B, QUIRE_TEST_BACKENDS) {
  Store<B> s;
  if constexpr (B::separate_readers) {
    auto writer = s.begin();
    must(writer->tenants().insert(tenant_row("pending")));
    {
      auto reader = s.begin(Access::read);
      CHECK_FALSE(must(reader->tenants().find_by_slug("pending")));
    }
    must(writer->commit());
    auto reader = s.begin(Access::read);
    CHECK(must(reader->tenants().find_by_slug("pending")));
  } else {
    {
      auto writer = s.begin();
      must(writer->tenants().insert(tenant_row("pending")));
      must(writer->commit());
    }
    auto reader = s.begin(Access::read);
    CHECK(must(reader->tenants().find_by_slug("pending")));
  }
}

TEST_CASE_TEMPLATE("conformance: a read transaction refuses writes", B, QUIRE_TEST_BACKENDS) {
  Store<B> s;
  {
    auto reader = s.begin(Access::read);
    auto written = reader->tenants().insert(tenant_row("nope"));
    REQUIRE(written.has_error());
    CHECK(written.error().code == Errc::storage);
  }
  // The connection writes again once the read transaction is over.
  auto writer = s.begin();
  must(writer->tenants().insert(tenant_row("yes")));
  must(writer->commit());
}

// ---- posts
// ---------------------------------------------------------------------------------------

namespace {

Post post_row(TenantId tenant, std::string slug, std::string title, UserId author,
              PostStatus status) {
  Post post;
  post.tenant_id = tenant;
  post.type = "post";
  post.slug = std::move(slug);
  post.title = std::move(title);
  post.body = "body of " + post.title;
  post.status = status;
  post.author_id = author;
  post.version = 1;
  post.reading_time = 1;
  post.created_at = post.updated_at = 100;
  if (status == PostStatus::published) {
    post.published_at = 200;
    post.published_version = 1;
  }
  post.excerpt = "excerpt";
  return post;
}

// A tenant, two users and their memberships, committed.
template <class B>
struct PostWorld : Store<B> {
  TenantId tenant = 0;
  UserId ann = 0, bob = 0;
  PostWorld() {
    auto tx = this->begin();
    tenant = must(tx->tenants().insert(tenant_row("acme")));
    ann = must(tx->users().insert(user_row("ann")));
    bob = must(tx->users().insert(user_row("bob")));
    must(tx->members().insert({tenant, ann, "author", 1}));
    must(tx->members().insert({tenant, bob, "viewer", 1}));
    must(tx->commit());
  }
};

std::vector<std::string> titles(const std::vector<Post>& posts) {
  std::vector<std::string> out;
  for (const auto& post : posts) out.push_back(post.title);
  return out;
}

}  // namespace

TEST_CASE_TEMPLATE("conformance: posts round-trip every column and keep their tags", B,
                   QUIRE_TEST_BACKENDS) {
  PostWorld<B> w;
  auto tx = w.begin();
  auto post = post_row(w.tenant, "hello", "Hello", w.ann, PostStatus::draft);
  post.tags = {"a", "b \"quoted\""};
  post.category = "News";
  post.seo = R"({"x":1})";
  post.fields = R"({"color":"red"})";
  post.id = must(tx->posts().insert(post));
  const auto found = must(tx->posts().find(w.tenant, post.id, storage::Lock::for_update));
  REQUIRE(found);
  CHECK(found->title == "Hello");
  CHECK(found->body == post.body);
  CHECK(found->tags == post.tags);
  CHECK(found->category == post.category);
  CHECK(found->seo == post.seo);
  CHECK(found->fields == post.fields);
  CHECK_FALSE(found->published_at);
  CHECK(must(tx->posts().find_by_slug(w.tenant, "post", "hello"))->id == post.id);
  // Another tenant's id finds nothing.
  CHECK_FALSE(must(tx->posts().find(w.tenant + 1, post.id, storage::Lock::none)));
  CHECK(must(tx->posts().count(w.tenant)) == 1);

  auto after = *found;
  after.title = "Hello again";
  after.tags = {"c"};
  after.deleted_at = 300;
  must(tx->posts().update(*found, after));
  const auto updated = must(tx->posts().find(w.tenant, post.id, storage::Lock::none));
  CHECK(updated->title == "Hello again");
  CHECK(updated->tags == std::vector<std::string>{"c"});
  CHECK(must(tx->posts().count(w.tenant)) == 0);  // in the trash

  // Old slugs, then purge removes everything.
  must(tx->posts().add_old_slug(w.tenant, "post", "old-hello", post.id));
  CHECK(must(tx->posts().find_old_slug(w.tenant, "post", "old-hello")) == post.id);
  CHECK(must(tx->posts().slug_taken(w.tenant, "post", "old-hello", 0)));
  CHECK_FALSE(must(tx->posts().slug_taken(w.tenant, "post", "old-hello", post.id)));
  must(tx->posts().purge(*updated));
  CHECK_FALSE(must(tx->posts().find(w.tenant, post.id, storage::Lock::none)));
  CHECK_FALSE(must(tx->posts().find_old_slug(w.tenant, "post", "old-hello")));
}

TEST_CASE_TEMPLATE("conformance: post listings filter visibility inside the keyset", B,
                   QUIRE_TEST_BACKENDS) {
  PostWorld<B> w;
  auto tx = w.begin();
  std::vector<PostId> published;
  for (int i = 0; i < 3; ++i) {
    auto post = post_row(w.tenant, "p" + std::to_string(i), "pub " + std::to_string(i), w.ann,
                         PostStatus::published);
    post.tags = {"open"};
    post.category = "Open";
    published.push_back(must(tx->posts().insert(post)));
  }
  auto draft = post_row(w.tenant, "d", "draft by ann", w.ann, PostStatus::draft);
  draft.tags = {"hidden"};
  draft.category = "Hidden";
  const auto draft_id = must(tx->posts().insert(draft));
  const auto granted_id =
      must(tx->posts().insert(post_row(w.tenant, "g", "granted", w.ann, PostStatus::draft)));
  must(
      tx->grants().save({w.tenant, {"post", std::to_string(granted_id)}, w.bob, GrantLevel::read}));

  storage::PostScan scan;
  scan.order = PostOrder::title_asc;
  scan.limit = 100;
  CHECK(must(tx->posts().list(w.tenant, scan)).size() == 5);
  scan.visible = {false, true, std::nullopt, std::nullopt};  // published only
  CHECK(titles(must(tx->posts().list(w.tenant, scan))) ==
        std::vector<std::string>{"pub 0", "pub 1", "pub 2"});
  scan.visible = {false, true, std::nullopt, w.bob};  // and granted to bob
  CHECK(titles(must(tx->posts().list(w.tenant, scan))) ==
        std::vector<std::string>{"granted", "pub 0", "pub 1", "pub 2"});
  scan.visible = {false, false, w.ann, std::nullopt};  // ann's own
  CHECK(must(tx->posts().list(w.tenant, scan)).size() == 5);
  scan.visible = {false, false, std::nullopt, std::nullopt};  // nothing
  CHECK(must(tx->posts().list(w.tenant, scan)).empty());

  // The keyset position continues among visible rows only: after "d…" comes "pub 0".
  scan.visible = {false, true, std::nullopt, std::nullopt};
  scan.after_key = std::string("draft by ann");
  scan.after_id = draft_id;
  scan.limit = 1;
  CHECK(titles(must(tx->posts().list(w.tenant, scan))) == std::vector<std::string>{"pub 0"});

  // Terms count only visible posts.
  const storage::PostVisibility only_published{false, true, std::nullopt, std::nullopt};
  const auto tags = must(tx->posts().tags(w.tenant, only_published));
  REQUIRE(tags.size() == 1);
  CHECK(tags[0].name == "open");
  CHECK(tags[0].count == 3);
  const auto categories = must(tx->posts().categories(w.tenant, only_published));
  REQUIRE(categories.size() == 1);
  CHECK(categories[0].name == "Open");
  CHECK(must(tx->posts().tags(w.tenant, storage::PostVisibility{})).size() == 2);
}

TEST_CASE_TEMPLATE("conformance: post search takes terms, prefixes and phrases as structure", B,
                   QUIRE_TEST_BACKENDS) {
  PostWorld<B> w;
  auto tx = w.begin();
  auto a = post_row(w.tenant, "a", "Quarterly budget", w.ann, PostStatus::published);
  a.body = "the annual budget review \"quoted\" * OR NEAR";
  const auto a_id = must(tx->posts().insert(a));
  auto b = post_row(w.tenant, "b", "Budget draft", w.ann, PostStatus::draft);
  b.body = "review the budget";
  const auto b_id = must(tx->posts().insert(b));
  must(tx->commit());
  tx.reset();

  auto rx = w.begin(Access::read);
  const auto ids = [&](const storage::SearchQuery& q, const storage::PostVisibility& v) {
    std::set<PostId> out;
    for (const auto& hit : must(rx->posts().search(w.tenant, q, v, 10))) out.insert(hit.post_id);
    return out;
  };
  const storage::PostVisibility all;
  const storage::PostVisibility published{false, true, std::nullopt, std::nullopt};
  CHECK(ids({{"budget"}, {}, {}}, all) == std::set<PostId>{a_id, b_id});
  CHECK(ids({{"budget"}, {}, {}}, published) == std::set<PostId>{a_id});
  CHECK(ids({{}, {"budg"}, {}}, all) == std::set<PostId>{a_id, b_id});
  CHECK(ids({{}, {}, {{"budget", "review"}}}, all) == std::set<PostId>{a_id});
  CHECK(ids({{}, {}, {{"review", "the"}}}, all) == std::set<PostId>{b_id});
  CHECK(ids({{"annual", "budget"}, {}, {}}, all) == std::set<PostId>{a_id});
  // Query syntax in a term is only text.
  CHECK(ids({{"\"quoted\""}, {}, {}}, all) == std::set<PostId>{a_id});
  CHECK(ids({{"OR"}, {"NEAR"}, {}}, all) == std::set<PostId>{a_id});
  CHECK(ids({{"budget\" OR \"x"}, {}, {}}, all).empty());
  CHECK(must(rx->posts().search(w.tenant + 1, {{"budget"}, {}, {}}, all, 10)).empty());
  CHECK(must(rx->posts().search(w.tenant, {}, all, 10)).empty());
}

TEST_CASE_TEMPLATE("conformance: due lists scheduled posts whose time has come", B,
                   QUIRE_TEST_BACKENDS) {
  PostWorld<B> w;
  auto tx = w.begin();
  auto soon = post_row(w.tenant, "soon", "Soon", w.ann, PostStatus::scheduled);
  soon.scheduled_at = 500;
  auto later = post_row(w.tenant, "later", "Later", w.ann, PostStatus::scheduled);
  later.scheduled_at = 900;
  const auto soon_id = must(tx->posts().insert(soon));
  must(tx->posts().insert(later));
  CHECK(must(tx->posts().due(w.tenant, 600)) == std::vector<PostId>{soon_id});
  CHECK(must(tx->posts().due(w.tenant, 1000)).size() == 2);
  CHECK(must(tx->posts().due(w.tenant, 100)).empty());
}

// ---- audit
// ---------------------------------------------------------------------------------------

TEST_CASE_TEMPLATE("conformance: audit entries append, chain, query, scan and purge", B,
                   QUIRE_TEST_BACKENDS) {
  PostWorld<B> w;
  auto tx = w.begin();
  CHECK_FALSE(must(tx->audit().head(w.tenant)));
  std::string previous(64, '0');
  for (int seq = 1; seq <= 5; ++seq) {
    AuditEntry entry;
    entry.tenant_id = w.tenant;
    entry.seq = seq;
    entry.at = 1000 * seq;
    entry.actor_type = seq % 2 ? ActorType::user : ActorType::api_key;
    entry.actor_id = seq % 2 ? w.ann : 7;
    entry.action = seq == 3 ? "post.publish" : "post.create";
    entry.resource_type = "post";
    entry.resource_id = std::to_string(seq);
    entry.outcome = seq == 4 ? "denied" : "ok";
    entry.prev_hash = previous;
    entry.hash = std::string(63, 'a') + static_cast<char>('0' + seq);
    entry.new_values = seq == 2 ? std::optional<std::string>(R"({"title":"x"})") : std::nullopt;
    must(tx->audit().append(entry));
    previous = entry.hash;
  }
  must(tx->commit());
  tx.reset();

  auto rx = w.begin();
  const auto head = must(rx->audit().head(w.tenant));
  REQUIRE(head);
  CHECK(head->seq == 5);
  CHECK(head->hash == previous);
  const auto all = must(rx->audit().scan(w.tenant, 0, 100));
  REQUIRE(all.size() == 5);
  CHECK(all[1].new_values == R"({"title":"x"})");
  CHECK_FALSE(all[0].new_values);
  CHECK(all[1].prev_hash == all[0].hash);
  CHECK(all[1].actor_type == ActorType::api_key);
  storage::AuditFilter filter;
  filter.action = "post.publish";
  CHECK(must(rx->audit().query(w.tenant, filter)).size() == 1);
  filter = {};
  filter.outcome = "denied";
  CHECK(must(rx->audit().query(w.tenant, filter)).front().seq == 4);
  filter = {};
  filter.before_seq = 3;
  filter.limit = 10;
  const auto older = must(rx->audit().query(w.tenant, filter));
  REQUIRE(older.size() == 2);
  CHECK(older[0].seq == 2);  // newest first
  CHECK(must(rx->audit().scan(w.tenant, 3, 100)).size() == 2);
  CHECK(must(rx->audit().last_seq_before(w.tenant, 3000)) == 2);
  // The engine appends the cut's checkpoint before it purges (PostgreSQL's purge insists).
  AuditEntry checkpoint;
  checkpoint.tenant_id = w.tenant;
  checkpoint.seq = 6;
  checkpoint.at = 6000;
  checkpoint.action = "audit.checkpoint";
  checkpoint.resource_type = "audit";
  checkpoint.resource_id = std::to_string(w.tenant);
  checkpoint.outcome = "ok";
  checkpoint.prev_hash = previous;
  checkpoint.hash = std::string(63, 'a') + '6';
  checkpoint.new_values = R"({"purged_through":2})";
  must(rx->audit().append(checkpoint));
  CHECK(must(rx->audit().purge_through(w.tenant, 2)) == 2);
  CHECK(must(rx->audit().scan(w.tenant, 0, 100)).front().seq == 3);
  // Another chain is empty.
  CHECK(must(rx->audit().scan(w.tenant + 1, 0, 100)).empty());
}
