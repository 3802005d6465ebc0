"""autoseccomp record: real programs recorded as uid 65534, then run under
the profile they wrote, to the same exit status and output; a call the run
never made is denied.  The profile is deterministic, loads here and in
Docker's and Podman's own loaders, and decodes as Docker's decoder reads it."""
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import EPERM, NOBODY, PROBE, TOOL, base_env, build_go_program, needs_root, tool
from test_12_go_decoder import decode, go_decode  # noqa: F401 (a fixture)

USERS = [None, pytest.param("nobody", marks=needs_root)]
BUSYBOX = Path("/bin/busybox")


def as_user(argv, user, cwd=None, env=None):
    full = dict(base_env(), **(env or {}))
    argv = [str(a) for a in argv]
    if user == "nobody":
        argv = NOBODY + argv
    return subprocess.run(argv, env=full, cwd=cwd, capture_output=True, text=True, timeout=600)


def record(shared_dir, argv, user, output="profile.json", extra=(), cwd=None, env=None):
    out = shared_dir / output
    r = as_user([TOOL, "record", "-o", out, *extra, "--", *argv], user, cwd=cwd, env=env)
    return r, out


def replay(profile, argv, user, cwd=None, env=None):
    return as_user([TOOL, "exec", profile, "--", *argv], user, cwd=cwd, env=env)


def assert_loads(profile):
    r = tool("check", "--quiet", profile)
    assert r.returncode == 0, r


def assert_replays(shared_dir, argv, user, cwd=None, env=None, prepare=None):
    """Record ARGV, run it again under what it wrote: same status and output."""
    if prepare:
        prepare()
    recorded, profile = record(shared_dir, argv, user, cwd=cwd, env=env)
    assert_loads(profile)
    if prepare:
        prepare()
    again = replay(profile, argv, user, cwd=cwd, env=env)
    assert (again.returncode, again.stdout) == (recorded.returncode, recorded.stdout), (recorded, again)
    assert "autoseccomp" not in again.stderr, again
    # And what it never made is denied.
    assert "SCMP_ACT_ERRNO(EPERM)" in tool("explain", profile, "keyctl").stdout
    return json.loads(profile.read_text())


@pytest.mark.parametrize("user", USERS)
def test_python_with_threads_and_a_subprocess(shared_dir, user):
    script = ("import threading, subprocess\n"
              "t = threading.Thread(target=print, args=('from a thread',)); t.start(); t.join()\n"
              "print(subprocess.run(['sh', '-c', 'echo from a child'], capture_output=True, text=True).stdout, end='')\n")
    doc = assert_replays(shared_dir, ["/usr/bin/python3", "-c", script], user)
    names = doc["syscalls"][0]["names"]
    assert {"clone3", "execve", "wait4", "futex"} <= set(names) or {"clone", "execve"} <= set(names), names


@pytest.mark.parametrize("user", USERS)
def test_sendmsg_on_the_lowest_free_descriptor_is_recorded(shared_dir, user):
    """The filter lets the hand-over of its listener through unseen:
    sendmsg on that socket's number, which a program's own socket must not
    share, as its first socket would if the number were the lowest free."""
    script = "import socket; a, b = socket.socketpair(); a.sendmsg([b'x']); print(a.fileno(), b.recv(1))"
    assert_replays(shared_dir, ["python3", "-c", script], user)
    assert "sendmsg" in json.loads((shared_dir / "profile.json").read_text())["syscalls"][0]["names"]


def test_a_base_that_decides_seccomp_by_its_arguments_is_recorded_on(shared_dir):
    """Only report mode must keep the program from a listener of its own;
    a recording denies nothing such a listener could let through."""
    base = shared_dir / "base.json"
    base.write_text(json.dumps({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["seccomp"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]},
        {"names": ["getppid"], "action": "SCMP_ACT_ERRNO"}]}))
    r = tool("record", "--base", base, "-o", shared_dir / "out.json", "--", PROBE, "syscall", 110)
    assert r.returncode == 0 and "syscall ret=" in r.stdout, r
    assert "getppid" in json.loads((shared_dir / "out.json").read_text())["syscalls"][0]["names"], r


