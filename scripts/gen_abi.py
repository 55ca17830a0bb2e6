#!/usr/bin/env python3
"""Generates quire's C ABI surfaces from one definition, capi/quire.abi.json.

    python3 scripts/gen_abi.py            writes every generated file
    python3 scripts/gen_abi.py --check    writes nothing; exits 1 naming the stale files
    python3 scripts/gen_abi.py --format   rewrites the definition in its canonical layout

Generated (committed): the records comment and the declarations of include/quire.h (between
their GENERATED markers), capi/quire.symbols, capi/abi_fields.hpp (the decoders' known fields),
bindings/python/quire/{_abi,_record_types,_generated}.py, bindings/node/src/abi_functions.inc,
bindings/node/lib/generated.js and the generated regions of bindings/node/index.d.ts.
Standard library only. docs/c-abi.md describes the definition and the workflow.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections import OrderedDict
from typing import Any, Dict, Iterable, List, Optional, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFINITION = "capi/quire.abi.json"
NOTICE = "Generated from capi/quire.abi.json by scripts/gen_abi.py: do not edit, run scripts/quire gen."
WIDTH = 100
RULE = 97  # the width of quire.h's section rules

Def = Dict[str, Any]


def load() -> Def:
    with open(os.path.join(ROOT, DEFINITION), encoding="utf-8") as f:
        return json.load(f, object_pairs_hook=OrderedDict)


def available(item: Def) -> bool:
    """False for entries another branch adds ("available": false): skipped until it lands."""
    return item.get("available", True) is not False


def functions(d: Def) -> Iterable[Def]:
    for section in d["sections"]:
        for item in section["items"]:
            if item["kind"] == "function" and available(item):
                yield item


def ins(fn: Def) -> List[Def]:
    return [p for p in fn["params"] if p["role"] == "in"]


def outs(fn: Def) -> List[Def]:
    return [p for p in fn["params"] if p["role"] == "out"]


def doc_of(d: Def, fn: Def) -> List[str]:
    if "doc" in fn:
        return fn["doc"]
    for other in functions(d):
        if other["name"] == fn["shares_doc_with"]:
            return other["doc"]
    raise KeyError(fn["shares_doc_with"])


def camel(name: str) -> str:
    return re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), name)


# ---- canonical layout of the definition ---------------------------------------------------------


def dump_json(value: Any, indent: int = 0, prefix: int = 0) -> str:
    """JSON with objects and lists on one line while they fit in WIDTH, else one item a line."""
    flat = json.dumps(value, ensure_ascii=False)
    if indent + prefix + len(flat) <= WIDTH or not isinstance(value, (dict, list)) or not value:
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            name = json.dumps(key, ensure_ascii=False) + ": "
            items.append(pad + name + dump_json(item, indent + 2, len(name) + 1))
    else:
        items = [pad + dump_json(item, indent + 2, 1) for item in value]
    return ("{" if isinstance(value, dict) else "[") + "\n" + ",\n".join(items) + "\n" + \
        " " * indent + ("}" if isinstance(value, dict) else "]")


# ---- C: quire.h --------------------------------------------------------------------------------


def c_comment(lines: List[str], first: str = "/* ") -> List[str]:
    """A C comment holding `lines`, closed on its last line, as quire.h writes them."""
    out = []
    for i, line in enumerate(lines):
        prefix = first if i == 0 else (" * " if line else " *")
        out.append((prefix + line) if line or i == 0 else prefix)
    out[-1] += " */"
    return out


def declaration(fn: Def) -> List[str]:
    head = f"QUIRE_EXPORT {fn['returns']} {fn['name']}("
    params = [f"{p['type']} {p['name']}" for p in fn["params"]] or ["void"]
    pieces = [p + "," for p in params[:-1]] + [params[-1] + ");"]
    lines = [head]
    for piece in pieces:
        if lines[-1].endswith("(") or len(lines[-1]) + 1 + len(piece) <= WIDTH:
            lines[-1] += ("" if lines[-1].endswith("(") else " ") + piece
        else:
            lines.append(" " * len(head) + piece)
    if any(len(line) > WIDTH for line in lines):  # clang-format then breaks after the parenthesis
        lines = [head]
        for piece in pieces:
            if lines[-1].endswith("(") and len(lines) == 1:
                lines.append("    " + piece)
            elif len(lines[-1]) + 1 + len(piece) <= WIDTH:
                lines[-1] += " " + piece
            else:
                lines.append("    " + piece)
    return lines


def section_header(section: Def) -> List[str]:
    title = f"/* ---- {section['title']} "
    if not section["doc"]:
        return [title + "-" * (RULE - len(title) - 3) + " */"]
    return [title + "-" * (RULE - 3 - len(title))] + c_comment(section["doc"], first=" * ")


def header_declarations(d: Def) -> str:
    out: List[str] = []
    for section in d["sections"]:
        items = [i for i in section["items"] if available(i)]
        if not items:
            continue
        out += ["", *section_header(section)]
        previous = None
        for item in items:
            shares = item.get("shares_doc_with") and previous == item["shares_doc_with"]
            if not shares:
                if item.get("blank_before", True):
                    out.append("")
                if item.get("doc"):
                    out += c_comment(item["doc"])
            if item["kind"] == "typedef":
                out.append(item["c"])
                previous = None
            else:
                out += declaration(item)
                previous = item.get("shares_doc_with", item["name"])
    return "\n".join(out[1:]) + "\n"


def header_records(d: Def) -> str:
    lines = []
    for record in d["records"].values():
        lines += [(" *   " + line).rstrip() for line in record.get("header_doc", [])]
    return "\n".join(lines) + "\n"


def replace_region(text: str, name: str, body: str, path: str) -> str:
    begin = re.search(rf"^.*BEGIN GENERATED {name}\b.*\n", text, re.M)
    end = re.search(rf"^.*END GENERATED {name}\b.*$", text, re.M)
    if not begin or not end or end.start() < begin.end():
        raise SystemExit(f"gen_abi: {path} lacks the BEGIN/END GENERATED {name} markers")
    return text[: begin.end()] + body + text[end.start():]


def gen_header(d: Def, current: str) -> str:
    text = replace_region(current, "records", header_records(d), "include/quire.h")
    return replace_region(text, "declarations", header_declarations(d), "include/quire.h")


def gen_symbols(d: Def) -> str:
    names = sorted((fn["name"] for fn in functions(d)), key=lambda s: s.encode())
    head = [
        "# The C symbols libquire exports, one a line, sorted with LC_ALL=C. A symbol is only ever added:",
        "# tests/capi/check_symbols.sh fails when the built library and this list differ.",
        "# " + NOTICE,
    ]
    return "\n".join(head + names) + "\n"


def gen_fields_hpp(d: Def) -> str:
    out = [
        "#pragma once",
        "// The fields each JSON input of the C ABI accepts, for the decoders' Fields (json.hpp): a field",
        "// not listed is refused as unknown.",
        "// " + NOTICE,
        "",
        "#include <string_view>",
        "",
        "// clang-format off",
        "namespace quire::capi::known {",
        "",
    ]
    for name, spec in d["inputs"].items():
        names = ", ".join(f'"{f["name"]}"' for f in spec["fields"])
        line = f"inline constexpr std::string_view {name}[] = {{{names}}};"
        if len(line) > WIDTH:
            body = f"inline constexpr std::string_view {name}[] = {{"
            out.append(body)
            cur = "    "
            for i, f in enumerate(spec["fields"]):
                piece = f'"{f["name"]}"' + ("," if i + 1 < len(spec["fields"]) else "};")
                if len(cur) + len(piece) + 1 > WIDTH:
                    out.append(cur.rstrip())
                    cur = "    "
                cur += piece + " "
            out.append(cur.rstrip())
        else:
            out.append(line)
    out += ["", "}  // namespace quire::capi::known", "// clang-format on", ""]
    return "\n".join(out)


# ---- Python -------------------------------------------------------------------------------------

PY_HEAD = '"""{doc}\n\n' + NOTICE + '\n"""\n\n# fmt: off\nfrom __future__ import annotations\n\n'

CTYPES = {
    "quire_status": "_status", "int32_t": "c_int32", "int64_t": "c_int64", "const char*": "c_char_p",
    "void*": "c_void_p", "void": "None", "size_t": "c_size_t", "int64_t*": "POINTER(c_int64)",
    "quire_transaction_fn": "TRANSACTION_FN", "quire_write_fn": "WRITE_FN",
}


def ctype(c: str) -> str:
    if c in CTYPES:
        return CTYPES[c]
    if c.endswith("**"):
        return "_out"
    if c.startswith("quire_") and c.endswith("*"):
        return "c_void_p"  # a handle
    raise SystemExit(f"gen_abi: no ctypes type for the C type {c!r}")


def gen_py_abi(d: Def) -> str:
    out = [PY_HEAD.format(doc="The C functions of libquire and their ctypes types (quire.h's declarations).")]
    out.append("import ctypes\nfrom ctypes import POINTER, c_char_p, c_int32, c_int64, c_size_t, c_void_p\n"
               "from typing import Any, Dict, Sequence, Tuple\n\n")
    out.append(f"#: The ABI this binding was written for: quire_abi_version() must return it.\n"
               f"ABI_VERSION = {d['abi_version']}\n\n")
    out.append("_status = c_int32\n_out = POINTER(c_void_p)  # char** and quire_xxx** out-parameters\n\n")
    for section in d["sections"]:
        for item in section["items"]:
            if item["kind"] == "typedef" and "(*" in item["c"] and available(item):
                fn = parse_fn_typedef(item["c"])
                py = {"quire_transaction_fn": "TRANSACTION_FN", "quire_write_fn": "WRITE_FN"}[fn[0]]
                args = ", ".join([ctype(fn[1])] + [ptr_as_void(t) for t in fn[2]])
                out.append(f"# {item['c']}\n{py} = ctypes.CFUNCTYPE({args})\n")
    out.append("\n# name -> (restype, argtypes). Out-parameters come first, as in quire.h.\n")
    out.append("SIGNATURES: Dict[str, Tuple[Any, Sequence[Any]]] = {\n")
    for section in d["sections"]:
        fns = [i for i in section["items"] if i["kind"] == "function" and available(i)]
        if fns:
            out.append(f"    # {section['title'].lower()}\n")
        for fn in fns:
            args = [ctype(p["type"]) for p in fn["params"]]
            tup = "(" + ", ".join(args) + ("," if len(args) == 1 else "") + ")"
            out.append(f'    "{fn["name"]}": ({ctype(fn["returns"])}, {tup}),\n')
    out.append("}\n")
    return "".join(out)


def parse_fn_typedef(c: str) -> Tuple[str, str, List[str]]:
    m = re.match(r"typedef (.*?) \(\*(\w+)\)\((.*)\);", c)
    assert m, c
    params = [re.sub(r"\s*\w+$", "", p.strip()) for p in m.group(3).split(",")]
    return m.group(2), m.group(1), params


def ptr_as_void(c: str) -> str:
    return "c_void_p" if c.endswith("*") else ctype(c)


PY_TYPES = {"int": "int", "float": "float", "string": "str", "bool": "bool", "time": "Optional[datetime]",
            "object": "Dict[str, Any]"}


def py_field(d: Def, f: Def) -> Tuple[str, str]:
    """(annotation, default) of a record field."""
    t = f["type"]
    if t.endswith("[]"):
        inner = t[:-2]
        item = "str" if inner == "string" else d["records"][inner]["py"]
        return f"List[{item}]", "field(default_factory=list)"
    if t == "time":
        return "Optional[datetime]", "None"
    if t in d["enums"]:
        t = "string"
    if t in d["records"]:
        return d["records"][t]["py"], "None"
    ann = PY_TYPES[t]
    if f.get("nullable"):
        return f"Optional[{ann}]", "None"
    if "py_default" in f:
        return ann, json.dumps(f["py_default"]).replace("true", "True").replace("false", "False")
    return ann, {"int": "0", "float": "0.0", "str": '""', "bool": "False",
                 "Dict[str, Any]": "field(default_factory=dict)"}[ann]


def py_records(d: Def) -> List[Tuple[str, Def]]:
    return [(k, r) for k, r in d["records"].items() if not r.get("manual") and not r.get("py_manual")]


def gen_py_records(d: Def) -> str:
    out = [PY_HEAD.format(doc="The records quire returns, as dataclasses (decoding: quire._records._Record).")]
    mixins = sorted({r["py_mixin"] for _, r in py_records(d) if "py_mixin" in r})
    out.append("from dataclasses import dataclass, field\nfrom datetime import datetime\n"
               "from typing import Any, Dict, List, Optional\n\n")
    out.append("from ._records import " + ", ".join(["_Record"] + mixins) + "\n")
    for key, r in py_records(d):
        base = d["records"][r["extends"]]["py"] if "extends" in r else "_Record"
        bases = ", ".join(([r["py_mixin"]] if "py_mixin" in r else []) + [base])
        out.append(f"\n\n@dataclass\nclass {r['py']}({bases}):\n")
        if r.get("doc"):
            out.append(f'    """{r["doc"]}"""\n\n')
        times, renames, nested = [], {}, {}
        for f in r["fields"]:
            name = f.get("py_name", f["name"])
            ann, default = py_field(d, f)
            out.append(f"    {name}: {ann} = {default}\n")
            if f["type"] == "time":
                times.append(name)
            if name != f["name"]:
                renames[name] = f["name"]
            inner = f["type"][:-2] if f["type"].endswith("[]") else f["type"]
            if inner in d["records"]:
                nested[name] = d["records"][inner]["py"]
        if times:
            out.append(f"    _times = ({', '.join(json.dumps(t) for t in times)}{',' if len(times) == 1 else ''})\n")
        if renames:
            out.append(f"    _renames = {json.dumps(renames)}\n")
        if nested:
            out.append("    _nested = {" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in nested.items()) + "}\n")
    out.append("\n\nRECORDS = {\n" + "".join(f'    "{k}": {r["py"]},\n' for k, r in py_records(d)) + "}\n")
    return "".join(out)


def regular(fn: Def, binding: str) -> Optional[Def]:
    spec = fn.get("bindings", {}).get(binding)
    return spec if isinstance(spec, dict) else None


def engine_fns(d: Def, engine: str, binding: str) -> List[Tuple[Def, Def]]:
    return [(fn, spec) for fn in functions(d)
            if fn["bindings"].get("engine") == engine and (spec := regular(fn, binding))]


def result_of(fn: Def) -> Optional[Def]:
    out = outs(fn)
    if not out:
        return None
    if len(out) != 1 or out[0]["type"] != "char**":
        raise SystemExit(f"gen_abi: {fn['name']} is not a regular shape: mark its bindings manual")
    return out[0]["result"]


PY_ARG = {"post": "_post_id", "user": "_user_id", "limit": "_limit"}


def py_param(p: Def, name: str, default: Any) -> Tuple[str, str]:
    """(the Python parameter, the expression passing it to C)."""
    t, arg, has_default = p["type"], p.get("arg"), default is not _NONE
    nullable = has_default and default is None
    if arg == "tenant":
        ann, conv = "Union[str, int]", f"_tenant({name})"
    elif arg == "time":
        ann = "Optional[TimeLike]" if nullable else "TimeLike"
        conv = f'_{"opt_" if nullable else ""}time_arg({name}, "{name}")'
    elif t == "int64_t" or t == "int32_t":
        ann = "int"
        conv = f'{PY_ARG.get(arg, "_int" if t == "int64_t" else "_int32")}({name}, "{name}")'
    elif t == "const char*":
        ann = "Optional[str]" if nullable else "str"
        conv = f'{"_opt_text" if nullable else "_text"}({name}, "{name}")'
    else:
        raise SystemExit(f"gen_abi: no Python conversion for {t} {p['name']}")
    text = f"{name}: {ann}" + (f" = {py_literal(default)}" if has_default else "")
    return text, conv


_NONE = object()


def py_literal(value: Any) -> str:
    if isinstance(value, list):
        return "()"
    return json.dumps(value).replace("null", "None").replace("true", "True").replace("false", "False")


PY_FIELD = {"string": ("str", "_str"), "int": ("int", "_int"), "bool": ("bool", "_bool"),
            "object": ("Optional[Dict[str, Any]]", "_dict_or_none"), "string[]": ("Sequence[str]", "_str_list"),
            "time": ("TimeLike", "_time"), "tenant": ("Union[str, int]", "_tenant_value")}


def py_keywords(d: Def, input_name: str, defaults: Def) -> Tuple[List[str], List[str]]:
    """The parameters and the body lines building a JSON input from keyword arguments."""
    params, body = [], ["record: Dict[str, Any] = {}"]
    for f in d["inputs"][input_name]["fields"]:
        name, t = f["name"], f["type"]
        t = "string" if t in d["enums"] else t
        ann, check = PY_FIELD[t]
        if f.get("arg") == "post":
            check = "_post_id"
        value = f'{check}({name}, "{name}")'
        if f.get("required"):
            params.append(f"{name}: {ann}")
            body.append(f'record["{name}"] = {value}')
        elif name in defaults and defaults[name] is not None:
            params.append(f"{name}: {ann} = {py_literal(defaults[name])}")
            body.append(f'record["{name}"] = {value}')
        else:
            opt = ann if ann.startswith("Optional") else f"Optional[{ann}]"
            params.append(f"{name}: {opt} = None")
            body.append(f"if {name} is not None:")
            body.append(f'    record["{name}"] = {value}')
    return params, body


def py_result(d: Def, result: Optional[Def]) -> Tuple[str, str]:
    """(annotation, the expression wrapping `data`, the decoded JSON, or `text`)."""
    if result is None:
        return "None", ""
    if "text" in result:
        return "str", "text"
    if "array" in result:
        if result["array"] == "string":
            return "List[str]", "data"
        cls = d["records"][result["array"]]["py"]
        return f"List[{cls}]", f"[{cls}.from_json(item) for item in data]"
    if "record" in result:
        cls = d["records"][result["record"]]["py"]
        if result.get("nullable"):
            return f"Optional[{cls}]", f"None if data is None else {cls}.from_json(data)"
        return cls, f"{cls}.from_json(data)"
    raise SystemExit(f"gen_abi: no Python shape for the result {result}")


def py_method(d: Def, fn: Def, spec: Def) -> List[str]:
    rename, defaults = spec.get("rename", {}), spec.get("defaults", {})
    params, args, pre = ["self"], [], []
    for p in ins(fn)[1:]:
        if p.get("input"):
            if spec.get("json") == "passthrough":
                params.append("**fields: Any")
                args.append('_json(fields, "fields")')
            elif spec.get("json") == "keywords":
                kw, pre = py_keywords(d, p["input"], defaults)
                params += kw
                args.append(f'_json(record, "{p["name"].removesuffix("_json")}")')
            else:
                raise SystemExit(f"gen_abi: {fn['name']}: the Python binding needs a json mode")
            continue
        name = rename.get(p["name"], p["name"])
        text, conv = py_param(p, name, defaults.get(p["name"], _NONE))
        params.append(text)
        args.append(conv)
    ann, wrap = py_result(d, result_of(fn))
    call_args = ", ".join([f'"{fn["name"]}"'] + args)
    if len(call_args) > 60:
        # the lines are inside one string: they carry the class's indentation themselves
        call_args = "\n" + "".join(f"            {a},\n" for a in [f'"{fn["name"]}"'] + args) + "        "
    lines = [f"def {spec['method']}({', '.join(params)}) -> {ann}:"]
    if len(lines[0]) + 4 > WIDTH:
        lines = [f"def {spec['method']}(", *[f"    {p}," for p in params], f") -> {ann}:"]
    if spec.get("doc"):
        lines.append(f'    """{spec["doc"]}"""')
    lines += ["    " + line for line in pre]
    call_lines: List[str] = []
    if ann == "None":
        lines.append(f"    self._ctx._void({call_args})")
    elif wrap == "text":
        lines.append(f"    return self._ctx._string({call_args})")
    elif wrap == "data":
        lines.append(f"    return self._ctx._json({call_args})  # type: ignore[no-any-return]")
    else:
        lines.append(f"    data = self._ctx._json({call_args})")
        lines.append(f"    return {wrap}")
    return lines


def gen_py_methods(d: Def) -> str:
    out = [PY_HEAD.format(doc="The regular methods of the engines and the JSON inputs' field lists.\n\n"
                              "quire._core's engine classes derive from these and add the hand-written\n"
                              "methods (those the definition marks \"manual\").")]
    out.append("from typing import Any, Dict, List, Optional, Sequence, Union\n\n")
    out.append("from ._args import (\n    TimeLike,\n    _bool,\n    _dict_or_none,\n    _Engine,\n"
               "    _int,\n    _int32,\n    _json,\n    _limit,\n    _opt_text,\n    _opt_time_arg,\n"
               "    _post_id,\n    _str,\n    _str_list,\n    _tenant,\n    _tenant_value,\n    _text,\n"
               "    _time,\n    _time_arg,\n    _user_id,\n)\n")
    classes = sorted({r["py"] for k, r in py_records(d)})
    out.append("from ._record_types import (  # noqa: F401\n" + "".join(f"    {c},\n" for c in classes) + ")\n")
    out.append("\n#: The fields of each JSON input of the C ABI (capi/quire.abi.json).\nFIELDS = {\n")
    for name, spec in d["inputs"].items():
        out.append(f'    "{name}": ({", ".join(json.dumps(f["name"]) for f in spec["fields"])},),\n')
    out.append("}\n")
    for engine, espec in d["engines"].items():
        out.append(f"\n\nclass {espec['py']}Methods(_Engine):\n")
        out.append(f'    """The generated methods of {espec["doc"].split(":")[0]}."""\n\n    __slots__ = ()\n')
        for fn, spec in engine_fns(d, engine, "python"):
            out.append("\n" + "".join(f"    {line}\n" for line in py_method(d, fn, spec)))
    return "".join(out)


# ---- Node ---------------------------------------------------------------------------------------

JS_HEAD = "'use strict';\n// {doc}\n// " + NOTICE + "\n"


def gen_addon_inc(d: Def) -> str:
    out = ["// The C functions the addon registers with the generic Caller<F> (src/addon.cpp includes this",
           "// inside Init); those the definition marks \"addon\": \"manual\" are written out in addon.cpp.",
           "// " + NOTICE]
    for section in d["sections"]:
        fns = [f for f in section["items"] if f["kind"] == "function" and available(f)
               and f["bindings"].get("addon") != "manual"]
        if fns:
            out.append(f"\n// {section['title']}")
        for fn in fns:
            out.append(f'QUIRE_FN("{fn["name"].removeprefix("quire_")}", {fn["name"]});')
    return "\n".join(out) + "\n"


def js_checker(d: Def, f: Def) -> Optional[str]:
    t = f["type"]
    t = "string" if t in d["enums"] else t
    base = {"string": "string", "int": "int", "bool": "bool", "object": "object", "string[]": "strings",
            "time": "time", "tenant": "tenant"}.get(t)
    if base is None:
        return None  # nested inputs: passed on for the library to check
    if f.get("nullable"):
        base = {"string": "nstring", "int": "nint", "time": "ntime"}[base]
    return f"T.{base}"


def js_method(d: Def, fn: Def, spec: Def) -> List[str]:
    rename = spec.get("rename", {})
    params, args = [], ["this._ctx._h"]
    for p in ins(fn)[1:]:
        if p.get("input"):
            label = spec["json"]
            params.append(label)
            args.append(f"json(toC({label}, '{label}', FIELDS.{p['input']}))")
            continue
        name = camel(rename.get(p["name"], p["name"]))
        params.append(name)
        t, arg, nullable = p["type"], p.get("arg"), p.get("nullable")
        if arg == "tenant":
            args.append(f"C.tenant({name})")
        elif arg == "time":
            args.append(f"C.{'optTime' if nullable else 'time'}({name}, '{name}')")
        elif t in ("int64_t", "int32_t"):
            args.append(f"id({name}, '{name}')")
        elif t == "const char*":
            args.append(f"C.{'optString' if nullable else 'string'}({name}, '{name}')")
        else:
            raise SystemExit(f"gen_abi: no Node conversion for {t} {p['name']}")
    call = f"native.{fn['name'].removeprefix('quire_')}({', '.join(args)})"
    result = result_of(fn)
    body = call if result is None or "text" in result else f"decode({call})"
    body = body + ";" if result is None else f"return {body};"
    return [f"{spec['method']}({', '.join(params)}) {{", f"  {body}", "}"]


def gen_node_js(d: Def) -> str:
    out = [JS_HEAD.format(doc="The regular methods of the engines and the JSON inputs' field checkers. index.js's "
                               "engine\n// classes extend these and add the hand-written methods (those the "
                               "definition marks \"manual\")."), "\n"]
    out.append("const C = require('./convert');\n\nconst { decode, T, toC } = C;\nconst json = JSON.stringify;\n"
               "const id = C.integer;\n\n")
    out.append("// The fields of each JSON input of the C ABI, camelCase, with their checkers (convert.js's T).\n"
               "const FIELDS = {\n")
    for name, spec in d["inputs"].items():
        out.append(f"  {name}: {{\n")
        for f in spec["fields"]:
            check = js_checker(d, f)
            if check:
                out.append(f"    {camel(f['name'])}: {check},\n")
        out.append("  },\n")
    out.append("};\n\n")
    out.append("// The engine bases, over the addon `native`.\nfunction engines(native) {\n")
    names = []
    for engine, espec in d["engines"].items():
        cls = f"{espec['ts']}Methods"
        names.append(cls)
        out.append(f"  class {cls} {{\n    constructor(ctx) {{\n"
                   f"      Object.defineProperty(this, '_ctx', {{ value: ctx }});\n    }}\n")
        for fn, spec in engine_fns(d, engine, "node"):
            out.append("".join(f"    {line}\n" for line in js_method(d, fn, spec)))
        out.append("  }\n")
    out.append(f"  return {{ {', '.join(names)} }};\n}}\n\nmodule.exports = {{ FIELDS, engines }};\n")
    return "".join(out)


def ts_type(d: Def, t: str, time: str = "Date") -> str:
    if t.endswith("[]"):
        inner = t[:-2]
        return f"{ts_type(d, inner, time)}[]" if inner in ("string",) or inner in d["records"] else "unknown[]"
    if t in d["enums"]:
        e = d["enums"][t]
        return e.get("ts") or " | ".join(f"'{v}'" for v in e["values"])
    if t in d["records"]:
        return d["records"][t]["ts"]
    return {"int": "number", "float": "number", "string": "string", "bool": "boolean", "time": time,
            "object": "JsonObject", "tenant": "TenantRef"}.get(t, "unknown")


def ts_fields(d: Def, fields: List[Def], indent: str, inputs: bool) -> List[str]:
    out = []
    for f in fields:
        if f.get("doc"):
            out.append(f"{indent}/** {f['doc']} */")
        typ = ts_type(d, f["type"], "TimeInput" if inputs else "Date")
        if f.get("nullable"):
            typ += " | null"
        opt = "?" if inputs and not f.get("required") else ""
        out.append(f"{indent}{camel(f['name'])}{opt}: {typ};")
    return out


def ts_inline(d: Def, input_name: str) -> str:
    spec = d["inputs"][input_name]
    if spec.get("ts"):
        return spec["ts"]
    return "{ " + " ".join(ts_fields(d, spec["fields"], "", True)) + " }"


def ts_records(d: Def) -> str:
    out = []
    for e in d["enums"].values():
        if e.get("ts"):
            out += ["", f"export type {e['ts']} = {' | '.join(repr(v) for v in e['values'])};"]
    for r in d["records"].values():
        if r.get("manual") or r.get("ts_manual"):
            continue
        ext = f" extends {d['records'][r['extends']]['ts']}" if "extends" in r else ""
        out += ["", f"export interface {r['ts']}{ext} {{", *ts_fields(d, r["fields"], "  ", False), "}"]
    return "\n".join(out[1:]).replace('"', "'") + "\n"


def ts_inputs(d: Def) -> str:
    out = []
    for spec in d["inputs"].values():
        if spec.get("ts"):
            out += ["", f"export interface {spec['ts']} {{", *ts_fields(d, spec["fields"], "  ", True), "}"]
    return "\n".join(out[1:]) + "\n"


def ts_method(d: Def, fn: Def, spec: Def) -> str:
    rename, params = spec.get("rename", {}), []
    for p in ins(fn)[1:]:
        if p.get("input"):
            opt = "?" if p.get("nullable") else ""
            params.append(f"{spec['json']}{opt}: {ts_inline(d, p['input'])}")
            continue
        name = camel(rename.get(p["name"], p["name"]))
        t, arg = p["type"], p.get("arg")
        typ = ("TenantRef" if arg == "tenant" else "TimeInput" if arg == "time" else
               "Id" if t == "int64_t" else "number" if t == "int32_t" else "string")
        params.append(f"{name}{'?' if p.get('nullable') else ''}: {typ}{' | null' if p.get('nullable') else ''}")
    result = result_of(fn)
    if result is None:
        ret = "void"
    elif "text" in result:
        ret = "string"
    elif "page" in result:
        ret = f"Page<{d['records'][result['page']]['ts']}>"
    elif "array" in result:
        ret = ("string" if result["array"] == "string" else d["records"][result["array"]]["ts"]) + "[]"
    else:
        ret = d["records"][result["record"]]["ts"] + (" | null" if result.get("nullable") else "")
    return f"{spec['method']}({', '.join(params)}): {ret};"


def ts_engines(d: Def) -> str:
    out = []
    for engine, espec in d["engines"].items():
        out += ["", f"/** {espec['doc']} */", f"export interface {espec['ts']} {{"]
        out += [f"  {ts_method(d, fn, spec)}" for fn, spec in engine_fns(d, engine, "node")]
        out += [f"  {line}" for line in espec.get("ts_manual", [])]
        out.append("}")
    return "\n".join(out[1:]) + "\n"


def gen_dts(d: Def, current: str) -> str:
    path = "bindings/node/index.d.ts"
    text = replace_region(current, "records", ts_records(d), path)
    text = replace_region(text, "inputs", ts_inputs(d), path)
    return replace_region(text, "engines", ts_engines(d), path)


# ---- the files ----------------------------------------------------------------------------------


def outputs(d: Def) -> Dict[str, str]:
    """Every generated file's path and content."""
    def current(path: str) -> str:
        with open(os.path.join(ROOT, path), encoding="utf-8") as f:
            return f.read()

    return {
        "include/quire.h": gen_header(d, current("include/quire.h")),
        "capi/quire.symbols": gen_symbols(d),
        "capi/abi_fields.hpp": gen_fields_hpp(d),
        "bindings/python/quire/_abi.py": gen_py_abi(d),
        "bindings/python/quire/_record_types.py": gen_py_records(d),
        "bindings/python/quire/_generated.py": gen_py_methods(d),
        "bindings/node/src/abi_functions.inc": gen_addon_inc(d),
        "bindings/node/lib/generated.js": gen_node_js(d),
        "bindings/node/index.d.ts": gen_dts(d, current("bindings/node/index.d.ts")),
    }


def main(argv: List[str]) -> int:
    d = load()
    if "--format" in argv:
        with open(os.path.join(ROOT, DEFINITION), "w", encoding="utf-8") as f:
            f.write(dump_json(d) + "\n")
        return 0
    stale = []
    for path, text in outputs(d).items():
        full = os.path.join(ROOT, path)
        try:
            with open(full, encoding="utf-8") as f:
                same = f.read() == text
        except FileNotFoundError:
            same = False
        if same:
            continue
        stale.append(path)
        if "--check" not in argv:
            with open(full, "w", encoding="utf-8") as f:
                f.write(text)
    if "--check" in argv:
        if stale:
            print("gen_abi: stale (run scripts/quire gen): " + ", ".join(stale), file=sys.stderr)
            return 1
        print("gen_abi: every generated file is up to date")
        return 0
    print("gen_abi: wrote " + (", ".join(stale) if stale else "nothing (all up to date)"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
