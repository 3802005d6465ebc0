"""The autoseccomp command: check, explain, compile, dump, exec."""
import json
import os
import re
import struct
import subprocess

import pytest

from conftest import (BUILD, DOCKER_CAPS, ENETDOWN, EPERM, PODMAN_PROFILE, PROBE, ROOT, TOOL, base_env,
                      compile_filter, errno_default_with, needs_podman_profile, probe, run, tool)

DENY_MKDIR = {"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 100}]}


def test_help_and_version():
    assert tool("--help").returncode == 0 and "autoseccomp explain PROFILE" in tool("--help").stdout
    version = tool("--version")
    assert version.returncode == 0 and version.stdout.startswith("autoseccomp 0.1.0 (libseccomp ")


@pytest.mark.parametrize("args", [[], ["frobnicate"], ["check"], ["show", "x.json"],
                                  ["check", "builtin", "--caps", "CAP_NOPE"], ["check", "builtin", "--bogus"],
                                  ["explain", "builtin", "--kernel", "six"], ["check", "unconfined"]])
def test_usage_errors_exit_2(args):
    r = tool(*args)
    assert r.returncode == 2 and r.stderr.startswith("autoseccomp: ") and "usage:" in r.stderr, r


@pytest.mark.parametrize("args", [["exec", "builtin"], ["exec", "builtin", "--"], ["exec"],
                                  ["exec", "--caps", "CAP_NOPE", "--", "true"]])
def test_exec_usage_errors_exit_125_as_env_does(args):
    r = tool(*args)
    assert r.returncode == 125 and "usage:" in r.stderr, r


@pytest.mark.parametrize("args", [["unconfined", "x.json"], ["builtin", "x.json"], ["--base", "x.json"],
                                  ["-o", "x.json"], ["--kernel", "4.0"], ["--install"], ["--plain"], ["--pid", "1"],
                                  ["-"]])
def test_exec_refuses_what_it_would_otherwise_drop_and_runs_nothing(tmp_path, args):
    """A second profile, or another command's option, would be ignored, and
    the command run under another profile than meant; '-' would read the
    command's own standard input."""
    ran = tmp_path / "ran"
    r = tool("exec", *args, "--", "touch", ran)
    assert r.returncode == 125 and "usage:" in r.stderr and not ran.exists(), r


@pytest.mark.parametrize("args", [["check", "builtin", "--json"], ["dump", "builtin", "--report", "stderr"],
                                  ["check", "builtin", "x.json"], ["compile", "builtin", "--audit"],
                                  ["show", "builtin", "--caps", "none"]])
def test_an_option_or_profile_a_command_does_not_take_is_refused(args):
    r = tool(*args)
    assert r.returncode == 2 and "usage:" in r.stderr, r


@pytest.mark.parametrize("args", [["dump", "builtin"], ["explain", "builtin"], ["check", "builtin"],
                                  ["explain", "builtin", "keyctl"]])
def test_output_that_cannot_be_written_is_an_error(args):
    with open("/dev/full", "w") as full:
        r = subprocess.run([str(TOOL), *args], stdout=full, stderr=subprocess.PIPE, text=True, env=base_env())
    assert r.returncode == 1 and "autoseccomp: standard output: cannot write: No space left on device" in r.stderr, r


def test_explain_an_architecture_the_filter_does_not_cover():
    out = " ".join(tool("explain", "builtin", "mkdirat", "--arch", "aarch64").stdout.split())
    assert out == "aarch64 34 mkdirat SCMP_ACT_KILL_THREAD architecture not in the filter " \
                  "(libseccomp's bad-architecture action)"


def test_check_accepts_the_builtin_profile_and_warns_about_skipped_names():
    r = tool("check", "builtin", "--caps", "none")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("builtin: loads: ")
    # Names libseccomp 2.5 does not know are skipped, as runc skips them.
    assert 'warning: unknown syscall "mseal" skipped' in r.stderr or "mseal" not in r.stderr
    assert "warning: rule dropped on this host" in r.stderr


def test_check_reports_errors_in_the_librarys_format(write_profile):
    path = write_profile('{"defaultAction": "SCMP_ACT_ERRNO",\n "syscalls": [{"names": ["x"], "action": "NOPE"}]}')
    r = tool("check", path)
    assert r.returncode == 1 and r.stderr.startswith(f"autoseccomp: {path}:2:42: unknown action \"NOPE\""), r


def test_check_reads_standard_input():
    r = tool("check", "-", stdin=json.dumps(DENY_MKDIR))
    assert r.returncode == 0 and r.stdout.startswith("-: loads: 1 of 1 rules apply"), r
    r = tool("check", "-", stdin="")
    assert r.returncode == 1 and r.stderr == "autoseccomp: -: profile is empty\n", r


@pytest.mark.parametrize("args, expected", [
    (["mkdir"], ("SCMP_ACT_ALLOW", "rule at builtin:")),
    (["clone", "0x10000000"], ("SCMP_ACT_ERRNO(EPERM)", "default action at builtin:")),
    (["clone", "0"], ("SCMP_ACT_ALLOW", "rule at builtin:")),
    (["clone3"], ("SCMP_ACT_ERRNO(ENOSYS)", "rule at builtin:")),
    (["1000"], ("SCMP_ACT_ERRNO(ENOSYS)", "ENOSYS stub")),
    (["socket", "40"], ("SCMP_ACT_ERRNO(EPERM)", "default action")),
    (["socket", "2"], ("SCMP_ACT_ALLOW", "rule at builtin:")),
    (["mount", "--arch", "x86"], ("SCMP_ACT_ERRNO(EPERM)", "default action")),
    (["mkdir", "--arch", "x32"], ("SCMP_ACT_ALLOW", "rule at builtin:")),
])
def test_explain_one_syscall(args, expected):
    r = tool("explain", "builtin", *args, "--caps", "none")
    assert r.returncode == 0, r.stderr
    action, by = expected
    assert action in r.stdout and by in r.stdout, r.stdout


def test_explain_points_at_the_deciding_rule(write_profile):
    text = ('{"defaultAction": "SCMP_ACT_ALLOW",\n"syscalls": [\n'
            '{"names": ["getpid"], "action": "SCMP_ACT_ALLOW"},\n'
            '{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 100},\n'
            '{"names": ["write"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]}]}')
    path = write_profile(text)

    def explain(*args):
        return " ".join(tool("explain", path, *args).stdout.split())

    assert explain("mkdir") == f"x86_64 83 mkdir SCMP_ACT_ERRNO(ENETDOWN) rule at {path}:4:1"
    assert explain("write", "2") == f"x86_64 1 write SCMP_ACT_ERRNO(EPERM) rule at {path}:5:1 (depends on arguments)"
    assert explain("write", "1") == f"x86_64 1 write SCMP_ACT_ALLOW default action at {path}:1:19 (depends on arguments)"


def test_explain_table_covers_every_architecture_and_agrees_with_single_queries():
    table = json.loads(tool("explain", "builtin", "--caps", "none", "--json").stdout)
    arches = {row["arch"] for row in table}
    assert arches == {"x86_64", "x86", "x32"}
    rows = {(row["arch"], row["name"]): row for row in table}
    assert rows[("x86_64", "mount")]["action"] == "SCMP_ACT_ERRNO" and rows[("x86_64", "mount")]["data"] == EPERM
    assert rows[("x86_64", "read")]["action"] == "SCMP_ACT_ALLOW" and rows[("x86_64", "read")]["decided_by"] == "rule"
    assert rows[("x86_64", "clone")]["conditional"] is True
    assert rows[("x86", "socketcall")]["action"] == "SCMP_ACT_ALLOW"
    assert len(table) > 900


def test_explain_agrees_with_the_kernel(write_profile, tmp_path):
    """What explain says for a call is what the kernel answers the probe."""
    path = write_profile(DENY_MKDIR)
    out = tool("explain", path, "mkdir").stdout
    assert "SCMP_ACT_ERRNO(ENETDOWN)" in out
    assert probe(["mkdir", tmp_path / "a"], profile=path).errnos == [ENETDOWN]


def test_compile_writes_the_program_the_library_installs(tmp_path):
    out = compile_filter("builtin", tmp_path / "f.bpf")
    data = out.read_bytes()
    assert len(data) % 8 == 0 and len(data) // 8 > 100
    code, jt, jf, k = struct.unpack("<HBBI", data[:8])
    assert (code, k) == (0x20, 4)  # ld [arch] comes first
    plain = compile_filter("builtin", tmp_path / "plain.bpf", None)
    assert tool("compile", "builtin", "--plain", "-o", plain).returncode == 0
    assert len(plain.read_bytes()) > len(data)  # the program installed is the smaller one
    # The library's marker names the same program.
    dump_count = len([line for line in tool("dump", "builtin").stdout.splitlines() if not line.startswith(";")])
    assert dump_count == len(data) // 8


def test_dump_names_syscalls_and_actions():
    out = tool("dump", "builtin", "--caps", "none", "--plain").stdout
    assert "; runc's ENOSYS stub" in out and "; libseccomp's filter" in out
    assert "ret SCMP_ACT_ERRNO(ENOSYS)" in out and "ret SCMP_ACT_ALLOW" in out and "; x86_64" in out
    assert "; futex_requeue" in out
    assert "and #0x7e020000" in out  # clone's flags, masked for SCMP_CMP_MASKED_EQ


def test_exec_confines_a_static_binary(write_profile, tmp_path):
    static = BUILD / "tests" / "probe-static"
    if not static.exists():
        pytest.skip("no static probe in the sanitizer build")
    # probe-static carries the constructor; "unconfined" leaves the filter to exec.
    r = run([TOOL, "exec", write_profile(DENY_MKDIR), "--", static, "mkdir", tmp_path / "a", "--", "status"],
            preload=False, env={"SECCOMP_PROFILE": "unconfined"})
    assert r.errnos == [ENETDOWN] and r.status["Seccomp_filters"] == 1, r


def test_exec_defaults_to_the_builtin_profile():
    r = run([TOOL, "exec", "--", PROBE, "syscall", 250, 0, -3, 0, "--", "status"], preload=False)
    assert r.errnos == [EPERM] and r.status["Seccomp"] == 2, r


def test_exec_unconfined_and_failures(tmp_path):
    r = run([TOOL, "exec", "unconfined", "--", PROBE, "status"], preload=False)
    assert r.status["Seccomp"] == 0, r
    r = run([TOOL, "exec", tmp_path / "missing.json", "--", PROBE, "status"], preload=False)
    assert r.returncode == 125 and r.stdout == "" and "cannot open profile" in r.stderr, r
    assert run([TOOL, "exec", "--", tmp_path / "nothing"], preload=False).returncode == 127


def exit_statuses(page):
    """The EXIT STATUS section of a man page: {status: its text, flattened}."""
    text = (ROOT / "src" / "man" / "man1" / page).read_text()
    section = text.split(".SH EXIT STATUS\n", 1)[1].split("\n.SH ", 1)[0]
    statuses = {}
    for entry in section.split(".TP\n")[1:]:
        lines = entry.split("\n.PP\n")[0].splitlines()
        words = " ".join(line.split(" ", 1)[1] if line.startswith(".") else line for line in lines[1:])
        statuses[int(lines[0].split()[-1])] = words.replace("\\-", "-")
    return statuses


def test_exec_statuses_are_the_ones_both_pages_document(tmp_path):
    """125 for exec's own failures (its command line included, as env(1)),
    126 for a command found but not executable, 127 for one not found."""
    plain = tmp_path / "not-executable"
    plain.write_text("#!/bin/sh\n")
    runs = {125: [[TOOL, "exec", "builtin"], [TOOL, "exec", tmp_path / "missing.json", "--", PROBE]],
            126: [[TOOL, "exec", "--", plain], [TOOL, "exec", "--", tmp_path]],
            127: [[TOOL, "exec", "--", tmp_path / "nothing"], [TOOL, "exec", "--", "no-such-command-anywhere"]]}
    for status, argvs in runs.items():
        for argv in argvs:
            r = run(argv, preload=False)
            assert r.returncode == status and r.stdout == "" and r.stderr.startswith("autoseccomp: "), (argv, r)
    exec_page, main_page = exit_statuses("autoseccomp-exec.1"), exit_statuses("autoseccomp.1")
    assert set(exec_page) == set(runs), exec_page
    for status, says in [(125, "command line is wrong"), (126, "cannot be executed"), (127, "not found")]:
        assert says in exec_page[status], exec_page[status]
        assert "autoseccomp exec" in main_page[status] and says.replace("cannot", "could not") in main_page[status]
    assert "exec" not in main_page[2] or "but exec" in main_page[2], main_page[2]


DENY_EXECVE = [
    ("deny-all-errno", {"defaultAction": "SCMP_ACT_ERRNO"}, "SCMP_ACT_ERRNO(EPERM)"),
    ("deny-all-kill", {"defaultAction": "SCMP_ACT_KILL"}, "SCMP_ACT_KILL_THREAD"),
    ("deny-all-trap", {"defaultAction": "SCMP_ACT_TRAP"}, "SCMP_ACT_TRAP"),
    ("deny-execve", {"defaultAction": "SCMP_ACT_ALLOW",
                     "syscalls": [{"names": ["execve"], "action": "SCMP_ACT_ERRNO", "errnoRet": 100}]},
     "SCMP_ACT_ERRNO(ENETDOWN)"),
    ("kill-execve", {"defaultAction": "SCMP_ACT_ALLOW",
                     "syscalls": [{"names": ["execve"], "action": "SCMP_ACT_KILL_PROCESS"}]}, "SCMP_ACT_KILL_PROCESS"),
]


@pytest.mark.parametrize("profile, action", [c[1:] for c in DENY_EXECVE], ids=[c[0] for c in DENY_EXECVE])
def test_exec_under_a_profile_that_denies_execve_exits_126(write_profile, tmp_path, profile, action):
    """Not a crash, and not a silent status: the program is refused before
    the filter, which may deny write and exit_group too, is installed."""
    path = write_profile(profile)
    ran = tmp_path / "ran"
    r = run([TOOL, "exec", path, "--", "touch", ran], preload=False)
    assert r.returncode == 126 and r.stdout == "" and not ran.exists(), r
    assert r.stderr.startswith(f"autoseccomp: {path}:") and r.stderr.count("\n") == 1, r
    # Named as explain names it: the rule or default action that denies execve.
    assert re.search(rf": execve is denied \({re.escape(action)}, (rule|default action) at "
                     rf"{re.escape(str(path))}:\d+:\d+\): "
                     r"cannot execute touch\n$", r.stderr), r
    assert run([TOOL, "exec", "unconfined", "--", "touch", ran], preload=False).returncode == 0 and ran.exists()


VITAL = ["execve", "exit_group", "exit", "write", "mmap", "rt_sigreturn"]


def denied_warnings(stderr):
    return [line.split(": warning: ")[1].split(" ")[0] for line in stderr.splitlines() if " is denied (" in line]


def test_check_warns_about_a_profile_that_denies_what_every_program_needs(write_profile):
    path = write_profile('{"defaultAction": "SCMP_ACT_ERRNO"}')
    r = tool("check", path)
    assert r.returncode == 0 and r.stdout.startswith(f"{path}: loads: "), r
    assert denied_warnings(r.stderr) == VITAL, r.stderr
    assert f"autoseccomp: {path}:1:19: warning: exit_group is denied (SCMP_ACT_ERRNO(EPERM)): " in r.stderr
    r = tool("check", write_profile(errno_default_with(without=("write", "mmap"))))
    assert r.returncode == 0 and denied_warnings(r.stderr) == ["write", "mmap"], r.stderr
    # A call denied for some arguments only gets through for others: no warning.
    r = tool("check", write_profile(errno_default_with(
        {"names": ["write"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_NE"}]},
        without=("write",))))
    assert r.returncode == 0 and denied_warnings(r.stderr) == [], r.stderr
    r = tool("check", "builtin", "--caps", "none")
    assert r.returncode == 0 and denied_warnings(r.stderr) == [], r.stderr


@needs_podman_profile
def test_podman_profile_from_the_reference_loads():
    r = tool("check", PODMAN_PROFILE)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("kernel, expected", [("4.7", "SCMP_ACT_ERRNO(EPERM)"), ("4.8", "SCMP_ACT_ALLOW"),
                                              ("6.1", "SCMP_ACT_ALLOW")])
def test_explain_for_another_kernel(kernel, expected):
    """Docker allows ptrace without CAP_SYS_PTRACE from Linux 4.8 on."""
    out = tool("explain", "builtin", "ptrace", "--caps", "none", "--kernel", kernel).stdout
    assert expected in out, out


def test_podman_errno_names_override_the_numbers(write_profile, tmp_path):
    path = write_profile({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1, "defaultErrno": "ENOSYS",
                          "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
                                        "errno": "ENETDOWN"}]})
    assert "SCMP_ACT_ERRNO(ENETDOWN)" in tool("explain", path, "mkdir").stdout
    out = tool("explain", path, "read").stdout  # below mkdir: the default, not the ENOSYS stub
    assert "SCMP_ACT_ERRNO(ENOSYS)" in out and "default action" in out, out


@pytest.mark.parametrize("args", [["check", "--help"], ["explain", "builtin", "-h"], ["compile", "--help"],
                                  ["dump", "builtin", "--help"], ["exec", "--help", "--", "false"], ["show", "-h"]])
def test_help_after_any_command(args):
    r = tool(*args)
    assert r.returncode == 0 and r.stdout.startswith("usage: autoseccomp check") and r.stderr == "", r


def test_help_after_exec_s_double_dash_is_the_command_s():
    r = tool("exec", "unconfined", "--", TOOL, "--version")
    assert r.returncode == 0 and r.stdout.startswith("autoseccomp 0.1.0"), r


def test_compile_writes_standard_output_but_not_to_a_terminal(tmp_path):
    import subprocess
    assert tool("compile", "builtin", "-o", tmp_path / "file.bpf").returncode == 0
    for args in (["compile", "builtin"], ["compile", "builtin", "-o", "-"]):
        out = subprocess.run([TOOL, *args], capture_output=True)
        assert out.returncode == 0 and out.stdout == (tmp_path / "file.bpf").read_bytes()
    controller, terminal = os.openpty()
    try:
        r = subprocess.run([TOOL, "compile", "builtin"], stdout=terminal, stderr=subprocess.PIPE, text=True)
    finally:
        os.close(terminal)
        os.close(controller)
    assert r.returncode == 2 and "writes a binary program" in r.stderr


def test_check_quiet_says_nothing_but_errors(write_profile):
    r = tool("check", "builtin", "--quiet", "--caps", "none")
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    r = tool("check", write_profile('{"defaultAction": "NOPE"}'), "-q")
    assert r.returncode == 1 and r.stdout == "" and "unknown action" in r.stderr


def test_show_prints_the_builtin_profile():
    r = tool("show", "builtin")
    assert r.returncode == 0 and r.stdout == (ROOT / "profiles" / "default.json").read_text()


def test_check_names_the_condition_that_drops_each_rule(write_profile):
    conditions = [{"excludes": {"arches": ["amd64"]}}, {"excludes": {"caps": ["CAP_KILL", "CAP_CHOWN"]}},
                  {"excludes": {"minKernel": "4.0"}}, {"includes": {"arches": ["arm64"]}},
                  {"includes": {"caps": ["CAP_CHOWN", "CAP_SYS_ADMIN"]}}, {"includes": {"minKernel": "9.1"}},
                  {"includes": {"caps": ["CAP_CHOWN"]}}]
    profile = {"defaultAction": "SCMP_ACT_ALLOW",
               "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", **c} for c in conditions]}
    r = tool("check", write_profile(profile), "--caps", "CAP_CHOWN", "--kernel", "5.10")
    reasons = [line.split("warning: rule dropped on this host: ")[1] for line in r.stderr.splitlines()]
    assert reasons == ["excludes.arches names amd64", "excludes.caps names CAP_CHOWN, which is held",
                       "excludes.minKernel is 4.0, and the kernel is 5.10", "includes.arches does not name amd64",
                       "includes.caps names CAP_SYS_ADMIN, which is not held",
                       "includes.minKernel is 9.1, and the kernel is 5.10"], r.stderr
    assert r.stdout.split(": ", 1)[1].startswith("loads: 1 of 7 rules apply, ")


