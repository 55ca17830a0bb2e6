"""Database, Context, the engines and transactions, over quire.h."""

from __future__ import annotations

import json
import threading
from ctypes import c_void_p, string_at
from datetime import datetime
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    Iterator,
    List,
    Optional,
    Sequence,
    Tuple,
    TypeVar,
    Union,
    overload,
)

from . import _generated, _lib
from ._errors import Error, InvalidArgument, Unauthenticated
from ._args import (
    TimeLike,
    _bool,
    _dict_or_none,
    _Engine,
    _int,
    _int32,
    _json,
    _limit,
    _opt_text,
    _post_id,
    _request,
    _resource,
    _str_list,
    _tenant,
    _text,
    _user_id,
)
from ._record_types import (
    Autosave,
    ContextInfo,
    Decision,
    Diff,
    Entry,
    Grant,
    Hit,
    Invitation,
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
from ._records import Head, Page, format_time

T = TypeVar("T")
ResourceLike = Tuple[str, Union[int, str]]

_TX_OVER = "the transaction context is closed: its transaction has ended"


_loads = json.loads
_call_string = _lib.call_string


# ---- handles ------------------------------------------------------------------------------------


class _Handle:
    """A C handle that is freed once, never while a call uses it, and refused after close.

    free: the C function that frees it ("quire_ctx_free"), or a callable run instead (a
    transaction's context: closing it releases its transaction).
    """

    __slots__ = ("ptr", "_free", "_lock", "_users", "_closed", "_message")

    def __init__(
        self, ptr: int, free: Union[str, Callable[[], None]], what: str, message: str = ""
    ) -> None:
        self.ptr: Optional[int] = ptr
        self._free = free
        self._lock = threading.Lock()
        self._users = 0
        self._closed = False
        self._message = message or f"{what} is closed"

    @property
    def closed(self) -> bool:
        return self._closed

    def acquire(self) -> int:
        with self._lock:
            if self._closed or self.ptr is None:
                raise InvalidArgument(self._message)
            self._users += 1
            return self.ptr

    def call(self, fn: Callable[[c_void_p], T]) -> T:
        """fn(the handle), with the handle kept from being freed meanwhile."""
        ptr = self.acquire()
        try:
            return fn(c_void_p(ptr))
        finally:
            self.release()

    def release(self) -> None:
        with self._lock:
            self._users -= 1
            if self._closed and self._users == 0:
                self._release_locked()

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._users == 0:
                self._release_locked()

    def _release_locked(self) -> None:
        ptr, self.ptr = self.ptr, None
        if ptr is None:
            return
        try:
            if callable(self._free):
                self._free()
            else:
                _lib.lib().function(self._free)(c_void_p(ptr))
        except Exception:  # interpreter shutdown: nothing left to do
            pass


# ---- the database -------------------------------------------------------------------------------


def open(url: str, **options: Any) -> "Database":  # noqa: A001 - quire.open, like sqlite3.connect
    """Opens (creating if missing) a database and runs its migrations.

    url: "sqlite:path/to/file.db" or "sqlite::memory:".
    options: those of quire_db_open, as keyword arguments: synchronous="full"|"normal",
    reader_connections=4, busy_timeout_ms=5000, wal_autocheckpoint_pages=1000,
    default_plan="free", plans=[{"name": ..., "max_members": ..., "max_posts": ...}],
    passwords={"opslimit": 2, "memlimit": 19 * 2**20, "max_concurrent": 4}.
    """
    url_bytes = _text(url, "url")
    options_json = _json(options, "options") if options else None
    handle = _lib.call_handle("quire_db_open", url_bytes, options_json)
    return Database(handle, url)


def migrate(url: str, **options: Any) -> int:
    """Brings a database's schema up to date and closes it again; returns the schema version.

    A deployment step: on PostgreSQL run it with the schema owner's URL, then open() with the URL
    of a role that owns nothing (open() refuses the owner). On SQLite it is open and close.
    """
    url_bytes = _text(url, "url")
    options_json = _json(options, "options") if options else None
    return _lib.call_int64("quire_db_migrate", url_bytes, options_json)


class Database:
    """An open database; thread-safe: share one between every thread of the process.

    Close it with close() or a `with` block. Contexts keep the C database alive, but every call
    through them fails with InvalidArgument once the database is closed.
    """

    def __init__(self, handle: int, url: str) -> None:
        self._handle = _Handle(handle, "quire_db_free", "the database")
        self.url = url
        self._closed = False

    # -- lifetime

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Waits for the operations in flight, rolls back the transactions still open, then
        closes. Idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            ptr = self._handle.acquire()
        except InvalidArgument:
            return
        try:
            _lib.call("quire_db_close", c_void_p(ptr))
        finally:
            self._handle.release()
            self._handle.close()

    def __enter__(self) -> "Database":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            handle = self.__dict__.get("_handle")
            if handle is not None:
                handle.close()  # frees; the C side closes once every context is freed too
        except Exception:
            pass

    def __repr__(self) -> str:
        return f"<quire.Database {self.url!r}{' closed' if self._closed else ''}>"

    def _with_handle(self, fn: Callable[[c_void_p], T]) -> T:
        if self._closed:
            raise InvalidArgument("the database is closed")
        ptr = self._handle.acquire()
        try:
            return fn(c_void_p(ptr))
        finally:
            self._handle.release()

    def _context(self, ptr: int, session: Optional[Session] = None) -> "Context":
        return Context(self, _Handle(ptr, "quire_ctx_free", "the context"), session=session)

    # -- contexts

    def system(self, tenant: Union[str, int, None] = None) -> "Context":
        """The audited administration context (skips permission checks); tenant-less by default,
        or acting inside `tenant` (slug or id)."""
        name = None if tenant is None else _tenant(tenant)
        ptr = self._with_handle(lambda db: _lib.call_handle("quire_db_system", db, name))
        return self._context(ptr)

    def context(
        self,
        tenant: Union[str, int],
        user: Optional[int] = None,
        api_key: Optional[str] = None,
        ip: Optional[str] = None,
        user_agent: Optional[str] = None,
        request_id: Optional[str] = None,
    ) -> "Context":
        """A user (authenticated by the host) acting in a tenant; or, with api_key=, the context of
        an API key (its tenant is checked against `tenant`)."""
        if (user is None) == (api_key is None):
            raise TypeError("context() needs exactly one of user= and api_key=")
        request = _request(ip, user_agent, request_id)
        if api_key is not None:
            ctx = self.context_from_key(api_key, ip=ip, user_agent=user_agent, request_id=request_id)
            # The key names its tenant; the one asked for must be it (resolved by the system, as
            # the key may lack tenant.read).
            with self.system(tenant) as named:
                wanted = named.info().tenant_id
            if wanted != ctx.info().tenant_id:
                ctx.close()
                raise Unauthenticated(f"the API key does not belong to tenant {tenant}")
            return ctx
        body: Dict[str, Any] = {}
        if isinstance(tenant, int) and not isinstance(tenant, bool):
            body["tenant"] = _int(tenant, "tenant")
        else:
            _tenant(tenant)
            body["tenant"] = tenant
        body["user"] = _int(user.id if isinstance(user, User) else user, "user")
        if request is not None:
            body.update(json.loads(request))
        context_json = _json(body, "context")
        ptr = self._with_handle(lambda db: _lib.call_handle("quire_db_context", db, context_json))
        return self._context(ptr)

    def user_context(
        self,
        user: Union[int, "User"],
        ip: Optional[str] = None,
        user_agent: Optional[str] = None,
        request_id: Optional[str] = None,
    ) -> "Context":
        """A user (authenticated by the host) acting in no tenant, on their own account: to read
        and update it and to accept invitations (ctx.tenants.accept_invitation)."""
        args = (
            _int(user.id if isinstance(user, User) else user, "user"),
            _request(ip, user_agent, request_id),
        )
        ptr = self._with_handle(lambda db: _lib.call_handle("quire_db_user_context", db, *args))
        return self._context(ptr)

    def login(
        self,
        tenant: Union[str, int],
        username_or_email: str,
        password: str,
        ip: Optional[str] = None,
        user_agent: Optional[str] = None,
        request_id: Optional[str] = None,
    ) -> Tuple[str, "Context"]:
        """Signs a member in; returns (session token, their context). ctx.session has the expiry."""
        args = (
            _tenant(tenant),
            _text(username_or_email, "username_or_email"),
            _text(password, "password"),
            _request(ip, user_agent, request_id),
        )
        ptr, session_json = self._with_handle(lambda db: _lib.call_login(db, *args))
        session = Session.from_json(_loads(session_json))
        return session.token, self._context(ptr, session)

    def context_from_token(
        self,
        token: str,
        expected_tenant: Union[str, int, None] = None,
        ip: Optional[str] = None,
        user_agent: Optional[str] = None,
        request_id: Optional[str] = None,
    ) -> "Context":
        """The context a session token stands for (Unauthenticated if it is not valid)."""
        args = (
            _text(token, "token"),
            _request(ip, user_agent, request_id),
            None if expected_tenant is None else _tenant(expected_tenant, "expected_tenant"),
        )
        ptr = self._with_handle(
            lambda db: _lib.call_handle("quire_db_context_from_token", db, *args)
        )
        return self._context(ptr)

    def context_from_key(
        self,
        key: str,
        ip: Optional[str] = None,
        user_agent: Optional[str] = None,
        request_id: Optional[str] = None,
    ) -> "Context":
        """A context acting with exactly an API key's scopes."""
        args = (_text(key, "key"), _request(ip, user_agent, request_id))
        ptr = self._with_handle(lambda db: _lib.call_handle("quire_db_context_from_key", db, *args))
        return self._context(ptr)

    def logout(self, token: str) -> None:
        """Revokes a session token."""
        raw = _text(token, "token")
        self._with_handle(lambda db: _lib.call("quire_db_logout", db, raw))

    def rotate_token_secret(self) -> None:
        """A new token secret: every session token signed before stops working."""
        self._with_handle(lambda db: _lib.call("quire_db_rotate_token_secret", db))

    # -- transactions

    @overload
    def transaction(self, ctx: "Context") -> "Transaction": ...

    @overload
    def transaction(self, ctx: "Context", fn: Callable[["Context"], T]) -> T: ...

    def transaction(
        self, ctx: "Context", fn: Optional[Callable[["Context"], T]] = None
    ) -> Any:
        """One transaction over several operations: all commit together, or none does.

        Context-manager form: ``with db.transaction(ctx) as tx:`` begins a transaction
        (quire_tx_begin) and gives its context; the block commits when it ends normally (raising
        the commit's error, if any) and rolls back when it raises (the exception propagates).

        Callable form: ``db.transaction(ctx, fn)`` is ``with db.transaction(ctx) as tx: return
        fn(tx)``.

        Both run on the calling thread, without a thread of their own. On a transaction's
        context they nest: a savepoint, whose rollback undoes only its own part. Inside, use `tx`
        (or contexts derived from it) only: a write through another context of this database
        waits for the transaction and fails with Busy. After the end, `tx` refuses every call.
        """
        if not isinstance(ctx, Context):
            raise TypeError(f"ctx must be a quire.Context, not {type(ctx).__name__}")
        if ctx._db is not self:
            raise InvalidArgument("ctx is a context of another database")
        if fn is None:
            return Transaction(ctx)
        if not callable(fn):
            raise TypeError("fn must be callable")
        with Transaction(ctx) as tx:
            return fn(tx)


class Transaction:
    """The context-manager form of db.transaction(ctx); see Database.transaction."""

    def __init__(self, ctx: "Context") -> None:
        self._ctx = ctx
        self._entered = False
        self._tx: Optional[_Handle] = None
        self._context: Optional[Context] = None

    def __enter__(self) -> "Context":
        if self._entered:
            raise InvalidArgument("this transaction was already entered; call db.transaction again")
        self._entered = True
        tx_ptr = self._ctx._run(lambda ctx: _lib.call_handle("quire_tx_begin", ctx))
        tx = self._tx = _Handle(tx_ptr, "quire_tx_free", "the transaction")
        try:
            ctx_ptr = tx.call(lambda handle: _lib.call_handle("quire_tx_context", handle))
        except BaseException:
            tx.close()
            raise
        # The context is lent by the transaction: releasing it (at the end, or when it is
        # collected) frees the transaction, once no call uses the context any more.
        handle = _Handle(ctx_ptr, tx.close, "", _TX_OVER)
        self._context = _TransactionContext(self._ctx._db, handle)
        return self._context

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        tx, context = self._tx, self._context
        if tx is None or context is None:
            return
        self._context = None
        try:
            if exc_type is None:
                tx.call(lambda handle: _lib.call("quire_tx_commit", handle))
            else:
                try:
                    tx.call(lambda handle: _lib.call("quire_tx_rollback", handle))
                except Error:
                    pass  # it ended already (the database was closed): nothing left to undo
        finally:
            context._handle.close()


# ---- contexts ------------------------------------------------------------------------------------


class Context:
    """Who acts, where: reached through `ctx.tenants`, `ctx.users`, `ctx.posts`, `ctx.versions`,
    `ctx.audit`, `ctx.permissions` and `ctx.keys`. Thread-safe; close() or `with` frees it early
    (else garbage collection does). A Context keeps its Database alive."""

    def __init__(self, db: Database, handle: _Handle, session: Optional[Session] = None) -> None:
        self._db = db
        self._handle = handle
        #: The session of a context made by db.login (token, expires_at), else None.
        self.session = session

    # The engines are made on access (they hold the context; keeping them here would make a
    # reference cycle, and contexts would wait for the cycle collector to be freed).
    @property
    def tenants(self) -> "Tenants":
        return Tenants(self)

    @property
    def users(self) -> "Users":
        return Users(self)

    @property
    def posts(self) -> "Posts":
        return Posts(self)

    @property
    def versions(self) -> "Versions":
        return Versions(self)

    @property
    def audit(self) -> "Audit":
        return Audit(self)

    @property
    def permissions(self) -> "Permissions":
        return Permissions(self)

    @property
    def keys(self) -> "Keys":
        return Keys(self)

    @property
    def db(self) -> Database:
        return self._db

    @property
    def closed(self) -> bool:
        return self._handle.closed

    def close(self) -> None:
        """Frees the context (a transaction's context is freed by its transaction)."""
        self._handle.close()

    def __enter__(self) -> "Context":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            handle = self.__dict__.get("_handle")
            if handle is not None:
                handle.close()
        except Exception:
            pass

    def _run(self, fn: Callable[[c_void_p], T]) -> T:
        if self._db._closed:
            raise InvalidArgument("the database of this context is closed")
        return self._handle.call(fn)

    def _string(self, name: str, *args: Any) -> str:
        # _run inlined: this is every call's path.
        if self._db._closed:
            raise InvalidArgument("the database of this context is closed")
        handle = self._handle
        ptr = handle.acquire()
        try:
            return _call_string(name, ptr, *args)
        finally:
            handle.release()

    def _json(self, name: str, *args: Any) -> Any:
        return _loads(self._string(name, *args))

    def _void(self, name: str, *args: Any) -> None:
        self._run(lambda ctx: _lib.call(name, ctx, *args))

    def info(self) -> ContextInfo:
        """Who this context acts as, and where."""
        return ContextInfo.from_json(self._json("quire_ctx_info"))

    def with_request(
        self,
        ip: Optional[str] = None,
        user_agent: Optional[str] = None,
        request_id: Optional[str] = None,
    ) -> "Context":
        """The same actor and tenant with other request metadata (recorded by the audit trail).
        Made from a transaction's context, it joins that transaction."""
        request = _request(ip, user_agent, request_id) or b"{}"
        ptr = self._run(lambda ctx: _lib.call_handle("quire_ctx_with_request", ctx, request))
        return Context(self._db, _Handle(ptr, "quire_ctx_free", "the context"))

    def __repr__(self) -> str:
        return f"<quire.Context of {self._db!r}{' closed' if self.closed else ''}>"


class _TransactionContext(Context):
    """The context a transaction lends (quire_tx_context): the transaction ends and frees it, so
    close() and `with` do nothing to it, as quire_ctx_free does nothing to it in C."""

    def close(self) -> None:
        pass


def _page(data: Dict[str, Any], decode: Callable[[Dict[str, Any]], T],
          fetch: Callable[[str], Page[T]]) -> Page[T]:
    return Page([decode(item) for item in data["items"]], data.get("next_cursor"), fetch)


# ---- tenants and members -------------------------------------------------------------------------


class Tenants(_generated.TenantsMethods):
    """ctx.tenants: tenants (system context for most changes) and their memberships."""

    def list(
        self,
        include_inactive: Optional[bool] = None,
        include_deleted: Optional[bool] = None,
        limit: int = 50,
        cursor: Optional[str] = None,
    ) -> Page[Tenant]:
        query: Dict[str, Any] = {"limit": _limit(limit)}
        for key, value in (("include_inactive", include_inactive), ("include_deleted", include_deleted)):
            if value is not None:
                if not isinstance(value, bool):
                    raise TypeError(f"{key} must be a bool")
                query[key] = value
        if cursor is not None:
            _text(cursor, "cursor")
            query["cursor"] = cursor
        data = self._ctx._json("quire_tenant_list", _json(query, "query"))
        return _page(
            data,
            Tenant.from_json,
            lambda c: self.list(include_inactive, include_deleted, limit, c),
        )

    def list_all(self, **query: Any) -> Iterator[Tenant]:
        """Every tenant the context sees, fetched a page at a time (arguments as list())."""
        return self.list(**query).all()

    def list_invitations(
        self, tenant: Union[str, int], limit: int = 50, cursor: Optional[str] = None
    ) -> Page[Invitation]:
        """The tenant's pending invitations, by id (member.manage)."""
        query: Dict[str, Any] = {"limit": _limit(limit)}
        if cursor is not None:
            _text(cursor, "cursor")
            query["cursor"] = cursor
        data = self._ctx._json("quire_invitation_list", _tenant(tenant), _json(query, "query"))
        return _page(
            data, Invitation.from_json, lambda c: self.list_invitations(tenant, limit, c)
        )


# ---- users ----------------------------------------------------------------------------------------


class Users(_generated.UsersMethods):
    """ctx.users: accounts (global; the system context manages them, a user their own)."""

    def get(self, id_or_username: Union[int, str]) -> User:
        if isinstance(id_or_username, str):
            return User.from_json(
                self._ctx._json("quire_user_get_by_username", _text(id_or_username, "username"))
            )
        return User.from_json(self._ctx._json("quire_user_get", _int(id_or_username, "id_or_username")))

    def list(self, limit: int = 50, cursor: Optional[str] = None) -> Page[User]:
        query: Dict[str, Any] = {"limit": _limit(limit)}
        if cursor is not None:
            _text(cursor, "cursor")
            query["cursor"] = cursor
        data = self._ctx._json("quire_user_list", _json(query, "query"))
        return _page(data, User.from_json, lambda c: self.list(limit, c))

    def list_all(self, limit: int = 50) -> Iterator[User]:
        return self.list(limit).all()


# ---- posts -----------------------------------------------------------------------------------------


_POST_PATCH_FIELDS = _generated.FIELDS["post_patch"]


class Posts(_generated.PostsMethods):
    """ctx.posts: the content of the context's tenant."""

    def update(self, id: int, expected_version: int, **fields: Any) -> Post:
        """Changes some of title, body, slug, tags, category (None clears), excerpt (None: derive
        from the body), seo, fields, parent_id (None: top level), if the post is still at
        expected_version (else Conflict, with .current_version)."""
        for key in fields:
            if key not in _POST_PATCH_FIELDS:
                raise TypeError(
                    f"update() got an unexpected field {key!r} (fields: {', '.join(_POST_PATCH_FIELDS)})"
                )
        if "tags" in fields:
            fields["tags"] = _str_list(fields["tags"], "tags")
        return Post.from_json(
            self._ctx._json(
                "quire_post_update",
                _post_id(id, "id"),
                _int(expected_version, "expected_version"),
                _json(fields, "fields"),
            )
        )

    def list(
        self,
        type: Optional[str] = None,
        status: Optional[str] = None,
        author_id: Optional[int] = None,
        category: Optional[str] = None,
        tag: Optional[str] = None,
        parent_id: Optional[int] = None,
        deleted: bool = False,
        order: str = "-published_at",
        limit: int = 20,
        cursor: Optional[str] = None,
        top_level: bool = False,
        since: Optional[TimeLike] = None,
        until: Optional[TimeLike] = None,
    ) -> Page[Post]:
        """One page of posts (their body is "": get one post for it). parent_id=None means any
        parent; top_level=True lists the posts without a parent."""
        query: Dict[str, Any] = {"limit": _limit(limit), "order": order, "deleted": deleted}
        _text(order, "order")
        if not isinstance(deleted, bool):
            raise TypeError("deleted must be a bool")
        for key, value in (("type", type), ("status", status), ("category", category), ("tag", tag)):
            if value is not None:
                _text(value, key)
                query[key] = value
        if author_id is not None:
            query["author_id"] = _user_id(author_id, "author_id")
        if top_level:
            if parent_id is not None:
                raise TypeError("list() takes parent_id or top_level=True, not both")
            query["parent_id"] = None
        elif parent_id is not None:
            query["parent_id"] = _post_id(parent_id, "parent_id")
        if since is not None:
            query["since"] = format_time(since, "since")
        if until is not None:
            query["until"] = format_time(until, "until")
        if cursor is not None:
            _text(cursor, "cursor")
            query["cursor"] = cursor
        data = self._ctx._json("quire_post_list", _json(query, "query"))
        args = dict(type=type, status=status, author_id=author_id, category=category, tag=tag,
                    parent_id=parent_id, deleted=deleted, order=order, limit=limit,
                    top_level=top_level, since=since, until=until)
        return _page(data, Post.from_json, lambda c: self.list(cursor=c, **args))  # type: ignore[arg-type]

    def list_all(self, **query: Any) -> Iterator[Post]:
        """Every post the query matches, fetched a page at a time (arguments as list())."""
        return self.list(**query).all()


# ---- versions ----------------------------------------------------------------------------------


class Versions(_generated.VersionsMethods):
    """ctx.versions: the history of posts."""


# ---- audit ---------------------------------------------------------------------------------------


class Audit(_generated.AuditMethods):
    """ctx.audit: the tenant's tamper-evident trail (the system chain for the system context)."""

    def query(
        self,
        actor_id: Optional[int] = None,
        action: Optional[str] = None,
        resource_type: Optional[str] = None,
        resource_id: Union[str, int, None] = None,
        outcome: Optional[str] = None,
        since: Optional[TimeLike] = None,
        until: Optional[TimeLike] = None,
        limit: int = 50,
        cursor: Optional[str] = None,
        actor_type: Optional[str] = None,
    ) -> Page[Entry]:
        """One page of entries, newest first."""
        query: Dict[str, Any] = {"limit": _limit(limit)}
        if actor_id is not None:
            query["actor_id"] = _user_id(actor_id, "actor_id")
        for key, value in (("action", action), ("resource_type", resource_type),
                           ("outcome", outcome), ("actor_type", actor_type), ("cursor", cursor)):
            if value is not None:
                _text(value, key)
                query[key] = value
        if resource_id is not None:
            if isinstance(resource_id, int) and not isinstance(resource_id, bool):
                resource_id = str(resource_id)
            _text(resource_id, "resource_id")
            query["resource_id"] = resource_id
        if since is not None:
            query["since"] = format_time(since, "since")
        if until is not None:
            query["until"] = format_time(until, "until")
        data = self._ctx._json("quire_audit_query", _json(query, "query"))
        args = dict(actor_id=actor_id, action=action, resource_type=resource_type,
                    resource_id=resource_id, outcome=outcome, since=since, until=until,
                    limit=limit, actor_type=actor_type)
        return _page(data, Entry.from_json, lambda c: self.query(cursor=c, **args))  # type: ignore[arg-type]

    def query_all(self, **query: Any) -> Iterator[Entry]:
        """Every matching entry, newest first, fetched a page at a time (arguments as query())."""
        return self.query(**query).all()

    def head(self) -> Head:
        """The newest entry's (seq, hash), to publish elsewhere; (0, "") for an empty chain."""
        data = self._ctx._json("quire_audit_head")
        return Head(int(data["seq"]), str(data["hash"]))

    def verify(self, head: Union[Head, Tuple[int, str], None] = None) -> Verification:
        """Recomputes every hash; with a head published earlier, a chain cut short is found too."""
        raw = None
        if head is not None:
            if not isinstance(head, tuple) or len(head) != 2:
                raise TypeError("head must be a (seq, hash) tuple, as head() returns")
            raw = _json({"seq": _int(head[0], "head seq"), "hash": head[1]}, "head")
        return Verification.from_json(self._ctx._json("quire_audit_verify", raw))

    def export_to(self, write: Callable[[bytes], Any], format: str = "jsonl") -> None:
        """Streams the export to write(chunk: bytes) (e.g. a binary file's .write), in bounded
        memory. write must not call quire on this context."""
        if not callable(write):
            raise TypeError("write must be callable, e.g. a binary file's write method")
        fmt = _text(format, "format")
        failure: List[BaseException] = []

        def on_data(data: int, size: int, _user: Any) -> None:
            if failure:
                return
            try:
                write(string_at(data, size))
            except BaseException as error:  # noqa: B902 - re-raised below
                failure.append(error)

        callback = _lib.WRITE_FN(on_data)
        self._ctx._run(
            lambda ctx: _lib.call("quire_audit_export_to", ctx, fmt, callback, None)
        )
        if failure:
            raise failure[0]

    def purge_before(self, cutoff: TimeLike) -> int:
        """Retention (system context): removes entries older than cutoff; returns how many."""
        raw = _text(format_time(cutoff, "cutoff"), "cutoff")
        return self._ctx._run(
            lambda ctx: _lib.call_int64("quire_audit_purge_before", ctx, raw)
        )


# ---- permissions ---------------------------------------------------------------------------------


def all_permissions() -> List[str]:
    """Every permission quire knows, in the order of the built-in matrix."""
    return json.loads(_lib.call_string("quire_permission_all"))  # type: ignore[no-any-return]


class Permissions(_generated.PermissionsMethods):
    """ctx.permissions: checks with reasons, per-item grants and custom roles."""

    def all(self) -> List[str]:
        return all_permissions()

    def check(self, permission: str, resource: Optional[ResourceLike] = None) -> Decision:
        """Whether the actor may do `permission` (on resource=(type, id)), and why."""
        kind: Optional[bytes] = None
        ident: Optional[bytes] = None
        if resource is not None:
            kind, ident = _resource(resource)
        return Decision.from_json(
            self._ctx._json("quire_permission_check", _text(permission, "permission"), kind, ident)
        )

    def grant(self, user_id: int, resource: ResourceLike, level: str) -> Grant:
        kind, ident = _resource(resource)
        return Grant.from_json(
            self._ctx._json(
                "quire_permission_grant", _user_id(user_id), kind, ident, _text(level, "level")
            )
        )

    def revoke(self, user_id: int, resource: ResourceLike) -> None:
        kind, ident = _resource(resource)
        self._ctx._void("quire_permission_revoke", _user_id(user_id), kind, ident)

    def define_role(self, name: str, permissions: Sequence[str]) -> Role:
        perms = _json(_str_list(permissions, "permissions"), "permissions")
        return Role.from_json(
            self._ctx._json("quire_permission_define_role", _text(name, "name"), perms)
        )


# ---- api keys --------------------------------------------------------------------------------------


class Keys(_generated.KeysMethods):
    """ctx.keys: API keys of the tenant. The key text is returned once, by create and rotate."""

    def create(
        self, name: str, scopes: Sequence[str], expires_at: Optional[TimeLike] = None
    ) -> Tuple[str, Key]:
        _text(name, "name")
        body: Dict[str, Any] = {"name": name, "scopes": _str_list(scopes, "scopes")}
        if expires_at is not None:
            body["expires_at"] = format_time(expires_at, "expires_at")
        data = self._ctx._json("quire_key_create", _json(body, "key"))
        return data["text"], Key.from_json(data["key"])

    def rotate(self, id: int) -> Tuple[str, Key]:
        data = self._ctx._json("quire_key_rotate", _int(id, "id"))
        return data["text"], Key.from_json(data["key"])
