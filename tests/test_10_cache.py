"""The cache of compiled profiles: later starts skip libseccomp, and no
problem with the cache can weaken a filter: it means compiling afresh."""
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import BUILD, ENOENT, EPERM, LIB, base_env, needs_root, probe

DENY_MKDIR = {"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}
ALLOW_ALL = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["rmdir"], "action": "SCMP_ACT_ERRNO"}]}

needs_strace = pytest.mark.skipif(not shutil.which("strace"), reason="strace is not installed")


def start(profile, cache_home, tmp_path, **env):
    """One start of a confined process: (compiled now?, errno of a denied mkdir)."""
    trace = tmp_path / "trace"
    # strace itself runs without the preload, which env(1) adds under it.
    assignments = dict(LD_PRELOAD=str(LIB), SECCOMP_PROFILE=str(profile), XDG_CACHE_HOME=str(cache_home), **env)
    subprocess.run(["strace", "-f", "-e", "trace=memfd_create", "-o", trace, "env",
                    *[f"{k}={v}" for k, v in assignments.items()], "true"], env=base_env(), check=True)
    compiled = "memfd_create(" in trace.read_text()
    r = probe(["mkdir", tmp_path / "denied"], env={"XDG_CACHE_HOME": cache_home, **env}, profile=profile)
    return compiled, r.errnos


def entries(cache_home):
    directory = cache_home / "autoseccomp"
    return sorted(directory.iterdir()) if directory.exists() else []


@needs_strace
def test_later_starts_read_the_cache(write_profile, tmp_path):
    profile, home = write_profile(DENY_MKDIR), tmp_path / "cache"
    assert start(profile, home, tmp_path) == (True, [EPERM])
    [entry] = entries(home)
    assert oct(entry.stat().st_mode & 0o777) == "0o600" and oct((home / "autoseccomp").stat().st_mode & 0o777) == "0o700"
    assert start(profile, home, tmp_path) == (False, [EPERM])
    assert entries(home) == [entry]


@needs_strace
def test_the_cache_can_be_turned_off(write_profile, tmp_path):
    profile, home = write_profile(DENY_MKDIR), tmp_path / "cache"
    for _ in range(2):
        assert start(profile, home, tmp_path, AUTOSECCOMP_CACHE="off") == (True, [EPERM])
    assert not home.exists()


@needs_strace
def test_an_entry_with_another_key_is_not_used(write_profile, tmp_path):
    """An entry copied under another profile's name carries the wrong key."""
    strict, loose, home = write_profile(DENY_MKDIR), write_profile(ALLOW_ALL), tmp_path / "cache"
    start(strict, home, tmp_path)
    [strict_entry] = entries(home)
    start(loose, home, tmp_path)
    [loose_entry] = [e for e in entries(home) if e != strict_entry]
    shutil.copy(loose_entry, strict_entry)
    assert start(strict, home, tmp_path) == (True, [EPERM])