def test_check_reports_the_size_of_the_program_installed(tmp_path):
    r = tool("check", "builtin", "--caps", "none")
    installed, runc = re.search(r"(\d+) instructions installed \((\d+) as runc builds them\)", r.stdout).groups()
    assert tool("compile", "builtin", "--caps", "none", "-o", tmp_path / "i.bpf").returncode == 0
    assert tool("compile", "builtin", "--caps", "none", "--plain", "-o", tmp_path / "r.bpf").returncode == 0
    assert (int(installed) * 8, int(runc) * 8) == ((tmp_path / "i.bpf").stat().st_size, (tmp_path / "r.bpf").stat().st_size)


@pytest.mark.parametrize("arch, nr", [("x86_64", 462), ("x86", 462), ("x32", 0x40000000 | 462)])
def test_explain_knows_calls_newer_than_libseccomp(arch, nr):
    """mseal is in Docker's profile; libseccomp 2.5.4 does not know it, so the
    filter does not name it and it reaches the ENOSYS stub or the default."""
    by_name, by_number = tool("explain", "builtin", "mseal", "--arch", arch), tool("explain", "builtin", nr, "--arch", arch)
    assert by_name.returncode == 0 and by_name.stdout.split()[1:3] == [str(nr), "mseal"], by_name
    assert by_number.stdout == by_name.stdout
    assert tool("explain", "builtin", "mseal", "--arch", "aarch64").returncode == 2



