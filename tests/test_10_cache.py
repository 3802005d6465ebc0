"""The cache of compiled profiles: later starts skip libseccomp, and no
problem with the cache can weaken a filter: it means compiling afresh."""
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import (BUILD, ENOENT, EPERM, LIB, NOBODY, PROBE, PROBE_STATIC, TOOL, Result, base_env, needs_root, probe,
                      run, wait_until)
from sample_profiles import argument_check_per_syscall

DENY_MKDIR = {"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}
ALLOW_ALL = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["rmdir"], "action": "SCMP_ACT_ERRNO"}]}

# The library with its system cache in the build directory, for the tests to
# fill, damage and remove; the machine's own is left alone.
TEST_LIB = BUILD / "tests" / "libautoseccomp-test-cachedir.so"
SYSTEM_CACHE = BUILD / "tests" / "system-cache"
# Root with no capabilities, as nobody has: a program's key includes them.
CAPLESS_ROOT = ["setpriv", "--bounding-set=-all", "--inh-caps=-all"]

needs_strace = pytest.mark.skipif(not shutil.which("strace"), reason="strace is not installed")


def start(profile, cache_home, tmp_path, as_user=(), lib=LIB, target=None, **env):
    """One start of a confined process, as AS_USER (a command prefix): (compiled
    now?, errno of mkdir TARGET, which the profiles here deny)."""
    trace = tmp_path / "trace"
    assignments = dict(AUTOSECCOMP_CACHE="on", LD_PRELOAD=lib, SECCOMP_PROFILE=profile)
    if cache_home is not None:
        assignments["XDG_CACHE_HOME"] = cache_home
    assignments.update(env)
    # strace itself runs without the preload, which env(1) adds under it.
    command = [*as_user, "env", *[f"{k}={v}" for k, v in assignments.items()]]
    subprocess.run(["strace", "-f", "-e", "trace=memfd_create", "-o", trace, *command, "true"], env=base_env(),
                   check=True)
    compiled = "memfd_create(" in trace.read_text()
    r = Result(subprocess.run([*command, PROBE, "mkdir", target or tmp_path / "denied"], env=base_env(),
                              capture_output=True, text=True))
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


def start_reading(profile, cache_home, tmp_path, outer=()):
    """start, telling also whether the start opened the profile: (compiled
    now?, opened the profile?, errno of mkdir).  OUTER: a command prefix the
    start runs under."""
    trace = tmp_path / "trace"
    command = ["env", "AUTOSECCOMP_CACHE=on", f"LD_PRELOAD={LIB}", f"SECCOMP_PROFILE={profile}",
               f"XDG_CACHE_HOME={cache_home}"]
    subprocess.run([*outer, "strace", "-f", "-e", "trace=memfd_create,openat", "-o", trace, *command, "true"],
                   env=base_env(), check=True)
    calls = trace.read_text()
    target = tmp_path / "denied"
    r = Result(subprocess.run([*command, PROBE, "mkdir", target], env=base_env(), capture_output=True, text=True))
    if target.exists():
        target.rmdir()
    return "memfd_create(" in calls, f'"{profile}"' in calls, r.errnos


def settle(profile):
    """Wait until PROFILE last changed long enough ago for its status to name
    its bytes (cache.h: more than two seconds before it is opened)."""
    import time
    wait_until(lambda: time.time() - profile.stat().st_ctime > 3.05, "the profile to settle", seconds=5)


