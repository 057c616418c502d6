#!/usr/bin/env bash
# Capacity search (issue 18): the highest sustained rate at which publish->stored p99 stays
# under 2 s, on real-length posts (kuzot loadgen --real-lengths), for one node or for the
# local cluster, next to two like-for-like baselines searched in the same run by the same
# rule, and the peak memory (VmHWM) of every process.
#
#   scripts/capacity.sh single   kuzot jetstream (R1) + one store and one classify process +
#                                one ClickHouse server: a throw-away one of
#                                scripts/clickhouse-local.sh on a free port (so that its memory is
#                                its own), or the one at KUZOT_CLICKHOUSE_ADDR if that is set
#   scripts/capacity.sh cluster  the local cluster of scripts/cluster-local.sh (must be up:
#                                make cluster-up): 3 NATS nodes at R3, 2x2 ClickHouse, two
#                                store and two classify processes
#
# Three searches, one after another (PATHS, default "jetstream clickhouse full": the baselines
# first, so that no classify backlog of the full path's last step runs under them):
#   full       the pipeline: kuzot loadgen -> posts stream -> store (+ classify) -> ClickHouse;
#              latency publish->stored
#   jetstream  batched JetStream publish+consume alone (bench/capacity --baseline jetstream):
#              the same posts, the same atomic batches of 100 and window, onto a copy of the
#              posts stream (same replicas: R1 single, R3 cluster), consumed by the store
#              stage's loop with a writer that writes nothing, one loop per store process;
#              latency publish->consumed
#   clickhouse ClickHouse insert alone (bench/capacity --baseline clickhouse): the same posts
#              arriving at the rate, batched as the store stage batches them, inserted with
#              storage.InsertPosts into the same posts table (ReplacingMergeTree single,
#              Distributed over ReplicatedReplacingMergeTree cluster), one loop per store
#              process; latency arrival->inserted
#
# ROLES (default "store classify") are the role processes started; ROLES=store measures the
# full path without classification (no classify process, no results).
#
# Each step offers a rate for STEP (default 20s), starting at START (default 500) posts/s
# and doubling while the target holds, then bisecting between the last good and the first
# bad rate (BISECT steps, default 2). A step fails when the p99 >= 2 s or fewer than 90% of
# the offered rate were acknowledged. Output: one line per step, the result of each path,
# the ratios full / baseline, and the peak memory of every process; logs under DIR
# (default data/capacity-MODE).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:?usage: capacity.sh single|cluster}
BIN=${BIN:-bin/kuzot}
step=${STEP:-20s}
start=${START:-500}
bisect=${BISECT:-2}
paths=${PATHS:-jetstream clickhouse full}
dir=${DIR:-data/capacity-$mode}
rm -rf "$dir"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
pids=()
own_ch=""
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ -n "$own_ch" ]; then scripts/clickhouse-local.sh stop "$own_ch" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
go build -o "$dir/capacity-baseline" ./bench/capacity
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

db=kuzot_capacity_$mode
case "$mode" in
  single)
    if [ -z "${KUZOT_CLICKHOUSE_ADDR:-}" ]; then
      own_ch=$dir/clickhouse
      ch_port=${CH_PORT:-24900}
      while (exec 3<>"/dev/tcp/127.0.0.1/$ch_port") 2>/dev/null; do ch_port=$((ch_port + 10)); done
      scripts/clickhouse-local.sh start "$own_ch" "$ch_port" >"$dir/clickhouse-start.log" 2>&1
      export KUZOT_CLICKHOUSE_ADDR=127.0.0.1:$ch_port
      KUZOT_CLICKHOUSE_PASSWORD=$(scripts/clickhouse-local.sh password "$own_ch")
      export KUZOT_CLICKHOUSE_PASSWORD
    fi
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
# A fresh database for every run (a previous run's rows would make this one's merges bigger).
if [ -z "$own_ch" ]; then
  on_cluster=""
  [ "$mode" = cluster ] && on_cluster=" ON CLUSTER $KUZOT_CLICKHOUSE_CLUSTER"
  first=${KUZOT_CLICKHOUSE_ADDR%%,*}
  clickhouse-client --host "${first%:*}" --port "${first##*:}" --password "$KUZOT_CLICKHOUSE_PASSWORD" \
    -q "DROP DATABASE IF EXISTS $db$on_cluster" >"$dir/drop.log" 2>&1 || { echo "capacity: could not drop $db (see $dir/drop.log)" >&2; exit 1; }
fi

# Migrate once: two store processes migrating a new database ON CLUSTER at once race
# ("table already exists").
cat >"$dir/migrate.yaml" <<YAML
data_dir: $dir/migrate
nats: {replicas: $replicas}
YAML
"$BIN" migrate --config "$dir/migrate.yaml" >"$dir/migrate.log" 2>&1

port=18300
for role in ${ROLES:-store classify}; do
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

