#!/usr/bin/env bash
# Creates a private CA and a server certificate for the compose NATS server (host names
# "nats" and "localhost") in DIR (default deploy/nats/certs), keys mode 0600. kuzot trusts
# the CA through nats.tls_ca / KUZOT_NATS_TLS_CA (docker-compose.yml sets it). Existing
# files are kept; delete DIR to rotate (then restart nats and every kuzot service).
#
#   scripts/nats-certs.sh [DIR]
set -euo pipefail
dir=${1:-deploy/nats/certs}
mkdir -p "$dir"
cd "$dir"
umask 077
if [ ! -s ca.pem ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 \
    -subj "/CN=kuzot NATS CA" -keyout ca-key.pem -out ca.pem 2>/dev/null
fi
if [ ! -s server.pem ]; then
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=nats" \
    -keyout server-key.pem -out server.csr 2>/dev/null
  printf 'subjectAltName=DNS:nats,DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >server.ext
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 825 \
    -extfile server.ext -out server.pem 2>/dev/null
  rm -f server.csr server.ext
fi
# Keys are private (0600; the nats image runs as root, adjust the owner if yours does
# not); certificates are public.
chmod 644 ca.pem server.pem
chmod 600 ca-key.pem server-key.pem
echo "nats-certs: CA $dir/ca.pem, server certificate $dir/server.pem"
