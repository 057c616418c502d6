#!/usr/bin/env bash
# make run: everything on embedded defaults, no internet needed. Starts a project-local
# ClickHouse (installing the distribution's package if missing), the bundled demo
# "public web", and every kuzot role with embedded NATS JetStream, collecting from the
# demo site. Ctrl-C stops kuzot, then the demo site and ClickHouse.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-bin/kuzot}
CONFIG=${KUZOT_CONFIG:-configs/demo.yaml}
DATA=${KUZOT_DATA_DIR:-data}
CH_PORT=${KUZOT_CLICKHOUSE_TCP_PORT:-9000}
DEMO_LISTEN=${KUZOT_DEMO_LISTEN:-127.0.0.1:8090}
CH_DIR=$DATA/clickhouse
export KUZOT_DATA_DIR=$DATA
own_ch=0
if [ -z "${KUZOT_CLICKHOUSE_ADDR:-}" ]; then own_ch=1; fi
export KUZOT_CLICKHOUSE_ADDR=${KUZOT_CLICKHOUSE_ADDR:-127.0.0.1:$CH_PORT}
export KUZOT_DEMO_WEBHOOK_SECRET=${KUZOT_DEMO_WEBHOOK_SECRET:-whsec_ZGVtby1vbmx5LXdlYmhvb2stc2VjcmV0}

mkdir -p "$DATA"
# Tesseract and its ru/ky/uz/en language data for image OCR (issue 16), installed from
# the distribution's packages like ClickHouse.
need_ocr=()
command -v tesseract >/dev/null 2>&1 || need_ocr+=(tesseract-ocr)
for l in rus kir uzb uzb-cyrl eng; do
  ls /usr/share/tesseract-ocr/*/tessdata/"${l/-/_}".traineddata >/dev/null 2>&1 || need_ocr+=("tesseract-ocr-$l")
done
if [ ${#need_ocr[@]} -gt 0 ]; then
  echo "run: installing ${need_ocr[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${need_ocr[@]}" >/dev/null
fi
# The watchlist HMAC key: 32 random bytes generated into the data directory on the first
# run (0600), never a key printed in the repository (kuzot refuses those outside demo mode).
if [ -z "${KUZOT_WATCHLIST_KEY:-}" ]; then
  KUZOT_WATCHLIST_KEY=$(scripts/local-secret.sh "$DATA/watchlist.key")
fi
export KUZOT_WATCHLIST_KEY
started_ch=0
if [ "$own_ch" = 1 ]; then
  # The project-local server: password generated into $CH_DIR/password (0600) on its first
  # start, HTTP interface off. Reused when it is already running.
  if ! scripts/clickhouse-local.sh status "$CH_DIR" "$CH_PORT"; then
    scripts/clickhouse-local.sh start "$CH_DIR" "$CH_PORT"
    started_ch=1
  fi
  # (A server still running from before passwords existed has no password file; it gets
  # one when it is next started by the script.)
  if [ -s "$CH_DIR/password" ]; then
    KUZOT_CLICKHOUSE_PASSWORD=$(cat "$CH_DIR/password")
    export KUZOT_CLICKHOUSE_PASSWORD
  fi
fi

# Schema, the demo organisation's watchlist (stored as keyed hashes only) and, on the
# first run, a web UI admin with a generated password.
"$BIN" migrate --config "$CONFIG" >/dev/null
"$BIN" watchlist import configs/demo-watchlist.yaml --org demo-org --config "$CONFIG" >/dev/null
admin_note="web UI login       (existing accounts: bin/kuzot user list --config $CONFIG)"
if ! "$BIN" user list --config "$CONFIG" 2>/dev/null | grep -q "admin"; then
  pw=$("$BIN" user add --name admin --role admin --unredact --generate-password --config "$CONFIG" | sed -n 's/.*password: //p')
  admin_note="web UI login       admin / $pw   (shown once; change it in the UI)"
fi

"$BIN" demo-site --listen "$DEMO_LISTEN" >"$DATA/demo-site.log" 2>&1 &
demo_pid=$!

cleanup() {
  kill "$demo_pid" 2>/dev/null || true
  wait "$demo_pid" 2>/dev/null || true
  if [ "$started_ch" = 1 ]; then scripts/clickhouse-local.sh stop "$CH_DIR"; fi
}
trap cleanup EXIT

http=$(grep -E '^\s*listen:' "$CONFIG" | head -1 | awk '{print $2}')
metrics=$(grep -E '^\s*metrics_listen:' "$CONFIG" | head -1 | awk '{print $2}')
cat <<MSG

  kuzot is starting (Ctrl-C to stop). Where to look:
    web UI and API     http://${http:-127.0.0.1:8080}/
    $admin_note
    alerts received    http://$DEMO_LISTEN/hooks   (the demo organisation's webhook)
    metrics            http://${metrics:-127.0.0.1:9464}/metrics   (loopback only, not on the UI listener)
    demo public web    http://$DEMO_LISTEN/
    posts stored       clickhouse-client --port $CH_PORT --password "\$(cat $CH_DIR/password)" -q "SELECT source, count() FROM kuzot.posts FINAL GROUP BY source"
    narratives         clickhouse-client --port $CH_PORT --password "\$(cat $CH_DIR/password)" -q "SELECT arrayJoin(labels) AS frame, count() FROM kuzot.classifications FINAL WHERE classifier='narrative' AND flagged GROUP BY frame"
    JetStream          nats --server nats://127.0.0.1:4222 --user kuzot --password "\$(cat $DATA/jetstream/kuzot-nats.password)" stream ls   (the nats CLI, if installed)
    tipline campaigns  clickhouse-client --port $CH_PORT --password "\$(cat $CH_DIR/password)" -q "SELECT kind, submissions, orgs, campaign, substring(text, 1, 60) FROM kuzot.tip_campaigns FINAL"
    tipline e-mail     forward an SMS to tips@tips.demo.invalid via SMTP 127.0.0.1:2525 (docs/tipline.md)

MSG
"$BIN" run --config "$CONFIG"
