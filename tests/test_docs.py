#!/usr/bin/env python3
"""The lists a user reads in several places have one source: the
registries and option tables, as `concbench list --names` prints them.
The bash completion, the man page and the README's options table must
list exactly those modes, tasks, formats, options and option values;
this test names each place that drifted.

usage: test_docs.py CONCBENCH SOURCE_DIR"""
import re
import subprocess
import sys

binary, src = sys.argv[1], sys.argv[2]
fails = []


def check(what, ok, detail=""):
    print(("ok: " if ok else "FAIL: ") + what + ("" if ok else ": " + detail))
    if not ok:
        fails.append(what)


def same(what, want, got):
    want, got = set(want), set(got)
    check(what, want == got,
          "missing %s, extra %s" % (sorted(want - got), sorted(got - want)))


def registry():
    out = subprocess.run([binary, "list", "--names"], capture_output=True, text=True,
                         check=True).stdout
    lists, values = {}, {}
    for line in out.splitlines():
        words = line.split()
        if words[0] == "values":
            values[words[1]] = words[2:]
        else:
            lists[words[0]] = words[1:]
    return lists, values


LISTS, VALUES = registry()
OPTIONS = LISTS["options"]
# In the synopsis or usage block of each doc, not in its options list.
NOT_LISTED = {"--help", "--version"}


def completion():
    text = open(src + "/scripts/concbench.bash").read()
    run = re.search(r'^\s*run\)\s*\n\s*opts="([^"]*)"\s*\n\s*formats="([^"]*)"', text, re.M)
    check("completion has a run) block", bool(run), "pattern not found")
    if not run:
        return
    same("completion: run options", OPTIONS, run.group(1).split())
    same("completion: run formats", LISTS["formats"], run.group(2).split())
    same("completion: subcommands", LISTS["commands"],
         re.search(r'compgen -W "(run [^"]*)"', text).group(1).split())
    for opt, want in VALUES.items():
        if opt == "--format":
            continue
        m = re.search(r'^\s*(?:run:-\w\|)?run:%s\) values="([^"]*)"' % re.escape(opt),
                      text, re.M)
        check("completion completes the values of %s" % opt, bool(m), "no case line")
        if m:
            same("completion: values of %s" % opt, want, m.group(1).split())


def man_section(text, name):
    m = re.search(r"^\.SH %s\n(.*?)(?=^\.SH )" % name, text, re.M | re.S)
    return m.group(1) if m else ""


def bold_words(block):
    """The bold words of roff text: .B lines, even arguments of .BR,
    and \\fB...\\fR spans; option names (\\-...) left out."""
    words = []
    for line in block.splitlines():
        if line.startswith(".B "):
            words += line[3:].split()
        elif line.startswith(".BR "):
            args = re.findall(r'"[^"]*"|\S+', line[4:])
            words += args[0::2]
        words += re.findall(r"\\fB(.*?)\\f[RIP]", line)
    return {w.strip(",.").replace("\\-", "-") for w in words
            if w and not w.startswith("\\-")}


def man():
    text = open(src + "/docs/concbench.1").read()
    options = man_section(text, "OPTIONS")
    got = set(re.findall(r"\\-\\-([a-z](?:[a-z]|\\-)*)", options))
    same("man page: options", {o for o in OPTIONS if o not in NOT_LISTED},
         {"--" + o.replace("\\-", "-") for o in got})
    entries = re.split(r"^\.TP\n", options, flags=re.M)
    for opt, want in VALUES.items():
        roff = opt.replace("-", "\\-")
        block = [e for e in entries if re.search(re.escape(roff) + r"(?![a-z\\])",
                                                e.split("\n")[0])]
        check("man page has an entry for %s" % opt, len(block) == 1,
              "%d entries" % len(block))
        if len(block) == 1:
            same("man page: values of %s" % opt, want, bold_words(block[0]))


def readme():
    text = open(src + "/README.md").read()
    usage = re.search(r"^## Usage\n(.*?)(?=^## )", text, re.M | re.S).group(1)
    rows = [r for r in usage.splitlines() if r.startswith("| `")]
    cells = [re.split(r"(?<!\\)\|", r)[1:3] for r in rows]
    got = {o for first, _ in cells for o in re.findall(r"--[a-z][a-z-]*", first)}
    same("README options table: options", {o for o in OPTIONS if o not in NOT_LISTED}, got)
    for opt, want in VALUES.items():
        row = [(a, b) for a, b in cells if re.search(re.escape(opt) + r"(?![a-z-])", a)]
        check("README options table has a row for %s" % opt, len(row) == 1,
              "%d rows" % len(row))
        if len(row) != 1:
            continue
        first, meaning = row[0]
        named = re.search(re.escape(opt) + r"=([a-z|\\-]+)`", first)
        if named and "|" in named.group(1):
            words = named.group(1).replace("\\", "").split("|")
        else:
            words = re.findall(r"`([a-z][a-z-]*)`", meaning)
            words = [w for w in words if w in want or w in sum(VALUES.values(), [])]
        same("README options table: values of %s" % opt, want, words)


completion()
man()
readme()
print("%d failed" % len(fails))
sys.exit(1 if fails else 0)
