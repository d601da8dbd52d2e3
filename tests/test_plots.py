#!/usr/bin/env python3
"""ctest: runs every plotting script in scripts/ on result files made by the
built concbench, to PNG and SVG, and checks that bad input exits 2 and
leaves no output behind.

usage: test_plots.py CONCBENCH_BINARY SOURCE_DIR

Exits 77 (ctest: skipped) when no Python here has matplotlib."""

import json
import os
import subprocess
import sys
import tempfile

SKIP = 77
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SCRIPTS = ("plot_scaling.py", "plot_timeline.py", "plot_distribution.py",
           "plot_machines.py", "plot_latency.py")

passed = failed = 0


def check(cond, what, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print(f"ok - {what}")
    else:
        failed += 1
        print(f"FAIL - {what}" + (f": {detail}" if detail else ""))
    return cond


def has_matplotlib(python):
    try:
        return subprocess.run([python, "-c", "import matplotlib"],
                              capture_output=True, timeout=60).returncode == 0
    except OSError:
        return False


def pick_python():
    """This interpreter if it has matplotlib, else Debian's (where
    python3-matplotlib installs), e.g. when python3 on PATH is a pyenv one."""
    for python in (sys.executable, "/usr/bin/python3"):
        if python and os.path.exists(python) and has_matplotlib(python):
            return python
    return None


class Runner:
    def __init__(self, python, scripts_dir, env):
        self.python, self.dir, self.env = python, scripts_dir, env

    def __call__(self, script, *args):
        return subprocess.run([self.python, os.path.join(self.dir, script), *args],
                              capture_output=True, text=True, env=self.env,
                              timeout=120)


def leftovers(d):
    return [f for f in os.listdir(d) if f.startswith(".") or f.endswith(".tmp")]


def make_results(concbench, work, env):
    common = ["-w", "0", "-q", "--iterations=200k", "--sleep=2ms", "--fib=18"]
    runs = {
        "r.json": ["-m", "threads,processes,serial", "-t", "cpu,io,fib", "-n", "1,2",
                   "-r", "3"],
        "b.json": ["-m", "threads,processes,serial", "-t", "cpu", "-n", "2", "-r", "2",
                   "--start=barrier"],
        # The other models: pools (dispatch, queue wait, completion), the loop.
        "p.json": ["-m", "threads,thread-pool,process-pool,loop,serial", "-t", "io,cpu",
                   "-n", "1,4", "-r", "2", "--pool-size=2"],
    }
    for name, args in runs.items():
        out = os.path.join(work, name)
        p = subprocess.run([concbench, *args, *common, "-o", out], capture_output=True,
                           text=True, env=env, timeout=120)
        if not check(p.returncode == 0 and os.path.getsize(out) > 0,
                     f"concbench makes {name}", f"exit {p.returncode}: {p.stderr.strip()}"):
            return False
    return True


def test_outputs(run, work):
    r, b = os.path.join(work, "r.json"), os.path.join(work, "b.json")
    cases = [
        ("plot_scaling.py", [r]),
        ("plot_scaling.py", [r, b, "--task", "cpu", "--title", "two files"]),
        ("plot_timeline.py", [b, "--bench", "cpu/threads/2", "--bench", "cpu/processes/2"]),
        ("plot_timeline.py", [r, "--bench", "io/serial/2", "--sample", "0"]),
        ("plot_distribution.py", [r]),
        ("plot_distribution.py", [r, "--violin", "--log", "--task", "io"]),
        ("plot_machines.py", [r, b]),
        ("plot_machines.py", [r, b, "--bench", "cpu/threads/2", "--metric", "spawn",
                              "--label", "first", "--label", "second"]),
    ]
    for i, (script, args) in enumerate(cases):
        for fmt in ("png", "svg"):
            out = os.path.join(work, "out", f"{i}-{script[:-3]}.{fmt}")
            p = run(script, *args, "-o", out, "--dpi", "60")
            what = f"{script} {' '.join(os.path.basename(a) for a in args)} -> .{fmt}"
            if not check(p.returncode == 0, what, f"exit {p.returncode}: {p.stderr.strip()}"):
                continue
            size = os.path.getsize(out) if os.path.exists(out) else 0
            check(size > 0, f"{what}: file written and non-empty")
            with open(out, "rb") as f:
                head = f.read(512)
            if fmt == "png":
                check(head.startswith(PNG_MAGIC), f"{what}: PNG magic bytes", repr(head[:8]))
            else:
                check(b"<svg" in head, f"{what}: SVG document", repr(head[:40]))
    check(not leftovers(os.path.join(work, "out")), "no temporary files left behind",
          str(leftovers(os.path.join(work, "out"))))


def test_latency(run, concbench, work):
    """plot_latency.py draws the pools' and the loop's percentiles; a file
    without them, a task without them and a malformed latency object are
    each one line, exit 2; plot_scaling.py draws the new modes with a
    speed-up over serial and labels them by mode alone."""
    p_json = os.path.join(work, "p.json")
    out = os.path.join(work, "out", "lat.png")
    p = run("plot_scaling.py", p_json, "-o", os.path.join(work, "out", "models.png"))
    check(p.returncode == 0 and "no speed-up" not in p.stderr,
          "plot_scaling.py: every new mode gets a speed-up over serial", p.stderr[-400:])
    with open(p_json) as f:
        data = json.load(f)
    modes = {b["mode"] for b in data["benchmarks"] if "pool" in b or "loop" in b}
    check(modes == {"thread-pool", "process-pool", "loop"},
          "the pools and the loop write their latency objects", repr(modes))
    code = ("import json, sys; sys.path.insert(0, sys.argv[1]); import cbplot; "
            "d = cbplot.load(sys.argv[2]); "
            "keys = [cbplot.series_key(b) for b in d['benchmarks'] if b['task'] == 'io']; "
            "print(sorted(set(cbplot.series_labels(keys).values())))")
    q = subprocess.run([run.python, "-c", code, run.dir, p_json], capture_output=True,
                       text=True, env=run.env)
    check(q.stdout.strip() == "['loop', 'process-pool', 'serial', 'thread-pool', 'threads']",
          "scaling labels: the mode, without the choices no other series of it "
          "differs in", repr(q.stdout + q.stderr))
    for args in ([p_json], [p_json, p_json, "--task", "io"]):
        p = run("plot_latency.py", *args, "-o", out)
        check(p.returncode == 0 and os.path.getsize(out) > 0,
              f"plot_latency.py {len(args)} args", p.stderr[-300:])
    bad = dict(data)
    bench = next(b for b in bad["benchmarks"] if "pool" in b)
    bench["pool"]["dispatch_s"]["p99"] = "slow"
    broken = os.path.join(work, "badpool.json")
    with open(broken, "w") as f:
        json.dump(bad, f)
    r_json = os.path.join(work, "r.json")
    for args, what in (([r_json], "no pool or loop"), ([p_json, "--task", "fib"], "--task fib"),
                       ([broken], "pool.dispatch_s.p99 not a number")):
        p = run("plot_latency.py", *args, "-o", out)
        check(p.returncode == 2 and one_clean_line(p.stderr),
              f"plot_latency.py refuses {what}: one clean line, exit 2",
              f"exit {p.returncode}: {p.stderr[-300:]!r}")
    p = subprocess.run([concbench, "report", broken], capture_output=True, text=True,
                       timeout=60)
    check(p.returncode == 2 and "pool.dispatch_s.p99 is not a number" in p.stderr,
          "concbench report refuses it too", p.stderr[-300:])


def test_run_choices(source):
    """cbplot.RUN_CHOICES is every option concbench records beside params
    that tells benchmarks apart (.json = CB_JSON_BESIDE, .distinguishes)."""
    import ast
    import glob
    import re
    want = set()
    for path in [os.path.join(source, "src", "options.c")] + \
            glob.glob(os.path.join(source, "src", "tasks", "*.c")):
        with open(path) as f:
            text = f.read()
        for entry in re.split(r"\{\s*\.flag\s*=", text)[1:]:
            m = re.search(r'\.json_name\s*=\s*"([^"]+)"', entry)
            if m and "CB_JSON_BESIDE" in entry and re.search(r"\.distinguishes\s*=\s*true",
                                                             entry):
                want.add(m.group(1))
    # Read, not imported: importing cbplot here would re-run this test
    # under a Python with matplotlib.
    with open(os.path.join(source, "scripts", "cbplot.py")) as f:
        tree = ast.parse(f.read())
    have = next(set(ast.literal_eval(n.value)) for n in tree.body
                if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "RUN_CHOICES")
    check(want and have == want,
          "cbplot.RUN_CHOICES names every distinguishing option beside params",
          f"missing {sorted(want - have)}, extra {sorted(have - want)}")


def test_failed_cell(run, work):
    """A crashed worker is drawn as such, and its cell left out of summaries."""
    with open(os.path.join(work, "r.json")) as f:
        data = json.load(f)
    bench = next(b for b in data["benchmarks"] if b["name"] == "cpu/threads/2")
    bench["status"] = "crashed: SIGSEGV"
    bench["samples"][0]["workers"][1] = {"id": 1, "status": "crashed: SIGSEGV"}
    failed = os.path.join(work, "failed.json")
    with open(failed, "w") as f:
        json.dump(data, f)
    out = os.path.join(work, "out", "failed.png")
    p = run("plot_scaling.py", failed, "-o", out)
    check(p.returncode == 0 and "skipping cpu/threads/2" in p.stderr,
          "plot_scaling.py skips a failed cell with a warning",
          f"exit {p.returncode}: {p.stderr.strip()!r}")
    p = run("plot_timeline.py", failed, "--bench", "cpu/threads/2", "--sample", "0",
            "-o", out)
    check(p.returncode == 0, "plot_timeline.py draws a crashed worker",
          f"exit {p.returncode}: {p.stderr.strip()!r}")


def test_help(run):
    for script in SCRIPTS:
        p = run(script, "--help")
        check(p.returncode == 0 and "example:" in p.stdout and "usage:" in p.stdout,
              f"{script} --help shows usage and an example", p.stderr.strip())


def test_bad_input(run, work):
    r = os.path.join(work, "r.json")
    bad = os.path.join(work, "bad")
    os.makedirs(bad)
    files = {
        "garbage.json": "this is not json{",
        "other.json": json.dumps({"hello": "world"}),
        "future.json": json.dumps({"schema_version": 99, "benchmarks": []}),
        "empty.json": json.dumps({"schema_version": 1, "benchmarks": []}),
        "badtype.json": json.dumps({"schema_version": 1, "benchmarks": [
            {"name": "cpu/threads/1", "task": "cpu", "mode": "threads", "workers": 1,
             "samples": [{"wall_s": "fast"}]}]}),
        # What concbench's own loader refuses, the scripts refuse too.
        "deep.json": "[" * 100000 + "]" * 100000,
        "dupkey.json": '{"schema_version": 1, "benchmarks": [], "benchmarks": []}',
        "nan.json": '{"schema_version": 1, "benchmarks": [], "x": NaN}',
    }
    for name, text in files.items():
        with open(os.path.join(bad, name), "w") as f:
            f.write(text)
    missing = os.path.join(bad, "missing.json")
    file_cases = [(script, path) for path in
                  [missing] + [os.path.join(bad, n) for n in files]
                  for script in SCRIPTS]
    cases = [(s, [p] + (["--bench", "cpu/threads/1"] if s == "plot_timeline.py" else []),
              os.path.basename(p)) for s, p in file_cases]
    cases += [
        ("plot_timeline.py", [r, "--bench", "nope/threads/1"], "unknown bench"),
        ("plot_distribution.py", [r, "--bench", "nope/threads/1"], "unknown bench"),
        ("plot_machines.py", [r, r, "--bench", "nope/threads/1"], "unknown bench"),
        ("plot_scaling.py", [r, "--task", "nope"], "unknown task"),
        ("plot_timeline.py", [r, "--bench", "cpu/threads/1", "--sample", "99"],
         "sample out of range"),
        ("plot_machines.py", [r, r, "--label", "only-one"], "one --label for two files"),
        ("plot_timeline.py", [r], "no --bench"),
    ]
    out = os.path.join(bad, "keep.png")
    for script, args, what in cases:
        with open(out, "wb") as f:
            f.write(b"old")
        p = run(script, *args, "-o", out)
        lines = p.stderr.strip().splitlines()
        ok = p.returncode == 2 and lines and "error" in lines[-1]
        check(ok, f"{script} {what}: exit 2 with an error",
              f"exit {p.returncode}: {p.stderr.strip()!r}")
        check(len(lines) == 1, f"{script} {what}: error is one line", repr(p.stderr))
        if what.endswith(".json"):
            check(what in p.stderr, f"{script} {what}: error names the file",
                  repr(p.stderr))
        with open(out, "rb") as f:
            check(f.read() == b"old", f"{script} {what}: existing output untouched")
    for ext in ("jpg", "png"):
        target = (os.path.join(bad, "x.jpg") if ext == "jpg"
                  else os.path.join(bad, "no-such-dir", "x.png"))
        p = run("plot_scaling.py", r, "-o", target)
        check(p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1
              and not os.path.exists(target),
              f"plot_scaling.py bad output path ({os.path.relpath(target, bad)}): exit 2",
              f"exit {p.returncode}: {p.stderr.strip()!r}")
    check(not leftovers(bad), "no temporary files left after errors", str(leftovers(bad)))


def run_as(argv, env):
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)


