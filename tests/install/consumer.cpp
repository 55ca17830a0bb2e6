// A program outside the project that uses an installed quire, as a host would.
#include <cstdio>
#include <quire/quire.hpp>

int main() {
  auto db = quire::Database::open("sqlite::memory:");
  if (!db) return 1;
  auto tenant = db.value().system().tenants().create({.slug = "installed", .name = "Installed"});
  if (!tenant) return 2;
  std::printf("consumer: quire %s created tenant %s\n", QUIRE_VERSION_STRING,
              tenant.value().slug.c_str());
  return 0;
}
