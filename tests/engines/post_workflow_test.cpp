// The post workflow as a table: every operation from every status, either the documented move or
// invalid_argument naming both states with the post, its versions and its audit trail untouched;
// and no operation reaches across tenants.

#include <sstream>

#include "support/engine_fixture.hpp"

using namespace quire;
using namespace quire::test;

namespace {

enum class Op { submit, publish, unpublish, archive, schedule };

struct Move {
  Op op;
  const char* name;  // also the audit action, after "post."
  PostStatus to;
  std::vector<PostStatus> from;  // the statuses it may start from
};

// The documented workflow (include/quire/post.hpp, include/quire.h): draft → in_review →
// published ⇄ archived; draft/in_review → scheduled → published; unpublish back to draft;
// rescheduling a scheduled post moves its time.
const std::vector<Move> moves = {
    {Op::submit, "submit", PostStatus::in_review, {PostStatus::draft}},
    {Op::publish,
     "publish",
     PostStatus::published,
     {PostStatus::draft, PostStatus::in_review, PostStatus::scheduled, PostStatus::archived}},
    {Op::unpublish,
     "unpublish",
     PostStatus::draft,
     {PostStatus::in_review, PostStatus::scheduled, PostStatus::published, PostStatus::archived}},
    {Op::archive, "archive", PostStatus::archived, {PostStatus::published}},
    {Op::schedule,
     "schedule",
     PostStatus::scheduled,
     {PostStatus::draft, PostStatus::in_review, PostStatus::scheduled}},
};

const std::vector<PostStatus> statuses = {PostStatus::draft, PostStatus::in_review,
                                          PostStatus::scheduled, PostStatus::published,
                                          PostStatus::archived};

constexpr Timestamp hour = 3'600'000;

Result<Post> apply(Context& ctx, Op op, PostId id, Timestamp at) {
  switch (op) {
    case Op::submit:
      return ctx.posts().submit(id);
    case Op::publish:
      return ctx.posts().publish(id);
    case Op::unpublish:
      return ctx.posts().unpublish(id);
    case Op::archive:
      return ctx.posts().archive(id);
    case Op::schedule:
      return ctx.posts().schedule(id, at);
  }
  return fail(Errc::internal, "no such operation");
}

// Everything about a post that a failed operation must leave alone, as text.
std::string state_of(Context& ctx, PostId id) {
  const auto post = must(ctx.posts().get(id));
  std::ostringstream out;
  out << post_status_name(post.status) << " v" << post.version << " published_version "
      << post.published_version.value_or(-1) << " updated " << post.updated_at << " published "
      << post.published_at.value_or(-1) << " scheduled " << post.scheduled_at.value_or(-1)
      << " versions " << must(ctx.versions().list(id)).size();
  return out.str();
}

// The post's audit entries, newest first.
std::vector<AuditEntry> trail_of(Context& admin, PostId id) {
  AuditQuery query;
  query.resource_type = "post";
  query.resource_id = std::to_string(id);
  query.limit = 1000;
  return must(admin.audit().query(query)).items;
}

template <class B>
struct WorkflowFixture : EngineFixture<B> {
  User editor;
  Context admin;  // the system context of tenant acme
  Context as_editor;

  WorkflowFixture() : admin(this->system), as_editor(this->system) {
    must(this->system.tenants().create({.slug = "acme", .name = "Acme", .plan = "enterprise"}));
    editor = this->make_user("editor");
    must(this->system.tenants().add_member("acme", editor.id, "editor"));
    admin = must(this->db.system("acme"));
    as_editor = must(this->db.context("acme", editor.id));
  }

  // A new post of the editor's, brought to `status` the documented way.
  Post post_in(PostStatus status, const std::string& title) {
    auto post = must(as_editor.posts().create({.title = title}));
    switch (status) {
      case PostStatus::draft:
        return post;
      case PostStatus::in_review:
        return must(as_editor.posts().submit(post.id));
      case PostStatus::scheduled:
        return must(as_editor.posts().schedule(post.id, now_ms() + hour));
      case PostStatus::published:
        return must(as_editor.posts().publish(post.id));
      case PostStatus::archived:
        must(as_editor.posts().publish(post.id));
        return must(as_editor.posts().archive(post.id));
    }
    return post;
  }
};

}  // namespace

