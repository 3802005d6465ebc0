"""Proof that the filters decide as they should: the evaluator against the
kernel, the built-in profile against Docker's own file, autoseccomp's filter
against the one real runc installs, and Podman's profiles."""
import json
import os
import re
import shutil
import struct
import subprocess

import pytest

from conftest import (ALL_CAPS, BUILD, CAP_SETS, DOCKER_CAPS, DOCKER_PROFILE, PODMAN_PROFILE, REFERENCE, ROOT, base_env, builtin_names, compile_filter,
                      filter_check, needs_builtin_source, needs_root, not_in_report_runs, probe, runc_test1_profile, tool)
from runc_harness import RuncError, runc_filter, runc_unavailable
from sample_profiles import argument_check_per_syscall, sparse_errnos
from test_11_json import WILD_REFUSED

KERNEL = tuple(int(x) for x in re.match(r"(\d+)\.(\d+)", os.uname().release).groups())

DENY_MKDIR = {"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}
KILL_MKDIR = {"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL"}]}
RUNC_TEST1 = runc_test1_profile()
WRITE_ARGS = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
    {"names": ["write"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"},
                                                             {"index": 2, "value": 0, "op": "SCMP_CMP_NE"}]},
    {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 3,
     "args": [{"index": 0, "value": 0xffffffff, "op": "SCMP_CMP_LE"}]},
    {"names": ["syslog"], "action": "SCMP_ACT_ERRNO", "errnoRet": 3}]}
ENOSYS_COMPAT = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
    {"names": ["close_range", "fsopen", "fsconfig", "fspick", "openat2", "open_tree", "move_mount", "mount_setattr"],
     "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}

# runc-test1's argument rules, with an allowing default, so that runc's own
# init and busybox can run in the container.
RUNC_ARGS = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
    {"names": ["socket"], "action": "SCMP_ACT_ERRNO",
     "args": [{"index": 2, "value": 3840, "valueTwo": 256, "op": "SCMP_CMP_MASKED_EQ"}]},
    {"names": ["process_vm_readv"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22,
     "args": [{"index": 0, "value": 100, "op": "SCMP_CMP_EQ"}, {"index": 0, "value": 9001, "op": "SCMP_CMP_EQ"}]},
    {"names": ["ftruncate"], "action": "SCMP_ACT_ERRNO",
     "args": [{"index": 0, "value": 123456789, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 1337, "op": "SCMP_CMP_EQ"}]},
    {"names": ["dup3"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1000, "op": "SCMP_CMP_EQ"}]},
    {"names": ["dup3"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 5000, "op": "SCMP_CMP_GT"}]},
    {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 0x10000, "op": "SCMP_CMP_GE"},
                                                                 {"index": 1, "value": 7, "op": "SCMP_CMP_LT"}]},
]}


