#!/usr/bin/env bash
# Builds tailship_<version>_<arch>.deb with dpkg-deb from a built binary.
# usage: packaging/debian/build-deb.sh BINARY OUTDIR
set -euo pipefail
bin=$1 out=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
version=$("$bin" version | awk '{print $2}')
arch=$(dpkg --print-architecture)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

install -D -m 0755 "$bin" "$stage/usr/bin/tailship"
strip --strip-unneeded "$stage/usr/bin/tailship"
install -D -m 0644 "$root/packaging/systemd/tailship.service" "$stage/lib/systemd/system/tailship.service"
install -D -m 0644 "$root/packaging/config/tailship.yaml" "$stage/etc/tailship/tailship.yaml"
doc="$stage/usr/share/doc/tailship"
install -d -m 0755 "$doc/examples"
install -m 0644 "$root/packaging/config/examples/"*.yaml "$doc/examples/"
install -m 0644 "$root/README.md" "$root/docs/OPERATIONS.md" "$root/docs/DEPLOY.md" "$root/docs/POLICY.md" "$root/docs/OUTPUTS.md" "$doc/"
install -m 0644 "$root/packaging/debian/copyright" "$doc/copyright"
gzip -9n -c "$root/packaging/debian/changelog" > "$doc/changelog.gz"
install -D -m 0644 "$root/packaging/debian/lintian-overrides" "$stage/usr/share/lintian/overrides/tailship"
chmod 0644 "$doc/changelog.gz"

# Dependencies from what the binary links: libc (the newest symbol version it needs), zlib,
# and ISA-L (libisal2) when the build linked it (docs/PERFORMANCE.md: engines); procps for the
# unit's ExecReload (/bin/kill). The libraries it needs are read whole into a variable first:
# `ldd | grep -q` under pipefail failed whenever grep exited before ldd had written everything.
glibc=$(objdump -T "$stage/usr/bin/tailship" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -1)
needed=$(objdump -p "$stage/usr/bin/tailship" | awk '$1 == "NEEDED" { print $2 }')
depends="libc6 (>= $glibc), zlib1g (>= 1:1.2.0), procps"
case $'\n'"$needed"$'\n' in *$'\n'libstdc++.so.*) depends="$depends, libstdc++6" ;; esac
case $'\n'"$needed"$'\n' in *$'\n'libisal.so.2$'\n'*) depends="$depends, libisal2 (>= 2.30)" ;; esac

install -d -m 0755 "$stage/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@DEPENDS@/$depends/" -e "s/@SIZE@/$size/" \
  "$root/packaging/debian/control.in" > "$stage/DEBIAN/control"
install -m 0644 "$root/packaging/debian/conffiles" "$stage/DEBIAN/conffiles"
for script in postinst prerm postrm; do install -m 0755 "$root/packaging/debian/$script" "$stage/DEBIAN/$script"; done
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f ! -path './etc/*' -printf '%P\n' | sort | xargs md5sum > DEBIAN/md5sums)
chmod 0644 "$stage/DEBIAN/md5sums"

mkdir -p "$out"
deb="$out/tailship_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
