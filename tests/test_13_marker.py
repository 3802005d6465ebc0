"""What a child inherits: the marker, which a child trusts only as far as
the kernel answers the probe, and SECCOMP_PROFILE, which a relative path
leaves absolute for children that change directory."""
import json
import sys

import pytest

from conftest import BUILD, EPERM, LIB, PROBE, SIGSYS, needs_root, probe, run

DENY_MKDIR = {"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}
DENY_RMDIR = {"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["rmdir"], "action": "SCMP_ACT_ERRNO"}]}
WEAK = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO"}]}
KEYCTL = ["syscall", 250, 0, -3, 0]  # denied by the built-in profile, whatever the capabilities
PROBE_FIRST_NR = 0x3fa50000
PROBE_COUNT = 6


def marker(profile=None):
    """The marker a process confined with PROFILE puts in its environment."""
    r = run(["printenv", "AUTOSECCOMP_FILTER"], profile=profile)
    assert r.returncode == 0 and r.stdout.strip(), r
    return r.stdout.strip()


# A filter autoseccomp did not install, as systemd's SystemCallFilter= or a
# container runtime leaves one: it allows everything, or kills what it does
# not know, and then starts the child.
FOREIGN_FILTER = r"""
import ctypes, os, struct, sys
RET, ALLOW, KILL = 0x06, 0x7fff0000, 0x80000000
LD_NR, JGE = 0x20, 0x35
ERRNO_0, JEQ, SECCOMP, PRCTL, CLOSE = 0x00050000, 0x15, 317, 157, 3
if sys.argv[1] == "allow":
    insns = [(RET, 0, 0, ALLOW)]
elif sys.argv[1] == "before-5.19":  # seccomp(2) refuses WAIT_KILLABLE_RECV, as older kernels do
    LD_ARG1_LOW, JSET, EINVAL = 0x20, 0x45, 22
    insns = [(LD_NR, 0, 0, 0), (JEQ, 0, 3, SECCOMP), (LD_ARG1_LOW, 0, 0, 24), (JSET, 0, 1, 1 << 5),
             (RET, 0, 0, ERRNO_0 | EINVAL), (RET, 0, 0, ALLOW)]
elif sys.argv[1] == "deny-dup3":
    insns = [(LD_NR, 0, 0, 0), (JEQ, 0, 1, 292), (RET, 0, 0, ERRNO_0 | 1), (RET, 0, 0, ALLOW)]
elif sys.argv[1].startswith("fake"):  # the call succeeds, doing nothing
    faked = {"fake-seccomp": [SECCOMP], "fake-seccomp-and-prctl": [SECCOMP, PRCTL], "fake-close": [CLOSE]}[sys.argv[1]]
    insns = [(LD_NR, 0, 0, 0), *[(JEQ, len(faked) - i, 0, nr) for i, nr in enumerate(faked)],
             (RET, 0, 0, ALLOW), (RET, 0, 0, ERRNO_0)]
else:  # kill every number above 1023
    insns = [(LD_NR, 0, 0, 0), (JGE, 0, 1, 1024), (RET, 0, 0, KILL), (RET, 0, 0, ALLOW)]
code = b"".join(struct.pack("HBBI", *i) for i in insns)
buf = ctypes.create_string_buffer(code)
class Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
prog = Prog(len(insns), ctypes.addressof(buf))
libc = ctypes.CDLL(None, use_errno=True)
assert libc.prctl(38, 1, 0, 0, 0) == 0  # PR_SET_NO_NEW_PRIVS
assert libc.syscall(317, 1, 0, ctypes.byref(prog)) == 0, ctypes.get_errno()  # seccomp(SET_MODE_FILTER)
os.execve(sys.argv[2], sys.argv[2:], os.environ)
"""


def under_foreign_filter(kind, argv, env, launcher=()):
    """ARGV under a foreign filter of KIND, with ENV: the launcher itself runs
    without them, after LAUNCHER."""
    assignments = [f"{k}={v}" for k, v in env.items()]
    return run([*launcher, sys.executable, "-c", FOREIGN_FILTER, kind, "/usr/bin/env", *assignments, *argv],
               preload=False)


# A thousand supplementary groups: the process's status is then longer than
# a page, with Seccomp_filters after the long Groups line.
MANY_GROUPS = ["setpriv", "--groups", ",".join(str(g) for g in range(100000, 101000))]


def test_a_forged_marker_under_a_weaker_profile_does_not_skip_the_builtin(write_profile):
    """The parent installed a weak profile; the child, asked for the
    built-in one, carries the built-in profile's marker: it still installs
    it, and keyctl fails."""
    forged = marker()
    r = probe(["exec", "/usr/bin/env", "SECCOMP_PROFILE=builtin", f"AUTOSECCOMP_FILTER={forged}", PROBE, *KEYCTL,
               "--", "status"], profile=write_profile(WEAK))
    assert r.errnos == [EPERM], r
    assert r.status["Seccomp_filters"] == 2, r


def test_a_forged_marker_under_a_foreign_filter_does_not_skip(write_profile, tmp_path):
    profile = write_profile(DENY_MKDIR)
    env = {"LD_PRELOAD": str(LIB), "SECCOMP_PROFILE": str(profile), "AUTOSECCOMP_FILTER": marker(profile)}
    r = under_foreign_filter("allow", [PROBE, "mkdir", tmp_path / "a", "--", "status"], env)
    assert r.errnos == [EPERM] and r.status["Seccomp_filters"] == 2, r
    assert not (tmp_path / "a").exists()


def test_a_forged_marker_under_a_filter_that_kills_unknown_calls_fails_closed(write_profile, tmp_path):
    """Asking the kernel is a call to numbers no kernel defines: under a
    single filter that kills those, a forged marker that vouches for one
    filter kills the child before main."""
    profile = write_profile(DENY_MKDIR)
    env = {"LD_PRELOAD": str(LIB), "SECCOMP_PROFILE": str(profile), "AUTOSECCOMP_FILTER": marker(profile)}
    r = under_foreign_filter("kill", [PROBE, "mkdir", tmp_path / "a"], env)
    assert r.signal == SIGSYS and not r.main_ran, r
    # Without the marker, the child does not ask, and runs confined.
    del env["AUTOSECCOMP_FILTER"]
    r = under_foreign_filter("kill", [PROBE, "mkdir", tmp_path / "a"], env)
    assert r.errnos == [EPERM], r


def test_children_under_a_filter_that_kills_unknown_calls_run_confined(write_profile, tmp_path):
    """systemd's SystemCallFilter= kills what it does not list: a service
    started under it, preloaded, marks its filter as one among others, and
    its children install their own rather than ask the kernel."""
    profile = write_profile(DENY_MKDIR)
    env = {"LD_PRELOAD": str(LIB), "SECCOMP_PROFILE": str(profile)}
    r = under_foreign_filter("kill", ["/bin/sh", "-c", f"printenv AUTOSECCOMP_FILTER; exec {PROBE} mkdir "
                                                       f"{tmp_path / 'a'} -- exec {PROBE} status"], env)
    # The shell's marker vouches for none; the probe, then its child, each install their own.
    assert r.stdout.splitlines()[:2] == [f"{marker(profile).split(':')[0]}:0", "main"], r
    assert r.errnos == [EPERM] and r.status["Seccomp_filters"] == 4, r


def test_children_of_a_program_that_adds_a_filter_that_kills_unknown_calls_run_confined(write_profile, tmp_path):
    """A confined program that sandboxes its children with a filter of its
    own (which kills what it does not list) leaves a chain the marker does
    not vouch for: the children install their own rather than ask."""
    profile = write_profile(DENY_MKDIR)
    launcher = [sys.executable, "-c", FOREIGN_FILTER, "kill", PROBE, "mkdir", tmp_path / "a", "--", "status"]
    r = run(launcher, profile=profile)
    assert r.main_ran and r.errnos == [EPERM] and r.status["Seccomp_filters"] == 3, r


def test_a_child_asking_for_another_profile_with_its_marker_gets_it(write_profile, tmp_path):
    """Parent confined with A; the child names B and carries B's marker: B is
    installed on top of A, and both deny."""
    a, b = write_profile(DENY_MKDIR), write_profile(DENY_RMDIR)
    (tmp_path / "d").mkdir()
    r = probe(["exec", "/usr/bin/env", f"SECCOMP_PROFILE={b}", f"AUTOSECCOMP_FILTER={marker(b)}", PROBE, "mkdir",
               tmp_path / "a", "--", "syscall", 84, f"@{tmp_path / 'd'}", "--", "status"], profile=a)
    assert r.errnos == [EPERM, EPERM] and r.status["Seccomp_filters"] == 2, r
    assert (tmp_path / "d").exists()


def test_a_child_with_its_parents_marker_and_another_profile_gets_it(write_profile, tmp_path):
    a, b = write_profile(DENY_MKDIR), write_profile(DENY_RMDIR)
    (tmp_path / "d").mkdir()
    r = probe(["exec", "/usr/bin/env", f"SECCOMP_PROFILE={b}", PROBE, "syscall", 84, f"@{tmp_path / 'd'}", "--",
               "status"], profile=a)
    assert r.errnos == [EPERM] and r.status["Seccomp_filters"] == 2, r


def test_the_filter_answers_the_probe_with_the_marker(write_profile):
    """The kernel's answers at the probe numbers are the marker's values:
    what lets a child of the same profile skip the install."""
    for profile in (None, write_profile(DENY_MKDIR), write_profile(WEAK)):
        expected = marker(profile)
        r = probe(*[["syscall", PROBE_FIRST_NR + i] for i in range(PROBE_COUNT)],
                  ["syscall", PROBE_FIRST_NR + PROBE_COUNT], profile=profile)
        answers = "".join(f"{e:03x}" for e in r.errnos[:PROBE_COUNT])
        # Then how many filters the marker vouches for: this one alone.
        assert f"{answers}:1" == expected, (r, expected)
        assert r.errnos[PROBE_COUNT] == 38, r  # the next number is the stub's or the kernel's ENOSYS


def test_a_child_of_the_same_profile_skips_the_install(write_profile):
    for profile in (None, write_profile(DENY_MKDIR), write_profile(WEAK)):
        r = probe(["exec", PROBE, "exec", PROBE, "status"], profile=profile)
        assert r.status["Seccomp_filters"] == 1, r


def test_a_relative_profile_holds_after_a_change_of_directory(tmp_path):
    """`ls` after a `cd` still finds the profile, and so does a probe, which
    is still confined and adds no filter."""
    (tmp_path / "d.json").write_text(json.dumps(DENY_MKDIR))
    other = tmp_path / "other"
    other.mkdir()
    (other / "listed").write_text("")
    r = run(["sh", "-c", f"cd {other} && ls && printenv SECCOMP_PROFILE && {PROBE} mkdir a -- status"],
            profile="d.json", cwd=tmp_path)
    assert r.returncode == 0, r
    assert r.stdout.startswith(f"listed\n{tmp_path / 'd.json'}\nmain\n"), r
    assert r.errnos == [EPERM] and r.status["Seccomp_filters"] == 1, r
    assert not (other / "a").exists()


def test_a_relative_profile_names_the_file_it_named_at_first(tmp_path):
    """Another d.json where the child moves to is not read: the child keeps
    its parent's profile, and adds nothing."""
    (tmp_path / "d.json").write_text(json.dumps(DENY_MKDIR))
    other = tmp_path / "other"
    other.mkdir()
    (other / "d.json").write_text(json.dumps(DENY_RMDIR))
    (other / "d").mkdir()
    r = run(["sh", "-c", f"cd {other} && {PROBE} syscall 84 @d -- mkdir a -- status"], profile="d.json",
            cwd=tmp_path)
    assert r.errnos == [0, EPERM] and r.status["Seccomp_filters"] == 1, r


def test_a_relative_profile_beyond_path_max_fails_closed(tmp_path):
    """A working directory too deep to name: no child could be sure to read
    the same file, and the program does not run."""
    launcher = ("import os, sys\n"
                "for _ in range(int(sys.argv[1])):\n"
                "    os.makedirs('d' * 250, exist_ok=True); os.chdir('d' * 250)\n"
                "open('p.json', 'w').write(sys.argv[2])\n"
                "os.environ['LD_PRELOAD'] = sys.argv[3]\n"
                "os.execve(sys.argv[4], sys.argv[4:], os.environ)\n")
    r = run([sys.executable, "-c", launcher, 17, json.dumps(DENY_MKDIR), LIB, PROBE, "status"],
            profile="p.json", preload=False, cwd=tmp_path)
    assert r.returncode == 125 and not r.main_ran, r
    assert r.stderr.startswith("autoseccomp: p.json: cannot make the path absolute for the children: "), r


def test_an_absolute_or_builtin_profile_is_left_as_it_is(write_profile):
    path = write_profile(DENY_MKDIR)
    assert run(["printenv", "SECCOMP_PROFILE"], profile=path).stdout == f"{path}\n"
    assert run(["printenv", "SECCOMP_PROFILE"], profile="builtin").stdout == "builtin\n"


@pytest.mark.parametrize("groups", [False, pytest.param(True, marks=needs_root)], ids=["", "many-groups"])
@pytest.mark.parametrize("faker", ["fake-seccomp", "fake-seccomp-and-prctl"])
@pytest.mark.parametrize("how", ["preloaded", "locked", "api"])
def test_an_install_a_filter_in_force_only_pretends_fails(tmp_path, faker, how, groups):
    """A filter in force that answers seccomp(2) itself, with success: the
    kernel installs nothing, and says nothing.  With prctl as well,
    PR_GET_SECCOMP says no filter is in force.  (Docker's format can write
    either, with SCMP_ACT_ERRNO and errnoRet 0.)  The program asks for the
    built-in profile, or its own locked one, or calls the API: the kernel
    has none of them, so the start must fail."""
    env = {"LD_PRELOAD": str(LIB)} if how == "preloaded" else {"SECCOMP_PROFILE": "unconfined"}
    if how == "preloaded":
        argv = [PROBE, *KEYCTL]
    elif how == "locked":
        argv = [BUILD / "examples" / "embedded-locked", tmp_path / "d"]
    else:
        argv = [BUILD / "tests" / "probe-api", "builtin", tmp_path / "d"]
    r = under_foreign_filter(faker, argv, env, launcher=MANY_GROUPS if groups else ())
    message = "cannot install the filter: the kernel does not have it, though seccomp(2) said so (a filter in " \
              "force answers that call itself)"
    assert message in r.stdout + r.stderr, r
    if how == "api":
        assert r.stdout.splitlines()[0].startswith("apply=-1 message="), r
    else:
        assert r.returncode == 125 and r.stderr.count("\n") == 1, r
        assert "syscall ret=" not in r.stdout and not (tmp_path / "d").exists(), r


@pytest.mark.parametrize("mode", [{"AUTOSECCOMP_REPORT": "/dev/null"}, {"AUTOSECCOMP_MODE": "audit"}])
def test_a_filter_in_force_that_only_pretends_to_close_leaves_no_listener(mode):
    """Kept, the listener would let the program answer its own calls: the
    socket is put in its place, which no filter can pretend to do."""
    r = under_foreign_filter("fake-close", [PROBE, "listeners", "--", *KEYCTL], {"LD_PRELOAD": str(LIB), **mode})
    assert r.calls[0] == ("listeners", 0, 0), r
    assert r.calls[1][2] == (EPERM if "AUTOSECCOMP_REPORT" in mode else 0), r


@pytest.mark.parametrize("mode", [{"AUTOSECCOMP_REPORT": "stderr"}, {"AUTOSECCOMP_MODE": "audit"}])
def test_reports_under_a_filter_in_force_say_what_they_cannot_see(write_profile, tmp_path, mode):
    """A filter installed before the diverted one outranks its
    notifications where it denies too; what it allows, the profile still
    decides, and names."""
    profile = write_profile(DENY_MKDIR)
    r = under_foreign_filter("allow", [PROBE, "mkdir", tmp_path / "a"],
                             {"LD_PRELOAD": str(LIB), "SECCOMP_PROFILE": str(profile), **mode})
    seen = "are denied, and not audited" if "AUTOSECCOMP_MODE" in mode else "too get its answer, and are not reported"
    assert f"autoseccomp: {profile}: warning: a filter was in force already: the calls it denies {seen}\n" in \
        r.stderr, r
    assert "mkdir(2) x86_64" in r.stderr, r


@pytest.mark.parametrize("mode", [{"AUTOSECCOMP_REPORT": "stderr"}, {"AUTOSECCOMP_MODE": "audit"}])
def test_reports_on_a_kernel_without_killable_waits(write_profile, tmp_path, mode):
    """A diverted call's wait is killable only, once the supervisor has
    taken it, where the kernel can (5.19); an older kernel refuses the flag
    with EINVAL, and the start installs without it rather than fail."""
    profile = write_profile(DENY_MKDIR)
    r = under_foreign_filter("before-5.19", [PROBE, "mkdir", tmp_path / "a"],
                             {"LD_PRELOAD": str(LIB), "SECCOMP_PROFILE": str(profile), **mode})
    assert r.returncode == 0 and r.errnos == [0 if "AUTOSECCOMP_MODE" in mode else EPERM], r
    assert "mkdir(2) x86_64" in r.stderr, r


def test_reports_under_a_filter_that_refuses_dup3_fall_back_to_enforcement(write_profile, tmp_path):
    """The hand-over ends with dup3: where a filter in force refuses it, the
    profile is enforced, unreported, and the start says so, rather than
    fail once the filter is in."""
    profile = write_profile(DENY_MKDIR)
    r = under_foreign_filter("deny-dup3", [PROBE, "mkdir", tmp_path / "a"],
                             {"LD_PRELOAD": str(LIB), "SECCOMP_PROFILE": str(profile), "AUTOSECCOMP_REPORT": "stderr"})
    assert r.returncode == 0 and r.errnos == [EPERM], r
    assert r.stderr == f"autoseccomp: {profile}: warning: a filter in force refuses dup3, with which the listener " \
                       "is put out of the program's reach: the profile is enforced, and its denials are not " \
                       "reported\n", r
