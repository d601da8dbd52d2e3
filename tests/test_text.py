#!/usr/bin/env python3
"""ctest: what concbench writes, concbench reads. Property test: runs the
built binary with random bytes (not UTF-8, control characters, quotes,
backslashes) in --context values, in the output file name and, where a UTS
namespace can be made, in the host name; then checks that every file is
UTF-8 text whose strings read back to the original bytes (README, Output:
"Strings"), and that `report`, `compare`, `--compare-to` and the plot
scripts accept every one of them.

usage: test_text.py CONCBENCH_BINARY SOURCE_DIR [SEED]

The seed (default fixed; CB_TEST_SEED or the third argument to change it)
is printed, so a failure can be repeated. The plot scripts are skipped
without matplotlib, the host names without unshare(1) rights."""

import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

RUNS = 10
passed = failed = 0


def check(cond, what, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print(f"FAIL - {what}" + (f": {detail}" if detail else ""))
    return cond


def unescape(s):
    """The documented reading of a string concbench wrote: \\\\ is one
    backslash, \\xNN the byte NN, anything else itself."""
    return re.sub(rb"\\(\\|x[0-9a-fA-F]{2})",
                  lambda m: b"\\" if m[1] == b"\\" else bytes([int(m[1][1:], 16)]),
                  s.encode())


PIECES = [b"\\", b"\\\\", b"x", b"x4", b"\\x41", b"'", b'"', b"\n", b"\t", b"\x1b[31m",
          b"\x7f", b"\xc2\x85", b"\xe9", b"\xff", b"\xc3\xa9", b"\xe2\x82\xac",
          b"\xf0\x9f\x98\x80", b"\xed\xa0\x80", b"\xe2\x82", b"a", b" ", b"$HOME"]


def random_bytes(rng, n_max=12):
    out = b""
    for _ in range(rng.randrange(n_max + 1)):
        out += (rng.choice(PIECES) if rng.random() < 0.7
                else bytes([rng.randrange(1, 256)]))
    return out


def random_name(rng, i):
    """A file name of random bytes: no slash, no NUL, never . or .."""
    raw = random_bytes(rng, 8).replace(b"/", b"_")
    return b"r%d-" % i + raw + b".json"


def is_text(value):
    """No control characters in any string (keys included)."""
    if isinstance(value, str):
        return not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in value)
    if isinstance(value, dict):
        return all(is_text(k) and is_text(v) for k, v in value.items())
    if isinstance(value, list):
        return all(is_text(v) for v in value)
    return True


def can_set_hostname():
    if not shutil.which("unshare"):
        return False
    p = subprocess.run(["unshare", "--uts", "sh", "-c",
                        "printf 'x' > /proc/sys/kernel/hostname"], capture_output=True)
    return p.returncode == 0


def run_concbench(binary, args, hostname=None):
    argv = [os.fsencode(binary)] + args
    if hostname is not None:
        # The host name goes in through /proc, which takes any bytes.
        argv = [b"unshare", b"--uts", b"sh", b"-c",
                b'printf %s "$0" > /proc/sys/kernel/hostname && exec "$@"',
                hostname] + argv
    return subprocess.run(argv, capture_output=True, timeout=60)


def check_file(path, contexts, hostname):
    shown = os.fsdecode(path)
    with open(path, "rb") as f:
        raw = f.read()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        check(False, f"{shown!r} is UTF-8 JSON", str(e))
        return
    check(is_text(data), f"{shown!r}: no control character in any string")
    ctx = data["context"]
    for key, value in contexts.items():
        got = ctx["user"].get(key)
        check(got is not None and unescape(got) == value,
              f"{shown!r}: --context {key} reads back", f"{value!r} -> {got!r}")
        check(got is not None and value.replace(b"'", b"'\\''") in unescape(ctx["command"]),
              f"{shown!r}: the command line holds --context {key}")
    if hostname is not None:
        check(unescape(ctx["hostname"]) == hostname, f"{shown!r}: host name reads back",
              f"{hostname!r} -> {ctx['hostname']!r}")