def test_python_choice(python, scripts, work, env):
    """A script run by a Python without matplotlib re-runs itself under one
    that has it ($CONCBENCH_PYTHON here, /usr/bin/python3 or a python3 on
    PATH otherwise); with none, one error line and exit 1."""
    r = os.path.join(work, "r.json")
    script = os.path.join(scripts, "plot_distribution.py")
    out = os.path.join(work, "out", "python.png")
    env = dict(env, CONCBENCH_PYTHON=python)
    # As an executable: its shebang takes whichever python3 is first on PATH.
    p = run_as([script, r, "-o", out], env)
    check(p.returncode == 0 and os.path.exists(out),
          "run as a command, with any python3 first on PATH: draws",
          f"exit {p.returncode}: {p.stderr.strip()!r}")
    # python -S: no site-packages, so no matplotlib in this interpreter.
    if subprocess.run([python, "-S", "-c", "import matplotlib"],
                      capture_output=True).returncode == 0:
        print("# skip: matplotlib is importable without site-packages; "
              "cannot start a Python without it")
        return
    if os.path.exists(out):
        os.unlink(out)
    p = run_as([python, "-S", script, r, "-o", out], env)
    check(p.returncode == 0 and os.path.exists(out) and not p.stderr.strip(),
          "a Python without matplotlib re-runs the script under one with it",
          f"exit {p.returncode}: {p.stderr.strip()!r}")
    if os.path.exists(out):
        os.unlink(out)
    p = run_as([python, "-S", script, r, "-o", out], dict(env, CONCBENCH_PYTHON="/bin/false"))
    lines = p.stderr.strip().splitlines()
    check(p.returncode == 1 and len(lines) == 1 and "no Python here has matplotlib" in lines[0]
          and "CONCBENCH_PYTHON" in lines[0] and not os.path.exists(out),
          "no Python with matplotlib: one error line naming the fix, exit 1",
          f"exit {p.returncode}: {p.stderr.strip()!r}")
    # Bad input is still reported as such, without matplotlib.
    p = run_as([python, "-S", script, os.path.join(work, "missing.json"), "-o", out],
               dict(env, CONCBENCH_PYTHON="/bin/false"))
    check(p.returncode == 2 and "missing.json" in p.stderr,
          "no matplotlib, bad input: exit 2 naming the file", repr(p.stderr))


