"""Shared code of the concbench plotting scripts (scripts/plot_*.py).

Loads and validates concbench result files (JSON, schema_version 1),
picks cells and samples, and writes figures atomically. Standard library
only; matplotlib is imported by setup_matplotlib(), after the input has been
checked, so bad input is reported even where matplotlib is missing.

Exit status of every script: 0 success, 1 matplotlib missing or plotting
failed, 2 usage or input error (one line on stderr), 130 interrupted.

The Python that runs a script need not have matplotlib: importing this
module re-runs the script under the first Python that has it, from
$CONCBENCH_PYTHON if set, else /usr/bin/python3 (where Debian's
python3-matplotlib goes) and every python3 on PATH. So `python3` first on
PATH being a pyenv or venv one without matplotlib does not matter.
"""

import argparse
import importlib.util
import json
import math
import os
import stat
import statistics
import subprocess
import sys
import tempfile
import warnings

SCHEMA_VERSION = 1
FORMATS = {".png": "png", ".svg": "svg"}

# One colour and marker per mode, the same in every plot.
MODE_STYLE = {
    "threads": ("#1f77b4", "o"),
    "processes": ("#d62728", "s"),
    "serial": ("#7f7f7f", "^"),
}
# Any other mode (thread-pool, process-pool, loop, hybrid, whatever a later
# concbench adds): the next colour and marker, in the order the data names it.
_EXTRA_COLOURS = ["#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf"]
_EXTRA_MARKERS = ["D", "v", "P", "X", "<", "*"]


PYTHON_ENV = "CONCBENCH_PYTHON"
_REEXEC_ENV = "CONCBENCH_PLOT_REEXEC"  # set in the re-run: never loop
_tried_pythons = []


def _has_matplotlib(python):
    try:
        return subprocess.run([python, "-c", "import matplotlib"],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=60).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _python_candidates():
    """$CONCBENCH_PYTHON alone if set, else /usr/bin/python3 and each
    python3 on PATH, each interpreter once."""
    forced = os.environ.get(PYTHON_ENV)
    if forced:
        names = [forced]
    else:
        names = ["/usr/bin/python3"] + [os.path.join(d or ".", "python3") for d in
                                        os.environ.get("PATH", "").split(os.pathsep)]
    seen = set()
    for name in names:
        real = os.path.realpath(name)
        if real not in seen and os.path.isfile(real) and os.access(real, os.X_OK):
            seen.add(real)
            yield name


def _rerun_with_matplotlib():
    """Replaces this process by the same script under a Python that has
    matplotlib, when this one has none; returns if there is none either
    (setup_matplotlib then says so)."""
    if importlib.util.find_spec("matplotlib") is not None:
        return
    _tried_pythons.append(sys.executable)
    if os.environ.get(_REEXEC_ENV) or not sys.argv or not sys.argv[0]:
        return
    for python in _python_candidates():
        _tried_pythons.append(python)
        if _has_matplotlib(python):
            os.environ[_REEXEC_ENV] = "1"
            sys.stdout.flush()
            sys.stderr.flush()
            os.execv(python, [python] + sys.argv)


_rerun_with_matplotlib()


class InputError(Exception):
    """Bad usage or input: reported as one line, exit status 2."""


def prog():
    return os.path.basename(sys.argv[0]) or "cbplot"


def clean(text):
    """text with every control character (C0, DEL, C1) and every byte that
    was not UTF-8 (a surrogate escape) written as \\xNN, as concbench
    escapes: nothing from a file or an argument reaches the terminal raw."""
    out = []
    for ch in str(text):
        o = ord(ch)
        if o < 0x20 or o == 0x7F or 0x80 <= o < 0xA0:
            out.append("".join(f"\\x{b:02x}" for b in ch.encode("utf-8")))
        elif 0xDC80 <= o <= 0xDCFF:
            out.append(f"\\x{o - 0xDC00:02x}")
        elif 0xD800 <= o <= 0xDFFF:
            out.append("?")
        else:
            out.append(ch)
    return "".join(out)


def run(main):
    """Runs main(), turning InputError into one line on stderr and exit 2.
    numpy's and matplotlib's warnings (several lines each) are silenced:
    what matters about the input is said in one line."""
    warnings.filterwarnings("ignore")
    try:
        rc = main()
    except InputError as e:
        print(f"{prog()}: error: {clean(e)}", file=sys.stderr)
        rc = 2
    except KeyboardInterrupt:
        rc = 130
    sys.exit(rc or 0)


