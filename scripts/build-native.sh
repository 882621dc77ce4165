#!/usr/bin/env bash
# Builds the worker's TurboJPEG binding (system/worker/turbojpeg/turbojpeg.c, Node-API) into
# system/worker/turbojpeg/build/turbojpeg.node. Needs gcc and libturbojpeg0-dev (Debian), which
# scripts/setup-tools.sh installs before calling this. Node-API is ABI-stable, so one build
# serves every Node version; it is rebuilt only when the source or these flags change (a
# stamp holds their hash). Without the binding the worker still runs: it decodes every JPEG
# with sharp and says so in its log.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC="$ROOT/system/worker/turbojpeg/turbojpeg.c"
OUT_DIR="$ROOT/system/worker/turbojpeg/build"
OUT="$OUT_DIR/turbojpeg.node"
CFLAGS=(-O2 -std=c11 -Wall -Wextra -Werror -fPIC -shared -fvisibility=hidden)

die() {
  printf 'build-native: ERROR: %s\n' "$*" >&2
  exit 1
}

NODE_INCLUDE=$(node -p "require('node:path').resolve(process.execPath, '../../include/node')")
[ -f "$NODE_INCLUDE/node_api.h" ] || die "node_api.h not found in $NODE_INCLUDE (Node's headers come with its package)"
[ -f /usr/include/turbojpeg.h ] || die "turbojpeg.h not found (Debian: apt-get install libturbojpeg0-dev)"
command -v gcc >/dev/null 2>&1 || die "gcc not found (Debian: apt-get install gcc)"

stamp=$(cat "$SRC" <(printf '%s\n' "${CFLAGS[*]}" "$(gcc -dumpfullversion)") | sha256sum | cut -d' ' -f1)
if [ -f "$OUT" ] && [ "$(cat "$OUT_DIR/stamp" 2>/dev/null)" = "$stamp" ]; then
  exit 0
fi
mkdir -p "$OUT_DIR"
gcc "${CFLAGS[@]}" -I"$NODE_INCLUDE" "$SRC" -lturbojpeg -o "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
printf '%s\n' "$stamp" >"$OUT_DIR/stamp"
printf 'build-native: built %s\n' "${OUT#"$ROOT"/}" >&2
