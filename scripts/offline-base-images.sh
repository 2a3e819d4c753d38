#!/usr/bin/env bash
# Build stand-in base images from Debian's packages and the Python package index, for machines that
# reach package registries but no container registry (air-gapped CI, this project's own CI).
#
#   offline/python:3.12-slim   Debian bookworm (debootstrap) with python3, ca-certificates and apt:
#                              stands in for python:3.12-slim (Python 3.11 here, /usr/bin/python3).
#   offline/uv:<version>       /uv and /uvx, the static (musl) uv binaries from uv's PyPI wheel:
#                              stands in for ghcr.io/astral-sh/uv:<version>.
#   offline/python:3.12        only with --full (the benchmark's naive build): Debian bookworm with
#                              buildpack-deps' package list, python3, pip and venv: stands in for the
#                              full python:3.12 image (compilers, -dev libraries, git; about 1 GB).
#
# Both carry the host's CA bundle with SSL_CERT_FILE set, so uv and apt inside builds trust the same
# certificate authorities as the host (a TLS-inspecting proxy is the common case).
# Run again, it reuses an image whose recipe label matches this script's recipe; it rebuilds otherwise.
#
# Usage: scripts/offline-base-images.sh [--full] [--print-build-args | --print-full-image]
#   --full              also build offline/python:3.12 (several minutes, ~300 MB of packages)
#   --print-build-args  only print the --build-arg flags that select these images, one per line.
#   --print-full-image  only print the name of the full python stand-in.
set -euo pipefail

DOCKER=${DOCKER:-/usr/bin/docker}
SUITE=${OFFLINE_DEBIAN_SUITE:-bookworm}
MIRROR=${OFFLINE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
UV_VERSION=${OFFLINE_UV_VERSION:-0.13.9}
CA_BUNDLE=${OFFLINE_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
PYTHON_IMAGE=offline/python:3.12-slim
PYTHON_FULL_IMAGE=offline/python:3.12
UV_IMAGE=offline/uv:${UV_VERSION}
# buildpack-deps:bookworm's packages (its curl, scm and full layers), which python:3.12 is built on
# (libxslt1-dev for its libxslt-dev: debootstrap cannot resolve a virtual package).
BUILDPACK_DEPS="ca-certificates curl gnupg netbase sq wget git mercurial openssh-client subversion procps
  autoconf automake bzip2 default-libmysqlclient-dev dpkg-dev file g++ gcc imagemagick libbz2-dev libc6-dev
  libcurl4-openssl-dev libdb-dev libevent-dev libffi-dev libgdbm-dev libglib2.0-dev libgmp-dev libjpeg-dev
  libkrb5-dev liblzma-dev libmagickcore-dev libmagickwand-dev libmaxminddb-dev libncurses5-dev
  libncursesw5-dev libpng-dev libpq-dev libreadline-dev libsqlite3-dev libssl-dev libtool libwebp-dev
  libxml2-dev libxslt1-dev libyaml-dev make patch unzip xz-utils zlib1g-dev"

full=false
case "${1:-}" in
  --print-build-args)
    printf -- '--build-arg=PYTHON_IMAGE=%s\n--build-arg=UV_IMAGE=%s\n' "$PYTHON_IMAGE" "$UV_IMAGE"
    exit 0 ;;
  --print-full-image) echo "$PYTHON_FULL_IMAGE"; exit 0 ;;
  --full) full=true ;;
  "") ;;
  *) echo "offline-base-images: unknown option $1: use --full, --print-build-args or --print-full-image" >&2; exit 2 ;;
esac

die() { echo "offline-base-images: $*" >&2; exit 1; }
[[ -r "$CA_BUNDLE" ]] || die "no CA bundle at $CA_BUNDLE: set OFFLINE_CA_BUNDLE to the host's bundle"
"$DOCKER" info >/dev/null 2>&1 || die "no Docker engine answers through $DOCKER: start dockerd first"

