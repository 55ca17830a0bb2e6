#!/usr/bin/env python3
"""Workload W1 ("an editorial day", shared/bench/W1-editorial.md) through the Python binding.

A line-for-line port of benchmarks/common/workload.hpp and the driver of benchmarks/w1/w1.cpp: the
same seeded splitmix64 draws, the same vocabulary, titles, bodies, tags and choice of every
operation, timed the same way (one perf_counter pair around each binding call; making the data is
left out of the phase's processor time), and the same report — so the JSON this prints sits beside
the C++ harness's (`build-bench/benchmarks/w1 --json`) and benchmarks/compare.py reads both.

    QUIRE_LIBRARY=build-bench/libquire.so python3 benchmarks/python/w1.py --scale 1 --json

Options as the C++ harness: --scale N, --backend URL, --json, --synchronous normal|full,
--full-create OPS, --full-backend URL; and --compare FILE.json (a C++ w1 --json report) to print
Python ÷ C++ per phase.
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import os
import resource
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir, os.pardir, "bindings", "python"))

import quire  # noqa: E402

MASK = (1 << 64) - 1
SEED = 42
TENANTS = 20
USERS_PER_TENANT = 5
USER_ROLES = ["admin", "editor", "editor", "author", "author"]
USER_NAMES = ["admin", "editor1", "editor2", "author1", "author2"]
ADMIN_USER = 0
MAX_SLUG = 96


# ---- deterministic randomness (splitmix64, as workload.hpp) --------------------------------------


class Rng:
    __slots__ = ("state",)

    def __init__(self, seed: int) -> None:
        self.state = seed

    def next(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n: int) -> int:
        return 0 if n == 0 else self.next() % n

    def between(self, lo: int, hi: int) -> int:
        return lo + self.below(hi - lo + 1)

    def unit(self) -> float:
        return (self.next() >> 11) * (2.0**-53)


def tenant_slug(tenant: int) -> str:
    return ("t0" if tenant < 10 else "t") + str(tenant)


class Vocabulary:
    SIZE = 2000

    def __init__(self, rng: Rng) -> None:
        onsets = ["b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p",
                  "r", "s", "t", "v", "w", "z", "br", "cr", "st", "tr", "ch", "th"]
        vowels = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "io", "y"]
        codas = ["", "", "", "n", "r", "s", "l", "t"]
        seen = set()
        self.words: List[str] = []
        while len(self.words) < self.SIZE:
            word = ""
            for _ in range(rng.between(1, 4)):
                word += onsets[rng.below(len(onsets))]
                word += vowels[rng.below(len(vowels))]
            word += codas[rng.below(len(codas))]
            if len(word) >= 3 and word not in seen:
                seen.add(word)
                self.words.append(word)
        total = 0.0
        cdf = []
        for r in range(1, self.SIZE + 1):
            total += 1.0 / r
            cdf.append(total)
        self.cdf = [c / total for c in cdf]

    def zipf(self, rng: Rng) -> str:
        at = bisect.bisect_left(self.cdf, rng.unit())
        return self.words[min(at, self.SIZE - 1)]

    def uniform(self, rng: Rng) -> str:
        return self.words[rng.below(self.SIZE)]

    def at(self, i: int) -> str:
        return self.words[i % self.SIZE]


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text[:1].islower() else text


def make_title(vocab: Vocabulary, rng: Rng) -> str:
    return capitalise(" ".join(vocab.zipf(rng) for _ in range(rng.between(4, 9))))


def make_sentence(vocab: Vocabulary, rng: Rng, lo: int, hi: int) -> str:
    return capitalise(" ".join(vocab.zipf(rng) for _ in range(rng.between(lo, hi))))


def make_paragraph(vocab: Vocabulary, rng: Rng, lo: int, hi: int) -> str:
    return " ".join(make_sentence(vocab, rng, 6, 16) + "." for _ in range(rng.between(lo, hi)))


def make_body(vocab: Vocabulary, rng: Rng) -> str:
    target = rng.between(1024, 4096)
    body = make_paragraph(vocab, rng, 1, 2)
    body += "\n\n## "
    body += make_sentence(vocab, rng, 2, 5)
    body += "\n\n"
    body += make_paragraph(vocab, rng, 1, 2)
    body += "\n\n"
    for _ in range(rng.between(3, 5)):
        body += "- " + make_sentence(vocab, rng, 2, 6) + "\n"
    fresh = True
    while True:
        sentence = make_sentence(vocab, rng, 6, 16) + "."
        gap = 1
        if len(body) + gap + len(sentence) > target:
            tail = make_sentence(vocab, rng, 6, 16)
            keep = 0
            space = tail.find(" ")
            while space != -1:
                if len(body) + gap + space + 1 > target:
                    break
                keep = space
                space = tail.find(" ", space + 1)
            if keep > 0:
                body += "\n" if fresh else " "
                body += tail[:keep] + "."
            break
        body += "\n" if fresh else " "
        body += sentence
        fresh = rng.below(5) == 0
        if fresh:
            body += "\n"
    if not body.endswith("\n"):
        body += "\n"
    return body


def tag_name(vocab: Vocabulary, i: int) -> str:
    return vocab.at(1000 + i)


def category_name(vocab: Vocabulary, i: int) -> str:
    return capitalise(vocab.at(1500 + i))


@dataclass
class CreateOp:
    tenant: int
    actor: int
    title: str
    body: str
    tags: List[str]
    category: str


def make_create(vocab: Vocabulary, rng: Rng, i: int) -> CreateOp:
    tenant = i % TENANTS
    actor = 1 + rng.below(4)
    title = make_title(vocab, rng)
    body = make_body(vocab, rng)
    picked: List[int] = []
    tags = []
    for _ in range(3):
        while True:
            tag = rng.below(50)
            if tag not in picked:
                break
        picked.append(tag)
        tags.append(tag_name(vocab, tag))
    category = category_name(vocab, rng.below(10))
    return CreateOp(tenant, actor, title, body, tags, category)


@dataclass
class PostState:
    tenant: int
    author: int
    id: int
    slug: str
    version: int = 1
    published: bool = False


# ---- measuring -----------------------------------------------------------------------------------


def io_now() -> Tuple[int, int]:
    written = calls = 0
    try:
        with open("/proc/self/io") as io:
            for line in io:
                key, _, value = line.partition(":")
                if key == "wchar":
                    written = int(value)
                elif key == "syscw":
                    calls = int(value)
    except OSError:
        pass
    return written, calls


def cpu_now() -> float:
    return time.clock_gettime(time.CLOCK_PROCESS_CPUTIME_ID)


@dataclass
class Phase:
    name: str
    ops: int = 0
    errors: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    write_bytes: int = 0
    write_calls: int = 0
    p50_us: float = 0.0
    p99_us: float = 0.0
    max_us: float = 0.0
    check: int = 0
    skipped: Optional[str] = None
    first_error: str = ""

    def ops_per_s(self) -> float:
        return self.ops / self.seconds if self.seconds > 0 else 0.0

    def mean_us(self) -> float:
        return self.seconds * 1e6 / self.ops if self.ops else 0.0

    def cpu_us(self) -> float:
        return self.cpu_seconds * 1e6 / self.ops if self.ops else 0.0


class Timer:
    def __init__(self, name: str) -> None:
        self.result = Phase(name)
        self.latencies: List[float] = []
        self.io_start = io_now()
        self.cpu_start = cpu_now()
        self.untimed_cpu = 0.0

    def untimed(self, fn: Callable[[], Any]) -> Any:
        start = cpu_now()
        out = fn()
        self.untimed_cpu += cpu_now() - start
        return out

    def fail(self, why: str) -> None:
        if self.result.errors == 0:
            self.result.first_error = why
        self.result.errors += 1

    def finish(self) -> Phase:
        r = self.result
        r.cpu_seconds = max(0.0, cpu_now() - self.cpu_start - self.untimed_cpu)
        written, calls = io_now()
        r.write_bytes = written - self.io_start[0]
        r.write_calls = calls - self.io_start[1]
        r.ops = len(self.latencies)
        r.seconds = sum(self.latencies) / 1e6
        if self.latencies:
            ordered = sorted(self.latencies)

            def at(q: float) -> float:
                i = math.ceil(q * len(ordered))
                return ordered[min(len(ordered) - 1, 0 if i == 0 else i - 1)]

            r.p50_us, r.p99_us, r.max_us = at(0.50), at(0.99), ordered[-1]
        return r


# ---- the driver: one binding call per operation ----------------------------------------------------


class Driver:
    def __init__(self, url: str, synchronous: str) -> None:
        self.url = url
        self.synchronous = synchronous
        self.db: Optional[quire.Database] = None
        self.contexts: List[quire.Context] = []
        self.cursor: Optional[str] = None
        self.error = ""

    def setup(self) -> None:
        path = sqlite_path(self.url)
        if path:
            for suffix in ("", "-wal", "-shm", "-journal"):
                try:
                    os.remove(path + suffix)
                except FileNotFoundError:
                    pass
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        # The cheapest argon2id cost quire accepts (OWASP's line: t=2, m=19 MiB), one at a time.
        self.db = quire.open(self.url, synchronous=self.synchronous,
                             passwords={"opslimit": 2, "memlimit": 19 * 1024 * 1024,
                                        "max_concurrent": 1})
        system = self.db.system()
        for t in range(TENANTS):
            slug = tenant_slug(t)
            system.tenants.create(slug=slug, name="Tenant " + slug, plan="enterprise")
            for u in range(USERS_PER_TENANT):
                name = f"{slug}-{USER_NAMES[u]}"
                user = system.users.create(username=name, email=name + "@w1.test",
                                           password="w1 benchmark password", display_name=name)
                system.tenants.add_member(slug, user.id, role=USER_ROLES[u])
                self.contexts.append(self.db.context(slug, user=user.id, ip=f"198.51.100.{u + 1}",
                                                     user_agent="w1-bench/1"))

    def ctx(self, tenant: int, user: int) -> quire.Context:
        return self.contexts[tenant * USERS_PER_TENANT + user]

    def note(self, error: quire.Error) -> None:
        self.error = f"{error.code_name}: {error.message}"

    def finish(self) -> None:
        for ctx in self.contexts:
            ctx.close()
        self.contexts.clear()
        if self.db is not None:
            self.db.close()
        self.db = None


def sqlite_path(url: str) -> str:
    if not url.startswith("sqlite:") or url == "sqlite::memory:":
        return ""
    return url[len("sqlite:"):]


def file_size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def peak_rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def reset_peak_rss() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as out:
            out.write("5")
    except OSError:
        pass


def load_average() -> str:
    try:
        with open("/proc/loadavg") as load:
            return " ".join(load.read().split()[:3])
    except OSError:
        return ""


COUNTS = dict(create=20000, update=20000, publish=5000, get=50000, list=5000, search=2000,
              versions=2000, restore=1000, audit=1000)


def run_create(driver: Driver, vocab: Vocabulary, rng: Rng, count: int, posts: List[PostState],
               name: str) -> Phase:
    timer = Timer(name)
    lat = timer.latencies
    clock = time.perf_counter
    for i in range(count):
        op = timer.untimed(lambda: make_create(vocab, rng, i))
        posts_engine = driver.ctx(op.tenant, op.actor).posts
        start = clock()
        try:
            post = posts_engine.create(title=op.title, body=op.body, tags=op.tags,
                                       category=op.category)
            lat.append((clock() - start) * 1e6)
        except quire.Error as error:
            lat.append((clock() - start) * 1e6)
            driver.note(error)
            timer.fail(driver.error)
            continue
        posts.append(PostState(op.tenant, op.actor, post.id, post.slug))
        timer.result.check += len(post.slug)
    return timer.finish()


def editor_or_author(rng: Rng, post: PostState) -> int:
    return post.author if rng.below(2) == 0 else 1 + rng.below(2)


def run(driver: Driver, scale: float, full_driver: Optional[Driver], full_create: int) -> Dict[str, Any]:
    counts = {k: max(1, round(v * scale)) for k, v in COUNTS.items()}
    report: Dict[str, Any] = {"load_start": load_average()}
    begin = time.perf_counter()
    rng = Rng(SEED)
    vocab = Vocabulary(rng)
    driver.setup()
    report["setup_seconds"] = time.perf_counter() - begin
    reset_peak_rss()
    phases_begin = time.perf_counter()
    clock = time.perf_counter
    phases: List[Phase] = []
    posts: List[PostState] = []
    phases.append(run_create(driver, vocab, rng, counts["create"], posts, "create"))
    if not posts:
        sys.exit(f"w1.py: no post was created: {phases[-1].first_error}")

    def random_post() -> PostState:
        return posts[rng.below(len(posts))]

    def timed(timer: Timer, fn: Callable[[], Any]) -> Tuple[bool, Any]:
        start = clock()
        try:
            out = fn()
            ok = True
        except quire.Error as error:
            out = error
            ok = False
        timer.latencies.append((clock() - start) * 1e6)
        if not ok:
            driver.note(out)
        return ok, out

    # update: a random post, by its author or an editor, expecting the version it is at
    timer = Timer("update")
    for _ in range(counts["update"]):
        post = random_post()
        actor, title, body = timer.untimed(
            lambda: (editor_or_author(rng, post), make_title(vocab, rng), make_body(vocab, rng)))
        posts_engine = driver.ctx(post.tenant, actor).posts
        ok, out = timed(timer, lambda: posts_engine.update(post.id, expected_version=post.version,
                                                           title=title, body=body))
        if not ok:
            timer.fail(driver.error)
            continue
        post.version = out.version
        timer.result.check += out.version
    phases.append(timer.finish())

    # publish: a random draft
    timer = Timer("publish")
    drafts = sum(1 for p in posts if not p.published)
    i = 0
    while i < counts["publish"] and drafts > 0:
        i += 1
        while True:
            post = random_post()
            if not post.published:
                break
        engine = driver.ctx(post.tenant, editor_or_author(rng, post)).posts
        ok, _ = timed(timer, lambda: engine.publish(post.id))
        if not ok:
            timer.fail(driver.error)
            continue
        post.published = True
        drafts -= 1
        timer.result.check += 1
    phases.append(timer.finish())

    # get: a random post by (tenant, slug), as a random member of its tenant
    timer = Timer("get")
    lat = timer.latencies
    for _ in range(counts["get"]):
        post = random_post()
        engine = driver.ctx(post.tenant, rng.below(USERS_PER_TENANT)).posts
        start = clock()
        try:
            engine.get_by_slug(post.slug)
            lat.append((clock() - start) * 1e6)
            timer.result.check += 1
        except quire.NotFound:
            lat.append((clock() - start) * 1e6)
        except quire.Error as error:
            lat.append((clock() - start) * 1e6)
            driver.note(error)
            timer.fail(driver.error)
    phases.append(timer.finish())

    # list: pages 1..10 of a tenant's published posts, newest first, as a random member
    timer = Timer("list")
    tenant = actor = 0
    for i in range(counts["list"]):
        if i % 10 == 0:
            tenant = rng.below(TENANTS)
            actor = rng.below(USERS_PER_TENANT)
        first_page = i % 10 == 0
        if first_page:
            driver.cursor = None
        elif driver.cursor is None:
            timer.latencies.append(0.0)  # the C++ driver returns 0 items at once, timed too
            continue
        engine = driver.ctx(tenant, actor).posts
        cursor = driver.cursor
        ok, page = timed(timer, lambda: engine.list(status="published", order="-published_at",
                                                    limit=20, cursor=cursor))
        if not ok:
            timer.fail(driver.error)
            continue
        driver.cursor = page.next_cursor
        timer.result.check += len(page.items)
    phases.append(timer.finish())

    # search: one vocabulary word within a tenant, top 20, as a random member
    timer = Timer("search")
    for _ in range(counts["search"]):
        tenant = rng.below(TENANTS)
        actor = rng.below(USERS_PER_TENANT)
        word = vocab.uniform(rng)
        engine = driver.ctx(tenant, actor).posts
        ok, hits = timed(timer, lambda: engine.search(word, 20))
        if not ok:
            timer.fail(driver.error)
            continue
        timer.result.check += len(hits)
    phases.append(timer.finish())

    # versions: list the versions of a random post, as a member who may edit it
    timer = Timer("versions")
    for _ in range(counts["versions"]):
        post = random_post()
        versions = driver.ctx(post.tenant, editor_or_author(rng, post)).versions
        ok, listed = timed(timer, lambda: versions.list(post.id))
        if not ok:
            timer.fail(driver.error)
            continue
        timer.result.check += len(listed)
    phases.append(timer.finish())

    # restore: a random post with history back to an earlier version, by an editor
    timer = Timer("restore")
    i = tries = 0
    while i < counts["restore"] and tries < 100 * counts["restore"]:
        tries += 1
        post = random_post()
        if post.version < 2:
            continue
        actor = 1 + rng.below(2)
        number = rng.between(1, post.version - 1)
        i += 1
        versions = driver.ctx(post.tenant, actor).versions
        ok, restored = timed(timer, lambda: versions.restore(post.id, number))
        if not ok:
            timer.fail(driver.error)
            continue
        post.version = restored.version
        timer.result.check += restored.version
    phases.append(timer.finish())

    # audit: the newest 50 entries of a tenant for resource type post, as its admin
    timer = Timer("audit")
    for _ in range(counts["audit"]):
        audit = driver.ctx(rng.below(TENANTS), ADMIN_USER).audit
        ok, page = timed(timer, lambda: audit.query(resource_type="post", limit=50))
        if not ok:
            timer.fail(driver.error)
            continue
        timer.result.check += len(page.items)
    phases.append(timer.finish())

    report["wall_seconds"] = time.perf_counter() - phases_begin
    report["peak_rss_workload_kib"] = peak_rss_kib()
    path = sqlite_path(driver.url)
    report["db_file_bytes"] = file_size(path) if path else 0
    report["db_wal_bytes"] = file_size(path + "-wal") if path else 0
    driver.finish()

    if full_driver is not None and full_create > 0:
        full_rng = Rng(SEED)
        full_vocab = Vocabulary(full_rng)
        full_driver.setup()
        phases.append(run_create(full_driver, full_vocab, full_rng, full_create, [], "create_full"))
        full_driver.finish()
    report["peak_rss_kib"] = peak_rss_kib()
    report["total_seconds"] = time.perf_counter() - begin
    report["load_end"] = load_average()
    report["phases"] = phases
    return report


def to_json(config: argparse.Namespace, report: Dict[str, Any]) -> Dict[str, Any]:
    phases = []
    for p in report["phases"]:
        phases.append({
            "name": p.name, "ops": p.ops, "errors": p.errors, "seconds": round(p.seconds, 6),
            "ops_per_s": round(p.ops_per_s(), 1), "mean_us": round(p.mean_us(), 2),
            "p50_us": round(p.p50_us, 2), "p99_us": round(p.p99_us, 2), "max_us": round(p.max_us, 1),
            "cpu_seconds": round(p.cpu_seconds, 6), "cpu_us": round(p.cpu_us(), 2),
            "write_bytes": p.write_bytes, "write_calls": p.write_calls, "check": p.check,
            "skipped": p.skipped, "first_error": p.first_error,
        })
    return {
        "program": "w1-python",
        "library": f"quire {quire.library_version()} via Python {sys.version.split()[0]} ctypes",
        "scale": config.scale,
        "backend": config.backend,
        "synchronous": config.synchronous,
        "schema": "lean",
        "setup_seconds": round(report["setup_seconds"], 3),
        "wall_seconds": round(report["wall_seconds"], 3),
        "total_seconds": round(report["total_seconds"], 3),
        "peak_rss_kib": report["peak_rss_kib"],
        "peak_rss_workload_kib": report["peak_rss_workload_kib"],
        "db_file_bytes": report["db_file_bytes"],
        "db_wal_bytes": report["db_wal_bytes"],
        "db_bytes": report["db_file_bytes"] + report["db_wal_bytes"],
        "load_start": report["load_start"],
        "load_end": report["load_end"],
        "nproc": os.cpu_count(),
        "phases": phases,
    }


def print_text(data: Dict[str, Any]) -> None:
    print(f"{data['program']} on {data['backend']} ({data['library']}), scale {data['scale']:g},"
          f" synchronous={data['synchronous'].upper()}")
    print(f"{'phase':<12} {'ops':>9} {'errors':>7} {'ops/s':>11} {'mean us':>10} {'p50 us':>10}"
          f" {'p99 us':>10} {'cpu us':>10}")
    for p in data["phases"]:
        print(f"{p['name']:<12} {p['ops']:>9} {p['errors']:>7} {p['ops_per_s']:>11.0f}"
              f" {p['mean_us']:>10.1f} {p['p50_us']:>10.1f} {p['p99_us']:>10.1f} {p['cpu_us']:>10.1f}")
        if p["errors"]:
            print(f"  first error: {p['first_error']}")
    print(f"setup {data['setup_seconds']:.1f} s, phases {data['wall_seconds']:.1f} s (wall), total"
          f" {data['total_seconds']:.1f} s; peak RSS {data['peak_rss_kib'] / 1024:.1f} MiB; database"
          f" {data['db_file_bytes'] / 1048576:.1f} MiB + WAL {data['db_wal_bytes'] / 1048576:.1f} MiB")


def print_compare(data: Dict[str, Any], cpp_path: str) -> None:
    with open(cpp_path) as f:
        cpp = {p["name"]: p for p in json.load(f)["phases"]}
    print("\n| phase | Python ops/s | C++ ops/s | Python p50 µs | C++ p50 µs | Python p99 µs |"
          " C++ p99 µs | Python ÷ C++ (time/op) | ÷ at p50 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for p in data["phases"]:
        c = cpp.get(p["name"])
        if c is None or not p["ops"] or not c["ops_per_s"]:
            continue
        print(f"| {p['name']} | {p['ops_per_s']:,.0f} | {c['ops_per_s']:,.0f} | {p['p50_us']:,.1f} |"
              f" {c['p50_us']:,.1f} | {p['p99_us']:,.1f} | {c['p99_us']:,.1f} |"
              f" {c['ops_per_s'] / p['ops_per_s']:.2f} | {p['p50_us'] / c['p50_us']:.2f} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--backend", default="sqlite:build/w1-python.db")
    parser.add_argument("--full-backend", default="")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--synchronous", choices=["normal", "full"], default="normal")
    parser.add_argument("--full-create", type=int, default=2000)
    parser.add_argument("--compare", default="", help="a C++ w1 --json report to compare with")
    config = parser.parse_args()
    if not 0 < config.scale <= 1000:
        parser.error("--scale must be a number above 0 (and at most 1000)")
    if not config.full_backend:
        path = sqlite_path(config.backend)
        config.full_backend = f"sqlite:{path}-full" if path else config.backend
    driver = Driver(config.backend, config.synchronous)
    full = Driver(config.full_backend, "full")
    report = run(driver, config.scale, full, config.full_create)
    data = to_json(config, report)
    if config.json:
        print(json.dumps(data))
    else:
        print_text(data)
    if config.compare:
        print_compare(data, config.compare)
    return 0 if all(p["errors"] == 0 for p in data["phases"]) else 1


if __name__ == "__main__":
    sys.exit(main())
