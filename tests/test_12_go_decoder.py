"""The JSON layer accepts what Go's encoding/json, decoding into Docker's
profile types, accepts, and means the same by it: tests/go-decode/main.go
is that decoder, tests/profile-decode.c prints autoseccomp's reading in the
same canonical form, and for every case of a corpus of grammar classes and
real profiles the two lines must be equal, and `autoseccomp check` must
accept or refuse alike.

autoseccomp also refuses at parse time what runc refuses later (names it
does not know, a rule with no action, an argument with no op) and what is
too large for its fixed tables; the cases where that alone decides are
listed in RUNC_REFUSES with the message, never skipped silently."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import BUILD, DOCKER_PROFILE, PODMAN_PROFILE, REFERENCE, ROOT, SHARED, base_env
from test_11_json import ACCEPTED, MALFORMED

GO = shutil.which("go")
GO_DECODE = BUILD / "tests" / "go-decode"
C_DECODE = BUILD / "tests" / "profile-decode"
TOOL = BUILD / "autoseccomp"

ALLOW = '"defaultAction": "SCMP_ACT_ALLOW"'
MKDIR = '{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}'


def top(*members):
    return "{" + ", ".join((ALLOW,) + members) + "}"


def rule(*members):
    return top('"syscalls": [{' + ", ".join(('"names": ["mkdir"]', '"action": "SCMP_ACT_ERRNO"') + members) + "}]")


def arg(*members):
    return rule('"args": [{' + ", ".join(members) + "}]")


def cond(*members):
    return rule('"includes": {' + ", ".join(members) + "}")


CORPUS = {}


def case(name, text):
    assert name not in CORPUS, name
    CORPUS[name] = text.encode() if isinstance(text, str) else text


for name, text, *_ in MALFORMED:
    case("t11-" + name, text)
for name, text, *_ in ACCEPTED:
    case("t11-" + name, text)

# Every escape, in every kind of string the view keeps.
ESCAPES = {"quote": r"\"", "backslash": r"\\", "solidus": r"\/", "b": r"\b", "f": r"\f", "n": r"\n", "r": r"\r",
           "t": r"\t", "u-ascii": r"\u0041", "u-lower": r"\u00e9", "u-upper": r"\u00E9", "u-bmp": r"\uabcd",
           "u-BMP": r"\uABCD", "pair": r"\ud83d\ude00", "PAIR": r"\uD83D\uDE00", "lone-high": r"\ud800",
           "lone-low": r"\udc00", "high-then-ascii": r"\ud800\u0041", "low-then-high": r"\udc00\ud800",
           "high-high": r"\ud800\ud800", "high-high-low": r"\ud800\ud800\udc00", "high-at-end-then-text": r"\ud800x",
           "nul": r"\u0000", "u-ffff": r"\uffff", "u-fffe": r"\ufffe", "u-7f": r"\u007f", "u-80": r"\u0080"}
for name, esc in ESCAPES.items():
    case(f"escape-{name}-listener", top(f'"listenerPath": "a{esc}b"', f'"listenerMetadata": "{esc}"',
                                        '"syscalls": []'))
    case(f"escape-{name}-name", top('"syscalls": [{"names": ["mk%sdir"], "action": "SCMP_ACT_ERRNO"}]' % esc))
    case(f"escape-{name}-comment", rule(f'"comment": "{esc}"'))
    case(f"escape-{name}-caps", cond(f'"caps": ["CAP_{esc}"]'))
    case(f"escape-{name}-unknown-key", top(f'"x{esc}": 1', '"syscalls": []'))
case("escape-in-action", top('"syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_\\u0045RRNO"}]'))
case("escape-in-op", arg('"index": 0', '"value": 1', '"op": "SCMP_CMP_\\u0045Q"'))
case("escape-in-arch", top('"architectures": ["SCMP_ARCH_X86\\u005f64"]', '"syscalls": []'))
case("escape-in-flag", top('"flags": ["SECCOMP_FILTER_FLAG_\\u004cOG"]', '"syscalls": []'))
case("escape-in-min-kernel", cond('"minKernel": "4\\u002e8"'))

# Malformed UTF-8 in strings, which Go reads as U+FFFD, byte by byte.
BYTES = {"overlong-2": b"\xc0\xaf", "overlong-3": b"\xe0\x80\xaf", "overlong-4": b"\xf0\x80\x80\xaf",
         "truncated-2": b"\xc3", "truncated-3": b"\xe2\x82", "truncated-4": b"\xf0\x9f\x98", "ff": b"\xff",
         "fe": b"\xfe", "continuation": b"\x80", "surrogate": b"\xed\xa0\x80", "surrogate-low": b"\xed\xbf\xbf",
         "above-max": b"\xf4\x90\x80\x80", "f5": b"\xf5\x80\x80\x80", "valid-4": b"\xf0\x9f\x98\x80",
         "valid-3": b"\xe2\x82\xac", "valid-2": b"\xc3\xa9", "c1": b"\xc1\xbf", "truncated-then-ascii": b"\xe2x"}
for name, raw in BYTES.items():
    case(f"utf8-{name}-listener", b'{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "a' + raw + b'b", '
         b'"syscalls": []}')
    case(f"utf8-{name}-name", b'{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir' + raw +
         b'"], "action": "SCMP_ACT_ERRNO"}]}')
    case(f"utf8-{name}-key", b'{"defaultAction": "SCMP_ACT_ALLOW", "sys' + raw + b'calls": [], '
         b'"syscalls": []}')
    case(f"utf8-{name}-outside-strings", b'{"defaultAction": "SCMP_ACT_ALLOW", ' + raw + b'"syscalls": []}')

# Keys: exact, in other cases, with Go's two non-ASCII folds, and with
# letters that must not fold.
FIELDS = {"defaultAction": '"SCMP_ACT_ERRNO"', "defaultErrnoRet": "5", "defaultErrno": '"EPERM"',
          "architectures": '["SCMP_ARCH_X86_64"]', "flags": '["SECCOMP_FILTER_FLAG_LOG"]',
          "listenerPath": '"/p"', "listenerMetadata": '"m"',
          "archMap": '[{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}]',
          "syscalls": '[%s]' % MKDIR}
RULE_FIELDS = {"names": '["rmdir"]', "name": '"rmdir"', "action": '"SCMP_ACT_LOG"', "errnoRet": "3",
               "errno": '"ENOENT"', "comment": '"c"', "includes": '{"caps": ["CAP_SYS_ADMIN"]}',
               "excludes": '{"arches": ["amd64"]}',
               "args": '[{"index": 1, "value": 2, "valueTwo": 3, "op": "SCMP_CMP_MASKED_EQ"}]'}
ARG_FIELDS = {"index": "1", "value": "2", "valueTwo": "3", "op": '"SCMP_CMP_NE"'}
COND_FIELDS = {"caps": '["CAP_KILL"]', "arches": '["x86"]', "minKernel": '"5.4"'}
MAP_FIELDS = {"architecture": '"SCMP_ARCH_AARCH64"', "subArchitectures": '["SCMP_ARCH_ARM"]'}


def key_variants(key):
    yield "upper", key.upper()
    yield "lower", key.lower()
    yield "title", key[0].upper() + key[1:]
    yield "swapped", key.swapcase()
    if "s" in key.lower():
        yield "long-s", key.replace("s", "\u017f").replace("S", "\u017f")
    if "k" in key.lower():
        yield "kelvin", key.replace("k", "\u212a").replace("K", "\u212a")
    if "i" in key.lower():
        yield "dotted-I", key.replace("i", "\u0130")
        yield "dotless-i", key.replace("i", "\u0131")
    yield "fullwidth-first", chr(ord(key[0].upper()) - 0x41 + 0xff21) + key[1:]
    yield "escaped", "\\u%04x" % ord(key[0]) + key[1:]
    yield "trailing-space", key + " "
    yield "nbsp", key + "\u00a0"


def member_cases(kind, fields, build):
    for key, value in fields.items():
        case(f"key-{kind}-{key}-exact", build(f'"{key}": {value}'))
        for variant, text in key_variants(key):
            case(f"key-{kind}-{key}-{variant}", build(f'"{text}": {value}'))


member_cases("top", FIELDS, lambda m: "{" + (m if "defaultAction" in m or "DEFAULTACTION" in m.upper() and "errno"
                                              not in m.lower() else ALLOW + ", " + m) + ', "syscalls": []}'
             if '"syscalls"' not in m.lower() else "{" + ALLOW + ", " + m + "}")
member_cases("rule", RULE_FIELDS, lambda m: top('"syscalls": [{"action": "SCMP_ACT_ERRNO", %s}]' % m))
member_cases("arg", ARG_FIELDS, lambda m: arg('"op": "SCMP_CMP_EQ"', m))
member_cases("cond", COND_FIELDS, lambda m: cond(m))
member_cases("map", MAP_FIELDS, lambda m: top('"archMap": [{%s}]' % m))
# The exact name wins over a folded one, whatever their order.
case("key-exact-after-folded", top('"syscalls": [%s]' % MKDIR, '"SYSCALLS": []'))
case("key-folded-after-exact", top('"SYSCALLS": []', '"syscalls": [%s]' % MKDIR))
case("key-name-vs-names", top('"syscalls": [{"NAME": "mkdir", "action": "SCMP_ACT_ERRNO"}]'))
case("key-names-upper", top('"syscalls": [{"NAMES": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]'))

# Repeated keys: the last wins, each occurrence decoded into what the one
# before left; a wrong type in any of them is an error.
DUPLICATES = {
    "string": top('"listenerPath": "a"', '"listenerPath": "b"', '"syscalls": []'),
    "string-null": top('"listenerPath": "a"', '"listenerPath": null', '"syscalls": []'),
    "string-then-empty": top('"listenerPath": "a"', '"listenerPath": ""', '"syscalls": []'),
    "default-action-bad-then-good": '{"defaultAction": "SCMP_ACT_BOGUS", %s, "syscalls": []}' % ALLOW,
    "default-action-good-then-bad": '{%s, "defaultAction": "SCMP_ACT_BOGUS", "syscalls": []}' % ALLOW,
    "wrong-type-overwritten": top('"listenerPath": 5', '"listenerPath": "a"', '"syscalls": []'),
    "wrong-type-in-array-overwritten": top('"flags": [1]', '"flags": []', '"syscalls": []'),
    "wrong-type-rule-overwritten": top('"syscalls": [{"action": 1}]', '"syscalls": [%s]' % MKDIR),
    "bad-kernel-overwritten": cond('"minKernel": "4"', '"minKernel": "4.8"'),
    "bad-arch-overwritten": top('"architectures": ["SCMP_ARCH_BOGUS"]', '"architectures": ["SCMP_ARCH_X86_64"]',
                                '"syscalls": []'),
    "errno-ret-null": rule('"errnoRet": 5', '"errnoRet": null'),
    "errno-ret-twice": rule('"errnoRet": 5', '"errnoRet": 6'),
    "default-errno-ret-null": top('"defaultErrnoRet": 5', '"defaultErrnoRet": null', '"syscalls": []'),
    "names-shorter": rule('"names": ["a", "b", "c"]', '"names": ["d"]'),
    "names-null-elements-reuse": rule('"names": ["a", "b", "c"]', '"names": [null, null]'),
    "names-shrink-then-grow": rule('"names": ["a", "b", "c"]', '"names": ["d"]', '"names": [null, null, null]'),
    "names-empty-then-null-elements": rule('"names": ["a", "b"]', '"names": []', '"names": [null, null]'),
    "names-null-then-null-elements": rule('"names": ["a", "b"]', '"names": null', '"names": [null]'),
    "names-grow-past-capacity": rule('"names": ["a", "b", "c", "d"]', '"names": [null, null, null, null, null]'),
    "names-grow-within-capacity": rule('"names": ["a", "b", "c", "d", "e"]', '"names": ["f"]',
                                       '"names": [null, null, null, null, null, null]'),
    "name-null-keeps": top('"syscalls": [{"name": "mkdir", "name": null, "action": "SCMP_ACT_ERRNO"}]'),
    "name-then-names": top('"syscalls": [{"name": "mkdir", "names": ["rmdir"], "action": "SCMP_ACT_ERRNO"}]'),
    "name-empty-and-names": top('"syscalls": [{"name": "", "names": ["rmdir"], "action": "SCMP_ACT_ERRNO"}]'),
    "name-then-empty": top('"syscalls": [{"name": "mkdir", "name": "", "names": ["rmdir"], '
                           '"action": "SCMP_ACT_ERRNO"}]'),
    "syscalls-merge": top('"syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ALLOW"}]',
                          '"syscalls": [{"action": "SCMP_ACT_ERRNO"}]'),
    "syscalls-null-element-is-nil": top('"syscalls": [%s, %s]' % (MKDIR, MKDIR), '"syscalls": [null]'),
    "syscalls-stale-element": top('"syscalls": [%s, {"names": ["rmdir"], "action": "SCMP_ACT_LOG"}]' % MKDIR,
                                  '"syscalls": [null]', '"syscalls": [null, null]'),
    "syscalls-empty-forgets": top('"syscalls": [%s, %s]' % (MKDIR, MKDIR), '"syscalls": []',
                                  '"syscalls": [null]'),
    "syscalls-five-then-null-six": top('"syscalls": [%s]' % ", ".join([MKDIR] * 5),
                                       '"syscalls": [%s]' % ", ".join(["null"] * 6)),
    "syscalls-null-then-object": top('"syscalls": [null]', '"syscalls": [%s]' % MKDIR),
    "syscalls-object-into-nil": top('"syscalls": [%s, %s]' % (MKDIR, MKDIR), '"syscalls": [null, null]',
                                    '"syscalls": [{"action": "SCMP_ACT_LOG"}]'),
    "args-fresh-null-then-object": rule('"args": [null]', '"args": [{"op": "SCMP_CMP_NE"}]'),
    "includes-merge": rule('"includes": {"caps": ["CAP_KILL"]}', '"includes": {"arches": ["amd64"]}'),
    "includes-null-forgets": rule('"includes": {"caps": ["CAP_KILL"]}', '"includes": null',
                                  '"includes": {"arches": ["amd64"]}'),
    "min-kernel-empty-keeps": cond('"minKernel": "4.8"', '"minKernel": ""'),
    "min-kernel-null-then-empty": cond('"minKernel": "4.8"', '"minKernel": null', '"minKernel": ""'),
    "min-kernel-merge-includes": rule('"includes": {"minKernel": "4.8"}', '"includes": {"minKernel": ""}'),
    "args-merge": rule('"args": [{"index": 1, "value": 2, "op": "SCMP_CMP_EQ"}]', '"args": [{"value": 7}]'),
    "args-null-element-keeps": rule('"args": [{"index": 1, "value": 2, "op": "SCMP_CMP_EQ"}]',
                                      '"args": [null]'),
    "args-null-then-object": rule('"args": [{"index": 1, "value": 2, "op": "SCMP_CMP_EQ"}]', '"args": [null]',
                                  '"args": [{"op": "SCMP_CMP_NE"}]'),
    "args-stale": rule('"args": [{"index": 1, "op": "SCMP_CMP_EQ"}, {"index": 2, "op": "SCMP_CMP_NE"}]',
                       '"args": [{"index": 3, "op": "SCMP_CMP_EQ"}]', '"args": [{"value": 1}, {"value": 2}]'),
    "arch-map-merge": top('"archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}]',
                          '"archMap": [{"architecture": "SCMP_ARCH_AARCH64"}]', '"syscalls": []'),
    "arch-map-null-element": top('"archMap": [{"architecture": "SCMP_ARCH_X86_64"}]', '"archMap": [null]',
                                 '"syscalls": []'),
    "errno-bad-then-good": rule('"errno": "EBOGUS"', '"errno": "EPERM"'),
    "errno-then-empty": rule('"errnoRet": 3', '"errno": "EPERM"', '"errno": ""'),
    "nested-rule-keys": top('"syscalls": [{"names": ["a"], "names": ["mkdir"], "action": "SCMP_ACT_LOG", '
                            '"action": "SCMP_ACT_ERRNO"}]'),
}
for name, text in DUPLICATES.items():
    case("duplicate-" + name, text)

# null for every field, and null elements in every array.
for key in FIELDS:
    case(f"null-top-{key}", "{" + (ALLOW + ", " if key != "defaultAction" else "") +
         f'"{key}": null, "syscalls": [{MKDIR}]' + "}" if key != "syscalls" else top('"syscalls": null'))
for key in RULE_FIELDS:
    case(f"null-rule-{key}", rule(f'"{key}": null'))
for key in ARG_FIELDS:
    case(f"null-arg-{key}", arg('"op": "SCMP_CMP_EQ"', f'"{key}": null'))
for key in COND_FIELDS:
    case(f"null-cond-{key}", cond(f'"{key}": null'))
for key in MAP_FIELDS:
    case(f"null-map-{key}", top('"archMap": [{"architecture": "SCMP_ARCH_X86_64", "%s": null}]' % key))
case("null-element-names", rule('"names": [null, "mkdir"]'))
case("null-element-architectures", top('"architectures": [null]', '"syscalls": []'))
case("null-element-flags", top('"flags": [null]', '"syscalls": []'))
case("null-element-caps", cond('"caps": [null]'))
case("null-element-arches", cond('"arches": [null, "amd64"]'))
case("null-element-sub-architectures", top('"archMap": [{"architecture": "SCMP_ARCH_X86_64", '
                                           '"subArchitectures": [null]}]'))
case("null-element-syscalls", top('"syscalls": [null, %s]' % MKDIR))
case("null-element-args", rule('"args": [null]'))
case("null-element-arch-map", top('"archMap": [null]', '"syscalls": []'))
case("null-includes-then-rule", rule('"includes": null', '"excludes": null'))

# Numbers, into every integer field.
NUMBERS = {"zero": "0", "minus-zero": "-0", "one-point-zero": "1.0", "exp": "1e2", "exp-upper-plus": "1E+2",
           "exp-minus": "1e-2", "zero-exp": "0e0", "huge": "1" + "0" * 400, "max": "18446744073709551615",
           "max-plus-one": "18446744073709551616", "leading-zero": "01", "minus-one": "-1", "fraction": "1.5",
           "big-exp": "1e400", "minus": "-", "dot": "1.", "exp-empty": "1e", "u32-max": "4294967295",
           "u32-max-plus-one": "4294967296", "errno-max": "4095", "hex": "0x10", "plus": "+1"}
for name, number in NUMBERS.items():
    case(f"number-{name}-default-errno-ret", top(f'"defaultErrnoRet": {number}', '"syscalls": []'))
    case(f"number-{name}-errno-ret", rule(f'"errnoRet": {number}'))
    case(f"number-{name}-index", arg(f'"index": {number}', '"value": 1', '"op": "SCMP_CMP_EQ"'))
    case(f"number-{name}-value", arg('"index": 0', f'"value": {number}', '"op": "SCMP_CMP_EQ"'))
    case(f"number-{name}-value-two", arg('"index": 0', f'"valueTwo": {number}', '"op": "SCMP_CMP_MASKED_EQ"'))
    case(f"number-{name}-unknown", top(f'"x": {number}', '"syscalls": []'))
case("errno-string-number", rule('"errno": "38"'))
case("errno-string-huge", rule('"errno": "99999999999999999999999"'))
case("default-errno-name", top('"defaultErrno": "ENOSYS"', '"syscalls": []'))

# Wrong types for every known field.
WRONG = {"number": "1", "string": '"x"', "true": "true", "false": "false", "array": "[]", "object": "{}",
         "array-of-number": "[1]", "array-of-array": "[[]]", "array-of-object": "[{}]"}
for name, value in WRONG.items():
    for key in FIELDS:
        body = top(f'"{key}": {value}', f'"syscalls": [{MKDIR}]') if key != "syscalls" else top(f'"{key}": {value}')
        if key == "defaultAction":
            body = '{"defaultAction": %s, "syscalls": [%s]}' % (value, MKDIR)
        case(f"type-{name}-top-{key}", body)
    for key in RULE_FIELDS:
        case(f"type-{name}-rule-{key}", top('"syscalls": [{"action": "SCMP_ACT_ERRNO", "names": ["mkdir"], '
                                            f'"{key}": {value}' + "}]"))
    for key in ARG_FIELDS:
        case(f"type-{name}-arg-{key}", arg('"op": "SCMP_CMP_EQ"', f'"{key}": {value}'))
    for key in COND_FIELDS:
        case(f"type-{name}-cond-{key}", cond(f'"{key}": {value}'))
    for key in MAP_FIELDS:
        case(f"type-{name}-map-{key}", top('"archMap": [{"architecture": "SCMP_ARCH_X86_64", "%s": %s}]'
                                           % (key, value)))

# Kernel versions, with Docker's own decoder.
KERNELS = ["", "4.8", "0.0", "0.1", "1.0", "255.255", "256.1", "4.256", "04.015", "4", ".4", "4.", "4.8.1",
           "4.8abc", "+4.8", "-4.8", "4 .8", "4._8", "1_0.0", "a.b", "4..8", "\\u0034.8", "4.8 "]
for version in KERNELS:
    case(f"kernel-{version!r}", cond(f'"minKernel": "{version}"'))
case("kernel-number", cond('"minKernel": 4.8'))

# Unknown fields, whatever they hold.
UNKNOWN = {"object": '{"a": {"b": [1, {"c": null}]}}', "array": '[1, "x", true, null, [], {}]',
           "string": '"\\ud800"', "number": "-1.5e-7", "null": "null", "true": "true",
           "known-name-inside": '{"defaultAction": 5, "syscalls": "x"}', "empty-key": "1"}
for name, value in UNKNOWN.items():
    case(f"unknown-top-{name}", top(f'"{"" if name == "empty-key" else "unknown"}": {value}', f'"syscalls": [{MKDIR}]'))
    case(f"unknown-rule-{name}", rule(f'"unknown": {value}'))
    case(f"unknown-arg-{name}", arg('"op": "SCMP_CMP_EQ"', f'"unknown": {value}'))
    case(f"unknown-cond-{name}", cond(f'"unknown": {value}'))

# Nesting around Go's limit of 10,000 levels, the profile's object included.
for depth in (9998, 9999, 10000, 10001):
    case(f"depth-{depth}-arrays", top('"x": ' + "[" * (depth - 1) + "]" * (depth - 1), '"syscalls": []'))
for depth in (9999, 10000, 10001):
    case(f"depth-{depth}-objects", top('"x": ' + '{"a":' * (depth - 1) + "1" + "}" * (depth - 1), '"syscalls": []'))

# White space, allowed and not.
for name, space in {"space": " ", "tab": "\t", "lf": "\n", "cr": "\r", "vt": "\v", "ff": "\f", "nbsp": "\u00a0",
                    "nul": "\0", "ideographic": "\u3000", "nel": "\u0085", "zwsp": "\u200b"}.items():
    case(f"space-{name}-before", space + top('"syscalls": []'))
    case(f"space-{name}-after", top('"syscalls": []') + space)
    case(f"space-{name}-between", '{' + ALLOW + space + ', "syscalls": []}')
case("bom", "\ufeff" + top('"syscalls": []'))
case("empty", "")
case("only-space", " \n\t\r ")

# Values at the top level, and the profiles DESIGN.md 9 refuses.
for name, text in {"null": "null", "null-spaced": " null\n", "number": "1", "string": '"x"', "true": "true",
                   "array": "[]", "array-of-profile": "[%s]" % top('"syscalls": []'), "empty-object": "{}",
                   "no-action-no-rules": '{"syscalls": []}', "only-unknown": '{"x": 1}',
                   "only-errno": '{"defaultErrnoRet": 1}', "rules-only": '{"syscalls": [%s]}' % MKDIR,
                   "two-values": "{} {}", "architectures-and-arch-map":
                   top('"architectures": ["SCMP_ARCH_X86_64"]', '"archMap": [{"architecture": "SCMP_ARCH_X86_64"}]',
                       '"syscalls": []'),
                   "architectures-empty-and-arch-map":
                   top('"architectures": []', '"archMap": [{"architecture": "SCMP_ARCH_X86_64"}]', '"syscalls": []'),
                   "empty-arch-map-and-architectures":
                   top('"architectures": ["SCMP_ARCH_X86_64"]', '"archMap": []', '"syscalls": []'),
                   }.items():
    case(f"top-{name}", text)

# Strings in the grammar.
case("string-raw-tab", top('"listenerPath": "a\tb"', '"syscalls": []'))
case("string-raw-del", top('"listenerPath": "a\x7fb"', '"syscalls": []'))
case("string-raw-nul", top('"listenerPath": "a\0b"', '"syscalls": []'))
case("string-bad-escape-x", top('"listenerPath": "\\x41"', '"syscalls": []'))
case("string-bad-escape-U", top('"listenerPath": "\\U0041"', '"syscalls": []'))
case("string-bad-escape-short", top('"listenerPath": "\\u004"', '"syscalls": []'))
case("string-bad-escape-nonhex", top('"listenerPath": "\\u00g1"', '"syscalls": []'))
case("string-escape-at-end", '{"defaultAction": "SCMP_ACT_ALLOW\\')
case("string-unterminated", '{"defaultAction": "SCMP_ACT_ALLOW')
case("string-long", top('"listenerPath": "%s"' % ("\\u00e9" * 5000), '"syscalls": []'))


def reference_files():
    """The reference profiles, or where they are absent, Debian's copies of
    Docker's and Podman's."""
    files = sorted(REFERENCE.glob("*.json")) + sorted((REFERENCE / "wild").glob("*.json"))
    return files or [p for p in (DOCKER_PROFILE, PODMAN_PROFILE) if p is not None]


# autoseccomp refuses at parse time what runc refuses later: what Go
# decoded must hold the value the message names, so that a case is let
# through only for the reason it has.
def native_sub_architectures(p):
    """Docker reads only the archMap entry of its own architecture, and
    runc checks only the names it passes on."""
    return [s for m in p["archMap"] if m["architecture"] == "SCMP_ARCH_X86_64" for s in m["subArchitectures"]]


def runc_reasons(go):
    p = go["profile"]
    rules = p["syscalls"]
    names = {"action": [p["defaultAction"]] + [r["action"] for r in rules],
             "operator": [a["op"] for r in rules for a in r["args"]],
             "architecture": p["architectures"] + native_sub_architectures(p),
             "flag": p["flags"],
             "errno": [e for e in [p["defaultErrno"]] + [r["errno"] for r in rules] if e]}
    reasons = [f'unknown {what} "{value}"' for what, values in names.items() for value in values]
    if p["defaultAction"] == "":
        reasons.append('profile has no "defaultAction"')
    reasons += ['rule has no "action"' for r in rules if r["action"] == ""]
    reasons += ['argument has no "op"' for r in rules for a in r["args"] if a["op"] == ""]
    return reasons


# What autoseccomp's fixed tables cannot hold, which Go's decoder has no
# limit for: each case listed with its message.
TOO_LARGE = {f"depth-{depth}-objects": "profile is too large (more than 16384 JSON tokens)" for depth in (9999, 10000)}


@pytest.fixture(scope="module")
def go_decode(tmp_path_factory):
    if GO is None:
        pytest.skip("go is not installed: Go's decoder cannot be built (apt-get install golang-go)")
    home = BUILD / "go"
    home.mkdir(parents=True, exist_ok=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "GOCACHE": str(home / "cache"),
           "GOPATH": str(home / "path"), "GO111MODULE": "off", "CGO_ENABLED": "0", "GOFLAGS": ""}
    proc = subprocess.run([GO, "build", "-o", str(GO_DECODE), str(ROOT / "tests" / "go-decode" / "main.go")],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return GO_DECODE


def decode(program, path):
    proc = subprocess.run([str(program), str(path)], capture_output=True, env=base_env(), timeout=60)
    assert proc.returncode == 0 and proc.stderr == b"", proc
    return json.loads(proc.stdout)


def check(path):
    proc = subprocess.run([str(TOOL), "check", str(path)], capture_output=True, text=True, env=base_env(),
                          timeout=60)
    assert proc.returncode in (0, 1), proc
    return proc


def compare(go_decode, path, name):
    go = decode(go_decode, path)
    c = decode(C_DECODE, path)
    if go["ok"] and not c["ok"] and name in TOO_LARGE:
        assert TOO_LARGE[name] in c["error"], c
        return go, c
    if go["ok"] and not c["ok"]:
        reasons = runc_reasons(go)
        assert any(r in c["error"] for r in reasons), (
            f"autoseccomp refuses what Go accepts, for no reason runc gives: {path.read_bytes()[:300]!r}\n"
            f"go: {go}\nc: {c}")
        return go, c
    assert go["ok"] == c["ok"], f"{path.read_bytes()[:300]!r}\ngo: {go}\nc: {c}"
    if go["ok"]:
        assert c == go, f"{path.read_bytes()[:300]!r}\ngo: {json.dumps(go)}\nc:  {json.dumps(c)}"
    return go, c


def check_agrees(path, c):
    """`autoseccomp check` runs the same stages first, then resolves: it
    refuses what the view refuses, and accepts what the view accepts unless
    runc would refuse a value: an empty syscall name, an errno libseccomp
    refuses (4095 and above, SEMANTICS.md), an argument index above 5."""
    proc = check(path)
    if not c["ok"]:
        assert proc.returncode == 1, (proc, c)
        return
    p = c["profile"]
    rules = p["syscalls"]
    reasons = []
    if "" in [n for r in rules for n in r["names"] + ([r["name"]] if r["name"] else [])]:
        reasons.append("empty string is not a valid syscall")
    if any(n is not None and n >= 4095 for n in [p["defaultErrnoRet"]] + [r["errnoRet"] for r in rules]) \
            or any(e.isdigit() and int(e) >= 4095 for e in [p["defaultErrno"]] + [r["errno"] for r in rules]):
        reasons += ["is out of range (at most 4095)", ": Invalid argument"]
    if any(a["index"] > 5 for r in rules for a in r["args"]):
        reasons.append("syscalls only have up to 6 arguments")
    # And what runc refuses in the rules the host keeps, which the view
    # leaves to resolve: unknown actions, operators and architectures.
    reasons += runc_reasons(c)
    if proc.returncode == 1:
        assert any(r in proc.stderr for r in reasons), (proc, c)
        return
    assert proc.returncode == 0, (proc, c)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_go_and_autoseccomp_read_a_profile_alike(go_decode, tmp_path, name):
    path = tmp_path / "profile.json"
    path.write_bytes(CORPUS[name])
    go, c = compare(go_decode, path, name)
    check_agrees(path, c)


REAL = reference_files()
LOCAL = [ROOT / "profiles" / "default.json"] + [p for p in [Path("/usr/share/containers/seccomp.json")] if p.exists()]
# SOURCES.md: the profiles of the wild Docker refuses.
DOCKER_REFUSES = {"16-s3fs-comment-header.json", "25-moby-2016-02-first-json.json",
                  "28-moby-2018-11-ptrace-minkernel.json", "33-vsftpd-trailing-comma.json"}


@pytest.mark.skipif(not REAL, reason=f"the reference profiles are absent ({REFERENCE})")
@pytest.mark.parametrize("path", REAL, ids=[p.name for p in REAL])
def test_reference_profiles_read_alike(go_decode, path):
    go, c = compare(go_decode, path, path.name)
    assert go["ok"] == (path.name not in DOCKER_REFUSES), go
    check_agrees(path, c)


@pytest.mark.parametrize("path", LOCAL, ids=[p.name for p in LOCAL])
def test_local_profiles_read_alike(go_decode, path):
    go, c = compare(go_decode, path, path.name)
    assert go["ok"], go
    check_agrees(path, c)


def test_corpus_covers_every_class():
    classes = {name.split("-")[0] for name in CORPUS}
    assert {"t11", "escape", "utf8", "key", "duplicate", "null", "number", "type", "kernel", "unknown", "depth",
            "space", "bom", "empty", "top", "string"} <= classes, classes
