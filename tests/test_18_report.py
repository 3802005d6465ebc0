"""Report and audit modes: every call the profile does not allow is named,
by a supervisor the program cannot see, for every process that shares the
filter; in report mode each call still gets exactly the profile's answer,
and in audit mode none is denied."""
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from conftest import (BUILD, DOCKER_PROFILE, EPERM, ENOSYS, LIB, NOBODY, PODMAN_PROFILE, PROBE, PROBE_STATIC, SANITIZE,
                      TOOL, base_env, needs_root, probe, run, wait_until)

EACCES = 13
DENY = {"defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": EACCES},
                     {"names": ["getppid"], "action": "SCMP_ACT_ERRNO"},
                     {"names": ["personality"], "action": "SCMP_ACT_KILL_PROCESS"}]}
USERS = [None, pytest.param("nobody", marks=needs_root)]
LINE = re.compile(r"^autoseccomp: (\d+) \((\S+)\): (\S+) (\S+) nr (\d+) \(0x[0-9a-f]+, 0x[0-9a-f]+, 0x[0-9a-f]+, "
                  r"\.\.\.\) -> (audit: would be )?(\S+), (.*)$")


def reports(text):
    """The report lines of TEXT, parsed."""
    return [LINE.match(line).groups() for line in text.splitlines() if LINE.match(line)]


