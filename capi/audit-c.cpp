// The audit trail: query, head, verify, export (whole or streamed) and retention.

#include <limits>

#include "json.hpp"

namespace quire::capi {

namespace {

ActorType actor_type_field(const Fields& fields, std::string_view key) {
  const auto name = fields.required_string(key);
  for (const auto type : {ActorType::system, ActorType::user, ActorType::api_key}) {
    if (actor_type_name(type) == name) return type;
  }
  throw_invalid(fields.path_of(key) + R"( must be "system", "user" or "api_key")");
}

AuditQuery decode_audit_query(const char* query_json) {
  const char* name = "query_json";
  const Json json = parse_object(query_json, name, /*nullable=*/true);
  const Fields fields(json, name, known::audit_query);
  AuditQuery query;
  if (fields.has("actor_type")) query.actor_type = actor_type_field(fields, "actor_type");
  query.actor_id = fields.integer("actor_id", 0, std::numeric_limits<std::int64_t>::max());
  if (auto action = fields.string("action")) query.action = std::move(*action);
  if (auto type = fields.string("resource_type")) query.resource_type = std::move(*type);
  if (auto id = fields.string("resource_id")) query.resource_id = std::move(*id);
  if (auto outcome = fields.string("outcome")) query.outcome = std::move(*outcome);
  query.since = time_field(fields, "since");
  query.until = time_field(fields, "until");
  fields.read_unsigned("limit", query.limit);
  query.cursor = fields.cursor("cursor");
  return query;
}

std::optional<AuditHead> decode_head(const char* head_json) {
  if (head_json == nullptr) return std::nullopt;
  const char* name = "head_json";
  const Json json = parse_object(head_json, name);
  const Fields fields(json, name, known::head_json);
  const auto seq = fields.integer("seq", 0, std::numeric_limits<std::int64_t>::max());
  if (!seq) throw_invalid(fields.path_of("seq") + " is required");
  return AuditHead{.seq = *seq, .hash = fields.required_string("hash")};
}

// old_values and new_values are JSON objects the engine wrote: embedded as they are.
void append_values(std::string& out, const std::optional<std::string>& values) {
  if (values) {
    append_object_text(out, *values);
  } else {
    out += "null";
  }
}

void append_entry(std::string& out, const AuditEntry& e) {
  append_key(out.append("{"), "tenant_id", true);
  append_int(out, e.tenant_id);
  append_key(out, "seq");
  append_int(out, e.seq);
  append_key(out, "at");
  append_time(out, e.at);
  append_key(out, "actor_type");
  append_string(out, actor_type_name(e.actor_type));
  append_key(out, "actor_id");
  append_int(out, e.actor_id);
  append_key(out, "action");
  append_string(out, e.action);
  append_key(out, "resource_type");
  append_string(out, e.resource_type);
  append_key(out, "resource_id");
  append_string(out, e.resource_id);
  append_key(out, "outcome");
  append_string(out, e.outcome);
  append_key(out, "old_values");
  append_values(out, e.old_values);
  append_key(out, "new_values");
  append_values(out, e.new_values);
  append_key(out, "ip");
  append_string(out, e.ip);
  append_key(out, "user_agent");
  append_string(out, e.user_agent);
  append_key(out, "request_id");
  append_string(out, e.request_id);
  append_key(out, "prev_hash");
  append_string(out, e.prev_hash);
  append_key(out, "hash");
  append_string(out, e.hash);
  out.push_back('}');
}

std::string encode_head(const AuditHead& head) {
  std::string out;
  append_key(out.append("{"), "seq", true);
  append_int(out, head.seq);
  append_key(out, "hash");
  append_string(out, head.hash);
  out.push_back('}');
  return out;
}

std::string encode_verification(const Verification& v) {
  std::string out;
  append_key(out.append("{"), "ok", true);
  append_bool(out, v.ok);
  append_key(out, "checked");
  append_int(out, v.checked);
  append_key(out, "first_bad_seq");
  append_nullable_int(out, v.first_bad_seq);
  append_key(out, "problem");
  append_string(out, v.problem);
  out.push_back('}');
  return out;
}

ExportFormat export_format(const char* format) {
  const auto name = string_arg(format, "format");
  if (name == "jsonl") return ExportFormat::jsonl;
  if (name == "csv") return ExportFormat::csv;
  throw_invalid(R"(format must be "jsonl" or "csv")");
}

}  // namespace

}  // namespace quire::capi

using namespace quire::capi;

extern "C" {

QUIRE_EXPORT quire_status quire_audit_query(char** out_page_json, quire_ctx* ctx,
                                            const char* query_json) {
  return guard([&] {
    auto& out = out_param(out_page_json, "out_page_json");
    auto audit = context_of(ctx).audit();
    out = give(encode_page(unwrap(audit.query(decode_audit_query(query_json))), append_entry));
  });
}

QUIRE_EXPORT quire_status quire_audit_head(char** out_json, quire_ctx* ctx) {
  return guard([&] {
    auto& out = out_param(out_json, "out_json");
    out = give(encode_head(unwrap(context_of(ctx).audit().head())));
  });
}

QUIRE_EXPORT quire_status quire_audit_verify(char** out_json, quire_ctx* ctx,
                                             const char* head_json) {
  return guard([&] {
    auto& out = out_param(out_json, "out_json");
    auto audit = context_of(ctx).audit();
    out = give(encode_verification(unwrap(audit.verify(decode_head(head_json)))));
  });
}

QUIRE_EXPORT quire_status quire_audit_export(char** out_text, quire_ctx* ctx, const char* format) {
  return guard([&] {
    auto& out = out_param(out_text, "out_text");
    auto audit = context_of(ctx).audit();
    out = give(unwrap(audit.export_text(export_format(format))));
  });
}

QUIRE_EXPORT quire_status quire_audit_export_to(quire_ctx* ctx, const char* format,
                                                quire_write_fn write, void* user_data) {
  return guard([&] {
    auto audit = context_of(ctx).audit();
    const auto kind = export_format(format);
    if (write == nullptr) throw_invalid("write must not be NULL");
    unwrap(audit.export_to(
        kind, [&](std::string_view piece) { write(piece.data(), piece.size(), user_data); }));
  });
}

QUIRE_EXPORT quire_status quire_audit_purge_before(int64_t* out_removed, quire_ctx* ctx,
                                                   const char* cutoff) {
  return guard([&] {
    if (out_removed == nullptr) throw_invalid("out_removed must not be NULL");
    *out_removed = 0;
    auto audit = context_of(ctx).audit();
    *out_removed = unwrap(audit.purge_before(time_arg(cutoff, "cutoff")));
  });
}

}  // extern "C"
