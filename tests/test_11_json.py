"""The JSON layer reads a profile as Go's encoding/json reads it into
Docker's types: what Docker refuses is refused with the one-line error, and
what Docker accepts means the same here (escapes, key case, duplicates,
null).  Each accepted case is proven by a real syscall under the filter."""
import pytest

from conftest import BUILD, EPERM, REFERENCE, probe, run
from test_06_bad_input import ALLOW, assert_refused, position

MKDIR = '{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}'
RMDIR = '{"names": ["rmdir"], "action": "SCMP_ACT_ERRNO"}'

# (id, profile text, where the error points, the message's start): each of
# these loaded before, with rules dropped or the wrong ones kept.
MALFORMED = [
    ("missing-comma-between-members", '{%s "syscalls": [%s]}' % (ALLOW, MKDIR), '"syscalls"',
     "invalid JSON: expected ',' or '}' after an object member"),
    ("missing-colon", '{"defaultAction" "SCMP_ACT_ALLOW"}', '"SCMP', "invalid JSON: expected ':' after an object key"),
    ("leading-comma", '{, %s}' % ALLOW, ', ', "invalid JSON: expected a string key"),
    ("double-comma", '{%s,, "syscalls": [%s]}' % (ALLOW, MKDIR), ', "sys', "invalid JSON: expected a string key"),
    ("trailing-comma-in-object", '{%s, "syscalls": [%s],}' % (ALLOW, MKDIR), ',}', "invalid JSON: trailing comma"),
    ("trailing-comma-in-array", '{%s, "syscalls": [%s,]}' % (ALLOW, MKDIR), ',]', "invalid JSON: trailing comma"),
    ("leading-comma-in-array", '{%s, "syscalls": [,%s]}' % (ALLOW, MKDIR), ',{', "invalid JSON: expected a value"),
    ("colon-in-array", '{%s, "syscalls": [{"names": ["mkdir": "rmdir"], "action": "SCMP_ACT_ERRNO"}]}' % ALLOW,
     ': "rmdir"', "invalid JSON: expected ',' or ']' after an array element"),
    ("rules-without-comma", '{%s, "syscalls": [%s %s]}' % (ALLOW, MKDIR, RMDIR), '{"names": ["rmdir"]',
     "invalid JSON: expected ',' or ']' after an array element"),
    ("key-without-value", '{"defaultAction"}', '}', "invalid JSON: expected ':' after an object key"),
    ("empty-keys", '{""""}', '""}', "invalid JSON: expected ':' after an object key"),
    ("number-key", '{1: 2}', '1:', "invalid JSON: expected a string key"),
    ("nul-after-object", '{%s}\0' % ALLOW, '\0', "unexpected data after the profile"),
    ("nul-in-white-space", '{%s,\0 "syscalls": []}' % ALLOW, '\0', "invalid JSON: expected a string key"),
    ("bad-escape", '{"defaultAction": "SCMP_ACT_\\xALLOW"}', '\\x', "invalid escape sequence in a JSON string"),
    ("short-unicode-escape", '{"defaultAction": "SCMP_ACT_\\u41LLOW"}', '\\u', "invalid \\u escape"),
    ("comment-number", '{%s, "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "comment": 5}]}' % ALLOW,
     '5}', "expected a string, got a number"),
    ("comment-in-json", '{%s /* no */}' % ALLOW, '/*', "invalid JSON: expected ',' or '}' after an object member"),
    ("plus-sign", '{%s, "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": +1}]}' % ALLOW,
     '+1', "invalid JSON: expected a value"),
    ("bare-fraction", '{%s, "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": .5}]}' % ALLOW,
     '.5', "invalid JSON: expected a value"),
    ("nan", '{%s, "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": NaN}]}' % ALLOW,
     'NaN', "invalid JSON: expected a value"),
    ("truncated-literal", '{"defaultAction": nul', 'nul', "unexpected end of profile"),
]


@pytest.mark.parametrize("text, at, message", [c[1:] for c in MALFORMED], ids=[c[0] for c in MALFORMED])
def test_malformed_json_is_refused(write_profile, text, at, message):
    path = write_profile(text)
    line, column = position(text, at) if at != '\0' or '\0' not in text else position(text, text.index('\0'))
    if message == "unexpected end of profile":
        line, column = position(text, -1)
    assert_refused(probe(["status"], profile=path), f"autoseccomp: {path}:{line}:{column}: {message}")


# The real-world profiles of ../shared/reference/wild that Docker refuses
# (its SOURCES.md says why); the others load and decide as runc's filter
# (test_09_fidelity.py).
WILD_REFUSED = {"16-s3fs-comment-header.json": "1:1: invalid JSON: expected a value",
                # Its numeric actions, as Docker's decoder refuses them.
                "25-moby-2016-02-first-json.json": "11:14: expected a string, got a number",
                "28-moby-2018-11-ptrace-minkernel.json": "377:18: invalid kernel version \"4.8.0\"",
                "33-vsftpd-trailing-comma.json": "114:13: invalid JSON: trailing comma"}


@pytest.mark.skipif(not (REFERENCE / "wild").is_dir(), reason=f"the real-world profiles are absent from {REFERENCE / 'wild'} "
                    "(no Debian package ships them; set AUTOSECCOMP_REFERENCE)")
