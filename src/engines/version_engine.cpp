// The Version engine: history, manual snapshots, diff, restore and autosaves, over the versions
// that every create, update and restore writes in its own unit of work (engines/post_rules.cpp).

#include <fmt/format.h>

#include <new>
#include <quire/version.hpp>
#include <utility>

#include "core/diff.hpp"
#include "core/json.hpp"
#include "core/text.hpp"
#include "core/validate.hpp"
#include "engines/lookup.hpp"
#include "engines/post_rules.hpp"
#include "engines/unit_of_work.hpp"

namespace quire {

using detail::Json;
using detail::read_unit;
using detail::Unit;
using detail::write_unit;

namespace {

constexpr std::size_t max_summary_bytes = 500;

// ---- reading stored versions ------------------------------------------------------------------

// The snapshot of a stored version. Errors: corrupt (the stored snapshot is not what quire wrote).
Result<VersionSnapshot> snapshot_of(storage::VersionRow row) {
  VersionSnapshot out;
  const auto corrupt = [&] {
    return fail(Errc::corrupt, fmt::format("version {} of post {} has a malformed snapshot",
                                           row.version.number, row.version.post_id));
  };
  const auto json = Json::parse(row.snapshot, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return corrupt();
  const auto field = [&](const char* key) -> const Json* {
    const auto found = json.find(key);
    return found == json.end() ? nullptr : &*found;
  };
  const Json* slug = field("slug");
  const Json* status = field("status");
  const Json* category = field("category");
  const Json* tags = field("tags");
  const Json* excerpt = field("excerpt");
  const Json* seo = field("seo");
  const Json* fields = field("fields");
  const bool well_formed = slug && slug->is_string() && status && status->is_string() && category &&
                           (category->is_null() || category->is_string()) && tags &&
                           tags->is_array() && excerpt && excerpt->is_string() && seo &&
                           seo->is_object() && fields && fields->is_object();
  if (!well_formed) return corrupt();
  const auto parsed_status = parse_post_status(status->get<std::string>());
  if (!parsed_status) return corrupt();
  for (const auto& tag : *tags) {
    if (!tag.is_string()) return corrupt();
    out.tags.push_back(tag.get<std::string>());
  }
  out.slug = slug->get<std::string>();
  out.status = *parsed_status;
  if (category->is_string()) out.category = category->get<std::string>();
  out.excerpt = excerpt->get<std::string>();
  out.seo = detail::dump_json(*seo);
  out.fields = detail::dump_json(*fields);
  out.version = std::move(row.version);
  out.title = std::move(row.title);
  out.body = std::move(row.body);
  return out;
}

Result<storage::VersionRow> find_version(Unit& unit, TenantId tenant, PostId post,
                                         std::int64_t number) {
  QUIRE_TRY(auto row, unit.tx().versions().find(tenant, post, number));
  if (!row) return fail(Errc::not_found, fmt::format("post {} has no version {}", post, number));
  return std::move(*row);
}

// A post whose versions the actor may read: not in the trash, visible to them (an invisible draft
// is not_found, as in PostEngine::get), and version.read (a denial is audited as `action`).
Result<void> require_readable(Unit& unit, TenantId tenant, PostId id, std::string action) {
  QUIRE_TRY(const auto post, detail::find_post(unit, tenant, id, storage::Lock::none));
  if (post.deleted_at) return fail(Errc::not_found, fmt::format("post {} not found", id));
  // One lookup of the actor's role serves both checks.
  QUIRE_TRY(const auto acting, detail::visitor_role(unit, post));
  QUIRE_TRY(detail::require_visible(unit, post, acting));
  return detail::require_granted(unit, acting, "version.read", std::move(action), id);
}

// ---- diff -------------------------------------------------------------------------------------

std::vector<DiffHunk> public_hunks(const detail::TextDiff& diff) {
  std::vector<DiffHunk> hunks;
  hunks.reserve(diff.hunks.size());
  for (const auto& hunk : diff.hunks) {
    DiffHunk out{hunk.old_start, hunk.old_count, hunk.new_start, hunk.new_count, {}};
    out.lines.reserve(hunk.lines.size());
    for (const auto& line : hunk.lines) {
      const auto kind = line.kind == detail::DiffLine::Kind::added     ? DiffLine::Kind::added
                        : line.kind == detail::DiffLine::Kind::removed ? DiffLine::Kind::removed
                                                                       : DiffLine::Kind::context;
      out.lines.push_back({kind, line.text, line.no_newline});
    }
    hunks.push_back(std::move(out));
  }
  return hunks;
}

VersionDiff compare(const VersionSnapshot& a, const VersionSnapshot& b) {
  VersionDiff out;
  out.from = a.version.number;
  out.to = b.version.number;
  const std::pair<const char*, bool> fields[] = {{"title", a.title != b.title},
                                                 {"body", a.body != b.body},
                                                 {"slug", a.slug != b.slug},
                                                 {"status", a.status != b.status},
                                                 {"category", a.category != b.category},
                                                 {"tags", a.tags != b.tags},
                                                 {"excerpt", a.excerpt != b.excerpt},
                                                 {"seo", a.seo != b.seo},
                                                 {"fields", a.fields != b.fields}};
  for (const auto& [name, changed] : fields) {
    if (changed) out.changed_fields.emplace_back(name);
  }
  // A title is one line (no control characters): compared with its line ending, so that a
  // changed title does not read as a change of a last line without a newline.
  auto title = detail::diff_lines(a.title + "\n", b.title + "\n");
  auto body = detail::diff_lines(a.body, b.body);
  // Two large, unrelated bodies would come back as every line removed and added (a 4 MB body of
  // short lines as some 160 MB of records): what is shown is bounded, and the diff says so.
  detail::DiffBudget budget;
  const bool title_cut = detail::truncate_diff(title, budget);
  const bool body_cut = detail::truncate_diff(body, budget);
  out.truncated = title_cut || body_cut;
  out.text = detail::unified_diff(title, fmt::format("v{}/title", out.from),
                                  fmt::format("v{}/title", out.to)) +
             detail::unified_diff(body, fmt::format("v{}/body", out.from),
                                  fmt::format("v{}/body", out.to));
  out.title_hunks = public_hunks(title);
  out.body_hunks = public_hunks(body);
  out.added = title.added + body.added;
  out.removed = title.removed + body.removed;
  return out;
}

// ---- autosaves --------------------------------------------------------------------------------

// The user whose autosave slot a context reaches. Errors: invalid_argument for other actors.
Result<UserId> autosave_user(const detail::ContextState& ctx) {
  if (ctx.actor.type != ActorType::user) {
    return fail(Errc::invalid_argument,
                "autosaves belong to a user: use a context of the user who edits (db.context)");
  }
  return ctx.actor.id;
}

// A title being typed may be blank for now; promote applies the full title rule.
Result<void> check_autosave_title(std::string_view title) {
  if (title.size() > detail::max_title_bytes) {
    return fail(Errc::invalid_argument, fmt::format("title must be at most {} bytes, got {}",
                                                    detail::max_title_bytes, title.size()));
  }
  if (!detail::is_valid_utf8(title) || title.find('\0') != std::string_view::npos) {
    return fail(Errc::invalid_argument, "title must be valid UTF-8 without NUL bytes");
  }
  return success();
}

}  // namespace

VersionEngine::VersionEngine(std::shared_ptr<detail::ContextState> ctx) noexcept
    : ctx_(std::move(ctx)) {}

Result<std::vector<Version>> VersionEngine::list(PostId post) noexcept {
  QUIRE_TRY(const auto tenant, detail::tenant_of(*ctx_, "versions"));
  return read_unit(*ctx_, [&](Unit& unit) -> Result<std::vector<Version>> {
    QUIRE_TRY(require_readable(unit, tenant, post, "version.list"));
    return unit.tx().versions().list(tenant, post);
  });
}

Result<VersionSnapshot> VersionEngine::get(PostId post, std::int64_t number) noexcept {
  QUIRE_TRY(const auto tenant, detail::tenant_of(*ctx_, "versions"));
  return read_unit(*ctx_, [&](Unit& unit) -> Result<VersionSnapshot> {
    QUIRE_TRY(require_readable(unit, tenant, post, "version.get"));
    QUIRE_TRY(auto row, find_version(unit, tenant, post, number));
    return snapshot_of(std::move(row));
  });
}

Result<VersionDiff> VersionEngine::diff(PostId post, std::int64_t from, std::int64_t to) noexcept {
  QUIRE_TRY(const auto tenant, detail::tenant_of(*ctx_, "versions"));
  using Pair = std::pair<VersionSnapshot, VersionSnapshot>;
  auto read = read_unit(*ctx_, [&](Unit& unit) -> Result<Pair> {
    QUIRE_TRY(require_readable(unit, tenant, post, "version.diff"));
    QUIRE_TRY(auto a, find_version(unit, tenant, post, from));
    QUIRE_TRY(auto b, find_version(unit, tenant, post, to));
    QUIRE_TRY(auto first, snapshot_of(std::move(a)));
    QUIRE_TRY(auto second, snapshot_of(std::move(b)));
    return Pair(std::move(first), std::move(second));
  });
  QUIRE_TRY(const auto pair, std::move(read));
  // The diff runs after the read transaction has ended: on large bodies it is the slow part.
  try {
    return compare(pair.first, pair.second);
  } catch (const std::bad_alloc&) {
    return fail(Errc::internal, "out of memory");
  } catch (const std::exception& e) {
    return fail(Errc::internal, e.what());
  }
}

Result<Version> VersionEngine::snapshot(PostId id, std::string_view summary) noexcept {
  std::string checked;
  if (!summary.empty()) {
    QUIRE_TRY(checked, detail::check_text("summary", summary, max_summary_bytes));
  }
  QUIRE_TRY(const auto tenant, detail::tenant_of(*ctx_, "versions"));
  return write_unit(*ctx_, [&](Unit& unit) -> Result<Version> {
    QUIRE_TRY(const auto before,
              detail::find_live_post(unit, tenant, id, storage::Lock::for_update));
    QUIRE_TRY(detail::require_on(unit, "post.update", before, "version.snapshot"));
    // The content stays; the version number moves on, so Post::version stays the newest one.
    Post post = before;
    post.version = before.version + 1;
    post.updated_at = now_ms();
    QUIRE_TRY(unit.tx().posts().update(before, post));
    QUIRE_TRY(detail::write_version(unit, post, "manual", checked));
    auto [old_values, new_values] = detail::audited_change(before, post);
    new_values["summary"] = checked;
    QUIRE_TRY(unit.record({tenant, "version.snapshot", "post", std::to_string(id),
                           std::move(old_values), std::move(new_values)}));
    return Version{post.id,
                   post.version,
                   "manual",
                   unit.ctx().actor.type == ActorType::user ? unit.ctx().actor.id : 0,
                   checked,
                   post.updated_at,
                   static_cast<std::int64_t>(post.title.size() + post.body.size())};
  });
}

Result<Post> VersionEngine::restore(PostId id, std::int64_t number) noexcept {
  QUIRE_TRY(const auto tenant, detail::tenant_of(*ctx_, "versions"));
  return write_unit(*ctx_, [&](Unit& unit) -> Result<Post> {
    QUIRE_TRY(const auto before,
              detail::find_live_post(unit, tenant, id, storage::Lock::for_update));
    // Restoring rewrites the post: version.restore on it (the role, or an admin grant), and
    // post.update on it, or a key holding only version.restore would change (and read back)
    // drafts it may neither edit nor see.
    QUIRE_TRY(detail::require_on(unit, "version.restore", before, "version.restore"));
    QUIRE_TRY(detail::require_on(unit, "post.update", before, "version.restore"));
    QUIRE_TRY(auto row, find_version(unit, tenant, id, number));
    QUIRE_TRY(auto old, snapshot_of(std::move(row)));
    Post post = before;
    post.title = std::move(old.title);
    post.body = std::move(old.body);
    post.category = std::move(old.category);
    post.tags = std::move(old.tags);
    post.excerpt = std::move(old.excerpt);
    post.seo = std::move(old.seo);
    post.fields = std::move(old.fields);
    if (old.slug != before.slug) {
      QUIRE_TRY(const bool taken, unit.tx().posts().slug_taken(tenant, post.type, old.slug, id));
      if (taken) {
        return fail(Errc::already_exists,
                    fmt::format("slug {} of version {} is now used by another {}",
                                detail::quoted(old.slug), number, post.type));
      }
      post.slug = std::move(old.slug);
      // As after a rename, the slug it leaves keeps resolving to this post.
      QUIRE_TRY(unit.tx().posts().add_old_slug(tenant, post.type, before.slug, id));
    }
    post.reading_time = detail::reading_time(post.body);
    post.version = before.version + 1;
    post.updated_at = now_ms();
    QUIRE_TRY(unit.tx().posts().update(before, post));
    QUIRE_TRY(detail::write_version(unit, post, "restore",
                                    fmt::format("restored from version {}", number)));
    auto [old_values, new_values] = detail::audited_change(before, post);
    new_values["restored_from"] = number;
    QUIRE_TRY(unit.record({tenant, "version.restore", "post", std::to_string(id),
                           std::move(old_values), std::move(new_values)}));
    return post;
  });
}

Result<Autosave> VersionEngine::autosave(PostId id, std::string_view title,
                                         std::string_view body) noexcept {
  QUIRE_TRY(const auto user, autosave_user(*ctx_));
  QUIRE_TRY(check_autosave_title(title));
  QUIRE_TRY(detail::check_body(body));
  QUIRE_TRY(const auto tenant, detail::tenant_of(*ctx_, "versions"));
  return write_unit(*ctx_, [&](Unit& unit) -> Result<Autosave> {
    QUIRE_TRY(const auto post, detail::find_live_post(unit, tenant, id, storage::Lock::none));
    QUIRE_TRY(detail::require_on(unit, "post.update", post, "version.autosave"));
    Autosave saved{id, user, std::string(title), std::string(body), post.version, now_ms()};
    QUIRE_TRY(unit.tx().versions().save_autosave(tenant, saved));
    return saved;
  });
}

Result<std::optional<Autosave>> VersionEngine::autosave_get(PostId id) noexcept {
  QUIRE_TRY(const auto user, autosave_user(*ctx_));
  QUIRE_TRY(const auto tenant, detail::tenant_of(*ctx_, "versions"));
  return read_unit(*ctx_, [&](Unit& unit) -> Result<std::optional<Autosave>> {
    // In the trash too: one's unsaved work stays reachable.
    QUIRE_TRY(const auto post, detail::find_post(unit, tenant, id, storage::Lock::none));
    QUIRE_TRY(detail::require_on(unit, "post.update", post, "version.autosave_get"));
    return unit.tx().versions().find_autosave(tenant, id, user);
  });
}

Result<void> VersionEngine::discard(PostId id) noexcept {
  QUIRE_TRY(const auto user, autosave_user(*ctx_));
  QUIRE_TRY(const auto tenant, detail::tenant_of(*ctx_, "versions"));
  return write_unit(*ctx_, [&](Unit& unit) -> Result<void> {
    QUIRE_TRY(const auto post, detail::find_post(unit, tenant, id, storage::Lock::none));
    QUIRE_TRY(detail::require_on(unit, "post.update", post, "version.discard"));
    QUIRE_TRY(unit.tx().versions().delete_autosave(tenant, id, user));
    return success();
  });
}

Result<Post> VersionEngine::promote(PostId id, std::int64_t expected_version) noexcept {
  QUIRE_TRY(const auto user, autosave_user(*ctx_));
  QUIRE_TRY(const auto tenant, detail::tenant_of(*ctx_, "versions"));
  return write_unit(*ctx_, [&](Unit& unit) -> Result<Post> {
    QUIRE_TRY(auto saved, unit.tx().versions().find_autosave(tenant, id, user));
    if (!saved) {
      QUIRE_TRY(detail::find_post(unit, tenant, id,
                                  storage::Lock::none));  // a missing post is named as such
      return fail(Errc::not_found,
                  fmt::format("user {} has no autosave of post {} to promote", user, id));
    }
    // The update's own rules, and its own path: permission, expected_version, version, audit.
    QUIRE_TRY(const auto checked, detail::check_patch(PostPatch{.title = std::move(saved->title),
                                                                .body = std::move(saved->body)}));
    QUIRE_TRY(auto post, detail::update_post(unit, tenant, id, expected_version, checked));
    QUIRE_TRY(unit.tx().versions().delete_autosave(tenant, id, user));
    return post;
  });
}

}  // namespace quire
