#!/usr/bin/env bash
# Runs a project-local ClickHouse server for `make run` and `make test`, so that a fresh
# Debian/Ubuntu machine needs nothing but this repository.
#
#   scripts/clickhouse-local.sh install          install clickhouse-server from the distribution if missing
#   scripts/clickhouse-local.sh start DIR [TCP]  start a server with data under DIR, listening on 127.0.0.1:TCP
#   scripts/clickhouse-local.sh stop DIR         stop the server started with DIR
#   scripts/clickhouse-local.sh status DIR       exit 0 when the server of DIR answers
#   scripts/clickhouse-local.sh password DIR     print the generated password of kuzot's user
#   scripts/clickhouse-local.sh grafana-password DIR  print the read-only Grafana user's password
#
# The server listens on loopback only, on the native TCP port. Its HTTP interface is off
# unless HTTP_PORT is set (a hostile page once redirected a collector to it; see
# docs/security-services.md), and so is the interserver port unless INTERSERVER_PORT is.
#
# Users (users.xml in DIR, regenerated on every start; the passwords are not):
#   default  kuzot's own read-write user, loopback only, password generated on the first
#            start into DIR/password (mode 0600);
#   grafana  readonly=1, may only use the databases GRAFANA_DATABASES (default
#            "kuzot_grafana kuzot_test_grafana": the views `kuzot migrate` creates for the
#            dashboards), password generated into DIR/grafana_password (0600).
set -euo pipefail

cmd=${1:-}
dir=${2:-./data/clickhouse}
tcp=${3:-${KUZOT_CLICKHOUSE_TCP_PORT:-9000}}
http=${HTTP_PORT:-}
inter=${INTERSERVER_PORT:-}
grafana_dbs=${GRAFANA_DATABASES:-kuzot_grafana kuzot_test_grafana}

server_bin() {
  command -v clickhouse-server 2>/dev/null || { [ -x /usr/sbin/clickhouse-server ] && echo /usr/sbin/clickhouse-server; } || true
}

install() {
  if [ -n "$(server_bin)" ] && command -v clickhouse-client >/dev/null 2>&1; then
    return 0
  fi
  echo "clickhouse-local: installing clickhouse-server and clickhouse-client from the distribution's packages" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq clickhouse-server clickhouse-client >/dev/null
}

# password_of FILE prints the password stored in FILE, generating it (0600) if missing.
password_of() { "$(dirname "$0")/local-secret.sh" "$1"; }

sha256_hex() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }

client() {
  local pw=()
  if [ -s "$dir/password" ]; then pw=(--password "$(cat "$dir/password")"); fi
  clickhouse-client --host 127.0.0.1 --port "$tcp" "${pw[@]}" "$@"
}

status() {
  client --query "SELECT 1" >/dev/null 2>&1
}

start() {
  install
  dir=$(mkdir -p "$dir" && cd "$dir" && pwd)
  if [ -f "$dir/server.pid" ] && kill -0 "$(cat "$dir/server.pid")" 2>/dev/null && status; then
    echo "clickhouse-local: already running (pid $(cat "$dir/server.pid"), tcp 127.0.0.1:$tcp)"
    return 0
  fi
  if status; then
    echo "clickhouse-local: a server already answers on 127.0.0.1:$tcp; using it"
    return 0
  fi
  mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/log" "$dir/format_schemas"
  local pw pw_hash grafana_hash grafana_allow="" db
  pw=$(password_of "$dir/password")
  pw_hash=$(sha256_hex "$pw")
  grafana_hash=$(sha256_hex "$(password_of "$dir/grafana_password")")
  for db in $grafana_dbs; do grafana_allow="$grafana_allow<database>$db</database>"; done
  # config.xml holds kuzot's password (the kuzot_self cluster below): 0600 like users.xml.
  (umask 077 && cat >"$dir/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>$dir/log/clickhouse-server.log</log>
    <errorlog>$dir/log/clickhouse-server.err.log</errorlog>
    <size>100M</size>
    <count>3</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <tcp_port>$tcp</tcp_port>
${http:+  <http_port>$http</http_port>}
${inter:+  <interserver_http_port>$inter</interserver_http_port>}
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <max_connections>1024</max_connections>
  <keep_alive_timeout>3</keep_alive_timeout>
  <max_concurrent_queries>100</max_concurrent_queries>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <mark_cache_size>268435456</mark_cache_size>
  <path>$dir/data/</path>
  <tmp_path>$dir/tmp/</tmp_path>
  <user_files_path>$dir/user_files/</user_files_path>
  <format_schema_path>$dir/format_schemas/</format_schema_path>
  <users_config>$dir/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
  <builtin_dictionaries_reload_interval>3600</builtin_dictionaries_reload_interval>
  <max_session_timeout>3600</max_session_timeout>
  <default_session_timeout>60</default_session_timeout>
  <max_table_size_to_drop>0</max_table_size_to_drop>
  <max_partition_size_to_drop>0</max_partition_size_to_drop>
  <!-- kuzot_self: this server, as kuzot's own user. ClickHouse 18.16 has no SQL users or
       GRANT, and a view cannot read another database for a user restricted by
       allow_databases, so the read-only grafana user reads Distributed tables over this
       cluster (created by kuzot migrate in its own database), which run the fixed
       aggregate views of the kuzot database as kuzot and nothing else. -->
  <remote_servers>
    <kuzot_self><shard><replica>
      <host>127.0.0.1</host><port>$tcp</port><user>default</user><password>$pw</password>
    </replica></shard></kuzot_self>
  </remote_servers>
</yandex>
XML
  )
  (umask 077 && cat >"$dir/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>8000000000</max_memory_usage>
      <load_balancing>random</load_balancing>
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
  chmod 600 "$dir/config.xml" "$dir/users.xml"
  local bin
  bin=$(server_bin)
  # The server itself must be the background job, so that $! (and server.pid) is its pid.
  (cd "$dir" || exit 1; nohup "$bin" --config-file="$dir/config.xml" >"$dir/log/stdout.log" 2>&1 </dev/null & echo $! >"$dir/server.pid")
  for _ in $(seq 1 150); do
    if status; then
      echo "clickhouse-local: started (pid $(cat "$dir/server.pid"), tcp 127.0.0.1:$tcp${http:+, http 127.0.0.1:$http}, data $dir/data, password in $dir/password)"
      return 0
    fi
    if ! kill -0 "$(cat "$dir/server.pid")" 2>/dev/null; then
      echo "clickhouse-local: server exited; last log lines:" >&2
      tail -n 20 "$dir/log/clickhouse-server.err.log" "$dir/log/stdout.log" >&2 2>/dev/null || true
      return 1
    fi
    sleep 0.2
  done
  echo "clickhouse-local: server did not answer on 127.0.0.1:$tcp within 30 s" >&2
  return 1
}

stop() {
  [ -f "$dir/server.pid" ] || return 0
  local pid
  pid=$(cat "$dir/server.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/server.pid"
  echo "clickhouse-local: stopped"
}

case "$cmd" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  password) dir=$(cd "$dir" && pwd); password_of "$dir/password"; echo ;;
  grafana-password) dir=$(cd "$dir" && pwd); password_of "$dir/grafana_password"; echo ;;
  *) sed -n '2,24p' "$0"; exit 2 ;;
esac
