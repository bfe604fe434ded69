#!/usr/bin/env bash
# Builds grouter's Debian package (grouter_VERSION_ARCH.deb) from a meson build tree, with dpkg-deb:
#   /usr/sbin/grouter (stripped), /etc/grouter/grouter.conf (conffile, a valid commented example),
#   /lib/systemd/system/grouter.service (Type=notify), /etc/logrotate.d/grouter (conffile),
#   /usr/share/doc/grouter/{README.md,copyright}; the maintainer scripts in packaging/deb/ make the
#   grouter system user and /var/lib/grouter and /var/log/grouter, and remove them on purge.
# Depends is computed by dpkg-shlibdeps from the binary's shared libraries (plus adduser and passwd,
# which the maintainer scripts use). Needs dpkg-dev and binutils (packaging/install-deps.sh).
#
# usage: packaging/build-deb.sh [--build-dir DIR] [--out DIR]
#   --build-dir  the meson build tree (default: build; set up if missing); router/grouter is
#                built in it first (nothing to do when it is up to date)
#   --out        where the .deb goes (default: BUILD_DIR/deb); its path is the last line printed
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build"
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build="$(realpath -m -- "$2")"; shift 2 ;;
    --out) out="$(realpath -m -- "$2")"; shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "build-deb: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
out="${out:-$build/deb}"

if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$root" >/dev/null
fi
ninja -C "$build" router/grouter >/dev/null

binary="$build/router/grouter"
version="$("$binary" --version | awk '{print $2}')"
if [ -z "$version" ]; then
  echo "build-deb: cannot read the version from $binary --version" >&2
  exit 1
fi
arch="$(dpkg --print-architecture)"
deb_version="$version-1"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
stage="$work/grouter"

install -D -m 0755 "$binary" "$stage/usr/sbin/grouter"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$stage/usr/sbin/grouter"
install -D -m 0644 "$root/packaging/deb/grouter.conf" "$stage/etc/grouter/grouter.conf"
install -D -m 0644 "$root/packaging/deb/grouter.service" "$stage/lib/systemd/system/grouter.service"
install -D -m 0644 "$root/packaging/deb/grouter.logrotate" "$stage/etc/logrotate.d/grouter"
install -D -m 0644 "$root/README.md" "$stage/usr/share/doc/grouter/README.md"
install -d -m 0755 "$stage/usr/share/doc/grouter"
cat > "$stage/usr/share/doc/grouter/copyright" <<'COPYRIGHT'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: grouter

Files: *
License: GPL-2.0-only
 On Debian systems the full text of the GNU General Public License version 2 is in
 /usr/share/common-licenses/GPL-2.
COPYRIGHT
chmod 0644 "$stage/usr/share/doc/grouter/copyright"

# dpkg-shlibdeps reads debian/control in its working directory: give it a minimal one.
mkdir -p "$work/src/debian"
printf 'Source: grouter\n\nPackage: grouter\nArchitecture: any\n' > "$work/src/debian/control"
shlibs="$(cd "$work/src" && dpkg-shlibdeps -O -e"$stage/usr/sbin/grouter" 2>/dev/null |
          sed -n 's/^shlibs:Depends=//p')"
[ -n "$shlibs" ] || { echo "build-deb: dpkg-shlibdeps found no shared libraries" >&2; exit 1; }

install -d -m 0755 "$stage/DEBIAN"
for script in postinst prerm postrm; do
  install -m 0755 "$root/packaging/deb/$script" "$stage/DEBIAN/$script"
done
printf '/etc/grouter/grouter.conf\n/etc/logrotate.d/grouter\n' > "$stage/DEBIAN/conffiles"
installed_kb="$(du -sk --exclude=DEBIAN "$stage" | cut -f1)"
cat > "$stage/DEBIAN/control" <<CONTROL
Package: grouter
Version: $deb_version
Architecture: $arch
Maintainer: grouter maintainers <grouter@localhost>
Installed-Size: $installed_kb
Depends: $shlibs, adduser, passwd
Recommends: logrotate
Suggests: mariadb-server
Section: database
Priority: optional
Description: MySQL-protocol router with Group Replication built in
 grouter routes MySQL and MariaDB client connections to storage nodes, relaying sessions or
 terminating them (TLS, read/write splitting), and reports its routes over HTTP in MySQL Router's
 REST format and in Prometheus format. Over MariaDB storage nodes it forms and keeps a
 single-primary group with MySQL Group Replication's semantics: failure detection, election,
 failover without losing acknowledged writes, distributed recovery and switchover.
 .
 This package installs grouter as a systemd service (grouter.service, Type=notify) running as the
 grouter user, with its configuration in /etc/grouter and its log in /var/log/grouter.
CONTROL

mkdir -p "$out"
deb="$out/grouter_${deb_version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
