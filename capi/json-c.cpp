// Records, queries and options to and from JSON text: the one place in the C ABI that speaks JSON.
//
// Input is parsed with nlohmann/json and read strictly (every field typed, no unknown field, no
// more than max_depth levels). Output is written by hand into one string: a record is a fixed
// shape, and this keeps a get's JSON cost to one allocation.

#include <algorithm>
#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>

#include "capi_internal.hpp"

namespace quire::capi {

namespace {

using Json = nlohmann::json;

// Deeper input is refused before parsing: nested values are walked recursively when dumped.
constexpr int max_depth = 100;
// How much of an unknown field's name a message quotes.
constexpr std::size_t max_quoted_bytes = 64;

// ---- Output ------------------------------------------------------------------------------------

// The length of the valid UTF-8 sequence starting at s[i], or 0 if it is not one.
std::size_t utf8_sequence(std::string_view s, std::size_t i) noexcept {
  const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(s[at]); };
  const auto in = [&](std::size_t at, unsigned lo, unsigned hi) {
    return at < s.size() && byte(at) >= lo && byte(at) <= hi;
  };
  const unsigned lead = byte(i);
  if (lead >= 0xC2 && lead <= 0xDF) return in(i + 1, 0x80, 0xBF) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    const unsigned lo = lead == 0xE0 ? 0xA0 : 0x80;
    const unsigned hi = lead == 0xED ? 0x9F : 0xBF;
    return in(i + 1, lo, hi) && in(i + 2, 0x80, 0xBF) ? 3 : 0;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    const unsigned lo = lead == 0xF0 ? 0x90 : 0x80;
    const unsigned hi = lead == 0xF4 ? 0x8F : 0xBF;
    return in(i + 1, lo, hi) && in(i + 2, 0x80, 0xBF) && in(i + 3, 0x80, 0xBF) ? 4 : 0;
  }
  return 0;
}

// A JSON string literal; invalid UTF-8 becomes U+FFFD, so the output is always valid JSON.
void append_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t clean = 0;  // start of the run not yet copied
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      if (const auto length = utf8_sequence(s, i); length != 0) {
        i += length;
        continue;
      }
    }
    out.append(s.substr(clean, i - clean));
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(hex[c >> 4]);
          out.push_back(hex[c & 0xF]);
        } else {
          out += "\xEF\xBF\xBD";  // U+FFFD for a byte that starts no valid sequence
        }
    }
    clean = ++i;
  }
  out.append(s.substr(clean));
  out.push_back('"');
}

void append_int(std::string& out, std::int64_t value) {
  char digits[24];
  const auto end = std::to_chars(std::begin(digits), std::end(digits), value).ptr;
  out.append(digits, end);
}

void append_time(std::string& out, Timestamp t) {
  append_string(out, format_rfc3339(t));
}

// `"key":` after a comma unless it is the first field.
void append_key(std::string& out, std::string_view key, bool first = false) {
  if (!first) out.push_back(',');
  out.push_back('"');
  out.append(key);
  out += "\":";
}

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

template <class T, class Append>
void append_array(std::string& out, const std::vector<T>& items, Append append) {
  out.push_back('[');
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i != 0) out.push_back(',');
    append(out, items[i]);
  }
  out.push_back(']');
}

template <class T, class Append>
std::string encode_page(const Page<T>& page, Append append) {
  std::string out;
  out.reserve(64 + page.items.size() * 256);
  out += "{\"items\":";
  append_array(out, page.items, append);
  append_key(out, "next_cursor");
  if (page.next_cursor.empty()) {
    out += "null";
  } else {
    append_string(out, page.next_cursor);
  }
  out.push_back('}');
  return out;
}

// ---- Input -------------------------------------------------------------------------------------

