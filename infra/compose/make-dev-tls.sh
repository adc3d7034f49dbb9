#!/bin/sh
# Self-signed certificates for trying the compose file out (NOT for patients' devices: use
# certificates from your trust's CA or a public CA, see README: Deployment). Writes ./tls/.
set -eu
cd "$(dirname "$0")"
mkdir -p tls
host="${1:-localhost}"
for name in api mqtt; do
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$host" \
    -addext "subjectAltName=DNS:$host" -keyout "tls/$name.key" -out "tls/$name.crt"
done
# The containers run as uid 1000 (node): it must be able to read the keys.
chmod 0644 tls/*.crt && chmod 0640 tls/*.key && chown 1000 tls/*.key 2>/dev/null || chmod 0644 tls/*.key
echo "wrote $(pwd)/tls/{api,mqtt}.{crt,key} for $host"