@needs_strace
def test_a_settled_profile_is_found_by_its_status_and_not_read(write_profile, tmp_path):
    """A profile changed moments ago is found by its bytes; once it has not
    changed for seconds, by its status, and the start reads none of it.  A
    rewrite in place, of the same size, changes its status: the new bytes
    are compiled, never the old program served."""
    profile, home = write_profile(DENY_MKDIR), tmp_path / "cache"
    assert start_reading(profile, home, tmp_path) == (True, True, [EPERM])
    assert len(entries(home)) == 1
    settle(profile)
    # Found by its bytes, and stored by its status too.
    assert start_reading(profile, home, tmp_path) == (False, True, [EPERM])
    assert len(entries(home)) == 2
    assert start_reading(profile, home, tmp_path) == (False, False, [EPERM])
    # Where statx is refused, stat may answer from a network client's old
    # attributes: the start reads the file, as it must to find it by its bytes.
    outer = write_profile({"defaultAction": "SCMP_ACT_ALLOW",
                           "syscalls": [{"names": ["statx"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]})
    assert start_reading(profile, home, tmp_path, outer=[TOOL, "exec", outer, "--"]) == (False, True, [EPERM])
    size = profile.stat().st_size
    write_profile(dict(DENY_MKDIR, syscalls=[{"names": ["rmdir", "symlink"], "action": "SCMP_ACT_ERRNO"}]),
                  name=profile.name)
    assert profile.stat().st_size == size
    assert start_reading(profile, home, tmp_path) == (True, True, [0])
    # Changed moments ago: found by its bytes until it settles.
    assert start_reading(profile, home, tmp_path) == (False, True, [0])
    assert len(entries(home)) == 3


@needs_strace
def test_an_entry_larger_than_a_page_is_read_too(write_profile, tmp_path):
    """A cached start reads an entry into a page of its stack, and a larger one
    into its scratch memory."""
    profile = argument_check_per_syscall(200)
    profile["syscalls"] = [r for r in profile["syscalls"] if r["names"][0] not in ("mkdir", "mkdirat")]
    profile["syscalls"].append(DENY_MKDIR["syscalls"][0])
    profile, home = write_profile(profile), tmp_path / "cache"
    assert start(profile, home, tmp_path) == (True, [EPERM])
    [entry] = entries(home)
    assert entry.stat().st_size > 4096
    assert start(profile, home, tmp_path) == (False, [EPERM])
    # Settled, it is found by its status, in the second load, and the file is not read.
    settle(profile)
    assert start_reading(profile, home, tmp_path) == (False, True, [EPERM])
    assert start_reading(profile, home, tmp_path) == (False, False, [EPERM])


def loaded_libseccomp():
    """The file the loader gives for libseccomp's soname."""
    import ctypes
    ctypes.CDLL("libseccomp.so.2")
    return next(Path(line.split()[-1]) for line in open("/proc/self/maps") if "/libseccomp.so" in line)


@needs_strace
def test_a_libseccomp_replaced_under_the_library_compiles_afresh(write_profile, tmp_path):
    """An upgraded libseccomp may know syscall names the old one did not,
    and compile a profile that names them otherwise: the key holds the file
    the library loads, here a copy that the test replaces as dpkg would."""
    copy = BUILD / "tests" / "libseccomp-copy" / "libseccomp.so.2"
    copy.parent.mkdir(exist_ok=True)

    def upgrade():
        shutil.copy(loaded_libseccomp(), copy.parent / "new")
        os.replace(copy.parent / "new", copy)
    upgrade()
    profile, home, lib = write_profile(DENY_MKDIR), tmp_path / "cache", BUILD / "tests" / "libautoseccomp-test-libcopy.so"
    assert start(profile, home, tmp_path, lib=lib) == (True, [EPERM])
    assert start(profile, home, tmp_path, lib=lib) == (False, [EPERM])
    upgrade()
    assert start(profile, home, tmp_path, lib=lib) == (True, [EPERM])
    assert start(profile, home, tmp_path, lib=lib) == (False, [EPERM])
    # Without that file the library loads libseccomp by its soname, and no
    # cache serves: which file that is, the key could not say.
    copy.unlink()
    for _ in range(2):
        assert start(profile, home, tmp_path, lib=lib) == (True, [EPERM])


@pytest.mark.skipif(not PROBE_STATIC.exists(), reason="static programs are built without the sanitizers")
def test_a_static_program_has_the_cache_too(write_profile, tmp_path):
    """Its libseccomp is linked in, as the build's headers describe it."""
    profile, home = write_profile(DENY_MKDIR), tmp_path / "cache"
    for target in ("a", "b"):
        r = run([PROBE_STATIC, "mkdir", tmp_path / target], preload=False, profile=profile,
                env={"AUTOSECCOMP_CACHE": "on", "XDG_CACHE_HOME": home})
        assert r.errnos == [EPERM], r
        assert len(entries(home)) == 1, r


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
def test_a_build_from_other_sources_keeps_its_own_entries(write_profile, tmp_path):
    """Two builds of one version may compile a profile differently: each reads
    only its own entries.  The test library's build is named apart."""
    profile, home = write_profile(DENY_MKDIR), tmp_path / "cache"
    assert start(profile, home, tmp_path) == (True, [EPERM])
    assert start(profile, home, tmp_path, lib=TEST_LIB) == (True, [EPERM])
    assert len(entries(home)) == 2
    assert start(profile, home, tmp_path) == (False, [EPERM])
    assert start(profile, home, tmp_path, lib=TEST_LIB) == (False, [EPERM])


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


@pytest.fixture
def public():
    """A directory of root's that nobody can traverse (pytest's own are root's alone)."""
    import tempfile
    path = Path(tempfile.mkdtemp(prefix="autoseccomp-test-"))
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path)


def nobody_owns(path, directory=False):
    if directory:
        path.mkdir(mode=0o700)
    os.chown(path, 65534, 65534)
    return path


@needs_root
@needs_strace
def test_capabilities_are_part_of_the_key(public, tmp_path):
    """The same profile resolves differently with other capabilities; nobody
    caches it only because nobody owns it."""
    import json
    profile, home = public / "profile.json", tmp_path / "cache"
    profile.write_text(json.dumps(DENY_MKDIR))
    nobody_owns(profile)
    start(profile, home, tmp_path)
    other = nobody_owns(public / "nobody-cache", directory=True)
    r = probe(["status"], profile=profile, user="nobody", env={"XDG_CACHE_HOME": other, "AUTOSECCOMP_CACHE": "on"})
    assert r.status["Seccomp"] == 2, r
    assert [e.name for e in entries(other)] != [e.name for e in entries(home)]
    assert len(entries(other)) == len(entries(home)) == 1


# Turns every `ret ERRNO` of the entry named by argv[1] into `ret ALLOW`, and
# gives it a checksum that matches (cache.c's layout: magic, key, flags,
# stub_len, len, reserved, instructions, FNV-1a 64 of all before it).  Prints
# how many it changed, and the Seccomp line of its own status.
FORGE = r"""
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
header = struct.calcsize("<8s32s4I")
length = struct.unpack_from("<8s32s4I", data)[4]
changed = 0
for at in range(header, header + 8 * length, 8):
    code, jt, jf, k = struct.unpack_from("<HBBI", data, at)
    if code == 0x06 and k & 0xffff0000 == 0x00050000:
        struct.pack_into("<HBBI", data, at, code, jt, jf, 0x7fff0000)
        changed += 1
checksum = 0xcbf29ce484222325
for byte in data[:-8]:
    checksum = ((checksum ^ byte) * 0x100000001b3) & 0xffffffffffffffff
struct.pack_into("<Q", data, len(data) - 8, checksum)
with open(sys.argv[1], "r+b") as f:
    f.write(data)
print(changed, [l for l in open("/proc/self/status") if l.startswith("Seccomp:")][0].split()[1])
"""


def forge(entry, as_user=(), confined=False):
    """Forge ENTRY from a process of AS_USER; CONFINED: under the built-in profile."""
    preload = [f"LD_PRELOAD={LIB}"] if confined else []
    out = subprocess.run([*as_user, "env", *preload, "python3", "-c", FORGE, entry], env=base_env(),
                         capture_output=True, text=True, check=True).stdout.split()
    assert int(out[0]) > 0 and out[1] == ("2" if confined else "0"), out


def deny_mkdir_as(public, name, owner):
    import json
    profile = public / name
    profile.write_text(json.dumps(DENY_MKDIR))
    os.chmod(profile, 0o644)
    os.chown(profile, owner, owner)
    return profile


@needs_root
@needs_strace
def test_a_confined_program_cannot_forge_the_program_of_a_profile_it_cannot_write(public, tmp_path):
    """The attack: a program confined as nobody plants an entry, under the key
    of a root-owned profile's bytes, in nobody's own cache; nobody's next start
    of that profile must not install it."""
    theirs, own = deny_mkdir_as(public, "root.json", 0), deny_mkdir_as(public, "own.json", 65534)
    home, work = nobody_owns(public / "cache", directory=True), nobody_owns(public / "work", directory=True)
    assert start(own, home, tmp_path, as_user=NOBODY, target=work / "a") == (True, [EPERM])
    [entry] = entries(home)  # the same bytes on the same host: the root-owned profile's key too
    forge(entry, as_user=NOBODY, confined=True)
    # The forgery passes every check: it serves the profile nobody could rewrite anyway.
    assert start(own, home, tmp_path, as_user=NOBODY, target=work / "b") == (False, [0])
    assert start(theirs, home, tmp_path, as_user=NOBODY, target=work / "c")[1] == [EPERM]
    assert entries(home) == [entry]


@needs_root
@needs_strace
@pytest.mark.parametrize("how", ["immutable", "user-namespace"])
def test_a_forged_entry_does_not_serve_a_profile_its_owner_cannot_change(public, tmp_path, how):
    """The cache trusts a user's own entries for a profile the user could
    rewrite anyway.  Owning a file is not that where it is immutable; and
    in a user namespace, a profile of real root's shows as the overflow
    uid, nobody's, and the namespace's root is no real root."""
    own, work = deny_mkdir_as(public, "own.json", 65534), nobody_owns(public / "work", directory=True)
    home = nobody_owns(public / "cache", directory=True)
    assert start(own, home, tmp_path, as_user=NOBODY, target=work / "a") == (True, [EPERM])
    [entry] = entries(home)  # under the key of the bytes, which the other profile shares
    forge(entry, as_user=NOBODY, confined=True)
    if how == "immutable":
        profile, as_user = deny_mkdir_as(public, "immutable.json", 65534), NOBODY
        if subprocess.run(["chattr", "+i", profile], capture_output=True).returncode != 0:
            pytest.skip(f"{public}'s filesystem has no immutable files")
    else:
        profile, as_user = deny_mkdir_as(public, "root.json", 0), [*NOBODY, "unshare", "--map-root-user"]
        if subprocess.run([*as_user, "true"], capture_output=True).returncode != 0:
            pytest.skip("unprivileged user namespaces are not allowed here")
    try:
        assert start(profile, home, tmp_path, as_user=as_user, target=work / "b") == (True, [EPERM])
    finally:
        subprocess.run(["chattr", "-i", profile], capture_output=True)
    assert entries(home) == [entry]


def remove_system_cache():
    if SYSTEM_CACHE.is_symlink():
        SYSTEM_CACHE.unlink()
    shutil.rmtree(SYSTEM_CACHE, ignore_errors=True)


@pytest.fixture
def system_cache():
    remove_system_cache()
    yield SYSTEM_CACHE
    remove_system_cache()


def system_entries():
    return sorted(SYSTEM_CACHE.iterdir()) if SYSTEM_CACHE.exists() else []


@needs_root
@needs_strace
def test_root_fills_the_system_cache_which_serves_other_users(public, tmp_path, system_cache):
    profile, work = deny_mkdir_as(public, "root.json", 0), nobody_owns(public / "work", directory=True)
    home = public / "root-home"
    home.mkdir()
    # Root's HOME is not a cache: the system directory is, made for others to read.
    assert start(profile, None, tmp_path, as_user=CAPLESS_ROOT, lib=TEST_LIB, HOME=home) == (True, [EPERM])
    assert list(home.iterdir()) == []
    [entry] = system_entries()
    assert (SYSTEM_CACHE.stat().st_uid, oct(SYSTEM_CACHE.stat().st_mode & 0o777)) == (0, "0o755")
    assert (entry.stat().st_uid, oct(entry.stat().st_mode & 0o777)) == (0, "0o644")
    assert start(profile, None, tmp_path, as_user=NOBODY, lib=TEST_LIB, target=work / "a") == (False, [EPERM])
    assert system_entries() == [entry]


@needs_root
@needs_strace
def test_an_entry_of_a_profile_others_cannot_read_is_root_s_alone(public, tmp_path, system_cache):
    profile = deny_mkdir_as(public, "root.json", 0)
    os.chmod(profile, 0o600)
    start(profile, None, tmp_path, as_user=CAPLESS_ROOT, lib=TEST_LIB)
    [entry] = system_entries()
    assert oct(entry.stat().st_mode & 0o777) == "0o600"


def untrust(entry, how, public):
    if how == "group-writable directory":
        os.chmod(SYSTEM_CACHE, 0o775)
    elif how == "other-writable directory":
        os.chmod(SYSTEM_CACHE, 0o757)
    elif how == "directory of another user":
        os.chown(SYSTEM_CACHE, 65534, 65534)
    elif how == "directory as a symbolic link":
        SYSTEM_CACHE.rename(public / "elsewhere")
        SYSTEM_CACHE.symlink_to(public / "elsewhere")
    elif how == "group-writable entry":
        os.chmod(entry, 0o664)
    elif how == "other-writable entry":
        os.chmod(entry, 0o646)
    elif how == "entry of another user":
        os.chown(entry, 65534, 65534)
    elif how == "entry as a symbolic link":
        entry.rename(public / "forged")
        entry.symlink_to(public / "forged")


@needs_root
@needs_strace
@pytest.mark.parametrize("how", ["group-writable directory", "other-writable directory", "directory of another user",
                                 "directory as a symbolic link", "group-writable entry", "other-writable entry",
                                 "entry of another user", "entry as a symbolic link"])
def test_a_system_cache_others_could_write_is_not_read(public, tmp_path, system_cache, how):
    """A forged entry that is served while the system cache passes its checks
    is ignored once either check fails."""
    profile, work = deny_mkdir_as(public, "root.json", 0), nobody_owns(public / "work", directory=True)
    start(profile, None, tmp_path, as_user=CAPLESS_ROOT, lib=TEST_LIB)
    [entry] = system_entries()
    forge(entry)
    assert start(profile, None, tmp_path, as_user=NOBODY, lib=TEST_LIB, target=work / "a") == (False, [0])
    untrust(entry, how, public)
    assert start(profile, None, tmp_path, as_user=NOBODY, lib=TEST_LIB, target=work / "b") == (True, [EPERM])


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


TEST_TOOL = BUILD / "tests" / "autoseccomp-test-cachedir"


@needs_root
@needs_strace
def test_root_stores_a_service_s_program_with_compile_install(public, tmp_path, system_cache):
    """A service running as another user, with no capabilities, reads a
    root-owned profile only from the system cache, under the key of its own
    capabilities: root stores it there for them ahead of the first start."""
    profile, work = deny_mkdir_as(public, "root.json", 0), nobody_owns(public / "work", directory=True)
    assert start(profile, None, tmp_path, as_user=NOBODY, lib=TEST_LIB, target=work / "a") == (True, [EPERM])
    assert system_entries() == []
    # Settled, as a deployed profile is: stored by its status too.
    settle(profile)
    r = subprocess.run([TEST_TOOL, "compile", profile, "--install", "--caps", "none"], env=base_env(),
                       capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout == f"{profile}: stored in the system cache\n", r
    assert [(e.stat().st_uid, oct(e.stat().st_mode & 0o777)) for e in system_entries()] == [(0, "0o644")] * 2
    assert start(profile, None, tmp_path, as_user=NOBODY, lib=TEST_LIB, target=work / "b") == (False, [EPERM])


@pytest.mark.parametrize("args", [["builtin", "--install"], ["-", "--install"], ["x.json", "--install", "--plain"],
                                  ["x.json", "--install", "-o", "x.bpf"], ["x.json", "--install", "--kernel", "4.0"]])
def test_compile_install_takes_a_profile_file_and_nothing_to_write(args):
    r = subprocess.run([TEST_TOOL, "compile", *args], env=base_env(), capture_output=True, text=True)
    assert r.returncode == 2 and "--install" in r.stderr, r


@needs_root
def test_only_root_stores_in_the_system_cache(public, system_cache):
    profile = deny_mkdir_as(public, "root.json", 0)
    r = subprocess.run([*NOBODY, TEST_TOOL, "compile", profile, "--install"], env=base_env(), capture_output=True,
                       text=True)
    assert r.returncode == 1 and r.stderr == f"autoseccomp: {profile}: only root writes the system cache\n", r
    assert system_entries() == []