@pytest.mark.parametrize("user", USERS)
def test_tar_and_gzip(shared_dir, user):
    (shared_dir / "data").mkdir()
    for i in range(20):
        (shared_dir / "data" / f"f{i}").write_text("x" * i)
    (shared_dir / "data").chmod(0o777)

    def clean():
        (shared_dir / "out.tgz").unlink(missing_ok=True)

    assert_replays(shared_dir, ["tar", "czf", shared_dir / "out.tgz", "-C", shared_dir, "data"], user, prepare=clean)
    assert_replays(shared_dir, ["tar", "tzf", shared_dir / "out.tgz"], user)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.parametrize("user", USERS)
def test_git_on_a_local_repository(shared_dir, user):
    repo, env = shared_dir / "repo", {"HOME": str(shared_dir), "GIT_CONFIG_NOSYSTEM": "1"}
    for argv in (["git", "init", "-q", repo], ["git", "-C", repo, "-c", "user.name=t", "-c", "user.email=t@t",
                                               "commit", "-q", "--allow-empty", "-m", "first"]):
        r = as_user(argv, user, env=env)
        assert r.returncode == 0, r
    assert_replays(shared_dir, ["git", "-C", repo, "log", "--format=%s"], user, env=env)
    assert_replays(shared_dir, ["git", "-C", repo, "status", "--short"], user, env=env)


@pytest.mark.parametrize("user", USERS)
def test_make_of_a_small_c_project(shared_dir, user):
    project = shared_dir / "project"
    project.mkdir()
    (project / "main.c").write_text('#include <stdio.h>\nint add(int, int);\n'
                                    'int main(void) { printf("%d\\n", add(2, 3)); return 0; }\n')
    (project / "add.c").write_text("int add(int a, int b) { return a + b; }\n")
    (project / "Makefile").write_text("app: main.o add.o\n\tcc -o $@ $^\n\t./app\n%.o: %.c\n\tcc -O1 -c $<\n"
                                      "clean:\n\trm -f app *.o\n")
    project.chmod(0o777)

    def clean():
        as_user(["make", "-s", "-C", project, "clean"], user)

    assert_replays(shared_dir, ["make", "-s", "-j2", "-C", project], user, prepare=clean)


@pytest.mark.parametrize("user", USERS)
def test_a_call_the_run_never_made_is_denied(shared_dir, user):
    recorded, profile = record(shared_dir, [PROBE, "syscall", 39], user)
    assert recorded.returncode == 0, recorded
    r = replay(profile, [PROBE, "syscall", 39, "--", "syscall", 110], user)
    assert r.returncode == 0 and r.stdout.splitlines()[1].startswith("syscall ret="), r
    assert r.stdout.splitlines()[2] == f"syscall ret=-1 errno={EPERM}", r


@pytest.mark.skipif(not BUSYBOX.exists(), reason="busybox-static is not installed")
def test_every_descendant_is_recorded(shared_dir):
    # A child that clears its environment, and a static program's child.
    argv = ["sh", "-c", f"env -i {PROBE} syscall 250 0 0; {BUSYBOX} sh -c '{BUSYBOX} uname >/dev/null'"]
    recorded, profile = record(shared_dir, argv, None)
    assert recorded.returncode == 0, recorded
    names = json.loads(profile.read_text())["syscalls"][0]["names"]
    assert "keyctl" in names and "uname" in names, names


