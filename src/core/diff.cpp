#include "core/diff.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace quire::detail {
namespace {

using Index = std::ptrdiff_t;
using Lines = std::vector<std::string_view>;

// Each line with its "\n", if any: the ending is part of the line's identity (see the header).
Lines split_lines(std::string_view text) {
  Lines lines;
  lines.reserve(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1);
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t newline = text.find('\n', pos);
    const std::size_t end = newline == std::string_view::npos ? text.size() : newline + 1;
    lines.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return lines;
}

// Which lines of one text are not common to both, with a false sentinel before the first and after
// the last line: GNU diff's layout, which the boundary shifting below relies on.
class ChangeFlags {
 public:
  explicit ChangeFlags(std::size_t lines) : flags_(lines + 2, 0) {}
  char& operator[](Index line) { return flags_[static_cast<std::size_t>(line + 1)]; }

 private:
  std::vector<char> flags_;
};

// Myers' O(ND) search in its linear-space form (divide and conquer on the middle snake), as in GNU
// diffutils' diffseq.h, over lines reduced to integer ids. Only lines that occur in both texts take
// part; `x_lines`/`y_lines` map them back to their line numbers for marking.
class Myers {
 public:
  Myers(std::vector<std::uint32_t> x, std::vector<Index> x_lines, std::vector<std::uint32_t> y,
        std::vector<Index> y_lines, ChangeFlags& x_changed, ChangeFlags& y_changed,
        std::int64_t budget)
      : x_(std::move(x)),
        y_(std::move(y)),
        x_lines_(std::move(x_lines)),
        y_lines_(std::move(y_lines)),
        x_changed_(x_changed),
        y_changed_(y_changed),
        // Diagonals run from -(|y| + 1) to |x| + 1.
        fdiag_(x_.size() + y_.size() + 3),
        bdiag_(x_.size() + y_.size() + 3),
        diag_offset_(std::ssize(y_) + 1),
        too_expensive_(cost_limit(x_.size() + y_.size(), budget)),
        budget_(budget) {}

  void run() { compare(0, std::ssize(x_), 0, std::ssize(y_)); }

 private:
  struct Split {
    Index x;
    Index y;
  };

  // How many edit steps one search may take before it settles for the furthest point it reached:
  // about what keeps one search within the budget. An exact diff costs some D²/2 <= (N + M)²/2
  // units, so inputs up to about 4,000 lines are always diffed exactly. The floor of 256 (GNU
  // diff's bound before 2016, xdiff's today) keeps quality on large inputs with many repeated
  // lines, where exact searches would cost seconds.
  static Index cost_limit(std::size_t lines, std::int64_t budget) {
    return std::max<Index>(256, budget / static_cast<std::int64_t>(lines + 1));
  }

  Index& fd(Index diagonal) { return fdiag_[static_cast<std::size_t>(diagonal + diag_offset_)]; }
  Index& bd(Index diagonal) { return bdiag_[static_cast<std::size_t>(diagonal + diag_offset_)]; }
  bool same(Index x, Index y) const {
    return x_[static_cast<std::size_t>(x)] == y_[static_cast<std::size_t>(y)];
  }

  void mark(Index xoff, Index xlim, Index yoff, Index ylim) {
    for (Index x = xoff; x < xlim; ++x) x_changed_[x_lines_[static_cast<std::size_t>(x)]] = 1;
    for (Index y = yoff; y < ylim; ++y) y_changed_[y_lines_[static_cast<std::size_t>(y)]] = 1;
  }

  // Marks the lines of x[xoff, xlim) and y[yoff, ylim) outside a shortest edit script between them.
  void compare(Index xoff, Index xlim, Index yoff, Index ylim) {
    for (;;) {
      while (xoff < xlim && yoff < ylim && same(xoff, yoff)) ++xoff, ++yoff;
      while (xoff < xlim && yoff < ylim && same(xlim - 1, ylim - 1)) --xlim, --ylim;
      if (xoff == xlim || yoff == ylim || budget_ <= 0) {
        mark(xoff, xlim, yoff, ylim);  // all of one side, or past the budget: replace wholesale
        return;
      }
      const Split split = middle_snake(xoff, xlim, yoff, ylim);
      if ((split.x == xoff && split.y == yoff) || (split.x == xlim && split.y == ylim)) {
        mark(xoff, xlim, yoff, ylim);  // no progress (cannot happen; guards against a loop)
        return;
      }
      // Recurse into the smaller half and loop on the larger, so that the stack stays
      // O(log(N + M)) deep even when the heuristic splits off thin slices.
      if ((split.x - xoff) + (split.y - yoff) <= (xlim - split.x) + (ylim - split.y)) {
        compare(xoff, split.x, yoff, split.y);
        xoff = split.x;
        yoff = split.y;
      } else {
        compare(split.x, xlim, split.y, ylim);
        xlim = split.x;
        ylim = split.y;
      }
    }
  }

