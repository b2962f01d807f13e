#!/usr/bin/env bash
# The swarm benchmark: `caravan demo --json` (a CA, an origin capped at U, a tracker and N agents
# capped at u up, all on loopback with mutual TLS, one process) fetching a generated release of F
# bytes; each run prints the time to the last agent against T_min = max(F/U, F/d, N·F/(U + N·u)),
# the origin's bytes as a multiple of F, and whether every installed tree equals the published one.
#
#   caravan-bench/scripts/swarm.sh [PEERS...]         (default: 10 20)
#   RUNS=3 SIZE=256MiB ORIGIN_RATE=20MB PEER_RATE=10MB caravan-bench/scripts/swarm.sh 10
#   WORK=/dev/shm caravan-bench/scripts/swarm.sh 10     # agents' caches and installs in RAM
#   LIARS=1 caravan-bench/scripts/swarm.sh 10           # one of the N agents serves flipped bits
#   PAIRED_LIARS=1 RUNS=3 caravan-bench/scripts/swarm.sh 10   # alternate runs without and with 1 liar
#   FILL_PAGE_CACHE=1 caravan-bench/scripts/swarm.sh 10  # read a file as large as the memory before each run
#
# FILL_PAGE_CACHE: on a VM whose balloon reports free pages to the host, memory freed is handed back
# and the next first touch of it costs a fault in the host (on the reference machine, writing 2 GB
# into the page cache took 0.7 s of system time in reused pages, 5-7 s in fresh ones). A run writes
# about 5 GB of caches and installs, so it would mostly measure that. Reading a file the size of the
# memory first (BALLAST, created once, default /var/tmp/caravan-bench-ballast) leaves the memory
# full of clean cache, as on a machine that has been in service a while: the run's writes and heap
# then take pages back from the cache. Linux only; the file stays for the next runs (delete it when
# done: it is as large as the memory). See docs/benchmarks.md.
#
# WORK puts the demo's folder (caches, installs, repository) there instead of a temporary folder
# under /tmp: on one machine the ten agents share one disk, which separate machines would not.
#
# Goals (issue 3): last completion / T_min <= 1.15 and origin bytes <= 1.10 F at F = 256 MiB,
# N = 10, U = 20 MB/s, u = 10 MB/s. Prints one JSON line per run, then the medians per N.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs=${RUNS:-3}
size=${SIZE:-256MiB}
origin_rate=${ORIGIN_RATE:-20MB}
peer_rate=${PEER_RATE:-10MB}
liars=${LIARS:-0}
paired=${PAIRED_LIARS:-}
peers=("$@")
[ ${#peers[@]} -eq 0 ] && peers=(10 20)
out="$(mktemp /tmp/caravan-swarm-bench.XXXXXX)"
trap 'rm -f "$out"' EXIT

"$here/caravan" --version >/dev/null   # builds the jar on first use
ballast=${BALLAST:-/var/tmp/caravan-bench-ballast}
fill_page_cache() {
  [ -n "${FILL_PAGE_CACHE:-}" ] || return 0
  local want have
  want=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 ))   # MiB
  have=$(( $(stat -c %s "$ballast" 2>/dev/null || echo 0) / 1048576 ))
  if [ "$have" -lt "$want" ]; then
    echo "writing $ballast ($want MiB, once)" >&2
    dd if=/dev/zero of="$ballast" bs=1M count="$want" conv=fsync status=none
  fi
  cat "$ballast" >/dev/null
}
for n in "${peers[@]}"; do
  for ((r = 1; r <= runs; r++)); do
    variants=("$liars")
    [ -n "$paired" ] && variants=(0 "$paired")
    for l in "${variants[@]}"; do
      dir_args=()
      if [ -n "${WORK:-}" ]; then
        dir_args=(--dir "$WORK/caravan-swarm-$$-$n-$r-$l")
      fi
      fill_page_cache
      line="$("$here/caravan" demo --json --peers "$n" --liars "$l" --size "$size" --origin-rate "$origin_rate" \
        --peer-rate "$peer_rate" "${dir_args[@]}" 2>/dev/null)" || { echo "run $r with $n peers ($l liars) failed (exit $?)" >&2; exit 1; }
      [ -n "${WORK:-}" ] && rm -rf "$WORK/caravan-swarm-$$-$n-$r-$l"
      echo "$line" | tee -a "$out"
    done
  done
done
python3 - "$out" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
groups = sorted({(r["peers"], r.get("liars", 0)) for r in runs})
for n, l in groups:
    rs = [r for r in runs if r["peers"] == n and r.get("liars", 0) == l]
    med = lambda k: statistics.median(r[k] for r in rs)
    print("N=%d liars=%d runs=%d  last=%.1f s  T_min=%.1f s  ratio=%.2f (min %.2f, max %.2f)  origin=%.2f F  http-only=%.0f s  all verified=%s"
          % (n, l, len(rs), med("last_completion_seconds"), med("lower_bound_seconds"), med("ratio_to_lower_bound"),
             min(r["ratio_to_lower_bound"] for r in rs), max(r["ratio_to_lower_bound"] for r in rs),
             med("origin_bytes_per_release"), med("http_only_seconds"), all(r["all_verified"] for r in rs)))
for n in sorted({n for n, l in groups}):
    ls = sorted(l for m, l in groups if m == n)
    if len(ls) > 1 and ls[0] == 0:
        base = statistics.median(r["last_completion_seconds"] for r in runs if r["peers"] == n and r.get("liars", 0) == 0)
        for l in ls[1:]:
            with_l = statistics.median(r["last_completion_seconds"] for r in runs if r["peers"] == n and r.get("liars", 0) == l)
            print("N=%d: median last honest agent with %d liar(s) / without = %.1f s / %.1f s = %.2f" % (n, l, with_l, base, with_l / base))
PY
