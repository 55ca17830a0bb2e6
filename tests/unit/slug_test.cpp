#include "core/slug.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

using quire::detail::is_valid_slug;
using quire::detail::slug_with_suffix;
using quire::detail::slugify;

TEST_CASE("slugify basics") {
  CHECK(slugify("Hello, World!") == "hello-world");
  CHECK(slugify("hello") == "hello");
  CHECK(slugify("HELLO World 2026") == "hello-world-2026");
  CHECK(slugify("  --Hello---   World__!!  ") == "hello-world");
  CHECK(slugify("a/b\\c.d_e+f") == "a-b-c-d-e-f");
  CHECK(slugify("tabs\tand\nnewlines") == "tabs-and-newlines");
  CHECK(slugify("C++20 & you") == "c-20-you");
  CHECK(slugify("") == "");
  CHECK(slugify("???") == "");
  CHECK(slugify(" - ") == "");
}

TEST_CASE("slugify folds Latin accents") {
  CHECK(slugify("Café") == "cafe");
  CHECK(slugify("Straße") == "strasse");
  CHECK(slugify("Ærø Æble") == "aero-aeble");
  CHECK(slugify("Œuvre cœur") == "oeuvre-coeur");
  CHECK(slugify("Þing ðe") == "thing-de");
  CHECK(slugify("Łódź") == "lodz");
  CHECK(slugify("Ångström") == "angstrom");
  CHECK(slugify("Mañana") == "manana");
  CHECK(slugify("Ça va, garçon") == "ca-va-garcon");
  CHECK(slugify("Crème brûlée à la carte") == "creme-brulee-a-la-carte");
  CHECK(slugify("Dvořák Škoda Čapek") == "dvorak-skoda-capek");
  CHECK(slugify("Ĳssel İstanbul ıi") == "ijssel-istanbul-ii");
  CHECK(slugify("Ÿvelines ÿ ſ") == "yvelines-y-s");
  CHECK(slugify("Ğüneş Őrség Żółw") == "gunes-orseg-zolw");
  CHECK(slugify("Nº 1ª") == "no-1a");
  // Decomposed (NFD) input folds like precomposed input: "e" + U+0301 COMBINING ACUTE ACCENT.
  CHECK(slugify("Cafe\u0301 re\u0301sume\u0301") == "cafe-resume");
}

TEST_CASE("slugify covers the whole Latin-1 Supplement and Latin Extended-A letter ranges") {
  // Every letter folds to a non-empty a-z run; the two symbols in the block (× ÷) separate words.
  for (char32_t cp = 0xC0; cp <= 0x17F; ++cp) {
    std::string utf8;
    utf8 += static_cast<char>(0xC0 | (cp >> 6));
    utf8 += static_cast<char>(0x80 | (cp & 0x3F));
    const std::string s = slugify("x" + utf8 + "x");
    CAPTURE(static_cast<unsigned>(cp));
    if (cp == 0xD7 || cp == 0xF7) {
      CHECK(s == "x-x");
    } else {
      REQUIRE(s.size() >= 3);
      CHECK(s.front() == 'x');
      CHECK(s.back() == 'x');
      CHECK(is_valid_slug(s));
      CHECK(s.find('-') == std::string::npos);
    }
  }
}

TEST_CASE("slugify drops apostrophes and separates other punctuation") {
  CHECK(slugify("don't") == "dont");
  CHECK(slugify("Don\u2019t Stop") == "dont-stop");  // RIGHT SINGLE QUOTATION MARK
  CHECK(slugify("It's Ana's") == "its-anas");
  CHECK(slugify("rock 'n' roll") == "rock-n-roll");
  CHECK(slugify("\u201cQuoted\u201d \u2014 dash") == "quoted-dash");  // curly quotes, em dash
  CHECK(slugify("a\u00a0b") == "a-b");                                // no-break space
  CHECK(slugify("price: 5€") == "price-5");
}

TEST_CASE("slugify treats non-Latin scripts and invalid UTF-8 as separators") {
  CHECK(slugify("日本語") == "");
  CHECK(slugify("Привет") == "");
  CHECK(slugify("Tokyo 東京 2026") == "tokyo-2026");
  CHECK(slugify("emoji 🎉 party") == "emoji-party");
  CHECK(slugify("a\xffz") == "a-z");                 // never valid in UTF-8
  CHECK(slugify("a\xc3z") == "a-z");                 // truncated 2-byte sequence
  CHECK(slugify("a\xc3") == "a");                    // truncated at end of input
  CHECK(slugify("a\xc0\xa9z") == "a-z");             // overlong encoding of ")"
  CHECK(slugify("a\xc1\x81z") == "a-z");             // overlong 'A' must not become a letter
  CHECK(slugify("a\xe0\x80\xa7z") == "a-z");         // overlong apostrophe must not be dropped
  CHECK(slugify("a\xed\xa0\x80z") == "a-z");         // UTF-16 surrogate
  CHECK(slugify("a\xf4\x90\x80\x80z") == "a-z");     // above U+10FFFF
  CHECK(slugify("\x80\xc3\xa9t\xc3\xa9") == "ete");  // stray continuation, then valid "été"
  CHECK(slugify("\xc3\xc3\xa9") == "e");             // bad lead resyncs on the next byte
  CHECK(slugify(std::string_view("a\0b", 3)) == "a-b");
}

