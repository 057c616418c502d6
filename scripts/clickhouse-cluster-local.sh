#!/usr/bin/env bash
# A local ClickHouse cluster for tests and small trials (issue 18): one ZooKeeper and four
# ClickHouse servers, 2 shards x 2 replicas, all on loopback, with project-local data
# dirs. The ClickHouse part of docs/scaling.md explains the schema kuzot creates on it
# (clickhouse.cluster: kuzot_cluster).
#
#   scripts/clickhouse-cluster-local.sh up       install what is missing, start ZooKeeper and the 4 servers
#   scripts/clickhouse-cluster-local.sh down     stop the 4 servers and ZooKeeper (data stays; `clean` removes it)
#   scripts/clickhouse-cluster-local.sh status   print each process's state; exit 0 when all answer
#   scripts/clickhouse-cluster-local.sh addrs    print the comma-separated native addresses (KUZOT_TEST_CLICKHOUSE_CLUSTER)
#   scripts/clickhouse-cluster-local.sh password print kuzot's password (same user on every server)
#   scripts/clickhouse-cluster-local.sh start N  start server N (1-4), or zk, alone
#   scripts/clickhouse-cluster-local.sh kill N   SIGKILL server N (1-4), or zk (fault tests)
#   scripts/clickhouse-cluster-local.sh clean    down, then delete the cluster's data dir
#
# Environment: KUZOT_CH_CLUSTER_DIR (default data/clickhouse-cluster),
# KUZOT_CH_CLUSTER_PORT (base port, default 29100): server N listens on native TCP
# base+N and interserver HTTP base+10+N (replicas fetch parts from each other over it),
# ZooKeeper on base+81. Nothing listens beyond 127.0.0.1; the HTTP interface is off.
#
# Servers 1,2 are shard 01 (replicas ch1, ch2), servers 3,4 shard 02 (ch3, ch4): macros
# {shard} and {replica}. remote_servers defines kuzot_cluster (internal_replication=true,
# so a Distributed insert writes one replica and replication copies it) and kuzot_self
# (each server itself, for the read-only Grafana tables as on the single node). Users as
# in scripts/clickhouse-local.sh: default (kuzot's, password generated into DIR/password,
# 0600) and the read-only grafana user (DIR/grafana_password).
set -euo pipefail
cd "$(dirname "$0")/.."

cmd=${1:-}
arg=${2:-}
dir=${KUZOT_CH_CLUSTER_DIR:-data/clickhouse-cluster}
base=${KUZOT_CH_CLUSTER_PORT:-29100}
cluster=kuzot_cluster
zk_port=$((base + 81))
grafana_dbs=${GRAFANA_DATABASES:-kuzot_grafana kuzot_test_grafana}
nodes="1 2 3 4"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

tcp_port() { echo $((base + $1)); }
inter_port() { echo $((base + 10 + $1)); }
shard_of() { if [ "$1" -le 2 ]; then echo 01; else echo 02; fi; }

server_bin() {
  command -v clickhouse-server 2>/dev/null || { [ -x /usr/sbin/clickhouse-server ] && echo /usr/sbin/clickhouse-server; } || true
}

