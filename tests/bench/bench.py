"""`make bench`: start-up and per-syscall costs under autoseccomp and its
peers, measured in one run on this machine and printed as one table.
Benchmarks print; they pass or fail nothing.  Ratios compare rows measured
in the same run; the machines are shared and noisy, so read medians."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from sample_profiles import argument_check_per_syscall  # noqa: E402
BUILD = Path(os.environ.get("AUTOSECCOMP_BUILD", ROOT / "build"))
LIB = BUILD / "libautoseccomp.so"
TOOL = BUILD / "autoseccomp"
T = BUILD / "tests"
RUNS = int(os.environ.get("BENCH_RUNS", "400"))
MOBY = ROOT.parent / "shared" / "reference" / "moby-default.json"
BASE_ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}


def command_args(argv, env):
    return [*(f"{k}={v}" for k, v in env.items()), *map(str, argv)]


def startups(rows, runs):
    """Times every row's ARGV, started with its ENV added, in alternation:
    run I of each row falls in the same round.  The harness itself runs
    without the rows' environments.  Returns per row (pages, times), or None
    for a row whose command fails here."""
    def works(argv, env):
        # A fresh directory per run stays fresh: the check takes its own.
        env = {k: str(v).replace("{run}", "check") for k, v in env.items()}
        return subprocess.run([T / "bench-startup", "1", *command_args(argv, env)], env=BASE_ENV,
                              capture_output=True).returncode == 0

    usable = [works(argv, env) for _, argv, env, _ in rows]
    args = [T / "bench-startup", str(runs)]
    for (_, argv, env, _), ok in zip(rows, usable):
        if ok:
            args += [*command_args(argv, env), ";;"]
    out = subprocess.run(args[:-1], env=BASE_ENV, capture_output=True, text=True, check=True)
    lines = iter(out.stdout.splitlines())
    results = []
    for ok in usable:
        words = next(lines).split() if ok else None
        results.append((float(words[0]), [float(x) for x in words[1:]]) if ok else None)
    return results


def median(values):
    return sorted(values)[len(values) // 2]


def syscalls(argv, **env):
    out = subprocess.run([*map(str, argv)], env=dict(BASE_ENV, **env), capture_output=True, text=True)
    words = out.stdout.split()
    return dict(zip(words[0::2], map(float, words[1::2]))) if out.returncode == 0 else {}


def allocations(**env):
    out = subprocess.run(["/bin/true"], env=dict(BASE_ENV, LD_PRELOAD=f"{T / 'libmalloc-count.so'} {LIB}", **env),
                         capture_output=True, text=True)
    return int(re.search(r"allocations (\d+)", out.stderr).group(1))


def filter_stats(path):
    out = subprocess.run([T / "filter-check", "stats", path], capture_output=True, text=True)
    words = out.stdout.split()
    return dict(zip(words[0::2], map(int, words[1::2])))


def row(name, result, base=None):
    """A start-up row: median time in microseconds with the extremes, its
    difference from BASE's (the median of the run-by-run differences), and
    pages faulted in."""
    if result is None:
        print(f"  {name:<68} {'(not available here)':>30}")
        return
    pages, times = result
    extra = " " * 16
    if base is not None:
        over = median([t - b for t, b in zip(times, base[1])])
        extra = f"{over:+9.0f} {pages - base[0]:+6.0f}"
    print(f"  {name:<68} {median(times):9.0f} {min(times):8.0f}-{max(times):<8.0f} {extra} {pages:6.0f}")


def build_seconds(argv, build_dir, **env):
    """Seconds for `make -j2` of this project into BUILD_DIR, run by ARGV."""
    shutil.rmtree(build_dir, ignore_errors=True)
    started = time.monotonic()
    r = subprocess.run([*map(str, argv), "make", "-s", "-j2", "-C", ROOT, f"BUILD={build_dir}", "all"],
                       env=dict(BASE_ENV, **env), capture_output=True)
    return time.monotonic() - started if r.returncode == 0 else None


def builds(work):
    """A real build under each mode, rounds alternating: audit against
    enforcement, and record against strace, the tool used for it today."""
    out = work / "build"
    cases = [("enforced (built-in, preloaded)", [], {"LD_PRELOAD": str(LIB)}),
             ("audit mode", [], {"LD_PRELOAD": str(LIB), "AUTOSECCOMP_MODE": "audit"}),
             ("record, every call", [TOOL, "record", "-o", work / "rec.json", "--"], {}),
             ("record --base builtin", [TOOL, "record", "--base", "builtin", "-o", work / "rec2.json", "--"], {}),
             ("strace -f -qq -o /dev/null", ["strace", "-f", "-qq", "-o", "/dev/null"], {}),
             ("no filter", [], {})]
    if not shutil.which("strace"):
        cases = [c for c in cases if not c[0].startswith("strace")]
    times = {name: [] for name, _, _ in cases}
    for _ in range(int(os.environ.get("BENCH_BUILD_ROUNDS", "3"))):
        for name, argv, env in cases:
            times[name].append(build_seconds(argv, out, **env))
    shutil.rmtree(out, ignore_errors=True)
    print()
    print(f"  {'make -j2 of this project (s)':<50} {'median':>9} {'min-max':>15} {'/ enforced':>11}")
    enforced = [t for t in times["enforced (built-in, preloaded)"] if t]
    for name, _, _ in cases:
        runs = [t for t in times[name] if t]
        if not runs or not enforced:
            print(f"  {name:<50} {'(failed)':>9}")
            continue
        ratio = median([t / e for t, e in zip(times[name], times["enforced (built-in, preloaded)"]) if t and e])
        print(f"  {name:<50} {median(runs):9.2f} {min(runs):7.2f}-{max(runs):<7.2f} {ratio:11.2f}")


def main():
    work = Path(tempfile.mkdtemp(prefix="autoseccomp-bench-"))
    cache = work / "cache"
    profile = work / "docker.json"
    shutil.copy(MOBY if MOBY.exists() else ROOT / "profiles" / "default.json", profile)
    checks = work / "checks.json"
    checks.write_text(json.dumps(argument_check_per_syscall(100)))
    builtin_bpf, one_bpf = work / "builtin.bpf", work / "one.bpf"
    subprocess.run([TOOL, "compile", "builtin", "-o", builtin_bpf], check=True)

    print(f"autoseccomp benchmarks: {os.uname().release}, {os.cpu_count()} cores; start-up rows alternate in a "
          f"shuffled order, {RUNS} runs each ({max(RUNS // 4, 10)} for those of tens of milliseconds)")
    print()
    print(f"  {'start-up of a /bin/true-like program':<68} {'median':>9} {'min-max':>17} "
          f"{'over base':>9} {'pages':>6} {'pages':>6}")
    print(f"  {'(us; pages: minor faults, each a page the start-up touched)':<68} {'':>9} {'':>17} "
          f"{'':>9} {'over':>6} {'':>6}")
    env = dict(LD_PRELOAD=str(LIB), SECCOMP_PROFILE=str(profile), XDG_CACHE_HOME=str(cache))
    # A deployed profile changed long before it is started: its status names
    # its bytes, and later starts find their program by that (src/README.md,
    # "The cache"), as they do here once the copy has settled.
    while time.time() - profile.stat().st_ctime <= 3.05:
        time.sleep(0.1)
    # Fills the cache for the cached row.
    subprocess.run([T / "bench-startup", "1", *command_args(["/bin/true"], env)], env=BASE_ENV, check=True,
                   capture_output=True)
    true_env = dict(LD_PRELOAD=str(LIB))
    # (key, label, command, environment, base's key).  Rows of a few
    # milliseconds are timed apart from those of tens, whose leftovers
    # would fall on their neighbours.
    light = [
        ("base", "/bin/true, dynamic, no preload (base)", ["/bin/true"], {}, None),
        ("none", "floor: a preload that does nothing", ["/bin/true"], dict(LD_PRELOAD=str(T / "libfloor-none.so")),
         "base"),
        ("one", "floor: a preload that only installs one instruction", ["/bin/true"],
         dict(LD_PRELOAD=str(T / "libfloor-one.so")), "base"),
        ("floor", "floor: a preload that only installs the built-in program", ["/bin/true"],
         dict(LD_PRELOAD=str(T / "libfloor-builtin.so")), "base"),
        ("unconfined", "preloaded, SECCOMP_PROFILE=unconfined", ["/bin/true"],
         dict(true_env, SECCOMP_PROFILE="unconfined"), "base"),
        ("builtin", "preloaded, built-in profile", ["/bin/true"], true_env, "base"),
        ("cached", "preloaded, Docker's profile as JSON, later starts (cached)", ["/bin/true"], env, "base"),
        # Root with no HOME, as a system service runs: the system cache, which
        # the check run before the rows fills (CACHEDIR, as installed).
        ("service", "the same for a root service: no HOME, the system cache", ["/bin/true"],
         dict(LD_PRELOAD=str(LIB), SECCOMP_PROFILE=str(profile)), "base"),
        ("static", "static /bin/true-like, no constructor (static base)", [T / "true-static"], {}, None),
        ("static floor", "static floor: a constructor that only installs the built-in program",
         [T / "true-static-floor"], {}, "static"),
        ("static builtin", "static, constructor linked in, built-in profile", [T / "true-static-confined"], {},
         "static"),
    ]
    heavy = [
        ("heavy base", "/bin/true, dynamic, no preload (base of the rows below)", ["/bin/true"], {}, None),
        ("compiled", "preloaded, Docker's profile as JSON, compiled at every start", ["/bin/true"],
         dict(env, AUTOSECCOMP_CACHE="off"), "heavy base"),
        ("first", "preloaded, Docker's profile as JSON, first start (writes its entry)", ["/bin/true"],
         dict(env, XDG_CACHE_HOME=str(work / "first{run}")), "heavy base"),
        ("peer", "peer: libseccomp compiling it at every start, as runc and crun do", ["/bin/true"],
         dict(LD_PRELOAD=str(T / "libpeer-libseccomp.so"), PEER_PROFILE=str(profile)), "heavy base"),
        ("checks first", "preloaded, 100 argument checks as JSON, first start", ["/bin/true"],
         dict(env, SECCOMP_PROFILE=str(checks), XDG_CACHE_HOME=str(work / "first{run}")), "heavy base"),
        ("checks peer", "peer: libseccomp compiling the 100 argument checks at every start", ["/bin/true"],
         dict(LD_PRELOAD=str(T / "libpeer-libseccomp.so"), PEER_PROFILE=str(checks)), "heavy base"),
        ("sh", "sh -c 'exec /bin/true' (base for the peers started by sh)", ["/bin/sh", "-c", "exec /bin/true"], {},
         None),
    ]
    if shutil.which("bwrap"):
        # dash takes single-digit descriptors only.
        heavy.append(("bwrap", "bwrap --seccomp, fed the built-in program",
                      ["/bin/sh", "-c", f"exec bwrap --dev-bind / / --seccomp 9 /bin/true 9<{builtin_bpf}"], {},
                      "sh"))
    if shutil.which("firejail"):
        heavy.append(("firejail", "firejail --seccomp (its own default list)",
                      [shutil.which("firejail"), "--quiet", "--noprofile", "--seccomp", "/bin/true"], {},
                      "heavy base"))
    # Each first start has a cache of its own, its directory made already, as
    # on a machine where autoseccomp has run before.
    for i in [*range(max(RUNS // 4, 10)), "check"]:
        (work / f"first{i}" / "autoseccomp").mkdir(mode=0o700, parents=True)
    results = {}
    for group, runs in ((light, RUNS), (heavy, max(RUNS // 4, 10))):
        measured = startups([(label, argv, environment, base) for _, label, argv, environment, base in group], runs)
        results.update({key: r for (key, *_), r in zip(group, measured)})
    for key, label, _, _, base in light + heavy:
        row(label, results[key], results[base] if base is not None else None)
    print()
    for label, a, b in (("autoseccomp's own work, preloaded: built-in over its floor", "builtin", "floor"),
                        ("autoseccomp's own work, static: built-in over its floor", "static builtin", "static floor"),
                        ("the built-in program's size: its floor over one instruction's", "floor", "one"),
                        ("a filter at all: one instruction's floor over an empty preload's", "one", "none"),
                        ("the cache: later starts of the JSON profile over the built-in profile", "cached", "builtin"),
                        ("the same for a root service, from the system cache", "service", "builtin"),
                        ("the cache: a first start over a start that compiles without it", "first", "compiled"),
                        ("a first start over libseccomp compiling the profile, as runc and crun do", "first", "peer"),
                        ("the same for 100 argument checks, where runc's program is compiled alone",
                         "checks first", "checks peer")):
        if results[a] and results[b]:
            over = median([x - y for x, y in zip(results[a][1], results[b][1])])
            print(f"  {label:<94} {over:+9.0f} {results[a][0] - results[b][0]:+6.0f}")
    for name in ("bwrap", "firejail"):
        if not shutil.which(name):
            row(f"{name} --seccomp", None)

    print()
    print(f"  {'per syscall (ns)':<38} {'getppid':>10} {'personality':>12} {'denied':>10}")
    cases = [("no filter", [T / "bench-syscall"], {}),
             ("one-instruction allow filter", [T / "bench-syscall", "allow1"], {}),
             ("two instructions, reading an argument", [T / "bench-syscall", "args2"], {}),
             ("built-in filter", [T / "bench-syscall"], {"LD_PRELOAD": str(LIB)}),
             ("built-in, report mode", [T / "bench-syscall"], {"LD_PRELOAD": str(LIB), "AUTOSECCOMP_REPORT": "/dev/null"}),
             ("built-in, after 1 nested exec", [T / "bench-syscall", "chain", "1"], {"LD_PRELOAD": str(LIB)}),
             ("built-in, after 30 nested execs", [T / "bench-syscall", "chain", "30"], {"LD_PRELOAD": str(LIB)})]
    samples = {name: [] for name, _, _ in cases}
    # Short runs, many rounds: the cases take turns, so drift falls on all alike.
    for _ in range(9):
        for name, argv, env in cases:
            samples[name].append(syscalls(argv, **env))
    results = {}
    for name, _, _ in cases:
        runs = [r for r in samples[name] if r]
        results[name] = r = {k: sorted(x[k] for x in runs)[len(runs) // 2] for k in runs[0]} if runs else {}
        print(f"  {name:<38} {r.get('getppid', 0):10.1f} {r.get('personality', 0):12.1f} {r.get('denied', 0):10.1f}")
    # Ratios round by round, then their median: both sides of each ratio ran
    # within seconds of each other.
    for label, over, under in (("ratio built-in / one-instruction", "built-in filter", "one-instruction allow filter"),
                               ("ratio built-in / two instructions", "built-in filter",
                                "two instructions, reading an argument"),
                               ("ratio report mode / built-in (target 1.02)", "built-in, report mode",
                                "built-in filter")):
        pairs = [(b, u) for b, u in zip(samples[over], samples[under]) if b and u]
        if pairs:
            ratio = {k: median([b[k] / u[k] for b, u in pairs]) for k in ("getppid", "personality", "denied")}
            print(f"  {label:<38} {ratio['getppid']:10.2f} {ratio['personality']:12.2f} {ratio['denied']:10.2f}")
    # Exactness, not speed: a signal may end a call that waits for the
    # supervisor before it has taken it (src/README.md, "Report mode").
    counts = {name: [syscalls([T / "bench-syscall", "interrupted"], **env).get("interrupted") for _ in range(5)]
              for name, env in (("enforced", {"LD_PRELOAD": str(LIB)}),
                                ("report mode", {"LD_PRELOAD": str(LIB), "AUTOSECCOMP_REPORT": "/dev/null"}))}
    print(f"  {'denied calls ended by EINTR, per 10,000, under a 50 us signal without SA_RESTART':<84} " +
          ", ".join(f"{name} {median([c for c in runs if c is not None] or [-1]):.0f}" for name, runs in counts.items()))

    print()
    print(f"  {'filters':<50} {'instructions':>12} {'longest path':>13} {'attach (us)':>12} {'min-max':>15}")
    one_bpf.write_bytes(bytes([0x06, 0, 0, 0, 0, 0, 0xff, 0x7f]))  # ret ALLOW
    programs = [("one instruction, allow", one_bpf)]
    for label, caps in (("no capabilities", "none"), ("all capabilities", "all")):
        for kind, extra in (("libseccomp's, runc's stub", ["--plain"]), ("installed", [])):
            path = work / f"{caps}{extra and '-plain'}.bpf"
            subprocess.run([TOOL, "compile", "builtin", "--caps", caps, *extra, "-o", path], check=True)
            programs.append((f"built-in, {label}, {kind}", path))
    for name, path in programs:
        s = filter_stats(path)
        out = subprocess.run([T / "bench-attach", str(max(RUNS // 4, 10)), path], capture_output=True, text=True)
        typical, low, high = (float(x) for x in out.stdout.split()) if out.returncode == 0 else (0, 0, 0)
        print(f"  {name:<50} {s.get('instructions', 0):12d} {s.get('longest', 0):13d} {typical:12.0f} "
              f"{low:7.0f}-{high:<7.0f}")

    builds(work)

    print()
    print(f"  heap allocations by the library before main: built-in start "
          f"{allocations() - allocations(SECCOMP_PROFILE='unconfined')}, inherited "
          f"{allocations(AUTOSECCOMP_FILTER='0' * 34) - allocations(SECCOMP_PROFILE='unconfined')}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