# The recipe hash ties an image to everything that shapes it: this script and the CA bundle.
recipe=$(cat "$0" "$CA_BUNDLE" | sha256sum | cut -c1-16)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

is_current() {
  [[ "$("$DOCKER" image inspect -f '{{ index .Config.Labels "offline.recipe" }}' "$1" 2>/dev/null)" == "$recipe" ]]
}

# debootstrap <packages> into $work/<name>; the downloaded .debs are removed (no image keeps them).
bootstrap() {
  local name=$1 packages=$2 root=$work/$1
  command -v debootstrap >/dev/null || die "debootstrap is missing: apt-get install debootstrap"
  echo "offline-base-images: debootstrap $SUITE ($name) into a scratch folder (a few minutes)" >&2
  debootstrap --variant=minbase --include="$packages" "$SUITE" "$root" "$MIRROR" >"$work/$name.log" 2>&1 \
    || { tail -20 "$work/$name.log" >&2; die "debootstrap failed (log above)"; }
  cp "$CA_BUNDLE" "$root/etc/ssl/certs/ca-certificates.crt"
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
}

# tar of a root folder into an image named $2, with the environment every stand-in shares.
import_root() {
  tar -C "$1" --numeric-owner -c . | "$DOCKER" import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    --change 'ENV LANG=C.UTF-8' \
    --change "LABEL offline.recipe=$recipe" \
    --change 'CMD ["python3"]' \
    - "$2" >/dev/null
}

build_python() {
  bootstrap slim python3,ca-certificates
  local root=$work/slim
  # Like debian:bookworm-slim under python:3.12-slim: no docs, man pages or translations in the base.
  find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/*
  import_root "$root" "$PYTHON_IMAGE"
}

build_python_full() {
  # shellcheck disable=SC2086 # the list is words on purpose
  bootstrap full "$(echo $BUILDPACK_DEPS python3 python3-pip python3-venv python3-dev | tr ' ' ',')"
  import_root "$work/full" "$PYTHON_FULL_IMAGE"
}

build_uv() {
  local wheels=$work/wheels root=$work/uvroot
  python3 -m pip download --quiet --no-deps --only-binary=:all: --platform musllinux_1_1_x86_64 \
    --python-version 3.12 -d "$wheels" "uv==$UV_VERSION" || die "could not download uv $UV_VERSION from the Python package index"
  mkdir -p "$root/etc/ssl/certs"
  python3 - "$wheels"/uv-*.whl "$root" <<'PY'
import sys, zipfile, os
wheel, root = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        base = os.path.basename(name)
        if ".data/scripts/" in name and base in ("uv", "uvx"):
            with open(os.path.join(root, base), "wb") as out:
                out.write(z.read(name))
            os.chmod(os.path.join(root, base), 0o755)
PY
  [[ -x "$root/uv" ]] || die "the uv wheel held no uv binary"
  cp "$CA_BUNDLE" "$root/etc/ssl/certs/ca-certificates.crt"
  tar -C "$root" --numeric-owner -c . | "$DOCKER" import \
    --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    --change "LABEL offline.recipe=$recipe" \
    --change 'ENTRYPOINT ["/uv"]' \
    - "$UV_IMAGE" >/dev/null
}

if is_current "$PYTHON_IMAGE"; then echo "offline-base-images: $PYTHON_IMAGE is current" >&2; else build_python; fi
if is_current "$UV_IMAGE"; then echo "offline-base-images: $UV_IMAGE is current" >&2; else build_uv; fi
if $full; then
  if is_current "$PYTHON_FULL_IMAGE"; then echo "offline-base-images: $PYTHON_FULL_IMAGE is current" >&2; else build_python_full; fi
fi
echo "offline-base-images: ready: $PYTHON_IMAGE $UV_IMAGE$($full && echo " $PYTHON_FULL_IMAGE")" >&2