def instructions(listing):
    return [line for line in listing.splitlines() if not line.startswith(";")]


def test_dump_reads_a_compiled_program(tmp_path):
    assert tool("compile", "builtin", "--caps", "none", "-o", tmp_path / "b.bpf").returncode == 0
    listing = tool("dump", tmp_path / "b.bpf").stdout
    assert listing and instructions(listing) == instructions(tool("dump", "builtin", "--caps", "none").stdout)
    # On standard input, a program is told from a profile by its bytes.
    program = (tmp_path / "b.bpf").read_bytes()
    piped = subprocess.run([str(TOOL), "dump", "-"], input=program, capture_output=True, env=base_env())
    assert instructions(piped.stdout.decode()) == instructions(listing)
    (tmp_path / "deny.json").write_text(json.dumps(DENY_MKDIR))
    from_file = instructions(tool("dump", tmp_path / "deny.json").stdout)
    assert from_file and instructions(tool("dump", "-", stdin=json.dumps(DENY_MKDIR)).stdout) == from_file
    (tmp_path / "odd.bpf").write_bytes(b"\0" * 12)
    r = tool("dump", tmp_path / "odd.bpf")
    assert r.returncode == 1 and r.stderr == f"autoseccomp: {tmp_path / 'odd.bpf'}: not a BPF program: 12 bytes, " \
                                              "not a multiple of 8\n"


