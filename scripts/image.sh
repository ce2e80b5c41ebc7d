#!/usr/bin/env bash
# Builds the production container image of ticketsd from Debian packages only (no base image):
#   scripts/image.sh [--binary PATH]
# Without --binary it builds the release flavour (scripts/build.sh release) and packs that.
# Result: localhost/tickets-backend:sha-<short sha>[-dirty] in buildah's storage, an OCI archive
# build/image/tickets-backend-<tag>.tar, the binary's separated debug info
# build/image/ticketsd.debug, and build/image/image-ref naming the image (for deploy/image/test.sh).
#
# How: mmdebstrap extracts (without installing: no maintainer scripts, so no dpkg, perl or
# debconf are needed) the Debian packages of ticketsd's libraries, curl, dash, tzdata and
# ca-certificates into a staging tree; from it only the files the image needs are copied into a
# fresh root: the three programs, the shared objects the dynamic loader resolves for them, the
# zone database and the CA bundle. buildah turns that root into a one-layer image.
# Needs root (mmdebstrap --mode=root, buildah's system storage) and the Debian packages
# mmdebstrap, buildah, binutils and git.
set -euo pipefail

readonly name=tickets-backend
readonly uid=10001 gid=10001
readonly suite=bookworm
readonly mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
readonly security_mirror="${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
readonly out=build/image

usage() { echo "usage: scripts/image.sh [--binary PATH] [--web DIR]" >&2; }

binary=""
web=""
while (($# > 0)); do
  case "$1" in
    --binary) binary="${2:?--binary needs a path}"; shift 2 ;;
    --binary=*) binary="${1#--binary=}"; shift ;;
    --web) web="${2:?--web needs the built web app (web/dist)}"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage; exit 2 ;;
  esac
done

fail() { echo "image.sh: $*" >&2; exit 1; }

# A path given relative to where the command was started.
if [[ -n "$binary" ]]; then
  binary="$(realpath -e "$binary")" || fail "no such binary: $binary"
fi
if [[ -n "$web" ]]; then
  web="$(realpath -e "$web")" || fail "no such directory: $web"
fi
cd "$(dirname "$0")/.."

# Every tool, with the Debian package that brings it, checked before anything is built.
for tool in mmdebstrap:mmdebstrap buildah:buildah objcopy:binutils readelf:binutils git:git \
  dpkg-deb:dpkg; do
  command -v "${tool%%:*}" >/dev/null || fail "${tool%%:*} not found (apt-get install ${tool#*:})"
done
[[ $(id -u) -eq 0 ]] || fail "must run as root (mmdebstrap --mode=root and buildah's system storage)"

