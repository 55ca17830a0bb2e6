// The JSON toolkit's definitions (json.hpp), and the codecs of options, tenants, users, members and
// requests.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

#include "core/json.hpp"
#include "json.hpp"

namespace quire::capi {

namespace {

// Deeper input is refused before parsing: nested values are walked recursively when dumped.
constexpr int max_depth = 100;
// How much of an unknown field's name a message quotes.
constexpr std::size_t max_quoted_bytes = 64;

void append_tenant(std::string& out, const Tenant& t) {
  append_key(out.append("{"), "id", true);
  append_int(out, t.id);
  append_key(out, "slug");
  append_string(out, t.slug);
  append_key(out, "name");
  append_string(out, t.name);
  append_key(out, "plan");
  append_string(out, t.plan);
  append_key(out, "domain");
  if (t.domain) {
    append_string(out, *t.domain);
  } else {
    out += "null";
  }
  append_key(out, "settings");  // stored as compact JSON text by the engine: embedded as it is
  out += t.settings.empty() ? std::string_view("{}") : std::string_view(t.settings);
  append_key(out, "is_active");
  out += t.is_active ? "true" : "false";
  append_key(out, "created_at");
  append_time(out, t.created_at);
  append_key(out, "updated_at");
  append_time(out, t.updated_at);
  append_key(out, "deleted_at");
  if (t.deleted_at) {
    append_time(out, *t.deleted_at);
  } else {
    out += "null";
  }
  out.push_back('}');
}

void append_user(std::string& out, const User& u) {
  append_key(out.append("{"), "id", true);
  append_int(out, u.id);
  append_key(out, "username");
  append_string(out, u.username);
  append_key(out, "email");
  append_string(out, u.email);
  append_key(out, "display_name");
  append_string(out, u.display_name);
  append_key(out, "is_active");
  out += u.is_active ? "true" : "false";
  append_key(out, "created_at");
  append_time(out, u.created_at);
  append_key(out, "updated_at");
  append_time(out, u.updated_at);
  out.push_back('}');
}

void append_member(std::string& out, const Member& m) {
  append_key(out.append("{"), "tenant_id", true);
  append_int(out, m.tenant_id);
  append_key(out, "user_id");
  append_int(out, m.user_id);
  append_key(out, "role");
  append_string(out, m.role);
  append_key(out, "joined_at");
  append_time(out, m.joined_at);
  out.push_back('}');
}

// Refuses nesting deeper than max_depth without parsing (brackets inside strings do not count).
void check_depth(std::string_view text, const char* name) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) {
        throw_invalid(std::string(name) + " nests deeper than " + std::to_string(max_depth) +
                      " levels");
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
}

Plan read_plan(const Json& value, const std::string& path) {
  if (!value.is_object()) throw_invalid(path + " must be a JSON object");
  const Fields fields(value, path, known::options_plan);
  Plan plan;
  plan.name = fields.required_string("name");
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  if (auto members = fields.integer("max_members", 0, max)) plan.max_members = *members;
  if (auto posts = fields.integer("max_posts", 0, max)) plan.max_posts = *posts;
  return plan;
}

}  // namespace

// ---- Output ------------------------------------------------------------------------------------

void append_int(std::string& out, std::int64_t value) {
  char digits[24];
  const auto end = std::to_chars(std::begin(digits), std::end(digits), value).ptr;
  out.append(digits, end);
}

void append_double(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  char digits[32];
  const auto end = std::to_chars(std::begin(digits), std::end(digits), value).ptr;
  out.append(digits, end);
}

void append_time(std::string& out, Timestamp t) {
  append_string(out, format_rfc3339(t));
}

// `"key":` after a comma unless it is the first field.
void append_key(std::string& out, std::string_view key, bool first) {
  if (!first) out.push_back(',');
  out.push_back('"');
  out.append(key);
  out += "\":";
}

// ---- Input -------------------------------------------------------------------------------------

std::string quote_name(std::string_view text) {
  std::string out;
  append_string(out, text.substr(0, max_quoted_bytes));
  return out;
}

