// Tests of src/core/diff.cpp. The expected texts are what GNU diffutils' `diff -u` prints for the
// same inputs (with --label old --label new).

#include "core/diff.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using quire::detail::diff_lines;
using quire::detail::DiffLine;
using quire::detail::Hunk;
using quire::detail::TextDiff;
using quire::detail::unified_diff;

namespace {

std::string udiff(std::string_view a, std::string_view b, std::size_t context = 3) {
  return unified_diff(a, b, "old", "new", context);
}

// Each line with its "\n", if any.
std::vector<std::string> split_keeping_endings(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t newline = text.find('\n', pos);
    const std::size_t end = newline == std::string_view::npos ? text.size() : newline + 1;
    lines.emplace_back(text.substr(pos, end - pos));
    pos = end;
  }
  return lines;
}

// Applies the hunks of `diff` to `a` as `patch` would, checking each hunk's line numbers and
// counts, and that its context and removed lines are those of `a`.
std::string apply(std::string_view a, const TextDiff& diff) {
  const std::vector<std::string> lines = split_keeping_endings(a);
  std::string out;
  std::size_t next = 0;       // next line of a to copy
  std::size_t out_lines = 0;  // lines written so far
  for (const Hunk& hunk : diff.hunks) {
    const std::size_t first = hunk.old_count == 0 ? hunk.old_start : hunk.old_start - 1;
    REQUIRE(first >= next);
    REQUIRE(first <= lines.size());
    while (next < first) {
      out += lines[next++];
      ++out_lines;
    }
    CHECK(hunk.new_start == (hunk.new_count == 0 ? out_lines : out_lines + 1));
    std::size_t old_seen = 0;
    std::size_t new_seen = 0;
    for (const DiffLine& line : hunk.lines) {
      const std::string full = line.text + (line.no_newline ? "" : "\n");
      if (line.kind != DiffLine::Kind::added) {
        REQUIRE(next < lines.size());
        REQUIRE(lines[next] == full);
        ++next;
        ++old_seen;
      }
      if (line.kind != DiffLine::Kind::removed) {
        out += full;
        ++out_lines;
        ++new_seen;
      }
    }
    CHECK(old_seen == hunk.old_count);
    CHECK(new_seen == hunk.new_count);
  }
  while (next < lines.size()) out += lines[next++];
  return out;
}

// Length of a longest common subsequence of lines, by dynamic programming: the reference for
// minimality on small texts.
std::size_t lcs_length(std::string_view a, std::string_view b) {
  const auto x = split_keeping_endings(a);
  const auto y = split_keeping_endings(b);
  std::vector<std::size_t> row(y.size() + 1, 0);
  for (const std::string& line : x) {
    std::size_t diagonal = 0;
    for (std::size_t j = 0; j < y.size(); ++j) {
      const std::size_t above = row[j + 1];
      row[j + 1] = line == y[j] ? diagonal + 1 : std::max(row[j], row[j + 1]);
      diagonal = above;
    }
  }
  return row[y.size()];
}

std::size_t line_count(std::string_view text) {
  return split_keeping_endings(text).size();
}

// ~56 bytes of prose numbered i, so that every line is distinct.
std::string body_line(std::size_t i, std::string_view tag = "Paragraph") {
  static constexpr std::string_view words[] = {"lorem", "ipsum", "dolor",  "sit",   "amet",
                                               "elit",  "sed",   "tempor", "magna", "aliqua"};
  std::string line(tag);
  line += ' ';
  line += std::to_string(i);
  line += ':';
  for (std::size_t k = 0; k < 6; ++k) {
    line += ' ';
    line += words[(i * 7 + k * 3) % 10];
  }
  line += '\n';
  return line;
}

std::string join(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line;
  return text;
}

double elapsed_seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

TEST_CASE("diff of equal or empty texts is empty") {
  CHECK(diff_lines("", "").empty());
  CHECK(udiff("", "").empty());
  CHECK(udiff("same\ntext\n", "same\ntext\n").empty());
  CHECK(udiff("no newline", "no newline").empty());
  const TextDiff diff = diff_lines("a\nb\n", "a\nb\n");
  CHECK(diff.hunks.empty());
  CHECK(diff.added == 0);
  CHECK(diff.removed == 0);
}

TEST_CASE("diff of an insertion, a deletion and a replacement") {
  CHECK(udiff("one\ntwo\nthree\n", "one\ntwo\nnew\nthree\n") ==
        "--- old\n+++ new\n@@ -1,3 +1,4 @@\n one\n two\n+new\n three\n");
  CHECK(udiff("one\ntwo\nnew\nthree\n", "one\ntwo\nthree\n") ==
        "--- old\n+++ new\n@@ -1,4 +1,3 @@\n one\n two\n-new\n three\n");
  CHECK(udiff("alpha\nbeta\ngamma\ndelta\nepsilon\n", "alpha\nbeta\nGAMMA\nDELTA\nepsilon\n") ==
        "--- old\n+++ new\n@@ -1,5 +1,5 @@\n alpha\n beta\n-gamma\n-delta\n+GAMMA\n+DELTA\n"
        " epsilon\n");
}

