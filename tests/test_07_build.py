"""What the build produces: exports limited to the public API, and an
installation that a program can build against, dynamically and statically."""
import os
import re
import subprocess

import pytest

from conftest import BUILD, EPERM, ROOT, SANITIZE, not_sanitized, run


def public_functions():
    header = (ROOT / "include" / "autoseccomp.h").read_text()
    return sorted(set(re.findall(r"^\S.*?\b(autoseccomp_\w+)\(", header, re.M)))


def defined_symbols(*nm_args):
    out = subprocess.run(["nm", *nm_args], capture_output=True, text=True, check=True).stdout
    return sorted(line.split()[-1] for line in out.splitlines() if len(line.split()) == 3)


def test_the_shared_object_exports_only_the_public_api():
    assert public_functions() == ["autoseccomp_apply", "autoseccomp_version"]
    exported = [s for s in defined_symbols("-D", "--defined-only", BUILD / "libautoseccomp.so")
                if not s.startswith(("_init", "_fini"))]
    assert exported == public_functions()


def test_the_archive_defines_only_the_public_api_globally():
    symbols = subprocess.run(["nm", "-g", "--defined-only", BUILD / "libautoseccomp.a"], capture_output=True,
                             text=True, check=True).stdout
    names = sorted(line.split()[-1] for line in symbols.splitlines() if len(line.split()) == 3)
    assert names == public_functions()


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    destdir = tmp_path_factory.mktemp("destdir")
    subprocess.run(["make", "-C", ROOT, f"BUILD={BUILD}", "install", f"DESTDIR={destdir}", "PREFIX=/opt/as"],
                   check=True, capture_output=True, env=dict(os.environ, SANITIZE="1" if SANITIZE else ""))
    return destdir


def test_install_honours_prefix_and_destdir(installed):
    root = installed / "opt" / "as"
    for path in ["include/autoseccomp.h", "lib/libautoseccomp.a", "lib/libautoseccomp.so",
                 "lib/libautoseccomp.so.0", "lib/pkgconfig/autoseccomp.pc", "bin/autoseccomp",
                 "share/man/man1/autoseccomp.1", "share/man/man1/autoseccomp-explain.1",
                 "share/man/man3/autoseccomp_apply.3"]:
        assert (root / path).exists(), path
    assert "prefix=/opt/as" in (root / "lib/pkgconfig/autoseccomp.pc").read_text()


def make_install(target, destdir, *variables):
    subprocess.run(["make", "-C", ROOT, f"BUILD={BUILD}", target, f"DESTDIR={destdir}", *variables], check=True,
                   capture_output=True, env=dict(os.environ, SANITIZE="1" if SANITIZE else ""))


def test_each_install_writes_a_pc_file_for_its_own_directories(tmp_path):
    """A second install with other directories does not ship the first one's .pc file."""
    make_install("install", tmp_path / "a", "PREFIX=/a")
    make_install("install", tmp_path / "b", "PREFIX=/b", "LIBDIR=/b/lib64", "INCLUDEDIR=/b/inc")
    a = (tmp_path / "a/a/lib/pkgconfig/autoseccomp.pc").read_text().splitlines()
    b = (tmp_path / "b/b/lib64/pkgconfig/autoseccomp.pc").read_text().splitlines()
    assert "prefix=/a" in a, a
    assert {"prefix=/b", "libdir=/b/lib64", "includedir=/b/inc"} <= set(b), b


def test_uninstall_removes_exactly_what_install_wrote(tmp_path):
    make_install("install", tmp_path, "PREFIX=/u")
    root = tmp_path / "u"
    (root / "lib" / "other.so").write_text("not ours")
    installed = {p for p in root.rglob("*") if not p.is_dir()}
    assert len(installed) > 10
    make_install("uninstall", tmp_path, "PREFIX=/u")
    assert {p for p in root.rglob("*") if not p.is_dir()} == {root / "lib" / "other.so"}


def pkg_config(installed, *args):
    env = dict(os.environ, PKG_CONFIG_PATH=str(installed / "opt/as/lib/pkgconfig"),
               PKG_CONFIG_SYSROOT_DIR=str(installed))
    return subprocess.run(["pkg-config", *args, "autoseccomp"], env=env, capture_output=True, text=True,
                          check=True).stdout.split()


@not_sanitized
@pytest.mark.parametrize("static", [False, True], ids=["dynamic", "static"])
def test_a_program_builds_against_the_installation(installed, tmp_path, static):
    """The README's link line: the constructor and an embedded profile, linked in."""
    program = tmp_path / "embedded"
    lib = installed / "opt/as/lib"
    cmd = ["cc", ROOT / "examples" / "embedded.c", "-o", program, *pkg_config(installed, "--cflags"),
           "-Wl,--undefined=autoseccomp_version", lib / "libautoseccomp.a", "-lseccomp"]
    subprocess.run(cmd + (["-static"] if static else []), check=True)
    r = run([program, tmp_path / "a"], preload=False)
    assert r.stdout == f"mkdir {tmp_path / 'a'}: Network is down\n", r


