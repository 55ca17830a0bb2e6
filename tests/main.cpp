// The doctest runner of every test binary.
//
// The PostgreSQL test cases (the …<quire::test::PostgresServer> variants, and those named
// "postgres…") need a server: scripts/quire test starts one and sets QUIRE_TEST_POSTGRES_URL.
// Without it they are left out of the run, and reported as skipped, never as passed: doctest counts
// them in its "skipped" total, and CTest, which runs one test case per process, reads a run of no
// test case as skipped (SKIP_REGULAR_EXPRESSION in tests/CMakeLists.txt). Listing still shows
// them, so CTest registers them either way.

#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

int main(int argc, char** argv) {
  doctest::Context context;
  context.applyCommandLine(argc, argv);
  bool listing = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.find("list-test-cases") != std::string_view::npos || arg.ends_with("-ltc")) {
      listing = true;
    }
  }
  if (!listing) {
    const char* postgres = std::getenv("QUIRE_TEST_POSTGRES_URL");
    if (postgres == nullptr || *postgres == '\0') {
      context.addFilter("test-case-exclude", "*PostgresServer*,postgres*");
    }
  }
  return context.run();
}
