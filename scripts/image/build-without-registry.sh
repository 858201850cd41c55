#!/usr/bin/env bash
# Builds the runner image from ./Dockerfile on a machine that cannot pull the base image (this
# project's sandbox: no container registry is reachable). A stand-in for node:20-bookworm-slim is
# assembled from Debian packages (debootstrap minbase) plus this machine's Node.js 20 and npm, then
# the real Dockerfile is built with buildah: chroot isolation and vfs storage, so no daemon, no
# overlay mounts and no user namespaces are needed. Needs root, Node.js 20 at /usr/bin/node and
# `apt-get install -y buildah debootstrap`. Where a registry is reachable, `docker build` (or
# `buildah bud`) of the Dockerfile is all it takes.
#
#   scripts/image/build-without-registry.sh            # -> localhost/cdk8s-mcs:<package version>
#
# The image is labelled with the digest of its sources (scripts/image/source-digest.ts), which
# test/e2e/runner-image.test.ts compares with the working tree: it runs this script again when the
# image was built from other code.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=$(node -p 'require("./package.json").version')
label=$(npx ts-node --transpile-only scripts/image/source-digest.ts --label)
base=localhost/node:20-bookworm-slim
buildah=(buildah --storage-driver vfs)

if ! "${buildah[@]}" inspect --type image "$base" >/dev/null 2>&1; then
  rootfs=$(mktemp -d /tmp/cdk8s-mcs-base-XXXXXX)
  # The Debian mirror this machine's apt uses (deb822 or one-line sources); none found: debootstrap's default.
  mirror=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
  [ -n "$mirror" ] || mirror=$(sed -n 's/^deb[[:space:]]\+\([^[:space:]]*\/debian\)[[:space:]].*/\1/p' /etc/apt/sources.list 2>/dev/null | head -1)
  debootstrap --variant=minbase bookworm "$rootfs" ${mirror:+"$mirror"}
  cp /usr/bin/node "$rootfs/usr/bin/node"
  mkdir -p "$rootfs/usr/lib/node_modules" "$rootfs/etc/ssl/certs"
  cp -r "$(dirname "$(readlink -f "$(command -v npm)")")/.." "$rootfs/usr/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/bin/npm"
  # this network reaches the npm registry through a TLS proxy whose CA the host trusts
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb
  ctr=$("${buildah[@]}" from scratch)
  cp -a "$rootfs/." "$("${buildah[@]}" mount "$ctr")/"
  "${buildah[@]}" umount "$ctr"
  "${buildah[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt --cmd node "$ctr"
  "${buildah[@]}" commit "$ctr" "$base"
  "${buildah[@]}" rm "$ctr" >/dev/null
  rm -rf "$rootfs"
fi

"${buildah[@]}" bud --isolation chroot --pull=never --layers=false \
  --build-arg NODE_IMAGE="$base" --label "$label" -t "cdk8s-mcs:$version" -f Dockerfile .
