#!/usr/bin/env bash
# Prints the secret stored in FILE, generating it first when FILE is missing or empty:
# 32 random bytes from /dev/urandom as 64 hex characters, written with mode 0600 (the
# directory is created 0700 if missing). make run keeps its generated secrets this way:
# the watchlist HMAC key (<data_dir>/watchlist.key), the embedded NATS password
# (<data_dir>/nats.password) and the local ClickHouse passwords. Delete a file to rotate
# that secret (see docs/security-services.md for what else must change with it).
#
#   scripts/local-secret.sh FILE
set -euo pipefail
f=${1:?usage: scripts/local-secret.sh FILE}
if [ ! -s "$f" ]; then
  d=$(dirname "$f")
  [ -d "$d" ] || (umask 077 && mkdir -p "$d")
  tmp=$(umask 077 && mktemp "$f.XXXXXX")
  head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n' >"$tmp"
  chmod 600 "$tmp"
  mv -f "$tmp" "$f"
fi
chmod 600 "$f"
cat "$f"
