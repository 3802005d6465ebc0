"""Every kind of bad input: one line on stderr naming the profile and the
position of the offending token, exit status 125, and main never runs."""
import ctypes
import json
import os
import subprocess
import time

import pytest

from conftest import (EBADF, ENOANO, NOBODY, PROBE, PROBE_LINKED, PROBE_STATIC, SANITIZE, TOOL, base_env,
                      builtin_names, needs_root, probe, run, tool)

ALLOW = '"defaultAction": "SCMP_ACT_ALLOW"'


def rule(body):
    return '{%s, "syscalls": [{"names": ["mkdir"], %s}]}' % (ALLOW, body)


def arg(body):
    return rule('"action": "SCMP_ACT_ERRNO", "args": [{%s}]' % body)


def kernel(version):
    return rule('"action": "SCMP_ACT_ERRNO", "includes": {"minKernel": %s}' % version)


# (id, profile text, where the error points: a substring whose first
# occurrence starts at the offending token, or an offset; the message's start)
CASES = [
    # runc's rejections: names it does not know
    ("unknown-default-action", '{"defaultAction": "SCMP_ACT_ALOW"}', '"SCMP_ACT_ALOW"',
     'unknown action "SCMP_ACT_ALOW" (expected one of SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD,'),
    ("unknown-action", rule('"action": "SCMP_ACT_DENY"'), '"SCMP_ACT_DENY"', 'unknown action "SCMP_ACT_DENY"'),
    # Go reads "" as it reads no string: Docker runs this one unconfined, so it is refused as {} is.
    ("empty-default-action", '{"defaultAction": "", "syscalls": []}', '{',
     'profile has no defaultAction and no syscalls'),
    ("empty-default-action-with-rules", '{"defaultAction": "", "syscalls": [{"names": ["mkdir"], '
     '"action": "SCMP_ACT_ERRNO"}]}', '{', 'profile has no "defaultAction"'),
    ("lower-case-action", rule('"action": "scmp_act_errno"'), '"scmp_act_errno"', 'unknown action'),
    ("unknown-operator", arg('"index": 0, "value": 1, "op": "SCMP_CMP_EQUAL"'), '"SCMP_CMP_EQUAL"',
     'unknown operator "SCMP_CMP_EQUAL" (expected one of SCMP_CMP_NE,'),
    ("missing-operator", arg('"index": 0, "value": 1'), '{"index"', 'argument has no "op"'),
    ("unknown-architecture", '{%s, "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_NATIVE"]}' % ALLOW,
     '"SCMP_ARCH_NATIVE"', 'unknown architecture "SCMP_ARCH_NATIVE"'),
    ("unknown-sub-architecture", '{%s, "archMap": [{"architecture": "SCMP_ARCH_X86_64", '
     '"subArchitectures": ["SCMP_ARCH_I386"]}]}' % ALLOW, '"SCMP_ARCH_I386"', 'unknown architecture'),
    ("unknown-flag", '{%s, "flags": ["SECCOMP_FILTER_FLAG_NEW_LISTENER"]}' % ALLOW,
     '"SECCOMP_FILTER_FLAG_NEW_LISTENER"', 'unknown flag "SECCOMP_FILTER_FLAG_NEW_LISTENER"'),
    ("unsupported-flag", '{%s, "flags": ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]}' % ALLOW,
     '"SECCOMP_FILTER_FLAG_WAIT', 'flag SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV is not supported by libseccomp'),
    ("notify-default", '{"defaultAction": "SCMP_ACT_NOTIFY"}', '"SCMP_ACT_NOTIFY"',
     'SCMP_ACT_NOTIFY cannot be used as default action'),
    # SCMP_ACT_NOTIFY: refused where no agent could be reached, or told (test_17_notify.py runs agents)
    ("notify-without-listener-path", rule('"action": "SCMP_ACT_NOTIFY"'), '{"names"',
     'SCMP_ACT_NOTIFY needs a listenerPath, the seccomp agent\'s socket'),
    ("notify-empty-listener-path", '{%s, "listenerPath": "", "syscalls": [{"names": ["mkdir"], '
     '"action": "SCMP_ACT_NOTIFY"}]}' % ALLOW, '""', 'SCMP_ACT_NOTIFY needs a listenerPath'),
    ("notify-write", '{%s, "listenerPath": "/run/a.sock", "syscalls": [{"names": ["mkdir", "write"], '
     '"action": "SCMP_ACT_NOTIFY"}]}' % ALLOW, '"write"', 'SCMP_ACT_NOTIFY cannot apply to write: runc refuses it'),
    ("notify-sendmsg", '{%s, "listenerPath": "/run/a.sock", "syscalls": [{"names": ["sendmsg"], '
     '"action": "SCMP_ACT_NOTIFY"}]}' % ALLOW, '"sendmsg"',
     'SCMP_ACT_NOTIFY cannot apply to sendmsg: autoseccomp hands the listener to the agent with it'),
    ("notify-abstract-socket", '{%s, "listenerPath": "@agent", "syscalls": [{"names": ["mkdir"], '
     '"action": "SCMP_ACT_NOTIFY"}]}' % ALLOW, '"@agent"', 'listenerPath names an abstract socket'),
    ("notify-long-listener-path", '{%s, "listenerPath": "/%s", "syscalls": [{"names": ["mkdir"], '
     '"action": "SCMP_ACT_NOTIFY"}]}' % (ALLOW, "a" * 108), '"/aaa',
     'listenerPath is longer than a socket path (108 bytes)'),
    ("notify-nul-in-listener-path", '{%s, "listenerPath": "/run/a\\u0000b", "syscalls": [{"names": ["mkdir"], '
     '"action": "SCMP_ACT_NOTIFY"}]}' % ALLOW, '"/run/a', 'listenerPath contains a NUL byte'),
    ("notify-long-metadata", '{%s, "listenerPath": "/run/a.sock", "listenerMetadata": "%s", "syscalls": '
     '[{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}' % (ALLOW, "\\n" * 1537), '"\\n',
     'listenerMetadata is longer than 3072 bytes in JSON'),
    ("empty-syscall-name", '{%s, "syscalls": [{"names": ["mkdir", ""], "action": "SCMP_ACT_ERRNO"}]}' % ALLOW,
     '""', 'empty string is not a valid syscall'),
    ("argument-index-6", arg('"index": 6, "value": 1, "op": "SCMP_CMP_EQ"'), '6,',
     'argument index 6 is out of range (syscalls only have up to 6 arguments)'),
    ("conflicting-conditions", '{%s, "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5, '
     '"args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}, {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", '
     '"errnoRet": 6, "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}]}' % ALLOW, 50 * " ",
     'cannot add rule for "mkdir": File exists'),
    ("errno-4096", rule('"action": "SCMP_ACT_ERRNO", "errnoRet": 4096'), '4096', 'errno 4096 is out of range'),
    # runc keeps an errno's low 16 bits: 70000 is 4464.
    ("default-errno-70000", '{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 70000}', '70000',
     'errno 70000 is out of range (at most 4095)'),
    # Docker's rejections
    ("architectures-and-archmap", '{%s, "architectures": ["SCMP_ARCH_X86_64"], "archMap": [{"architecture": '
     '"SCMP_ARCH_X86_64"}]}' % ALLOW, '["SCMP_ARCH_X86_64"]', "both 'architectures' and 'archMap' are specified"),
    ("name-and-names", rule('"action": "SCMP_ACT_ERRNO", "name": "rmdir"'), '"rmdir"',
     'rule has both "name" and "names"'),
    ("name-and-names-in-a-dropped-rule", rule('"action": "SCMP_ACT_ERRNO", "name": "rmdir", '
                                             '"includes": {"arches": ["s390x"]}'), '"rmdir"', 'rule has both'),
    ("missing-action", '{%s, "syscalls": [{"names": ["mkdir"]}]}' % ALLOW, '{"names"', 'rule has no "action"'),
    ("no-default-action", '{"syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}', 0,
     'profile has no "defaultAction"'),
    ("empty-object", '{}', 0, 'profile has no defaultAction and no syscalls, which Docker runs unconfined'),
    ("null", 'null\n', 0, 'profile is null, which Docker runs unconfined'),
    ("kernel-number", kernel('4.8'), '4.8', 'expected a kernel version string, got a number'),
    *[("kernel-" + v.strip('"') or "kernel-empty", kernel(v), v, 'invalid kernel version')
      for v in ['"3"', '".3"', '"3."', '"3.12.1"', '"4.15abc"', '"4.256"', '"0.0"', '"-1.2"']],
    # Podman's errno names
    ("unknown-errno-name", rule('"action": "SCMP_ACT_ERRNO", "errno": "EFOO"'), '"EFOO"',
     'unknown errno "EFOO" (expected one of EPERM, ENOENT,'),
    ("default-errno-number", '{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrno": 38}', '38',
     'expected a string, got a number'),
    ("errno-name-out-of-range", rule('"action": "SCMP_ACT_ERRNO", "errno": "5000"'), '"5000"',
     'errno 5000 is out of range (at most 4095)'),
    # wrong JSON types and numbers
    ("top-level-array", '[]', 0, 'expected an object, got an array'),
    ("default-action-number", '{"defaultAction": 1}', '1}', 'expected a string, got a number'),
    ("action-boolean", rule('"action": true'), 'true', 'expected a string, got a boolean'),
    ("names-string", '{%s, "syscalls": [{"names": "mkdir", "action": "SCMP_ACT_ERRNO"}]}' % ALLOW, '"mkdir"',
     'expected an array of strings, got a string'),
    ("names-number-element", '{%s, "syscalls": [{"names": [83], "action": "SCMP_ACT_ERRNO"}]}' % ALLOW, '83',
     'expected a string, got a number'),
    ("errno-string", rule('"action": "SCMP_ACT_ERRNO", "errnoRet": "1"'), '"1"', 'expected a number, got a string'),
    ("errno-boolean", rule('"action": "SCMP_ACT_ERRNO", "errnoRet": false'), 'false',
     'expected a number, got a boolean'),
    ("index-negative", arg('"index": -1, "value": 1, "op": "SCMP_CMP_EQ"'), '-1',
     'expected a non-negative integer, got -1'),
    ("value-fraction", arg('"index": 0, "value": 1.5, "op": "SCMP_CMP_EQ"'), '1.5',
     'expected a non-negative integer, got 1.5'),
    ("value-exponent", arg('"index": 0, "value": 1e3, "op": "SCMP_CMP_EQ"'), '1e3',
     'expected a non-negative integer, got 1e3'),
    ("value-2-to-the-64", arg('"index": 0, "value": 18446744073709551616, "op": "SCMP_CMP_EQ"'), '1844',
     'number 18446744073709551616 is out of range'),
    ("syscalls-object", '{%s, "syscalls": {}}' % ALLOW, '{}}', 'expected an array, got an object'),
    # Go decodes a null element as an empty rule, which runc refuses for its action.
    ("syscalls-null-element", '{%s, "syscalls": [null]}' % ALLOW, 'null', 'rule has no "action"'),
    ("args-number-element", rule('"action": "SCMP_ACT_ERRNO", "args": [1]'), '1]', 'expected an object, got a number'),
    ("includes-array", rule('"action": "SCMP_ACT_ERRNO", "includes": []'), '[]', 'expected an object, got an array'),
    # malformed JSON
    ("truncated", '{%s, "syscalls": [{"names": ["mkd' % ALLOW, -1, 'unexpected end of profile'),
    ("unclosed-object", '{%s' % ALLOW, -1, 'unexpected end of profile'),
    ("trailing-data", '{%s} {}' % ALLOW, '{}', 'unexpected data after the profile'),
    ("bad-literal", '{"defaultAction": tru}', 'tru', 'invalid JSON value "tru"'),
    ("leading-zero", arg('"index": 01, "value": 1, "op": "SCMP_CMP_EQ"'), '01', 'invalid JSON value "01"'),
    ("single-quotes", "{'defaultAction': 'SCMP_ACT_ALLOW'}", "'", 'invalid JSON'),
    ("control-character", '{"defaultAction": "SCMP_ACT_\tALLOW"}', '\t', 'control character in a JSON string'),
    # Go counts the enclosing object: its 10000th bracket is one level too deep.
    ("deep-nesting", '{%s, "x": %s%s}' % (ALLOW, "[" * 10001, "]" * 10001), len('{%s, "x": ' % ALLOW) + 9999,
     'nesting is deeper than 10000 levels'),
    ("too-many-tokens", '{%s, "x": [%s]}' % (ALLOW, ",".join(["1"] * 20000)), None,
     'profile is too large (more than 16384 JSON tokens)'),
    ("whitespace-only", "  \n ", 0, 'profile is empty'),
    ("archmap-65-entries", '{%s, "archMap": [%s]}' % (ALLOW, ",".join(["{}"] * 65)), '[{}',
     'profile has too many elements: at most 64 of this kind'),
]


