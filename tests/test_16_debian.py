"""The Debian packaging in debian/: its symbols file and version agree with
the build, and, where dpkg-buildpackage and dh are installed, the package
builds and holds what each binary package should.

The full package build takes about 20 seconds (well under 2 minutes) and runs
by default when the tools are present; it builds in a temporary copy of the
tracked files, so nothing is written beside the repository."""
import os
import re
import shutil
import subprocess

import pytest

from conftest import BUILD, ROOT

from test_07_build import defined_symbols


def symbols_file():
    lines = (ROOT / "debian" / "libautoseccomp0.symbols").read_text().splitlines()
    assert lines[0].split()[:2] == ["libautoseccomp.so.0", "libautoseccomp0"]
    return sorted(line.split()[0].split("@")[0] for line in lines[1:] if line.startswith(" "))


def test_the_symbols_file_lists_exactly_what_the_library_exports():
    exported = [s for s in defined_symbols("-D", "--defined-only", BUILD / "libautoseccomp.so")
                if not s.startswith(("_init", "_fini"))]
    assert symbols_file() == exported


def test_the_library_soname_is_the_packages():
    out = subprocess.run(["objdump", "-p", BUILD / "libautoseccomp.so"], capture_output=True, text=True,
                         check=True).stdout
    assert re.search(r"SONAME\s+libautoseccomp\.so\.0$", out, re.M)


def test_the_changelog_version_is_the_makefiles():
    makefile = re.search(r"^VERSION\s*:=\s*(\S+)", (ROOT / "Makefile").read_text(), re.M).group(1)
    changelog = (ROOT / "debian" / "changelog").read_text().splitlines()[0]
    version = re.match(r"autoseccomp \(([^)]+)\)", changelog).group(1)
    assert version.split("-")[0] == makefile


def test_install_with_destdir_runs_no_ldconfig(tmp_path):
    out = subprocess.run(["make", "-C", ROOT, f"BUILD={BUILD}", "install", f"DESTDIR={tmp_path}",
                          "PREFIX=/usr"], capture_output=True, text=True, check=True,
                         env=clean_make_env()).stdout
    assert "ldconfig" not in out


def clean_make_env():
    """The environment without a parent make's variables (make check-sanitize
    passes BUILD and SANITIZE down, in MAKEFLAGS and in the environment)."""
    drop = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "BUILD", "SANITIZE")
    return {k: v for k, v in os.environ.items() if k not in drop}


def deb_contents(deb):
    out = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True, check=True).stdout
    return {line.split()[5].lstrip(".") for line in out.splitlines() if not line.endswith("/")}


@pytest.mark.skipif(not (shutil.which("dpkg-buildpackage") and shutil.which("dh")),
                    reason="dpkg-buildpackage or dh is not installed (apt-get install dpkg-dev debhelper fakeroot)")
def test_the_package_builds(tmp_path):
    files = subprocess.run(["git", "-C", ROOT, "ls-files", "-z"], capture_output=True, check=True).stdout
    src = tmp_path / "autoseccomp"
    for name in files.decode().split("\0"):
        if name and (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    build = subprocess.run(["dpkg-buildpackage", "-us", "-uc", "-b"], cwd=src, capture_output=True, text=True,
                           env=clean_make_env(), timeout=300)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    arch = subprocess.run(["dpkg-architecture", "-qDEB_HOST_ARCH"], capture_output=True, text=True,
                          check=True).stdout.strip()
    multiarch = subprocess.run(["dpkg-architecture", "-qDEB_HOST_MULTIARCH"], capture_output=True, text=True,
                               check=True).stdout.strip()
    lib = f"/usr/lib/{multiarch}"
    deb = {p: tmp_path / f"{p}_{version()}_{arch}.deb" for p in ("libautoseccomp0", "libautoseccomp-dev", "autoseccomp")}
    assert {f"{lib}/libautoseccomp.so.0", f"{lib}/libautoseccomp.so.0.1.0"} <= deb_contents(deb["libautoseccomp0"])
    dev = deb_contents(deb["libautoseccomp-dev"])
    assert {"/usr/include/autoseccomp.h", f"{lib}/libautoseccomp.a", f"{lib}/libautoseccomp.so",
            f"{lib}/pkgconfig/autoseccomp.pc", "/usr/share/man/man3/autoseccomp_apply.3.gz"} <= dev
    assert {"/usr/bin/autoseccomp", "/usr/share/man/man1/autoseccomp.1.gz"} <= deb_contents(deb["autoseccomp"])
    symbols = subprocess.run(["dpkg-deb", "-I", deb["libautoseccomp0"], "symbols"], capture_output=True,
                             text=True, check=True).stdout
    assert "autoseccomp_apply@Base" in symbols and "autoseccomp_version@Base" in symbols


def version():
    return re.match(r"autoseccomp \(([^)]+)\)", (ROOT / "debian" / "changelog").read_text()).group(1)