namespace {

// Any JSON value, depth-checked first; the parser's own message quotes the input, which may hold
// a password, so a syntax error gives the place only.
Json parse_value(std::string_view text, const char* name) {
  check_depth(text, name);
  std::string path;
  try {
    return detail::parse_tracking_path(text, path);
  } catch (const Json::parse_error& e) {
    throw_invalid(std::string(name) + " is not valid JSON (syntax error near byte " +
                  std::to_string(e.byte) + ")");
  } catch (const Json::out_of_range&) {
    throw_invalid(detail::out_of_range_message(name, path));
  }
}

// The strings of an array, or QUIRE_EINVAL naming the first item that is not one.
std::vector<std::string> strings_of(const Json& array, const std::string& path) {
  std::vector<std::string> items;
  items.reserve(array.size());
  for (std::size_t i = 0; i < array.size(); ++i) {
    if (!array[i].is_string()) {
      throw_invalid(path + "[" + std::to_string(i) + "] must be a string");
    }
    items.push_back(array[i].get<std::string>());
  }
  return items;
}

}  // namespace

Json parse_object(const char* text, const char* name, bool nullable) {
  if (text == nullptr) {
    if (nullable) return Json::object();
    throw_invalid(std::string(name) + " must not be NULL");
  }
  Json value = parse_value(text, name);
  if (!value.is_object()) throw_invalid(std::string(name) + " must be a JSON object");
  return value;
}

std::vector<std::string> parse_string_array(const char* text, const char* name) {
  const Json value = parse_value(string_arg(text, name), name);
  if (!value.is_array()) throw_invalid(std::string(name) + " must be a JSON array of strings");
  return strings_of(value, name);
}

// A JSON object argument (settings) as compact text.
std::optional<std::string> object_text(const Fields& fields, std::string_view key) {
  const Json* value = fields.object(key);
  if (value == nullptr) return std::nullopt;
  return value->dump();
}

RequestInfo read_request(const Fields& fields) {
  RequestInfo request;
  if (auto ip = fields.string("ip")) request.ip = std::move(*ip);
  if (auto agent = fields.string("user_agent")) request.user_agent = std::move(*agent);
  if (auto id = fields.string("request_id")) request.request_id = std::move(*id);
  return request;
}

std::optional<std::vector<std::string>> string_list(const Fields& fields, std::string_view key) {
  const Json* value = fields.array(key);
  if (value == nullptr) return std::nullopt;
  return strings_of(*value, fields.path_of(key));
}

namespace {

Timestamp parse_time(std::string_view text, const std::string& name) {
  const auto t = parse_rfc3339(text);
  if (!t) throw_invalid(name + " must be an RFC 3339 time (\"2026-11-23T14:07:08Z\")");
  return *t;
}

}  // namespace

std::optional<Timestamp> time_field(const Fields& fields, std::string_view key) {
  auto text = fields.string(key);
  if (!text) return std::nullopt;
  return parse_time(*text, fields.path_of(key));
}

std::optional<std::optional<Timestamp>> nullable_time_field(const Fields& fields,
                                                            std::string_view key) {
  auto text = fields.nullable_string(key);
  if (!text) return std::nullopt;
  if (!*text) return std::optional<Timestamp>();
  return parse_time(**text, fields.path_of(key));
}

Timestamp time_arg(const char* value, const char* name) {
  return parse_time(string_arg(value, name), name);
}

// ---- Decoders ----------------------------------------------------------------------------------

Options decode_options(const char* options_json) {
  const char* name = "options_json";
  const Json json = parse_object(options_json, name, /*nullable=*/true);
  const Fields fields(json, name, known::options_json);
  Options options;
  if (auto synchronous = fields.string("synchronous")) {
    if (*synchronous == "full") {
      options.synchronous = Synchronous::full;
    } else if (*synchronous == "normal") {
      options.synchronous = Synchronous::normal;
    } else {
      throw_invalid(fields.path_of("synchronous") + R"( must be "full" or "normal")");
    }
  }
  fields.read_unsigned("reader_connections", options.reader_connections);
  fields.read_unsigned("busy_timeout_ms", options.busy_timeout_ms);
  fields.read_unsigned("wal_autocheckpoint_pages", options.wal_autocheckpoint_pages);
  if (auto plan = fields.string("default_plan")) options.default_plan = std::move(*plan);
  if (const Json* plans = fields.array("plans")) {
    options.plans.clear();
    for (std::size_t i = 0; i < plans->size(); ++i) {
      options.plans.push_back(
          read_plan((*plans)[i], fields.path_of("plans") + "[" + std::to_string(i) + "]"));
    }
  }
  if (const Json* passwords = fields.object("passwords")) {
    const Fields cost(*passwords, fields.path_of("passwords"), known::options_passwords);
    cost.read_unsigned("opslimit", options.passwords.opslimit);
    cost.read_unsigned("memlimit", options.passwords.memlimit);
    cost.read_unsigned("max_concurrent", options.passwords.max_concurrent);
  }
  return options;
}

