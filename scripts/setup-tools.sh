#!/usr/bin/env bash
# Installs the real external tools the tests start as processes (see scripts/README-tools.md):
#   - Debian packages: haproxy, wrk, prometheus (promtool), chromium, mosquitto-clients, iproute2,
#     gcc and libturbojpeg0-dev (for the worker's TurboJPEG binding, built by scripts/build-native.sh)
#   - Toxiproxy server + CLI (MIT), built from the Go module proxy into .tools/bin/
#   - Consul at the newest MPL-2.0 release, built from the Go module proxy into .tools/bin/
# Idempotent: when everything is present it only checks versions and returns in about a second.
# Run by `npm test` (CI: fresh Debian 12, root, no stdin). Fails loudly when anything cannot be
# installed. Progress goes to stderr.
set -euo pipefail

TOXIPROXY_VERSION=v2.5.0 # newest v2 release the Go module proxy serves (MIT)
CONSUL_VERSION=v1.16.3   # newest release served by the proxy whose LICENSE is MPL-2.0
# The Consul release go.mod replaces these with ./dir; a consumer must require the released
# versions that the release's go.mod names. They are read from that go.mod at build time.
CONSUL_SUBMODULES="api sdk proto-public envoyextensions troubleshoot"
DEBIAN_PACKAGES="haproxy wrk prometheus chromium mosquitto-clients iproute2 gcc libturbojpeg0-dev"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS="$ROOT/.tools"
BIN="$TOOLS/bin"
BUILD="$TOOLS/build"

log() { printf 'setup-tools: %s\n' "$*" >&2; }
die() {
  printf 'setup-tools: ERROR: %s\n' "$*" >&2
  exit 1
}
# run_logged <log> <cmd...>: runs a long, chatty command with its output in <log> only,
# a progress line every minute, and the end of the log on stderr when it fails.
run_logged() {
  local logf=$1 t0 rc=0
  shift
  t0=$(date +%s)
  (
    exec 9>&- # the lock stays with this script only
    # sleep holds no inherited fd, so a pipe reading our stderr is not kept open by it
    while sleep 60 >/dev/null 2>&1; do log "  … still running ($(($(date +%s) - t0)) s)"; done
  ) &
  HEARTBEAT=$!
  "$@" >"$logf" 2>&1 || rc=$?
  kill "$HEARTBEAT" 2>/dev/null || true
  wait "$HEARTBEAT" 2>/dev/null || true
  HEARTBEAT=
  if [ "$rc" -ne 0 ]; then
    grep -v '^go: downloading' "$logf" | tail -n 40 | sed 's/^/    /' >&2
  fi
  return "$rc"
}
HEARTBEAT=
trap '[ -z "$HEARTBEAT" ] || kill "$HEARTBEAT" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
# An unexpected failure (set -e) names the command; die() explains the expected ones.
trap 'printf "setup-tools: ERROR: command failed (line %s): %s\n" "$LINENO" "$BASH_COMMAND" >&2' ERR

mkdir -p "$BIN" "$BUILD"

# One setup at a time per checkout (two `npm test` runs must not build into the same folder).
exec 9>"$TOOLS/.setup.lock"
if ! flock -n 9; then
  log "another setup-tools run holds $TOOLS/.setup.lock; waiting for it"
  flock 9
fi

# ---------------------------------------------------------------- Debian packages
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    die "need root (or password-less sudo) to run: $*"
  fi
}

missing=()
for pkg in $DEBIAN_PACKAGES; do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
  case "$status" in
    ii*) ;;
    *) missing+=("$pkg") ;;
  esac
done
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null 2>&1 || die "missing packages (${missing[*]}) and no apt-get on this machine"
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Wait (up to 10 min) for any other apt/dpkg run instead of failing on its lock.
  apt_opts=(-q -o DPkg::Lock::Timeout=600)
  as_root apt-get "${apt_opts[@]}" update >&2 || die "apt-get update failed"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}" >&2 ||
    die "apt-get install ${missing[*]} failed"
  for pkg in "${missing[@]}"; do
    dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null | grep -q '^ii' || die "package $pkg is still not installed"
  done
fi
for cmd in haproxy wrk promtool chromium mosquitto_pub ip gcc; do
  command -v "$cmd" >/dev/null 2>&1 || die "command '$cmd' not found on PATH although its package is installed"
done