  // The point where a shortest edit script crosses the middle of its length, found by searching
  // forward from the top-left and backward from the bottom-right until the two fronts meet. Past
  // too_expensive_ edit steps or the global budget, gives up and returns the furthest point
  // reached.
  Split middle_snake(Index xoff, Index xlim, Index yoff, Index ylim) {
    const Index dmin = xoff - ylim;
    const Index dmax = xlim - yoff;
    const Index fmid = xoff - yoff;
    const Index bmid = xlim - ylim;
    Index fmin = fmid;
    Index fmax = fmid;
    Index bmin = bmid;
    Index bmax = bmid;
    const bool odd = ((fmid - bmid) & 1) != 0;
    constexpr Index unreached_back = std::numeric_limits<Index>::max();

    fd(fmid) = xoff;
    bd(bmid) = xlim;
    for (Index cost = 1;; ++cost) {
      std::int64_t work = 0;
      if (fmin > dmin) {
        fd(--fmin - 1) = -1;
      } else {
        ++fmin;
      }
      if (fmax < dmax) {
        fd(++fmax + 1) = -1;
      } else {
        --fmax;
      }
      for (Index d = fmax; d >= fmin; d -= 2) {
        const Index tlo = fd(d - 1);
        const Index thi = fd(d + 1);
        const Index x0 = tlo < thi ? thi : tlo + 1;
        Index x = x0;
        Index y = x0 - d;
        while (x < xlim && y < ylim && same(x, y)) ++x, ++y;
        work += 1 + (x - x0);
        fd(d) = x;
        if (odd && bmin <= d && d <= bmax && bd(d) <= x) return {x, y};
      }

      if (bmin > dmin) {
        bd(--bmin - 1) = unreached_back;
      } else {
        ++bmin;
      }
      if (bmax < dmax) {
        bd(++bmax + 1) = unreached_back;
      } else {
        --bmax;
      }
      for (Index d = bmax; d >= bmin; d -= 2) {
        const Index tlo = bd(d - 1);
        const Index thi = bd(d + 1);
        const Index x0 = tlo < thi ? tlo : thi - 1;
        Index x = x0;
        Index y = x0 - d;
        while (xoff < x && yoff < y && same(x - 1, y - 1)) --x, --y;
        work += 1 + (x0 - x);
        bd(d) = x;
        if (!odd && fmin <= d && d <= fmax && x <= fd(d)) return {x, y};
      }

      budget_ -= work;
      if (cost >= too_expensive_ || budget_ <= 0) {
        return furthest_reached(xoff, xlim, yoff, ylim, fmin, fmax, bmin, bmax);
      }
    }
  }

  // GNU diff's fallback: of the forward front's point with the largest x + y and the backward
  // front's with the smallest, the one that got further from its corner.
  Split furthest_reached(Index xoff, Index xlim, Index yoff, Index ylim, Index fmin, Index fmax,
                         Index bmin, Index bmax) {
    Index fxybest = -1;
    Index fxbest = 0;
    for (Index d = fmax; d >= fmin; d -= 2) {
      Index x = std::min(fd(d), xlim);
      Index y = x - d;
      if (ylim < y) {
        x = ylim + d;
        y = ylim;
      }
      if (fxybest < x + y) {
        fxybest = x + y;
        fxbest = x;
      }
    }
    Index bxybest = std::numeric_limits<Index>::max();
    Index bxbest = 0;
    for (Index d = bmax; d >= bmin; d -= 2) {
      Index x = std::max(xoff, bd(d));
      Index y = x - d;
      if (y < yoff) {
        x = yoff + d;
        y = yoff;
      }
      if (x + y < bxybest) {
        bxybest = x + y;
        bxbest = x;
      }
    }
    if ((xlim + ylim) - bxybest < fxybest - (xoff + yoff)) return {fxbest, fxybest - fxbest};
    return {bxbest, bxybest - bxbest};
  }

