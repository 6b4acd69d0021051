# Sourced by scripts/test-arm64.sh and scripts/check-package.sh: Node binaries from the npm
# registry's node-<platform>-<arch> packages (each ships bin/node), kept in build-nodes/.
#
# registry_node PACKAGE VERSION: prints the directory whose bin/node is that release, fetching it
# with `npm pack` on first use.
registry_node() {
  local package=$1 version=$2
  local cache
  cache="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build-nodes"
  local dir="$cache/$package-$version"
  if [ ! -x "$dir/bin/node" ]; then
    mkdir -p "$cache"
    local tarball
    tarball=$(cd "$cache" && npm pack --silent "$package@$version" | tail -n 1)
    rm -rf "$dir"
    mkdir -p "$dir"
    tar -xzf "$cache/$tarball" -C "$dir" --strip-components=1
    rm -f "$cache/$tarball"
  fi
  echo "$dir"
}

# use_qemu_binfmt: lets the kernel run arm64 executables through qemu-aarch64 (binfmt_misc, as
# Debian's qemu-user-binfmt registers it), so that an emulated Node's child processes, which
# start process.execPath, are emulated too; the dynamic loader comes from the cross sysroot.
use_qemu_binfmt() {
  local binfmt=/proc/sys/fs/binfmt_misc
  [ -e "$binfmt/register" ] || mount -t binfmt_misc binfmt_misc "$binfmt" 2>/dev/null || true
  if [ ! -e "$binfmt/qemu-aarch64" ]; then
    if [ ! -w "$binfmt/register" ] || [ ! -f /usr/lib/binfmt.d/qemu-aarch64.conf ]; then
      echo "cannot register qemu-aarch64 with binfmt_misc (needs root and Debian's" \
           "qemu-user-binfmt)" >&2
      return 2
    fi
    cat /usr/lib/binfmt.d/qemu-aarch64.conf >"$binfmt/register"
  fi
  export QEMU_LD_PREFIX=/usr/aarch64-linux-gnu
}