@pytest.mark.skipif(os.geteuid() != 0, reason="reading another process's filter needs CAP_SYS_ADMIN")
def test_dump_reads_a_running_process_s_filters(tmp_path):
    import subprocess
    import time
    from conftest import LIB, base_env
    child = subprocess.Popen(["sleep", "30"], env=dict(base_env(), LD_PRELOAD=str(LIB)))
    try:
        for _ in range(500):
            if "Seccomp:\t2" in open(f"/proc/{child.pid}/status").read():
                break
            time.sleep(0.01)
        listing = tool("dump", "--pid", child.pid).stdout
    finally:
        child.kill()
        child.wait()
    expected = instructions(tool("dump", "builtin").stdout)
    assert listing.splitlines()[0] == f"; filter 0 (the most recent), {len(expected)} instructions"
    assert instructions(listing) == expected
    assert tool("dump", "builtin", "--pid", "1").returncode == 2
    r = tool("dump", "--pid", child.pid)
    assert r.returncode == 1 and r.stderr.startswith(f"autoseccomp: process {child.pid}: ")


EMBED_PROBE = r"""
#include <autoseccomp.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
int main(int argc, char **argv)
{
	if (argc > 2) {
		fwrite(autoseccomp_embedded_profile.json, 1, autoseccomp_embedded_profile.len, stdout);
		return 0;
	}
	printf("%d\n", mkdir(argv[1], 0700) < 0 ? errno : 0);
	return 0;
}
"""