def test_pooling(run, work):
    """Pooling files whose usable CPUs or cell parameters differ: one
    warning each; alike files: none."""
    r = os.path.join(work, "r.json")
    with open(r) as f:
        data = json.load(f)
    data["context"]["usable_cpus"] = 1
    data["context"]["logical_cpus"] = 2
    for b in data["benchmarks"]:
        if b["task"] == "cpu":
            b["params"]["iterations"] *= 2
    other = os.path.join(work, "other.json")
    with open(other, "w") as f:
        json.dump(data, f)
    out = os.path.join(work, "out", "pooled.png")
    p = run("plot_scaling.py", r, r, "-o", out)
    check(p.returncode == 0 and "pooling" not in p.stderr,
          "pooling alike files: no warning", repr(p.stderr))
    p = run("plot_scaling.py", r, other, "-o", out)
    lines = p.stderr.strip().splitlines()
    cpus = [x for x in lines if "pooling files with different usable CPUs" in x]
    params = [x for x in lines if "pooling files whose parameters differ" in x]
    check(p.returncode == 0 and len(cpus) == 1 and "r.json 2" in cpus[0]
          and "other.json 1" in cpus[0],
          "pooling files with other usable CPUs: one warning naming both", repr(p.stderr))
    check(len(params) == 1 and "cpu/" in params[0] and "iterations=" in params[0]
          and "more)" in params[0],
          "pooling files with other parameters: one warning naming a cell", repr(p.stderr))


