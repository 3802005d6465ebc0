"""SCMP_ACT_NOTIFY: the filter's listener goes to a seccomp agent over runc's
protocol, and the agent decides the notified calls of the process and of
every descendant.  The agent here is examples/seccomp-agent, run for real;
agents that misbehave are small Python servers."""
import json
import shutil
import socket
import subprocess
import sys
import time

import pytest

from conftest import (BUILD, ENOSYS, LIB, NOBODY, PROBE, PROBE_STATIC, SANITIZE, TOOL, base_env, build_go_program,
                      needs_root, probe, run, tool, wait_until)

AGENT = BUILD / "examples" / "seccomp-agent"
ENOMEDIUM = 123  # the errno runc's own agent test answers chmod with
PPID = 4242      # what the agent makes getppid return
NOTIFIED = ["mkdir", "mkdirat", "getppid"]
USERS = [None, pytest.param("nobody", marks=needs_root)]


def notify_profile(socket_path, metadata="bar", names=NOTIFIED, **extra):
    profile = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": str(socket_path),
               "syscalls": [{"names": names, "action": "SCMP_ACT_NOTIFY"}]}
    if metadata is not None:
        profile["listenerMetadata"] = metadata
    profile.update(extra)
    return profile


class Agent:
    """examples/seccomp-agent on SOCKET, as USER: fails mkdir with ENOMEDIUM
    and returns PPID from getppid."""

    def __init__(self, directory, user=None, name="agent"):
        self.socket = directory / f"{name}.sock"
        self.log = directory / f"{name}.log"
        argv = [str(AGENT), "-l", str(self.log), "-e", f"mkdir={ENOMEDIUM}", "-e", f"mkdirat={ENOMEDIUM}",
                "-r", f"getppid={PPID}", str(self.socket)]
        if user == "nobody":
            argv = NOBODY + argv
        self.proc = subprocess.Popen(argv, env=base_env())
        wait_until(self.socket.exists, "the agent's socket")

    def lines(self):
        return self.log.read_text().splitlines() if self.log.exists() else []

    def messages(self):
        return [json.loads(line) for line in self.lines() if line.startswith("{")]

    def calls(self):
        return [line for line in self.lines() if not line.startswith("{")]

    def stop(self):
        self.proc.kill()
        self.proc.wait()


@pytest.fixture
def agent(shared_dir):
    started = []

    def start(user=None, name="agent"):
        started.append(Agent(shared_dir, user, name))
        return started[-1]

    yield start
    for a in started:
        a.stop()


def assert_decided_by_agent(r):
    assert r.returncode == 0 and r.main_ran, r
    assert r.calls[:2] == [("mkdir", -1, ENOMEDIUM), ("syscall", PPID, 0)], r


@pytest.mark.parametrize("user", USERS)
def test_the_agent_decides_the_notified_calls(agent, shared_dir, write_shared_profile, user):
    a = agent(user)
    target = shared_dir / "made"
    r = probe(["mkdir", target], ["syscall", 110], ["syscall", 39], profile=write_shared_profile(notify_profile(a.socket)),
              user=user)
    assert_decided_by_agent(r)
    assert not target.exists()
    # getpid was not notified: it ran, and its answer is the pid the agent was told.
    pid = r.calls[2][1]
    [message] = a.messages()
    assert message == {"ociVersion": "1.1.0", "fds": ["seccompFd"], "pid": pid, "metadata": "bar",
                       "state": {"ociVersion": "1.1.0", "id": f"autoseccomp-{pid}", "status": "running",
                                 "pid": pid, "bundle": ""}}
    assert a.calls() == [f"{pid} mkdir -> errno {ENOMEDIUM}", f"{pid} getppid -> {PPID}"]