def test_the_output_is_deterministic_and_decodes_as_docker_reads_it(shared_dir, go_decode):
    first, a = record(shared_dir, ["ls", "/"], None, "a.json")
    second, b = record(shared_dir, ["ls", "/"], None, "b.json")
    assert a.read_text() == b.read_text()
    doc = json.loads(a.read_text())
    assert doc["defaultAction"] == "SCMP_ACT_ERRNO" and doc["architectures"] == ["SCMP_ARCH_X86_64"]
    names = doc["syscalls"][0]["names"]
    assert names == sorted(set(names)) and "execve" in names
    assert decode(go_decode, a)["ok"], decode(go_decode, a)


@pytest.fixture(scope="module")
def go_load():
    """tests/go-load, built against Debian's copies of moby and
    containers/common: Docker's and Podman's own loaders, from the JSON to a
    libseccomp filter."""
    return build_go_program("go-load", ["github.com/docker/docker/profiles/seccomp",
                                        "github.com/containers/common/pkg/seccomp"],
                            ["golang-github-containers-common-dev"], tags=["seccomp"])


@pytest.mark.parametrize("loader", ["docker", "podman"])
def test_recorded_profiles_load_in_docker_and_podman(shared_dir, go_load, loader):
    """The engines' own loaders take what record writes, alone or on Docker's
    profile, and refuse what they must (so that their ok means something)."""
    _, plain = record(shared_dir, ["ls", "/"], None, "plain.json")
    _, based = record(shared_dir, [PROBE, "syscall", 250, 0, 0], None, "based.json", extra=["--base", "builtin"])
    _, appended = record(shared_dir, ["uname"], None, "based.json", extra=["--append"])
    bad = shared_dir / "bad.json"
    bad.write_text(plain.read_text().replace("SCMP_ACT_ALLOW", "SCMP_ACT_ALLOWED"))
    r = subprocess.run([go_load, loader, plain, appended, bad], capture_output=True, text=True)
    assert based == appended and r.stdout.splitlines()[:2] == [f"{plain}: ok", f"{appended}: ok"], r
    assert r.returncode == 1 and r.stdout.splitlines()[2].startswith(f"{bad}: "), r
    assert "SCMP_ACT_ALLOWED" in r.stdout.splitlines()[2], r


@pytest.mark.parametrize("user", USERS)
def test_on_docker_s_profile_only_what_it_denies_is_added(shared_dir, user):
    base = tool("show", "builtin").stdout
    recorded, profile = record(shared_dir, [PROBE, "syscall", 250, 0, 0, "--", "syscall", 39], user,
                               extra=["--base", "builtin"])
    assert recorded.returncode == 0, recorded
    text = profile.read_text()
    added = '{"comment": "recorded by autoseccomp record",\n     "names": [\n      "keyctl"\n     ],\n' \
            '     "action": "SCMP_ACT_ALLOW"\n    },\n    '
    assert text.replace(added, "", 1) == base, text[:3000]
    # A second run adds to the same rule.
    again, _ = record(shared_dir, [PROBE, "syscall", 249, 0, 0], user, extra=["--append"])
    assert again.returncode == 0, again
    doc = json.loads(profile.read_text())
    assert doc["syscalls"][0]["names"] == ["keyctl", "request_key"]
    assert doc["syscalls"][1:] == json.loads(base)["syscalls"]
    r = replay(profile, [PROBE, "syscall", 250, 0, 0, "--", "syscall", 249, 0, 0, "--", "syscall", 248, 0, 0, 0, 0],
               user)
    assert [line.split()[2] for line in r.stdout.splitlines()[1:]] == ["errno=22", "errno=14", f"errno={EPERM}"], r


