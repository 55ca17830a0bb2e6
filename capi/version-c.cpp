// Versions of a post: list, read, compare, snapshot, restore, and each editor's autosave.

#include "json.hpp"

namespace quire::capi {

namespace {

void append_version_fields(std::string& out, const Version& v) {
  append_key(out, "post_id", true);
  append_int(out, v.post_id);
  append_key(out, "number");
  append_int(out, v.number);
  append_key(out, "kind");
  append_string(out, v.kind);
  append_key(out, "author_id");
  append_int(out, v.author_id);
  append_key(out, "summary");
  append_string(out, v.summary);
  append_key(out, "created_at");
  append_time(out, v.created_at);
  append_key(out, "size");
  append_int(out, v.size);
}

void append_version(std::string& out, const Version& v) {
  out.push_back('{');
  append_version_fields(out, v);
  out.push_back('}');
}

std::string encode_snapshot(const VersionSnapshot& s) {
  std::string out;
  out.reserve(512 + s.title.size() + s.body.size() + s.excerpt.size() + s.seo.size() +
              s.fields.size());
  out.push_back('{');
  append_version_fields(out, s.version);
  append_key(out, "title");
  append_string(out, s.title);
  append_key(out, "body");
  append_string(out, s.body);
  append_key(out, "slug");
  append_string(out, s.slug);
  append_key(out, "status");
  append_string(out, post_status_name(s.status));
  append_key(out, "category");
  append_nullable_string(out, s.category);
  append_key(out, "tags");
  append_strings(out, s.tags);
  append_key(out, "excerpt");
  append_string(out, s.excerpt);
  append_key(out, "seo");
  append_object_text(out, s.seo);
  append_key(out, "fields");
  append_object_text(out, s.fields);
  out.push_back('}');
  return out;
}

std::string_view line_kind(DiffLine::Kind kind) {
  switch (kind) {
    case DiffLine::Kind::added:
      return "added";
    case DiffLine::Kind::removed:
      return "removed";
    case DiffLine::Kind::context:
      break;
  }
  return "context";
}

void append_line(std::string& out, const DiffLine& line) {
  append_key(out.append("{"), "kind", true);
  append_string(out, line_kind(line.kind));
  append_key(out, "text");
  append_string(out, line.text);
  append_key(out, "no_newline");
  append_bool(out, line.no_newline);
  out.push_back('}');
}

void append_hunk(std::string& out, const DiffHunk& hunk) {
  const auto count = [](std::size_t n) { return static_cast<std::int64_t>(n); };
  append_key(out.append("{"), "old_start", true);
  append_int(out, count(hunk.old_start));
  append_key(out, "old_count");
  append_int(out, count(hunk.old_count));
  append_key(out, "new_start");
  append_int(out, count(hunk.new_start));
  append_key(out, "new_count");
  append_int(out, count(hunk.new_count));
  append_key(out, "lines");
  append_array(out, hunk.lines, append_line);
  out.push_back('}');
}

std::string encode_diff(const VersionDiff& d) {
  std::string out;
  out.reserve(256 + d.text.size() * 2);
  append_key(out.append("{"), "from", true);
  append_int(out, d.from);
  append_key(out, "to");
  append_int(out, d.to);
  append_key(out, "text");
  append_string(out, d.text);
  append_key(out, "changed_fields");
  append_strings(out, d.changed_fields);
  append_key(out, "added");
  append_int(out, static_cast<std::int64_t>(d.added));
  append_key(out, "removed");
  append_int(out, static_cast<std::int64_t>(d.removed));
  append_key(out, "title_hunks");
  append_array(out, d.title_hunks, append_hunk);
  append_key(out, "body_hunks");
  append_array(out, d.body_hunks, append_hunk);
  append_key(out, "truncated");
  append_bool(out, d.truncated);
  out.push_back('}');
  return out;
}

std::string encode_autosave(const std::optional<Autosave>& saved) {
  if (!saved) return "null";
  const auto& a = *saved;
  std::string out;
  out.reserve(192 + a.title.size() + a.body.size());
  append_key(out.append("{"), "post_id", true);
  append_int(out, a.post_id);
  append_key(out, "user_id");
  append_int(out, a.user_id);
  append_key(out, "title");
  append_string(out, a.title);
  append_key(out, "body");
  append_string(out, a.body);
  append_key(out, "base_version");
  append_int(out, a.base_version);
  append_key(out, "saved_at");
  append_time(out, a.saved_at);
  out.push_back('}');
  return out;
}

}  // namespace

}  // namespace quire::capi

using namespace quire::capi;

extern "C" {

QUIRE_EXPORT quire_status quire_version_list(char** out_json_array, quire_ctx* ctx,
                                             int64_t post_id) {
  return give_out(out_json_array, "out_json_array", [&] {
    auto versions = context_of(ctx).versions();
    return encode_array(unwrap(versions.list(post_id)), append_version);
  });
}

QUIRE_EXPORT quire_status quire_version_get(char** out_json, quire_ctx* ctx, int64_t post_id,
                                            int64_t number) {
  return give_out(out_json, "out_json", [&] {
    auto versions = context_of(ctx).versions();
    return encode_snapshot(unwrap(versions.get(post_id, number)));
  });
}

QUIRE_EXPORT quire_status quire_version_diff(char** out_json, quire_ctx* ctx, int64_t post_id,
                                             int64_t from, int64_t to) {
  return give_out(out_json, "out_json", [&] {
    auto versions = context_of(ctx).versions();
    return encode_diff(unwrap(versions.diff(post_id, from, to)));
  });
}

QUIRE_EXPORT quire_status quire_version_snapshot(char** out_json, quire_ctx* ctx, int64_t post_id,
                                                 const char* summary) {
  return give_out(out_json, "out_json", [&] {
    auto versions = context_of(ctx).versions();
    const auto text = summary == nullptr ? std::string_view() : string_arg(summary, "summary");
    std::string out;
    append_version(out, unwrap(versions.snapshot(post_id, text)));
    return out;
  });
}

QUIRE_EXPORT quire_status quire_version_restore(char** out_json, quire_ctx* ctx, int64_t post_id,
                                                int64_t number) {
  return give_out(out_json, "out_json", [&] {
    auto versions = context_of(ctx).versions();
    return encode_post(unwrap(versions.restore(post_id, number)));
  });
}

QUIRE_EXPORT quire_status quire_version_autosave(char** out_json, quire_ctx* ctx, int64_t post_id,
                                                 const char* title, const char* body) {
  return give_out(out_json, "out_json", [&] {
    auto versions = context_of(ctx).versions();
    const auto title_text = string_arg(title, "title");
    const auto body_text = string_arg(body, "body");
    return encode_autosave(unwrap(versions.autosave(post_id, title_text, body_text)));
  });
}

QUIRE_EXPORT quire_status quire_version_autosave_get(char** out_json, quire_ctx* ctx,
                                                     int64_t post_id) {
  return give_out(out_json, "out_json", [&] {
    auto versions = context_of(ctx).versions();
    return encode_autosave(unwrap(versions.autosave_get(post_id)));
  });
}

QUIRE_EXPORT quire_status quire_version_discard(quire_ctx* ctx, int64_t post_id) {
  return guard([&] { unwrap(context_of(ctx).versions().discard(post_id)); });
}

QUIRE_EXPORT quire_status quire_version_promote(char** out_json, quire_ctx* ctx, int64_t post_id,
                                                int64_t expected_version) {
  return give_out(out_json, "out_json", [&] {
    auto versions = context_of(ctx).versions();
    return encode_post(unwrap(versions.promote(post_id, expected_version)));
  });
}

}  // extern "C"
