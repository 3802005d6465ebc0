"""Shared helpers: run real programs under real filters and read what the
kernel answered.  The build directory comes from AUTOSECCOMP_BUILD (set by
`make check`)."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from sample_profiles import builtin_names, builtin_rules  # noqa: F401 (tests import builtin_names from here)

ROOT = Path(__file__).resolve().parent.parent
BUILD = Path(os.environ.get("AUTOSECCOMP_BUILD", ROOT / "build"))
SANITIZE = bool(os.environ.get("AUTOSECCOMP_SANITIZE"))
LIB = BUILD / "libautoseccomp.so"
PROBE = BUILD / "tests" / "probe"
PROBE_LINKED = BUILD / "tests" / "probe-linked"
PROBE_STATIC = BUILD / "tests" / "probe-static"
SHARED = ROOT.parent / "shared"
# Docker's and Podman's profiles and the real-world ones (reference/wild):
# ../shared beside the checkout, or wherever AUTOSECCOMP_REFERENCE names.
REFERENCE = Path(os.environ.get("AUTOSECCOMP_REFERENCE", SHARED / "reference"))
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"]

EPERM, ENOENT, ESRCH, EBADF, ENXIO, EINVAL, ENOSYS = 1, 2, 3, 9, 6, 22, 38
ENOANO, EPROTONOSUPPORT, ENETDOWN = 55, 93, 100


class Result:
    def __init__(self, proc):
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.calls = []
        self.status = {}
        for line in proc.stdout.splitlines():
            words = line.split()
            if len(words) == 3 and words[1].startswith("ret=") and words[2].startswith("errno="):
                self.calls.append((words[0], int(words[1][4:]), int(words[2][6:])))
            elif ":" in line and line.split(":")[0] in ("Seccomp", "Seccomp_filters", "NoNewPrivs"):
                key, value = line.split(":", 1)
                self.status[key] = int(value)

    @property
    def main_ran(self):
        return self.stdout.startswith("main\n")

    @property
    def errnos(self):
        """The errno of each call, 0 for a call that succeeded."""
        return [errno for _, _, errno in self.calls]

    @property
    def signal(self):
        return -self.returncode if self.returncode < 0 else None

    def __repr__(self):
        return f"Result(rc={self.returncode}, stdout={self.stdout!r}, stderr={self.stderr!r})"


# Tests of the installed program's bytes and of the start-up path, which
# report mode changes by design (it compiles, and diverts the denials).
not_in_report_runs = pytest.mark.skipif(bool(os.environ.get("AUTOSECCOMP_TEST_REPORT")),
                                        reason="report mode installs another program, compiled at every start")


def base_env():
    # No cache unless a test asks for one (test_10_cache.py): root's starts
    # would otherwise fill the machine's system cache, which every later
    # run, of any build of the same version, would then read.
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
           "AUTOSECCOMP_CACHE": "off"}
    if SANITIZE:
        # The ASan runtime comes in with the preloaded library, after the
        # host's own libraries; leak checking needs ptrace, which filters deny.
        env["ASAN_OPTIONS"] = "verify_asan_link_order=0:detect_leaks=0:abort_on_error=0"
        env["UBSAN_OPTIONS"] = "halt_on_error=1:print_stacktrace=1"
    # AUTOSECCOMP_TEST_REPORT=FILE runs every confined program in report
    # mode, reporting to FILE: the behaviour tests must pass unchanged.
    if os.environ.get("AUTOSECCOMP_TEST_REPORT"):
        env["AUTOSECCOMP_REPORT"] = os.environ["AUTOSECCOMP_TEST_REPORT"]
    return env


def run(argv, profile=None, preload=True, user=None, env=None, extra_preload=(), cwd=None, timeout=60):
    """Run ARGV with the library preloaded (or not) and SECCOMP_PROFILE set to
    PROFILE (None: unset).  USER "nobody" drops to uid 65534 with no
    capabilities before the library loads."""
    variables = {}
    if preload:
        variables["LD_PRELOAD"] = " ".join([str(LIB)] + [str(p) for p in extra_preload])
    if profile is not None:
        variables["SECCOMP_PROFILE"] = str(profile)
    variables.update(env or {})
    argv = [str(a) for a in argv]
    full_env = base_env()
    if user == "nobody":
        argv = NOBODY + ["env"] + [f"{k}={v}" for k, v in variables.items()] + argv
    else:
        full_env.update(variables)
    proc = subprocess.run(argv, env=full_env, capture_output=True, text=True, cwd=cwd, timeout=timeout)
    return Result(proc)


def probe(*ops, **kwargs):
    """Run the probe with OPS, each a list of words, separated by "--"."""
    argv = [kwargs.pop("program", PROBE)]
    for i, op in enumerate(ops):
        if i:
            argv.append("--")
        argv.extend(str(word) for word in op)
    return run(argv, **kwargs)


def docker_allow_names():
    """The names of the built-in profile's main ALLOW block: enough for any
    ordinary program, the probe included."""
    return list(builtin_rules()[0]["names"])


@pytest.fixture
def shared_dir():
    """A directory uid 65534 can use too: for sockets, logs and profiles of
    tests that run programs as either user."""
    path = Path(tempfile.mkdtemp(prefix="autoseccomp-test-"))
    path.chmod(0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def write_shared_profile(shared_dir):
    """Write a profile (a dict) where uid 65534 can read it; return its path."""
    counter = [0]

    def write(content):
        counter[0] += 1
        path = shared_dir / f"profile{counter[0]}.json"
        path.write_text(json.dumps(content, indent=1))
        path.chmod(0o644)
        return path

    return write


def wait_until(predicate, what, seconds=10):
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


DEBIAN_GOPATH = Path("/usr/share/gocode")


def build_go_program(name, packages, packages_from, tags=()):
    """tests/NAME/main.go, built into the build directory in GOPATH mode
    against Debian's copies of PACKAGES (Go import paths), which the Debian
    packages PACKAGES_FROM hold; the test skips, saying so, where they are
    missing."""
    go = shutil.which("go")
    if go is None or not all((DEBIAN_GOPATH / "src" / p).is_dir() for p in packages):
        pytest.skip(f"tests/{name} cannot be built: apt-get install golang-go {' '.join(packages_from)}")
    home = BUILD / "go"
    home.mkdir(parents=True, exist_ok=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "GOCACHE": str(home / "cache"),
           "GOPATH": str(DEBIAN_GOPATH), "GO111MODULE": "off", "GOFLAGS": ""}
    program = BUILD / "tests" / name
    proc = subprocess.run([go, "build", *(["-tags", ",".join(tags)] if tags else []), "-o", str(program),
                           str(ROOT / "tests" / name / "main.go")], capture_output=True, text=True, env=env,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    return program


@pytest.fixture
def write_profile(tmp_path):
    """Write a profile (a dict, or JSON text) to a file and return its path."""
    counter = [0]

    def write(content, name=None):
        counter[0] += 1
        path = tmp_path / (name or f"profile{counter[0]}.json")
        path.write_text(content if isinstance(content, str) else json.dumps(content, indent=1))
        return path

    return write


def is_root():
    return os.geteuid() == 0


needs_root = pytest.mark.skipif(not is_root(), reason="needs root, to run as uid 65534 and with every capability")
# Docker's and Podman's default profiles: the reference copies, else the
# ones Debian ships (Docker 20.10's, and containers-common's).
DEBIAN_DOCKER_PROFILE = DEBIAN_GOPATH / "src/github.com/docker/docker/profiles/seccomp/default.json"
DEBIAN_PODMAN_PROFILE = Path("/usr/share/containers/seccomp.json")
DOCKER_PROFILE = next((p for p in (REFERENCE / "moby-default.json", DEBIAN_DOCKER_PROFILE) if p.exists()), None)
PODMAN_PROFILE = next((p for p in (REFERENCE / "podman-default.json", DEBIAN_PODMAN_PROFILE) if p.exists()), None)


def _decisions(path):
    """What a profile decides, rule by rule: comments and the order of names
    within a rule aside."""
    document = json.loads(Path(path).read_text())
    return ([document.get(k) for k in ("defaultAction", "defaultErrnoRet", "archMap")],
            [(sorted(rule["names"]), [rule.get(k) for k in ("action", "errnoRet", "args", "includes", "excludes")])
             for rule in document["syscalls"]])


# Whether DOCKER_PROFILE is the version profiles/default.json was taken from:
# tests that the built-in profile is Docker's need that one.
DOCKER_IS_BUILTIN = DOCKER_PROFILE is not None and _decisions(DOCKER_PROFILE) == _decisions(ROOT / "profiles" / "default.json")
needs_docker_profile = pytest.mark.skipif(
    DOCKER_PROFILE is None, reason=f"Docker's default profile is absent: neither {REFERENCE / 'moby-default.json'} "
    "(AUTOSECCOMP_REFERENCE names another directory) nor Debian's copy (apt-get install golang-github-docker-docker-dev)")
needs_podman_profile = pytest.mark.skipif(
    PODMAN_PROFILE is None, reason=f"Podman's default profile is absent: neither {REFERENCE / 'podman-default.json'} "
    "nor Debian's copy (apt-get install golang-github-containers-common)")
needs_builtin_source = pytest.mark.skipif(
    not DOCKER_IS_BUILTIN, reason=f"Docker's profile found ({DOCKER_PROFILE}) is not the version the built-in profile "
    f"was taken from; {REFERENCE / 'moby-default.json'} is")
not_sanitized = pytest.mark.skipif(SANITIZE, reason="static linking is not possible with the sanitizers")

SIGSYS = signal.SIGSYS

TOOL = BUILD / "autoseccomp"
FILTER_CHECK = BUILD / "tests" / "filter-check"
DOCKER_CAPS = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
               "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
               "CAP_AUDIT_WRITE"]
ALL_CAPS = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
            "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
            "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
            "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
            "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
            "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN",
            "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
            "CAP_CHECKPOINT_RESTORE"]
# The capability sets Docker's profile is compared under.
CAP_SETS = {"none": [], "docker": DOCKER_CAPS, "docker+sys_admin": DOCKER_CAPS + ["CAP_SYS_ADMIN"], "all": ALL_CAPS}


def tool(*args, stdin=None):
    proc = subprocess.run([str(TOOL), *[str(a) for a in args]], capture_output=True, text=True, input=stdin,
                          env=base_env(), timeout=120)
    return proc


def compile_filter(profile, path, caps=None):
    args = ["compile", profile, "-o", path]
    if caps is not None:
        args += ["--caps", ",".join(caps) if caps else "none"]
    proc = tool(*args)
    assert proc.returncode == 0, proc.stderr
    return path


def filter_check(*args):
    """Runs filter-check; returns (points, mismatches, output)."""
    proc = subprocess.run([str(FILTER_CHECK), *[str(a) for a in args]], capture_output=True, text=True,
                          env=base_env(), timeout=300)
    words = proc.stdout.split()
    assert words[:1] == ["points"], proc.stdout + proc.stderr
    return int(words[1]), int(words[3]), proc.stdout + proc.stderr


def errno_default_with(*rules, without=(), **top):
    """runc's test profiles: everything an ordinary program needs allowed,
    the default an errno, the rules under test after."""
    names = [n for n in docker_allow_names() if n not in without]
    return dict({"defaultAction": "SCMP_ACT_ERRNO",
                 "syscalls": [{"names": names, "action": "SCMP_ACT_ALLOW"}] + list(rules)}, **top)


# runc's seccomp_syscall_test1 rules (SEMANTICS.md (e)).
RUNC_TEST1_RULES = [
    {"names": ["socket"], "action": "SCMP_ACT_ALLOW",
     "args": [{"index": 2, "value": 3840, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]},
    {"names": ["process_vm_readv"], "action": "SCMP_ACT_ALLOW",
     "args": [{"index": 0, "value": 100, "op": "SCMP_CMP_EQ"}, {"index": 0, "value": 9001, "op": "SCMP_CMP_EQ"}]},
    {"names": ["process_vm_writev"], "action": "SCMP_ACT_ERRNO", "errnoRet": 55,
     "args": [{"index": 0, "value": 1337, "op": "SCMP_CMP_EQ"}, {"index": 0, "value": 2020, "op": "SCMP_CMP_EQ"}]},
    {"names": ["ftruncate"], "action": "SCMP_ACT_ALLOW",
     "args": [{"index": 0, "value": 123456789, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 1337, "op": "SCMP_CMP_EQ"}]},
    {"names": ["dup3"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]},
    {"names": ["dup3"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_GT"}]},
]



def runc_test1_profile():
    """runc's test1 profile: the calls under test left out of the allowed list."""
    return errno_default_with(*RUNC_TEST1_RULES, without=("socket", "ftruncate", "dup3", "process_vm_readv",
                                                          "process_vm_writev"))
