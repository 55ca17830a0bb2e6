#!/usr/bin/env python3
"""quire quick start, in Python: open a database file, create a tenant and a user, make the user a
member, and act as that user — the walk-through of examples/01_quickstart.cpp.

Run it from the repository root once libquire is built (cmake --build build --target quire):

    PYTHONPATH=bindings/python python3 examples/python/quickstart.py [path/to/file.db]

The binding finds build/libquire.so by itself; QUIRE_LIBRARY=/path/to/libquire.so overrides it.
"""

from __future__ import annotations

import os
import sys

try:
    import quire
except ImportError:  # run from a checkout without installing the package
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                    "bindings", "python"))
    import quire


def main() -> int:
    path = sys.argv[1] if len(sys.argv) > 1 else "quickstart.db"
    print(f"quire {quire.library_version()} — quick start (Python)\n")

    # 1. Open (or create) a database. Migrations run on open; WAL and synchronous=FULL by default.
    try:
        db = quire.open(f"sqlite:{path}")
    except quire.Error as error:  # a real host would handle each error class
        print(f"open failed: {error}", file=sys.stderr)
        return 1
    print(f"1. Opened sqlite:{path}")

    with db:
        try:
            # 2. The system context administers tenants and users; it alone skips checks.
            admin = db.system()
            acme = admin.tenants.create(slug="acme", name="Acme Corp", plan="pro")
            print(f'2. Created tenant #{acme.id} "{acme.name}" (slug {acme.slug}, plan {acme.plan})'
                  f" at {acme.created_at.isoformat(timespec='milliseconds').replace('+00:00', 'Z')}")

            # 3. Users are global; their password is hashed with argon2id, never stored in clear.
            alice = admin.users.create(username="alice", email="Alice@Acme.test",
                                       password="correct horse battery staple",
                                       display_name="Alice Liddell")
            print(f"3. Created user #{alice.id} {alice.username} <{alice.email}> (email normalised)")

            # 4. Membership gives a user a role in a tenant.
            member = admin.tenants.add_member("acme", alice.id, role="admin")
            print(f"4. Made {alice.username} a member of {acme.slug} with role {member.role}")

            # 5. Alice acts through her own context: she sees her tenant, and the rules apply.
            ctx = db.context("acme", user=alice.id, ip="127.0.0.1", request_id="req-1")
            seen = ctx.tenants.get("acme")
            print(f"5. As {alice.username}: tenant {seen.name} has"
                  f" {len(ctx.tenants.members('acme'))} member(s)")
        except quire.Error as error:
            print(f"failed: {error}", file=sys.stderr)
            return 1

        # 6. Bad input is refused with a message that names the field and the rule.
        try:
            admin.tenants.create(slug="Not A Slug", name="x")
        except quire.InvalidArgument as error:
            print(f"6. A bad slug is refused: [{error.code_name}] {error.message}")

        # 7. An admin cannot do what only the system may: tenants are created by the host.
        try:
            ctx.tenants.create(slug="other", name="Other")
        except quire.PermissionDenied as error:
            print(f"7. Alice may not create tenants: [{error.code_name}] {error.message}")

    print(f"\nDone. The data is in {path}; run again on a new file to start over.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