TEST_CASE("diff of a moved block") {
  CHECK(udiff("1\n2\n3\n4\n5\n6\n7\n8\n", "1\n4\n5\n6\n7\n8\n2\n3\n") ==
        "--- old\n+++ new\n@@ -1,8 +1,8 @@\n 1\n-2\n-3\n 4\n 5\n 6\n 7\n 8\n+2\n+3\n");
}

TEST_CASE("diff between empty text and text, both ways") {
  CHECK(udiff("", "x\n") == "--- old\n+++ new\n@@ -0,0 +1 @@\n+x\n");
  CHECK(udiff("", "x\ny\n") == "--- old\n+++ new\n@@ -0,0 +1,2 @@\n+x\n+y\n");
  CHECK(udiff("x\ny\n", "") == "--- old\n+++ new\n@@ -1,2 +0,0 @@\n-x\n-y\n");
  CHECK(udiff("", "x") == "--- old\n+++ new\n@@ -0,0 +1 @@\n+x\n\\ No newline at end of file\n");
  CHECK(udiff("x", "") == "--- old\n+++ new\n@@ -1 +0,0 @@\n-x\n\\ No newline at end of file\n");

  const TextDiff diff = diff_lines("", "x\ny\n");
  REQUIRE(diff.hunks.size() == 1);
  const Hunk& hunk = diff.hunks[0];
  CHECK(hunk.old_start == 0);
  CHECK(hunk.old_count == 0);
  CHECK(hunk.new_start == 1);
  CHECK(hunk.new_count == 2);
  REQUIRE(hunk.lines.size() == 2);
  CHECK(hunk.lines[0].kind == DiffLine::Kind::added);
  CHECK(hunk.lines[0].text == "x");
  CHECK_FALSE(hunk.lines[0].no_newline);
  CHECK(diff.added == 2);
  CHECK(diff.removed == 0);
}

TEST_CASE("diff treats a CRLF to LF change as a change of that line and keeps the CR") {
  CHECK(udiff("a\r\nb\r\nc\r\n", "a\r\nb\nc\r\n") ==
        "--- old\n+++ new\n@@ -1,3 +1,3 @@\n a\r\n-b\r\n+b\n c\r\n");
  const TextDiff diff = diff_lines("a\r\nb\r\nc\r\n", "a\r\nb\nc\r\n");
  REQUIRE(diff.hunks.size() == 1);
  REQUIRE(diff.hunks[0].lines.size() == 4);
  CHECK(diff.hunks[0].lines[1].text == "b\r");
  CHECK(diff.hunks[0].lines[2].text == "b");
  CHECK(diff.added == 1);
  CHECK(diff.removed == 1);
}

TEST_CASE("diff shows a trailing newline added or removed as GNU diff does") {
  CHECK(udiff("a\nb", "a\nb\n") ==
        "--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n");
  CHECK(udiff("a\nb\n", "a\nb") ==
        "--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n");
  // An unchanged last line without a newline is context, and is marked too.
  CHECK(udiff("a\nb\nc", "x\nb\nc") ==
        "--- old\n+++ new\n@@ -1,3 +1,3 @@\n-a\n+x\n b\n c\n\\ No newline at end of file\n");

  const TextDiff diff = diff_lines("a\nb", "a\nb\n");
  REQUIRE(diff.hunks.size() == 1);
  REQUIRE(diff.hunks[0].lines.size() == 3);
  CHECK(diff.hunks[0].lines[1].kind == DiffLine::Kind::removed);
  CHECK(diff.hunks[0].lines[1].no_newline);
  CHECK(diff.hunks[0].lines[2].kind == DiffLine::Kind::added);
  CHECK_FALSE(diff.hunks[0].lines[2].no_newline);
}

TEST_CASE("diff compares non-ASCII lines as bytes, whole") {
  CHECK(udiff("café\nnaïve\n日本語\n", "café\nnaive\n日本語\n😀\n") ==
        "--- old\n+++ new\n@@ -1,3 +1,4 @@\n café\n-naïve\n+naive\n 日本語\n+😀\n");
  // Invalid UTF-8 is no reason to refuse: bytes in, bytes out.
  CHECK(udiff("\xff\xfe\n", "\xff\n") == "--- old\n+++ new\n@@ -1 +1 @@\n-\xff\xfe\n+\xff\n");
}