def test_labels(python, scripts, work):
    """Machines are labelled with usable CPUs and --context labels."""
    code = ("import json, sys; sys.path.insert(0, sys.argv[1]); import cbplot; "
            "print(cbplot.machine_label(json.load(open(sys.argv[2]))))")
    ctx = {"context": {"hostname": "box", "cpu_model": "Test CPU", "usable_cpus": 1,
                       "logical_cpus": 4, "user": {"commit": "abc123", "runner": "ci"}}}
    path = os.path.join(work, "ctx.json")
    with open(path, "w") as f:
        json.dump(ctx, f)
    p = subprocess.run([python, "-c", code, scripts, path], capture_output=True, text=True)
    check(p.stdout.strip() == "box · Test CPU · 1 of 4 CPUs usable · commit=abc123, runner=ci",
          "machine label: host, CPU, usable CPUs, --context labels", repr(p.stdout + p.stderr))
    ctx["context"].update(usable_cpus=2, logical_cpus=2, user={})
    with open(path, "w") as f:
        json.dump(ctx, f)
    p = subprocess.run([python, "-c", code, scripts, path], capture_output=True, text=True)
    check(p.stdout.strip() == "box · Test CPU · 2 CPUs", "machine label: all CPUs usable",
          repr(p.stdout + p.stderr))