def make_files(binary, work, rng):
    hostnames = can_set_hostname()
    if not hostnames:
        print("# host names not randomised: no unshare --uts here")
    files = []
    for i in range(RUNS):
        contexts = {f"k{j}": random_bytes(rng) for j in range(rng.randrange(1, 4))}
        out = os.path.join(os.fsencode(work), random_name(rng, i))
        # /proc stops a host name at a newline: none in it.
        hostname = (random_bytes(rng, 10).replace(b"\n", b"n") + b"h"
                    if hostnames and i % 2 else None)
        args = [b"-m", rng.choice([b"threads", b"threads,processes,serial"]), b"-t", b"cpu",
                b"-n", b"1", b"--iterations=2000", b"-r", b"2", b"-w", b"0", b"-q",
                b"-o", out]
        for key, value in contexts.items():
            args += [b"--context", key.encode() + b"=" + value]
        p = run_concbench(binary, args, hostname)
        if check(p.returncode == 0, f"run {i} writes its file",
                 f"exit {p.returncode}: {p.stderr!r}"):
            check_file(out, contexts, hostname)
            files.append(out)
    return files


def check_readers(binary, work, files):
    b = os.fsencode(binary)
    for f in files:
        p = subprocess.run([b, b"report", f], capture_output=True, timeout=60)
        check(p.returncode == 0, f"report {f!r}", p.stderr.decode(errors="replace"))
    for base, new in zip(files, files[1:] + files[:1]):
        out = os.path.join(os.fsencode(work), b"cmp\xff.json")
        p = subprocess.run([b, b"compare", base, new, b"-f", b"json", b"-o", out],
                           capture_output=True, timeout=60)
        check(p.returncode in (0, 1), f"compare {base!r} {new!r}",
              f"exit {p.returncode}: {p.stderr!r}")
        if p.returncode in (0, 1):
            with open(out, "rb") as fh:
                data = json.loads(fh.read().decode("utf-8"))
            check(is_text(data) and unescape(data["base"]["path"]) == base,
                  f"compare's JSON names {base!r} as text")
    p = subprocess.run([b, b"-m", b"threads", b"-t", b"cpu", b"-n", b"1",
                        b"--iterations=2000", b"-r", b"2", b"-w", b"0", b"-q",
                        b"-o", b"/dev/null", b"--compare-to", files[0]],
                       capture_output=True, timeout=60)
    check(p.returncode in (0, 1), f"--compare-to {files[0]!r}", repr(p.stderr))


def check_messages(binary, work, files):
    """Messages name files escaped too: one line of UTF-8 text."""
    b = os.fsencode(binary)
    bad = os.path.join(os.fsencode(work), b"no\xff\x1b[31m", b"x.json")
    for args, shown in (([b"report", files[0], b"-o", bad], b"no\\xff\\x1b[31m"),
                        ([b"report", bad], b"no\\xff\\x1b[31m")):
        p = subprocess.run([b, *args], capture_output=True, timeout=60)
        try:
            err = p.stderr.decode("utf-8")
        except UnicodeDecodeError:
            err = None
        check(p.returncode != 0 and err is not None and err.count("\n") == 1
              and shown.decode() in err and is_text(err.rstrip("\n")),
              f"{args[0].decode()} names {bad!r} as text", repr(p.stderr))


def pick_python():
    for python in (sys.executable, "/usr/bin/python3"):
        if python and os.path.exists(python) and subprocess.run(
                [python, "-c", "import matplotlib"], capture_output=True).returncode == 0:
            return python
    return None


def check_plots(source, work, files):
    python = pick_python()
    if not python:
        print("# plot scripts skipped: no Python with matplotlib")
        return
    env = dict(os.environ, MPLBACKEND="Agg", MPLCONFIGDIR=os.path.join(work, "mpl"))
    scripts = os.fsencode(os.path.join(source, "scripts"))
    png = os.path.join(os.fsencode(work), b"plot\xe9.png")
    cases = [
        [b"plot_scaling.py", *files],
        [b"plot_machines.py", *files],
        [b"plot_distribution.py", files[0]],
        [b"plot_timeline.py", files[-1], b"--bench", b"cpu/threads/1"],
    ]
    for script, *args in cases:
        p = subprocess.run([python, os.path.join(scripts, script), *args, b"-o", png,
                            b"--dpi", b"40"], capture_output=True, env=env, timeout=120)
        check(p.returncode == 0, f"{script.decode()} reads every file",
              f"exit {p.returncode}: {p.stderr.decode(errors='replace')}")


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[-5], file=sys.stderr)
        return 2
    seed = int(sys.argv[3] if len(sys.argv) > 3 else os.environ.get("CB_TEST_SEED", 13))
    print(f"# seed {seed}")
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="cb-text-") as work:
        files = make_files(sys.argv[1], work, rng)
        if files:
            check_readers(sys.argv[1], work, files)
            check_messages(sys.argv[1], work, files)
            check_plots(sys.argv[2], work, files)
    print(f"{passed} passed, {failed} failed (seed {seed})")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
