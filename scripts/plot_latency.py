#!/usr/bin/env python3
"""Latency percentiles (median, p90, p99, max) per benchmark of the worker
pools (dispatch, queue wait, completion) and the event loop (lateness of
each job's wait), one panel per kind of latency, from one or more concbench
result files."""

import os
import sys

sys.dont_write_bytecode = True  # keep scripts/ free of __pycache__
import cbplot  # noqa: E402

EXAMPLE = ("concbench -m thread-pool,process-pool,loop -t io -n 8,64 --sleep=5ms -o r.json\n"
           "  scripts/plot_latency.py r.json -o latency.png")

TITLES = {
    ("pool", "dispatch_s"): "pool dispatch: could start → first instruction",
    ("pool", "queue_wait_s"): "pool queue wait: queued → could start",
    ("pool", "completion_s"): "pool completion: last instruction → seen by the parent",
    ("loop", "lateness_s"): "loop lateness: deadline → job woken",
}
# One marker per percentile; the colour is the mode's.
PCT_STYLE = {"median": ("o", "p50"), "p90": ("s", "p90"), "p99": ("^", "p99"),
             "max": ("x", "max")}


def parse_args():
    p = cbplot.make_parser(__doc__, EXAMPLE)
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="concbench result files (JSON); each file's benchmarks are "
                        "drawn apart (percentiles cannot be pooled)")
    p.add_argument("--task", action="append", metavar="TASK",
                   help="plot only this task (repeatable; default: all)")
    cbplot.add_output_args(p)
    return p.parse_args()


def collect(loaded, tasks):
    """[(label, mode, {(obj, key): {pct: s}})] of the ok benchmarks that
    have a pool's or the loop's latency, in file order."""
    rows = []
    several = len(loaded) > 1
    for path, data in loaded:
        for b in cbplot.ok_benches(data, path):
            if tasks and b["task"] not in tasks:
                continue
            lat = cbplot.latencies(b)
            if not lat:
                continue
            label = b["name"] + (f"\n{os.path.basename(path)}" if several else "")
            rows.append((label, b["mode"], lat))
    for t in tasks or []:
        if not any(r[0].startswith(t + "/") for r in rows):
            raise cbplot.InputError(f"no pool or loop benchmark of task '{t}' in the input")
    if not rows:
        raise cbplot.InputError("no benchmark with a pool's or the loop's latency in the "
                                "input (run -m thread-pool, process-pool or loop)")
    return rows


def set_scale(ax, values):
    """Linear, or symmetric-log when the values span more than 50x (a zero,
    common for queue waits, stays on the axis)."""
    pos = [v for v in values if v > 0]
    if pos and max(pos) / min(pos) > 50:
        ax.set_yscale("symlog", linthresh=min(pos))
    ax.set_ylim(bottom=0)


def plot_panel(ax, rows, measure):
    mine = [(label, mode, lat[measure]) for label, mode, lat in rows if measure in lat]
    top = max(v for _, _, pcts in mine for v in pcts.values())
    factor, unit = cbplot.time_unit(top)
    values = []
    for x, (_, mode, pcts) in enumerate(mine):
        colour, _ = cbplot.mode_style(mode)
        ys = [pcts[p] * factor for p in cbplot.PERCENTILES if p in pcts]
        ax.plot([x] * len(ys), ys, "-", color=colour, lw=1, alpha=0.5)
        for pct, v in pcts.items():
            marker, _ = PCT_STYLE[pct]
            ax.plot([x], [v * factor], marker=marker, color=colour, ls="none", ms=7)
        values += ys
    set_scale(ax, values)
    ax.set_xticks(range(len(mine)))
    ax.set_xticklabels([label for label, _, _ in mine], rotation=30, ha="right",
                       fontsize="small")
    ax.set_xlim(-0.6, len(mine) - 0.4)
    ax.set_title(TITLES[measure])
    ax.set_ylabel(f"latency ({unit})")


def legend(ax, rows):
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], marker=m, color="black", ls="none", label=name)
               for m, name in PCT_STYLE.values()]
    for mode in dict.fromkeys(mode for _, mode, _ in rows):
        handles.append(Line2D([], [], color=cbplot.mode_style(mode)[0], lw=3, label=mode))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0))


def plot(args, loaded, rows):
    plt = cbplot.setup_matplotlib()
    measures = [m for m in cbplot.LATENCIES if any(m in lat for _, _, lat in rows)]
    width = max(6.0, 0.9 * max(sum(m in lat for _, _, lat in rows) for m in measures) + 3)
    fig, axes = plt.subplots(len(measures), 1, figsize=(width, 3.4 * len(measures)),
                             squeeze=False, constrained_layout=True)
    for ax, measure in zip((a[0] for a in axes), measures):
        plot_panel(ax, rows, measure)
    legend(axes[0][0], rows)
    hosts = list(dict.fromkeys(cbplot.machine_label(d) for _, d in loaded))
    fig.suptitle(args.title or ("concbench latency percentiles — " + "; ".join(hosts[:3])))
    cbplot.save(fig, args.output, args.dpi)


def main():
    args = parse_args()
    cbplot.output_format(args.output)
    loaded = cbplot.load_all(args.files)
    rows = collect(loaded, args.task)
    plot(args, loaded, rows)
    return 0


if __name__ == "__main__":
    cbplot.run(main)