TEST_CASE("diff makes separate hunks for changes far apart and merges near ones") {
  std::vector<std::string> base;
  for (int i = 1; i <= 20; ++i) base.push_back(std::to_string(i) + "\n");
  const auto with_changes = [&](std::initializer_list<int> at) {
    std::vector<std::string> lines = base;
    for (const int i : at) {
      const auto index = static_cast<std::size_t>(i - 1);
      lines[index] = "X" + lines[index];
    }
    return join(lines);
  };
  const std::string a = join(base);

  CHECK(udiff(a, with_changes({2, 18})) ==
        "--- old\n+++ new\n@@ -1,5 +1,5 @@\n 1\n-2\n+X2\n 3\n 4\n 5\n"
        "@@ -15,6 +15,6 @@\n 15\n 16\n 17\n-18\n+X18\n 19\n 20\n");
  // Six unchanged lines between: the two contexts touch, so one hunk.
  CHECK(udiff(a, with_changes({5, 12})) ==
        "--- old\n+++ new\n@@ -2,14 +2,14 @@\n 2\n 3\n 4\n-5\n+X5\n 6\n 7\n 8\n 9\n 10\n 11\n"
        "-12\n+X12\n 13\n 14\n 15\n");
  // Seven: two hunks.
  CHECK(udiff(a, with_changes({5, 13})) ==
        "--- old\n+++ new\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+X5\n 6\n 7\n 8\n"
        "@@ -10,7 +10,7 @@\n 10\n 11\n 12\n-13\n+X13\n 14\n 15\n 16\n");
  const TextDiff far = diff_lines(a, with_changes({2, 18}));
  CHECK(far.hunks.size() == 2);
  CHECK(far.added == 2);
  CHECK(far.removed == 2);
}

