"""SECCOMP_PROFILE's values, the constructor linked into a program (dynamic
and static), embedded and locked profiles, secure-execution mode, and the
public API."""
import json
import os
import shutil
import stat
import sys

import pytest

from conftest import (BUILD, ENETDOWN, EPERM, LIB, PROBE, PROBE_LINKED, PROBE_STATIC, SANITIZE, needs_root,
                      not_sanitized, probe, run)

DENY_MKDIR = {"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}
KEYCTL = ["syscall", 250, 0, -3, 0]  # denied by the built-in profile, whatever the capabilities

LINKED = [pytest.param(PROBE_LINKED, id="dynamic"),
          pytest.param(PROBE_STATIC, id="static", marks=not_sanitized)]


def fingerprint(value, **kwargs):
    return run(["printenv", "AUTOSECCOMP_FILTER"], profile=value, **kwargs).stdout.strip()


@pytest.mark.parametrize("value", [None, "", "builtin"], ids=["unset", "empty", "builtin"])
def test_unset_empty_and_builtin_mean_the_builtin_profile(value):
    r = probe(KEYCTL, ["status"], profile=value)
    assert r.errnos == [EPERM] and r.status["Seccomp"] == 2, r
    assert fingerprint(value) == fingerprint("builtin") != ""


def test_unconfined_installs_nothing():
    r = probe(KEYCTL, ["status"], profile="unconfined")
    assert r.errnos != [EPERM] and r.status["Seccomp"] == 0, r
    assert fingerprint("unconfined") == ""


@pytest.mark.parametrize("program", LINKED)
def test_a_linked_constructor_confines_without_ld_preload(program, write_profile, tmp_path):
    builtin = probe(KEYCTL, ["status"], program=program, preload=False)
    assert builtin.errnos == [EPERM] and builtin.status["Seccomp"] == 2, builtin
    custom = probe(["mkdir", tmp_path / "a"], program=program, preload=False, profile=write_profile(DENY_MKDIR))
    assert custom.errnos == [EPERM], custom
    off = probe(["status"], program=program, preload=False, profile="unconfined")
    assert off.status["Seccomp"] == 0, off


EMBEDDED = [pytest.param("embedded", id="dynamic"), pytest.param("embedded-static", id="static", marks=not_sanitized)]


@pytest.mark.parametrize("name", EMBEDDED)
def test_an_embedded_profile_replaces_the_builtin(name, write_profile, tmp_path):
    program = BUILD / "examples" / name
    r = run([program, tmp_path / "a"], preload=False)
    assert r.stdout == f"mkdir {tmp_path / 'a'}: Network is down\n", r
    # Not locked: the environment may still choose.
    r = run([program, tmp_path / "b"], preload=False, profile="unconfined")
    assert r.stdout == f"mkdir {tmp_path / 'b'}: allowed\n", r
    r = run([program, tmp_path / "c"], preload=False, profile=write_profile(DENY_MKDIR))
    assert "Operation not permitted" in r.stdout, r


@pytest.mark.parametrize("name", [pytest.param("embedded-locked", id="dynamic"),
                                  pytest.param("embedded-locked-static", id="static", marks=not_sanitized)])
@pytest.mark.parametrize("value", ["unconfined", "builtin", "/nonexistent.json"])
def test_a_locked_embedded_profile_ignores_the_environment(name, value, tmp_path):
    r = run([BUILD / "examples" / name, tmp_path / "a"], preload=False, profile=value)
    assert r.returncode == 0 and r.stdout == f"mkdir {tmp_path / 'a'}: Network is down\n", r


def setuid_copy(program, tmp_path):
    """PROGRAM, owned by uid 65534 and setuid: started by root, it runs in
    secure-execution mode (AT_SECURE)."""
    os.chmod(tmp_path, 0o755)
    copy = tmp_path / (program.name + "-setuid")
    shutil.copy(program, copy)
    os.chown(copy, 65534, 65534)
    os.chmod(copy, 0o4755 | stat.S_IXGRP | stat.S_IXOTH)
    return copy


@needs_root
@pytest.mark.parametrize("program", LINKED)
@pytest.mark.parametrize("value", ["unconfined", "/nonexistent.json"])
def test_secure_execution_ignores_seccomp_profile(program, value, tmp_path):
    copy = setuid_copy(program, tmp_path)
    r = probe(KEYCTL, ["status"], program=copy, preload=False, profile=value)
    if r.status.get("Seccomp") is None:
        pytest.skip(f"{tmp_path} does not honour setuid bits: {r!r}")
    assert r.returncode == 0 and r.errnos == [EPERM] and r.status["Seccomp"] == 2, r


# probe-api links libautoseccomp.so, whose constructor runs first; "unconfined"
# leaves the filter to the API call.
def test_public_api_installs_a_profile(write_profile, tmp_path):
    r = run([BUILD / "tests" / "probe-api", write_profile(DENY_MKDIR), tmp_path / "a"], preload=False,
            profile="unconfined")
    assert r.stdout.splitlines()[:2] == ["apply=0 message=", "mkdir ret=-1 errno=1"], r


def test_public_api_reports_a_bad_profile_and_installs_nothing(write_profile, tmp_path):
    path = write_profile('{"defaultAction": "SCMP_ACT_NOPE"}')
    r = run([BUILD / "tests" / "probe-api", path, tmp_path / "a"], preload=False, profile="unconfined")
    lines = r.stdout.splitlines()
    assert lines[0].startswith(f"apply=-22 message=autoseccomp: {path}:1:19: unknown action \"SCMP_ACT_NOPE\""), r
    assert lines[1] == "mkdir ret=0 errno=0", r


def test_public_api_unconfined_and_missing_file(tmp_path):
    api = BUILD / "tests" / "probe-api"
    assert run([api, "unconfined"], preload=False, profile="unconfined").stdout.startswith("apply=0 message=\n")
    r = run([api, tmp_path / "missing.json"], preload=False, profile="unconfined")
    assert r.stdout.startswith(f"apply=-2 message=autoseccomp: {tmp_path / 'missing.json'}: cannot open profile: "
                               "No such file or directory"), r


def test_a_child_forked_while_a_thread_applies_can_apply_its_own(write_profile):
    """A thread is inside autoseccomp_apply when another forks: the child has
    no such thread, and its own call installs its filter, where it was told
    -EBUSY at every try and ran unconfined."""
    r = run([BUILD / "tests" / "fork-during-apply", write_profile({"defaultAction": "SCMP_ACT_ALLOW"})],
            preload=False, profile="unconfined", env={"AUTOSECCOMP_CACHE": "off"}, timeout=30)
    assert r.returncode == 0 and r.stdout == f"child apply=0 keyctl={EPERM}\n", r


def test_linking_the_shared_library_runs_the_constructor(write_profile, tmp_path):
    r = run([BUILD / "tests" / "probe-api", "unconfined", tmp_path / "a"], preload=False,
            profile=write_profile(DENY_MKDIR))
    assert r.stdout.splitlines()[:2] == ["apply=0 message=", "mkdir ret=-1 errno=1"], r


@pytest.mark.skipif(not SANITIZE, reason="leak checking needs the sanitizer build")
@pytest.mark.parametrize("text", ['{"defaultAction": "SCMP_ACT_NOPE"}', json.dumps(DENY_MKDIR)], ids=["bad", "good"])
def test_the_library_leaks_nothing(write_profile, tmp_path, text):
    """LeakSanitizer checks at exit; these profiles leave ptrace allowed for it."""
    r = run([BUILD / "tests" / "probe-api", write_profile(text), tmp_path / "a"], preload=False,
            profile="unconfined", env={"ASAN_OPTIONS": "detect_leaks=1:verify_asan_link_order=0"})
    assert r.returncode == 0 and "LeakSanitizer" not in r.stderr, r


# A thread that has a filter of its own calls the API: the check after the
# install must count that thread's filters, not the main thread's.
APPLY_FROM_A_FILTERED_THREAD = r"""
import ctypes, os, struct, sys, threading
lib = ctypes.CDLL(sys.argv[1])
libc = ctypes.CDLL(None, use_errno=True)
code = struct.pack("HBBI", 0x06, 0, 0, 0x7fff0000)  # allow everything
buf = ctypes.create_string_buffer(code)
class Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
prog = Prog(1, ctypes.addressof(buf))
def worker():
    assert libc.prctl(38, 1, 0, 0, 0) == 0
    assert libc.syscall(317, 1, 0, ctypes.byref(prog)) == 0
    message = ctypes.create_string_buffer(512)
    print("apply", lib.autoseccomp_apply(sys.argv[2].encode(), message, 512), message.value.decode())
    print("mkdir", libc.mkdir(sys.argv[3].encode(), 0o700), ctypes.get_errno())
thread = threading.Thread(target=worker)
thread.start()
thread.join()
"""


def test_the_api_from_a_thread_with_a_filter_of_its_own(write_profile, tmp_path):
    r = run([sys.executable, "-c", APPLY_FROM_A_FILTERED_THREAD, LIB, write_profile(DENY_MKDIR), tmp_path / "a"],
            preload=False, profile="unconfined")
    assert r.stdout.splitlines() == ["apply 0 ", "mkdir -1 1"], r