def warn(msg):
    print(f"{prog()}: warning: {clean(msg)}", file=sys.stderr)


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line on stderr, exit 2, like concbench itself."""

    def error(self, message):
        print(f"{self.prog}: error: {clean(message)}; see {self.prog} --help",
              file=sys.stderr)
        sys.exit(2)


def make_parser(description, example):
    """An ArgumentParser whose --help ends with an example."""
    return _Parser(
        description=description,
        epilog=f"example:\n  {example}\n\nexit status: 0 success, 1 matplotlib "
               "missing or plotting failed, 2 usage or input error",
        formatter_class=argparse.RawDescriptionHelpFormatter)


def _dpi(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 10 <= value <= 1200:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number from 10 to 1200")
    return value


def add_output_args(parser):
    parser.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="image to write: .png or .svg (replaced atomically)")
    parser.add_argument("--dpi", type=_dpi, default=100,
                        help="resolution of a PNG, 10 to 1200 (default: 100)")
    parser.add_argument("--title", help="figure title (default: derived from the input)")


# ---------------------------------------------------------------- loading

def _is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _check(cond, path, where, what):
    if not cond:
        raise InputError(f"{path}: {where}: {what}")


def _is_text(v):
    """A string concbench could have written: no control character (C0,
    DEL, C1), no lone surrogate."""
    return isinstance(v, str) and not any(
        ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or 0xD800 <= ord(c) <= 0xDFFF for c in v)


def _check_strings(obj, path, where, keys, need):
    for key in keys:
        if key not in obj and not need:
            continue
        _check(_is_text(obj.get(key)), path, f"{where}.{key}",
               "expected a string without control characters")


def _validate_sample(s, b, path, sw):
    _check(isinstance(s, dict), path, sw, "expected an object")
    for key in ("wall_s", "user_s", "sys_s"):
        _check(_is_num(s.get(key)) and s[key] >= 0, path, f"{sw}.{key}",
               "expected a number >= 0")
    workers = s.get("workers")
    _check(isinstance(workers, list), path, f"{sw}.workers", "expected an array")
    _check(len(workers) == b["workers"], path, f"benchmark \"{b['name']}\": {sw}",
           f"has {len(workers)} worker records, but workers is {b['workers']}")
    for j, rec in enumerate(workers):
        _check(isinstance(rec, dict), path, f"{sw}.workers[{j}]", "expected an object")
        for key in ("spawn_s", "start_s", "end_s", "create_s", "first_s"):
            if rec.get(key) is not None:
                _check(_is_num(rec[key]), path, f"{sw}.workers[{j}].{key}",
                       "expected a number")


def _validate_bench(b, path, where):
    """What concbench's loader checks of one benchmark (src/load.c)."""
    _check(isinstance(b, dict), path, where, "expected an object")
    _check_strings(b, path, where, ("name", "task", "mode", "start", "status"), True)
    _check(b["name"] != "", path, f"{where}.name", "expected a non-empty string")
    w = b.get("workers")
    _check(_is_num(w) and w == int(w) and 1 <= w <= 100000, path, f"{where}.workers",
           "expected a whole number from 1 to 100000")
    b["workers"] = int(w)
    want = f"{b['task']}/{b['mode']}/{b['workers']}"
    _check(b["name"] == want, path, f"benchmark \"{b['name']}\"",
           f"its task, mode and workers make \"{want}\"")
    _check(isinstance(b.get("params"), dict), path, f"{where}.params", "expected an object")
    for key, v in b["params"].items():
        _check(_is_text(key), path, f"{where}.params", "a key with a control character")
        _check(_is_num(v) and v >= 0, path, f"{where}.params.{key}", "expected a number >= 0")
    samples = b.get("samples")
    _check(isinstance(samples, list), path, f"{where}.samples", "expected an array")
    reps = b.get("repetitions")
    if reps is not None:
        _check(_is_num(reps), path, f"{where}.repetitions", "expected a number")
        _check(reps == len(samples), path, f"benchmark \"{b['name']}\"",
               f"repetitions is {reps:g}, but it has {len(samples)} samples")
    for k, s in enumerate(samples):
        _validate_sample(s, b, path, f"{where}.samples[{k}]")
    _validate_latency(b, path, where)