TEST_CASE("diff with less context") {
  CHECK(udiff("a\nb\nc\nd\ne\n", "new\na\nc\nD\ne\nend\n", 0) ==
        "--- old\n+++ new\n@@ -0,0 +1 @@\n+new\n@@ -2 +2,0 @@\n-b\n@@ -4 +4 @@\n-d\n+D\n"
        "@@ -5,0 +6 @@\n+end\n");
  CHECK(udiff("a\nb\nc\nd\ne\nf\n", "a\nB\nc\nd\ne\nF\n", 1) ==
        "--- old\n+++ new\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n@@ -5,2 +5,2 @@\n e\n-f\n+F\n");
  // A context larger than the texts is the whole text.
  CHECK(udiff("a\nb\nc\n", "a\nB\nc\n", static_cast<std::size_t>(-1)) ==
        "--- old\n+++ new\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
}

TEST_CASE("diff hunks applied to the old text give the new one, and the script is minimal") {
  // Small texts from few distinct lines, so that lines repeat and many scripts are equally short;
  // with CR, non-ASCII and missing final newlines mixed in.
  static constexpr std::string_view pool[] = {"a", "b", "c", "", "café", "x\r", "\xff", "d e"};
  std::mt19937 rng(20260101);
  const auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  const auto random_lines = [&]() {
    std::vector<std::string> lines(pick(12));
    const std::size_t distinct = 2 + pick(7);
    for (auto& line : lines) line = std::string(pool[pick(distinct)]) + "\n";
    return lines;
  };
  const auto to_text = [&](std::vector<std::string> lines) {
    if (!lines.empty() && pick(4) == 0) lines.back().pop_back();  // no final newline
    return join(lines);
  };

  for (int round = 0; round < 500; ++round) {
    std::vector<std::string> a_lines = random_lines();
    std::vector<std::string> b_lines;
    if (pick(3) == 0) {
      b_lines = random_lines();
    } else {
      b_lines = a_lines;
      for (std::size_t edits = pick(5); edits > 0; --edits) {
        const std::size_t at = pick(b_lines.size() + 1);
        const std::string line = std::string(pool[pick(8)]) + "\n";
        switch (pick(3)) {
          case 0:
            b_lines.insert(b_lines.begin() + static_cast<std::ptrdiff_t>(at), line);
            break;
          case 1:
            if (at < b_lines.size())
              b_lines.erase(b_lines.begin() + static_cast<std::ptrdiff_t>(at));
            break;
          default:
            if (at < b_lines.size()) b_lines[at] = line;
            break;
        }
      }
    }
    const std::string a = to_text(a_lines);
    const std::string b = to_text(b_lines);
    const std::size_t context = pick(5);
    CAPTURE(a);
    CAPTURE(b);
    CAPTURE(context);

    const TextDiff diff = diff_lines(a, b, context);
    CHECK(apply(a, diff) == b);
    CHECK(diff.empty() == (a == b));
    const std::size_t common = lcs_length(a, b);
    CHECK(diff.removed == line_count(a) - common);
    CHECK(diff.added == line_count(b) - common);
  }
}

TEST_CASE("diff of 1 MB bodies with a few scattered edits is fast and exact") {
  std::vector<std::string> a_lines;
  for (std::size_t i = 0; i < 20000; ++i) a_lines.push_back(body_line(i));
  std::vector<std::string> b_lines = a_lines;
  for (std::size_t i = 1000; i < 20000; i += 2000) b_lines[i] = body_line(i, "Edited");
  b_lines.insert(b_lines.begin() + 10, "A new line near the top\n");
  b_lines.erase(b_lines.end() - 10);
  const std::string a = join(a_lines);
  const std::string b = join(b_lines);
  REQUIRE(a.size() > 1000000);

  const auto start = std::chrono::steady_clock::now();
  const TextDiff diff = diff_lines(a, b);
  const double seconds = elapsed_seconds(start);
  CHECK(seconds <
        20.0);  // some milliseconds at -O2; generous for Debug + sanitizers on a busy machine
  CHECK(diff.added == 11);
  CHECK(diff.removed == 11);
  CHECK(diff.hunks.size() == 12);
  CHECK(apply(a, diff) == b);
}

TEST_CASE("diff of two completely different 1 MB bodies is one replacement, quickly") {
  std::string a;
  std::string b;
  for (std::size_t i = 0; i < 20000; ++i) {
    a += body_line(i);
    b += body_line(i, "Rewritten");
  }
  const auto start = std::chrono::steady_clock::now();
  const TextDiff diff = diff_lines(a, b);
  CHECK(elapsed_seconds(start) < 20.0);
  CHECK(diff.removed == 20000);
  CHECK(diff.added == 20000);
  REQUIRE(diff.hunks.size() == 1);
  CHECK(diff.hunks[0].old_count == 20000);
  CHECK(diff.hunks[0].new_count == 20000);
}

TEST_CASE("diff of 1 MB bodies of shuffled repeated lines stays within its time budget") {
  // The worst case for Myers: few distinct lines in random order, so the shortest script is long
  // and every line matches thousands of others. The search gives up past its cost bound and the
  // result is still a correct (if not minimal) diff.
  static constexpr std::string_view pool[] = {
      "The quick brown fox jumps over the lazy dog, again.\n",
      "Pack my box with five dozen liquor jugs, said he.\n",
      "How vexingly quick daft zebras jump over the fence.\n",
      "\n",
  };
  std::mt19937 rng(7);
  std::string a;
  std::string b;
  while (a.size() < 1000000) a += pool[rng() % 4];
  while (b.size() < 1000000) b += pool[rng() % 4];

  const auto start = std::chrono::steady_clock::now();
  const TextDiff diff = diff_lines(a, b);
  CHECK(elapsed_seconds(start) < 20.0);
  CHECK(apply(a, diff) == b);
  CHECK(diff.added + line_count(a) == diff.removed + line_count(b));
  CHECK(diff.added + diff.removed < line_count(a) + line_count(b));  // far from replace-all
}

TEST_CASE("truncate_diff keeps whole hunks, then the first lines of the next, within the budget") {
  using quire::detail::DiffBudget;
  using quire::detail::truncate_diff;
  std::string a;
  std::string b;
  for (int i = 0; i < 100; ++i) {  // a change every 10 lines: 10 hunks of 7 lines (3+1+3, +1)
    const auto n = std::to_string(i);
    a += (i % 10 == 5 ? "old" : "line") + n + "\n";
    b += (i % 10 == 5 ? "new" : "line") + n + "\n";
  }
  TextDiff whole = diff_lines(a, b);
  REQUIRE(whole.hunks.size() == 10);
  DiffBudget roomy;
  TextDiff same = whole;
  CHECK_FALSE(truncate_diff(same, roomy));
  CHECK(same.hunks.size() == 10);

  DiffBudget left{20, 1 << 20};
  TextDiff cut = whole;
  CHECK(truncate_diff(cut, left));
  std::size_t lines = 0;
  for (const auto& hunk : cut.hunks) lines += hunk.lines.size();
  CHECK(lines == 20);
  CHECK(cut.added == whole.added);  // the counts still cover the whole diff
  CHECK(cut.removed == whole.removed);
  const auto& last = cut.hunks.back();
  std::size_t old_lines = 0;
  std::size_t new_lines = 0;
  for (const auto& line : last.lines) {
    old_lines += line.kind != DiffLine::Kind::added;
    new_lines += line.kind != DiffLine::Kind::removed;
  }
  CHECK(last.old_count == old_lines);
  CHECK(last.new_count == new_lines);
  CHECK(left.lines == 0);
  CHECK(unified_diff(cut, "old", "new").size() < unified_diff(whole, "old", "new").size());
}