def allow_but(*rules):
    return {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": list(rules)}


# The profiles of the other runc and moby behaviours the suite reproduces.
BEHAVIOURS = {
    "errno-100": allow_but({"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 100}),
    "syslog-esrch": allow_but({"names": ["syslog"], "action": "SCMP_ACT_ERRNO", "errnoRet": 3}),
    "write-stdout-or-stderr": allow_but({"names": ["write"], "action": "SCMP_ACT_ERRNO", "args": [
        {"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}, {"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]}),
    "personality-blocked": allow_but({"names": ["personality"], "action": "SCMP_ACT_ERRNO"}),
    "moby-deny-chmod": allow_but({"name": "chmod", "action": "SCMP_ACT_ERRNO"},
                                 {"names": ["fchmod", "fchmodat"], "action": "SCMP_ACT_ERRNO"}),
    "moby-deny-unshare-userns": allow_but({"names": ["unshare"], "action": "SCMP_ACT_ERRNO",
                                           "args": [{"index": 0, "value": 0x10000000, "op": "SCMP_CMP_EQ"}]}),
    "moby-confined-chown": allow_but({"names": ["chown", "lchown", "fchown", "fchownat"], "action": "SCMP_ACT_ERRNO"}),
}

# Go hands a name to libseccomp as a C string, which ends at its first NUL,
# however long the rest.
NAMES_END_AT_NUL = allow_but({"names": ["mkdir\0" + "x" * 64, "mkdirat\0" + "x" * 64], "action": "SCMP_ACT_ERRNO"})

# runc keeps an errnoRet's low 16 bits (65537 is EPERM), and libseccomp
# takes a tracer's message of any 16 bits, where an errno stops at 4094.
ERRNO_AND_TRACE_DATA = allow_but({"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 65537},
                                 {"names": ["rmdir"], "action": "SCMP_ACT_TRACE", "errnoRet": 5000},
                                 {"names": ["symlink"], "action": "SCMP_ACT_TRACE", "errnoRet": 65535})

# Docker reads only the archMap entry of its own architecture: another may
# name architectures libseccomp does not know.
ARCHMAP_OF_OTHER_HOSTS = {"defaultAction": "SCMP_ACT_ALLOW",
                          "archMap": [{"architecture": "SCMP_ARCH_SPARC64", "subArchitectures": ["SCMP_ARCH_SPARC"]},
                                      {"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}],
                          "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}

# Nor does runc see the rules Docker drops: their actions and operators may
# be names it would refuse.
RULES_OF_OTHER_HOSTS = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
    {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"},
    {"names": ["rmdir"], "action": "SCMP_ACT_FROM_THE_FUTURE", "includes": {"arches": ["s390x"]}},
    {"names": ["symlink"], "action": "SCMP_ACT_ERRNO", "excludes": {"arches": ["amd64"]},
     "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_FROM_THE_FUTURE"}]}]}

TEST_PROFILES = {**BEHAVIOURS, "deny-mkdir": DENY_MKDIR, "runc-args": RUNC_ARGS, "kill-mkdir": KILL_MKDIR, "runc-test1": RUNC_TEST1,
                 "write-args": WRITE_ARGS, "enosys-compat": ENOSYS_COMPAT, "names-end-at-nul": NAMES_END_AT_NUL,
                 "errno-and-trace-data": ERRNO_AND_TRACE_DATA, "archmap-of-other-hosts": ARCHMAP_OF_OTHER_HOSTS,
                 "rules-of-other-hosts": RULES_OF_OTHER_HOSTS}


def profile_path(name, write_profile):
    if name == "builtin":
        return "builtin"
    if name == "moby":
        if DOCKER_PROFILE is None:
            pytest.skip(f"Docker's profile is absent from {REFERENCE} and Debian's copy is not installed")
        return DOCKER_PROFILE
    if name.startswith("wild/"):
        if not (REFERENCE / name).exists():
            pytest.skip(f"the real-world profiles are absent from {REFERENCE / 'wild'}")
        return REFERENCE / name
    return write_profile(TEST_PROFILES[name], name=f"{name}.json")


KERNEL_CASES = [("builtin", "none"), ("builtin", "all"), ("moby", "docker"), ("moby", "docker+sys_admin"),
                *[(name, "docker") for name in TEST_PROFILES]]


@pytest.mark.parametrize("name, caps", KERNEL_CASES, ids=[f"{n}-{c}" for n, c in KERNEL_CASES])
def test_the_evaluator_agrees_with_the_kernel(write_profile, tmp_path, name, caps):
    """Every return instruction is rewritten to its own errno before a child
    installs the program, so the kernel says which return it reached and no
    syscall runs; the evaluator must name the same return at every point."""
    program = compile_filter(profile_path(name, write_profile), tmp_path / "f.bpf", CAP_SETS[caps])
    points, mismatches, out = filter_check("kernel", program)
    assert mismatches == 0 and points >= 2 * 1024, out


@needs_builtin_source
@pytest.mark.parametrize("caps", list(CAP_SETS))
def test_builtin_decides_as_dockers_profile_everywhere(tmp_path, caps):
    ours = compile_filter("builtin", tmp_path / "ours.bpf", CAP_SETS[caps])
    docker = compile_filter(DOCKER_PROFILE, tmp_path / "docker.bpf", CAP_SETS[caps])
    points, mismatches, out = filter_check("compare", ours, docker)
    assert mismatches == 0 and points > 100_000, out


OPTIMIZE_CASES = [("builtin", caps) for caps in CAP_SETS] + [("moby", "docker")] + \
    [(name, "docker") for name in TEST_PROFILES]


@pytest.mark.parametrize("name, caps", OPTIMIZE_CASES, ids=[f"{n}-{c}" for n, c in OPTIMIZE_CASES])
def test_the_smaller_program_decides_as_libseccomps(write_profile, tmp_path, name, caps):
    """What the library installs for a compiled profile is a range tree made
    from libseccomp's program; they must agree everywhere."""
    path = profile_path(name, write_profile)
    plain = tmp_path / "plain.bpf"
    assert tool("compile", path, "--plain", "--caps", ",".join(CAP_SETS[caps]) or "none", "-o", plain).returncode == 0
    smaller = compile_filter(path, tmp_path / "smaller.bpf", CAP_SETS[caps])
    points, mismatches, out = filter_check("compare", plain, smaller)
    assert mismatches == 0 and points >= 3 * 1026, out
    assert len(smaller.read_bytes()) <= len(plain.read_bytes())


def random_profile(rng, names):
    """A profile of random rules, actions, argument checks and
    architectures, in the shapes Docker's profiles use."""
    actions = ["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_TRAP", "SCMP_ACT_LOG",
               "SCMP_ACT_KILL_PROCESS"]
    ops = ["SCMP_CMP_EQ", "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_GT", "SCMP_CMP_GE",
           "SCMP_CMP_MASKED_EQ"]
    values = [0, 1, 2, 8, 0x27, 0xffff, 0x7fffffff, 0xffffffff, 0x100000000, 0xffffffffffffffff]
    rules = []
    # Each name in one rule: libseccomp refuses one syscall with two actions.
    unused = rng.sample(names, len(names))
    if like_docker := rng.random() < 0.75:
        # Docker's shape, which the rewrite is for: most names allowed in one
        # rule, and a few rules after it.
        rules.append({"names": [unused.pop() for _ in range(len(names) * rng.randint(40, 90) // 100)],
                      "action": "SCMP_ACT_ALLOW"})
    for _ in range(rng.randint(1, 15 if like_docker else 60)):
        if not unused:
            break
        rule = {"names": [unused.pop() for _ in range(min(len(unused), rng.randint(1, 12)))],
                "action": rng.choice(actions)}
        if rule["action"] == "SCMP_ACT_ERRNO" and rng.random() < 0.5:
            rule["errnoRet"] = rng.randint(1, 100)
        if rng.random() < 0.3:
            rule["args"] = [{"index": rng.randint(0, 5), "value": rng.choice(values), "op": rng.choice(ops)}
                            for _ in range(rng.randint(1, 2))]
            for arg in rule["args"]:
                if arg["op"] == "SCMP_CMP_MASKED_EQ":
                    arg["valueTwo"] = arg["value"] & rng.choice(values)
        rules.append(rule)
    arches = rng.choice([[], ["SCMP_ARCH_X86_64"], ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
                         ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], ["SCMP_ARCH_X86_64", "SCMP_ARCH_X32"]])
    default = "SCMP_ACT_ERRNO" if like_docker else rng.choice(["SCMP_ACT_ERRNO", "SCMP_ACT_ALLOW",
                                                                   "SCMP_ACT_KILL_PROCESS"])
    return {"defaultAction": default,
            "architectures": arches, "syscalls": rules}


@pytest.mark.parametrize("seed", range(40))
def test_random_profiles_decide_as_runcs_program(write_profile, tmp_path, seed):
    """The rewrite of libseccomp's linear program, or runc's program where it
    declines, against runc's program: random profiles, every point."""
    import random
    rng = random.Random(seed)
    names = builtin_names()
    path = write_profile(random_profile(rng, names))
    plain, installed = tmp_path / "plain.bpf", tmp_path / "installed.bpf"
    for out, extra in ((plain, ["--plain"]), (installed, [])):
        proc = tool("compile", path, *extra, "-o", out)
        assert proc.returncode == 0, proc.stderr
    points, mismatches, out = filter_check("compare", plain, installed)
    assert mismatches == 0 and points >= 3 * 1026, out


@pytest.mark.parametrize("kind", ["declined", "not tried"])
def test_where_the_rewrite_loses_runcs_program_is_installed(write_profile, tmp_path, kind):
    """Declined: 60 names, each with an errno of its own, cost the range tree
    two nodes each, where libseccomp's linear program tests each once.  The
    library must install what runc would, libseccomp's binary tree, and not
    the linear program the rewrite read.  Not tried: with an argument check
    on each of 100 syscalls, the library compiles runc's tree alone."""
    profile = sparse_errnos(60) if kind == "declined" else argument_check_per_syscall(100)
    path = write_profile(profile)
    plain, installed = tmp_path / "plain.bpf", tmp_path / "installed.bpf"
    assert tool("compile", path, "--plain", "-o", plain).returncode == 0
    assert tool("compile", path, "-o", installed).returncode == 0
    assert installed.read_bytes() == plain.read_bytes()
    # Control: the built-in profile is rewritten.
    assert tool("compile", "builtin", "--plain", "-o", plain).returncode == 0
    assert tool("compile", "builtin", "-o", installed).returncode == 0
    assert len(installed.read_bytes()) < len(plain.read_bytes())


@pytest.mark.skipif(not shutil.which("strace"), reason="strace is not installed")
@pytest.mark.parametrize("kind, exports", [("docker", 1), ("declined", 2), ("checks dominate", 1)])
def test_how_many_programs_libseccomp_generates(write_profile, tmp_path, kind, exports):
    """Each program libseccomp generates goes through a memory file.  The
    linear one is generated first, and runc's tree only where the rewrite of
    the linear one is declined; where argument checks dominate, runc's tree
    alone, so that the first start costs no more than runc's compile."""
    profile = {"docker": None, "declined": sparse_errnos(60), "checks dominate": argument_check_per_syscall(100)}[kind]
    path = ROOT / "profiles" / "default.json" if profile is None else write_profile(profile)
    trace = tmp_path / "trace"
    subprocess.run(["strace", "-f", "-e", "trace=memfd_create", "-o", trace, BUILD / "autoseccomp", "compile", path,
                    "-o", tmp_path / "out.bpf"], check=True, capture_output=True, env=base_env())
    assert trace.read_text().count("memfd_create(") == exports


def test_the_comparison_can_tell_filters_apart(tmp_path):
    none = compile_filter("builtin", tmp_path / "none.bpf", [])
    admin = compile_filter("builtin", tmp_path / "admin.bpf", ["CAP_SYS_ADMIN"])
    points, mismatches, out = filter_check("compare", none, admin)
    assert mismatches > 0, out


def explain_table(profile, caps):
    args = ["explain", profile, "--json", "--arch", "x86_64"]
    return json.loads(tool(*args, "--caps", ",".join(caps) if caps else "none").stdout)


@needs_root
@pytest.mark.parametrize("profile", ["builtin", "/usr/share/containers/seccomp.json", "podman"])
def test_explain_table_matches_what_the_kernel_answers(profile):
    """Every syscall the table says is refused with an errno, whatever its
    arguments, is called for real by a process without capabilities, which
    must get exactly that errno."""
    if profile == "podman":
        profile = PODMAN_PROFILE or REFERENCE / "podman-default.json"
    if not os.path.exists(profile) and profile != "builtin":
        pytest.skip(f"{profile} is absent (Debian's golang-github-containers-common ships one)")
    rows = [row for row in explain_table(profile, []) if row["action"] == "SCMP_ACT_ERRNO" and not row["conditional"]]
    assert len(rows) > 20
    r = probe(*[["syscall", row["nr"]] for row in rows], profile=profile, user="nobody")
    assert r.returncode == 0, r
    assert r.errnos == [row["data"] for row in rows], r


@pytest.mark.parametrize("profile", ["/usr/share/containers/seccomp.json", "podman"])
def test_podman_profiles_behave_as_podmans(profile):
    """Podman's default refuses obsolete calls with EPERM, capability-gated
    ones with EPERM unless the capability is held, and anything it does not
    name with ENOSYS (its defaultErrno, which overrides defaultErrnoRet)."""
    if profile == "podman":
        profile = PODMAN_PROFILE or REFERENCE / "podman-default.json"
    if not os.path.exists(profile):
        pytest.skip(f"{profile} is absent (Debian's golang-github-containers-common ships one)")
    document = json.loads(open(profile).read())
    assert document["defaultErrno"] == "ENOSYS" and document["defaultErrnoRet"] == 38
    rows = {row["name"]: row for row in explain_table(profile, [])}
    assert rows["kexec_load"]["data"] == 1 and rows["kexec_load"]["decided_by"] == "rule"
    assert rows["acct"]["data"] == 1 and rows["acct"]["decided_by"] == "rule"
    assert rows["read"]["action"] == rows["mount"]["action"] == "SCMP_ACT_ALLOW"  # Podman runs rootless
    assert {row["name"]: row for row in explain_table(profile, ALL_CAPS)}["acct"]["action"] == "SCMP_ACT_ALLOW"
    named = {n for rule in document["syscalls"] for n in rule["names"]}
    unnamed = [row for name, row in rows.items() if name not in named]
    assert unnamed and all(row["data"] == 38 for row in unnamed)
    user = "nobody" if os.geteuid() == 0 else None
    r = probe(["syscall", 246, 0, 0, 0, 0], ["syscall", unnamed[0]["nr"]], profile=profile, user=user)
    assert r.errnos == [1, 38], r


# --- against real runc ---

def oci_form(profile, caps):
    """What Docker's engine hands runc: archMap resolved for amd64, rules
    kept or dropped by includes/excludes, the rest passed through."""
    def version(text):
        return tuple(int(x) for x in text.split(".")) if text else (0, 0)

    out = {k: profile[k] for k in ("defaultAction", "defaultErrnoRet", "flags") if k in profile}
    arches = list(profile.get("architectures") or [])
    for entry in profile.get("archMap") or []:
        if entry["architecture"] == "SCMP_ARCH_X86_64":
            arches = [entry["architecture"]] + list(entry.get("subArchitectures") or [])
            break
    if arches:
        out["architectures"] = arches
    out["syscalls"] = []
    for rule in profile.get("syscalls") or []:
        inc, exc = rule.get("includes") or {}, rule.get("excludes") or {}
        if "amd64" in (exc.get("arches") or []) or any(c in caps for c in exc.get("caps") or []):
            continue
        if exc.get("minKernel") is not None and KERNEL >= version(exc["minKernel"]):
            continue
        if inc.get("arches") and "amd64" not in inc["arches"]:
            continue
        if any(c not in caps for c in inc.get("caps") or []):
            continue
        if inc.get("minKernel") is not None and KERNEL < version(inc["minKernel"]):
            continue
        kept = {"names": rule.get("names") or [rule["name"]], "action": rule["action"]}
        kept.update({k: rule[k] for k in ("errnoRet", "args") if rule.get(k) is not None})
        out["syscalls"].append(kept)
    return out


def denies_execve(path):
    r = subprocess.run([BUILD / "autoseccomp", "explain", path, "execve"], capture_output=True, text=True)
    return r.returncode == 0 and "SCMP_ACT_ALLOW" not in r.stdout


@pytest.fixture
def runc():
    reason = runc_unavailable()
    if reason:
        pytest.skip(f"runc cannot run here: {reason}")


# runc-test1 leaves out calls runc's own init makes once the filter is in force
# (runc-args carries its argument rules instead).
RUNC_CASES = [("moby", caps) for caps in CAP_SETS] + [(name, "docker") for name in TEST_PROFILES
                                                      if name != "runc-test1"]

# The real-world profiles of ../shared/reference/wild that Docker accepts.
WILD = sorted(p.name for p in (REFERENCE / "wild").glob("*.json")) if (REFERENCE / "wild").is_dir() else []
RUNC_CASES += [(f"wild/{name}", "docker") for name in WILD if name not in WILD_REFUSED]


def bounding_set():
    """The capabilities this process can hand a container."""
    for line in open("/proc/self/status"):
        if line.startswith("CapBnd:"):
            mask = int(line.split()[1], 16)
    return [name for bit, name in enumerate(ALL_CAPS) if mask >> bit & 1]


@pytest.mark.parametrize("name, caps", RUNC_CASES, ids=[f"{n}-{c}" for n, c in RUNC_CASES])
def test_filters_decide_as_runcs(runc, write_profile, tmp_path, name, caps):
    """runc (Debian's, the runtime Docker uses) starts a container with the
    profile in its OCI form; its filter, read back from the kernel, and the one
    autoseccomp installs for the same capabilities decide alike everywhere."""
    path = profile_path(name, write_profile)
    document = json.loads(open(path).read())
    theirs = tmp_path / "runc.bpf"
    # The filter depends only on the OCI form; the container gets what it can of the same set.
    held = [c for c in CAP_SETS[caps] if c in bounding_set()]
    oci = oci_form(document, CAP_SETS[caps])
    # runc since 1.2 always gives the native architecture an ENOSYS section;
    # Debian's 1.1 only where it is listed, which the filter has anyway.
    oci.setdefault("architectures", ["SCMP_ARCH_X86_64"])
    # Most real-world profiles allow too little for busybox's sleep; the
    # spinner makes no call after execve.
    program = BUILD / "tests" / "spin" if name.startswith("wild/") else None
    # Compiled first: a profile runc cannot run a process under still loads here.
    ours = compile_filter(path, tmp_path / "ours.bpf", CAP_SETS[caps])
    try:
        theirs.write_bytes(runc_filter(oci, held, tmp_path / "runc", BUILD / "tests" / "get-filter", program))
    except RuncError as e:
        if name.startswith("wild/") and "already dead" in f"{e} {e.stderr}" and denies_execve(path):
            pytest.skip(f"{name} denies execve, so no container process runs under it to read runc's filter from")
        # runc 1.1's init, once the filter is in, still checks /proc/self/fd
        # (statfs, openat) before it executes the process.
        if name.startswith("wild/") and "error closing exec fds" in e.stderr:
            pytest.skip(f"{name} denies what runc's own init needs after loading it, so runc starts no process")
        raise
    points, mismatches, out = filter_check("compare", ours, theirs)
    assert mismatches == 0 and points >= 3 * 1026, out


def test_runc_1_1_refuses_flags_which_autoseccomp_applies(runc, write_profile, tmp_path):
    profile = dict(DENY_MKDIR, flags=["SECCOMP_FILTER_FLAG_LOG"])
    with pytest.raises(RuncError, match="flags"):
        runc_filter(oci_form(profile, DOCKER_CAPS), DOCKER_CAPS, tmp_path / "runc", BUILD / "tests" / "get-filter")
    assert probe(["mkdir", tmp_path / "a"], profile=write_profile(profile)).errnos == [1]


def installed_filter(argv, env, path):
    """The program the kernel holds for a process running ARGV, read back."""
    import subprocess
    import time
    proc = subprocess.Popen([str(a) for a in argv], env=env, stdout=subprocess.DEVNULL)
    try:
        for _ in range(500):
            status = open(f"/proc/{proc.pid}/status").read()
            if open(f"/proc/{proc.pid}/comm").read().strip() == "sleep" and "Seccomp:\t2" in status:
                break
            time.sleep(0.01)
        got = subprocess.run([BUILD / "tests" / "get-filter", str(proc.pid), path], capture_output=True, text=True)
        assert got.returncode == 0, got.stderr
        return open(path, "rb").read()
    finally:
        proc.kill()
        proc.wait()


@not_in_report_runs
@needs_root
@pytest.mark.parametrize("kind", ["rewritten", "declined"])
def test_the_library_installs_what_compile_writes(write_profile, tmp_path, kind):
    """A profile file, compiled at a first start and read from the cache at
    the next: the kernel holds the command's program both times, the rewrite
    or, where it declines, runc's."""
    from conftest import LIB, base_env
    if kind == "rewritten":
        path, expected = ROOT / "profiles" / "default.json", []
    else:
        path, expected = write_profile(argument_check_per_syscall(100)), ["--plain"]
    assert tool("compile", path, *expected, "--caps", ",".join(ALL_CAPS), "-o", tmp_path / "expected.bpf").returncode == 0
    env = dict(base_env(), LD_PRELOAD=str(LIB), SECCOMP_PROFILE=str(path), XDG_CACHE_HOME=str(tmp_path / "cache"),
               AUTOSECCOMP_CACHE="on")
    # The tree's file changed long ago, so its status names its bytes: the
    # first start stores the program under both keys (cache.h).
    keys = 2 if kind == "rewritten" else 1
    for start in ("first", "cached"):
        installed = installed_filter(["sleep", "30"], env, tmp_path / f"{start}.bpf")
        assert installed == (tmp_path / "expected.bpf").read_bytes(), start
        assert len(list((tmp_path / "cache" / "autoseccomp").iterdir())) == keys


@not_in_report_runs
@needs_root
@pytest.mark.parametrize("user, caps", [("nobody", []), (None, ALL_CAPS)], ids=["no-capabilities", "root"])
def test_the_precompiled_builtin_is_the_program_compiled_at_run_time(tmp_path, user, caps):
    """The library installs the built-in profile from programs compiled at
    build time; the command compiles the embedded JSON afresh: same bytes."""
    from conftest import LIB, NOBODY, base_env
    env = dict(base_env(), LD_PRELOAD=str(LIB))
    argv = ["sleep", "30"]
    if user == "nobody":
        argv = NOBODY + ["env", f"LD_PRELOAD={LIB}"] + argv
        env = base_env()
    installed = installed_filter(argv, env, tmp_path / "installed.bpf")
    fresh = compile_filter("builtin", tmp_path / "fresh.bpf", caps).read_bytes()
    assert installed == fresh


@not_in_report_runs
@pytest.mark.skipif(not __import__("shutil").which("strace"), reason="strace is not installed")
@pytest.mark.parametrize("profile, compiles", [("builtin", False), ("moby", True)])
def test_the_builtin_start_up_skips_libseccomp(write_profile, tmp_path, profile, compiles):
    """Only a profile without a precompiled program is compiled at start:
    libseccomp's export, which goes through a memory file, shows it."""
    import subprocess
    from conftest import LIB, base_env
    trace = tmp_path / "trace"
    subprocess.run(["strace", "-f", "-e", "trace=memfd_create", "-o", trace, "env", f"LD_PRELOAD={LIB}",
                    f"SECCOMP_PROFILE={profile_path(profile, write_profile)}", "true"], env=base_env(), check=True)
    assert ("memfd_create(" in trace.read_text()) == compiles


@not_in_report_runs
@pytest.mark.parametrize("profile, loaded", [("builtin", False), ("deny-mkdir", True)])
def test_libseccomp_is_loaded_only_to_compile(write_profile, profile, loaded):
    """The shared object loads libseccomp when it compiles a profile, not
    for the precompiled built-in one."""
    from conftest import run
    r = run(["cat", "/proc/self/maps"], profile=profile_path(profile, write_profile))
    assert r.returncode == 0, r
    assert ("libseccomp" in r.stdout) == loaded


@not_in_report_runs
@needs_root
@needs_builtin_source
def test_a_root_process_with_docker_s_capabilities_gets_a_container_s_filter(runc, tmp_path):
    """Root holds every capability; with AUTOSECCOMP_CAPS=docker the filter the
    kernel holds for it is runc's for Docker's profile in a default container."""
    from conftest import LIB
    env = dict(base_env(), LD_PRELOAD=str(LIB), AUTOSECCOMP_CAPS="docker")
    ours = tmp_path / "ours.bpf"
    ours.write_bytes(installed_filter(["sleep", "30"], env, tmp_path / "installed.bpf"))
    document = json.loads(DOCKER_PROFILE.read_text())
    oci = oci_form(document, DOCKER_CAPS)
    oci.setdefault("architectures", ["SCMP_ARCH_X86_64"])
    held = [c for c in DOCKER_CAPS if c in bounding_set()]
    theirs = tmp_path / "runc.bpf"
    theirs.write_bytes(runc_filter(oci, held, tmp_path / "runc", BUILD / "tests" / "get-filter"))
    points, mismatches, out = filter_check("compare", ours, theirs)
    assert mismatches == 0 and points >= 3 * 1026, out
    # And not what root gets without it.
    plain = installed_filter(["sleep", "30"], dict(base_env(), LD_PRELOAD=str(LIB)), tmp_path / "root.bpf")
    assert plain != ours.read_bytes()