def test_calls_the_agent_lets_through_run(agent, shared_dir, write_shared_profile):
    # The agent answers a notified call it has no rule for with "continue".
    a = agent()
    target = shared_dir / "made"
    profile = notify_profile(a.socket, names=["mkdir", "mkdirat", "rmdir"])
    r = probe(["mkdir", target], ["syscall", 84, f"@{target}"], profile=write_shared_profile(profile))
    assert r.calls[0] == ("mkdir", -1, ENOMEDIUM), r
    assert r.calls[1][1:] == (-1, 2), r  # rmdir ran and found nothing: ENOENT
    assert a.calls()[1].endswith("rmdir -> continue")


def test_metadata_is_optional_and_escaped(agent, write_shared_profile):
    a = agent()
    probe(["syscall", 110], profile=write_shared_profile(notify_profile(a.socket, metadata=None)))
    probe(["syscall", 110], profile=write_shared_profile(notify_profile(a.socket, metadata='a"b\\c\n\u00e9')))
    first, second = a.messages()
    assert "metadata" not in first
    assert second["metadata"] == 'a"b\\c\n\u00e9'


@pytest.mark.skipif(SANITIZE, reason="static programs are built without the sanitizers")
@pytest.mark.parametrize("user", USERS)
def test_a_static_program(agent, write_shared_profile, shared_dir, user):
    a = agent(user)
    r = probe(["mkdir", shared_dir / "made"], ["syscall", 110], program=PROBE_STATIC, preload=False,
              profile=write_shared_profile(notify_profile(a.socket)), user=user)
    assert_decided_by_agent(r)


@pytest.mark.parametrize("user", USERS)
def test_the_command_hands_the_listener_over(agent, write_shared_profile, shared_dir, user):
    a = agent(user)
    r = run([TOOL, "exec", write_shared_profile(notify_profile(a.socket)), "--", PROBE, "mkdir", shared_dir / "made", "--",
             "syscall", 110], preload=False, user=user)
    assert_decided_by_agent(r)
    assert len(a.messages()) == 1


@pytest.mark.parametrize("user", USERS)
def test_a_child_that_clears_its_environment_is_still_decided(agent, write_shared_profile, shared_dir, user):
    a = agent(user)
    r = probe(["exec", "/usr/bin/env", "-i", PROBE, "mkdir", shared_dir / "made", "--", "syscall", 110],
              profile=write_shared_profile(notify_profile(a.socket)), user=user)
    assert r.stdout.count("main\n") == 2, r
    assert r.calls == [("mkdir", -1, ENOMEDIUM), ("syscall", PPID, 0)], r
    # One listener, handed over once: the child has no constructor of its own.
    assert len(a.messages()) == 1 and len(a.calls()) == 2


def test_a_child_that_keeps_the_preload_shares_the_filter(agent, write_shared_profile, shared_dir):
    a = agent()
    r = probe(["exec", PROBE, "mkdir", shared_dir / "made", "--", "status"],
              profile=write_shared_profile(notify_profile(a.socket)))
    assert r.calls == [("mkdir", -1, ENOMEDIUM)], r
    # The marker showed the same filter in force: no second filter, no second listener.
    assert r.status["Seccomp_filters"] == 1, r
    assert len(a.messages()) == 1


def test_a_thread_started_before_the_constructor_is_decided(agent, write_shared_profile, shared_dir):
    a = agent()
    target = shared_dir / "from-thread"
    r = probe(["release-early-thread"], profile=write_shared_profile(notify_profile(a.socket)),
              extra_preload=[BUILD / "tests" / "libearly-thread.so"], env={"EARLY_THREAD_DIR": target})
    assert r.returncode == 0, r
    assert f"now-seccomp=2 mkdir ret=-1 errno={ENOMEDIUM}" in r.stdout, r
    assert not target.exists()


def test_the_program_does_not_keep_the_listener(agent, write_shared_profile):
    # With the listener, one thread could answer another's notifications.
    a = agent()
    r = run(["ls", "-l", "/proc/self/fd/"], profile=write_shared_profile(notify_profile(a.socket)))
    assert r.returncode == 0, r
    links = [line.split("-> ")[1] for line in r.stdout.splitlines() if "->" in line]
    assert len(links) == 4 and not any("seccomp" in link or "socket" in link for link in links), r


