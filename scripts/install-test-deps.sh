#!/usr/bin/env bash
# Installs the Debian packages the test suite needs (real PostgreSQL, MariaDB, promtool,
# Alertmanager, Chromium, ...). Skips apt-get when everything is already there.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mapfile -t packages < <(grep -v '^\s*#' "$here/debian-packages.txt" | grep -v '^\s*$')
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-test-deps: all Debian packages present"
  exit 0
fi
echo "install-test-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
# The packages start system services we do not use: tests start their own servers on loopback.
for service in postgresql mariadb prometheus prometheus-alertmanager prometheus-blackbox-exporter; do
  $sudo service "$service" stop >/dev/null 2>&1 || true
done
