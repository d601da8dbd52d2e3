#!/usr/bin/env python3
"""Speed-up and wall time against the number of workers, one line per mode,
one panel per task, from one or more concbench result files."""

import sys

sys.dont_write_bytecode = True  # keep scripts/ free of __pycache__
import cbplot  # noqa: E402

EXAMPLE = ("concbench -m threads,processes,thread-pool,process-pool,loop,serial -t cpu,io \\\n"
           "    -n 1,2,4,8 -o r.json\n"
           "  scripts/plot_scaling.py r.json -o scaling.png")


def parse_args():
    p = cbplot.make_parser(__doc__, EXAMPLE)
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="concbench result files (JSON); cells found in several "
                        "files are pooled")
    p.add_argument("--task", action="append", metavar="TASK",
                   help="plot only this task (repeatable; default: all)")
    cbplot.add_output_args(p)
    return p.parse_args()


def collect(loaded, tasks):
    """{task: {series_key: {workers: [wall, ...]}}}, in file order."""
    cells = {}
    for path, data in loaded:
        for b in cbplot.ok_benches(data, path):
            if tasks and b["task"] not in tasks:
                continue
            series = cells.setdefault(b["task"], {}).setdefault(cbplot.series_key(b), {})
            series.setdefault(b["workers"], []).extend(cbplot.walls(b))
    for t in tasks or []:
        if t not in cells:
            raise cbplot.InputError(f"no benchmark of task '{t}' in the input")
    if not cells:
        raise cbplot.InputError("no benchmark with status ok in the input")
    return cells


def _settings(params):
    return set(x for x in params.split(",") if x)


def serial_baseline(series_by_key, key):
    """The serial series to compare key against: its params and choices
    all among key's (key may add the choices serial never records: --pin,
    --transport, a pool's --chunk, --queue, --pool-size, --shape, ...),
    same start gate if there is one, else any; None if the task has no
    serial cells."""
    _, start, params = key
    serial = [k for k in series_by_key
              if k[0] == "serial" and _settings(k[2]) <= _settings(params)]
    same = [k for k in serial if k[1] == start]
    pick = (same or serial or [None])[0]
    return series_by_key[pick] if pick else None


def speedups(series_by_key):
    """({key: [(n, speed-up)]}, over_serial) for one task."""
    over_serial = any(k[0] == "serial" for k in series_by_key)
    out = {}
    for key, by_n in series_by_key.items():
        pts = []
        if over_serial:
            base = serial_baseline(series_by_key, key)
            for n in sorted(by_n):
                # A median of 0 s (a file may hold one) has no speed-up.
                if base and n in base and cbplot.median(by_n[n]) > 0:
                    pts.append((n, cbplot.median(base[n]) / cbplot.median(by_n[n])))
        elif 1 in by_n:
            t1 = cbplot.median(by_n[1])
            pts = [(n, n * t1 / cbplot.median(by_n[n])) for n in sorted(by_n)
                   if cbplot.median(by_n[n]) > 0]
        out[key] = pts
    return out, over_serial


def usable_cpus(loaded):
    """The usable CPU count when every file agrees on one, else None."""
    cpus = {d["context"].get("usable_cpus") for _, d in loaded}
    if len(cpus) != 1:
        return None
    c = cpus.pop()
    return c if isinstance(c, int) and not isinstance(c, bool) and c > 0 else None


def set_worker_axis(ax, counts):
    counts = sorted(counts)
    if counts[-1] / counts[0] >= 8:
        ax.set_xscale("log", base=2)
    if len(counts) <= 12:
        ax.set_xticks(counts)
        ax.set_xticklabels([str(n) for n in counts])
        ax.minorticks_off()


def plot(args, loaded, cells):
    plt = cbplot.setup_matplotlib()
    tasks = list(cells)
    ncols = len(tasks)
    fig, axes = plt.subplots(2, ncols, figsize=(max(4.2 * ncols, 6.0), 7.0),
                             squeeze=False, sharex="col", constrained_layout=True)
    cpus = usable_cpus(loaded)
    ylabels = []
    for col, task in enumerate(tasks):
        series_by_key = cells[task]
        labels = cbplot.series_labels(list(series_by_key))
        ax_s, ax_w = axes[0][col], axes[1][col]
        counts = sorted({n for by_n in series_by_key.values() for n in by_n})
        wall_max = max(max(v) for by_n in series_by_key.values() for v in by_n.values())
        factor, unit = cbplot.time_unit(wall_max)

        sp, over_serial = speedups(series_by_key)
        ax_s.plot(counts, counts, "--", color="black", lw=1, label="ideal (n×)")
        if cpus and cpus <= counts[-1]:
            ax_s.axhline(cpus, ls=":", color="#555555", lw=1,
                         label=f"usable CPUs ({cpus})")
        for key, by_n in series_by_key.items():
            colour, marker = cbplot.mode_style(key[0])
            pts = sp[key]
            if pts:
                ax_s.plot([n for n, _ in pts], [v for _, v in pts], marker=marker,
                          color=colour, label=labels[key])
            else:
                cbplot.warn(f"{task}: no speed-up for {labels[key]} "
                            f"(needs {'serial cells' if over_serial else 'a 1-worker cell'})")
            ns = sorted(by_n)
            med = [cbplot.median(by_n[n]) * factor for n in ns]
            lo = [m - min(by_n[n]) * factor for m, n in zip(med, ns)]
            hi = [max(by_n[n]) * factor - m for m, n in zip(med, ns)]
            ax_w.errorbar(ns, med, yerr=[lo, hi], marker=marker, color=colour,
                          capsize=3, label=labels[key])
        ax_s.set_title(f"task: {task}")
        ax_s.set_ylim(bottom=0)
        ylabels.append("speed-up over serial at the same n\n(serial time / time)"
                       if over_serial else
                       "speed-up over 1 worker of the same mode\n(n × time at 1 / time at n)")
        ax_w.set_ylim(bottom=0)
        ax_w.set_ylabel(f"wall time ({unit})" +
                        ("\nmedian, bars: min–max" if col == 0 else ""))
        ax_w.set_xlabel("jobs (-n)")
        set_worker_axis(ax_w, counts)
        if col == 0:
            ax_s.legend(loc="upper left")
            # A mode with no speed-up line is still named, by its wall line.
            if not all(sp.values()):
                ax_w.legend(loc="upper left")
    # Label the speed-up axis once when every panel uses the same baseline.
    for col, label in enumerate(ylabels):
        if col == 0 or len(set(ylabels)) > 1:
            axes[0][col].set_ylabel(label)
    fig.suptitle(args.title or title(loaded))
    cbplot.save(fig, args.output, args.dpi)


def title(loaded):
    hosts = list(dict.fromkeys(cbplot.machine_label(d) for _, d in loaded))
    head = "concbench scaling"
    if len(hosts) == 1:
        return head + " — " + hosts[0]
    if len(hosts) <= 3:  # pooled: say from what
        return head + "\n" + "; ".join(hosts)
    return head + f" — {len(loaded)} files from {len(hosts)} machines or contexts"


def main():
    args = parse_args()
    cbplot.output_format(args.output)
    loaded = cbplot.load_all(args.files)
    if len({d["context"].get("hostname") for _, d in loaded}) > 1:
        cbplot.warn("the files come from different hosts; their cells are pooled "
                    "(plot_machines.py compares machines)")
    cbplot.warn_pooling(loaded)
    cells = collect(loaded, args.task)
    plot(args, loaded, cells)
    return 0


if __name__ == "__main__":
    cbplot.run(main)
