#!/usr/bin/env bash
# make test: installs what the tests need on a fresh Debian/Ubuntu machine (ClickHouse
# server, promtool, Chromium), starts a throw-away ClickHouse on a loopback port, and
# runs vet and every test — unit, integration and fuzz seed corpora — against the real
# services; pipeline, alerts, collectors, web and app under the race detector. The chaos
# package also brings up a 3-node JetStream and a 2x2 ClickHouse cluster (with ZooKeeper)
# of its own on free loopback ports for the short cluster scenario (issue 18). Extra
# arguments go to `go test` instead (e.g. scripts/test.sh -run Pipeline ./pipeline).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v clickhouse-server >/dev/null 2>&1 || [ -x /usr/sbin/clickhouse-server ] || need_apt+=(clickhouse-server clickhouse-client)
# The cluster scenario (chaos/cluster_test.go, issue 18) runs ZooKeeper 3.8 for the 2x2
# ClickHouse cluster of scripts/clickhouse-cluster-local.sh (the jar comes with the
# zookeeper package through libzookeeper-java; java through default-jre).
{ [ -f /usr/share/java/zookeeper.jar ] && command -v java >/dev/null 2>&1; } || need_apt+=(zookeeper)
command -v promtool >/dev/null 2>&1 || need_apt+=(prometheus)
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1 || need_apt+=(docker-compose)
# Reports' PDF page layout is checked with the DejaVu fonts.
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need_apt+=(fonts-dejavu-core)
# The ocr role and `kuzot eval exposure --images` (issue 16) need Tesseract with the
# Russian, Kyrgyz, Uzbek (Latin and Cyrillic) and English language data.
command -v tesseract >/dev/null 2>&1 || need_apt+=(tesseract-ocr)
for l in rus kir uzb uzb-cyrl eng; do
  [ -f "/usr/share/tesseract-ocr/5/tessdata/${l/-/_}.traineddata" ] || [ -f "/usr/share/tesseract-ocr/4.00/tessdata/${l/-/_}.traineddata" ] || need_apt+=("tesseract-ocr-$l")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "test: installing ${need_apt[*]} from the distribution's packages"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

port=${KUZOT_TEST_CLICKHOUSE_PORT:-19000}
# Our own server, never someone else's: skip ports where anything already listens.
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || (exec 3<>"/dev/tcp/127.0.0.1/$((port + 1))") 2>/dev/null; do
  port=$((port + 10))
done
chdir=$(mktemp -d /tmp/kuzot-test-ch.XXXXXX)
cleanup() { scripts/clickhouse-local.sh stop "$chdir" >/dev/null 2>&1 || true; rm -rf "$chdir"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
scripts/clickhouse-local.sh start "$chdir" "$port"

export KUZOT_TEST_CLICKHOUSE_ADDR="127.0.0.1:$port"
KUZOT_TEST_CLICKHOUSE_PASSWORD=$(scripts/clickhouse-local.sh password "$chdir")
KUZOT_TEST_CLICKHOUSE_GRAFANA_PASSWORD=$(scripts/clickhouse-local.sh grafana-password "$chdir")
export KUZOT_TEST_CLICKHOUSE_PASSWORD KUZOT_TEST_CLICKHOUSE_GRAFANA_PASSWORD
export KUZOT_TEST_REQUIRE_SERVICES=1
go vet ./...
if [ $# -gt 0 ]; then
  go test -count=1 -timeout 25m "$@"
  exit
fi
# The concurrent packages run under the race detector (issue 20), the rest without it
# (the detector makes tests 2-10x slower and finds nothing in single-goroutine code).
race_pkgs='^github.com/kuzot/kuzot/(pipeline|alerts|collectors|web|app)(/|$)'
mapfile -t plain < <(go list ./... | grep -Ev "$race_pkgs")
mapfile -t racy < <(go list ./... | grep -E "$race_pkgs")
go test -count=1 -timeout 25m "${plain[@]}"
go test -race -count=1 -timeout 25m "${racy[@]}"
