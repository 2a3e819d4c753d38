#!/usr/bin/env bash
# Build stand-in base images from Debian's packages and the Python package index, for machines that
# reach package registries but no container registry (air-gapped CI, this project's own CI).
#
#   offline/python:3.12-slim   Debian bookworm (debootstrap) with python3, ca-certificates and apt:
#                              stands in for python:3.12-slim (Python 3.11 here, /usr/bin/python3).
#   offline/uv:<version>       /uv and /uvx, the static (musl) uv binaries from uv's PyPI wheel:
#                              stands in for ghcr.io/astral-sh/uv:<version>.
#
# Both carry the host's CA bundle with SSL_CERT_FILE set, so uv and apt inside builds trust the same
# certificate authorities as the host (a TLS-inspecting proxy is the common case).
# Run again, it reuses an image whose recipe label matches this script's recipe; it rebuilds otherwise.
#
# Usage: scripts/offline-base-images.sh [--print-build-args]
#   --print-build-args  only print the --build-arg flags that select these images, one per line.
set -euo pipefail

DOCKER=${DOCKER:-/usr/bin/docker}
SUITE=${OFFLINE_DEBIAN_SUITE:-bookworm}
MIRROR=${OFFLINE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
UV_VERSION=${OFFLINE_UV_VERSION:-0.13.9}
CA_BUNDLE=${OFFLINE_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
PYTHON_IMAGE=offline/python:3.12-slim
UV_IMAGE=offline/uv:${UV_VERSION}

if [[ "${1:-}" == "--print-build-args" ]]; then
  printf -- '--build-arg=PYTHON_IMAGE=%s\n--build-arg=UV_IMAGE=%s\n' "$PYTHON_IMAGE" "$UV_IMAGE"
  exit 0
fi

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

build_python() {
  command -v debootstrap >/dev/null || die "debootstrap is missing: apt-get install debootstrap"
  local root=$work/rootfs
  echo "offline-base-images: debootstrap $SUITE into a scratch folder (a few minutes)" >&2
  debootstrap --variant=minbase --include=python3,ca-certificates "$SUITE" "$root" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed (log above)"; }
  cp "$CA_BUNDLE" "$root/etc/ssl/certs/ca-certificates.crt"
  # Like the official slim images: no apt lists, no caches, no docs in the base.
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/usr/share/doc/* "$root"/usr/share/man/*
  tar -C "$root" --numeric-owner -c . | "$DOCKER" import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    --change 'ENV LANG=C.UTF-8' \
    --change "LABEL offline.recipe=$recipe" \
    --change 'CMD ["python3"]' \
    - "$PYTHON_IMAGE" >/dev/null
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
echo "offline-base-images: ready: $PYTHON_IMAGE $UV_IMAGE" >&2