TEST_CASE("slugify cuts at a word boundary") {
  CHECK(slugify("hello world", 11) == "hello-world");
  CHECK(slugify("hello world", 10) == "hello");
  CHECK(slugify("hello world", 6) == "hello");  // limit lands on the separator
  CHECK(slugify("hello world", 5) == "hello");  // a word ends exactly at the limit
  CHECK(slugify("hello world", 4) == "hell");   // a single over-long word is cut mid-word
  CHECK(slugify("one two three four", 13) == "one-two-three");
  CHECK(slugify("one two three four", 12) == "one-two");
  CHECK(slugify("one two three", 1) == "o");
  CHECK(slugify("hello", 0) == "");
  CHECK(slugify("Straße strasse", 6) == "strass");  // a multi-letter fold may straddle the limit
  CHECK(slugify("Straße strasse", 7) == "strasse");

  // The default limit is 96, and a long title never ends in '-'.
  std::string title;
  for (int i = 0; i < 50; ++i) title += "word ";
  const std::string s = slugify(title);
  CHECK(s.size() == 94);  // 19 × "word-" = 95 would end in '-', so 19 words = 94
  CHECK(is_valid_slug(s));
  const std::string long_word(500, 'x');
  CHECK(slugify(long_word) == std::string(96, 'x'));
  CHECK(slugify("ab " + long_word) == "ab");
}

TEST_CASE("is_valid_slug") {
  CHECK(is_valid_slug("a"));
  CHECK(is_valid_slug("hello-world"));
  CHECK(is_valid_slug("2026-report-v2"));
  CHECK(is_valid_slug(std::string(96, 'a')));
  CHECK_FALSE(is_valid_slug(std::string(97, 'a')));
  CHECK(is_valid_slug("abc", 3));
  CHECK_FALSE(is_valid_slug("abcd", 3));
  CHECK_FALSE(is_valid_slug(""));
  CHECK_FALSE(is_valid_slug("-"));
  CHECK_FALSE(is_valid_slug("-hello"));
  CHECK_FALSE(is_valid_slug("hello-"));
  CHECK_FALSE(is_valid_slug("hello--world"));
  CHECK_FALSE(is_valid_slug("Hello"));
  CHECK_FALSE(is_valid_slug("hello_world"));
  CHECK_FALSE(is_valid_slug("hello world"));
  CHECK_FALSE(is_valid_slug("caf\xc3\xa9"));
  CHECK_FALSE(is_valid_slug(std::string_view("a\0b", 3)));
}

TEST_CASE("slug_with_suffix") {
  CHECK(slug_with_suffix("hello-world", 2) == "hello-world-2");
  CHECK(slug_with_suffix("hello-world", 10) == "hello-world-10");
  CHECK(slug_with_suffix("hello-world", 13, 14) == "hello-world-13");
  // Shortened at a word boundary to fit.
  CHECK(slug_with_suffix("hello-world", 2, 12) == "hello-2");
  CHECK(slug_with_suffix("hello-world", 10, 13) == "hello-10");
  CHECK(slug_with_suffix("one-two-three", 2, 11) == "one-two-2");
  // A single word is cut mid-word when there is no boundary.
  CHECK(slug_with_suffix("abcdefgh", 2, 6) == "abcd-2");
  // No room for the base at all: the number alone is still a valid slug.
  CHECK(slug_with_suffix("hello", 2, 2) == "2");
  CHECK(slug_with_suffix("hello", 123, 3) == "123");
  CHECK(slug_with_suffix("", 2) == "2");
  // n below 2 would collide with the base or produce "--1"; it is treated as 2.
  CHECK(slug_with_suffix("post", 1) == "post-2");
  CHECK(slug_with_suffix("post", -5) == "post-2");

  // At the default limit, every result fits and stays valid.
  const std::string base = slugify(std::string(200, 'y') + " tail");
  REQUIRE(base.size() == 96);
  for (const int n : {2, 9, 10, 99, 100, 12345, 2147483647}) {
    const std::string s = slug_with_suffix(base, n);
    CAPTURE(s);
    CHECK(s.size() <= 96);
    CHECK(is_valid_slug(s));
    CHECK(s.ends_with("-" + std::to_string(n)));
  }
  const std::string words = slugify(
      "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu "
      "nu xi omicron pi rho sigma");
  REQUIRE(words.size() <= 96);
  CHECK(slug_with_suffix(words, 2).size() <= 96);
  CHECK(is_valid_slug(slug_with_suffix(words, 2)));
}