  std::vector<std::uint32_t> x_;
  std::vector<std::uint32_t> y_;
  std::vector<Index> x_lines_;
  std::vector<Index> y_lines_;
  ChangeFlags& x_changed_;
  ChangeFlags& y_changed_;
  std::vector<Index> fdiag_;
  std::vector<Index> bdiag_;
  Index diag_offset_;
  Index too_expensive_;
  std::int64_t budget_;
};

// The lines of a[begin, a_end) and b[begin, b_end) as integer ids, equal exactly when the lines
// are byte-equal: they make the search's and the shifting's comparisons cheap.
struct LineIds {
  Index begin = 0;
  std::vector<std::uint32_t> a;  // a[k] is line begin + k of a
  std::vector<std::uint32_t> b;
  std::size_t distinct = 0;
};

LineIds intern_lines(const Lines& a, const Lines& b, Index begin, Index a_end, Index b_end) {
  LineIds ids{begin, {}, {}, 0};
  std::unordered_map<std::string_view, std::uint32_t> table;
  table.reserve(static_cast<std::size_t>((a_end - begin) + (b_end - begin)));
  const auto id_of = [&](std::string_view line) {
    return table.try_emplace(line, static_cast<std::uint32_t>(table.size())).first->second;
  };
  ids.a.reserve(static_cast<std::size_t>(a_end - begin));
  for (Index i = begin; i < a_end; ++i) ids.a.push_back(id_of(a[static_cast<std::size_t>(i)]));
  ids.b.reserve(static_cast<std::size_t>(b_end - begin));
  for (Index j = begin; j < b_end; ++j) ids.b.push_back(id_of(b[static_cast<std::size_t>(j)]));
  ids.distinct = table.size();
  return ids;
}

// Marks the lines of the window outside a shortest edit script between its two sides.
void find_changes(const LineIds& ids, ChangeFlags& a_changed, ChangeFlags& b_changed) {
  std::vector<std::uint8_t> in_a(ids.distinct, 0);
  std::vector<std::uint8_t> in_b(ids.distinct, 0);
  for (const std::uint32_t id : ids.a) in_a[id] = 1;
  for (const std::uint32_t id : ids.b) in_b[id] = 1;

  // A line absent from the other side cannot be common: mark it now and keep it out of the search.
  // This keeps the result minimal and makes unrelated texts cost O(N + M).
  const auto keep_common = [&](const std::vector<std::uint32_t>& side,
                               const std::vector<std::uint8_t>& in_other, ChangeFlags& changed,
                               std::vector<std::uint32_t>& kept, std::vector<Index>& kept_lines) {
    for (std::size_t k = 0; k < side.size(); ++k) {
      const Index line = ids.begin + static_cast<Index>(k);
      if (in_other[side[k]] != 0) {
        kept.push_back(side[k]);
        kept_lines.push_back(line);
      } else {
        changed[line] = 1;
      }
    }
  };
  std::vector<std::uint32_t> x;
  std::vector<Index> x_lines;
  keep_common(ids.a, in_b, a_changed, x, x_lines);
  std::vector<std::uint32_t> y;
  std::vector<Index> y_lines;
  keep_common(ids.b, in_a, b_changed, y, y_lines);

  // Work units are diagonals visited plus lines compared along snakes, some 5-10 ns each at -O2:
  // 2^24 of them bound the search to roughly 0.1-0.2 s, more for very large texts.
  const std::int64_t budget = (std::int64_t{1} << 24) + 64 * (std::ssize(x) + std::ssize(y));
  Myers(std::move(x), std::move(x_lines), std::move(y), std::move(y_lines), a_changed, b_changed,
        budget)
      .run();
}

// GNU diff's shift_boundaries: slides each run of changed lines over equal lines so that runs
// merge where they can, then as far down as possible, then back to line up with a run of changes
// in the other text. This picks, among equally short scripts, the one a reader expects (and the
// one `diff -u` prints).
//
// Runs only move within the window that was searched (`ids`, from line `begin`): GNU diff drops
// the common prefix and suffix but for `context` lines before it shifts, and keeping to the same
// window gives the same output. Lines outside are unchanged, so they serve as sentinels.
void shift_boundaries(const std::vector<std::uint32_t>& ids, Index begin, ChangeFlags& changed,
                      ChangeFlags& other_changed) {
  const Index end = begin + std::ssize(ids);
  const auto line = [&](Index i) { return ids[static_cast<std::size_t>(i - begin)]; };
  Index i = begin;
  Index j = begin;
  for (;;) {
    // Find the next run of changes, keeping j at the corresponding point of the other text.
    while (i < end && changed[i] == 0) {
      while (other_changed[j] != 0) ++j;
      ++j;
      ++i;
    }
    if (i == end) break;
    Index start = i;
    ++i;
    while (changed[i] != 0) ++i;
    while (other_changed[j] != 0) ++j;

    Index run_length = 0;
    Index corresponding = 0;
    do {
      run_length = i - start;
      // Move the run up while the line above equals its last line, merging with runs above.
      while (start != begin && line(start - 1) == line(i - 1)) {
        changed[--start] = 1;
        changed[--i] = 0;
        while (changed[start - 1] != 0) --start;
        --j;
        while (other_changed[j] != 0) --j;
      }
      // The end of the run at the last point where it lines up with changes in the other text.
      corresponding = other_changed[j - 1] != 0 ? i : end;
      // Then down while its first line equals the line below, merging with runs below.
      while (i != end && line(start) == line(i)) {
        changed[start++] = 0;
        changed[i++] = 1;
        while (changed[i] != 0) ++i;
        ++j;
        while (other_changed[j] != 0) {
          corresponding = i;
          ++j;
        }
      }
    } while (run_length != i - start);

    // Back up to line up with a run of changes in the other text, if one was passed.
    while (corresponding < i) {
      changed[--start] = 1;
      changed[--i] = 0;
      --j;
      while (other_changed[j] != 0) --j;
    }
  }
}

struct Change {
  Index a_begin;
  Index a_end;
  Index b_begin;
  Index b_end;
};

std::vector<Change> collect_changes(Index n, ChangeFlags& a_changed, Index m,
                                    ChangeFlags& b_changed) {
  std::vector<Change> changes;
  Index i = 0;
  Index j = 0;
  while (i < n || j < m) {
    if ((i < n && a_changed[i] != 0) || (j < m && b_changed[j] != 0)) {
      Change change{i, i, j, j};
      while (i < n && a_changed[i] != 0) ++i;
      while (j < m && b_changed[j] != 0) ++j;
      change.a_end = i;
      change.b_end = j;
      changes.push_back(change);
    } else {
      ++i;  // unchanged lines of a and b pair up in order
      ++j;
    }
  }
  return changes;
}

DiffLine make_line(DiffLine::Kind kind, std::string_view line) {
  const bool has_newline = !line.empty() && line.back() == '\n';
  if (has_newline) line.remove_suffix(1);
  return DiffLine{kind, std::string(line), !has_newline};
}

void append_range(std::string& out, std::size_t start, std::size_t count) {
  out += std::to_string(start);
  if (count != 1) {
    out += ',';
    out += std::to_string(count);
  }
}

}  // namespace