@pytest.mark.parametrize("name", sorted(WILD_REFUSED))
def test_the_real_profiles_docker_refuses_are_refused(name):
    path = REFERENCE / "wild" / name
    assert_refused(probe(["status"], profile=path), f"autoseccomp: {path}:{WILD_REFUSED[name]}")


# Accepted, and decided as Docker decides: mkdir is denied with EPERM only
# where the text means the rule that says so.
ACCEPTED = [
    ("unicode-escapes", '{"defaultAction": "SCMP_ACT_\\u0041LLOW", "syscalls": [{"names": ["mk\\u0064ir"], '
     '"action": "SCMP_ACT_\\u0045RRNO"}]}', EPERM),
    ("escaped-key", '{"\\u0064efaultAction": "SCMP_ACT_ALLOW", "syscalls": [%s]}' % MKDIR, EPERM),
    ("solidus-escape", '{%s, "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "comment": "a\\/b"}]}'
     % ALLOW, EPERM),
    ("keys-in-upper-case", '{"DEFAULTACTION": "SCMP_ACT_ALLOW", "SYSCALLS": [{"NAMES": ["mkdir"], '
     '"Action": "SCMP_ACT_ERRNO"}]}', EPERM),
    # Go folds the long s to s and the Kelvin sign to k, in keys only.
    ("long-s-in-a-key", '{%s, "\u017fyscalls": [%s]}' % (ALLOW, MKDIR), EPERM),
    ("kelvin-sign-in-a-key", '{%s, "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", '
     '"includes": {"min\u212aernel": "99.0"}}]}' % ALLOW, 0),
    ("last-duplicate-wins", '{%s, "syscalls": [%s], "syscalls": [%s]}' % (ALLOW, MKDIR, RMDIR), 0),
    ("last-duplicate-wins-again", '{%s, "syscalls": [%s], "syscalls": [%s]}' % (ALLOW, RMDIR, MKDIR), EPERM),
    ("duplicate-case-folded-key", '{%s, "syscalls": [%s], "SYSCALLS": null}' % (ALLOW, MKDIR), 0),
    ("null-errno-is-unset", '{%s, "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5, '
     '"errnoRet": null}]}' % ALLOW, EPERM),
    ("null-string-keeps-value", '{%s, "defaultAction": null, "syscalls": [%s]}' % (ALLOW, MKDIR), EPERM),
    ("unknown-fields-ignored", '{%s, "x": {"y": [1, true, null, "\\ud83d\\ude00"]}, "syscalls": [%s]}'
     % (ALLOW, MKDIR), EPERM),
    ("name-with-escaped-nul-is-not-mkdir", '{%s, "syscalls": [{"names": ["mkdirx\\u0000"], '
     '"action": "SCMP_ACT_ERRNO"}]}' % ALLOW, 0),
    # libseccomp, given the name through Go's C.CString, reads it up to its
    # first NUL, however long the rest: runc's filter denies mkdir.
    ("name-ends-at-an-escaped-nul", '{%s, "syscalls": [{"names": ["mkdir\\u0000%s"], '
     '"action": "SCMP_ACT_ERRNO"}]}' % (ALLOW, "x" * 64), EPERM),
    ("null-name-element", '{%s, "syscalls": [{"names": [null, "mkdir"], "action": "SCMP_ACT_ERRNO"}]}'
     % ALLOW, None),
    ("lone-surrogate-name", '{%s, "syscalls": [{"names": ["mkdir\\ud800"], "action": "SCMP_ACT_ERRNO"}]}'
     % ALLOW, 0),
    ("white-space-around", ' \r\n\t{%s, "syscalls": [%s]} \r\n\t' % (ALLOW, MKDIR), EPERM),
]


@pytest.mark.parametrize("text, expected", [c[1:] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_json_is_read_as_go_reads_it(write_profile, tmp_path, text, expected):
    path = write_profile(text)
    r = probe(["mkdir", tmp_path / "d"], profile=path, env={"AUTOSECCOMP_CACHE": "off"})
    if expected is None:
        # Go reads a null element as "", which runc refuses as a syscall name.
        assert_refused(r, f"autoseccomp: {path}:")
        assert "empty string is not a valid syscall" in r.stderr, r
        return
    assert r.main_ran, r
    assert r.errnos == [expected], r


def test_a_second_apply_reads_its_own_profile_not_the_first_ones_tokens(write_profile, tmp_path):
    """The first call leaves its tokens behind; the second profile must be
    read from its own bytes, and refused, with the first filter still in
    force."""
    first = write_profile('{%s, "syscalls": [%s]}' % (ALLOW, RMDIR))
    second = write_profile('{"defaultAction"}')
    r = run([BUILD / "tests" / "probe-api", first, second, tmp_path / "d"], preload=False,
            env={"AUTOSECCOMP_CACHE": "off"})
    lines = r.stdout.splitlines()
    assert lines[0] == "apply=0 message=", r
    assert lines[1].startswith(f"apply=-22 message=autoseccomp: {second}:1:17: invalid JSON"), r
    assert lines[2] == "mkdir ret=0 errno=0", r
