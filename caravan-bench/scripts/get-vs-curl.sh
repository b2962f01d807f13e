#!/usr/bin/env bash
# Benchmark: `caravan get` of a release from a local `caravan origin` over loopback, against curl
# fetching the same chunk files from the same origin over one keep-alive connection.
#
#   caravan-bench/scripts/get-vs-curl.sh [SIZE_MIB] [FILES] [RUNS] [ORIGIN_RATE]
#                                              (defaults: 256 1000 5 0; rate as `caravan origin --upload-rate`, 0: none)
#
# Each run starts cold: an empty cache and no installed tree for `get`, an empty folder for curl.
# `get` verifies every chunk, writes it to its cache, installs the tree (all-or-nothing, fsynced)
# and verifies every file; curl writes the chunk files and nothing else. Prints each run's wall
# time, the medians and the ratio curl/get (>= 1 would mean get is as fast as curl).
set -euo pipefail
size_mib=${1:-256}
files=${2:-1000}
runs=${3:-5}
rate=${4:-0}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
caravan="$here/caravan"
work="$(mktemp -d /tmp/caravan-get-vs-curl.XXXXXX)"
origin_pid=""
cleanup() { [ -n "$origin_pid" ] && kill "$origin_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$caravan" --version >/dev/null   # builds the jar on first use
echo "generating a release of $files files, $size_mib MiB, in $work"
python3 - "$work/src" "$size_mib" "$files" <<'PY'
import os, random, sys
root, size, n = sys.argv[1], int(sys.argv[2]) << 20, int(sys.argv[3])
rnd = random.Random(1)
weights = [0 if i % 20 == 7 else rnd.lognormvariate(0, 2) for i in range(n)]
total = sum(weights)
for i, w in enumerate(weights):
    d = os.path.join(root, *("d%d" % rnd.randrange(6) for _ in range(rnd.randrange(4))))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%04d.bin" % i), "wb") as f:
        f.write(os.urandom(int(size * w / total)))
PY
"$caravan" keys init --keys "$work/keys" --repo "$work/repo" >/dev/null
"$caravan" publish --keys "$work/keys" --repo "$work/repo" --product bench --version 1 "$work/src"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$caravan" origin --repo "$work/repo" --listen "127.0.0.1:$port" --upload-rate "$rate" >"$work/origin.log" 2>&1 &
origin_pid=$!
for _ in $(seq 100); do grep -q serving "$work/origin.log" 2>/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$port"

python3 - "$work" "$url" <<'PY'
import glob, json, sys
work, url = sys.argv[1], sys.argv[2]
manifest = json.load(open(glob.glob(work + "/repo/targets/*.bench-1.manifest.json")[0]))
seen = set()
with open(work + "/curl.cfg", "w") as cfg:
    for c in manifest["chunks"]:
        h = c["sha256"]
        if h not in seen:
            seen.add(h)
            cfg.write('url = "%s/chunks/%s/%s"\noutput = "%s/curl-out/%s"\n' % (url, h[:2], h, work, h))
PY

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
: >"$work/get.times"; : >"$work/curl.times"
for i in $(seq "$runs"); do
  rm -rf "$work/curl-out" && mkdir "$work/curl-out"
  t=$(now); curl -sS -K "$work/curl.cfg"; echo $(( ($(now) - t) / 1000000 )) >>"$work/curl.times"
  rm -rf "$work/out" "$work/cache"
  t=$(now)
  "$caravan" get --origin "$url" --trusted-root "$work/repo/metadata/1.root.json" --product bench --version 1 \
      --out "$work/out" --cache "$work/cache" >/dev/null 2>&1
  echo $(( ($(now) - t) / 1000000 )) >>"$work/get.times"
  echo "run $i: curl $(tail -1 "$work/curl.times") ms, caravan get $(tail -1 "$work/get.times") ms"
done
c=$(median <"$work/curl.times"); g=$(median <"$work/get.times")
echo "median: curl $c ms, caravan get $g ms, curl/get = $(awk -v c="$c" -v g="$g" 'BEGIN {printf "%.2f", c / g}')"
