"""Profiles the tests and the benchmarks build, from the built-in one's names.
Plain Python, so that bench/bench.py can import it without pytest."""
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def builtin_rules():
    return json.loads((ROOT / "profiles" / "default.json").read_text())["syscalls"]


def builtin_names():
    """Every syscall name the built-in profile mentions, sorted."""
    return sorted({name for rule in builtin_rules() for name in rule.get("names", [])})


def sparse_errnos(count):
    """COUNT names spread over the table, each denied with its own errno."""
    names = builtin_names()[::3][:count]
    return {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": [name], "action": "SCMP_ACT_ERRNO", "errnoRet": i + 1} for i, name in enumerate(names)]}


def argument_check_per_syscall(count):
    """A profile the rewrite would lose: an argument check on each of COUNT
    syscalls makes a range tree longer than libseccomp's program."""
    names = builtin_names()[:count]
    return {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": [name], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": i, "op": "SCMP_CMP_EQ"}]}
        for i, name in enumerate(names)]}
