"""quire — embeddable multi-tenant content management: the Python binding.

A pure-Python package over quire's C ABI (include/quire.h) with ctypes: no compiler and no
third-party package. Names mirror the C++ API in snake_case; records are dataclasses with
attributes (times are aware datetimes in UTC; JSON objects such as seo, fields and settings are
dicts); errors are exceptions derived from quire.Error::

    import quire
    db = quire.open("sqlite:blog.db")
    admin = db.system()
    admin.tenants.create(slug="acme", name="Acme Corp", plan="pro")
    alice = admin.users.create(username="alice", email="alice@acme.test", password="correct horse")
    admin.tenants.add_member("acme", alice.id, role="admin")
    ctx = db.context(tenant="acme", user=alice.id)
    post = ctx.posts.create(title="Hello, world", body="# Hi")
    db.close()

Finding the library. libquire.so is looked for, in order: the file (or directory) named by the
environment variable QUIRE_LIBRARY; next to this package; the build trees of the source tree the
package sits in (build/, build-*/, cmake-build-*/, out/build/*/); the system's library path. When
none loads, quire.LibraryNotFound (an ImportError) lists every place it looked. The library's
ABI version must be ABI_VERSION (1). The library is loaded on first use, so `import quire` always
works.

Pagination. Listing calls (tenants.list, users.list, posts.list, audit.query) return a Page:
`page.items`, `page.next_cursor` (pass it as cursor= for the next page; None after the last).
`page.all()` iterates the items of this page and every following one, fetching pages lazily;
`page.pages()` iterates the pages. `ctx.posts.list_all(...)`, `ctx.tenants.list_all(...)`,
`ctx.users.list_all(...)` and `ctx.audit.query_all(...)` are shorthands for `.list(...).all()`.

Transactions. quire.h's transaction handles (quire_tx_begin, quire_tx_context, quire_tx_commit,
quire_tx_rollback, quire_tx_free) carry both forms, on the calling thread, with no thread of
their own:

- ``with db.transaction(ctx) as tx:`` — begins a transaction and gives its context; commits when
  the block ends normally (raising the commit's error, if any) and rolls back when it raises (the
  exception propagates unchanged).
- ``db.transaction(ctx, fn)`` — the same around fn(tx): commits when fn returns (its return value
  is returned), rolls back when fn raises.

Transactions nest, in any mix of the two forms: on a transaction's context, db.transaction begins
a savepoint, whose failure undoes only what it did. `tx` may be used from any thread, one call at
a time. Inside a transaction use `tx` (or contexts made from it with tx.with_request) only: a
write through another context of the same database waits for the transaction's write lock and
fails with quire.Busy. After the transaction ends, `tx` refuses every call with
quire.InvalidArgument. db.close() rolls back a transaction still open (its end then raises
InvalidArgument: "the transaction has ended").

Errors. Each quire.Error reads the thread's last error once, from quire_last_error_json, when it is
raised: besides message, code and detail it has the facts current_version (Conflict),
permission and role (PermissionDenied), quota, limit and plan (QuotaExceeded), field
(InvalidArgument) and retryable (Busy), each None when the failure does not set it. Act on those,
never on the message.

Misuse. Wrong argument types raise TypeError before any C call; values the library refuses raise
quire.InvalidArgument with its message; a closed Database, a context of a closed database, a
closed Context or an ended transaction's context raise quire.InvalidArgument. Handles are freed
once, never while a call is using them: a Context keeps its Database alive.

Threads. A Database and its Contexts may be shared by threads; the binding releases the GIL in
every C call.
"""

from __future__ import annotations

from ._core import (
    Audit,
    Context,
    Database,
    Keys,
    Permissions,
    Posts,
    Tenants,
    Transaction,
    Users,
    Versions,
    all_permissions,
    migrate,
    open,
)
from ._errors import (
    AlreadyExists,
    Busy,
    Conflict,
    Corrupt,
    Error,
    InternalError,
    InvalidArgument,
    LibraryNotFound,
    NotFound,
    NotSupported,
    PermissionDenied,
    QuotaExceeded,
    StorageError,
    Unauthenticated,
)
from ._lib import ABI_VERSION, abi_version, library_path, library_version
from ._record_types import (
    Autosave,
    ContextInfo,
    Decision,
    Diff,
    DiffLine,
    Entry,
    Grant,
    Hit,
    Hunk,
    Invitation,
    IssuedInvitation,
    Key,
    Member,
    Post,
    Role,
    Session,
    Snapshot,
    Tenant,
    Term,
    User,
    Verification,
    Version,
)
from ._records import Head, Page

__version__ = "0.1.0"

__all__ = [
    "ABI_VERSION",
    "AlreadyExists",
    "Audit",
    "Autosave",
    "Busy",
    "Conflict",
    "Context",
    "ContextInfo",
    "Corrupt",
    "Database",
    "Decision",
    "Diff",
    "DiffLine",
    "Entry",
    "Error",
    "Grant",
    "Head",
    "Hit",
    "Hunk",
    "InternalError",
    "InvalidArgument",
    "Invitation",
    "IssuedInvitation",
    "Key",
    "Keys",
    "LibraryNotFound",
    "Member",
    "NotFound",
    "NotSupported",
    "Page",
    "PermissionDenied",
    "Permissions",
    "Post",
    "Posts",
    "QuotaExceeded",
    "Role",
    "Session",
    "Snapshot",
    "StorageError",
    "Tenant",
    "Tenants",
    "Term",
    "Transaction",
    "Unauthenticated",
    "User",
    "Users",
    "Verification",
    "Version",
    "Versions",
    "abi_version",
    "all_permissions",
    "library_path",
    "library_version",
    "migrate",
    "open",
]
