#!/usr/bin/env bash
# Process and memory limits, for real: as user nobody under `ulimit -u`, a worker
# count that can never fit exits 2 before running; one that hits the limit
# mid-run names EAGAIN and the limit, reaps every started worker, exits 1.
# root ignores RLIMIT_NPROC, so this needs root to become nobody: skipped
# (77) otherwise.
[ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null || { echo "SKIP: needs root and setpriv"; exit 77; }
id nobody >/dev/null 2>&1 || { echo "SKIP: no user nobody"; exit 77; }
. "$(dirname "$0")/lib.sh" "$1"
cp "$bin" "$dir/concbench"
chmod 755 "$dir" "$dir/concbench"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups bash -c "$1"; }

out=$(as_nobody "ulimit -u 50; '$dir/concbench' -m processes -t io -n 100 -r 1 --sleep=1ms" 2>&1 >/dev/null)
code=$?
check "over the limit exits 2" '[ $code -eq 2 ]'
check "one line naming --workers and RLIMIT_NPROC" \
    '[ "$(printf "%s\n" "$out" | wc -l)" -eq 1 ] && [[ $out == *--workers* && $out == *RLIMIT_NPROC* ]]'

# Five sleepers hold slots, so 19 workers pass the check but not the kernel.
out=$(as_nobody "ulimit -u 20; for i in 1 2 3 4 5; do sleep 5 & done
    '$dir/concbench' -m processes,threads -t io -n 19 -r 1 -w 0 --sleep=100ms
    code=\$?; kill \$(jobs -p); wait; exit \$code" 2>&1 >/dev/null)
code=$?
check "hitting the limit mid-run exits 1" '[ $code -eq 1 ]'
check "fork failure named, with EAGAIN and the reaping" \
    '[[ $out == *"fork failed for worker"*EAGAIN*"killed and reaped"* ]]'
check "pthread_create failure named" '[[ $out == *"pthread_create failed for worker"*EAGAIN*joined* ]]'
sleep 0.2
# /proc, not ps: procps may not be installed on a minimal machine.
nobody_procs() { grep -ls '^Uid:[[:space:]]*65534[[:space:]]' /proc/[0-9]*/status 2>/dev/null; }
check "no process of nobody left" '[ -z "$(nobody_procs)" ]'
# Memory limits, for real: inside a memory cgroup limited to 256 MiB, a
# run that needs more is refused before anything is allocated. cgroup v1
# (as on this project's machines); skipped where none can be made.
cg_path=$(sed -n 's/^[0-9]*:memory:\(.*\)$/\1/p' /proc/self/cgroup)
cg=/sys/fs/cgroup/memory${cg_path%/}/concbench-test.$$
if [ -n "$cg_path" ] && mkdir "$cg" 2>/dev/null; then
    trap 'rm -rf "$dir"; rmdir "$cg" 2>/dev/null' EXIT
fi
# Only where the limit really holds: a run that is not refused would
# allocate 1 GiB. 99: the check could not be set up here.
code=99
if [ -d "$cg" ] && echo $((256 << 20)) 2>/dev/null >"$cg/memory.limit_in_bytes" &&
    [ "$(cat "$cg/memory.limit_in_bytes")" -le $((256 << 20)) ]; then
    out=$(bash -c "echo \$\$ >'$cg/cgroup.procs' || exit 99
        exec '$bin' -q -m processes -t cpu -n 4 --payload=128MiB -r 1 -w 0" 2>&1 >/dev/null)
    code=$?
fi
if [ $code -ne 99 ]; then
    check "over the memory cgroup's limit exits 2" '[ $code -eq 2 ]'
    check "one line naming the payload and the cgroup" \
        '[ "$(printf "%s\n" "$out" | wc -l)" -eq 1 ] && [[ $out == *--payload*"memory cgroup"* ]]'
else
    echo "skip: no memory cgroup (v1) can be made here"
fi
finish
