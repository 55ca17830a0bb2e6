#pragma once
// Versions of a post: every create, update and restore writes one, in the same transaction as the
// change, and history is never rewritten. The Version engine lists, reads, compares and restores
// them, takes manual snapshots, and keeps each editor's autosave.

#include <quire/quire_export.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <quire/post.hpp>
#include <quire/result.hpp>
#include <quire/types.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace quire {

namespace detail {
struct ContextState;
}

// A version as listed: metadata only.
struct Version {
  PostId post_id = 0;
  std::int64_t number = 0;  // 1, 2, … per post
  std::string kind;         // create, update, restore, manual
  UserId author_id = 0;     // who wrote it; 0 for the system context
  std::string summary;      // given for manual ones; "restored from version n" for restores
  Timestamp created_at = 0;
  std::int64_t size = 0;  // bytes of title and body
};

// A version with its full snapshot: the post's content as it was.
struct VersionSnapshot {
  Version version;
  std::string title;
  std::string body;
  std::string slug;
  PostStatus status = PostStatus::draft;
  std::optional<std::string> category;
  std::vector<std::string> tags;
  std::string excerpt;
  std::string seo = "{}";
  std::string fields = "{}";
};

// One line of a diff hunk.
struct DiffLine {
  enum class Kind : int { context = 0, added = 1, removed = 2 };
  Kind kind = Kind::context;
  std::string text;  // the line without its "\n" (a "\r" before it stays)
  // True only for the last line of a text that does not end in "\n".
  bool no_newline = false;
};

// One hunk of a unified diff, as `diff -u` prints it. Line numbers are 1-based; a range of zero
// lines starts on the line before it (0 at the top).
struct DiffHunk {
  std::size_t old_start = 0;
  std::size_t old_count = 0;
  std::size_t new_start = 0;
  std::size_t new_count = 0;
  std::vector<DiffLine> lines;  // context, then per change its removed lines before its added ones
};

// What changed from version `from` to version `to`.
struct VersionDiff {
  std::int64_t from = 0;
  std::int64_t to = 0;
  // A unified diff (GNU `diff -u` format, 3 lines of context) of the title, labelled
  // "v<from>/title" and "v<to>/title", then of the body, labelled "v<from>/body" and "v<to>/body";
  // a text that did not change has no part. The title is compared as one line. Lines are cut
  // after "\n" and compared as bytes, so a CRLF↔LF change or a trailing newline added or removed
  // shows ("\ No newline at end of file"). Empty when nothing in title or body changed.
  std::string text;
  // Among title, body, slug, status, category, tags, excerpt, seo, fields (in that order), those
  // that differ.
  std::vector<std::string> changed_fields;
  std::vector<DiffHunk> title_hunks;
  std::vector<DiffHunk> body_hunks;
  std::size_t added = 0;    // lines added, title and body together (all of them, even if cut)
  std::size_t removed = 0;  // lines removed, title and body together (all of them, even if cut)
  // The hunks (and `text`) show at most 20,000 lines and 1 MiB of line text, title and body
  // together; past that they stop, the last hunk shown covering only its lines shown, and this is
  // true.
  bool truncated = false;
};

// An editor's unsaved work on a post: one slot per (post, user), overwritten by each autosave. It
// is not a version and not content: nobody else sees it, and it changes the post only when
// promoted.
struct Autosave {
  PostId post_id = 0;
  UserId user_id = 0;
  std::string title;
  std::string body;
  std::int64_t base_version = 0;  // the post's version when it was saved
  Timestamp saved_at = 0;
};

// Reached through Context::versions(); acts in the context's tenant.
//
// Permissions: reading versions (list, get, diff) needs version.read and a post the actor can see
// (a draft of someone else is not_found to those who may not edit it, as in PostEngine::get);
// restore needs version.restore; snapshot and the autosave calls need post.update, or
// post.update.own on one's own post. A post in the trash is not_found to the reading calls and a
// conflict to the writing ones (restore it first), except autosave_get and discard, which still
// reach one's own autosave. A post of another tenant is not_found.
class QUIRE_EXPORT VersionEngine {
 public:
  explicit VersionEngine(std::shared_ptr<detail::ContextState> ctx) noexcept;

  // The versions the retention left, newest first, without their content.
  [[nodiscard]] Result<std::vector<Version>> list(PostId post) noexcept;
  // Errors: not_found (the post, or a version it does not have: never written, or pruned).
  [[nodiscard]] Result<VersionSnapshot> get(PostId post, std::int64_t number) noexcept;
  // Versions `from` and `to` compared (either order; equal numbers give an empty diff). The diff
  // is computed after the read transaction has ended. Errors: not_found (the post or a version).
  [[nodiscard]] Result<VersionDiff> diff(PostId post, std::int64_t from, std::int64_t to) noexcept;

  // A manual version of the post's current content, of kind "manual", with `summary` (empty, or
  // up to 500 bytes of text). Like every version it takes the next number, so Post::version (and
  // Post::updated_at) move on with it and an editor holding the old number gets a conflict on
  // update; the content does not change. Audited as version.snapshot. Errors: invalid_argument
  // (summary), not_found, conflict (in the trash), permission_denied.
  [[nodiscard]] Result<Version> snapshot(PostId post, std::string_view summary = {}) noexcept;

  // Brings back the content of version `number` as a new version of kind "restore" (summary
  // "restored from version <number>"): title, body, slug (the current one keeps resolving, as
  // after a rename), category, tags, excerpt, seo and fields become byte-equal to the snapshot's;
  // the status, the hierarchy and the dates of publication do not change. Nothing is rewritten:
  // the versions in between stay. Audited as version.restore. Errors: not_found (the post or the
  // version), conflict (in the trash), already_exists (the old slug is now another post's),
  // permission_denied.
  [[nodiscard]] Result<Post> restore(PostId post, std::int64_t number) noexcept;

  // Saves the acting user's unsaved title and body of the post, replacing their previous autosave
  // of it. The title may be blank while being typed (it must be valid UTF-8, at most 500 bytes);
  // the body follows the body rules of update. Not audited and not versioned: an autosave is the
  // editor's scratch copy (promote is audited). Errors: invalid_argument (a context without a
  // user, title, body), not_found, conflict (in the trash), permission_denied.
  [[nodiscard]] Result<Autosave> autosave(PostId post, std::string_view title,
                                          std::string_view body) noexcept;
  // The acting user's autosave of the post, if any.
  [[nodiscard]] Result<std::optional<Autosave>> autosave_get(PostId post) noexcept;
  // Drops the acting user's autosave of the post; doing so when there is none is no error.
  [[nodiscard]] Result<void> discard(PostId post) noexcept;
  // Makes the acting user's autosave the post's new title and body: PostEngine::update with
  // `expected_version` (a stale one is a conflict naming the current version, and then the
  // autosave stays), audited as post.update, then the autosave is dropped, in one transaction.
  // Errors: those of update; not_found also when there is no autosave.
  [[nodiscard]] Result<Post> promote(PostId post, std::int64_t expected_version) noexcept;

 private:
  std::shared_ptr<detail::ContextState> ctx_;
};

}  // namespace quire