# install adds clickhouse-server/-client and zookeeper (3.8, Java) from the distribution's
# packages when missing, the way scripts/test.sh installs its tools.
install() {
  local need=()
  [ -n "$(server_bin)" ] || need+=(clickhouse-server)
  command -v clickhouse-client >/dev/null 2>&1 || need+=(clickhouse-client)
  [ -f /usr/share/java/zookeeper.jar ] || need+=(zookeeper)
  [ ${#need[@]} -eq 0 ] && return 0
  echo "clickhouse-cluster: installing ${need[*]} from the distribution's packages" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

password_of() { scripts/local-secret.sh "$1"; }
sha256_hex() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

zk_ok() {
  local out
  out=$( (exec 3<>"/dev/tcp/127.0.0.1/$zk_port" && printf ruok >&3 && timeout 2 cat <&3) 2>/dev/null || true)
  [ "$out" = imok ]
}

node_ok() {
  clickhouse-client --host 127.0.0.1 --port "$(tcp_port "$1")" --password "$(cat "$dir/password" 2>/dev/null)" \
    --query "SELECT 1" >/dev/null 2>&1
}

start_zk() {
  local z=$dir/zookeeper
  if alive "$z/pid" && zk_ok; then return 0; fi
  if zk_ok; then
    echo "clickhouse-cluster: something else answers as ZooKeeper on 127.0.0.1:$zk_port; set KUZOT_CH_CLUSTER_PORT" >&2
    return 1
  fi
  mkdir -p "$z/data" "$z/log"
  cat >"$z/zoo.cfg" <<CFG
tickTime=2000
initLimit=10
syncLimit=5
dataDir=$z/data
clientPort=$zk_port
clientPortAddress=127.0.0.1
maxClientCnxns=500
admin.enableServer=false
4lw.commands.whitelist=ruok,srvr,mntr
autopurge.snapRetainCount=3
autopurge.purgeInterval=1
CFG
  # java itself must be the background job, so that $! (and the pid file) is its pid.
  (cd "$z" || exit 1; nohup java -Xms64m -Xmx512m -Dzookeeper.log.dir="$z/log" \
    -cp "/etc/zookeeper/conf:/usr/share/java/zookeeper.jar" org.apache.zookeeper.server.quorum.QuorumPeerMain \
    "$z/zoo.cfg" >"$z/log/stdout.log" 2>&1 </dev/null & echo $! >"$z/pid")
  for _ in $(seq 1 150); do
    if zk_ok; then
      echo "clickhouse-cluster: zookeeper started (pid $(cat "$z/pid"), 127.0.0.1:$zk_port)"
      return 0
    fi
    if ! alive "$z/pid"; then
      echo "clickhouse-cluster: zookeeper exited:" >&2
      tail -n 20 "$z/log/stdout.log" >&2 || true
      return 1
    fi
    sleep 0.2
  done
  echo "clickhouse-cluster: zookeeper did not answer within 30 s" >&2
  return 1
}

write_node_config() {
  local n=$1 d=$dir/ch$1 pw=$2 pw_hash=$3 grafana_hash=$4 grafana_allow=$5 m shard1="" shard2=""
  for m in 1 2; do shard1="$shard1<replica><host>127.0.0.1</host><port>$(tcp_port $m)</port><user>default</user><password>$pw</password></replica>"; done
  for m in 3 4; do shard2="$shard2<replica><host>127.0.0.1</host><port>$(tcp_port $m)</port><user>default</user><password>$pw</password></replica>"; done
  mkdir -p "$d/data" "$d/tmp" "$d/user_files" "$d/log" "$d/format_schemas"
  # config.xml holds kuzot's password (remote_servers): 0600 like users.xml.
  (umask 077 && cat >"$d/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>$d/log/clickhouse-server.log</log>
    <errorlog>$d/log/clickhouse-server.err.log</errorlog>
    <size>100M</size>
    <count>3</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <tcp_port>$(tcp_port "$n")</tcp_port>
  <interserver_http_port>$(inter_port "$n")</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <max_connections>1024</max_connections>
  <keep_alive_timeout>3</keep_alive_timeout>
  <max_concurrent_queries>100</max_concurrent_queries>
  <uncompressed_cache_size>134217728</uncompressed_cache_size>
  <mark_cache_size>134217728</mark_cache_size>
  <path>$d/data/</path>
  <tmp_path>$d/tmp/</tmp_path>
  <user_files_path>$d/user_files/</user_files_path>
  <format_schema_path>$d/format_schemas/</format_schema_path>
  <users_config>$d/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
  <builtin_dictionaries_reload_interval>3600</builtin_dictionaries_reload_interval>
  <max_session_timeout>3600</max_session_timeout>
  <default_session_timeout>60</default_session_timeout>
  <max_table_size_to_drop>0</max_table_size_to_drop>
  <max_partition_size_to_drop>0</max_partition_size_to_drop>
  <zookeeper>
    <node><host>127.0.0.1</host><port>$zk_port</port></node>
    <session_timeout_ms>10000</session_timeout_ms>
    <operation_timeout_ms>5000</operation_timeout_ms>
  </zookeeper>
  <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
  <macros><shard>$(shard_of "$n")</shard><replica>ch$n</replica><cluster>$cluster</cluster></macros>
  <remote_servers>
    <$cluster>
      <shard><internal_replication>true</internal_replication>$shard1</shard>
      <shard><internal_replication>true</internal_replication>$shard2</shard>
    </$cluster>
    <kuzot_self><shard><replica>
      <host>127.0.0.1</host><port>$(tcp_port "$n")</port><user>default</user><password>$pw</password>
    </replica></shard></kuzot_self>
  </remote_servers>
</yandex>
XML
  )
  (umask 077 && cat >"$d/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>4000000000</max_memory_usage>
      <load_balancing>in_order</load_balancing>
      <!-- kuzot's queries join Distributed tables (storage.ClusterSettings) -->
      <distributed_product_mode>global</distributed_product_mode>
      <background_pool_size>6</background_pool_size>
    </default>
    <grafana>
      <readonly>1</readonly>
      <prefer_localhost_replica>0</prefer_localhost_replica>
      <max_memory_usage>2000000000</max_memory_usage>
      <max_execution_time>60</max_execution_time>
      <max_result_rows>100000</max_result_rows>
    </grafana>
  </profiles>
  <users>
    <default>
      <password_sha256_hex>$pw_hash</password_sha256_hex>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
    <grafana>
      <password_sha256_hex>$grafana_hash</password_sha256_hex>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>grafana</profile>
      <quota>default</quota>
      <allow_databases>$grafana_allow</allow_databases>
    </grafana>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
    <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
  )
  chmod 600 "$d/config.xml" "$d/users.xml"
}

configure() {
  mkdir -p "$dir"
  local pw pw_hash grafana_hash grafana_allow="" db n
  pw=$(password_of "$dir/password")
  pw_hash=$(sha256_hex "$pw")
  grafana_hash=$(sha256_hex "$(password_of "$dir/grafana_password")")
  for db in $grafana_dbs; do grafana_allow="$grafana_allow<database>$db</database>"; done
  for n in $nodes; do write_node_config "$n" "$pw" "$pw_hash" "$grafana_hash" "$grafana_allow"; done
}

start_node() {
  local n=$1 d=$dir/ch$1
  if alive "$d/server.pid" && node_ok "$n"; then return 0; fi
  if node_ok "$n"; then
    echo "clickhouse-cluster: something else answers on 127.0.0.1:$(tcp_port "$n"); set KUZOT_CH_CLUSTER_PORT" >&2
    return 1
  fi
  [ -f "$d/config.xml" ] || configure
  local bin
  bin=$(server_bin)
  (cd "$d" || exit 1; nohup "$bin" --config-file="$d/config.xml" >"$d/log/stdout.log" 2>&1 </dev/null & echo $! >"$d/server.pid")
}

wait_node() {
  local n=$1 d=$dir/ch$1
  for _ in $(seq 1 300); do
    if node_ok "$n"; then
      echo "clickhouse-cluster: ch$n started (pid $(cat "$d/server.pid"), shard $(shard_of "$n"), tcp 127.0.0.1:$(tcp_port "$n"))"
      return 0
    fi
    if ! alive "$d/server.pid"; then
      echo "clickhouse-cluster: ch$n exited; last log lines:" >&2
      tail -n 20 "$d/log/clickhouse-server.err.log" "$d/log/stdout.log" >&2 2>/dev/null || true
      return 1
    fi
    sleep 0.2
  done
  echo "clickhouse-cluster: ch$n did not answer on 127.0.0.1:$(tcp_port "$n") within 60 s" >&2
  return 1
}

stop_pidfile() {
  local f=$1 pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

up() {
  install
  configure
  start_zk
  local n
  for n in $nodes; do start_node "$n"; done
  for n in $nodes; do wait_node "$n"; done
  echo "clickhouse-cluster: up — cluster $cluster, addresses $(addrs), password in $dir/password"
}

down() {
  local n
  for n in $nodes; do stop_pidfile "$dir/ch$n/server.pid"; done
  stop_pidfile "$dir/zookeeper/pid"
  echo "clickhouse-cluster: down"
}

status() {
  local rc=0 n
  if zk_ok; then echo "zookeeper 127.0.0.1:$zk_port up"; else echo "zookeeper 127.0.0.1:$zk_port down"; rc=1; fi
  for n in $nodes; do
    if node_ok "$n"; then
      echo "ch$n shard $(shard_of "$n") 127.0.0.1:$(tcp_port "$n") up"
    else
      echo "ch$n shard $(shard_of "$n") 127.0.0.1:$(tcp_port "$n") down"
      rc=1
    fi
  done
  return $rc
}

addrs() {
  local out="" n
  for n in $nodes; do out="$out${out:+,}127.0.0.1:$(tcp_port "$n")"; done
  echo "$out"
}

node_arg() {
  case "$arg" in
    1 | 2 | 3 | 4 | zk) ;;
    *) echo "clickhouse-cluster: expected a server number 1-4 or zk, got '$arg'" >&2; exit 2 ;;
  esac
}

case "$cmd" in
  up) up ;;
  down) down ;;
  status) status ;;
  addrs) addrs ;;
  password) password_of "$dir/password"; echo ;;
  grafana-password) password_of "$dir/grafana_password"; echo ;;
  start)
    node_arg
    if [ "$arg" = zk ]; then start_zk; else start_node "$arg" && wait_node "$arg"; fi
    ;;
  kill)
    node_arg
    if [ "$arg" = zk ]; then f=$dir/zookeeper/pid; else f=$dir/ch$arg/server.pid; fi
    if alive "$f"; then kill -9 "$(cat "$f")"; echo "clickhouse-cluster: killed $arg (pid $(cat "$f"))"; fi
    rm -f "$f"
    ;;
  clean) down; rm -rf "$dir" ;;
  *) sed -n '2,27p' "$0"; exit 2 ;;
esac
