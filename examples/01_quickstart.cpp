// quire quick start: open a database file, create a tenant and a user, make the user a member, act
// as that user: write, publish, search and compare versions of a post, then check the audit trail.
// Run it with ./scripts/quire demo, or: quickstart path/to/file.db

#include <cstdio>
#include <quire/quire.hpp>
#include <string>

namespace {

// Prints the failure and exits; a real host would handle each Errc.
template <class T>
T must(quire::Result<T> result, const char* what) {
  if (!result) {
    std::fprintf(stderr, "%s failed: [%s] %s\n", what,
                 std::string(quire::errc_name(result.error().code)).c_str(),
                 result.error().message.c_str());
    std::exit(1);
  }
  return std::move(result).value();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "quickstart.db";
  std::printf("quire %s — quick start\n\n", QUIRE_VERSION_STRING);

  // 1. Open (or create) a database. Migrations run on open; WAL and synchronous=FULL by default.
  auto db = must(quire::Database::open("sqlite:" + path), "open");
  std::printf("1. Opened sqlite:%s\n", path.c_str());

  // 2. The system context administers tenants and users; it is the only one that skips checks.
  auto admin = db.system();
  auto acme = must(admin.tenants().create({.slug = "acme", .name = "Acme Corp", .plan = "pro"}),
                   "create tenant");
  std::printf("2. Created tenant #%lld \"%s\" (slug %s, plan %s) at %s\n",
              static_cast<long long>(acme.id), acme.name.c_str(), acme.slug.c_str(),
              acme.plan.c_str(), quire::format_rfc3339(acme.created_at).c_str());

  // 3. Users are global; their password is hashed with argon2id and never stored in clear.
  auto alice = must(admin.users().create({.username = "alice",
                                          .email = "Alice@Acme.test",
                                          .password = "correct horse battery staple",
                                          .display_name = "Alice Liddell"}),
                    "create user");
  std::printf("3. Created user #%lld %s <%s> (email normalised)\n",
              static_cast<long long>(alice.id), alice.username.c_str(), alice.email.c_str());

  // 4. Membership gives a user a role in a tenant.
  auto member = must(admin.tenants().add_member("acme", alice.id, "admin"), "add member");
  std::printf("4. Made %s a member of %s with role %s\n", alice.username.c_str(), acme.slug.c_str(),
              member.role.c_str());

  // 5. Alice acts through her own context: she sees her tenant, and the rules apply to her.
  auto ctx = must(db.context("acme", alice.id, {.ip = "127.0.0.1", .request_id = "req-1"}),
                  "open context");
  auto seen = must(ctx.tenants().get("acme"), "get tenant");
  std::printf("5. As %s: tenant %s has %zu member(s)\n", alice.username.c_str(), seen.name.c_str(),
              must(ctx.tenants().members("acme"), "list members").size());

  // 6. Bad input is refused with a message that names the field and the rule, and changes nothing.
  auto refused = admin.tenants().create({.slug = "Not A Slug", .name = "x"});
  std::printf("6. A bad slug is refused: [%s] %s\n",
              std::string(quire::errc_name(refused.error().code)).c_str(),
              refused.error().message.c_str());

  // 7. An admin cannot do what only the system may: tenants are created by the host.
  auto denied = ctx.tenants().create({.slug = "other", .name = "Other"});
  std::printf("7. Alice may not create tenants: [%s] %s\n",
              std::string(quire::errc_name(denied.error().code)).c_str(),
              denied.error().message.c_str());

  // 8. A post: its slug comes from the title, its first version is written with it.
  auto post = must(ctx.posts().create({.title = "Hello, Café!",
                                       .body = "Our first post.\nMore to come.\n",
                                       .tags = {"intro"},
                                       .category = "news"}),
                   "create post");
  std::printf("8. Created post #%lld \"%s\" (slug %s, %s, version %lld)\n",
              static_cast<long long>(post.id), post.title.c_str(), post.slug.c_str(),
              std::string(quire::post_status_name(post.status)).c_str(),
              static_cast<long long>(post.version));

  // 9. Updates name the version they expect: a stale one is a conflict, never a lost write.
  post = must(
      ctx.posts().update(post.id, post.version, {.body = "Our first post.\nMuch more to come.\n"}),
      "update post");
  auto stale = ctx.posts().update(post.id, 1, {.title = "Overwritten?"});
  std::printf("9. Updated to version %lld; a stale update is refused: [%s] %s\n",
              static_cast<long long>(post.version),
              std::string(quire::errc_name(stale.error().code)).c_str(),
              stale.error().message.c_str());

  // 10. Every version is kept and can be compared.
  auto diff = must(ctx.versions().diff(post.id, 1, 2), "diff versions");
  std::printf("10. Version 1 -> 2:\n%s", diff.text.c_str());

  // 11. Published posts are found by full-text search, best first, with a highlighted snippet.
  must(ctx.posts().publish(post.id), "publish post");
  auto hits = must(ctx.posts().search("more", 10), "search");
  std::printf("11. Search \"more\": %zu hit(s)%s%s\n", hits.size(), hits.empty() ? "" : ", ",
              hits.empty() ? "" : hits.front().snippet.c_str());

  // 12. Every change above left an entry in the tenant's hash-chained audit trail.
  auto verified = must(ctx.audit().verify(), "verify audit");
  std::printf("12. Audit trail: %lld entries checked, %s\n",
              static_cast<long long>(verified.checked), verified.ok ? "intact" : "TAMPERED");

  must(db.close(), "close");
  std::printf("\nDone. The data is in %s; run again on a new file to start over.\n", path.c_str());
  return 0;
}
