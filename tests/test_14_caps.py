"""AUTOSECCOMP_CAPS and exec's --caps: the capability set the profile's
conditions see, which can only shrink the process's own.  Root holds every
capability, so without it Docker's profile allows root what no default
container may call; unshare (272 on x86_64) is one, and 0 is a harmless
argument for it."""
import subprocess

import pytest

from conftest import BUILD, EPERM, NOBODY, PROBE, TOOL, base_env, needs_root, probe
from test_09_fidelity import installed_filter

UNSHARE = ["syscall", 272, 0]


@needs_root
@pytest.mark.parametrize("caps, errno", [(None, 0), ("", 0), ("docker", EPERM), ("none", EPERM),
                                         ("docker,CAP_SYS_ADMIN", 0), ("CAP_SYS_ADMIN", 0), ("all", 0)])
def test_root_gets_the_filter_of_the_set_it_names(caps, errno):
    r = probe(UNSHARE, env={} if caps is None else {"AUTOSECCOMP_CAPS": caps})
    assert r.main_ran and r.errnos == [errno], r


@needs_root
def test_a_set_cannot_grant_what_the_process_lacks(tmp_path):
    """uid 65534 holds no capability: naming them all changes nothing, to the byte."""
    def filter_of(*assignments):
        argv = [*NOBODY, "env", f"LD_PRELOAD={BUILD / 'libautoseccomp.so'}", *assignments, "sleep", "30"]
        return installed_filter(argv, base_env(), tmp_path / "f.bpf")
    assert filter_of("AUTOSECCOMP_CAPS=all") == filter_of()
    assert probe(UNSHARE, user="nobody", env={"AUTOSECCOMP_CAPS": "all"}).errnos == [EPERM]


@needs_root
def test_the_filter_is_the_command_s_for_that_set(tmp_path):
    expected = tmp_path / "expected.bpf"
    assert subprocess.run([TOOL, "compile", "builtin", "--caps", "docker", "-o", expected], env=base_env()).returncode == 0
    env = dict(base_env(), LD_PRELOAD=str(BUILD / "libautoseccomp.so"), AUTOSECCOMP_CAPS="docker")
    assert installed_filter(["sleep", "30"], env, tmp_path / "installed.bpf") == expected.read_bytes()


@pytest.mark.parametrize("caps", ["CAP_BOGUS", "docker,", "docker,,CAP_KILL", "cap_kill", "docker all"])
def test_a_set_that_names_no_capability_stops_the_program(caps):
    r = probe(["mkdir", "/nonexistent/x"], env={"AUTOSECCOMP_CAPS": caps})
    assert r.returncode == 125 and not r.main_ran, r
    assert r.stderr.startswith("autoseccomp: AUTOSECCOMP_CAPS: unknown capability") and r.stderr.count("\n") == 1


@needs_root
def test_exec_takes_a_set(tmp_path):
    r = subprocess.run([TOOL, "exec", "--caps", "docker", "--", PROBE, *map(str, UNSHARE)], env=base_env(),
                       capture_output=True, text=True)
    assert r.returncode == 0 and "syscall ret=-1 errno=1" in r.stdout, r
    r = subprocess.run([TOOL, "exec", "--caps", "docker,CAP_SYS_ADMIN", "--", PROBE, *map(str, UNSHARE)],
                       env=base_env(), capture_output=True, text=True)
    assert r.returncode == 0 and "syscall ret=0 errno=0" in r.stdout, r


def test_exec_refuses_a_set_that_names_no_capability(tmp_path):
    marker = tmp_path / "ran"
    r = subprocess.run([TOOL, "exec", "--caps", "CAP_BOGUS", "--", "touch", marker], env=base_env(),
                       capture_output=True, text=True)
    assert r.returncode == 125 and not marker.exists()
    assert r.stderr.startswith("autoseccomp: unknown capability CAP_BOGUS")
