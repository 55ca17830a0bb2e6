#pragma once
// Line-based text diff for the Version engine: Myers' O(ND) algorithm (linear-space refinement),
// hunks with context, and unified text in the format of GNU `diff -u`. Pure: no storage, no I/O.
//
// Lines. A text is cut after each "\n"; a last line without one is a line too, and "" has no
// lines. A line's identity is all of its bytes including its ending, so:
//  - "a\r\n" against "a\n" is a changed line: a CRLF↔LF conversion is a real change of the stored
//    bytes and must show, as it does in GNU diff;
//  - "a\nb" against "a\nb\n" is a change of the last line, rendered with GNU's
//    "\ No newline at end of file" marker.
// DiffLine::text drops only the "\n" and keeps a "\r", so that applying the hunks reproduces the
// new text byte for byte. Bytes are never interpreted: non-ASCII and even invalid UTF-8 compare as
// bytes, and a line is never split anywhere but after "\n".
//
// Minimality and cost. The edit script is minimal (fewest added + removed lines) unless the search
// runs past its bounds: one middle-snake search stops after max(256, ~sqrt(N + M)) edit steps and
// splits at the furthest point it reached (GNU diff's heuristic), and the whole search stops after
// 2^24 + 64·(N + M) steps (about 0.1 s at -O2), after which each region not yet resolved is
// reported as removed and re-added wholesale. N and M are line counts. So time is O(N + M) plus
// that budget, memory O(N + M), whatever the inputs. Lines found in only one text never enter the
// search (they cannot be common), so two unrelated texts cost O(N + M). Among equally short
// scripts, the one GNU `diff -u` would print is chosen (its boundary shifting is reproduced), so
// the output matches GNU diff's in all but rare cases where GNU's own speed heuristics differ.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace quire::detail {

struct DiffLine {
  enum class Kind { context, added, removed };
  Kind kind;
  std::string text;  // the line without its "\n" (a "\r" before it stays)
  // True only for the last line of a text that does not end in "\n".
  bool no_newline = false;
};

// One hunk of a unified diff. Line numbers are 1-based; a range of zero lines has its start on the
// line before it (0 at the top), as in `diff -u` and as `patch` expects.
struct Hunk {
  std::size_t old_start = 0;
  std::size_t old_count = 0;
  std::size_t new_start = 0;
  std::size_t new_count = 0;
  std::vector<DiffLine> lines;  // context, then per change its removed lines before its added ones
};

struct TextDiff {
  std::vector<Hunk> hunks;
  std::size_t added = 0;    // lines, over all hunks
  std::size_t removed = 0;  // lines, over all hunks
  bool empty() const noexcept { return hunks.empty(); }
};

// Diff of a and b by lines, with `context` unchanged lines around each change (3 like `diff -u`);
// changes whose context would touch or overlap share a hunk.
TextDiff diff_lines(std::string_view a, std::string_view b, std::size_t context = 3);

// How much of a diff is shown: the lines of its hunks, and the bytes of their text.
struct DiffBudget {
  std::size_t lines = 20000;
  std::size_t bytes = std::size_t{1} << 20;
};

// Cuts `diff` down to what `left` allows and takes what it keeps from `left` (so one budget can
// cover several diffs): whole hunks while they fit, then the first lines of the next one (whose
// counts then cover only the lines kept, so the cut diff still applies as far as it goes), then
// nothing. added and removed still count the whole diff. Returns whether anything was cut.
bool truncate_diff(TextDiff& diff, DiffBudget& left);

// The unified-diff text of `diff`: "--- a_label\n+++ b_label\n", then per hunk
// "@@ -l,s +l,s @@\n" (",s" left out when s is 1; "l,0" for no lines) and its lines prefixed with
// ' ', '-' or '+', each followed by "\ No newline at end of file" where GNU diff prints it. An
// empty string when the diff is empty.
std::string unified_diff(const TextDiff& diff, std::string_view a_label, std::string_view b_label);

// Shorthand for unified_diff(diff_lines(a, b, context), a_label, b_label).
std::string unified_diff(std::string_view a, std::string_view b, std::string_view a_label,
                         std::string_view b_label, std::size_t context = 3);

}  // namespace quire::detail