def test_a_child_asking_for_another_agent_is_refused(agent, write_shared_profile, shared_dir):
    # The kernel allows one listener per filter chain: never two agents, and never a silent fallback.
    first, second = agent(name="first"), agent(name="second")
    child_profile = write_shared_profile(notify_profile(second.socket))
    r = probe(["exec", "/usr/bin/env", f"SECCOMP_PROFILE={child_profile}", PROBE, "mkdir", shared_dir / "made"],
              profile=write_shared_profile(notify_profile(first.socket)))
    assert r.returncode == 125 and r.stdout == "main\n", r
    assert r.stderr.endswith("cannot install the filter: a filter in force already has a listener (a seccomp "
                             "agent's, or report or audit mode's), and the kernel allows one\n"), r
    assert not (shared_dir / "made").exists()


def test_listener_path_without_a_notify_rule_is_ignored(write_shared_profile, tmp_path):
    # As runc ignores it: no agent is asked for, however it is named.
    for path in ["/nonexistent/agent.sock", "@abstract", ""]:
        profile = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": path, "listenerMetadata": "x",
                   "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}
        r = probe(["mkdir", tmp_path / "made"], profile=write_shared_profile(profile))
        assert r.returncode == 0 and r.errnos == [1], r


def test_a_notify_rule_dropped_on_this_host_asks_for_no_agent(write_shared_profile, tmp_path):
    profile = notify_profile("/nonexistent/agent.sock")
    profile["syscalls"][0]["includes"] = {"arches": ["s390x"]}
    r = probe(["mkdir", tmp_path / "made"], profile=write_shared_profile(profile))
    assert r.returncode == 0 and r.errnos == [0], r


def assert_refused(r, message):
    assert r.returncode == 125 and not r.main_ran, r
    assert r.stderr.count("\n") == 1 and message in r.stderr, r


def test_no_agent_listening_is_refused(write_shared_profile, shared_dir):
    path = shared_dir / "none.sock"
    r = probe(["mkdir", shared_dir / "made"], profile=write_shared_profile(notify_profile(path)))
    assert_refused(r, f"cannot connect to the seccomp agent at {path}: No such file or directory")
    # A socket nobody accepts on.
    bound = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    bound.bind(str(path))
    try:
        r = probe(["mkdir", shared_dir / "made"], profile=write_shared_profile(notify_profile(path)))
        assert_refused(r, f"cannot connect to the seccomp agent at {path}: Connection refused")
        r = run([TOOL, "exec", write_shared_profile(notify_profile(path)), "--", PROBE], preload=False)
        assert_refused(r, "Connection refused")
    finally:
        bound.close()
    assert not (shared_dir / "made").exists()


# An agent that misbehaves, in a process of its own: it accepts one
# connection, then does what MODE says, and prints "ready" first.
MISBEHAVING = r"""
import os, socket, sys, time
mode, path = sys.argv[1], sys.argv[2]
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(path)
server.listen(1)
print("ready", flush=True)
conn, _ = server.accept()
if mode == "close":
    conn.close()
else:
    message, fds, _, _ = socket.recv_fds(conn, 4096, 1)
    print("holding", len(fds), flush=True)
    if mode == "drop":
        for fd in fds:
            os.close(fd)
        conn.close()
time.sleep(3600)
"""


