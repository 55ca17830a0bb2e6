// Workload W1 through quire's public C++ API: every operation is one call on a Context, as a host
// makes it for one request. See benchmarks/README.md.

#include <cstdio>
#include <optional>
#include <quire/quire.hpp>
#include <string>
#include <vector>

#include "common/workload.hpp"

namespace {

// The Version engine (issue 4) adds Context::versions(); until it has landed, the versions and
// restore phases report "skipped (engine not landed)". These are templates so that the calls are
// only compiled once the engine is there.
template <class Ctx>
concept HasVersions = requires(Ctx ctx) {
  ctx.versions();
};

template <class T>
std::size_t count_of(const T& listed) {
  if constexpr (requires { listed.items.size(); }) {
    return listed.items.size();  // a Page<Version>
  } else {
    return listed.size();
  }
}

class QuireDriver {
 public:
  QuireDriver(std::string url, quire::Synchronous synchronous)
      : url_(std::move(url)), synchronous_(synchronous) {}

  void setup(const w1::Setup& setup) {
    w1::remove_database(w1::sqlite_path(url_));
    quire::Options options;
    options.synchronous = synchronous_;
    // The cheapest argon2id cost quire accepts (OWASP's line: t=2, m=19 MiB), one at a time.
    options.passwords.opslimit = 2;
    options.passwords.memlimit = std::size_t{19} * 1024 * 1024;
    options.passwords.max_concurrent = 1;
    db_.emplace(must(quire::Database::open(url_, options), "open"));
    auto system = db_->system();
    for (int t = 0; t < setup.tenants; ++t) {
      const auto slug = w1::tenant_slug(t);
      must(system.tenants().create({.slug = slug, .name = "Tenant " + slug, .plan = "enterprise"}),
           "create tenant");
      for (int u = 0; u < setup.users_per_tenant; ++u) {
        const auto name = slug + "-" + w1::user_names[u];
        auto user = must(system.users().create({.username = name,
                                                .email = name + "@w1.test",
                                                .password = "w1 benchmark password",
                                                .display_name = name}),
                         "create user");
        must(system.tenants().add_member(slug, user.id, w1::user_roles[u]), "add member");
        // One context per user for the whole run, as a host keeps per session.
        contexts_.push_back(must(
            db_->context(slug, user.id,
                         {.ip = "198.51.100." + std::to_string(u + 1), .user_agent = "w1-bench/1"}),
            "open context"));
      }
    }
    users_per_tenant_ = setup.users_per_tenant;
  }

  QUIRE_BENCH_OP w1::Created create(const w1::CreateOp& op) {
    auto post = ctx(op.tenant, op.actor)
                    .posts()
                    .create({.title = op.title,
                             .body = op.body,
                             .tags = op.tags,
                             .category = std::optional<std::string>(op.category)});
    if (!post) return note(post), w1::Created{};
    return {post.value().id, std::move(post.value().slug), true};
  }

  QUIRE_BENCH_OP std::optional<std::int64_t> update(const w1::UpdateOp& op) {
    auto post = ctx(op.post->tenant, op.actor)
                    .posts()
                    .update(op.post->id, op.expected_version, {.title = op.title, .body = op.body});
    if (!post) return note(post), std::nullopt;
    return post.value().version;
  }

  QUIRE_BENCH_OP bool publish(const w1::PublishOp& op) {
    auto post = ctx(op.post->tenant, op.actor).posts().publish(op.post->id);
    if (!post) return note(post), false;
    return true;
  }

  QUIRE_BENCH_OP w1::Found get(const w1::GetOp& op) {
    auto post = ctx(op.tenant, op.actor).posts().get_by_slug(op.post->slug);
    if (post) return w1::Found::yes;
    if (post.error().code == quire::Errc::not_found) return w1::Found::no;
    return note(post), w1::Found::failed;
  }

