#!/usr/bin/env bash
# Capacity search (issue 18): the highest sustained rate at which publish->stored p99 stays
# under 2 s, on real-length posts (kuzot loadgen --real-lengths), for one node or for the
# local cluster, with the peak memory (VmHWM) of every process.
#
#   scripts/capacity.sh single   kuzot jetstream (R1) + one store and one classify process,
#                                ClickHouse at KUZOT_CLICKHOUSE_ADDR (one server)
#   scripts/capacity.sh cluster  the local cluster of scripts/cluster-local.sh (must be up:
#                                make cluster-up): 3 NATS nodes at R3, 2x2 ClickHouse, two
#                                store and two classify processes
#
# Each step publishes for STEP (default 20s) at a rate, starting at START (default 500)
# posts/s and doubling while the target holds, then bisecting between the last good and
# the first bad rate (BISECT steps, default 2). A step fails when publish->stored p99 >=
# 2 s or fewer than 90% of the offered rate were acknowledged. Output: one line per step
# and the result; logs under DIR (default data/capacity-MODE).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:?usage: capacity.sh single|cluster}
BIN=${BIN:-bin/kuzot}
step=${STEP:-20s}
start=${START:-500}
bisect=${BISECT:-2}
dir=${DIR:-data/capacity-$mode}
rm -rf "$dir"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

db=kuzot_capacity_$mode
case "$mode" in
  single)
    : "${KUZOT_CLICKHOUSE_ADDR:?set KUZOT_CLICKHOUSE_ADDR (and KUZOT_CLICKHOUSE_PASSWORD) to one ClickHouse server}"
    nats_port=${NATS_PORT:-24222}
    export KUZOT_NATS_PASSWORD=capacity-$RANDOM-$RANDOM-0123456789abcdef
    cat >"$dir/jetstream.yaml" <<YAML
data_dir: $dir/jetstream
http: {listen: 127.0.0.1:0, metrics_listen: 127.0.0.1:0}
nats:
  embedded: {host: 127.0.0.1, port: $nats_port, store_dir: $dir/jetstream/store}
YAML
    env -u KUZOT_NATS_URL "$BIN" jetstream --config "$dir/jetstream.yaml" >"$dir/jetstream.log" 2>&1 &
    pids+=($!)
    echo "jetstream $!" >"$dir/procs"
    for _ in $(seq 1 120); do grep -q listening "$dir/jetstream.log" && break; sleep 0.5; done
    export KUZOT_NATS_URL=nats://127.0.0.1:$nats_port
    replicas=1
    copies=1
    ;;
  cluster)
    eval "$(scripts/cluster-local.sh env)"
    replicas=3
    copies=2
    ;;
  *) echo "capacity: mode single or cluster" >&2; exit 2 ;;
esac
export KUZOT_CLICKHOUSE_DATABASE=$db

# Migrate once: two store processes migrating a new database ON CLUSTER at once race
# ("table already exists").
cat >"$dir/migrate.yaml" <<YAML
data_dir: $dir/migrate
nats: {replicas: $replicas}
YAML
"$BIN" migrate --config "$dir/migrate.yaml" >"$dir/migrate.log" 2>&1

port=18300
for role in store classify; do
  for i in $(seq 1 "$copies"); do
    name=$role$i
    cat >"$dir/$name.yaml" <<YAML
data_dir: $dir/$name
log: {level: warn}
http: {listen: 127.0.0.1:$port, metrics_listen: shared}
nats: {replicas: $replicas}
store: {flush_interval: 200ms}
YAML
    "$BIN" run --roles "$role" --config "$dir/$name.yaml" >"$dir/$name.log" 2>&1 &
    pids+=($!)
    echo "$name $!" >>"$dir/procs"
    for _ in $(seq 1 240); do
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
      sleep 0.5
    done
    port=$((port + 1))
  done
done
sleep 3
echo "capacity: $mode — $(tr '\n' ' ' <"$dir/procs")"

# run_step RATE prints "ok|bad acked_rate p50 p99" for one step.
run_step() {
  local rate=$1 out acked p50 p99 verdict
  out=$("$BIN" loadgen --config "$dir/store1.yaml" --run "c$(date +%s)r$rate" --posts 0 --duration "$step" --rate "$rate" --real-lengths --wait 2m 2>"$dir/loadgen-$rate.err" || true)
  echo "$out" >"$dir/loadgen-$rate.out"
  acked=$(sed -n 's/.*in [^:]*: \([0-9]*\) posts\/s acknowledged.*/\1/p' <<<"$out")
  p50=$(sed -n 's/^publish->stored p50 \([^ ]*\) p99 \([^ ]*\) .*/\1/p' <<<"$out")
  p99=$(sed -n 's/^publish->stored p50 \([^ ]*\) p99 \([^ ]*\) .*/\2/p' <<<"$out")
  verdict=bad
  if [ -n "$acked" ] && [ -n "$p99" ] && awk -v a="$acked" -v r="$rate" -v p="$p99" 'BEGIN {
      s = p; m = 1
      if (s ~ /ms$/) { sub(/ms$/, "", s); m = 0.001 } else if (s ~ /µs$/) { sub(/µs$/, "", s); m = 0.000001 } else if (s ~ /m[0-9]/) { exit 1 } else { sub(/s$/, "", s) }
      exit !(a >= 0.9 * r && s * m < 2) }'; then verdict=ok; fi
  echo "$verdict ${acked:-0} ${p50:-?} ${p99:-?}"
}

good=0
bad=0
rate=$start
while :; do
  read -r v a p50 p99 < <(run_step "$rate")
  echo "step: offered $rate/s -> acknowledged $a/s, publish->stored p50 $p50 p99 $p99: $v"
  if [ "$v" = ok ]; then good=$rate; rate=$((rate * 2)); else bad=$rate; break; fi
  [ "$rate" -le 64000 ] || break
done
for _ in $(seq 1 "$bisect"); do
  [ "$bad" -gt 0 ] && [ $((bad - good)) -gt 100 ] || break
  rate=$(((good + bad) / 2))
  read -r v a p50 p99 < <(run_step "$rate")
  echo "step: offered $rate/s -> acknowledged $a/s, publish->stored p50 $p50 p99 $p99: $v"
  if [ "$v" = ok ]; then good=$rate; else bad=$rate; fi
done
echo "result: $mode sustains $good posts/s with publish->stored p99 < 2 s (first failing rate: ${bad:-none})"
echo "peak memory (VmHWM):"
while read -r name pid; do
  echo "  $name $(awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' "/proc/$pid/status" 2>/dev/null || echo '?')"
done <"$dir/procs"
if [ "$mode" = cluster ]; then
  for f in data/cluster/nats/n[123].pid; do
    echo "  nats-$(basename "$f" .pid) $(awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' "/proc/$(cat "$f")/status" 2>/dev/null || echo '?')"
  done
fi