@not_sanitized
@pytest.mark.parametrize("link", ["archive", "shared"])
def test_an_embedded_profile_links_the_constructor_in_by_itself(installed, tmp_path, link):
    """The profile refers to the library: no --undefined is needed with the
    archive, and --as-needed keeps the shared object, so a program never
    carries a profile it does not apply."""
    program, lib = tmp_path / "locked", installed / "opt/as/lib"
    libs = [lib / "libautoseccomp.a", "-lseccomp"] if link == "archive" else \
        ["-Wl,--as-needed", f"-L{lib}", "-lautoseccomp", f"-Wl,-rpath,{lib}"]
    subprocess.run(["cc", ROOT / "examples" / "embedded-locked.c", "-o", program,
                    *pkg_config(installed, "--cflags"), *libs], check=True)
    r = run([program, tmp_path / "a"], preload=False, env={"SECCOMP_PROFILE": "unconfined"})
    assert r.stdout == f"mkdir {tmp_path / 'a'}: Network is down\n", r


@not_sanitized
def test_pkg_config_keeps_the_shared_object_under_as_needed(installed, tmp_path):
    """A program that calls nothing of the library's links it for its
    constructor alone: pkg-config's flags keep it where --as-needed would drop it."""
    source, program = tmp_path / "plain.c", tmp_path / "plain"
    source.write_text("#include <errno.h>\n#include <stdio.h>\n#include <unistd.h>\n#include <sys/syscall.h>\n"
                      "int main(void) { long r = syscall(SYS_keyctl, 0, -3, 0, 0, 0);\n"
                      "  printf(\"%ld %d\\n\", r, r < 0 ? errno : 0); return 0; }\n")
    subprocess.run(["cc", source, "-o", program, "-Wl,--as-needed", *pkg_config(installed, "--libs"),
                    f"-Wl,-rpath,{installed / 'opt/as/lib'}"], check=True)
    r = run([program], preload=False)
    assert r.stdout == f"-1 {EPERM}\n", r


@not_sanitized
def test_a_program_links_the_installed_shared_object(installed, tmp_path):
    program = tmp_path / "api"
    libs = pkg_config(installed, "--libs")
    subprocess.run(["cc", ROOT / "tests" / "probe-api.c", "-o", program, *pkg_config(installed, "--cflags"), *libs,
                    f"-Wl,-rpath,{installed / 'opt/as/lib'}"], check=True)
    r = run([program, "NULL"], preload=False)
    assert r.stdout.splitlines() == ["apply=0 message=", "version=0.1.0"], r


MAN_PAGES = sorted((ROOT / "src" / "man").glob("man*/*.[13]"))


@pytest.mark.parametrize("page", MAN_PAGES, ids=[p.name for p in MAN_PAGES])
def test_man_page_is_clean(page):
    """groff warns about nothing in any page."""
    r = subprocess.run(["groff", "-man", "-ww", "-z", page], capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr == "", r.stderr


def test_every_public_call_and_subcommand_has_a_page():
    names = {p.name for p in MAN_PAGES}
    assert {f"{f}.3" for f in public_functions()} | {"AUTOSECCOMP_EMBED_PROFILE.3"} <= names
    assert {f"autoseccomp-{c}.1" for c in ("check", "explain", "compile", "dump", "exec")} | {"autoseccomp.1"} <= names


def roff_examples(page):
    text = page.read_text()
    for block in re.findall(r"^\.EX\n(.*?)^\.EE", text, re.S | re.M):
        code = re.sub(r"\\f[BIRP]", "", block).replace("\\e", "\\").replace("\\-", "-").replace("\\(aq", "'").replace("\\(dq", '"')
        if "main(" in code:
            yield code


@not_sanitized
@pytest.mark.parametrize("page", [p for p in MAN_PAGES if p.suffix == ".3"], ids=lambda p: p.name)
def test_man3_examples_compile(page, tmp_path):
    examples = list(roff_examples(page))
    assert examples, f"{page.name} has no complete example"
    for i, code in enumerate(examples):
        source = tmp_path / f"example{i}.c"
        source.write_text(code)
        r = subprocess.run(["cc", "-std=gnu11", "-Wall", "-Werror", "-c", source, "-o", tmp_path / f"e{i}.o",
                            f"-I{ROOT / 'include'}"], capture_output=True, text=True)
        assert r.returncode == 0, code + r.stderr
