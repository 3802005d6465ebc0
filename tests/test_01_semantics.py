"""What Docker and runc do with a profile, reproduced in real processes: each
case is one of runc's or moby's own integration tests (SEMANTICS.md (e))."""
import os

import pytest

from conftest import (EBADF, EINVAL, ENOANO, ENOSYS, ENETDOWN, ENXIO, EPERM, EPROTONOSUPPORT, ESRCH,
                      SIGSYS, errno_default_with, probe, run,
                      runc_test1_profile)

SYS = {"read": 0, "write": 1, "socket": 41, "mkdir": 83, "chdir": 80, "ftruncate": 77, "dup3": 292,
       "unshare": 272, "setns": 308, "syslog": 103, "personality": 135, "process_vm_readv": 310,
       "process_vm_writev": 311}
DENY_MKDIR = [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]


def allow_all_but(*rules, **top):
    return dict({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": list(rules)}, **top)


def test_denied_mkdir_gives_eperm(write_profile, tmp_path):
    path = write_profile(allow_all_but(*DENY_MKDIR))
    target = tmp_path / "foo"
    r = run(["sh", "-c", f"mkdir {target}"], profile=path)
    assert r.returncode != 0
    assert "Operation not permitted" in r.stderr
    assert not target.exists()
    assert probe(["mkdir", target], profile=path).errnos == [EPERM]


def test_errno_ret_100_gives_enetdown(write_profile, tmp_path):
    path = write_profile(allow_all_but({"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 100}))
    r = run(["mkdir", tmp_path / "foo"], profile=path)
    assert r.returncode == 1 and "Network is down" in r.stderr
    assert probe(["mkdir", tmp_path / "bar"], profile=path).errnos == [ENETDOWN]


@pytest.mark.parametrize("action", ["SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP"])
def test_kill_and_trap_end_the_process_with_sigsys(write_profile, tmp_path, action):
    path = write_profile(allow_all_but({"names": ["mkdir", "mkdirat"], "action": action}))
    r = probe(["mkdir", tmp_path / "foo"], profile=path)
    assert r.main_ran and r.signal == SIGSYS
    assert not (tmp_path / "foo").exists()


@pytest.fixture
def runc_test1(write_profile):
    return write_profile(runc_test1_profile())


def test_masked_eq_on_the_socket_protocol(runc_test1):
    r = probe(*[["socket", 1, 1, proto] for proto in (0x000, 0x0FF, 0x001, 0x100, 0xC00)], profile=runc_test1)
    assert r.errnos == [0, EPROTONOSUPPORT, 0, EPERM, EPERM], r


def test_the_same_argument_twice_is_ored(runc_test1):
    flags = 0xFFFFFFFFFFFFFFFF
    readv = [["syscall", SYS["process_vm_readv"], pid, 0, 0, 0, 0, flags] for pid in (100, 9001, 0)]
    writev = [["syscall", SYS["process_vm_writev"], pid, 0, 0, 0, 0, flags] for pid in (1337, 2020, 0)]
    r = probe(*readv, *writev, profile=runc_test1)
    assert r.errnos == [EINVAL, EINVAL, EPERM, ENOANO, ENOANO, EPERM], r


def test_different_arguments_are_anded(runc_test1):
    cases = [(123456789, 1337), (123456789, 1), (1, 1337)]
    r = probe(*[["syscall", SYS["ftruncate"], fd, length] for fd, length in cases], profile=runc_test1)
    assert r.errnos == [EBADF, EPERM, EPERM], r


def test_two_blocks_for_one_syscall_are_ored(runc_test1):
    r = probe(*[["syscall", SYS["dup3"], fd, fd, 0] for fd in (1, 3, 0, 2)], profile=runc_test1)
    assert r.errnos == [EINVAL, EINVAL, EPERM, EPERM], r


def test_unlisted_syscalls_below_the_highest_get_the_default_errno(runc_test1):
    r = probe(["syscall", SYS["unshare"], 0], ["syscall", SYS["setns"], 0, 0], profile=runc_test1)
    assert r.errnos == [EPERM, EPERM], r


def test_syscalls_above_the_highest_get_enosys(runc_test1):
    r = probe(["syscall", 1000], ["syscall", 0x3FFFFFFF], profile=runc_test1)
    assert r.errnos == [ENOSYS, ENOSYS], r


def test_allow_default_has_no_enosys_stub(write_profile):
    r = probe(["syscall", 1000], profile=write_profile(allow_all_but(*DENY_MKDIR)))
    assert r.errnos == [ENOSYS]  # the kernel's own answer: no such syscall
    r = probe(["syscall", 1000], profile=write_profile(allow_all_but(
        {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5})))
    assert r.errnos == [ENOSYS]


def test_default_errno_ret_6_gives_enxio(write_profile):
    path = write_profile(errno_default_with(without=("chdir",), defaultErrnoRet=6))
    r = probe(["syscall", SYS["chdir"], "@/"], profile=path)
    assert r.errnos == [ENXIO], r


def test_a_redundant_rule_is_accepted(write_profile):
    path = write_profile(allow_all_but({"names": ["bdflush", "getpid"], "action": "SCMP_ACT_ALLOW"}, *DENY_MKDIR))
    r = run(["true"], profile=path)
    assert r.returncode == 0, r
    assert probe(["mkdir", "/nonexistent/x"], profile=path).errnos == [EPERM]


def write_rule(*args):
    return {"names": ["write"], "action": "SCMP_ACT_ERRNO", "args": list(args)}


def test_writes_to_stderr_denied_by_an_argument_rule(write_profile):
    path = write_profile(allow_all_but(write_rule({"index": 0, "value": 2, "op": "SCMP_CMP_EQ"})))
    ok = run(["ls", "/"], profile=path)
    assert ok.returncode == 0 and "usr" in ok.stdout
    failed = run(["ls", "/does_not_exist"], profile=path)
    assert failed.returncode != 0 and failed.stderr == ""


def test_writes_denied_when_fd_is_2_and_count_is_not_0(write_profile):
    path = write_profile(allow_all_but(write_rule({"index": 0, "value": 2, "op": "SCMP_CMP_EQ"},
                                                  {"index": 2, "value": 0, "op": "SCMP_CMP_NE"})))
    assert "usr" in run(["ls", "/"], profile=path).stdout
    failed = run(["ls", "/does_not_exist"], profile=path)
    assert failed.returncode != 0 and failed.stderr == ""


def test_writes_to_stdout_or_stderr_same_argument_ored(write_profile):
    path = write_profile(allow_all_but(write_rule({"index": 0, "value": 1, "op": "SCMP_CMP_EQ"},
                                                  {"index": 0, "value": 2, "op": "SCMP_CMP_EQ"})))
    assert run(["ls", "/"], profile=path).stdout == ""
    failed = run(["ls", "/does_not_exist"], profile=path)
    assert failed.returncode != 0 and failed.stderr == ""


@pytest.mark.parametrize("errno_ret, expected", [(3, ESRCH), (None, EPERM)])
def test_syslog_denied(write_profile, errno_ret, expected):
    rule = {"names": ["syslog"], "action": "SCMP_ACT_ERRNO"}
    if errno_ret is not None:
        rule["errnoRet"] = errno_ret
    r = probe(["syscall", SYS["syslog"], 10, 0, 0], profile=write_profile(allow_all_but(rule)))
    assert r.errnos == [expected], r


def test_personality_only_the_values_docker_allows(write_profile):
    r = probe(*[["syscall", SYS["personality"], value] for value in (0xFFFFFFFF, 0, 0x0040000, 0x1FFFFFFFF)],
              profile="builtin")
    assert r.errnos == [0, 0, EPERM, EPERM], r


def test_personality_blocked(write_profile):
    path = write_profile(allow_all_but({"names": ["personality"], "action": "SCMP_ACT_ERRNO"}))
    assert probe(["syscall", SYS["personality"], 0xFFFFFFFF], profile=path).errnos == [EPERM]
    assert run(["uname", "-m"], profile=path).stdout.strip() == os.uname().machine


FLAG_SETS = [None, [], ["SECCOMP_FILTER_FLAG_TSYNC"], ["SECCOMP_FILTER_FLAG_LOG"],
             ["SECCOMP_FILTER_FLAG_SPEC_ALLOW"], ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
             ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"]]


@pytest.mark.parametrize("flags", FLAG_SETS, ids=lambda f: "absent" if f is None else "+".join(f) or "empty")
def test_every_flag_installs(write_profile, tmp_path, flags):
    top = {} if flags is None else {"flags": flags}
    r = probe(["mkdir", tmp_path / "foo"], ["status"], profile=write_profile(allow_all_but(*DENY_MKDIR, **top)))
    assert r.errnos == [EPERM] and r.status["Seccomp"] == 2, r


def test_min_kernel_and_caps_decide_which_rules_are_kept(write_profile, tmp_path):
    rules = [
        {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5, "includes": {"minKernel": "255.0"}},
        {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 6, "excludes": {"minKernel": "3.0"}},
        {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 7, "includes": {"arches": ["s390x"]}},
        {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 8, "includes": {"caps": ["CAP_NO_SUCH"]}},
        {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 9, "includes": {"minKernel": "3.0",
                                                                                    "arches": ["amd64"]}},
    ]
    assert probe(["mkdir", tmp_path / "d"], profile=write_profile(allow_all_but(*rules))).errnos == [9]


def test_programs_tolerate_enosys_for_new_syscalls(write_profile):
    """runc's compatibility check: newer syscalls answered ENOSYS by the
    profile, and ordinary programs still run."""
    names = ["close_range", "fsopen", "fsconfig", "fspick", "openat2", "open_tree", "move_mount", "mount_setattr"]
    path = write_profile(allow_all_but({"names": names, "action": "SCMP_ACT_ERRNO", "errnoRet": 38}))
    assert run(["true"], profile=path).returncode == 0
    assert run(["sh", "-c", "ls / >/dev/null && echo ok"], profile=path).stdout == "ok\n"
    assert probe(["syscall", 436, 3, 100, 0], profile=path).errnos == [ENOSYS]  # close_range


def test_first_of_two_unconditional_rules_wins(write_profile, tmp_path):
    path = write_profile(allow_all_but({"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5},
                                       {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 6},
                                       {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 7,
                                        "args": [{"index": 1, "value": 0, "op": "SCMP_CMP_NE"}]}))
    assert probe(["mkdir", tmp_path / "a"], profile=path).errnos == [5]


def test_unknown_syscall_names_are_skipped(write_profile, tmp_path):
    path = write_profile(allow_all_but({"names": ["no_such_syscall", "mkdir"], "action": "SCMP_ACT_ERRNO"}))
    assert probe(["mkdir", tmp_path / "a"], profile=path).errnos == [EPERM]


def test_legacy_name_and_case_insensitive_keys(write_profile, tmp_path):
    path = write_profile('{"DefaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"name": "mkdir", '
                         '"ACTION": "SCMP_ACT_ERRNO", "errnoret": 100, "comment": "any \\"text\\"", "x": [1, {}]}]}')
    assert probe(["mkdir", tmp_path / "a"], profile=path).errnos == [ENETDOWN]


def test_a_repeated_key_keeps_its_last_value(write_profile, tmp_path):
    path = write_profile('{"defaultAction": "SCMP_ACT_KILL", "defaultAction": "SCMP_ACT_ALLOW", '
                         '"syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ALLOW", "action": "SCMP_ACT_ERRNO"}]}')
    assert probe(["mkdir", tmp_path / "a"], profile=path).errnos == [EPERM]
