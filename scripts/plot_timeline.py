#!/usr/bin/env python3
"""Timeline of one repetition of a cell: each worker's creation (create call
to its first instruction), waiting (first instruction to task start: at the
start gate with --start=barrier) and running (task start to end) as
horizontal bars on a time axis shared by all workers. Several --bench
options stack several cells over the same time axis."""

import sys

sys.dont_write_bytecode = True  # keep scripts/ free of __pycache__
import cbplot  # noqa: E402

EXAMPLE = ("concbench -m threads,processes -t cpu -n 4 --start=barrier -o r.json\n"
           "  scripts/plot_timeline.py r.json --bench cpu/threads/4 "
           "--bench cpu/processes/4 -o timeline.png")

CREATION = "#f2b134"
WAITING = "#d9d9d9"


def parse_args():
    p = cbplot.make_parser(__doc__, EXAMPLE)
    p.add_argument("file", metavar="FILE", help="concbench result file (JSON)")
    p.add_argument("--bench", action="append", metavar="NAME", required=True,
                   help="cell to draw, as named in the file, e.g. cpu/threads/4 "
                        "(repeatable: one panel each)")
    p.add_argument("--sample", type=int, metavar="K",
                   help="repetition to draw, 0-based (default: the one with the "
                        "median wall time)")
    cbplot.add_output_args(p)
    return p.parse_args()


def sample_end(b, s):
    """When the parent had reaped every worker, from the sample's start."""
    if b["start"] == "barrier" and b["mode"] != "serial":
        # wall_s runs from the release, right after every worker was ready.
        return s.get("create_s", 0.0) + s["wall_s"]
    return s["wall_s"]


def phases(b, s):
    """[(id, create, first, start, end, status)] and whether create and
    first had to be estimated. Times in seconds from the sample's start."""
    recs = s.get("workers", [])
    gated = b["start"] == "barrier" and b["mode"] != "serial"
    ready = s.get("create_s") or 0.0
    out, estimated = [], False
    for i, w in enumerate(recs):
        status = w.get("status", "ok")
        if any(w.get(k) is None for k in ("spawn_s", "start_s", "end_s")):
            out.append((w.get("id", i), None, None, None, None, status))
            continue
        start, end, spawn = w["start_s"], w["end_s"], w["spawn_s"]
        if w.get("create_s") is not None and w.get("first_s") is not None:
            create, first = w["create_s"], w["first_s"]
        elif not gated:
            # Assume the task started right at the first instruction: true
            # for serial and (within microseconds) threads; a process can be
            # preempted in between, which moves its creation later here.
            estimated = estimated or b["mode"] != "serial"
            first = start
            create = max(start - spawn, 0.0)
        else:
            # The parent created the workers in order, and all were at the
            # gate by `ready`: spread the create calls over that time.
            estimated = True
            create = max(min(i * ready / max(len(recs), 1), ready - spawn), 0.0)
            first = min(create + spawn, start)
        out.append((w.get("id", i), create, first, start, end, status))
    return out, estimated