def one_clean_line(text):
    """One line, no traceback, no control character (ESC, C1) echoed raw."""
    return (text.count("\n") == 1 and "Traceback" not in text and
            not any(ord(c) < 0x20 and c != "\n" or 0x7F <= ord(c) < 0xA0 for c in text))


def test_same_as_loader(run, concbench, source, work):
    """The scripts refuse exactly what concbench refuses (tests/data/bad,
    and what is not a regular file or a pipe), each with one clean line
    and exit 2; what concbench reads, they read."""
    import socket
    data = os.path.join(source, "tests", "data")
    odd = os.path.join(work, "odd")
    os.makedirs(odd)
    fifo, sock = os.path.join(odd, "fifo"), os.path.join(odd, "sock")
    os.mkfifo(fifo)
    s = socket.socket(socket.AF_UNIX)
    s.bind(sock)
    bad = sorted(os.path.join(data, "bad", n) for n in os.listdir(os.path.join(data, "bad")))
    for path in bad + ["/dev/zero", fifo, sock, odd]:
        name = os.path.relpath(path, data) if path.startswith(data) else path
        p = subprocess.run([concbench, "report", path], capture_output=True, timeout=60)
        check(p.returncode == 2, f"concbench report refuses {name}", f"exit {p.returncode}")
        # One shared reader: every case through one script, a few through another.
        scripts = ["plot_scaling.py"] + (["plot_distribution.py"]
                                         if name in (fifo, "bad/c1.json") else [])
        for script in scripts:
            q = run(script, path, "-o", os.path.join(work, "out", "odd.png"))
            check(q.returncode == 2 and one_clean_line(q.stderr),
                  f"{script} refuses {name}: one clean line, exit 2",
                  f"exit {q.returncode}: {q.stderr[-300:]!r}")
    s.close()
    for name in ("base.json", "params.json", "failed.json"):
        q = run("plot_scaling.py", os.path.join(data, name), "-o",
                os.path.join(work, "out", "good.png"))
        check(q.returncode == 0, f"plot_scaling.py reads {name} as concbench does",
              q.stderr[-300:])
    # Wall times of 0 (a file may hold them): no ZeroDivisionError.
    with open(os.path.join(data, "base.json")) as f:
        zero = json.load(f)
    for b in zero["benchmarks"]:
        for smp in b["samples"]:
            smp["wall_s"] = 0
    path = os.path.join(odd, "zero.json")
    with open(path, "w") as f:
        json.dump(zero, f)
    for script in ("plot_scaling.py", "plot_distribution.py"):
        q = run(script, path, "-o", os.path.join(work, "out", "zero.png"))
        check(q.returncode == 0 and "Traceback" not in q.stderr,
              f"{script}: wall times of 0 plot without a traceback", q.stderr[-300:])