@pytest.mark.skipif(bool(os.environ.get("AUTOSECCOMP_SANITIZE")),
                    reason="the sanitized archive links only into programs built with the sanitizers")
@pytest.mark.parametrize("locked", [False, True])
def test_embed_writes_a_c_source_that_carries_every_byte(write_profile, tmp_path, locked):
    import subprocess
    from conftest import base_env
    # Escapes, non-ASCII text and a backslash: what a hand-written string literal gets wrong.
    text = '{"comment": "caf\u00e9 \\\\ \\u00e9 \\"q\\"\\t",\n "defaultAction": "SCMP_ACT_ALLOW",\n' \
           ' "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 100}]}\n'
    profile = write_profile(text)
    source = tmp_path / "profile.c"
    assert tool("embed", profile, "-o", source, *(["--locked"] if locked else [])).returncode == 0
    (tmp_path / "main.c").write_text(EMBED_PROBE)
    program = tmp_path / "embedded"
    subprocess.run(["cc", "-Wall", "-Wextra", "-Werror", f"-I{ROOT / 'include'}", tmp_path / "main.c", source, "-o",
                    program, BUILD / "libautoseccomp.a", "-lseccomp"], check=True)  # the source links the constructor in
    assert subprocess.run([program, "x", "bytes"], capture_output=True).stdout == profile.read_bytes()
    env = base_env()
    assert subprocess.run([program, tmp_path / "a"], env=env, capture_output=True, text=True).stdout == "100\n"
    env["SECCOMP_PROFILE"] = "unconfined"
    expected = "100\n" if locked else "0\n"
    assert subprocess.run([program, tmp_path / "b"], env=env, capture_output=True, text=True).stdout == expected


def test_embed_refuses_a_profile_that_does_not_load(write_profile, tmp_path):
    r = tool("embed", write_profile('{"defaultAction": "SCMP_ACT_NOPE"}'), "-o", tmp_path / "p.c")
    assert r.returncode == 1 and "unknown action" in r.stderr and not (tmp_path / "p.c").exists()
