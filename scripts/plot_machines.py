#!/usr/bin/env python3
"""The same cells across several result files (machines, kernels, container
settings): one bar per file for each cell, the median with min–max whiskers,
one panel per task. Files are labelled by hostname and CPU model, or by
--label."""

import os
import sys

sys.dont_write_bytecode = True  # keep scripts/ free of __pycache__
import cbplot  # noqa: E402

EXAMPLE = ("scripts/plot_machines.py laptop.json server.json "
           "--bench cpu/threads/4 --bench cpu/processes/4 -o machines.png")

PALETTE = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860",
           "#da8bc3", "#8c8c8c"]
METRICS = {
    "wall": "wall time",
    "spawn": "creation latency (per worker)",
}


def parse_args():
    p = cbplot.make_parser(__doc__, EXAMPLE)
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="concbench result files (JSON), one per machine")
    p.add_argument("--bench", action="append", metavar="NAME",
                   help="cell to compare, e.g. cpu/threads/4 (repeatable; default: "
                        "every cell found in all files)")
    p.add_argument("--label", action="append", metavar="TEXT",
                   help="name of each file in the legend, in file order "
                        "(repeat once per file; default: hostname · CPU model · usable CPUs)")
    p.add_argument("--metric", choices=sorted(METRICS), default="wall",
                   help="what to compare (default: wall)")
    cbplot.add_output_args(p)
    return p.parse_args()


def values(b, metric):
    if metric == "wall":
        return cbplot.walls(b)
    return [w["spawn_s"] for s in b["samples"] for w in s.get("workers", [])
            if w.get("spawn_s") is not None]


def labels_for(args, loaded):
    if args.label:
        if len(args.label) != len(loaded):
            raise cbplot.InputError(f"--label given {len(args.label)} times for "
                                    f"{len(loaded)} files: give one per file")
        return args.label
    labels = [cbplot.machine_label(d) for _, d in loaded]
    # Files from the same machine would look alike: tell them apart.
    return [f"{lab} ({os.path.basename(p)})" if labels.count(lab) > 1 else lab
            for lab, (p, _) in zip(labels, loaded)]


def choose_names(args, loaded):
    if args.bench:
        for path, data in loaded:
            for name in args.bench:
                cbplot.find_bench(data, path, name)
        return list(dict.fromkeys(args.bench))
    ok = [{b["name"] for b in cbplot.ok_benches(d, p)} for p, d in loaded]
    first = [b["name"] for b in loaded[0][1]["benchmarks"]]
    names = [n for n in first if all(n in s for s in ok)]
    if not names:
        raise cbplot.InputError("no benchmark is in every file with status ok; "
                                "choose cells with --bench")
    return names


def gather(args, loaded, names):
    """{name: [(median, min, max) or None per file]} plus the task of each."""
    table, task_of = {}, {}
    for name in names:
        row, seen = [], set()
        for path, data in loaded:
            b = cbplot.find_bench(data, path, name)
            task_of[name] = b["task"]
            seen.add((b["start"], cbplot.params_text(b)))
            vals = values(b, args.metric) if b["status"] == "ok" else []
            if not vals:
                cbplot.warn(f"{path}: {name}: no {args.metric} values "
                            f"(status {b['status']})")
                row.append(None)
            else:
                row.append((cbplot.median(vals), min(vals), max(vals)))
        if len(seen) > 1:
            cbplot.warn(f"{name} is not the same run in every file: "
                        + " vs ".join(f"start={s} {p}".strip() for s, p in sorted(seen)))
        table[name] = row
    return table, task_of


def main():
    args = parse_args()
    cbplot.output_format(args.output)
    loaded = cbplot.load_all(args.files)
    labels = labels_for(args, loaded)
    names = choose_names(args, loaded)
    table, task_of = gather(args, loaded, names)
    tasks = cbplot.ordered_tasks([{"task": task_of[n]} for n in names])

    plt = cbplot.setup_matplotlib()
    nfiles = len(loaded)
    widest = max(sum(1 for n in names if task_of[n] == t) for t in tasks)
    fig, axes = plt.subplots(len(tasks), 1, squeeze=False, constrained_layout=True,
                             figsize=(min(max(6.0, widest * (0.35 * nfiles + 0.35) + 3.5),
                                          18.0), 0.8 + 2.9 * len(tasks)))
    bar = 0.8 / nfiles
    for ax, task in zip(axes[:, 0], tasks):
        mine = [n for n in names if task_of[n] == task]
        top = max(v[2] for n in mine for v in table[n] if v)
        factor, unit = cbplot.time_unit(top)
        for f, label in enumerate(labels):
            xs, med, lo, hi = [], [], [], []
            for i, name in enumerate(mine):
                v = table[name][f]
                if v:
                    xs.append(i + (f - (nfiles - 1) / 2) * bar)
                    med.append(v[0] * factor)
                    lo.append((v[0] - v[1]) * factor)
                    hi.append((v[2] - v[0]) * factor)
            ax.bar(xs, med, width=bar * 0.92, color=PALETTE[f % len(PALETTE)],
                   yerr=[lo, hi], capsize=2, error_kw={"lw": 0.8}, label=label)
        ax.set_xticks(range(len(mine)))
        ax.set_xticklabels([n.split("/", 1)[1].replace("/", "\nn = ", 1) if n.count("/") == 2
                            else n for n in mine], fontsize="small")
        ax.set_xlim(-0.6, len(mine) - 0.4)
        ax.grid(axis="x", visible=False)
        ax.set_ylabel(f"{METRICS[args.metric]} ({unit})", fontsize="small")
        ax.set_title(f"task: {task} · bars: median, whiskers: min–max",
                     fontsize="medium", loc="left")
        if ax is axes[0][0]:
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    fig.suptitle(args.title or f"concbench across {nfiles} result file"
                 + ("s" if nfiles != 1 else "") + f": {METRICS[args.metric]}")
    cbplot.save(fig, args.output, args.dpi)
    return 0


if __name__ == "__main__":
    cbplot.run(main)
