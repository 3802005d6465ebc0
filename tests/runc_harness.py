"""Run a real runc container with a given OCI `linux.seccomp` object and
capability set, and read back the seccomp filter the kernel holds for the
container's process, so that tests can compare runc's decisions with ours.

    reason = runc_unavailable()          # None when runc can be used here
    prog = runc_filter(seccomp, caps, tmp_path, BUILD / "tests" / "get-filter")

`prog` is the raw array of struct sock_filter (8 bytes per instruction), as
the kernel runs it, ENOSYS stub included.  Needs root, Debian's `runc` and
`busybox-static` packages, and a process that is not itself under seccomp.
"""
import functools
import json
import os
import shutil
import signal
import struct
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

RUNC = "runc"
BUSYBOX = Path("/bin/busybox")
RUNC_TIMEOUT = 60
# How long the container's init may take to exec its process after `runc run
# -d` returns: runc returns once init is released, not once it has exec'd.
EXEC_TIMEOUT = 10
SLEEP = ["/bin/sleep", "1000"]
# Docker's set; the network namespace works in this sandbox as well.
NAMESPACES = ["pid", "network", "ipc", "uts", "mount"]
EXIT_MORE_FILTERS = 3


class RuncError(RuntimeError):
    """runc refused the bundle (for example the seccomp profile); `stderr`
    holds what it said."""

    def __init__(self, message, stderr=""):
        super().__init__(f"{message}: {stderr.strip()}" if stderr.strip() else message)
        self.stderr = stderr


class FilterReadError(RuntimeError):
    """The container ran, but its filter could not be read; `returncode` is
    get-filter's exit status (3: more than one filter)."""

    def __init__(self, message, returncode=None):
        super().__init__(message)
        self.returncode = returncode


def _elf_interpreter(path):
    """Whether the ELF file at PATH asks for a dynamic loader (PT_INTERP),
    which an empty rootfs would not have."""
    with open(path, "rb") as f:
        header = f.read(64)
        if header[:4] != b"\x7fELF" or header[4] != 2:
            return True
        phoff, = struct.unpack_from("<Q", header, 32)
        phentsize, phnum = struct.unpack_from("<HH", header, 54)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    return any(struct.unpack_from("<I", table, i * phentsize)[0] == 3 for i in range(phnum))


def _under_seccomp():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("Seccomp:"):
                return int(line.split()[1]) != 0
    return False


@functools.cache
def runc_unavailable():
    """Why runc cannot be used here, or None when it can."""
    if os.geteuid() != 0:
        return "not root"
    if shutil.which(RUNC) is None:
        return "runc is not installed (apt-get install runc)"
    if not BUSYBOX.is_file():
        return f"{BUSYBOX} is missing (apt-get install busybox-static)"
    if _elf_interpreter(BUSYBOX):
        return f"{BUSYBOX} is not statically linked (apt-get install busybox-static)"
    if _under_seccomp():
        return "this process runs under seccomp, so the kernel will not hand out another's filter"
    with tempfile.TemporaryDirectory(prefix="autoseccomp-runc-") as tmp:
        return _smoke_test(Path(tmp))