# run_step PATH RATE prints "ok|bad acked_rate p50 p99" for one step of PATH.
run_step() {
  local path=$1 rate=$2 out acked p50 p99 verdict run
  run="c$(date +%s)${path:0:1}r$rate"
  case "$path" in
    full) out=$("$BIN" loadgen --config "$dir/store1.yaml" --run "$run" --posts 0 --duration "$step" --rate "$rate" --real-lengths --wait 2m 2>"$dir/$path-$rate.err" || true) ;;
    *) out=$("$dir/capacity-baseline" --config "$dir/store1.yaml" --baseline "$path" --run "$run" --duration "$step" --rate "$rate" --batch 100 --writers "$copies" --wait 2m 2>"$dir/$path-$rate.err" || true) ;;
  esac
  echo "$out" >"$dir/$path-$rate.out"
  acked=$(sed -n 's/.*in [^:]*: \([0-9]*\) posts\/s acknowledged.*/\1/p' <<<"$out")
  # The last latency line: publish->stored (full), publish->consumed, arrival->inserted.
  p50=$(sed -n 's/^[a-z>-]* *p50 \([^ ]*\) p99 \([^ ]*\) .*/\1/p' <<<"$out" | tail -1)
  p99=$(sed -n 's/^[a-z>-]* *p50 \([^ ]*\) p99 \([^ ]*\) .*/\2/p' <<<"$out" | tail -1)
  verdict=bad
  if [ -n "$acked" ] && [ -n "$p99" ] && awk -v a="$acked" -v r="$rate" -v p="$p99" 'BEGIN {
      s = p; m = 1
      if (s ~ /ms$/) { sub(/ms$/, "", s); m = 0.001 } else if (s ~ /µs$/) { sub(/µs$/, "", s); m = 0.000001 } else if (s ~ /m[0-9]/) { exit 1 } else { sub(/s$/, "", s) }
      exit !(a >= 0.9 * r && s * m < 2) }'; then verdict=ok; fi
  echo "$verdict ${acked:-0} ${p50:-?} ${p99:-?}"
}

# search PATH runs the step schedule on PATH and records "PATH good bad p99_at_good" in $dir/results.
search() {
  local path=$1 good=0 bad=0 rate=$start v a p50 p99 good_p99=?
  while :; do
    read -r v a p50 p99 < <(run_step "$path" "$rate")
    echo "step $path: offered $rate/s -> acknowledged $a/s, p50 $p50 p99 $p99: $v ($(date -u +%T), load $(cut -d' ' -f1 /proc/loadavg))"
    if [ "$v" = ok ]; then good=$rate; good_p99=$p99; rate=$((rate * 2)); else bad=$rate; break; fi
    [ "$rate" -le 64000 ] || break
  done
  for _ in $(seq 1 "$bisect"); do
    [ "$bad" -gt 0 ] && [ $((bad - good)) -gt 100 ] || break
    rate=$(((good + bad) / 2))
    read -r v a p50 p99 < <(run_step "$path" "$rate")
    echo "step $path: offered $rate/s -> acknowledged $a/s, p50 $p50 p99 $p99: $v ($(date -u +%T), load $(cut -d' ' -f1 /proc/loadavg))"
    if [ "$v" = ok ]; then good=$rate; good_p99=$p99; else bad=$rate; fi
  done
  echo "result: $mode $path sustains $good posts/s with p99 < 2 s (p99 there $good_p99; first failing rate: ${bad:-none})"
  echo "$path $good $bad $good_p99" >>"$dir/results"
}

for path in $paths; do
  search "$path"
  sleep "${SETTLE:-10}" # background merges of the last step
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
full=$(awk '$1 == "full" {print $2}' "$dir/results")
for b in jetstream clickhouse; do
  base=$(awk -v b="$b" '$1 == b {print $2}' "$dir/results")
  if [ -n "$full" ] && [ -n "$base" ] && [ "$base" -gt 0 ]; then
    echo "ratio: $mode full / $b baseline = $full / $base = $(awk -v f="$full" -v b="$base" 'BEGIN {printf "%.2f", f / b}')"
  fi
done
# hwm PID prints the process's peak resident memory.
hwm() { awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' "/proc/$1/status" 2>/dev/null || echo '?'; }
echo "peak memory (VmHWM):"
while read -r name pid; do
  echo "  $name $(hwm "$pid")"
done <"$dir/procs"
harness=$({ cat "$dir"/jetstream-*.out "$dir"/clickhouse-*.out 2>/dev/null || true; } | awk '/^harness VmHWM:/ {if ($3 > m) m = $3} END {if (m) printf "%.0f MiB", m / 1024}')
echo "  capacity-baseline (largest over its steps) ${harness:-?}"
if [ -n "$own_ch" ]; then
  echo "  clickhouse $(hwm "$(cat "$own_ch/server.pid")")"
elif [ "$mode" = single ]; then
  echo "  clickhouse: not measured (KUZOT_CLICKHOUSE_ADDR is a server this script did not start)"
fi
if [ "$mode" = cluster ]; then
  cdir=${KUZOT_CLUSTER_DIR:-data/cluster}
  for f in "$cdir"/nats/n[123].pid; do
    echo "  nats-$(basename "$f" .pid) $(hwm "$(cat "$f")")"
  done
  for n in 1 2 3 4; do
    echo "  clickhouse-ch$n $(hwm "$(cat "$cdir/clickhouse/ch$n/server.pid")")"
  done
  echo "  zookeeper $(hwm "$(cat "$cdir/clickhouse/zookeeper/pid")")"
fi
