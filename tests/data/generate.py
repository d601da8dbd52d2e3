#!/usr/bin/env python3
"""Writes the synthetic result files the compare tests read. Deterministic:
run it again and the files come out byte for byte the same."""
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))

CELLS = [  # name parts, params, median wall seconds
    ("cpu", "threads", 2, {"iterations": 1000000}, 0.0100),
    ("cpu", "processes", 2, {"iterations": 1000000}, 0.0120),
    ("cpu", "serial", 1, {"iterations": 1000000}, 0.0090),
    ("io", "threads", 2, {"sleep_s": 0.001}, 0.0011),
    ("io", "processes", 2, {"sleep_s": 0.001}, 0.0015),
]


def doc(seed, scale=1.0, spread=0.02, reps=10, host="ci-runner", tweak=None):
    rng = random.Random(seed)
    benchmarks = []
    for task, mode, workers, params, med in CELLS:
        samples = []
        for _ in range(reps):
            wall = med * scale * (1 + rng.uniform(-spread, spread))
            spawn = 50e-6 * (1 + rng.uniform(-spread, spread))
            samples.append({
                "wall_s": round(wall, 9), "user_s": round(wall * workers * 0.9, 6),
                "sys_s": round(wall * 0.05, 6),
                "workers": [{"id": i, "spawn_s": round(spawn * (1 + 0.1 * i), 9),
                             "status": "ok"} for i in range(workers)]})
        benchmarks.append({
            "name": f"{task}/{mode}/{workers}", "task": task, "mode": mode,
            "workers": workers, "params": dict(params), "start": "immediate",
            "warmup": 1, "repetitions": reps, "status": "ok", "samples": samples})
    d = {"schema_version": 1,
         "tool": {"name": "concbench", "version": "0.1.0", "compiler": "GNU 12",
                  "build_type": "release"},
         "context": {"date": "2026-11-22T10:00:00Z", "hostname": host, "os": "Debian",
                     "kernel": "6.1.0", "arch": "x86_64", "cpu_model": "Test CPU",
                     "logical_cpus": 2, "usable_cpus": 2, "memory_bytes": 1 << 30,
                     "load_avg": [0, 0, 0], "command": "concbench", "user": {}},
         "benchmarks": benchmarks}
    if tweak:
        tweak(d)
    return d


def write(name, d):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        json.dump(d, f, indent=1)
        f.write("\n")


def params_tweak(d):
    d["benchmarks"][0]["params"]["iterations"] = 2000000  # not comparable
    del d["benchmarks"][4]                                 # only in BASE
    extra = json.loads(json.dumps(d["benchmarks"][3]))
    extra["name"], extra["workers"] = "io/threads/4", 4     # only in NEW
    for sample in extra["samples"]:                         # a record per worker
        sample["workers"] = [{"id": i, "spawn_s": 5e-05, "status": "ok"} for i in range(4)]
    d["benchmarks"].append(extra)


def failed_tweak(d):
    d["benchmarks"][1]["status"] = "crashed: SIGSEGV"


def dup_tweak(d):
    d["benchmarks"].append(d["benchmarks"][0])
    return d


def few_records(d):
    del d["benchmarks"][1]["samples"][3]["workers"][1]
    return d


def main():
    base = doc(1)
    write("base.json", base)
    write("same.json", base)                          # identical: unchanged
    write("slower.json", doc(1, scale=1.2))           # every sample +20%
    write("faster.json", doc(1, scale=0.8))           # every sample -20%
    write("noisy.json", doc(2, spread=0.5))           # wide noise
    write("few.json", doc(3, reps=3))                 # unreliable
    write("other-host.json", doc(4, host="laptop"))   # context differs
    write("params.json", doc(1, tweak=params_tweak))
    write("failed.json", doc(1, tweak=failed_tweak))

    text = json.dumps(base, indent=1)
    bad = {
        "empty.json": "",
        "notjson.json": "hello, world\n",
        "truncated.json": text[: len(text) // 2],
        "trailing.json": text + "\n{}\n",
        "schema2.json": text.replace('"schema_version": 1', '"schema_version": 2', 1),
        "notconcbench.json": '{"name": "package", "version": "1.0.0"}\n',
        "array.json": "[1, 2, 3]\n",
        "nan.json": text.replace('"wall_s": ', '"wall_s": NaN, "x": ', 1),
        "inf.json": text.replace('"wall_s": ', '"wall_s": 1e999, "x": ', 1),
        "negative.json": text.replace('"wall_s": ', '"wall_s": -1, "x": ', 1),
        "deep.json": "[" * 100000 + "]" * 100000 + "\n",
        "dupkey.json": text.replace('"wall_s": ', '"wall_s": 1, "wall_s": ', 1),
        "wrongtype.json": text.replace('"wall_s": ', '"wall_s": "fast", "x": ', 1),
        "noworkers.json": text.replace('"workers": 2,', '"workers": "two",', 1),
        "dupname.json": json.dumps(dup_tweak(json.loads(text)), indent=1),
        # Inconsistent with itself: a name that is not task/mode/workers,
        # fewer worker records than workers, repetitions that are not
        # the number of samples.
        "misnamed.json": text.replace('"name": "cpu/processes/2"',
                                      '"name": "cpu/threads/2"', 1),
        "fewrecords.json": json.dumps(few_records(json.loads(text)), indent=1),
        "repetitions.json": text.replace('"repetitions": 10', '"repetitions": 9', 1),
        # Terminal escapes: C1 CSI (U+009B) in a string, ESC in a params key.
        "c1.json": text.replace('"ci-runner"', '"ci\\u009b2Jrunner"', 1),
        "esckey.json": text.replace('"iterations"', '"\\u001b[31miterations"', 1),
        "nul.json": text.replace('"ci-runner"', '"ci\\u0000runner"', 1)[:40] + "\0" + "}",
    }
    for name, body in bad.items():
        with open(os.path.join(HERE, "bad", name), "w", encoding="utf-8") as f:
            f.write(body)
    with open(os.path.join(HERE, "bad", "latin1.json"), "wb") as f:
        f.write(text.replace('"ci-runner"', '"caf\u00e9"').encode("latin-1"))


if __name__ == "__main__":
    main()
