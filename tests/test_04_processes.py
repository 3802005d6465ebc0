"""Threads and children: a thread started before the constructor, nested
execs that inherit the preload, a child that clears its environment, and a
child that asks for another profile."""
import os

import pytest

from conftest import EPERM, BUILD, LIB, PROBE, SANITIZE, not_in_report_runs, probe, run

DENY_MKDIR = {"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}


def test_a_thread_started_before_the_constructor_is_confined(write_profile, tmp_path):
    target = tmp_path / "from-thread"
    # Later entries of LD_PRELOAD are initialised first: the thread's library
    # runs its constructor, and starts its thread, before autoseccomp's.
    r = probe(["release-early-thread"], profile=write_profile(DENY_MKDIR),
              extra_preload=[BUILD / "tests" / "libearly-thread.so"], env={"EARLY_THREAD_DIR": target})
    assert r.returncode == 0, r
    assert "early-thread started-seccomp=0 now-seccomp=2 mkdir ret=-1 errno=1" in r.stdout, r
    assert not target.exists()


def test_fifty_nested_execs_end_with_one_filter():
    r = probe(["chain", 50], profile="builtin")
    assert r.returncode == 0 and r.stdout.count("main\n") == 51, r
    assert r.status["Seccomp_filters"] == 1 and r.status["Seccomp"] == 2, r


def test_fifty_nested_execs_of_a_custom_profile_end_with_one_filter(write_profile):
    r = probe(["chain", 50], profile=write_profile(DENY_MKDIR))
    assert r.status["Seccomp_filters"] == 1, r


def test_a_child_naming_another_profile_gets_it_on_top(write_profile, tmp_path):
    other = write_profile({"defaultAction": "SCMP_ACT_ALLOW",
                           "syscalls": [{"names": ["rmdir"], "action": "SCMP_ACT_ERRNO"}]})
    inner = [PROBE, "mkdir", tmp_path / "a", "--", "status"]
    r = probe(["exec", "/usr/bin/env", f"SECCOMP_PROFILE={other}", *inner], profile=write_profile(DENY_MKDIR))
    assert r.errnos == [EPERM], r  # the parent's filter still applies
    assert r.status["Seccomp_filters"] == 2, r


def test_a_child_that_clears_its_environment_stays_confined(write_profile, tmp_path):
    r = probe(["exec", "/usr/bin/env", "-i", PROBE, "mkdir", tmp_path / "a", "--", "status"],
              profile=write_profile(DENY_MKDIR))
    assert r.errnos == [EPERM] and r.status["Seccomp_filters"] == 1, r
    assert not (tmp_path / "a").exists()


def test_a_child_cannot_turn_the_filter_off(write_profile, tmp_path):
    r = probe(["exec", "/usr/bin/env", "SECCOMP_PROFILE=unconfined", "LD_PRELOAD=", PROBE, "mkdir",
               tmp_path / "a"], profile=write_profile(DENY_MKDIR))
    assert r.errnos == [EPERM], r


def test_a_child_that_cannot_read_its_capabilities_fails_closed(write_profile, tmp_path):
    """A child under a profile that denies capget cannot tell which program
    it would install: it exits with status 125, and does not run."""
    r = probe(["exec", PROBE, "mkdir", tmp_path / "a"],
              profile=write_profile({"defaultAction": "SCMP_ACT_ALLOW",
                                     "syscalls": [{"names": ["capget"], "action": "SCMP_ACT_ERRNO"}]}))
    assert r.returncode == 125 and r.stdout == "main\n", r  # the parent's line only
    assert "cannot read capabilities: Operation not permitted" in r.stderr, r
    assert not (tmp_path / "a").exists()


def test_a_forged_marker_does_not_skip_the_filter(write_profile, tmp_path):
    """The marker is trusted only when the kernel reports a filter in force."""
    first = probe(["exec", "/usr/bin/printenv", "AUTOSECCOMP_FILTER"], profile=write_profile(DENY_MKDIR))
    marker = first.stdout.splitlines()[-1]
    r = probe(["mkdir", tmp_path / "a"], ["status"], profile=write_profile(DENY_MKDIR),
              env={"AUTOSECCOMP_FILTER": marker})
    assert r.errnos == [EPERM] and r.status["Seccomp_filters"] == 1, r
    assert os.path.exists(PROBE)


@not_in_report_runs
@pytest.mark.skipif(SANITIZE, reason="the sanitizers' runtime replaces malloc, which the count wraps")
@pytest.mark.parametrize("variables", [0, 1000], ids=["short-environment", "long-environment"])
def test_the_builtin_start_allocates_nothing(variables):
    """The marker is set without setenv, whatever the environment's length."""
    env = {f"AUTOSECCOMP_TEST_{i}": "x" for i in range(variables)}
    env["LD_PRELOAD"] = f"{BUILD / 'tests' / 'libmalloc-count.so'} {LIB}"
    counts = []
    for profile in ("unconfined", "builtin"):
        r = run(["printenv", "AUTOSECCOMP_FILTER"], profile=profile, env=env)
        assert r.returncode == (1 if profile == "unconfined" else 0), r
        counts.append(int(r.stderr.split("allocations ")[1].split()[0]))
    assert counts[1] == counts[0], counts