def test_many_cells(run, work):
    """5,000 benchmarks (500 modes x 10 worker counts, as a file from a
    build with many modes could hold) plot within the runner's 120 s: the
    boxes are drawn as collections, not half a dozen artists each (which
    took about a minute here, quiet)."""
    with open(os.path.join(work, "r.json")) as f:
        d = json.load(f)
    b0 = next(b for b in d["benchmarks"] if b["status"] == "ok" and b["workers"] == 1)
    w0 = b0["samples"][0]["workers"][0]
    big = dict(d, benchmarks=[])
    for m in range(500):
        for n in range(1, 11):
            b = dict(b0, mode=f"m{m}", workers=n, name=f"{b0['task']}/m{m}/{n}",
                     repetitions=3)
            b["samples"] = [dict(s, workers=[dict(w0, id=i) for i in range(n)])
                            for s in b0["samples"][:3]]
            big["benchmarks"].append(b)
    path = os.path.join(work, "many.json")
    with open(path, "w") as f:
        json.dump(big, f)
    p = run("plot_distribution.py", path, "-o", os.path.join(work, "out", "many.png"))
    check(p.returncode == 0, "plot_distribution.py draws 5,000 benchmarks",
          p.stderr.strip()[-300:])


def main():
    if len(sys.argv) != 3:
        print("usage: test_plots.py CONCBENCH_BINARY SOURCE_DIR", file=sys.stderr)
        return 2
    concbench, source = sys.argv[1], sys.argv[2]
    python = pick_python()
    if python is None:
        print("SKIP: python3-matplotlib not installed")
        return SKIP
    print(f"# plotting with {python}")
    with tempfile.TemporaryDirectory(prefix="cb-plots-") as work:
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1",
                   MPLCONFIGDIR=os.path.join(work, "mpl"))
        os.makedirs(os.path.join(work, "out"))
        run = Runner(python, os.path.join(source, "scripts"), env)
        test_help(run)
        if make_results(concbench, work, env):
            test_outputs(run, work)
            test_latency(run, concbench, work)
            test_failed_cell(run, work)
            test_bad_input(run, work)
            test_pooling(run, work)
            test_same_as_loader(run, concbench, source, work)
            test_many_cells(run, work)
            test_python_choice(python, os.path.join(source, "scripts"), work, env)
        test_labels(python, os.path.join(source, "scripts"), work)
        test_run_choices(source)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