def misbehaving_agent(mode, path):
    proc = subprocess.Popen([sys.executable, "-c", MISBEHAVING, mode, str(path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "ready\n"
    return proc


def probe_under_misbehaving_agent(mode, write_shared_profile, shared_dir):
    path = shared_dir / f"{mode}.sock"
    a = misbehaving_agent(mode, path)
    try:
        return probe(["mkdir", shared_dir / "made"], ["syscall", 110], profile=write_shared_profile(notify_profile(path)))
    finally:
        a.kill()
        a.wait()


def test_an_agent_that_closes_the_connection(write_shared_profile, shared_dir):
    r = probe_under_misbehaving_agent("close", write_shared_profile, shared_dir)
    # Whether the send saw the closed connection or the listener was
    # dropped with it, no notified call ran.
    if r.returncode == 125:
        assert_refused(r, "cannot send the listener to the seccomp agent")
    else:
        assert r.calls == [("mkdir", -1, ENOSYS), ("syscall", -1, ENOSYS)], r
    assert not (shared_dir / "made").exists()


def test_an_agent_that_drops_the_listener(write_shared_profile, shared_dir):
    r = probe_under_misbehaving_agent("drop", write_shared_profile, shared_dir)
    assert r.calls == [("mkdir", -1, ENOSYS), ("syscall", -1, ENOSYS)], r
    assert not (shared_dir / "made").exists()


def test_an_agent_that_never_answers_then_dies(write_shared_profile, shared_dir):
    path = shared_dir / "silent.sock"
    a = misbehaving_agent("hold", path)
    env = base_env()
    env.update(LD_PRELOAD=str(LIB), SECCOMP_PROFILE=str(write_shared_profile(notify_profile(path))))
    program = subprocess.Popen([str(PROBE), "mkdir", str(shared_dir / "made")], env=env, stdout=subprocess.PIPE,
                               text=True)
    try:
        assert a.stdout.readline() == "holding 1\n"
        assert program.stdout.readline() == "main\n"
        # The call waits for the agent's answer: no timeout, as under runc.
        time.sleep(0.5)
        assert program.poll() is None
        a.kill()
        a.wait()
        out, _ = program.communicate(timeout=30)
    finally:
        a.kill()
        program.kill()
    # With the agent gone, the listener is gone: the call fails, it never runs.
    assert out == f"mkdir ret=-1 errno={ENOSYS}\n" and program.returncode == 0
    assert not (shared_dir / "made").exists()


def test_the_cache_keeps_where_the_listener_goes(agent, write_shared_profile, shared_dir, tmp_path):
    from test_10_cache import start
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed: it shows whether a start compiled")
    a = agent()
    profile, home = write_shared_profile(notify_profile(a.socket)), tmp_path / "cache"
    assert start(profile, home, tmp_path, target=shared_dir / "made") == (True, [ENOMEDIUM])
    assert start(profile, home, tmp_path, target=shared_dir / "made") == (False, [ENOMEDIUM])
    # Each start (strace's and the probe's, twice) handed over its own listener.
    assert len(a.messages()) == 4


def test_explain_and_check_name_the_agent(write_shared_profile, tmp_path):
    path = tmp_path / "agent.sock"
    profile = write_shared_profile(notify_profile(path))
    out = tool("explain", profile, "mkdir").stdout
    assert "SCMP_ACT_NOTIFY" in out and out.rstrip().endswith(f"to the agent at {path}"), out
    decision = json.loads(tool("explain", "--json", profile, "getppid").stdout)
    assert decision["action"] == "SCMP_ACT_NOTIFY" and decision["listener_path"] == str(path)
    assert "listener_path" not in json.loads(tool("explain", "--json", profile, "getpid").stdout)
    r = tool("check", profile)
    assert r.returncode == 0 and f"the listener goes to the seccomp agent at {path}" in r.stdout, r


@pytest.fixture(scope="module")
def go_agent():
    """tests/go-agent, built against Debian's copies of runtime-spec,
    libseccomp-golang and x/sys: an agent as runc's reference one is built."""
    return build_go_program("go-agent", ["github.com/opencontainers/runtime-spec/specs-go",
                                         "github.com/seccomp/libseccomp-golang", "golang.org/x/sys/unix"],
                            ["golang-github-opencontainers-specs-dev", "golang-github-seccomp-libseccomp-golang-dev",
                             "golang-golang-x-sys-dev"])


@pytest.mark.parametrize("user", USERS)
def test_an_agent_written_for_runc_works_unchanged(go_agent, shared_dir, write_shared_profile, user):
    socket_path, log = shared_dir / "go.sock", shared_dir / "go.log"
    argv = [str(go_agent), str(socket_path), str(log)]
    proc = subprocess.Popen(NOBODY + argv if user else argv, env=base_env())
    try:
        wait_until(socket_path.exists, "the Go agent's socket")
        profile = write_shared_profile(notify_profile(socket_path, metadata="from <autoseccomp> & co"))
        r = probe(["mkdir", shared_dir / "made"], ["syscall", 110], ["syscall", 39], profile=profile, user=user)
        r2 = run([TOOL, "exec", profile, "--", "/usr/bin/env", "-i", PROBE, "syscall", 110], preload=False, user=user)
    finally:
        proc.kill()
        proc.wait()
    assert_decided_by_agent(r)
    assert r2.calls == [("syscall", PPID, 0)], r2
    pid = r.calls[2][1]
    lines = log.read_text().splitlines()
    # What Go decoded into runtime-spec's type, marshalled again.
    state = json.loads(lines[0])
    assert state == {"ociVersion": "1.1.0", "fds": ["seccompFd"], "pid": pid, "metadata": "from <autoseccomp> & co",
                     "state": {"ociVersion": "1.1.0", "id": f"autoseccomp-{pid}", "status": "running", "pid": pid,
                               "bundle": ""}}
    assert lines[1:3] == [f"{pid} mkdir", f"{pid} getppid"]
    assert not any(line.startswith("refused") for line in lines), lines


def test_the_filter_decides_as_runcs(agent, write_shared_profile, tmp_path):
    """runc starts a container with the same notify rules on Docker's
    profile, handing its listener to the same agent; the filter it installs,
    read back from the kernel, and autoseccomp's decide alike everywhere,
    SCMP_ACT_NOTIFY included."""
    from conftest import DOCKER_CAPS, DOCKER_PROFILE, compile_filter, filter_check
    from runc_harness import RuncError, runc_filter, runc_unavailable
    reason = runc_unavailable()
    if reason:
        pytest.skip(f"runc cannot run here: {reason}")
    if DOCKER_PROFILE is None:
        pytest.skip("Docker's profile is absent (set AUTOSECCOMP_REFERENCE, or apt-get install "
                    "golang-github-docker-docker-dev)")
    a = agent()
    docker = json.loads(DOCKER_PROFILE.read_text())
    # What Docker hands runc for this profile on amd64 with its capabilities.
    profile = {"defaultAction": docker["defaultAction"], "defaultErrnoRet": docker.get("defaultErrnoRet", 1),
               "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
               "listenerPath": str(a.socket), "listenerMetadata": "runc",
               "syscalls": [{"names": ["mkdir", "mkdirat", "chmod", "fchmodat"], "action": "SCMP_ACT_NOTIFY"},
                            {"names": ["getppid"], "action": "SCMP_ACT_NOTIFY",
                             "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]}]}
    for rule in docker["syscalls"]:
        inc, exc = rule.get("includes") or {}, rule.get("excludes") or {}
        if inc.get("caps") and any(c not in DOCKER_CAPS for c in inc["caps"]):
            continue
        if any(c in DOCKER_CAPS for c in exc.get("caps") or []) or inc.get("arches") and "amd64" not in inc["arches"]:
            continue
        if inc.get("minKernel") or exc.get("minKernel") or "amd64" in (exc.get("arches") or []):
            continue
        profile["syscalls"].append({k: rule[k] for k in ("names", "action", "errnoRet", "args") if rule.get(k)})
    path = write_shared_profile(profile)
    ours = compile_filter(path, tmp_path / "ours.bpf", DOCKER_CAPS)
    theirs = tmp_path / "runc.bpf"
    try:
        theirs.write_bytes(runc_filter(profile, [], tmp_path / "runc", BUILD / "tests" / "get-filter"))
    except RuncError as e:
        raise AssertionError(f"runc refused the profile: {e}")
    # runc handed the agent its listener too.
    assert any(m.get("metadata") == "runc" for m in a.messages()), a.lines()
    points, mismatches, out = filter_check("compare", ours, theirs)
    assert mismatches == 0 and points >= 3 * 1026, out