@needs_strace
def test_the_key_covers_every_byte_of_a_large_profile(write_profile, tmp_path):
    """A cached start hashes the file through a 4 KiB buffer: two profiles of
    one size that differ only in their last rule, 12 KiB in, get two entries."""
    def padded(errno):
        rule = {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": errno}
        return {"comment": "x" * 12000, "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [rule]}
    home = tmp_path / "cache"
    profile = write_profile(padded(1))
    assert start(profile, home, tmp_path) == (True, [EPERM])
    size = profile.stat().st_size
    write_profile(padded(2), name=profile.name)
    assert profile.stat().st_size == size
    assert start(profile, home, tmp_path) == (True, [ENOENT])
    assert start(profile, home, tmp_path) == (False, [ENOENT])
    assert len(entries(home)) == 2


@needs_strace
@pytest.mark.parametrize("offset", [0, 20, 60, -1], ids=["magic", "key", "program", "checksum"])
def test_a_damaged_entry_is_compiled_afresh(write_profile, tmp_path, offset):
    profile, home = write_profile(DENY_MKDIR), tmp_path / "cache"
    start(profile, home, tmp_path)
    [entry] = entries(home)
    data = bytearray(entry.read_bytes())
    data[offset] ^= 0x01
    entry.write_bytes(bytes(data))
    assert start(profile, home, tmp_path) == (True, [EPERM])
    assert start(profile, home, tmp_path) == (False, [EPERM])  # rewritten whole


@needs_strace
def test_a_truncated_entry_is_compiled_afresh(write_profile, tmp_path):
    profile, home = write_profile(DENY_MKDIR), tmp_path / "cache"
    start(profile, home, tmp_path)
    [entry] = entries(home)
    entry.write_bytes(entry.read_bytes()[:100])
    assert start(profile, home, tmp_path) == (True, [EPERM])


@needs_strace
@pytest.mark.parametrize("mode", [0o770, 0o702], ids=["group-writable", "other-writable"])
def test_a_directory_others_can_write_is_not_used(write_profile, tmp_path, mode):
    profile, home = write_profile(DENY_MKDIR), tmp_path / "cache"
    (home / "autoseccomp").mkdir(parents=True)
    os.chmod(home / "autoseccomp", mode)
    for _ in range(2):
        assert start(profile, home, tmp_path) == (True, [EPERM])
    assert entries(home) == []


@needs_strace
def test_an_entry_others_can_write_is_not_used(write_profile, tmp_path):
    profile, home = write_profile(DENY_MKDIR), tmp_path / "cache"
    start(profile, home, tmp_path)
    [entry] = entries(home)
    os.chmod(entry, 0o666)
    assert start(profile, home, tmp_path) == (True, [EPERM])


@needs_strace
def test_a_symbolic_link_is_not_followed(write_profile, tmp_path):
    profile, home, elsewhere = write_profile(DENY_MKDIR), tmp_path / "cache", tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    home.mkdir()
    (home / "autoseccomp").symlink_to(elsewhere)
    for _ in range(2):
        assert start(profile, home, tmp_path) == (True, [EPERM])
    assert list(elsewhere.iterdir()) == []


@needs_root
@needs_strace
def test_a_directory_owned_by_another_user_is_not_used(write_profile, tmp_path):
    profile, home = write_profile(DENY_MKDIR), tmp_path / "cache"
    (home / "autoseccomp").mkdir(parents=True, mode=0o700)
    os.chown(home / "autoseccomp", 65534, 65534)
    for _ in range(2):
        assert start(profile, home, tmp_path) == (True, [EPERM])


@needs_root
@needs_strace
def test_capabilities_are_part_of_the_key(write_profile, tmp_path):
    """The same profile resolves differently with other capabilities."""
    import json
    import tempfile
    public = Path(tempfile.mkdtemp(prefix="autoseccomp-test-"))  # pytest's own directories are root's alone
    try:
        os.chmod(public, 0o755)
        profile, home = public / "profile.json", tmp_path / "cache"
        profile.write_text(json.dumps(DENY_MKDIR))
        start(profile, home, tmp_path)
        other = public / "nobody-cache"
        other.mkdir()
        os.chown(other, 65534, 65534)
        r = probe(["status"], profile=profile, user="nobody", env={"XDG_CACHE_HOME": other})
        assert r.status["Seccomp"] == 2, r
        assert [e.name for e in entries(other)] != [e.name for e in entries(home)]
        assert len(entries(other)) == len(entries(home)) == 1
    finally:
        shutil.rmtree(public)


def sha256_code():
    """Which code the library hashes with on this machine's CPU."""
    return subprocess.run([BUILD / "tests" / "sha256sum"], input=b"", capture_output=True,
                          check=True).stderr.decode().strip()


@pytest.mark.parametrize("size", [0, 3, 55, 56, 63, 64, 65, 128, 1000, 1 << 20])
@pytest.mark.parametrize("chunk", [1, 7, 64, 0])
@pytest.mark.parametrize("code", ["sha-ni", "portable"])
def test_sha256_is_sha256(size, chunk, code):
    if code == "sha-ni" and sha256_code() != "sha-ni":
        pytest.skip("this CPU has no SHA extensions; the library hashes with the portable code")
    program = BUILD / "tests" / ("sha256sum" if code == "sha-ni" else "sha256sum-portable")
    data = os.urandom(size)
    out = subprocess.run([program, str(chunk or max(size, 1))], input=data, capture_output=True, check=True)
    assert out.stderr.decode().strip() == code
    assert out.stdout.decode().strip() == hashlib.sha256(data).hexdigest()