def test_append_keeps_a_recorded_rule_edited_since(shared_dir):
    """Only the rule a recording wrote, as it wrote it, is merged: one its
    author has since made deny, or check arguments, stays as edited, and
    the run's own rule goes before it."""
    recorded, profile = record(shared_dir, [PROBE, "syscall", 250, 0, 0], None, extra=["--base", "builtin"])
    assert recorded.returncode == 0, recorded
    profile.write_text(profile.read_text().replace('"action": "SCMP_ACT_ALLOW"', '"action": "SCMP_ACT_ERRNO"', 1))
    assert "SCMP_ACT_ERRNO(EPERM)" in tool("explain", profile, "keyctl").stdout
    again, _ = record(shared_dir, [PROBE, "syscall", 249, 0, 0], None, extra=["--append"])
    assert again.returncode == 0, again
    doc = json.loads(profile.read_text())
    assert [(rule["names"], rule["action"]) for rule in doc["syscalls"][:2]] == \
        [(["request_key"], "SCMP_ACT_ALLOW"), (["keyctl"], "SCMP_ACT_ERRNO")], doc["syscalls"][:2]
    r = replay(profile, [PROBE, "syscall", 250, 0, 0], None)
    assert r.stdout.splitlines()[1].split()[2] == f"errno={EPERM}", r


def test_the_output_is_written_aside_under_a_name_no_one_can_plant(shared_dir):
    """The file is written under a new name beside -o's, then renamed: a
    link planted where the name once was predictable (FILE.PID.tmp) is not
    followed, and the file it points to stays as it was."""
    victim = shared_dir / "victim"
    victim.write_text("secret\n")
    out = shared_dir / "planted.json"
    r = as_user([TOOL, "record", "-o", out, "--", "sh", "-c", f'ln -s {victim} "{out}.$PPID.tmp"'], None)
    assert r.returncode == 0, r
    assert victim.read_text() == "secret\n"
    assert not out.is_symlink() and json.loads(out.read_text())["defaultAction"] == "SCMP_ACT_ERRNO"
    # Nothing of record's is left beside it: only the file, and the link.
    others = [p for p in shared_dir.glob("planted.json.*")]
    assert len(others) == 1 and others[0].is_symlink() and others[0].name.endswith(".tmp"), others


def test_a_run_that_needs_nothing_more_leaves_the_base_as_it_was(shared_dir):
    recorded, profile = record(shared_dir, ["true"], None, extra=["--base", "builtin"])
    assert recorded.returncode == 0 and profile.read_text() == tool("show", "builtin").stdout


def test_an_interrupted_command_still_leaves_its_profile(shared_dir):
    # ^C reaches the whole process group: record lets the command end, and writes what it did.
    r = as_user(["setsid", "--wait", TOOL, "record", "-o", shared_dir / "int.json", "--", "sh", "-c",
                 "kill -INT 0; sleep 10"], None)
    assert r.returncode == 128 + 2, r
    names = json.loads((shared_dir / "int.json").read_text())["syscalls"][0]["names"]
    assert "kill" in names, names


def test_the_command_s_status_is_record_s(shared_dir):
    recorded, profile = record(shared_dir, ["sh", "-c", "exit 3"], None)
    assert recorded.returncode == 3 and profile.exists(), recorded
    r = as_user([TOOL, "record", "-o", shared_dir / "x.json", "--", "/nonexistent"], None)
    assert r.returncode == 127 and "/nonexistent" in r.stderr, r


@pytest.mark.parametrize("argv, message", [
    (["record", "--", ], "record needs a command after --"),
    (["record", "true"], "record needs -- COMMAND"),
    (["record", "builtin", "--", "true"], "record takes no PROFILE: give --base PROFILE"),
    (["record", "--append", "--", "true"], "--append needs -o FILE"),
])
def test_bad_command_lines(argv, message):
    r = tool(*argv)
    assert r.returncode == 2 and message in r.stderr, r


def test_an_x32_call_is_recorded_on_its_abi(shared_dir):
    recorded, profile = record(shared_dir, [PROBE, "x32", 250], None)
    assert recorded.returncode == 0, recorded
    doc = json.loads(profile.read_text())
    assert doc["architectures"] == ["SCMP_ARCH_X86_64", "SCMP_ARCH_X32"] and "keyctl" in doc["syscalls"][0]["names"]
