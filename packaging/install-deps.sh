#!/usr/bin/env bash
# Installs every Debian package grouter needs to build, test, benchmark and run the demo.
# Idempotent: packages already present are skipped by apt-get. Needs root (or sudo).
set -euo pipefail

packages=(
  # build
  meson ninja-build g++ pkg-config
  libuv1-dev libssl-dev libspdlog-dev libfmt-dev nlohmann-json3-dev libinih-dev
  libcli11-dev libhttp-parser-dev zlib1g-dev
  libsystemd-dev  # sd_notify: grouter tells a Type=notify systemd unit when it is listening
  # the Debian package (packaging/build-deb.sh) and its test: dpkg-shlibdeps, strip and readelf,
  # systemd-analyze, logrotate, and adduser (the package's postinst needs it)
  dpkg-dev binutils systemd logrotate adduser
  # tests and fuzzing
  libgtest-dev libgmock-dev libbenchmark-dev clang-19 libclang-rt-19-dev
  # storage nodes, clients and load generators
  mariadb-server mariadb-client mariadb-backup
  python3 python3-pymysql python3-mysqldb python3-pytest
  libmariadb-java default-jdk-headless
  sysbench haproxy curl procps iproute2
  # the status page's test: headless Chromium driven over the DevTools protocol
  chromium python3-websocket
)
# mysql2's test client needs node and npm; a node from elsewhere (e.g. NodeSource's nodejs, which
# bundles npm and conflicts with Debian's npm package) is kept as it is.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# The Debian mariadb-server package starts a system server on 3306; grouter's sandbox never uses it.
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Keep the packaged system service from holding ports or CPU that the sandbox and tests need.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet mariadb 2>/dev/null; then
  $SUDO systemctl stop mariadb || true
fi
echo "install-deps: done"
