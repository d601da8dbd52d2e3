#!/usr/bin/env python3
"""Distribution of the repetitions' wall times of each cell: one box (or
violin) per cell with every repetition drawn as a dot, one colour per mode,
one small panel per task and worker count, each scaled to its own cells
(one panel per task when there are more than 8 worker counts)."""

import sys

sys.dont_write_bytecode = True  # keep scripts/ free of __pycache__
import cbplot  # noqa: E402

EXAMPLE = ("concbench -m threads,processes,serial -t cpu,io -n 1,2,4 -r 20 -o r.json\n"
           "  scripts/plot_distribution.py r.json -o distribution.png")


def parse_args():
    p = cbplot.make_parser(__doc__, EXAMPLE)
    p.add_argument("file", metavar="FILE", help="concbench result file (JSON)")
    p.add_argument("--bench", action="append", metavar="NAME",
                   help="plot only this cell, e.g. cpu/threads/4 (repeatable; "
                        "default: all)")
    p.add_argument("--task", action="append", metavar="TASK",
                   help="plot only this task (repeatable; default: all)")
    p.add_argument("--violin", action="store_true", help="violins instead of boxes")
    p.add_argument("--log", action="store_true", help="logarithmic time axis")
    cbplot.add_output_args(p)
    return p.parse_args()


def select(args, data):
    if args.bench:
        chosen = [cbplot.find_bench(data, args.file, n) for n in args.bench]
    else:
        chosen = data["benchmarks"]
    if args.task:
        known = {b["task"] for b in data["benchmarks"]}
        for t in args.task:
            if t not in known:
                raise cbplot.InputError(f"{args.file}: no benchmark of task '{t}' "
                                        f"(known: {', '.join(sorted(known))})")
        chosen = [b for b in chosen if b["task"] in args.task]
    ok = {id(b) for b in cbplot.ok_benches({"benchmarks": chosen}, args.file)}
    chosen = [b for b in chosen if id(b) in ok]
    if not chosen:
        raise cbplot.InputError(f"{args.file}: nothing to plot (no selected benchmark "
                                "with status ok and samples)")
    return chosen


def series_of(benches):
    keys = []
    for b in benches:
        if cbplot.series_key(b) not in keys:
            keys.append(cbplot.series_key(b))
    return keys


def draw_cells(ax, benches, keys, violin, factor):
    """Boxes (or violins) for benches, grouped by worker count; keys fixes
    each series' slot in a group. Returns the worker counts drawn."""
    counts = sorted({b["workers"] for b in benches})
    slot = 1.0 / (len(keys) + 1)
    width = slot * 0.8
    for b in benches:
        colour, marker = cbplot.mode_style(b["mode"])
        key = cbplot.series_key(b)
        x = counts.index(b["workers"]) + (keys.index(key) - (len(keys) - 1) / 2) * slot
        vals = [w * factor for w in cbplot.walls(b)]
        if violin and len(vals) > 1:
            parts = ax.violinplot([vals], positions=[x], widths=width,
                                  showmedians=True, showextrema=False)
            for body in parts["bodies"]:
                body.set_facecolor(colour)
                body.set_alpha(0.35)
            parts["cmedians"].set_color(colour)
        else:
            ax.boxplot([vals], positions=[x], widths=width, manage_ticks=False,
                       showfliers=False, patch_artist=True,
                       boxprops={"facecolor": colour + "40", "edgecolor": colour},
                       medianprops={"color": colour, "lw": 2},
                       whiskerprops={"color": colour}, capprops={"color": colour})
        # Every repetition as a dot, spread evenly across the box.
        n = len(vals)
        xs = [x + (i / max(n - 1, 1) - 0.5) * width * 0.6 for i in range(n)]
        ax.scatter(xs, vals, s=12, color=colour, marker=marker, zorder=3,
                   edgecolors="black", linewidths=0.3)
    ax.set_xlim(-0.5, len(counts) - 0.5)
    ax.grid(axis="x", visible=False)
    return counts


def main():
    args = parse_args()
    cbplot.output_format(args.output)
    data = cbplot.load(args.file)
    benches = select(args, data)
    tasks = cbplot.ordered_tasks(benches)
    counts = sorted({b["workers"] for b in benches})
    # A small panel per task and worker count, each scaled to its own cells,
    # so a narrow spread stays visible; one panel per task with many counts.
    grid = len(counts) <= 8
    columns = counts if grid else [None]
    keys_of = {t: series_of([b for b in benches if b["task"] == t]) for t in tasks}
    nseries = max(len(k) for k in keys_of.values())

    plt = cbplot.setup_matplotlib()
    width = (1.3 + 0.45 * nseries) * len(counts) + 2.5 if grid else \
        0.5 * len(counts) * nseries + 3.5
    fig, axes = plt.subplots(len(tasks), len(columns), squeeze=False,
                             constrained_layout=True,
                             figsize=(min(max(6.0, width), 18.0), 0.6 + 2.6 * len(tasks)))
    legend_labels = None
    for row, task in enumerate(tasks):
        mine = [b for b in benches if b["task"] == task]
        keys = keys_of[task]
        labels = cbplot.series_labels(keys)
        factor, unit = cbplot.time_unit(max(max(cbplot.walls(b)) for b in mine))
        for col, n in enumerate(columns):
            ax = axes[row][col]
            cells = [b for b in mine if n is None or b["workers"] == n]
            if not cells:
                ax.axis("off")
                continue
            drawn = draw_cells(ax, cells, keys, args.violin, factor)
            if grid:
                ax.set_xticks([])
                if row == 0:
                    ax.set_title(f"n = {n}", fontsize="medium")
            else:
                ax.set_xticks(range(len(drawn)))
                ax.set_xticklabels([f"n = {c}" for c in drawn])
            if args.log:
                ax.set_yscale("log")
            if col == 0:
                ax.set_ylabel(f"{task}\nwall time ({unit})")
        import matplotlib.patches as mp
        handles = [mp.Patch(facecolor=cbplot.mode_style(k[0])[0] + "60",
                            edgecolor=cbplot.mode_style(k[0])[0], label=labels[k])
                   for k in keys]
        # One legend when every task has the same series, else one per row.
        if row == 0 or [h.get_label() for h in handles] != legend_labels:
            axes[row][-1].legend(handles=handles, loc="upper left",
                                 bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
        if row == 0:
            legend_labels = [h.get_label() for h in handles]
    what = ("violin: density, line: median" if args.violin
            else "box: quartiles, whiskers: 1.5 IQR")
    fig.supxlabel(("workers (n) · " if not grid else "") + what + ", dots: repetitions",
                  fontsize="medium")
    reps = sorted({len(b["samples"]) for b in benches})
    fig.suptitle(args.title or f"concbench wall time of each repetition "
                 f"({'/'.join(map(str, reps))} per cell) — {cbplot.machine_label(data)}")
    cbplot.save(fig, args.output, args.dpi)
    return 0


if __name__ == "__main__":
    cbplot.run(main)