TEST_CASE_TEMPLATE("post workflow: every operation from every status", B, QUIRE_TEST_BACKENDS) {
  WorkflowFixture<B> f;
  int n = 0;
  for (const auto& move : moves) {
    for (const auto from : statuses) {
      const std::string move_name = move.name;
      const std::string from_name(post_status_name(from));
      CAPTURE(move_name);
      CAPTURE(from_name);
      const auto before = f.post_in(from, "Flow " + std::to_string(++n));
      const auto state_before = state_of(f.as_editor, before.id);
      const auto trail_before = trail_of(f.admin, before.id);
      const auto head_before = must(f.admin.audit().head());
      const auto versions_before = must(f.as_editor.versions().list(before.id)).size();
      const Timestamp at = now_ms() + 2 * hour;  // later than post_in schedules

      const bool valid = std::find(move.from.begin(), move.from.end(), from) != move.from.end();
      auto result = apply(f.as_editor, move.op, before.id, at);
      if (!valid) {
        const auto msg = expect_error(result, Errc::invalid_argument);
        CHECK_MESSAGE(msg.find(std::string(post_status_name(from))) != std::string::npos, msg);
        CHECK_MESSAGE(msg.find(std::string(post_status_name(move.to))) != std::string::npos, msg);
        // Nothing moved: the post, its versions, its audit trail, the tenant's chain.
        CHECK(state_of(f.as_editor, before.id) == state_before);
        CHECK(trail_of(f.admin, before.id).size() == trail_before.size());
        const auto head_after = must(f.admin.audit().head());
        CHECK(head_after.seq == head_before.seq);
        CHECK(head_after.hash == head_before.hash);
        continue;
      }

      REQUIRE_MESSAGE(result.has_value(), result.error().message);
      const auto after = result.value();
      CHECK(after.status == move.to);
      const auto stored = must(f.as_editor.posts().get(before.id));
      CHECK(stored.status == move.to);
      // The status is not content: the same version, no new one written.
      CHECK(stored.version == before.version);
      CHECK(must(f.as_editor.versions().list(before.id)).size() == versions_before);
      CHECK(stored.updated_at >= before.updated_at);
      switch (move.to) {
        case PostStatus::published:
          REQUIRE(stored.published_at);
          if (before.published_at) CHECK(stored.published_at == before.published_at);
          CHECK(stored.published_version == std::optional<std::int64_t>(stored.version));
          CHECK_FALSE(stored.scheduled_at);
          break;
        case PostStatus::scheduled:
          CHECK(stored.scheduled_at == std::optional<Timestamp>(at));
          CHECK_FALSE(stored.published_version);
          break;
        case PostStatus::archived:
          CHECK(stored.published_at == before.published_at);
          CHECK(stored.published_version == before.published_version);
          CHECK_FALSE(stored.scheduled_at);
          break;
        case PostStatus::draft:
        case PostStatus::in_review:
          CHECK_FALSE(stored.published_version);
          CHECK_FALSE(stored.scheduled_at);
          break;
      }
      // Exactly one audit entry, naming the move, with the status before and after.
      const auto trail = trail_of(f.admin, before.id);
      REQUIRE(trail.size() == trail_before.size() + 1);
      const auto& entry = trail.front();
      CHECK(entry.action == std::string("post.") + move.name);
      CHECK(entry.outcome == "ok");
      CHECK(entry.actor_type == ActorType::user);
      CHECK(entry.actor_id == f.editor.id);
      const std::string status_before =
          "\"status\":\"" + std::string(post_status_name(from)) + "\"";
      const std::string status_after =
          "\"status\":\"" + std::string(post_status_name(move.to)) + "\"";
      REQUIRE(entry.old_values);
      REQUIRE(entry.new_values);
      if (from != move.to) {
        CHECK_MESSAGE(entry.old_values->find(status_before) != std::string::npos,
                      *entry.old_values);
        CHECK_MESSAGE(entry.new_values->find(status_after) != std::string::npos, *entry.new_values);
      }
    }
  }
  CHECK(must(f.admin.audit().verify()).ok);
}

TEST_CASE_TEMPLATE("post workflow: tenant B reaches no post of tenant A", B, QUIRE_TEST_BACKENDS) {
  WorkflowFixture<B> f;
  must(f.system.tenants().create({.slug = "rival", .name = "Rival", .plan = "enterprise"}));
  auto rival_owner = f.make_user("rival");
  must(f.system.tenants().add_member("rival", rival_owner.id, "owner"));
  // The acme editor is a member of rival too: acting there, they reach nothing of acme.
  must(f.system.tenants().add_member("rival", f.editor.id, "owner"));
  std::vector<Context> from_rival = {must(f.db.context("rival", rival_owner.id)),
                                     must(f.db.context("rival", f.editor.id)),
                                     must(f.db.system("rival"))};

  const auto draft = f.post_in(PostStatus::draft, "Acme draft");
  const auto review = f.post_in(PostStatus::in_review, "Acme in review");
  const auto published = f.post_in(PostStatus::published, "Acme published");
  const auto scheduled = f.post_in(PostStatus::scheduled, "Acme scheduled");
  const std::vector<Post> targets = {draft, review, published, scheduled};
  std::vector<std::string> before;
  for (const auto& post : targets) before.push_back(state_of(f.as_editor, post.id));
  const auto head_before = must(f.admin.audit().head());

  for (auto& rival : from_rival) {
    CAPTURE(rival.actor().id);
    for (const auto& move : moves) {
      const std::string move_name = move.name;
      CAPTURE(move_name);
      for (const auto& post : targets) {
        const std::string status_name(post_status_name(post.status));
        CAPTURE(status_name);
        const auto msg =
            expect_error(apply(rival, move.op, post.id, now_ms() + 2 * hour), Errc::not_found);
        CHECK(msg.find("Acme") == std::string::npos);  // nothing of the post shows through
      }
    }
    // Due in rival: nothing of acme's, however late the clock.
    CHECK(must(rival.posts().publish_due(*scheduled.scheduled_at + 10 * hour)).empty());
  }
  for (std::size_t i = 0; i < targets.size(); ++i) {
    CHECK(state_of(f.as_editor, targets[i].id) == before[i]);
  }
  const auto head_after = must(f.admin.audit().head());
  CHECK(head_after.seq == head_before.seq);
  CHECK(head_after.hash == head_before.hash);

  // Acme's own run publishes it: it was due all along.
  auto due = must(f.as_editor.posts().publish_due(*scheduled.scheduled_at));
  REQUIRE(due.size() == 1);
  CHECK(due[0].id == scheduled.id);
  CHECK(due[0].status == PostStatus::published);
}
