#!/usr/bin/env bash
# Runs a command inside a Debian 13 (trixie) root, which has GIMP 3.0.
# Debian 12 has no GIMP 3, so the root is built once with mmdebstrap and
# cached outside the repo; later runs reuse it and only add missing packages.
#
#   tests/trixie-root.sh CMD [ARGS...]   run CMD with the repo mounted at /w
#                                        (or natively, in the repo, where GIMP 3 is)
#
# FLUX_FILL_ROOT overrides where the root lives.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
root=${FLUX_FILL_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/flux-fill/trixie-root}

# What the build, the plug-in and the tests need.
packages=(
  gimp libgimp-3.0-dev
  libcurl4-openssl-dev libjson-glib-dev libgdk-pixbuf-2.0-dev webp-pixbuf-loader
  meson ninja-build gcc pkgconf gettext
  python3 python3-pil valgrind ca-certificates
  clang libclang-rt-dev locales-all
)

need_host_tools () {
  local missing=()
  command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
  command -v bwrap >/dev/null || missing+=(bubblewrap)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "trixie-root: installing ${missing[*]}" >&2
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

in_root () {
  bwrap --bind "$root" / --proc /proc --dev /dev --tmpfs /tmp \
        --bind "$src" /w --setenv HOME /tmp --setenv FLUX_FILL_NATIVE 0 --chdir /w \
        --unsetenv LD_PRELOAD "$@"
}

ensure_root () {
  local wanted
  wanted=$(printf '%s\n' "${packages[@]}" | sort)
  if [ ! -x "$root/usr/bin/gimp-console-3.0" ]; then
    need_host_tools
    echo "trixie-root: creating $root (once; about a minute)" >&2
    rm -rf "$root.tmp"
    mkdir -p "$(dirname "$root")"
    mmdebstrap --variant=apt --include="$(IFS=,; echo "${packages[*]}")" \
      trixie "$root.tmp" >&2
    rm -rf "$root"
    mv "$root.tmp" "$root"
    echo "$wanted" > "$root/.flux-fill-packages"
  elif [ "$(cat "$root/.flux-fill-packages" 2>/dev/null)" != "$wanted" ]; then
    need_host_tools
    echo "trixie-root: adding packages to $root" >&2
    in_root sh -c "apt-get -qq -o APT::Sandbox::User=root update && \
      DEBIAN_FRONTEND=noninteractive apt-get -qq -y -o APT::Sandbox::User=root \
      install $(printf '%s ' "${packages[@]}")" >&2
    echo "$wanted" > "$root/.flux-fill-packages"
  fi
}

# Natively where GIMP 3 and what the tests use are installed, in the root
# elsewhere; FLUX_FILL_NATIVE=1 or 0 forces the choice.  The command sees
# FLUX_FILL_NATIVE=1 when it runs natively, 0 in the root.
if [ -z "${FLUX_FILL_NATIVE:-}" ]; then
  if command -v gimp-console-3.0 >/dev/null && pkg-config --exists gimp-3.0 2>/dev/null \
     && python3 -c 'import PIL' 2>/dev/null; then
    FLUX_FILL_NATIVE=1
  else
    FLUX_FILL_NATIVE=0
  fi
fi
if [ "$FLUX_FILL_NATIVE" = 1 ]; then
  export FLUX_FILL_NATIVE
  cd "$src" && exec "$@"
fi
ensure_root
need_host_tools
in_root "$@"