std::string quote_name(std::string_view text) {
  std::string out;
  append_string(out, text.substr(0, max_quoted_bytes));
  return out;
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

// An object argument; NULL is an empty object when `nullable`.
Json parse_object(const char* text, const char* name, bool nullable = false) {
  if (text == nullptr) {
    if (nullable) return Json::object();
    throw_invalid(std::string(name) + " must not be NULL");
  }
  const std::string_view view(text);
  check_depth(view, name);
  Json value;
  try {
    value = Json::parse(view);
  } catch (const Json::parse_error& e) {
    // The parser's own message quotes the input, which may hold a password: give the place only.
    throw_invalid(std::string(name) + " is not valid JSON (syntax error near byte " +
                  std::to_string(e.byte) + ")");
  }
  if (!value.is_object()) throw_invalid(std::string(name) + " must be a JSON object");
  return value;
}

// Reads the fields of one JSON object, naming `path` ("tenant_json", "options_json.plans[0]") in
// its messages. Construction refuses any field outside `known`.
class Fields {
 public:
  Fields(const Json& object, std::string path, std::initializer_list<std::string_view> known)
      : object_(object), path_(std::move(path)) {
    for (const auto& [key, value] : object_.items()) {
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        throw_invalid(path_ + ": unknown field " + quote_name(key));
      }
    }
  }

  std::string path_of(std::string_view key) const { return path_ + "." + std::string(key); }

  // Absent: nullopt. Present with another type (null included): QUIRE_EINVAL.
  std::optional<std::string> string(std::string_view key) const {
    const Json* value = find(key);
    if (value == nullptr) return std::nullopt;
    if (!value->is_string()) wrong_type(key, "a string");
    return value->get<std::string>();
  }

  std::string required_string(std::string_view key) const {
    auto value = string(key);
    if (!value) throw_invalid(path_of(key) + " is required");
    return std::move(*value);
  }

  // Absent: nullopt; null: an empty optional inside; a string: that string.
  std::optional<std::optional<std::string>> nullable_string(std::string_view key) const {
    const Json* value = find(key);
    if (value == nullptr) return std::nullopt;
    if (value->is_null()) return std::optional<std::string>();
    if (!value->is_string()) wrong_type(key, "a string or null");
    return value->get<std::string>();
  }

  std::optional<bool> boolean(std::string_view key) const {
    const Json* value = find(key);
    if (value == nullptr) return std::nullopt;
    if (!value->is_boolean()) wrong_type(key, "true or false");
    return value->get<bool>();
  }

  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min,
                                      std::int64_t max) const {
    const Json* value = find(key);
    if (value == nullptr) return std::nullopt;
    const auto out_of_range = [&] {
      wrong_type(key, "an integer from " + std::to_string(min) + " to " + std::to_string(max));
    };
    if (!value->is_number_integer()) out_of_range();
    if (value->is_number_unsigned() &&
        value->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
      out_of_range();
    }
    const auto number = value->get<std::int64_t>();
    if (number < min || number > max) out_of_range();
    return number;
  }

  std::optional<std::uint64_t> unsigned_integer(std::string_view key, std::uint64_t max) const {
    const Json* value = find(key);
    if (value == nullptr) return std::nullopt;
    const auto out_of_range = [&] {
      wrong_type(key, "an integer from 0 to " + std::to_string(max));
    };
    if (!value->is_number_integer()) out_of_range();
    if (!value->is_number_unsigned() && value->get<std::int64_t>() < 0) out_of_range();
    const auto number = value->get<std::uint64_t>();
    if (number > max) out_of_range();
    return number;
  }

  template <class Unsigned>
  void read_unsigned(std::string_view key, Unsigned& target) const {
    if (auto value = unsigned_integer(key, std::numeric_limits<Unsigned>::max())) {
      target = static_cast<Unsigned>(*value);
    }
  }

  // A nested object, as it is; absent: nullptr.
  const Json* object(std::string_view key) const {
    const Json* value = find(key);
    if (value != nullptr && !value->is_object()) wrong_type(key, "a JSON object");
    return value;
  }

  const Json* array(std::string_view key) const {
    const Json* value = find(key);
    if (value != nullptr && !value->is_array()) wrong_type(key, "an array");
    return value;
  }

  // A page cursor: absent or null is the first page.
  std::string cursor(std::string_view key) const {
    auto value = nullable_string(key);
    return value && *value ? std::move(**value) : std::string();
  }

 private:
  const Json* find(std::string_view key) const {
    const auto found = object_.find(key);
    return found == object_.end() ? nullptr : &*found;
  }

  [[noreturn]] void wrong_type(std::string_view key, std::string_view expected) const {
    throw_invalid(path_of(key) + " must be " + std::string(expected));
  }

  const Json& object_;
  std::string path_;
};

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

Plan read_plan(const Json& value, const std::string& path) {
  if (!value.is_object()) throw_invalid(path + " must be a JSON object");
  const Fields fields(value, path, {"name", "max_members", "max_posts"});
  Plan plan;
  plan.name = fields.required_string("name");
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  if (auto members = fields.integer("max_members", 0, max)) plan.max_members = *members;
  if (auto posts = fields.integer("max_posts", 0, max)) plan.max_posts = *posts;
  return plan;
}

}  // namespace

// ---- Decoders ----------------------------------------------------------------------------------

Options decode_options(const char* options_json) {
  const char* name = "options_json";
  const Json json = parse_object(options_json, name, /*nullable=*/true);
  const Fields fields(json, name,
                      {"synchronous", "reader_connections", "busy_timeout_ms",
                       "wal_autocheckpoint_pages", "default_plan", "plans", "passwords"});
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
    const Fields cost(*passwords, fields.path_of("passwords"),
                      {"opslimit", "memlimit", "max_concurrent"});
    cost.read_unsigned("opslimit", options.passwords.opslimit);
    cost.read_unsigned("memlimit", options.passwords.memlimit);
    cost.read_unsigned("max_concurrent", options.passwords.max_concurrent);
  }
  return options;
}

NewTenant decode_new_tenant(const char* tenant_json) {
  const char* name = "tenant_json";
  const Json json = parse_object(tenant_json, name);
  const Fields fields(json, name, {"slug", "name", "plan", "domain", "settings"});
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
  const Fields fields(json, name, {"name", "plan", "domain", "settings"});
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
  const Fields fields(json, name, {"include_inactive", "include_deleted", "limit", "cursor"});
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
  const Fields fields(json, name, {"username", "email", "password", "display_name"});
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
  const Fields fields(json, name, {"username", "email", "display_name"});
  UserPatch patch;
  patch.username = fields.string("username");
  patch.email = fields.string("email");
  patch.display_name = fields.string("display_name");
  return patch;
}

UserQuery decode_user_query(const char* query_json) {
  const char* name = "query_json";
  const Json json = parse_object(query_json, name, /*nullable=*/true);
  const Fields fields(json, name, {"limit", "cursor"});
  UserQuery query;
  fields.read_unsigned("limit", query.limit);
  query.cursor = fields.cursor("cursor");
  return query;
}

RequestInfo decode_request(const char* request_json) {
  const char* name = "request_json";
  const Json json = parse_object(request_json, name);
  return read_request(Fields(json, name, {"ip", "user_agent", "request_id"}));
}

ContextRequest decode_context(const char* context_json) {
  const char* name = "context_json";
  const Json json = parse_object(context_json, name);
  const Fields fields(json, name, {"tenant", "user", "ip", "user_agent", "request_id"});
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