# A pool's and the event loop's latency objects, per benchmark, and the
# percentiles each holds (src/report_json.c: add_pool, add_loop).
LATENCIES = (("pool", "dispatch_s"), ("pool", "queue_wait_s"), ("pool", "completion_s"),
             ("loop", "lateness_s"))
PERCENTILES = ("median", "p90", "p99", "max")


def _validate_latency(b, path, where):
    """As concbench's loader: "pool" and "loop" are objects when present,
    each latency in them an object whose median and p99 are numbers >= 0
    or null (no job measured it); p90 and max, when present, the same."""
    for obj in ("pool", "loop"):
        if obj not in b:
            continue
        _check(isinstance(b[obj], dict), path, f"{where}.{obj}", "is not an object")
    for obj, key in LATENCIES:
        q = b.get(obj, {}).get(key)
        if q is None:
            continue
        w = f"{where}.{obj}.{key}"
        _check(isinstance(q, dict), path, w, "is not an object")
        for pct in PERCENTILES:
            if pct not in q and pct in ("p90", "max"):
                continue
            _check(pct in q, path, w, f"has no \"{pct}\"")
            v = q[pct]
            _check(v is None or (_is_num(v) and 0 <= v <= 1e9), path, f"{w}.{pct}",
                   "expected a number from 0 to 1e9 or null")


def latencies(b):
    """{(obj, key): {percentile: seconds}} of a validated benchmark, for
    the latencies it has; null percentiles left out."""
    out = {}
    for obj, key in LATENCIES:
        q = b.get(obj, {}).get(key)
        if isinstance(q, dict):
            vals = {p: q[p] for p in PERCENTILES if q.get(p) is not None}
            if vals:
                out[(obj, key)] = vals
    return out


def _validate(data, path):
    _check(isinstance(data, dict), path, "top level", "expected a JSON object")
    tool = data.get("tool")
    if "schema_version" not in data or not isinstance(tool, dict) or \
            tool.get("name") != "concbench":
        raise InputError(f"{path}: not a concbench result file (no schema_version and "
                         "tool.name \"concbench\")")
    ver = data["schema_version"]
    if ver != SCHEMA_VERSION or isinstance(ver, bool):
        raise InputError(f"{path}: unsupported schema_version {json.dumps(ver)} "
                         f"(these scripts read {SCHEMA_VERSION})")
    ctx = data.setdefault("context", {})
    _check(isinstance(ctx, dict), path, "context", "expected an object")
    _check_strings(tool, path, "tool", ("version", "build_type"), False)
    _check_strings(ctx, path, "context",
                   ("hostname", "os", "kernel", "arch", "cpu_model", "date"), False)
    benches = data.get("benchmarks")
    _check(isinstance(benches, list), path, "benchmarks", "expected an array")
    _check(len(benches) > 0, path, "benchmarks", "empty: nothing to plot")
    names = set()
    for i, b in enumerate(benches):
        _validate_bench(b, path, f"benchmarks[{i}]")
        _check(b["name"] not in names, path, f"benchmark \"{b['name']}\"", "appears twice")
        names.add(b["name"])
    return data


MAX_BYTES = 64 << 20  # as concbench's own loader


def _no_duplicates(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError(f'the key "{key}" appears twice in one object')
        obj[key] = value
    return obj


def _no_constant(name):
    raise ValueError(f"{name} is not a number JSON allows")


def _kind(mode):
    """None for what concbench reads (a regular file, a pipe), else what
    the file is."""
    if stat.S_ISREG(mode) or stat.S_ISFIFO(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _read(path):
    """The bytes of path, at most MAX_BYTES + 1, as concbench reads them:
    opened without blocking (a FIFO nobody writes to is empty, not a
    wait for ever), refused by kind if not a regular file or a pipe."""
    kind = _kind(os.stat(path).st_mode)
    if kind is None:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            kind = _kind(os.fstat(fd).st_mode)
            if kind is None:
                os.set_blocking(fd, True)  # a writer that is there is waited for
                with os.fdopen(fd, "rb", closefd=False) as f:
                    return f.read(MAX_BYTES + 1)
        finally:
            os.close(fd)
    raise InputError(f"{path}: is {kind}, not a result file; accepted: a regular file "
                     "or a pipe")


def load(path):
    """Reads and validates one result file; raises InputError. Refuses
    what concbench's loader refuses: over 64 MiB, not UTF-8, not JSON,
    NaN/Infinity, duplicate keys, nesting too deep to read."""
    try:
        raw = _read(path)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror}") from None
    if not raw:
        raise InputError(f"{path}: the file is empty; expected a concbench JSON result")
    if len(raw) > MAX_BYTES:
        raise InputError(f"{path}: larger than {MAX_BYTES >> 20} MiB")
    try:
        data = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates,
                          parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError) as e:
        raise InputError(f"{path}: not valid JSON: {e}") from None
    except RecursionError:
        raise InputError(f"{path}: not valid JSON: nested too deeply") from None
    return _validate(data, path)