  QUIRE_BENCH_OP std::optional<std::size_t> list(const w1::ListOp& op) {
    if (op.first_page) {
      cursor_.clear();
    } else if (cursor_.empty()) {
      return 0;  // the previous page was the last one
    }
    auto page = ctx(op.tenant, op.actor)
                    .posts()
                    .list({.status = quire::PostStatus::published,
                           .order = quire::PostOrder::published_desc,
                           .limit = 20,
                           .cursor = cursor_});
    if (!page) return note(page), std::nullopt;
    cursor_ = std::move(page.value().next_cursor);
    return page.value().items.size();
  }

  QUIRE_BENCH_OP std::optional<std::size_t> search(const w1::SearchOp& op) {
    auto hits = ctx(op.tenant, op.actor).posts().search(op.word, 20);
    if (!hits) return note(hits), std::nullopt;
    return hits.value().size();
  }

  bool has_versions() const { return HasVersions<quire::Context>; }

  QUIRE_BENCH_OP std::optional<std::size_t> versions(const w1::VersionsOp& op) {
    return list_versions(ctx(op.post->tenant, op.actor), op.post->id);
  }

  QUIRE_BENCH_OP std::optional<std::int64_t> restore(const w1::RestoreOp& op) {
    return restore_version(ctx(op.post->tenant, op.actor), op.post->id, op.number,
                           op.expected_version);
  }

  QUIRE_BENCH_OP std::optional<std::size_t> audit(const w1::AuditOp& op) {
    auto page = ctx(op.tenant, op.actor).audit().query({.resource_type = "post", .limit = 50});
    if (!page) return note(page), std::nullopt;
    return page.value().items.size();
  }

  // After the last phase has been measured (closing checkpoints and truncates the WAL).
  void finish() {
    contexts_.clear();
    if (db_) (void)db_->close();  // a failed close changes none of the figures
    db_.reset();
  }

  const std::string& last_error() const { return error_; }

 private:
  template <class Ctx>
  std::optional<std::size_t> list_versions(Ctx ctx, quire::PostId id) {
    if constexpr (HasVersions<Ctx>) {
      auto listed = ctx.versions().list(id);
      if (!listed) return note(listed), std::nullopt;
      return count_of(listed.value());
    } else {
      (void)ctx;
      (void)id;
      return std::nullopt;
    }
  }

  template <class Ctx>
  std::optional<std::int64_t> restore_version(Ctx ctx, quire::PostId id, std::int64_t number,
                                              std::int64_t expected) {
    if constexpr (HasVersions<Ctx>) {
      auto engine = ctx.versions();
      if constexpr (requires { engine.restore(id, number, expected); }) {
        auto post = engine.restore(id, number, expected);
        if (!post) return note(post), std::nullopt;
        return post.value().version;
      } else {
        auto post = engine.restore(id, number);
        if (!post) return note(post), std::nullopt;
        return post.value().version;
      }
    } else {
      (void)ctx;
      (void)id;
      (void)number;
      (void)expected;
      return std::nullopt;
    }
  }

  quire::Context& ctx(int tenant, int user) {
    return contexts_[static_cast<std::size_t>(tenant * users_per_tenant_ + user)];
  }

  template <class T>
  void note(const quire::Result<T>& failed) {
    error_ = std::string(quire::errc_name(failed.error().code)) + ": " + failed.error().message;
  }

  template <class T>
  static T must(quire::Result<T> result, const char* what) {
    if (!result) {
      std::fprintf(stderr, "w1: %s failed: [%s] %s\n", what,
                   std::string(quire::errc_name(result.error().code)).c_str(),
                   result.error().message.c_str());
      std::exit(1);
    }
    return std::move(result).value();
  }

  std::string url_;
  quire::Synchronous synchronous_;
  std::optional<quire::Database> db_;
  std::vector<quire::Context> contexts_;
  int users_per_tenant_ = w1::users_per_tenant;
  std::string cursor_;
  std::string error_;
};

}  // namespace

int main(int argc, char** argv) {
  const auto config = w1::parse_args(argc, argv, "w1", false);
  QuireDriver driver(config.backend,
                     config.full_sync ? quire::Synchronous::full : quire::Synchronous::normal);
  QuireDriver full(config.full_backend, quire::Synchronous::full);
  auto report = w1::run(driver, config, &full);
  report.library = std::string("quire ") + QUIRE_VERSION_STRING;
  return w1::report(report);
}