def supervisors(marker):
    """The supervisors whose command line (the program's, as they are its
    forks) holds MARKER."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if (entry / "comm").read_text().strip() == "autoseccomp-sv" and \
                    marker in (entry / "cmdline").read_bytes().decode(errors="replace"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@pytest.mark.parametrize("user", USERS)
def test_each_denial_is_named_and_answered_as_the_profile_says(write_shared_profile, shared_dir, user):
    profile = write_shared_profile(DENY)
    r = probe(["mkdir", shared_dir / "made"], ["syscall", 110], ["syscall", 110], ["syscall", 39], profile=profile,
              user=user, env={"AUTOSECCOMP_REPORT": "stderr"})
    assert r.returncode == 0, r
    pid = r.calls[3][1]
    assert r.calls[:3] == [("mkdir", -1, EACCES), ("syscall", -1, EPERM), ("syscall", -1, EPERM)], r
    assert not (shared_dir / "made").exists()
    lines = r.stderr.splitlines()
    assert lines[0] == (f"autoseccomp: {pid} (probe): mkdir(2) x86_64 nr 83 (0x{lines[0].split('(0x')[1].split(',')[0]}, "
                        f"0x1c0, 0x0, ...) -> SCMP_ACT_ERRNO(EACCES), rule at {profile}:4:3"), r
    assert lines[1] == (f"autoseccomp: {pid} (probe): getppid(2) x86_64 nr 110 (0x0, 0x0, 0x0, ...) "
                        f"-> SCMP_ACT_ERRNO(EPERM), rule at {profile}:12:3"), r
    # The second getppid is counted, not named again.
    assert lines[2:] == [f"autoseccomp: 2 calls in all: getppid(2) x86_64 nr 110 (0x0, 0x0, 0x0, ...) "
                         f"-> SCMP_ACT_ERRNO(EPERM), rule at {profile}:12:3"], r


def test_the_builtin_profile_names_its_default_action_and_the_enosys_stub():
    r = probe(["syscall", 250], ["syscall", 1000], env={"AUTOSECCOMP_REPORT": "stderr"})
    assert r.errnos == [EPERM, ENOSYS], r
    assert [(g[2], g[3], g[6], g[7]) for g in reports(r.stderr)] == [
        ("keyctl(2)", "x86_64", "SCMP_ACT_ERRNO(EPERM)", "default action at builtin:3:20"),
        ("unknown", "x86_64", "SCMP_ACT_ERRNO(ENOSYS)", "ENOSYS stub (newer than every syscall the profile names)"),
    ], r


def test_reports_go_to_a_file(write_shared_profile, shared_dir):
    log = shared_dir / "report.log"
    log.write_text("earlier\n")
    r = probe(["syscall", 110], profile=write_shared_profile(DENY), env={"AUTOSECCOMP_REPORT": str(log)})
    assert r.errnos == [EPERM] and r.stderr == "", r
    # The supervisor writes on its own time: the program may have gone first.
    wait_until(lambda: len(reports(log.read_text())) == 1, "the report line")
    assert log.read_text().startswith("earlier\n")


def test_reports_go_to_syslog(write_shared_profile):
    """Where no syslog daemon owns /dev/log, the test listens there itself,
    as one would, and reads the line."""
    listener = None
    if not os.path.exists("/dev/log") and os.geteuid() == 0:
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        listener.bind("/dev/log")
        listener.settimeout(30)
    try:
        r = probe(["syscall", 110], profile=write_shared_profile(DENY), env={"AUTOSECCOMP_REPORT": "syslog"})
        assert r.returncode == 0 and r.errnos == [EPERM] and r.stderr == "", r
        if listener is None:
            pytest.skip("a syslog daemon owns /dev/log (or this is not root): the line cannot be read back here")
        message = listener.recv(4096).decode()
    finally:
        if listener is not None:
            listener.close()
            os.unlink("/dev/log")
    # <12>: facility user, level warning.
    assert message.startswith("<12>") and "autoseccomp: " in message and "(probe): getppid(2) x86_64 nr 110" in message, \
        message


@pytest.mark.parametrize("value, message", [
    ("stdout", 'AUTOSECCOMP_REPORT is "stdout": expected stderr, syslog or an absolute path'),
    ("report.log", 'AUTOSECCOMP_REPORT is "report.log": expected stderr, syslog or an absolute path'),
    ("/nonexistent/report.log", "cannot open the report destination /nonexistent/report.log: No such file"),
])
def test_a_bad_destination_is_refused(write_shared_profile, value, message):
    r = probe(["syscall", 110], profile=write_shared_profile(DENY), env={"AUTOSECCOMP_REPORT": value})
    assert r.returncode == 125 and not r.main_ran, r
    assert r.stderr.count("\n") == 1 and message in r.stderr, r


def test_a_bad_mode_is_refused(write_shared_profile):
    r = probe(["syscall", 110], profile=write_shared_profile(DENY), env={"AUTOSECCOMP_MODE": "audti"})
    assert r.returncode == 125 and not r.main_ran, r
    assert r.stderr == 'autoseccomp: AUTOSECCOMP_MODE: "audti": expected enforce or audit\n', r


@pytest.mark.parametrize("user", USERS)
def test_audit_mode_denies_nothing_and_says_what_it_would(write_shared_profile, shared_dir, user):
    r = probe(["mkdir", shared_dir / "made"], ["syscall", 110], ["syscall", 135, 0xffffffff], profile=write_shared_profile(DENY),
              user=user, env={"AUTOSECCOMP_MODE": "audit"})
    assert r.returncode == 0, r
    assert r.errnos == [0, 0, 0], r  # personality(0xffffffff) only reads the persona
    assert (shared_dir / "made").is_dir()
    found = [(g[2], g[5], g[6]) for g in reports(r.stderr)]
    assert found == [("mkdir(2)", "audit: would be ", "SCMP_ACT_ERRNO(EACCES)"),
                     ("getppid(2)", "audit: would be ", "SCMP_ACT_ERRNO(EPERM)"),
                     ("personality(2)", "audit: would be ", "SCMP_ACT_KILL_PROCESS")], r


def test_a_child_that_asks_for_enforcement_is_not_left_audited(write_shared_profile):
    """An auditing filter denies nothing: a child that asks for the profile
    enforced must not take it for the enforcing one, which it would if both
    answered the probe alike, and install nothing."""
    profile = write_shared_profile(DENY)
    r = probe(["exec", "/usr/bin/env", "-u", "AUTOSECCOMP_MODE", "-u", "AUTOSECCOMP_REPORT", PROBE, "syscall", 110, "--",
               "status"],
              profile=profile, env={"AUTOSECCOMP_MODE": "audit", "AUTOSECCOMP_REPORT": "/dev/null"})
    assert r.calls == [("syscall", -1, EPERM)] and "Seccomp_filters:\t2" in r.stdout, r
    # An audited child under an audited parent installs nothing more.
    r = probe(["exec", PROBE, "syscall", 110, "--", "status"], profile=profile,
              env={"AUTOSECCOMP_MODE": "audit", "AUTOSECCOMP_REPORT": "/dev/null"})
    assert r.calls[0][2] == 0 and "Seccomp_filters:\t1" in r.stdout, r


@pytest.mark.parametrize("asked, said", [
    ("AUTOSECCOMP_MODE=audit", "enforced: the profile is enforced, not audited"),
    ("AUTOSECCOMP_REPORT=stderr",
     "without a supervisor: the profile is enforced, and its denials are not reported")], ids=["audit", "report"])
def test_a_child_under_the_profile_enforced_says_it_cannot_name_denials(write_shared_profile, asked, said):
    """The enforcing filter in force denies before any notification; an
    audit's probe tells it apart, a report's cannot (they decide alike), and
    the marker says which it is."""
    profile = write_shared_profile(DENY)
    r = probe(["exec", "/usr/bin/env", asked, PROBE, "syscall", 110, "--", "status"], profile=profile)
    assert r.calls == [("syscall", -1, EPERM)] and "Seccomp_filters:\t1" in r.stdout, r
    assert r.stderr == f"autoseccomp: {profile}: warning: the profile is in force already, {said}\n", r


def test_a_child_under_a_reporting_parent_is_reported_on(write_shared_profile):
    profile = write_shared_profile(DENY)
    # The child's denials are named, by the parent's supervisor, and nothing is lost.
    r = probe(["exec", PROBE, "syscall", 110], profile=profile, env={"AUTOSECCOMP_REPORT": "stderr"})
    assert r.calls == [("syscall", -1, EPERM)] and [g[2] for g in reports(r.stderr)] == ["getppid(2)"], r
    assert "warning" not in r.stderr, r


@pytest.mark.parametrize("call", ["sendmsg", "dup3"])
def test_a_profile_that_denies_the_hand_over_is_enforced_unreported(write_shared_profile, call):
    """Letting the hand-over through a profile that denies it would let the
    program's own such calls through too."""
    profile = write_shared_profile({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": [call, "getppid"], "action": "SCMP_ACT_ERRNO"}]})
    r = probe(["syscall", 110], profile=profile, env={"AUTOSECCOMP_REPORT": "stderr"})
    assert r.calls == [("syscall", -1, EPERM)], r
    assert r.stderr == f"autoseccomp: {profile}: warning: report mode hands the listener to its supervisor with " \
                       "sendmsg and dup3, which the profile does not allow for every call: the profile is " \
                       "enforced, and its denials are not reported\n", r


def test_report_mode_leaves_kills_to_the_kernel(write_shared_profile):
    r = probe(["syscall", 135, 0xffffffff], profile=write_shared_profile(DENY), env={"AUTOSECCOMP_REPORT": "stderr"})
    assert r.signal == signal.SIGSYS and r.calls == [], r


def test_audit_is_ignored_for_a_locked_profile():
    r = run([BUILD / "examples" / "embedded-locked"], preload=False, env={"AUTOSECCOMP_MODE": "audit"})
    plain = run([BUILD / "examples" / "embedded-locked"], preload=False)
    assert (r.returncode, r.stdout) == (plain.returncode, plain.stdout), (r, plain)


@pytest.mark.skipif(SANITIZE, reason="static programs are built without the sanitizers")
@pytest.mark.parametrize("user", USERS)
def test_a_static_program_is_reported_on(write_shared_profile, user):
    r = probe(["syscall", 110], program=PROBE_STATIC, preload=False, profile=write_shared_profile(DENY), user=user,
              env={"AUTOSECCOMP_REPORT": "stderr"})
    assert r.errnos == [EPERM] and [g[2] for g in reports(r.stderr)] == ["getppid(2)"], r


def test_children_threads_and_a_cleared_environment_are_reported_on(write_shared_profile, shared_dir):
    r = probe(["release-early-thread"], ["syscall", 110],
              ["exec", "/usr/bin/env", "-i", PROBE, "syscall", 110, "--", "exec", PROBE, "mkdir", shared_dir / "x",
               "--", "status"],
              profile=write_shared_profile(DENY), extra_preload=[BUILD / "tests" / "libearly-thread.so"],
              env={"AUTOSECCOMP_REPORT": "stderr", "EARLY_THREAD_DIR": shared_dir / "from-thread"})
    assert r.returncode == 0, r
    assert f"mkdir ret=-1 errno={EACCES}" in r.stdout and r.calls[-1] == ("mkdir", -1, EACCES), r
    assert r.status["Seccomp_filters"] == 1, r
    named = [(int(g[0]), g[2]) for g in reports(r.stderr)]
    # The early thread's mkdir, the first process's getppid, then the cleared
    # child's (counted with it) and the preloaded grandchild's mkdir (counted).
    assert [name for _, name in named] == ["mkdir(2)", "getppid(2)"], r
    assert "2 calls in all: getppid(2)" in r.stderr and "2 calls in all: mkdir(2)" in r.stderr, r


def test_the_command_reports_and_audits(write_shared_profile, shared_dir):
    profile = write_shared_profile(DENY)
    r = run([TOOL, "exec", profile, "--report", "stderr", "--", PROBE, "syscall", 110], preload=False)
    assert r.errnos == [EPERM] and [g[2] for g in reports(r.stderr)] == ["getppid(2)"], r
    r = run([TOOL, "exec", profile, "--audit", "--", PROBE, "mkdir", shared_dir / "made"], preload=False)
    assert r.errnos == [0] and [g[5] for g in reports(r.stderr)] == ["audit: would be "], r


def test_the_supervisor_is_invisible_to_the_program(write_shared_profile, shared_dir):
    profile = write_shared_profile(DENY)
    env = {"AUTOSECCOMP_REPORT": str(shared_dir / "report.log")}
    # A shell that lists its children, then waits for them all: only its own.
    r = run(["sh", "-c", "sleep 0.2 & read c < /proc/$$/task/$$/children; echo $c $!; wait; echo waited"],
            profile=profile, env=env)
    assert r.returncode == 0, r
    listed, started, waited = r.stdout.split()
    assert listed == started and waited == "waited", r
    # A daemon that double-forks and closes its output: the pipe is closed
    # when the shell ends, though the daemon, and so the supervisor, live on.
    env_all = dict(base_env(), LD_PRELOAD=str(LIB), SECCOMP_PROFILE=str(profile), **env)
    started = time.monotonic()
    proc = subprocess.run(["sh", "-c", "(sleep 30 </dev/null >/dev/null 2>&1 &) ; echo started"], env=env_all,
                          capture_output=True, text=True, timeout=60)
    assert proc.stdout == "started\n" and time.monotonic() - started < 20, proc


def test_the_supervisor_leaves_the_session_and_ends_with_the_last_process(write_shared_profile, shared_dir):
    marker = str(shared_dir / "supervised")
    env = dict(base_env(), LD_PRELOAD=str(LIB), SECCOMP_PROFILE=str(write_shared_profile(DENY)),
               AUTOSECCOMP_REPORT=str(shared_dir / "report.log"))
    proc = subprocess.Popen([str(PROBE), "read-line", "--", "mkdir", marker], env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline() == "main\n"
        # It names itself, and settles, on its own time.
        wait_until(lambda: supervisors(marker), "the supervisor")
        [sv] = supervisors(marker)
        status = dict(line.split(":\t", 1) for line in Path(f"/proc/{sv}/status").read_text().splitlines())
        assert int(status["PPid"]) != proc.pid and os.getsid(sv) == sv != os.getsid(proc.pid)
        # It keeps the listener and the report, and none of the program's files.
        expected = sorted([str(shared_dir / "report.log"), "anon_inode:seccomp notify"])

        def fds():
            links = []
            for fd in os.listdir(f"/proc/{sv}/fd"):
                try:
                    links.append(os.readlink(f"/proc/{sv}/fd/{fd}"))
                except FileNotFoundError:
                    pass  # closed while listed
            return sorted(links)
        wait_until(lambda: fds() == expected, f"the supervisor to hold only {expected}")
        proc.stdin.write("\n")
        proc.stdin.close()
        assert proc.stdout.read() == f"read-line ret=0 errno=0\nmkdir ret=-1 errno={EACCES}\n"
        assert proc.wait() == 0
        wait_until(lambda: not supervisors(marker), "the supervisor to end")
    finally:
        proc.kill()
        proc.wait()


def with_the_supervisor_killed(profile, mode, marker, before, after):
    """The probe's answers, under PROFILE in MODE, to the operations BEFORE
    (lists of words); then, once its supervisor (found by MARKER, which
    AFTER must name) is killed, its answers to read-line and AFTER."""
    argv = [str(PROBE)]
    for i, op in enumerate([*before, ["read-line"], *after]):
        argv += ["--"] * (i > 0) + [str(word) for word in op]
    env = dict(base_env(), LD_PRELOAD=str(LIB), SECCOMP_PROFILE=str(profile), **mode)
    proc = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    try:
        assert proc.stdout.readline() == "main\n"
        first = [proc.stdout.readline().rstrip("\n") for _ in before]
        wait_until(lambda: supervisors(marker), "the supervisor")
        [sv] = supervisors(marker)
        os.kill(sv, signal.SIGKILL)
        wait_until(lambda: not supervisors(marker), "the supervisor to die")
        proc.stdin.write("\n")
        proc.stdin.close()
        return first, proc.stdout.read().splitlines()
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize("mode", [{"AUTOSECCOMP_REPORT": "stderr"}, {"AUTOSECCOMP_MODE": "audit"}])
def test_calls_fail_closed_when_the_supervisor_is_killed(write_shared_profile, shared_dir, mode):
    marker = str(shared_dir / "supervised")
    _, out = with_the_supervisor_killed(write_shared_profile(DENY), mode, marker, [],
                                        [["mkdir", marker], ["syscall", 39]])
    # The diverted call never runs; the allowed one still does.
    assert out[:2] == ["read-line ret=0 errno=0", f"mkdir ret=-1 errno={ENOSYS}"], out
    assert out[2].startswith("syscall ret=") and not Path(marker).exists()


EBUSY = 16


@needs_root
def test_the_program_cannot_attach_to_its_supervisor(shared_dir):
    """The supervisor runs under no filter, as the program's user: if the
    program could ptrace it (Docker's profile allows ptrace), it could answer
    its own calls.  The kernel lets only a privileged process attach to one
    that is not dumpable."""
    marker = str(shared_dir / "attach")
    proc = subprocess.Popen([*NOBODY, "env", f"LD_PRELOAD={LIB}", "AUTOSECCOMP_REPORT=/dev/null", str(PROBE),
                             "read-line", "--", "mkdir", marker], env=base_env(), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline() == "main\n"
        wait_until(lambda: supervisors(marker), "the supervisor")
        [sv] = supervisors(marker)
        ptrace_seize = 0x4206
        r = probe(["syscall", 101, ptrace_seize, sv, 0, 0], user="nobody")
        assert r.calls == [("syscall", -1, EPERM)], r
    finally:
        proc.kill()
        proc.wait()


def test_a_program_that_kills_its_supervisor_gets_no_listener_of_its_own(write_shared_profile, shared_dir):
    """The attack: kill the supervisor, whose listener then closes, and load a
    filter with a listener of the program's own.  Its USER_NOTIF would tie
    with the diverted filter's, the newer wins, and the program could let
    every diverted call run.  The kernel refuses that listener only while
    the supervisor lives; the filter refuses it after.  (An audit denies
    nothing such a listener could let through.)"""
    mode = {"AUTOSECCOMP_REPORT": "stderr"}
    marker = str(shared_dir / "listener")
    first, out = with_the_supervisor_killed(write_shared_profile(DENY), mode, marker, [["listener"]],
                                            [["listener"], ["mkdir", marker]])
    assert first == [f"listener ret=-1 errno={EBUSY}"], first
    assert out == ["read-line ret=0 errno=0", f"listener ret=-1 errno={EBUSY}", f"mkdir ret=-1 errno={ENOSYS}"], out
    assert not Path(marker).exists()


@needs_root
@pytest.mark.parametrize("entry, audit_arch, nr", [("x86_64", 0xc000003e, 317), ("x32", 0xc000003e, 0x4000013d),
                                                   ("i386", 0x40000003, 354)])
def test_no_entry_lets_a_listener_past_the_diverted_filter(tmp_path, entry, audit_arch, nr):
    """i386 and x32 by evaluation of the filter the kernel holds: x32 is
    compiled out of these kernels, and the i386 entry may be too."""
    proc = subprocess.Popen([str(PROBE), "read-line"], env=dict(base_env(), LD_PRELOAD=str(LIB),
                                                                AUTOSECCOMP_REPORT="/dev/null"),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline() == "main\n"
        got = subprocess.run([BUILD / "tests" / "get-filter", str(proc.pid), tmp_path / "f.bpf"], capture_output=True,
                             text=True)
        assert got.returncode == 0, got
    finally:
        proc.kill()
        proc.wait()

    def action(*args):
        out = subprocess.run([BUILD / "tests" / "filter-check", "eval", tmp_path / "f.bpf", hex(audit_arch), hex(nr),
                              *map(hex, args)], capture_output=True, text=True, check=True).stdout
        return int(out.split()[1], 16)
    seccomp_set_mode_filter, new_listener, tsync = 1, 8, 1
    assert action(seccomp_set_mode_filter, new_listener) == 0x00050000 | EBUSY
    assert action(seccomp_set_mode_filter, new_listener | tsync | 0xffffffff00000000) == 0x00050000 | EBUSY
    assert action(seccomp_set_mode_filter, tsync) == 0x7fff0000  # allowed, as Docker's profile allows it


def test_output_is_bounded():
    # Docker's profile denies keyctl by its default action, and the numbers
    # above every syscall it names get ENOSYS from the stub, one kind each.
    r = probe(["repeat", 100000, 250], ["sweep", 2000, 3100], env={"AUTOSECCOMP_REPORT": "stderr"})
    assert r.calls[0] == ("repeat", -1, EPERM) and r.calls[1][1] == 1101, r
    lines = r.stderr.splitlines()
    # One line a kind, up to 1024 kinds, then counts.
    assert len(lines) <= 1024 + 3, len(lines)
    assert "100000 calls in all: keyctl(2)" in r.stderr, lines[-3:]
    assert lines[-1] == "autoseccomp: 78 more calls, of kinds beyond the first 1024, were not named", lines[-3:]


def test_one_listener_a_process(write_shared_profile, shared_dir):
    # A child that asks for another profile under a supervised parent: its
    # profile is enforced, and the loss of its reports is said.
    child_profile = write_shared_profile({"defaultAction": "SCMP_ACT_ALLOW",
                                   "syscalls": [{"names": ["uname"], "action": "SCMP_ACT_ERRNO"}]})
    r = probe(["exec", "/usr/bin/env", f"SECCOMP_PROFILE={child_profile}", PROBE, "syscall", 63, 0, "--",
               "syscall", 110], profile=write_shared_profile(DENY), env={"AUTOSECCOMP_REPORT": "stderr"})
    assert r.returncode == 0 and r.errnos == [EPERM, EPERM], r
    assert (f"autoseccomp: {child_profile}: warning: cannot install the filter: a filter in force already has a "
            "listener") in r.stderr and "its denials are not reported" in r.stderr, r
    # The parent's supervisor still names what the parent's profile denies in the child.
    assert [g[2] for g in reports(r.stderr)] == ["getppid(2)"], r


def test_a_notify_profile_keeps_its_agent(write_shared_profile, shared_dir):
    from test_17_notify import Agent, notify_profile
    agent = Agent(shared_dir)
    try:
        r = probe(["mkdir", shared_dir / "made"], profile=write_shared_profile(notify_profile(agent.socket)),
                  env={"AUTOSECCOMP_REPORT": "stderr"})
    finally:
        agent.stop()
    assert r.errnos == [123], r
    assert "warning: the profile hands its listener to a seccomp agent" in r.stderr, r


# Calls whose answers differ across capabilities and profiles, none of which
# changes the probe if it is allowed: pointers are NULL, flags harmless.
FIDELITY_CALLS = [(39,), (110,), (250, 0, 0), (248, 0, 0, 0, 0), (272, 0x04000000), (169, 0, 0, 0, 0),
                  (165, 0, 0, 0, 0), (161, 0), (103, 0, 0, 0), (1000,), (435, 0, 0), (135, 0xffffffff), (135, 8),
                  (135, 0x1234), (46, 0, 0, 0), (321, 0, 0, 0), (298, 0, 0, 0, 0, 0), (83, 0, 0), (155, 0, 0),
                  (310, 0, 0, 0, 0, 0, 0), (311, 0, 0, 0, 0, 0, 0), (312, 0, 0, 0, 0, 0), (163, 0), (167, 0, 0),
                  (175, 0, 0, 0), (139, 0, 0, 0), (227, 0, 0), (305, 0, 0)]
ERRNOS = {"EPERM": EPERM, "ENOSYS": ENOSYS, "EACCES": EACCES}


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("name", ["builtin", "moby-default", "podman-default"])
def test_report_mode_answers_exactly_as_enforcement(name, user):
    profile = {"builtin": "builtin", "moby-default": DOCKER_PROFILE, "podman-default": PODMAN_PROFILE}[name]
    if profile is None:
        pytest.skip(f"{name}.json is absent (set AUTOSECCOMP_REFERENCE, or install Debian's copy)")
    calls = [["syscall", *call] for call in FIDELITY_CALLS]
    enforced = probe(*calls, profile=profile, user=user)
    reported = probe(*calls, profile=profile, user=user, env={"AUTOSECCOMP_REPORT": "stderr"})
    assert enforced.returncode == 0 and enforced.errnos == reported.errnos, (enforced, reported)
    # Each call named got the errno its line says, and nothing else was named.
    named = [line for line in reported.stderr.splitlines() if LINE.match(line)]
    assert len(named) >= 4, reported
    for line in named:
        g = LINE.match(line).groups()
        arg0 = int(line.split(" (0x")[1].split(",")[0], 16)
        call = next(i for i, c in enumerate(FIDELITY_CALLS) if c[0] == int(g[4]) and (c[1:2] or [0])[0] == arg0)
        assert ERRNOS[g[6].split("(")[1].rstrip(")")] == enforced.calls[call][2], (line, enforced.calls[call])


def test_a_program_cannot_write_lines_into_the_report(write_shared_profile):
    # Its name is its own to choose (prctl PR_SET_NAME), newlines included.
    script = ("import ctypes, os\n"
              "ctypes.CDLL(None).prctl(15, b'x\\nautoseccomp: 1', 0, 0, 0)\n"
              "os.getppid()\n")
    r = run(["/usr/bin/python3", "-c", script], profile=write_shared_profile(DENY), env={"AUTOSECCOMP_REPORT": "stderr"})
    assert r.returncode == 0, r
    [line] = r.stderr.splitlines()
    assert "(x?autoseccomp:?): getppid(2)" in line, r  # 15 bytes: the kernel cuts the name there


def test_an_x32_call_is_named_as_x32():
    # x32 shares x86_64's audit architecture: the number's bit tells them apart.
    r = probe(["x32", 250], env={"AUTOSECCOMP_REPORT": "stderr"})
    assert r.errnos == [EPERM], r
    assert [(g[2], g[3]) for g in reports(r.stderr)] == [("keyctl(2)", "x32")], r


@pytest.mark.parametrize("mode", [{"AUTOSECCOMP_REPORT": "stderr"}, {"AUTOSECCOMP_MODE": "audit"}])
def test_a_forged_marker_does_not_skip_a_reporting_start(write_shared_profile, mode):
    # Report and audit check the marker before they compile: what it names
    # must still be shown in force by the kernel, or the filter goes in.
    from test_13_marker import marker
    profile = write_shared_profile(DENY)
    r = probe(["syscall", 110], ["status"], profile=profile, env={"AUTOSECCOMP_FILTER": marker(profile), **mode})
    assert r.status["Seccomp_filters"] == 1, r
    assert r.errnos == ([EPERM] if "AUTOSECCOMP_REPORT" in mode else [0]), r
    assert [g[2] for g in reports(r.stderr)] == ["getppid(2)"], r