# ---------------------------------------------------------------- the worker's TurboJPEG binding
bash "$ROOT/scripts/build-native.sh" || die "building the TurboJPEG binding failed"

# ---------------------------------------------------------------- Go
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  export PATH="/usr/local/go/bin:$PATH"
fi
have_go() {
  command -v go >/dev/null 2>&1 || die "Go is needed to build Toxiproxy and Consul but 'go' is not on PATH (install Go >= 1.21)"
}

# ---------------------------------------------------------------- Toxiproxy
tp_ver=${TOXIPROXY_VERSION#v}
# toxiproxy-server -version -> "toxiproxy-server version 2.5.0"; toxiproxy-cli --version -> "toxiproxy-cli version 2.5.0"
tp_version_of() { # <binary> <flag>
  "$1" "$2" 2>/dev/null | awk '{print $NF; exit}' || true
}
tp_ok() { # <name> <flag>
  [ -x "$BIN/$1" ] && [ "$(tp_version_of "$BIN/$1" "$2")" = "$tp_ver" ]
}
tp_link_from_path() { # <name> <flag>: use a binary already on PATH when it is the pinned version
  local found
  found=$(PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$BIN" | paste -sd: -) command -v "$1" 2>/dev/null) || return 1
  [ "$(tp_version_of "$found" "$2")" = "$tp_ver" ] || return 1
  ln -sfn "$found" "$BIN/$1"
  log "using $found ($1 $tp_ver) via symlink"
}
tp_need=()
tp_ok toxiproxy-server -version || tp_link_from_path toxiproxy-server -version || tp_need+=(server)
tp_ok toxiproxy-cli --version || tp_link_from_path toxiproxy-cli --version || tp_need+=(cli)
if [ ${#tp_need[@]} -gt 0 ]; then
  have_go
  log "building toxiproxy ${tp_need[*]} $TOXIPROXY_VERSION from the Go module proxy"
  gobin=$(mktemp -d "$BUILD/toxiproxy.XXXXXX")
  pkgs=()
  for c in "${tp_need[@]}"; do pkgs+=("github.com/Shopify/toxiproxy/v2/cmd/$c@$TOXIPROXY_VERSION"); done
  run_logged "$BUILD/toxiproxy-build.log" env -C "$BUILD" GOBIN="$gobin" GOFLAGS=-buildvcs=false CGO_ENABLED=0 \
    go install -trimpath -ldflags "-s -w -X github.com/Shopify/toxiproxy/v2.Version=$tp_ver" "${pkgs[@]}" ||
    die "building toxiproxy $TOXIPROXY_VERSION failed (log: $BUILD/toxiproxy-build.log)"
  for c in "${tp_need[@]}"; do
    rm -f "$BIN/toxiproxy-$c"
    mv "$gobin/$c" "$BIN/toxiproxy-$c"
  done
  rm -rf "$gobin"
  tp_ok toxiproxy-server -version || die "$BIN/toxiproxy-server does not report version $tp_ver"
  tp_ok toxiproxy-cli --version || die "$BIN/toxiproxy-cli does not report version $tp_ver"
fi

# ---------------------------------------------------------------- Consul
json_field() { # <name>: a string field of `go mod download -json` output on stdin
  sed -n "s/^[[:space:]]*\"$1\": \"\(.*\)\",\{0,1\}\$/\1/p" | head -n1
}
consul_ok() { # `consul version` first line: "Consul v1.16.3"
  [ -x "$BIN/consul" ] && [ "$("$BIN/consul" version 2>/dev/null | head -n1)" = "Consul $CONSUL_VERSION" ]
}
consul_link_from_path() { # a consul already on PATH at the pinned (MPL-2.0) version
  local found
  found=$(PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$BIN" | paste -sd: -) command -v consul 2>/dev/null) || return 1
  [ "$("$found" version 2>/dev/null | head -n1)" = "Consul $CONSUL_VERSION" ] || return 1
  ln -sfn "$found" "$BIN/consul"
  log "using $found (consul $CONSUL_VERSION) via symlink"
}
if ! consul_ok && ! consul_link_from_path; then
  have_go
  log "building consul $CONSUL_VERSION from the Go module proxy (a large download and several minutes of compiling on a cold cache)"
  dl=$(cd "$BUILD" && GOFLAGS="" go mod download -json "github.com/hashicorp/consul@$CONSUL_VERSION") ||
    die "downloading github.com/hashicorp/consul@$CONSUL_VERSION failed: $dl"
  src=$(printf '%s\n' "$dl" | json_field Dir)
  gomod=$(printf '%s\n' "$dl" | json_field GoMod)
  info=$(printf '%s\n' "$dl" | json_field Info)
  [ -d "$src" ] && [ -f "$gomod" ] && [ -f "$info" ] || die "unexpected 'go mod download' output: $dl"

  # Licence check: only an MPL-2.0 Consul may be used (1.17+ and some later 1.16 patches are BSL).
  license="$src/LICENSE"
  [ -f "$license" ] || die "no LICENSE in $src"
  if ! head -n 5 "$license" | grep -q 'Mozilla Public License, version 2.0' ||
    grep -qiE 'Business Source License|BUSL' "$license"; then
    die "consul $CONSUL_VERSION LICENSE is not MPL-2.0 (first line: $(grep -m1 . "$license")); refusing to build it"
  fi
  log "consul $CONSUL_VERSION LICENSE is MPL-2.0 ($license)"

  # A build module of our own: the release's go.mod (its require and exclude blocks, so the
  # versions are exactly the released ones) minus its replace directives, which a dependency's
  # go.mod may not use, plus a require of consul itself. The submodules (api, sdk, ...) are
  # already required there at the released versions this release names.
  mod="$BUILD/consul"
  mkdir -p "$mod"
  {
    echo "// Generated by scripts/setup-tools.sh from github.com/hashicorp/consul@$CONSUL_VERSION's go.mod."
    awk '
      /^module[[:space:]]/ { print "module nines.local/consul-build"; next }
      /^replace[[:space:]]*\($/ { skip = 1; next }
      skip && /^\)/ { skip = 0; next }
      skip { next }
      /^replace[[:space:]]/ { next }
      { print }
    ' "$gomod"
    echo
    echo "require github.com/hashicorp/consul $CONSUL_VERSION"
  } >"$mod/go.mod"

  # go.sum: seeded from the go.sum files of the release and of its submodules (each of those
  # modules is itself verified against sum.golang.org when downloaded). Some dependencies,
  # e.g. consul/envoyextensions v0.4.1, are not answered by the checksum database through
  # the proxy, but their hashes are in these files, so nothing is left unverified.
  sums=("$src/go.sum")
  for m in $CONSUL_SUBMODULES; do
    v=$(awk -v p="github.com/hashicorp/consul/$m" '$1 == p && $2 ~ /^v/ { print $2; exit }' "$gomod")
    if [ -z "$v" ]; then
      log "note: consul $CONSUL_VERSION go.mod does not require github.com/hashicorp/consul/$m"
      continue
    fi
    # Outside any module, so that the download is checked against sum.golang.org. One the
    # database does not answer for is skipped here; its hash comes from a sibling's go.sum.
    if sdl=$(cd "$BUILD" && GOFLAGS="" go mod download -json "github.com/hashicorp/consul/$m@$v" 2>/dev/null); then
      sdir=$(printf '%s\n' "$sdl" | json_field Dir)
      [ ! -f "$sdir/go.sum" ] || sums+=("$sdir/go.sum")
    fi
  done
  {
    printf 'github.com/hashicorp/consul %s %s\n' "$CONSUL_VERSION" "$(printf '%s\n' "$dl" | json_field Sum)"
    printf 'github.com/hashicorp/consul %s/go.mod %s\n' "$CONSUL_VERSION" "$(printf '%s\n' "$dl" | json_field GoModSum)"
    [ ! -f "$mod/go.sum" ] || cat "$mod/go.sum"
    cat "${sums[@]}"
  } | LC_ALL=C sort -u >"$mod/go.sum.new"
  mv "$mod/go.sum.new" "$mod/go.sum"

  commit=$(sed -n 's/.*"Hash":"\([0-9a-f]*\)".*/\1/p' "$info" 2>/dev/null || true)
  bdate=$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$info" 2>/dev/null || true)
  ldflags="-s -w -X github.com/hashicorp/consul/version.GitCommit=${commit:0:8}"
  [ -z "$bdate" ] || ldflags="$ldflags -X github.com/hashicorp/consul/version.BuildDate=$bdate"

  consul_build() { # <ldflags>; the output goes to $mod/build.log
    run_logged "$mod/build.log" env -C "$mod" CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false" \
      GOMAXPROCS="${GOMAXPROCS:-$(nproc)}" \
      go build -trimpath -ldflags "$1" -o "$BIN/consul.tmp" github.com/hashicorp/consul
  }
  start=$(date +%s)
  if ! consul_build "$ldflags"; then
    # Go 1.23+ refuse some //go:linkname references that older dependencies make (e.g.
    # "golang.org/x/net/internal/socket: invalid reference to syscall.recvmsg"). v1.16.3 links
    # fine with Go 1.26; should another toolchain refuse, link without that check.
    grep -q 'invalid reference to' "$mod/build.log" ||
      die "building consul $CONSUL_VERSION failed (build module: $mod, log: $mod/build.log)"
    log "linker refused a //go:linkname reference; relinking with -checklinkname=0"
    consul_build "$ldflags -checklinkname=0" ||
      die "building consul $CONSUL_VERSION failed (build module: $mod, log: $mod/build.log)"
  fi
  mv -f "$BIN/consul.tmp" "$BIN/consul"
  log "built consul $CONSUL_VERSION in $(($(date +%s) - start)) s"
  consul_ok || die "$BIN/consul does not report 'Consul $CONSUL_VERSION': $("$BIN/consul" version 2>&1 | head -n1)"
fi

# ---------------------------------------------------------------- infrastructure-as-code tools (terraform/)
# OpenTofu (MPL-2.0) and tflint (MPL-2.0) from the Go module proxy into .tools/bin, checkov
# (Apache-2.0, PyPI) into a venv under .tools. `npm test` runs them over terraform/ (see
# test/terraform/). Each is skipped when present at the pinned version.
TOFU_VERSION=v1.12.6
TFLINT_VERSION=v0.64.0
CHECKOV_VERSION=3.3.30
CHECKOV_VENV="$TOOLS/checkov-venv"

tofu_ok() { # `tofu version` first line: "OpenTofu v1.12.6" (a -dev suffix means the ldflags were lost)
  [ -x "$BIN/tofu" ] && [ "$(TF_CLI_CONFIG_FILE=/dev/null "$BIN/tofu" version 2>/dev/null | head -n1)" = "OpenTofu $TOFU_VERSION" ]
}
if ! tofu_ok; then
  have_go
  log "building tofu $TOFU_VERSION from the Go module proxy (about 3.5 min and 1.8 GB on a cold cache)"
  tdl=$(cd "$BUILD" && GOFLAGS="" go mod download -json "github.com/opentofu/opentofu@$TOFU_VERSION") ||
    die "downloading github.com/opentofu/opentofu@$TOFU_VERSION failed: $tdl"
  tgomod=$(printf '%s\n' "$tdl" | json_field GoMod)
  [ -f "$tgomod" ] || die "unexpected 'go mod download' output: $tdl"
  # OpenTofu's go.mod replaces hashicorp/hcl with its fork; replace lines of a dependency are
  # ignored, so `go install …@version` is refused. Our build module copies them.
  tmod="$BUILD/tofu"
  mkdir -p "$tmod"
  {
    echo "// Generated by scripts/setup-tools.sh: builds github.com/opentofu/opentofu@$TOFU_VERSION."
    echo "module nines.local/tofu-build"
    echo
    grep -m1 '^go ' "$tgomod"
    echo
    echo "require github.com/opentofu/opentofu $TOFU_VERSION"
    echo
    grep '^replace ' "$tgomod"
  } >"$tmod/go.mod"
  tstart=$(date +%s)
  run_logged "$tmod/build.log" env -C "$tmod" CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false" sh -c \
    "go get github.com/opentofu/opentofu/cmd/tofu@$TOFU_VERSION &&
     go build -trimpath -ldflags '-s -w -X github.com/opentofu/opentofu/version.dev=no' -o '$BIN/tofu.tmp' github.com/opentofu/opentofu/cmd/tofu" ||
    die "building tofu $TOFU_VERSION failed (build module: $tmod, log: $tmod/build.log)"
  mv -f "$BIN/tofu.tmp" "$BIN/tofu"
  log "built tofu $TOFU_VERSION in $(($(date +%s) - tstart)) s"
  tofu_ok || die "$BIN/tofu does not report 'OpenTofu $TOFU_VERSION': $("$BIN/tofu" version 2>&1 | head -n1)"
fi

tflint_ok() { # `tflint --version` first line: "TFLint version 0.64.0"
  [ -x "$BIN/tflint" ] && [ "$("$BIN/tflint" --version 2>/dev/null | head -n1)" = "TFLint version ${TFLINT_VERSION#v}" ]
}
if ! tflint_ok; then
  have_go
  log "building tflint $TFLINT_VERSION from the Go module proxy (about 1.2 min)"
  tlbin=$(mktemp -d "$BUILD/tflint.XXXXXX")
  run_logged "$BUILD/tflint-build.log" env -C "$BUILD" GOBIN="$tlbin" GOFLAGS=-buildvcs=false CGO_ENABLED=0 \
    go install -trimpath -ldflags "-s -w" "github.com/terraform-linters/tflint@$TFLINT_VERSION" ||
    die "building tflint $TFLINT_VERSION failed (log: $BUILD/tflint-build.log)"
  mv -f "$tlbin/tflint" "$BIN/tflint"
  rm -rf "$tlbin"
  tflint_ok || die "$BIN/tflint does not report version ${TFLINT_VERSION#v}"
fi

checkov_ok() { # the venv's own record of the installed version; `checkov --version` takes ~3 s
  [ -x "$BIN/checkov" ] && [ -x "$CHECKOV_VENV/bin/python" ] &&
    [ -f "$CHECKOV_VENV/lib/python3"*/site-packages/checkov-$CHECKOV_VERSION.dist-info/METADATA ] 2>/dev/null
}
if ! checkov_ok; then
  # Debian's python3 lacks ensurepip (so `python3 -m venv` fails) until python3-venv is installed.
  if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
    log "installing Debian packages for checkov's venv: python3 python3-venv"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600 install -y --no-install-recommends python3 python3-venv >&2 ||
      { as_root apt-get -q -o DPkg::Lock::Timeout=600 update >&2 &&
        as_root env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600 install -y --no-install-recommends python3 python3-venv >&2; } ||
      die "apt-get install python3 python3-venv failed"
  fi
  log "installing checkov $CHECKOV_VERSION from PyPI into $CHECKOV_VENV"
  rm -rf "$CHECKOV_VENV"
  python3 -m venv "$CHECKOV_VENV" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
  # python-hcl2 must not be installed beside it: it breaks checkov's import (see /work/shared/TOOLS.md).
  run_logged "$BUILD/checkov-install.log" "$CHECKOV_VENV/bin/pip" install --disable-pip-version-check -q \
    "checkov==$CHECKOV_VERSION" || die "pip install checkov==$CHECKOV_VERSION failed (log: $BUILD/checkov-install.log)"
  ln -sfn "$CHECKOV_VENV/bin/checkov" "$BIN/checkov"
  checkov_ok || die "checkov $CHECKOV_VERSION is not installed in $CHECKOV_VENV"
fi

# ---------------------------------------------------------------- summary
deb_line() { # <command> <package>
  printf '%-18s %-40s %s (Debian %s)\n' "$1" "$(command -v "$1")" "$2" "$(dpkg-query -W -f='${Version}' "$2")"
}
{
  deb_line haproxy haproxy
  deb_line wrk wrk
  deb_line promtool prometheus
  deb_line chromium chromium
  deb_line mosquitto_pub mosquitto-clients
  deb_line ip iproute2
  printf '%-18s %-40s libturbojpeg (Debian %s)\n' turbojpeg.node "$ROOT/system/worker/turbojpeg/build/turbojpeg.node" "$(dpkg-query -W -f='${Version}' libturbojpeg0-dev)"
  printf '%-18s %-40s %s\n' toxiproxy-server "$BIN/toxiproxy-server" "$("$BIN/toxiproxy-server" -version)"
  printf '%-18s %-40s %s\n' toxiproxy-cli "$BIN/toxiproxy-cli" "$("$BIN/toxiproxy-cli" --version)"
  printf '%-18s %-40s %s (MPL-2.0)\n' consul "$BIN/consul" "$("$BIN/consul" version | head -n1)"
  printf '%-18s %-40s %s (MPL-2.0)\n' tofu "$BIN/tofu" "$(TF_CLI_CONFIG_FILE=/dev/null "$BIN/tofu" version | head -n1)"
  printf '%-18s %-40s %s (MPL-2.0)\n' tflint "$BIN/tflint" "$("$BIN/tflint" --version | head -n1)"
  printf '%-18s %-40s checkov %s (Apache-2.0)\n' checkov "$BIN/checkov" "$CHECKOV_VERSION"
} | sed 's/^/setup-tools: /' >&2
