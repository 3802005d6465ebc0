"""The built-in profile: Docker's default policy, for a process without
capabilities and for one with all of them."""
import json
import subprocess

import pytest

from conftest import (EINVAL, ENOENT, ENOSYS, EPERM, LIB, PROBE, DOCKER_PROFILE, needs_builtin_source, needs_root, probe,
                      run)

MOUNT = ["syscall", 165, "@none", "@/nonexistent/mountpoint", "@tmpfs", 0, 0]
KEYCTL = ["syscall", 250, 0, -3, 0]  # KEYCTL_GET_KEYRING_ID of the session keyring
ADD_KEY = ["syscall", 248, "@user", "@autoseccomp-test", "@x", 1, -2]
UNSHARE_USER = ["syscall", 272, 0x10000000]
CLONE_NEWNS = ["clone", 0x00020000]
CLONE3 = ["clone3"]


@needs_root
def test_without_capabilities_namespaces_mount_and_keys_are_denied():
    r = probe(MOUNT, KEYCTL, ADD_KEY, UNSHARE_USER, CLONE_NEWNS, CLONE3, ["status"], user="nobody")
    assert r.errnos == [EPERM, EPERM, EPERM, EPERM, EPERM, ENOSYS], r
    assert r.status == {"Seccomp": 2, "Seccomp_filters": 1, "NoNewPrivs": 1}


@needs_root
def test_unshare_r_is_denied_without_capabilities():
    r = run(["unshare", "-r", "true"], user="nobody")
    assert r.returncode == 1 and "Operation not permitted" in r.stderr, r
    assert run(["unshare", "-r", "true"], user="nobody", preload=False).returncode == 0


@needs_root
def test_with_every_capability_the_gated_syscalls_are_allowed():
    r = probe(MOUNT, UNSHARE_USER, CLONE_NEWNS, CLONE3, KEYCTL, ["status"])
    # mount reaches the kernel, which finds no mount point; keys stay denied.
    assert r.errnos == [ENOENT, 0, 0, 0, EPERM], r
    assert r.status == {"Seccomp": 2, "Seccomp_filters": 1, "NoNewPrivs": 0}


@pytest.mark.parametrize("user", [None, "nobody"])
@pytest.mark.parametrize("argv, expected", [
    (["sh", "-c", "echo hello | tr a-z A-Z"], "HELLO\n"),
    (["ls", "-d", "/usr"], "/usr\n"),
    (["sh", "-c", "printf 'b\\na\\n' | sort | head -1"], "a\n"),
    (["sh", "-c", "cd /tmp && tar cf - /etc/hostname 2>/dev/null | tar tf -"], "etc/hostname\n"),
    (["python3", "-c", "import json, threading, subprocess; t = threading.Thread(target=print, args=('py',)); "
      "t.start(); t.join(); print(subprocess.run(['echo', 'child'], capture_output=True, text=True).stdout, end='')"],
     "py\nchild\n"),
], ids=["sh", "ls", "sort", "tar", "python3"])
def test_ordinary_programs_run_normally(argv, expected, user):
    if user and not __import__("os").geteuid() == 0:
        pytest.skip("needs root to switch user")
    r = run(argv, user=user)
    assert r.returncode == 0 and r.stdout == expected, r


def fingerprint(profile, user=None):
    r = run(["printenv", "AUTOSECCOMP_FILTER"], profile=profile, user=user)
    assert r.returncode == 0, r
    return r.stdout.strip()


@needs_builtin_source
@needs_root
@pytest.mark.parametrize("user", [None, "nobody"], ids=["all-capabilities", "no-capabilities"])
def test_builtin_compiles_to_the_same_program_as_dockers_profile(user):
    """The fingerprint names the exact BPF program installed: the built-in
    profile and Docker's own file must produce the same bytes."""
    assert fingerprint("builtin", user) == fingerprint(DOCKER_PROFILE, user)


@needs_builtin_source
def test_builtin_makes_dockers_decisions_block_by_block():
    ours = json.loads((__import__("conftest").ROOT / "profiles" / "default.json").read_text())
    docker = json.loads((DOCKER_PROFILE).read_text())
    assert ours["defaultAction"] == docker["defaultAction"]
    assert ours.get("defaultErrnoRet") == docker.get("defaultErrnoRet")
    assert ours["archMap"] == docker["archMap"]
    assert len(ours["syscalls"]) == len(docker["syscalls"])
    for mine, theirs in zip(ours["syscalls"], docker["syscalls"]):
        assert sorted(mine["names"]) == sorted(theirs["names"])
        for key in ("action", "errnoRet", "args", "includes", "excludes"):
            assert mine.get(key) == theirs.get(key), (mine["names"], key)
