"""The other system call entries of an x86_64 kernel: the i386 entry
(int $0x80) and the x32 bit.  Neither may reach a syscall the profile denies."""
import os

import pytest

from conftest import ENOSYS, EPERM, SIGSYS, probe

pytestmark = pytest.mark.skipif(os.uname().machine != "x86_64", reason="x86_64 only")

DENY_MKDIR = {"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}
X32_MKDIR = 83  # x32 numbers are x86_64's with bit 30 set
I386_MKDIR, I386_MOUNT = 39, 21


def test_x32_bit_is_filtered_by_the_builtin_profile(tmp_path):
    target = tmp_path / "x32"
    unconfined = probe(["x32", X32_MKDIR, f"@{target}", 0o700], preload=False)
    confined = probe(["x32", X32_MKDIR, f"@{target}", 0o700], ["x32", 165, "@none", "@/mnt", "@tmpfs", 0, 0],
                     profile="builtin", user="nobody" if os.geteuid() == 0 else None)
    # Without a filter the kernel answers (ENOSYS where it lacks x32); under
    # the filter the call never reaches it: mkdir is in Docker's list, mount is not.
    assert unconfined.errnos[0] in (0, ENOSYS)
    if unconfined.errnos[0] == ENOSYS:
        assert confined.errnos[0] == ENOSYS
    assert confined.errnos[1] == EPERM, confined


def test_x32_bit_is_filtered_by_a_custom_profile_with_x32(write_profile, tmp_path):
    path = write_profile(dict(DENY_MKDIR, architectures=["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]))
    r = probe(["x32", X32_MKDIR, f"@{tmp_path / 'x'}", 0o700], profile=path)
    assert r.errnos == [EPERM], r
    assert not (tmp_path / "x").exists()


def test_x32_bit_is_killed_when_the_profile_leaves_x32_out(write_profile, tmp_path):
    r = probe(["x32", X32_MKDIR, f"@{tmp_path / 'x'}", 0o700], profile=write_profile(DENY_MKDIR))
    assert r.main_ran and r.signal == SIGSYS, r
    assert not (tmp_path / "x").exists()


def i386_entry_available():
    r = probe(["i386", 20], preload=False)  # getpid
    return r.returncode == 0 and r.calls and r.calls[0][1] > 0


@pytest.fixture
def i386():
    if not i386_entry_available():
        pytest.skip("this kernel has 32-bit emulation disabled (int $0x80 faults before any filter runs), "
                    "so the i386 entry cannot be attacked here")


def test_i386_entry_cannot_reach_a_denied_syscall(i386, write_profile, tmp_path):
    path = write_profile(dict(DENY_MKDIR, architectures=["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]))
    r = probe(["i386", I386_MKDIR, f"@{tmp_path / 'x'}", 0o700], profile=path)
    assert r.errnos == [EPERM], r
    assert not (tmp_path / "x").exists()


def test_i386_entry_is_killed_when_the_profile_leaves_x86_out(i386, write_profile, tmp_path):
    r = probe(["i386", I386_MKDIR, f"@{tmp_path / 'x'}", 0o700], profile=write_profile(DENY_MKDIR))
    assert r.signal == SIGSYS, r


def test_i386_entry_under_the_builtin_profile(i386):
    r = probe(["i386", I386_MOUNT, "@none", "@/mnt", "@tmpfs", 0, 0], profile="builtin",
              user="nobody" if os.geteuid() == 0 else None)
    assert r.errnos == [EPERM], r
