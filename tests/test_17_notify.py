"""SCMP_ACT_NOTIFY: the filter's listener goes to a seccomp agent over runc's
protocol, and the agent decides the notified calls of the process and of
every descendant.  The agent here is examples/seccomp-agent, run for real;
agents that misbehave are small Python servers."""
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import (BUILD, ENOSYS, LIB, NOBODY, PROBE, PROBE_STATIC, SANITIZE, TOOL, base_env, needs_root,
                      probe, run, tool)

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


@pytest.fixture
def shared_dir():
    """A directory uid 65534 can use too: for the agent's socket and log."""
    path = Path(tempfile.mkdtemp(prefix="autoseccomp-notify-"))
    path.chmod(0o777)
    yield path
    subprocess.run(["rm", "-rf", str(path)], check=False)


@pytest.fixture
def write_profile(shared_dir):
    """Profiles where uid 65534 can read them."""
    counter = [0]

    def write(content):
        counter[0] += 1
        path = shared_dir / f"profile{counter[0]}.json"
        path.write_text(json.dumps(content))
        path.chmod(0o644)
        return path

    return write


def wait_for(predicate, what, seconds=10):
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


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
        wait_for(self.socket.exists, "the agent's socket")

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
def test_the_agent_decides_the_notified_calls(agent, shared_dir, write_profile, user):
    a = agent(user)
    target = shared_dir / "made"
    r = probe(["mkdir", target], ["syscall", 110], ["syscall", 39], profile=write_profile(notify_profile(a.socket)),
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


def test_calls_the_agent_lets_through_run(agent, shared_dir, write_profile):
    # The agent answers a notified call it has no rule for with "continue".
    a = agent()
    target = shared_dir / "made"
    profile = notify_profile(a.socket, names=["mkdir", "mkdirat", "rmdir"])
    r = probe(["mkdir", target], ["syscall", 84, f"@{target}"], profile=write_profile(profile))
    assert r.calls[0] == ("mkdir", -1, ENOMEDIUM), r
    assert r.calls[1][1:] == (-1, 2), r  # rmdir ran and found nothing: ENOENT
    assert a.calls()[1].endswith("rmdir -> continue")


def test_metadata_is_optional_and_escaped(agent, write_profile):
    a = agent()
    probe(["syscall", 110], profile=write_profile(notify_profile(a.socket, metadata=None)))
    probe(["syscall", 110], profile=write_profile(notify_profile(a.socket, metadata='a"b\\c\n\u00e9')))
    first, second = a.messages()
    assert "metadata" not in first
    assert second["metadata"] == 'a"b\\c\n\u00e9'


@pytest.mark.skipif(SANITIZE, reason="static programs are built without the sanitizers")
@pytest.mark.parametrize("user", USERS)
def test_a_static_program(agent, write_profile, shared_dir, user):
    a = agent(user)
    r = probe(["mkdir", shared_dir / "made"], ["syscall", 110], program=PROBE_STATIC, preload=False,
              profile=write_profile(notify_profile(a.socket)), user=user)
    assert_decided_by_agent(r)


@pytest.mark.parametrize("user", USERS)
def test_the_command_hands_the_listener_over(agent, write_profile, shared_dir, user):
    a = agent(user)
    r = run([TOOL, "exec", write_profile(notify_profile(a.socket)), "--", PROBE, "mkdir", shared_dir / "made", "--",
             "syscall", 110], preload=False, user=user)
    assert_decided_by_agent(r)
    assert len(a.messages()) == 1


@pytest.mark.parametrize("user", USERS)
def test_a_child_that_clears_its_environment_is_still_decided(agent, write_profile, shared_dir, user):
    a = agent(user)
    r = probe(["exec", "/usr/bin/env", "-i", PROBE, "mkdir", shared_dir / "made", "--", "syscall", 110],
              profile=write_profile(notify_profile(a.socket)), user=user)
    assert r.stdout.count("main\n") == 2, r
    assert r.calls == [("mkdir", -1, ENOMEDIUM), ("syscall", PPID, 0)], r
    # One listener, handed over once: the child has no constructor of its own.
    assert len(a.messages()) == 1 and len(a.calls()) == 2


def test_a_child_that_keeps_the_preload_shares_the_filter(agent, write_profile, shared_dir):
    a = agent()
    r = probe(["exec", PROBE, "mkdir", shared_dir / "made", "--", "status"],
              profile=write_profile(notify_profile(a.socket)))
    assert r.calls == [("mkdir", -1, ENOMEDIUM)], r
    # The marker showed the same filter in force: no second filter, no second listener.
    assert r.status["Seccomp_filters"] == 1, r
    assert len(a.messages()) == 1


def test_a_thread_started_before_the_constructor_is_decided(agent, write_profile, shared_dir):
    a = agent()
    target = shared_dir / "from-thread"
    r = probe(["release-early-thread"], profile=write_profile(notify_profile(a.socket)),
              extra_preload=[BUILD / "tests" / "libearly-thread.so"], env={"EARLY_THREAD_DIR": target})
    assert r.returncode == 0, r
    assert f"now-seccomp=2 mkdir ret=-1 errno={ENOMEDIUM}" in r.stdout, r
    assert not target.exists()


def test_the_program_does_not_keep_the_listener(agent, write_profile):
    # With the listener, one thread could answer another's notifications.
    a = agent()
    r = run(["ls", "-l", "/proc/self/fd/"], profile=write_profile(notify_profile(a.socket)))
    assert r.returncode == 0, r
    links = [line.split("-> ")[1] for line in r.stdout.splitlines() if "->" in line]
    assert len(links) == 4 and not any("seccomp" in link or "socket" in link for link in links), r


def test_a_child_asking_for_another_agent_is_refused(agent, write_profile, shared_dir):
    # The kernel allows one listener per filter chain: never two agents, and never a silent fallback.
    first, second = agent(name="first"), agent(name="second")
    child_profile = write_profile(notify_profile(second.socket))
    r = probe(["exec", "/usr/bin/env", f"SECCOMP_PROFILE={child_profile}", PROBE, "mkdir", shared_dir / "made"],
              profile=write_profile(notify_profile(first.socket)))
    assert r.returncode == 125 and r.stdout == "main\n", r
    assert r.stderr.endswith("cannot install the filter: a filter in force already has a listener (a seccomp "
                             "agent, or a parent's notify profile), and the kernel allows one\n"), r
    assert not (shared_dir / "made").exists()


def test_listener_path_without_a_notify_rule_is_ignored(write_profile, tmp_path):
    # As runc ignores it: no agent is asked for, however it is named.
    for path in ["/nonexistent/agent.sock", "@abstract", ""]:
        profile = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": path, "listenerMetadata": "x",
                   "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}
        r = probe(["mkdir", tmp_path / "made"], profile=write_profile(profile))
        assert r.returncode == 0 and r.errnos == [1], r


def test_a_notify_rule_dropped_on_this_host_asks_for_no_agent(write_profile, tmp_path):
    profile = notify_profile("/nonexistent/agent.sock")
    profile["syscalls"][0]["includes"] = {"arches": ["s390x"]}
    r = probe(["mkdir", tmp_path / "made"], profile=write_profile(profile))
    assert r.returncode == 0 and r.errnos == [0], r


def assert_refused(r, message):
    assert r.returncode == 125 and not r.main_ran, r
    assert r.stderr.count("\n") == 1 and message in r.stderr, r


def test_no_agent_listening_is_refused(write_profile, shared_dir):
    path = shared_dir / "none.sock"
    r = probe(["mkdir", shared_dir / "made"], profile=write_profile(notify_profile(path)))
    assert_refused(r, f"cannot connect to the seccomp agent at {path}: No such file or directory")
    # A socket nobody accepts on.
    bound = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    bound.bind(str(path))
    try:
        r = probe(["mkdir", shared_dir / "made"], profile=write_profile(notify_profile(path)))
        assert_refused(r, f"cannot connect to the seccomp agent at {path}: Connection refused")
        r = run([TOOL, "exec", write_profile(notify_profile(path)), "--", PROBE], preload=False)
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


def test_an_agent_that_closes_the_connection(write_profile, shared_dir):
    path = shared_dir / "closing.sock"
    a = misbehaving_agent("close", path)
    try:
        r = probe(["mkdir", shared_dir / "made"], ["syscall", 110], profile=write_profile(notify_profile(path)))
    finally:
        a.kill()
        a.wait()
    # Whether the send saw the closed connection or the listener was
    # dropped with it, no notified call ran.
    if r.returncode == 125:
        assert_refused(r, "cannot send the listener to the seccomp agent")
    else:
        assert r.calls == [("mkdir", -1, ENOSYS), ("syscall", -1, ENOSYS)], r
    assert not (shared_dir / "made").exists()


def test_an_agent_that_drops_the_listener(write_profile, shared_dir):
    path = shared_dir / "dropping.sock"
    a = misbehaving_agent("drop", path)
    try:
        r = probe(["mkdir", shared_dir / "made"], ["syscall", 110], profile=write_profile(notify_profile(path)))
    finally:
        a.kill()
        a.wait()
    assert r.calls == [("mkdir", -1, ENOSYS), ("syscall", -1, ENOSYS)], r
    assert not (shared_dir / "made").exists()


def test_an_agent_that_never_answers_then_dies(write_profile, shared_dir):
    path = shared_dir / "silent.sock"
    a = misbehaving_agent("hold", path)
    env = base_env()
    env.update(LD_PRELOAD=str(LIB), SECCOMP_PROFILE=str(write_profile(notify_profile(path))))
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


def test_the_cache_keeps_where_the_listener_goes(agent, write_profile, shared_dir, tmp_path):
    from test_10_cache import start
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed: it shows whether a start compiled")
    a = agent()
    profile, home = write_profile(notify_profile(a.socket)), tmp_path / "cache"
    assert start(profile, home, tmp_path, target=shared_dir / "made") == (True, [ENOMEDIUM])
    assert start(profile, home, tmp_path, target=shared_dir / "made") == (False, [ENOMEDIUM])
    # Each start (strace's and the probe's, twice) handed over its own listener.
    assert len(a.messages()) == 4


def test_explain_and_check_name_the_agent(write_profile, tmp_path):
    path = tmp_path / "agent.sock"
    profile = write_profile(notify_profile(path))
    out = tool("explain", profile, "mkdir").stdout
    assert "SCMP_ACT_NOTIFY" in out and out.rstrip().endswith(f"to the agent at {path}"), out
    decision = json.loads(tool("explain", "--json", profile, "getppid").stdout)
    assert decision["action"] == "SCMP_ACT_NOTIFY" and decision["listener_path"] == str(path)
    assert "listener_path" not in json.loads(tool("explain", "--json", profile, "getpid").stdout)
    r = tool("check", profile)
    assert r.returncode == 0 and f"the listener goes to the seccomp agent at {path}" in r.stdout, r