def _smoke_test(workdir):
    """Run `true` in a container without seccomp: does runc work at all?"""
    bundle, root = _make_bundle(workdir, None, [], ["/bin/true"])
    cid = _container_id()
    log = workdir / "runc.log"
    try:
        with open(log, "wb") as err:
            proc = subprocess.run(_runc(root, "run", "--bundle", str(bundle), cid),
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                  timeout=RUNC_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"runc smoke test failed: {e}"
    finally:
        _delete(root, cid, None)
    if proc.returncode != 0:
        text = " ".join(log.read_text(errors="replace").split())
        return f"runc smoke test failed (exit {proc.returncode}): {text}"
    return None


def _container_id():
    return f"autoseccomp-{os.getpid()}-{uuid.uuid4().hex[:12]}"


def _runc(root, *args):
    # Our own state directory: nothing shared with a runc the host may run.
    return [RUNC, "--root", str(root), *args]


def _config(seccomp, caps, args):
    """An OCI config like Docker's: uid 0, the given capabilities as bounding,
    effective and permitted set (Docker leaves inheritable and ambient empty),
    no_new_privs off, so runc loads the filter while still privileged."""
    linux = {
        "namespaces": [{"type": t} for t in NAMESPACES],
        "resources": {"devices": [{"allow": False, "access": "rwm"}]},
        "maskedPaths": ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"],
        "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
    }
    if seccomp is not None:
        linux["seccomp"] = seccomp
    return {
        "ociVersion": "1.0.2-dev",
        "process": {
            # No terminal: no console socket needed, the process gets runc's stdio.
            "terminal": False,
            "user": {"uid": 0, "gid": 0},
            "args": list(args),
            "env": ["PATH=/bin"],
            "cwd": "/",
            "capabilities": {"bounding": list(caps), "effective": list(caps),
                             "permitted": list(caps)},
            "noNewPrivileges": False,
        },
        "root": {"path": "rootfs", "readonly": True},
        "hostname": "autoseccomp",
        "mounts": [
            {"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
             "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
            {"destination": "/sys", "type": "sysfs", "source": "sysfs",
             "options": ["nosuid", "noexec", "nodev", "ro"]},
        ],
        "linux": linux,
    }


def _make_bundle(workdir, seccomp, caps, args, program=None):
    bundle = workdir / "bundle"
    bin_dir = bundle / "rootfs" / "bin"
    bin_dir.mkdir(parents=True)
    shutil.copy2(BUSYBOX, bin_dir / "busybox")
    if program is not None:
        shutil.copy2(program, bin_dir / Path(program).name)
    for applet in ("sh", "sleep", "true"):
        (bin_dir / applet).symlink_to("busybox")
    (bundle / "config.json").write_text(json.dumps(_config(seccomp, caps, args), indent=1))
    root = workdir / "runc-root"
    root.mkdir()
    return bundle, root


def _delete(root, cid, pid):
    """Best effort: the container must not outlive the test, whatever state
    runc left it in."""
    try:
        subprocess.run(_runc(root, "delete", "--force", cid), stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=RUNC_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired):
        pass
    if pid is not None and _alive(pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def _state_pid(root, cid):
    proc = subprocess.run(_runc(root, "state", cid), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=RUNC_TIMEOUT)
    if proc.returncode != 0:
        raise RuncError(f"runc state {cid} failed", proc.stderr)
    state = json.loads(proc.stdout)
    if state.get("status") != "running" or not state.get("pid"):
        raise FilterReadError(f"container is {state.get('status')}, not running: "
                              "the profile may deny a system call busybox sleep needs")
    return int(state["pid"])


def _wait_for_exec(pid, name):
    """runc's init is still Go code until it execs; read the filter of the
    process the profile was meant for."""
    deadline = time.monotonic() + EXEC_TIMEOUT
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() == name and _alive(pid):
                return
        except FileNotFoundError:
            break
        time.sleep(0.01)
    raise FilterReadError(f"container process {pid} did not become {name!r}: "
                          "the profile may deny a system call busybox sleep needs")


def _read_filter(get_filter, pid, out):
    proc = subprocess.run([str(get_filter), str(pid), str(out)], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=RUNC_TIMEOUT)
    if proc.returncode != 0:
        raise FilterReadError(f"{get_filter} failed (exit {proc.returncode}): {proc.stderr.strip()}",
                              proc.returncode)
    return out.read_bytes()


def runc_filter(seccomp, caps, workdir, get_filter, program=None):
    """The filter runc 1.1.5 installs for `sleep` in a container with the OCI
    seccomp object SECCOMP and capabilities CAPS, as raw sock_filter bytes.
    PROGRAM, a static executable, runs in sleep's place where given.  Builds
    the bundle and runc's state under WORKDIR and removes both, and the
    container, before returning.  Raises RuncError with runc's stderr when
    runc refuses to start the container."""
    workdir = Path(workdir)
    args = [f"/bin/{Path(program).name}"] if program is not None else SLEEP
    bundle, root = _make_bundle(workdir, seccomp, caps, args, program)
    cid = _container_id()
    log = workdir / "runc.log"
    pid = None
    try:
        # stdout and stderr go to the container's process too, so no pipes:
        # a pipe would stay open as long as sleep runs.
        with open(log, "wb") as err:
            proc = subprocess.run(_runc(root, "run", "--detach", "--bundle", str(bundle), cid),
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                  timeout=RUNC_TIMEOUT)
        if proc.returncode != 0:
            raise RuncError(f"runc run failed (exit {proc.returncode})",
                            log.read_text(errors="replace"))
        pid = _state_pid(root, cid)
        _wait_for_exec(pid, Path(args[0]).name)
        return _read_filter(get_filter, pid, workdir / "filter.bin")
    finally:
        _delete(root, cid, pid)
        shutil.rmtree(bundle, ignore_errors=True)
        shutil.rmtree(root, ignore_errors=True)
        for leftover in (log, workdir / "filter.bin"):
            leftover.unlink(missing_ok=True)


def instructions(prog):
    """The (code, jt, jf, k) tuples of a raw sock_filter array."""
    return list(struct.iter_unpack("=HBBI", prog))
