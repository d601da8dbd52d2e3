#!/usr/bin/env python3
"""Voluntary context switches per GIL hand-off, and the threads/serial CPU
ratio per round (paired: round i of threads against round i of serial, so
the machine's drift cancels).

usage: gil_handoff.py RESULT.json SWITCH_INTERVAL_S
RESULT.json from: concbench -m threads,serial -t cpu -n 10 --gil -r R -f json

Hand-offs per sample are estimated as the threads' CPU time over the switch
interval (each holder keeps the lock one interval while others wait)."""
import json
import statistics
import sys

doc = json.load(open(sys.argv[1]))
interval = float(sys.argv[2])
by_mode = {b["mode"]: b for b in doc["benchmarks"]}
th, se = by_mode["threads"]["samples"], by_mode["serial"]["samples"]
per, ratios = [], []
for a, b in zip(th, se):
    handoffs = a["cpu_s"] / interval
    per.append(a["ctx_voluntary"] / handoffs)
    ratios.append(a["cpu_s"] / b["cpu_s"])
    print(f"round: threads cpu {a['cpu_s']:.3f}s wall {a['wall_s']:.3f}s "
          f"ctx_vol {a['ctx_voluntary']} (~{handoffs:.0f} hand-offs: "
          f"{per[-1]:.2f}/hand-off); serial cpu {b['cpu_s']:.3f}s; "
          f"threads/serial cpu {ratios[-1]:.3f}")
print(f"median ctx_voluntary per hand-off {statistics.median(per):.2f}; "
      f"median threads/serial CPU {statistics.median(ratios):.3f} "
      f"(min {min(ratios):.3f}, max {max(ratios):.3f})")
