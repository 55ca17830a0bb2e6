#pragma once
// The fields each JSON input of the C ABI accepts, for the decoders' Fields (json.hpp): a field
// not listed is refused as unknown.
// Generated from capi/quire.abi.json by scripts/gen_abi.py: do not edit, run scripts/quire gen.

#include <string_view>

// clang-format off
namespace quire::capi::known {

inline constexpr std::string_view options_json[] = {
    "synchronous", "reader_connections", "busy_timeout_ms", "wal_autocheckpoint_pages",
    "default_plan", "plans", "passwords"};
inline constexpr std::string_view options_plan[] = {"name", "max_members", "max_posts"};
inline constexpr std::string_view options_passwords[] = {"opslimit", "memlimit", "max_concurrent"};
inline constexpr std::string_view context_json[] = {
    "tenant", "user", "ip", "user_agent", "request_id"};
inline constexpr std::string_view request_json[] = {"ip", "user_agent", "request_id"};
inline constexpr std::string_view tenant_json[] = {"slug", "name", "plan", "domain", "settings"};
inline constexpr std::string_view tenant_patch[] = {"name", "plan", "domain", "settings"};
inline constexpr std::string_view tenant_query[] = {
    "include_inactive", "include_deleted", "limit", "cursor"};
inline constexpr std::string_view invitation_query[] = {"limit", "cursor"};
inline constexpr std::string_view user_json[] = {"username", "email", "password", "display_name"};
inline constexpr std::string_view user_patch[] = {"username", "email", "display_name"};
inline constexpr std::string_view user_query[] = {"limit", "cursor"};
inline constexpr std::string_view post_json[] = {
    "title", "body", "type", "slug", "status", "tags", "category", "excerpt", "seo", "fields",
    "parent_id"};
inline constexpr std::string_view post_patch[] = {
    "title", "body", "slug", "tags", "category", "excerpt", "seo", "fields", "parent_id"};
inline constexpr std::string_view post_query[] = {
    "type", "status", "author_id", "category", "tag", "parent_id", "since", "until", "deleted",
    "order", "limit", "cursor"};
inline constexpr std::string_view audit_query[] = {
    "actor_type", "actor_id", "action", "resource_type", "resource_id", "outcome", "since",
    "until", "limit", "cursor"};
inline constexpr std::string_view head_json[] = {"seq", "hash"};
inline constexpr std::string_view key_json[] = {"name", "scopes", "expires_at"};

}  // namespace quire::capi::known
// clang-format on