TextDiff diff_lines(std::string_view a, std::string_view b, std::size_t context) {
  const Lines a_lines = split_lines(a);
  const Lines b_lines = split_lines(b);
  const Index n = std::ssize(a_lines);
  const Index m = std::ssize(b_lines);
  const auto a_line = [&](Index i) { return a_lines[static_cast<std::size_t>(i)]; };
  const auto b_line = [&](Index j) { return b_lines[static_cast<std::size_t>(j)]; };

  // The common prefix and suffix never need the search; with a few edits they are most of a text.
  Index prefix = 0;
  while (prefix < n && prefix < m && a_line(prefix) == b_line(prefix)) ++prefix;
  Index suffix = 0;
  while (suffix < n - prefix && suffix < m - prefix &&
         a_line(n - 1 - suffix) == b_line(m - 1 - suffix)) {
    ++suffix;
  }

  // The window that is searched and shifted in: the lines between the common prefix and suffix,
  // widened by `context` lines each way as GNU diff does (its "horizon"). Widening does not change
  // the length of the script, but it decides which of several equally short ones is found, so
  // doing the same gives the same hunks as `diff -u`.
  const Index horizon = static_cast<Index>(std::min<std::size_t>(context, a_lines.size()));
  const Index begin = std::max<Index>(0, prefix - horizon);
  const Index after = std::max<Index>(0, suffix - horizon);
  ChangeFlags a_changed(a_lines.size());
  ChangeFlags b_changed(b_lines.size());
  if (prefix + suffix < n || prefix + suffix < m) {
    const LineIds ids = intern_lines(a_lines, b_lines, begin, n - after, m - after);
    find_changes(ids, a_changed, b_changed);
    shift_boundaries(ids.a, begin, a_changed, b_changed);
    shift_boundaries(ids.b, begin, b_changed, a_changed);
  }
  const std::vector<Change> changes = collect_changes(n, a_changed, m, b_changed);

  TextDiff diff;
  // No hunk can use more context than there are lines; this also keeps 2 * ctx from overflowing.
  const Index ctx = static_cast<Index>(std::min<std::size_t>(context, a_lines.size() + 1));
  for (std::size_t first = 0; first < changes.size();) {
    // Changes at most 2 * ctx lines apart share a hunk, as their context would touch.
    std::size_t last = first;
    while (last + 1 < changes.size() &&
           changes[last + 1].a_begin - changes[last].a_end <= 2 * ctx) {
      ++last;
    }
    const Change& head = changes[first];
    const Change& tail = changes[last];
    const Index a_begin = std::max<Index>(0, head.a_begin - ctx);
    const Index b_begin = head.b_begin - (head.a_begin - a_begin);
    const Index a_end = std::min(n, tail.a_end + ctx);
    const Index b_end = tail.b_end + (a_end - tail.a_end);

    Hunk hunk;
    hunk.old_count = static_cast<std::size_t>(a_end - a_begin);
    hunk.new_count = static_cast<std::size_t>(b_end - b_begin);
    // 1-based, or the line before for an empty range.
    hunk.old_start = static_cast<std::size_t>(a_begin) + (hunk.old_count != 0 ? 1 : 0);
    hunk.new_start = static_cast<std::size_t>(b_begin) + (hunk.new_count != 0 ? 1 : 0);
    Index i = a_begin;
    for (std::size_t k = first; k <= last; ++k) {
      const Change& change = changes[k];
      for (; i < change.a_begin; ++i) {
        hunk.lines.push_back(make_line(DiffLine::Kind::context, a_line(i)));
      }
      for (; i < change.a_end; ++i) {
        hunk.lines.push_back(make_line(DiffLine::Kind::removed, a_line(i)));
      }
      for (Index j = change.b_begin; j < change.b_end; ++j) {
        hunk.lines.push_back(make_line(DiffLine::Kind::added, b_line(j)));
      }
      diff.removed += static_cast<std::size_t>(change.a_end - change.a_begin);
      diff.added += static_cast<std::size_t>(change.b_end - change.b_begin);
    }
    for (; i < a_end; ++i) hunk.lines.push_back(make_line(DiffLine::Kind::context, a_line(i)));
    diff.hunks.push_back(std::move(hunk));
    first = last + 1;
  }
  return diff;
}