def load_all(paths):
    return [(p, load(p)) for p in paths]


# ---------------------------------------------------------------- cells

def find_bench(data, path, name):
    """The benchmark called name in data; InputError naming the known ones."""
    for b in data["benchmarks"]:
        if b["name"] == name:
            return b
    names = [b["name"] for b in data["benchmarks"]]
    shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
    raise InputError(f"{path}: no benchmark named '{name}' (known: {shown})")


def ok_benches(data, path):
    """The benchmarks that ran cleanly; warns about the others."""
    out = []
    for b in data["benchmarks"]:
        if b["status"] != "ok":
            warn(f"{path}: skipping {b['name']}: status {b['status']}")
        elif not walls(b):
            warn(f"{path}: skipping {b['name']}: no samples")
        else:
            out.append(b)
    return out


def walls(b):
    return [s["wall_s"] for s in b["samples"]]


def median_sample(b):
    """Index of the sample whose wall time is the median (lower median)."""
    order = sorted(range(len(b["samples"])), key=lambda k: b["samples"][k]["wall_s"])
    if not order:
        raise InputError(f"{b['name']}: no samples")
    return order[(len(order) - 1) // 2]


def median(values):
    return statistics.median(values)


# What a cell's figures depend on beside task, mode, workers, start gate and
# params (which hold --gil): a choice recorded beside params.
# Every option concbench records beside params with .distinguishes set
# (src/options.c, src/tasks/*.c; test_plots.py checks the list is whole).
RUN_CHOICES = ("lock", "switch_channel", "switch_placement", "msg_channel", "transport",
               "pin", "stack_size_bytes", "pool_size", "chunk", "queue", "shape",
               "loop_block_s", "start_method")


def params_text(b):
    """The cell's params and run choices, 'k=v,k=v': cells that differ in
    it measure different things and are never pooled."""
    settings = dict(b["params"])
    settings.update({k: b[k] for k in RUN_CHOICES if k in b})
    return ",".join(f"{k}={v}" for k, v in sorted(settings.items()))


def series_key(b):
    """What a line (or a box colour) stands for: mode, start gate, params."""
    return (b["mode"], b["start"], params_text(b))


def series_labels(keys):
    """Short labels: the mode, then the start gate and the params and
    choices that tell this series from the others of the same mode (a
    pool's --chunk alone does not label it when no other pool series
    differs in it); what every series shares is left out."""
    out = {}
    for k in keys:
        same = [o for o in keys if o[0] == k[0]]
        extra = []
        if len({o[1] for o in same}) > 1:
            extra.append(k[1])
        items = k[2].split(",") if k[2] else []
        varying = [x for x in items if any(x not in o[2].split(",") for o in same)]
        if varying:
            extra.append(",".join(varying))
        out[k] = k[0] + (" (" + ", ".join(extra) + ")" if extra else "")
    return out


def mode_style(mode, _seen={}):
    if mode in MODE_STYLE:
        return MODE_STYLE[mode]
    if mode not in _seen:
        k = len(_seen)
        _seen[mode] = (_EXTRA_COLOURS[k % len(_EXTRA_COLOURS)],
                       _EXTRA_MARKERS[k % len(_EXTRA_MARKERS)])
    return _seen[mode]


def ordered_tasks(benches):
    seen = []
    for b in benches:
        if b["task"] not in seen:
            seen.append(b["task"])
    return seen


def cpus_text(ctx):
    """'2 CPUs', or '1 of 2 CPUs usable' when the run had fewer (taskset,
    a cgroup); '' when the file does not say."""
    usable, logical = ctx.get("usable_cpus"), ctx.get("logical_cpus")
    if not _is_num(usable):
        return ""
    if _is_num(logical) and logical > usable:
        return f"{usable:g} of {logical:g} CPUs usable"
    return f"{usable:g} CPU" + ("s" if usable != 1 else "")


def user_text(ctx):
    """The run's --context KEY=VALUE labels, 'k=v, k=v'; '' if none."""
    user = ctx.get("user")
    if not isinstance(user, dict):
        return ""
    return ", ".join(f"{k}={v}" for k, v in user.items()
                     if isinstance(v, (str, int, float)) and not isinstance(v, bool))


def run_settings(b):
    """A cell's start gate, params and run choices, as text."""
    return f"start={b['start']}," + params_text(b)


def warn_pooling(loaded):
    """Before pooling several files: one warning line when their usable
    CPUs differ, one when a cell they share differs in its parameters."""
    if len(loaded) < 2:
        return
    cpus = [(os.path.basename(p), d["context"].get("usable_cpus")) for p, d in loaded]
    if len({c for _, c in cpus}) > 1:
        warn("pooling files with different usable CPUs: " +
             ", ".join(f"{p} {c if c is not None else '?'}" for p, c in cpus))
    first, diffs = {}, []
    for path, data in loaded:
        for b in data["benchmarks"]:
            mine = (os.path.basename(path), run_settings(b))
            seen = first.setdefault(b["name"], mine)
            if seen[1] != mine[1]:
                diffs.append((b["name"], seen, mine))
    if diffs:
        name, (pa, sa), (pb, sb) = diffs[0]
        more = f" (and {len(diffs) - 1} more)" if len(diffs) > 1 else ""
        warn(f"pooling files whose parameters differ: {name}: {sa} in {pa}, "
             f"{sb} in {pb}{more}; such cells are drawn as separate lines")


def machine_label(data):
    """hostname, CPU model, usable CPUs and --context labels from the
    file's context."""
    ctx = data.get("context", {})
    parts = [str(ctx.get("hostname") or "?")]
    for extra in (ctx.get("cpu_model"), cpus_text(ctx), user_text(ctx)):
        if extra:
            parts.append(str(extra))
    # A '$' pair would start matplotlib's mathtext, and a backslash (the
    # \xNN of an escaped byte) would then be read as a command: show the
    # text as it is.
    return " · ".join(parts).replace("$", r"\$")


def time_unit(max_seconds):
    """(factor, unit) so that max_seconds * factor reads well."""
    if max_seconds < 1e-3:
        return 1e6, "µs"
    if max_seconds < 1.0:
        return 1e3, "ms"
    return 1.0, "s"


# ---------------------------------------------------------------- output

def output_format(path):
    """'png' or 'svg' from the extension; checks the directory exists."""
    ext = os.path.splitext(path)[1].lower()
    if ext not in FORMATS:
        raise InputError(f"{path}: output must end in .png or .svg")
    d = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(d):
        raise InputError(f"{path}: directory {d} does not exist")
    return FORMATS[ext]


def setup_matplotlib():
    """Imports matplotlib with the Agg backend; returns pyplot. Without
    matplotlib in any Python here: one line on stderr, exit 1."""
    try:
        import matplotlib
    except ImportError:
        tried = ", ".join(dict.fromkeys(_tried_pythons or [sys.executable]))
        print(f"{prog()}: error: no Python here has matplotlib (tried {tried}): install "
              f"python3-matplotlib (Debian) or 'pip install matplotlib', or set "
              f"{PYTHON_ENV} to a Python that has it", file=sys.stderr)
        sys.exit(1)
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams.update({
        "svg.hashsalt": "concbench",  # stable ids: the same input, the same SVG
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "legend.fontsize": "small",
        "legend.framealpha": 0.85,
    })
    return plt


def save(fig, path, dpi):
    """Writes fig to path through a temporary file in the same directory,
    so a reader never sees a half-written image."""
    fmt = output_format(path)
    d = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(dir=d, prefix="." + os.path.basename(path) + ".",
                                   suffix=".tmp")
    except OSError as e:
        raise InputError(f"{path}: cannot write: {e.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            meta = {"Date": None} if fmt == "svg" else {}
            fig.savefig(f, format=fmt, dpi=dpi, metadata=meta)
            f.flush()
            os.fsync(f.fileno())
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
