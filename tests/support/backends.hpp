#pragma once
// The backends every conformance and engine test runs against. A new backend adds a type here and
// to QUIRE_TEST_BACKENDS; the tests themselves are written once.

#include <memory>
#include <quire/options.hpp>
#include <string>

#include "support/temp_dir.hpp"

namespace quire::test {

// Cheapest argon2id cost the library accepts, so that tests hashing many passwords stay fast.
inline Options test_options() {
  Options options;
  options.passwords.opslimit = 2;
  options.passwords.memlimit = 19u * 1024u * 1024u;
  options.synchronous = Synchronous::normal;
  return options;
}

struct SqliteMemory {
  static constexpr bool separate_readers = false;  // one connection serves reads and writes
  std::string url() const { return "sqlite::memory:"; }
};

struct SqliteFile {
  static constexpr bool separate_readers = true;
  std::string url() const { return dir_->sqlite_url(); }
  std::shared_ptr<TempDir> dir_ = std::make_shared<TempDir>();
};

}  // namespace quire::test

#define QUIRE_TEST_BACKENDS quire::test::SqliteMemory, quire::test::SqliteFile
