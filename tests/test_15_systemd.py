"""The systemd units of examples/systemd, run as systemd runs a system
service: from /, with no HOME and an environment of PATH and the unit's own
Environment= lines.  The paths installed by `make install` become this
build's, and the web server becomes the probe making a call a default Docker
container may not make: unshare (272 on x86_64), which root may make when the
profile's conditions see every capability."""
import subprocess

import pytest

from conftest import LIB, PROBE, ROOT, TOOL, base_env, needs_root

UNITS = ROOT / "examples" / "systemd"
INSTALLED = {"/usr/local/bin/autoseccomp": str(TOOL), "/usr/local/lib/libautoseccomp.so": str(LIB)}
UNSHARE = [str(PROBE), "syscall", "272", "0"]


def unit(name):
    """The unit's command line and Environment=, with this build's paths and the probe for the server."""
    env, argv = {}, None
    for line in (UNITS / name).read_text().splitlines():
        if line.startswith("Environment="):
            key, value = line[len("Environment="):].split("=", 1)
            env[key] = INSTALLED.get(value, value)
        elif line.startswith("ExecStart="):
            argv = [INSTALLED.get(word, word) for word in line[len("ExecStart="):].split()]
    server = argv.index("/usr/bin/python3")
    return argv[:server] + UNSHARE, env


def as_systemd(argv, env):
    # base_env() adds only PATH, the locale and the sanitizers' settings; the
    # cache is left as a service finds it.
    full = {k: v for k, v in base_env().items() if k != "AUTOSECCOMP_CACHE"}
    full.update(env)
    assert "HOME" not in full
    return subprocess.run(argv, env=full, cwd="/", capture_output=True, text=True, timeout=60)


def test_both_units_run_the_same_server():
    """The test replaces exactly that command."""
    for name in ("webserver-exec.service", "webserver-preload.service"):
        text = (UNITS / name).read_text()
        assert "ExecStart=" in text and "/usr/bin/python3 -m http.server" in text


@needs_root
@pytest.mark.parametrize("name", ["webserver-exec.service", "webserver-preload.service"])
def test_the_unit_gives_its_root_service_a_default_container_s_filter(name):
    argv, env = unit(name)
    r = as_systemd(argv, env)
    assert r.returncode == 0 and "syscall ret=-1 errno=1" in r.stdout, r
    # Without the unit's capability setting, root's filter allows the call.
    env.pop("AUTOSECCOMP_CAPS", None)
    r = as_systemd([word for word in argv if word not in ("--caps", "docker")], env)
    assert r.returncode == 0 and "syscall ret=0 errno=0" in r.stdout, r


def test_the_exec_unit_does_not_start_a_server_it_cannot_confine(tmp_path):
    argv, env = unit("webserver-exec.service")
    argv[argv.index("builtin")] = str(tmp_path / "missing.json")
    r = as_systemd(argv, env)
    assert r.returncode == 125 and "syscall" not in r.stdout
    assert r.stderr.startswith("autoseccomp: ") and r.stderr.count("\n") == 1


@needs_root
def test_the_preload_unit_runs_unconfined_when_the_library_is_missing(tmp_path):
    """What webserver-preload.service warns of: the loader only warns."""
    argv, env = unit("webserver-preload.service")
    env["LD_PRELOAD"] = str(tmp_path / "libautoseccomp.so")
    r = as_systemd(argv, env)
    assert r.returncode == 0 and "syscall ret=0 errno=0" in r.stdout
    assert "cannot be preloaded" in r.stderr