def position(text, at):
    if at is None:
        return None
    offset = text.index(at) if isinstance(at, str) else (at if at >= 0 else len(text) + at + 1)
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def assert_refused(r, prefix):
    assert r.returncode == 125, r
    assert r.stdout == "", r  # main never ran
    assert r.stderr.startswith(prefix) and r.stderr.endswith("\n") and r.stderr.count("\n") == 1, r


@pytest.mark.parametrize("text, at, message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_profile_is_refused(write_profile, text, at, message):
    path = write_profile(text)
    r = probe(["status"], profile=path)
    if at is None:
        assert_refused(r, f"autoseccomp: {path}:")
        assert message in r.stderr, r
    else:
        line, column = position(text, at) if not (at == 50 * " ") else conflicting_position(text)
        assert_refused(r, f"autoseccomp: {path}:{line}:{column}: {message}")


def conflicting_position(text):
    return position(text, text.rindex('"mkdir"'))


def test_bad_profile_is_refused_by_the_linked_constructors(write_profile):
    path = write_profile('{"defaultAction": "SCMP_ACT_ALOW"}')
    programs = [PROBE_LINKED] + ([] if SANITIZE else [PROBE_STATIC])
    for program in programs:
        r = probe(["status"], program=program, preload=False, profile=path)
        assert_refused(r, f"autoseccomp: {path}:1:19: unknown action \"SCMP_ACT_ALOW\"")


def test_deep_nesting_within_the_limit_is_read_without_recursion(write_profile, tmp_path):
    path = write_profile('{%s, "x": %s%s, "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}'
                         % (ALLOW, "[" * 9000, "]" * 9000))
    assert probe(["mkdir", tmp_path / "a"], profile=path).errnos == [1]


def test_a_10_mb_profile_is_refused(write_profile):
    path = write_profile('{%s, "comment": "%s"}' % (ALLOW, "x" * (10 * 1024 * 1024)))
    size = path.stat().st_size
    assert_refused(probe(["status"], profile=path),
                   f"autoseccomp: {path}: profile is too large ({size} bytes, at most 1048576)")


def test_an_empty_file_is_refused(write_profile):
    path = write_profile("")
    assert_refused(probe(["status"], profile=path), f"autoseccomp: {path}: profile is empty")


def test_a_missing_file_is_refused(tmp_path):
    path = tmp_path / "missing.json"
    assert_refused(probe(["status"], profile=path),
                   f"autoseccomp: {path}: cannot open profile: No such file or directory")


def test_a_directory_is_refused(tmp_path):
    assert_refused(probe(["status"], profile=tmp_path), f"autoseccomp: {tmp_path}: profile is a directory")


def test_a_device_is_refused():
    assert_refused(probe(["status"], profile="/dev/null"), "autoseccomp: /dev/null: profile is not a regular file")


class OpenWatch:
    """inotify's IN_OPEN on one path: whether anything opened the file
    itself (an O_PATH open opens nothing, and makes no event)."""
    IN_OPEN = 0x20

    def __init__(self, path):
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.fd = self.libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        assert self.fd >= 0 and self.libc.inotify_add_watch(self.fd, bytes(path), self.IN_OPEN) >= 0

    def opened(self):
        try:
            return len(os.read(self.fd, 4096)) > 0
        except BlockingIOError:
            return False

    def close(self):
        os.close(self.fd)


def test_a_fifo_is_refused_without_being_opened(tmp_path):
    """Opening a FIFO, a tty or a tape has effects of its own: the type is
    checked before anything opens it."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    watch = OpenWatch(fifo)
    try:
        os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
        assert watch.opened()  # the watch sees a real open
        assert_refused(probe(["status"], profile=fifo), f"autoseccomp: {fifo}: profile is not a regular file")
        assert not watch.opened()
        r = tool("check", fifo)
        assert (r.returncode, r.stderr) == (1, f"autoseccomp: {fifo}: profile is not a regular file\n"), r
        assert not watch.opened()
    finally:
        watch.close()


def shorter_than_its_size():
    """A regular file that reads shorter than its size says: sysfs gives
    its attributes a size of 4096, whatever they hold."""
    for path in ("/sys/kernel/mm/transparent_hugepage/enabled", "/sys/kernel/mm/ksm/run", "/sys/power/state"):
        if os.path.isfile(path) and os.access(path, os.R_OK) and os.stat(path).st_size > len(open(path).read()):
            return path
    return None


@pytest.mark.skipif(shorter_than_its_size() is None, reason="no sysfs attribute here reads shorter than its size")
def test_a_file_cut_short_while_read_is_refused():
    """The file ends before the size it had when it was opened, as one cut
    short then would: the profile is read, not mapped, so this is an
    error, not a SIGBUS."""
    path = shorter_than_its_size()
    assert_refused(probe(["status"], profile=path), f"autoseccomp: {path}: cannot read profile: it was cut short")


@needs_root
def test_an_unreadable_file_is_refused(write_profile, tmp_path):
    path = write_profile('{%s}' % ALLOW)
    os.chmod(tmp_path, 0o755)
    os.chmod(path, 0o000)
    r = probe(["status"], profile=path, user="nobody")
    assert_refused(r, f"autoseccomp: {path}: cannot open profile: Permission denied")


# The bounds on what a profile expands to, per architecture of the filter:
# runc adds one libseccomp rule per name, or one per condition where an
# argument index repeats.  The tests' filters have the native architecture
# only unless they say otherwise.
MAX_RULES, MAX_CONDITIONS = 4096, 512
# Calls the probe makes only when told to, each taking a file descriptor first.
FD_CALLS = ["ftruncate", "fchmod", "fchown", "flock", "fsync", "fdatasync", "syncfs", "fchdir", "fstatfs", "dup",
            "dup2", "dup3", "fgetxattr", "flistxattr", "fremovexattr", "fsetxattr"]
SYS_FTRUNCATE, SYS_FCHDIR = 77, 81
TEN_ARCHES = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64",
              "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC64LE",
              "SCMP_ARCH_RISCV64"]


def fd_rule(names, conditions, errno=ENOANO):
    """NAMES denied ERRNO where their first argument is one of CONDITIONS
    descriptors from 1000: an index repeated, so runc adds a rule per condition."""
    return {"names": names, "action": "SCMP_ACT_ERRNO", "errnoRet": errno,
            "args": [{"index": 0, "value": 1000 + i, "op": "SCMP_CMP_EQ"} for i in range(conditions)]}


def expanding(*rules, **top):
    return json.dumps(dict({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": list(rules)}, **top))


def rule_position(text, n):
    """The line and column of rule N (from 0) of a profile written by expanding()."""
    offset = -1
    for _ in range(n + 1):
        offset = text.index('{"names"', offset + 1)
    return position(text, offset)


def timed(run_it):
    """What RUN_IT returns, and the seconds it took."""
    start = time.monotonic()
    result = run_it()
    return result, time.monotonic() - start


# libseccomp takes from 26 s to a minute over the profiles refused in time
# here: the timeout fails a test long before that.
QUICK = 20
# 370 names by 300 conditions on one argument: 20 KB, within every limit of
# the parser.  libseccomp took 42 s and 110 MB over it, for a program of 777
# instructions.
EXPLODING = expanding(fd_rule(builtin_names()[:370], 300))


def test_a_profile_expanding_to_a_hundred_thousand_conditions_is_refused_before_libseccomp(write_profile):
    assert len(EXPLODING) < 24 * 1024
    path = write_profile(EXPLODING)
    r, elapsed = timed(lambda: probe(["status"], profile=path, timeout=QUICK))
    line, column = rule_position(EXPLODING, 0)
    assert_refused(r, f"autoseccomp: {path}:{line}:{column}: profile expands to more than {MAX_CONDITIONS} "
                      "argument conditions (")
    assert "names x 300 conditions x 1 architecture)" in r.stderr, r
    assert elapsed < 2, elapsed


@pytest.mark.parametrize("command", [["check"], ["explain"], ["explain", "read"], ["dump"], ["compile", "-o", "x.bpf"]])
def test_the_command_refuses_a_profile_expanding_beyond_the_bounds(write_profile, tmp_path, command):
    path = write_profile(EXPLODING)
    argv = [str(a) for a in [TOOL, command[0], path, *command[1:]]]
    r, elapsed = timed(lambda: subprocess.run(argv, capture_output=True, text=True, env=base_env(), timeout=QUICK,
                                              cwd=tmp_path))
    line, column = rule_position(EXPLODING, 0)
    assert (r.returncode, r.stdout) == (1, ""), r
    assert r.stderr.startswith(f"autoseccomp: {path}:{line}:{column}: profile expands to more than "
                               f"{MAX_CONDITIONS} argument conditions ("), r.stderr
    assert r.stderr.count("\n") == 1, r.stderr
    assert elapsed < 2, elapsed


def test_a_profile_at_the_bound_on_conditions_loads_and_denies_what_it_says(write_profile):
    """16 names by 32 conditions on one argument."""
    path = write_profile(expanding(fd_rule(FD_CALLS, MAX_CONDITIONS // len(FD_CALLS))))
    r = probe(["syscall", SYS_FTRUNCATE, 1000, 0], ["syscall", SYS_FTRUNCATE, 1031, 0],
              ["syscall", SYS_FTRUNCATE, 1032, 0], ["syscall", SYS_FCHDIR, 1010], ["syscall", SYS_FCHDIR, 999],
              profile=path, env={"AUTOSECCOMP_CACHE": "off"})
    assert r.main_ran, r
    assert r.errnos == [ENOANO, ENOANO, EBADF, ENOANO, EBADF], r


def test_a_profile_at_the_bound_on_rules_loads_and_denies_what_it_says(write_profile):
    """4096 names, each of the 16 given 256 times."""
    path = write_profile(expanding({"names": FD_CALLS * (MAX_RULES // len(FD_CALLS)), "action": "SCMP_ACT_ERRNO",
                                    "errnoRet": ENOANO}))
    r = probe(["syscall", SYS_FTRUNCATE, 1000, 0], ["syscall", SYS_FCHDIR, 999], profile=path,
              env={"AUTOSECCOMP_CACHE": "off"})
    assert r.main_ran, r
    assert r.errnos == [ENOANO, ENOANO], r


def test_the_rule_that_crosses_the_bound_on_conditions_is_named(write_profile):
    text = expanding(fd_rule(FD_CALLS, MAX_CONDITIONS // len(FD_CALLS)), fd_rule(["mkdir"], 1))
    path = write_profile(text)
    line, column = rule_position(text, 1)
    assert_refused(probe(["status"], profile=path),
                   f"autoseccomp: {path}:{line}:{column}: profile expands to more than {MAX_CONDITIONS} argument "
                   f"conditions ({MAX_CONDITIONS + 1} up to this rule: 1 name x 1 condition x 1 architecture)\n")


def test_the_rule_that_crosses_the_bound_on_rules_is_named(write_profile):
    text = expanding({"names": FD_CALLS * (MAX_RULES // len(FD_CALLS)), "action": "SCMP_ACT_ERRNO"},
                     {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"})
    path = write_profile(text)
    line, column = rule_position(text, 1)
    assert_refused(probe(["status"], profile=path),
                   f"autoseccomp: {path}:{line}:{column}: profile expands to more than {MAX_RULES} libseccomp "
                   f"rules ({MAX_RULES + 1} up to this rule: 1 name x 1 architecture)\n")


def test_what_runc_does_not_add_is_not_counted(write_profile, tmp_path):
    """Nothing for a rule with the default action, nor for a name libseccomp
    does not know: the profile stays at the bound."""
    text = expanding(fd_rule(FD_CALLS, MAX_CONDITIONS // len(FD_CALLS)),
                     dict(fd_rule(["mkdir"] * 100, 10), action="SCMP_ACT_ALLOW"),
                     fd_rule(["no_such_syscall"] * 100, 10))
    r = probe(["syscall", SYS_FTRUNCATE, 1000, 0], ["mkdir", tmp_path / "a"], profile=write_profile(text))
    assert r.errnos == [ENOANO, 0], r


def test_each_architecture_counts(write_profile):
    """A third of the bound and a little more: it loads natively, and is
    refused on x86_64, x86 and x32."""
    rule = fd_rule(FD_CALLS, MAX_CONDITIONS // len(FD_CALLS) // 3 + 1)
    native = write_profile(expanding(rule))
    assert probe(["syscall", SYS_FTRUNCATE, 1000, 0], profile=native).errnos == [ENOANO]
    text = expanding(rule, architectures=["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"])
    path = write_profile(text)
    line, column = rule_position(text, 0)
    assert_refused(probe(["status"], profile=path),
                   f"autoseccomp: {path}:{line}:{column}: profile expands to more than {MAX_CONDITIONS} argument "
                   f"conditions (528 up to this rule: 16 names x 11 conditions x 3 architectures)\n")


def test_a_long_list_of_names_on_ten_architectures_is_refused_before_libseccomp(write_profile):
    """No arguments, but 16000 names (the token limit allows them) on ten
    architectures: 160000 rules, which took libseccomp 26 s."""
    text = expanding({"names": FD_CALLS * 1000, "action": "SCMP_ACT_ERRNO"}, architectures=TEN_ARCHES)
    path = write_profile(text)
    r, elapsed = timed(lambda: probe(["status"], profile=path, timeout=QUICK))
    line, column = rule_position(text, 0)
    assert_refused(r, f"autoseccomp: {path}:{line}:{column}: profile expands to more than {MAX_RULES} libseccomp "
                      "rules (160000 up to this rule: 16000 names x 10 architectures)\n")
    assert elapsed < 2, elapsed