def draw(ax, b, k, s, factor, unit):
    colour, _ = cbplot.mode_style(b["mode"])
    rows, estimated = phases(b, s)
    h = 0.7
    for y, (wid, create, first, start, end, status) in enumerate(rows):
        if create is None:
            ax.text(0, y, f"  worker {wid}: {status}", va="center", color="#b00020",
                    fontsize="small")
            continue
        ax.broken_barh([(create * factor, (first - create) * factor)], (y - h / 2, h),
                       color=CREATION, edgecolor="none", alpha=0.6 if estimated else 1.0)
        if start > first:
            ax.broken_barh([(first * factor, (start - first) * factor)], (y - h / 2, h),
                           facecolor=WAITING, edgecolor="#9e9e9e", hatch="///", lw=0)
        ax.broken_barh([(start * factor, (end - start) * factor)], (y - h / 2, h),
                       color=colour, edgecolor="none")
        if status != "ok":
            ax.text(end * factor, y, f" {status}", va="center", color="#b00020",
                    fontsize="small")
    n = len(rows)
    ax.set_yticks(range(n))
    ax.set_yticklabels([f"worker {r[0]}" for r in rows] if n <= 16 else
                       [str(r[0]) for r in rows], fontsize="small" if n > 8 else None)
    ax.set_ylim(n - 0.5, -0.5)  # worker 0 on top
    ax.grid(axis="y", visible=False)

    end = sample_end(b, s)
    ax.axvline(end * factor, color="black", lw=1, ls="--")
    ready = s.get("create_s")
    if ready is not None and b["mode"] != "serial" and ready < end:
        ax.axvline(ready * factor, color="#555555", lw=1, ls=":")
    title = (f"{b['name']} · start: {b['start']} · repetition {k + 1} of "
             f"{len(b['samples'])} (--sample {k}) · wall {s['wall_s'] * factor:.3g} {unit}")
    ax.set_title(title, fontsize="medium", loc="left")

    import matplotlib.patches as mp
    import matplotlib.lines as ml
    handles = [
        mp.Patch(color=CREATION, alpha=0.6 if estimated else 1.0,
                 label="creation (create → first instruction)" + (" *" if estimated else "")),
        mp.Patch(color=colour, label=f"running the task ({b['mode']})"),
    ]
    if any(r[1] is not None and r[3] > r[2] for r in rows):
        handles.insert(1, mp.Patch(facecolor=WAITING, edgecolor="#9e9e9e", hatch="///",
                                   label="waiting at the start gate" if b["start"] == "barrier"
                                   else "waiting (first instruction → task start)"))
    if ready is not None and b["mode"] != "serial" and ready < end:
        handles.append(ml.Line2D([], [], color="#555555", ls=":",
                                 label="all workers created" +
                                 (" (gate opened)" if b["start"] == "barrier" else "")))
    handles.append(ml.Line2D([], [], color="black", ls="--", label="all workers reaped"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
              borderaxespad=0)
    if estimated:
        ax.text(1.01, 0.0, "* placement estimated: the file\n  has no per-worker "
                "create_s\n  and first_s", transform=ax.transAxes,
                fontsize="x-small", va="bottom", color="#555555")


def main():
    args = parse_args()
    cbplot.output_format(args.output)
    data = cbplot.load(args.file)
    cells = []
    for name in args.bench:
        b = cbplot.find_bench(data, args.file, name)
        if not b["samples"]:
            raise cbplot.InputError(f"{args.file}: {name} has no samples "
                                    f"(status {b['status']})")
        if args.sample is None:
            k = cbplot.median_sample(b)
        elif 0 <= args.sample < len(b["samples"]):
            k = args.sample
        else:
            raise cbplot.InputError(f"--sample {args.sample}: {name} has repetitions "
                                    f"0 to {len(b['samples']) - 1}")
        cells.append((b, k, b["samples"][k]))

    plt = cbplot.setup_matplotlib()
    heights = [1.0 + 0.32 * max(len(s.get("workers", [])), 1) for _, _, s in cells]
    fig, axes = plt.subplots(len(cells), 1, sharex=True, squeeze=False,
                             figsize=(10.5, 0.9 + sum(heights)),
                             gridspec_kw={"height_ratios": heights},
                             constrained_layout=True)
    longest = max(sample_end(b, s) for b, _, s in cells)
    factor, unit = cbplot.time_unit(longest)
    for ax, (b, k, s) in zip(axes[:, 0], cells):
        draw(ax, b, k, s, factor, unit)
    axes[-1][0].set_xlabel(f"time since the first create call ({unit})")
    axes[-1][0].set_xlim(left=0)
    fig.suptitle(args.title or f"concbench timeline — {cbplot.machine_label(data)}")
    cbplot.save(fig, args.output, args.dpi)
    return 0


if __name__ == "__main__":
    cbplot.run(main)