NewTenant decode_new_tenant(const char* tenant_json) {
  const char* name = "tenant_json";
  const Json json = parse_object(tenant_json, name);
  const Fields fields(json, name, known::tenant_json);
  NewTenant tenant;
  tenant.slug = fields.required_string("slug");
  tenant.name = fields.required_string("name");
  if (auto plan = fields.string("plan")) tenant.plan = std::move(*plan);
  if (auto domain = fields.nullable_string("domain")) tenant.domain = std::move(*domain);
  if (auto settings = object_text(fields, "settings")) tenant.settings = std::move(*settings);
  return tenant;
}

TenantPatch decode_tenant_patch(const char* patch_json) {
  const char* name = "patch_json";
  const Json json = parse_object(patch_json, name);
  const Fields fields(json, name, known::tenant_patch);
  TenantPatch patch;
  patch.name = fields.string("name");
  patch.plan = fields.string("plan");
  patch.domain = fields.nullable_string("domain");
  patch.settings = object_text(fields, "settings");
  return patch;
}

TenantQuery decode_tenant_query(const char* query_json) {
  const char* name = "query_json";
  const Json json = parse_object(query_json, name, /*nullable=*/true);
  const Fields fields(json, name, known::tenant_query);
  TenantQuery query;
  if (auto inactive = fields.boolean("include_inactive")) query.include_inactive = *inactive;
  if (auto deleted = fields.boolean("include_deleted")) query.include_deleted = *deleted;
  fields.read_unsigned("limit", query.limit);
  query.cursor = fields.cursor("cursor");
  return query;
}

NewUser decode_new_user(const char* user_json) {
  const char* name = "user_json";
  const Json json = parse_object(user_json, name);
  const Fields fields(json, name, known::user_json);
  NewUser user;
  user.username = fields.required_string("username");
  user.email = fields.required_string("email");
  user.password = fields.required_string("password");
  if (auto display = fields.string("display_name")) user.display_name = std::move(*display);
  return user;
}

UserPatch decode_user_patch(const char* patch_json) {
  const char* name = "patch_json";
  const Json json = parse_object(patch_json, name);
  const Fields fields(json, name, known::user_patch);
  UserPatch patch;
  patch.username = fields.string("username");
  patch.email = fields.string("email");
  patch.display_name = fields.string("display_name");
  return patch;
}

UserQuery decode_user_query(const char* query_json) {
  const char* name = "query_json";
  const Json json = parse_object(query_json, name, /*nullable=*/true);
  const Fields fields(json, name, known::user_query);
  UserQuery query;
  fields.read_unsigned("limit", query.limit);
  query.cursor = fields.cursor("cursor");
  return query;
}

RequestInfo decode_request(const char* request_json) {
  const char* name = "request_json";
  const Json json = parse_object(request_json, name);
  return read_request(Fields(json, name, known::request_json));
}

ContextRequest decode_context(const char* context_json) {
  const char* name = "context_json";
  const Json json = parse_object(context_json, name);
  const Fields fields(json, name, known::context_json);
  ContextRequest out;
  const auto tenant = json.find("tenant");
  if (tenant == json.end()) throw_invalid(fields.path_of("tenant") + " is required");
  if (tenant->is_string()) {
    out.tenant = tenant_ref(tenant->get_ref<const std::string&>(), fields.path_of("tenant"));
  } else if (tenant->is_number_integer()) {
    constexpr auto max = std::numeric_limits<TenantId>::max();
    out.tenant = *fields.integer("tenant", 0, max);
  } else {
    throw_invalid(fields.path_of("tenant") + " must be a slug or an integer id");
  }
  const auto user = fields.integer("user", 0, std::numeric_limits<UserId>::max());
  if (!user) throw_invalid(fields.path_of("user") + " is required");
  out.user = *user;
  out.request = read_request(fields);
  return out;
}

// ---- Encoders ----------------------------------------------------------------------------------

std::string encode(const Tenant& tenant) {
  std::string out;
  out.reserve(256 + tenant.settings.size());
  append_tenant(out, tenant);
  return out;
}

std::string encode(const User& user) {
  std::string out;
  out.reserve(256);
  append_user(out, user);
  return out;
}

std::string encode(const Member& member) {
  std::string out;
  out.reserve(128);
  append_member(out, member);
  return out;
}

std::string encode(const Page<Tenant>& page) {
  return encode_page(page, append_tenant);
}

std::string encode(const Page<User>& page) {
  return encode_page(page, append_user);
}

std::string encode(const std::vector<Member>& members) {
  std::string out;
  out.reserve(16 + members.size() * 128);
  append_array(out, members, append_member);
  return out;
}

}  // namespace quire::capi