bool truncate_diff(TextDiff& diff, DiffBudget& left) {
  for (std::size_t h = 0; h < diff.hunks.size(); ++h) {
    auto& hunk = diff.hunks[h];
    std::size_t kept = 0;
    while (kept < hunk.lines.size() && left.lines > 0 &&
           hunk.lines[kept].text.size() <= left.bytes) {
      --left.lines;
      left.bytes -= hunk.lines[kept].text.size();
      ++kept;
    }
    if (kept == hunk.lines.size()) continue;
    // Cut inside this hunk: it keeps its first `kept` lines (if any), and no hunk after it stays.
    hunk.lines.resize(kept);
    hunk.old_count = hunk.new_count = 0;
    for (const auto& line : hunk.lines) {
      if (line.kind != DiffLine::Kind::added) ++hunk.old_count;
      if (line.kind != DiffLine::Kind::removed) ++hunk.new_count;
    }
    diff.hunks.resize(kept == 0 ? h : h + 1);
    left = {0, 0};
    return true;
  }
  return false;
}

std::string unified_diff(const TextDiff& diff, std::string_view a_label, std::string_view b_label) {
  if (diff.empty()) return {};
  std::string out;
  out.append("--- ").append(a_label).append("\n+++ ").append(b_label).append("\n");
  for (const Hunk& hunk : diff.hunks) {
    out += "@@ -";
    append_range(out, hunk.old_start, hunk.old_count);
    out += " +";
    append_range(out, hunk.new_start, hunk.new_count);
    out += " @@\n";
    for (const DiffLine& line : hunk.lines) {
      switch (line.kind) {
        case DiffLine::Kind::context:
          out += ' ';
          break;
        case DiffLine::Kind::added:
          out += '+';
          break;
        case DiffLine::Kind::removed:
          out += '-';
          break;
      }
      out += line.text;
      out += '\n';
      if (line.no_newline) out += "\\ No newline at end of file\n";
    }
  }
  return out;
}

std::string unified_diff(std::string_view a, std::string_view b, std::string_view a_label,
                         std::string_view b_label, std::size_t context) {
  return unified_diff(diff_lines(a, b, context), a_label, b_label);
}

}  // namespace quire::detail