# The tag names the source tree: its short sha, and -dirty when it has uncommitted changes.
revision="$(git rev-parse HEAD)"
short="$(git rev-parse --short HEAD)"
tag="sha-$short"
[[ -z "$(git status --porcelain)" ]] || tag+="-dirty"
version="$(sed -n 's/^project(tickets VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)"
[[ -n "$version" ]] || fail "no project version in CMakeLists.txt"
# The source address: IMAGE_SOURCE, else the origin remote when it is a network address. A local
# path says nothing to whoever pulls the image, so then the label is left out.
source_url="${IMAGE_SOURCE:-$(git remote get-url origin 2>/dev/null || true)}"
[[ "$source_url" != file:* && ("$source_url" == *://* || "$source_url" == *@*:*) ]] || source_url=""
ref="localhost/$name:$tag"

if [[ -z "$binary" ]]; then
  bash scripts/build.sh release
  binary=build/release/src/ticketsd
fi
[[ -x "$binary" ]] || fail "$binary is not an executable"
# The web app ticketsd serves at /: given, or built here (npm ci && npm run build in web/).
if [[ -z "$web" ]]; then
  (cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build)
  web="$PWD/web/dist"
fi
[[ -f "$web/index.html" ]] || fail "$web holds no index.html: not a built web app"
built_revision="$("$binary" --version | sed -n 's/.*(revision \([0-9a-f]*\)).*/\1/p')"
if [[ "$revision" != "$built_revision"* ]]; then
  echo "image.sh: warning: $binary reports revision ${built_revision:-unknown}, the tree is $short" >&2
fi

started=$SECONDS
mkdir -p "$out"
stage="$out/stage"
root="$out/rootfs"
rm -rf "$stage" "$root"

# The debug info stays beside the archive; the shipped binary names it through .gnu_debuglink.
objcopy --only-keep-debug "$binary" "$out/ticketsd.debug"
objcopy --strip-all --add-gnu-debuglink="$out/ticketsd.debug" "$binary" "$out/ticketsd"
chmod 0755 "$out/ticketsd"

# The Debian package of each shared object the binary names itself (DT_NEEDED), as resolved on
# this machine, which linked it; apt adds their dependencies.
declare -A packages=([dash]=1 [curl]=1 [ca-certificates]=1 [tzdata]=1 [base-files]=1)
declare -A resolved=()
while read -r soname arrow path _; do
  [[ "$arrow" == "=>" && "$path" == /* ]] && resolved[$soname]="$path"
done < <(ldd "$out/ticketsd")
while read -r soname; do
  path="${resolved[$soname]:-}"
  [[ -n "$path" ]] || fail "$soname (needed by ticketsd) is not resolved on this machine"
  owner="$(dpkg-query -S "$path" 2>/dev/null || dpkg-query -S "/usr$path" 2>/dev/null ||
    dpkg-query -S "$(realpath "$path")" 2>/dev/null || true)"
  [[ -n "$owner" ]] || fail "no Debian package owns $path (needed by ticketsd)"
  packages[${owner%%:*}]=1
done < <(readelf -d "$out/ticketsd" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
include="$(printf '%s\n' "${!packages[@]}" | sort | paste -sd, -)"
echo "packages: $include"

# Extract only: the root gets no package manager and runs no maintainer script. The downloaded
# .debs are kept so that each shipped file can be traced to its package.
mmdebstrap --quiet --mode=root --variant=extract --include="$include" \
  --skip=cleanup/apt/cache "$suite" "$stage" \
  "deb $mirror $suite main" "deb $mirror $suite-updates main" \
  "deb $security_mirror $suite-security main"

# Which package each file of the staging tree came from (paths as in the .deb: ./usr/...).
declare -A owner_of=() deb_of=()
for deb in "$stage"/var/cache/apt/archives/*.deb; do
  pkg="$(dpkg-deb -f "$deb" Package)"
  deb_of[$pkg]="$deb"
  while read -r file; do
    owner_of[${file#.}]="$pkg"
  done < <(dpkg-deb --fsys-tarfile "$deb" | tar -t | grep -v '/$')
done
declare -A shipped=()
# Copies one file of the staging tree to a path in the image root, and notes its package.
# Symlinks are followed inside the staging tree (absolute ones name paths of that tree).
ship() {
  local from="$1" to="$2" real="$1" link hops=0
  while [[ -L "$stage$real" ]]; do
    ((++hops < 20)) || fail "symlink loop at $from in the staging tree"
    link="$(readlink "$stage$real")"
    [[ "$link" == /* ]] && real="$link" || real="$(dirname "$real")/$link"
  done
  local pkg="${owner_of[$real]:-}"
  [[ -n "$pkg" ]] || fail "no package owns $real ($from) in the staging tree"
  mkdir -p "$(dirname "$root$to")"
  cp --preserve=mode "$stage$real" "$root$to"
  shipped[$pkg]=1
}

# A merged-/usr root: /bin, /lib and /lib64 are links into /usr, as on a Debian 12 system.
mkdir -p "$root"/usr/{bin,lib/x86_64-linux-gnu,lib64,share} "$root"/etc/ssl/certs \
  "$root"/{data,tmp,proc,sys,dev,run} "$root"/var/lib/dpkg/status.d
ln -s usr/bin "$root/bin"
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
install -m 0755 "$out/ticketsd" "$root/usr/bin/ticketsd"
# The web app, read-only like the rest of the root; ticketsd reads it once at start.
mkdir -p "$root/usr/share/tickets/web"
cp -r "$web/." "$root/usr/share/tickets/web/"
rm -rf "$root/usr/share/tickets/web/.vite"
mkdir -p "$stage/usr/bin"
install -m 0755 "$out/ticketsd" "$stage/usr/bin/ticketsd"
ship /bin/dash /usr/bin/dash
ln -s dash "$root/usr/bin/sh"
ship /usr/bin/curl /usr/bin/curl
ship /lib64/ld-linux-x86-64.so.2 /usr/lib64/ld-linux-x86-64.so.2

# Exactly the shared objects the dynamic loader loads for the three programs, under their sonames.
for program in /usr/bin/ticketsd /usr/bin/curl /bin/dash; do
  listing="$(chroot "$stage" /lib64/ld-linux-x86-64.so.2 --list "$program")"
  if grep -q 'not found' <<<"$listing"; then
    fail "$program: $(grep 'not found' <<<"$listing" | tr -s ' \t' ' ' | paste -sd, -)"
  fi
  while read -r soname arrow path _; do
    [[ "$arrow" == "=>" && "$path" == /* ]] || continue
    [[ -e "$root/usr/lib/x86_64-linux-gnu/$soname" ]] ||
      ship "$path" "/usr/lib/x86_64-linux-gnu/$soname"
  done <<<"$listing"
done
rm "$stage/usr/bin/ticketsd"

# The IANA zone database that event time zones are checked against; the container's clock is UTC.
cp -a "$stage/usr/share/zoneinfo" "$root/usr/share/zoneinfo"
shipped[tzdata]=1
ln -s /usr/share/zoneinfo/Etc/UTC "$root/etc/localtime"

# The CA bundle, made as update-ca-certificates makes it (which is not run: it needs openssl and
# perl); OpenSSL's default paths (libpq, curl) lead to it.
for cert in "$stage"/usr/share/ca-certificates/mozilla/*.crt; do
  cat "$cert"
  [[ -z "$(tail -c 1 "$cert")" ]] || echo # a file without a final newline still ends its block
done >"$root/etc/ssl/certs/ca-certificates.crt"
shipped[ca-certificates]=1
mkdir -p "$root/usr/lib/ssl"
ln -s /etc/ssl/certs "$root/usr/lib/ssl/certs"
ln -s /etc/ssl/certs/ca-certificates.crt "$root/usr/lib/ssl/cert.pem"

# The distribution's identity (image scanners read it) and the service user, fixed ids.
cp -L "$stage/usr/lib/os-release" "$root/usr/lib/os-release"
ln -s ../usr/lib/os-release "$root/etc/os-release"
cp "$stage/etc/debian_version" "$root/etc/debian_version"
shipped[base-files]=1
cat >"$root/etc/passwd" <<EOF
root:x:0:0:root:/root:/bin/sh
tickets:x:$uid:$gid:tickets:/data:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
EOF
cat >"$root/etc/group" <<EOF
root:x:0:
tickets:x:$gid:
nogroup:x:65534:
EOF
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
# Mount points the runtime binds over; present so that a read-only root needs no new files.
: >"$root/etc/hosts"
: >"$root/etc/resolv.conf"
: >"$root/etc/hostname"

# Per shipped package: its copyright file (licence compliance) and its control record in
# /var/lib/dpkg/status.d/, the form vulnerability scanners read when there is no dpkg.
# Identical copyright files (the Boost libraries' is 2 MB) are shipped once, the others link to it.
declare -A copyright_by_sum=()
for pkg in $(printf '%s\n' "${!shipped[@]}" | sort); do
  copyright="$stage/usr/share/doc/$pkg/copyright"
  if [[ -e "$copyright" ]]; then
    mkdir -p "$root/usr/share/doc/$pkg"
    sum="$(sha256sum <"$copyright" | cut -d' ' -f1)"
    if [[ -n "${copyright_by_sum[$sum]:-}" ]]; then
      ln -s "../${copyright_by_sum[$sum]}/copyright" "$root/usr/share/doc/$pkg/copyright"
    else
      cp -L "$copyright" "$root/usr/share/doc/$pkg/copyright"
      copyright_by_sum[$sum]="$pkg"
    fi
  fi
  dpkg-deb -f "${deb_of[$pkg]}" | awk '{ print } /^Package:/ { print "Status: install ok installed" }' \
    >"$root/var/lib/dpkg/status.d/$pkg"
done

chmod 1777 "$root/tmp"
chown "$uid:$gid" "$root/data"
chmod 0700 "$root/data"
rm -rf "$stage"

# The image: one layer, configured for a non-root, read-only-root deployment. No VOLUME: a
# declared one makes runtimes mount an anonymous volume of their own on /data (hiding a bind
# mount there under buildah run) and leave it behind; deployments mount /data explicitly.
created="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
buildah rmi "$ref" >/dev/null 2>&1 || true
container="$(buildah from --quiet scratch)"
trap 'buildah rm "$container" >/dev/null 2>&1 || true' EXIT
mountpoint="$(buildah mount "$container")"
cp -a "$root/." "$mountpoint/"
buildah umount "$container" >/dev/null
labels=(
  --label "org.opencontainers.image.title=$name"
  --label "org.opencontainers.image.description=ticketsd, the tickets backend, on Debian 12 libraries"
  --label "org.opencontainers.image.version=$version"
  --label "org.opencontainers.image.revision=$revision"
  --label "org.opencontainers.image.created=$created"
)
[[ -z "$source_url" ]] || labels+=(--label "org.opencontainers.image.source=$source_url")
buildah config "${labels[@]}" \
  --os linux --arch amd64 \
  --entrypoint '["/usr/bin/ticketsd"]' --cmd '' \
  --port 8000/tcp --user "$uid:$gid" --workingdir /data \
  --env PATH=/usr/bin:/bin --env DATA_DIR=/data --env TZ=UTC \
  --env WEB_ROOT=/usr/share/tickets/web \
  --stop-signal SIGTERM "$container"
buildah commit --quiet --format oci --rm "$container" "$ref" >/dev/null
trap - EXIT

# build/image holds the last build's artefacts only (its debug file belongs to that binary).
archive="$out/$name-$tag.tar"
rm -f "$out/$name"-sha-*.tar
buildah push --quiet "$ref" "oci-archive:$archive:$name:$tag"
echo "$ref" >"$out/image-ref"

size="$(du -sb "$root" | cut -f1)"
echo "image: $ref"
echo "archive: $archive ($(du -b "$archive" | cut -f1) bytes)"
echo "size: $size bytes unpacked ($((size / 1000000)) MB); built in $((SECONDS - started)) s"
du -sb "$root"/usr/bin/* "$root"/usr/lib/x86_64-linux-gnu "$root"/usr/share/zoneinfo \
  "$root"/etc/ssl | sort -rn | head -n 6 | sed "s|$root||"
