#!/usr/bin/env python3
"""Distribution of the repetitions' wall times of each cell: one box (or
violin) per cell with every repetition drawn as a dot, one colour per mode,
one small panel per task and worker count, each scaled to its own cells
(one panel per task when there are more than 8 worker counts)."""

import sys

sys.dont_write_bytecode = True  # keep scripts/ free of __pycache__
import cbplot  # noqa: E402

MAX_ROWS = 40  # a row of panels per task: more is no figure anyone can read

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
    return list(dict.fromkeys(cbplot.series_key(b) for b in benches))


def draw_series(ax, positions, values, colour, marker, width, violin):
    """One series' boxes (or violins) and dots, in one call each: a call
    per cell made a file of thousands of cells take minutes."""
    if violin:
        many = [(x, v) for x, v in zip(positions, values) if len(v) > 1]
        if many:
            parts = ax.violinplot([v for _, v in many], positions=[x for x, _ in many],
                                  widths=width, showmedians=True, showextrema=False)
            for body in parts["bodies"]:
                body.set_facecolor(colour)
                body.set_alpha(0.35)
            parts["cmedians"].set_color(colour)
        few = [(x, v) for x, v in zip(positions, values) if len(v) <= 1]
        positions, values = [x for x, _ in few], [v for _, v in few]
    if positions:
        draw_boxes(ax, positions, values, colour, width)


def draw_boxes(ax, positions, values, colour, width):
    """Tukey boxes (quartiles, whiskers to the furthest value within 1.5
    IQR, no fliers) as three collections for the whole series, not half a
    dozen artists per box: thousands of cells draw in seconds."""
    import numpy as np
    from matplotlib.collections import LineCollection, PolyCollection

    boxes, medians, whiskers = [], [], []
    h = width / 2
    for x, v in zip(positions, values):
        a = np.asarray(v, dtype=float)
        q1, med, q3 = np.percentile(a, [25, 50, 75])
        reach = 1.5 * (q3 - q1)
        lo = a[a >= q1 - reach].min()
        hi = a[a <= q3 + reach].max()
        boxes.append([(x - h, q1), (x + h, q1), (x + h, q3), (x - h, q3)])
        medians.append([(x - h, med), (x + h, med)])
        whiskers += [[(x, lo), (x, q1)], [(x, q3), (x, hi)],
                     [(x - h / 2, lo), (x + h / 2, lo)], [(x - h / 2, hi), (x + h / 2, hi)]]
    ax.add_collection(PolyCollection(boxes, facecolors=colour + "40", edgecolors=colour))
    ax.add_collection(LineCollection(whiskers, colors=colour))
    ax.add_collection(LineCollection(medians, colors=colour, linewidths=2))
    ax.autoscale_view()


def draw_cells(ax, benches, keys, violin, factor):
    """Boxes (or violins) for benches, grouped by worker count; keys fixes
    each series' slot in a group. Returns the worker counts drawn."""
    counts = sorted({b["workers"] for b in benches})
    at = {n: i for i, n in enumerate(counts)}
    slot_of = {k: i for i, k in enumerate(keys)}
    slot = 1.0 / (len(keys) + 1)
    width = slot * 0.8
    by_key = {}
    for b in benches:
        by_key.setdefault(cbplot.series_key(b), []).append(b)
    for key, mine in by_key.items():
        colour, marker = cbplot.mode_style(key[0])
        positions, values, xs, ys = [], [], [], []
        for b in mine:
            x = at[b["workers"]] + (slot_of[key] - (len(keys) - 1) / 2) * slot
            vals = [w * factor for w in cbplot.walls(b)]
            positions.append(x)
            values.append(vals)
            # Every repetition as a dot, spread evenly across the box.
            n = len(vals)
            xs.extend(x + (i / max(n - 1, 1) - 0.5) * width * 0.6 for i in range(n))
            ys.extend(vals)
        draw_series(ax, positions, values, colour, marker, width, violin)
        ax.scatter(xs, ys, s=12, color=colour, marker=marker, zorder=3,
                   edgecolors="black", linewidths=0.3)
    ax.set_xlim(-0.5, len(counts) - 0.5)
    ax.grid(axis="x", visible=False)
    return counts


def label_counts(ax, drawn):
    """n = ... under each group; with many groups, about 20 of them."""
    step = max(1, -(-len(drawn) // 20))
    ticks = list(range(0, len(drawn), step))
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"n = {drawn[i]}" for i in ticks])


def main():
    args = parse_args()
    cbplot.output_format(args.output)
    data = cbplot.load(args.file)
    benches = select(args, data)
    tasks = cbplot.ordered_tasks(benches)
    if len(tasks) > MAX_ROWS:
        raise cbplot.InputError(f"{args.file}: {len(tasks)} tasks make too many rows of "
                                f"panels (at most {MAX_ROWS}); choose some with --task")
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
                label_counts(ax, drawn)
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
