#pragma once
// A fresh directory under the system temp dir, removed with everything in it at the end of a test.

#include <cstdlib>
#include <filesystem>
#include <string>

namespace quire::test {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "quire-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  const std::filesystem::path& path() const noexcept { return path_; }
  // "sqlite:<dir>/<name>"
  std::string sqlite_url(const std::string& name = "test.db") const {
    return "sqlite:" + (path_ / name).string();
  }

 private:
  std::filesystem::path path_;
};

}  // namespace quire::test
