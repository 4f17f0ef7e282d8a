#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a command inside a cached Debian root: Debian 13 (trixie), which has
# GIMP 3.0 and its headers, or Debian unstable (sid), which has GIMP 3.2.
# Debian 12 has no GIMP 3, so each root is built once with mmdebstrap and
# cached outside the repo; later runs reuse it and only add missing packages.
#
#   tests/trixie-root.sh CMD [ARGS...]   run CMD in the trixie root with the
#                                        repo mounted at /w (or natively, in
#                                        the repo, where GIMP 3 is)
#   tests/trixie-root.sh --suite sid CMD [ARGS...]
#                                        the same in the sid root (GIMP 3.2;
#                                        only what runs the built plug-in in
#                                        GIMP, no compilers); never native
#   tests/trixie-root.sh --suite buildd CMD [ARGS...]
#                                        the same in a Debian 13 root holding
#                                        only build-essential and the
#                                        Build-Depends of debian/control, as
#                                        Debian's builders have; never native
#
# FLUX_FILL_SUITE=sid does what --suite sid does.  FLUX_FILL_ROOT overrides
# where the trixie root lives, FLUX_FILL_ROOT_SID where the sid root does,
# FLUX_FILL_ROOT_BUILDD where the buildd root does.  A root is built without
# Recommends, and packages added later come without them too, so a root
# grown over time holds what a fresh one does.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/flux-fill
suite=${FLUX_FILL_SUITE:-trixie}
if [ "${1:-}" = --suite ]; then suite=$2; shift 2; fi

# What the tests in each root need.  Also in both: a session bus, a Secret
# Service and an X server without a screen (dbus, gnome-keyring,
# libsecret-tools, xvfb, xauth).
apt_opts=(-o APT::Sandbox::User=root)
mm_opts=()
case $suite in
  trixie)
    root=${FLUX_FILL_ROOT:-$cache/trixie-root}
    # What the build, the plug-in and the tests need.
    packages=(
      gimp libgimp-3.0-dev python3-gi
      libcurl4-openssl-dev libjson-glib-dev libgdk-pixbuf-2.0-dev webp-pixbuf-loader
      librsvg2-common
      libsecret-1-dev
      meson ninja-build gcc pkgconf gettext
      python3 python3-pil valgrind ca-certificates
      clang libclang-rt-dev locales-all
      dbus gnome-keyring libsecret-tools xvfb xauth
      xdotool x11-apps imagemagick fonts-dejavu-core
      build-essential debhelper dpkg-dev lintian fakeroot
      appstream flatpak-builder git xz-utils
    ) ;;
  sid)
    root=${FLUX_FILL_ROOT_SID:-$cache/sid-root}
    # Running the plug-in built in the trixie root (its libraries) in GIMP
    # 3.2 with tests/integration/run_gimp.py, and its dialogs with
    # tests/gui/dialog-smoke.sh --gimp 3.2.
    packages=(
      gimp libcurl4t64 libjson-glib-1.0-0 libsecret-1-0 webp-pixbuf-loader
      python3 python3-pil python3-gi ca-certificates locales-all
      dbus gnome-keyring libsecret-tools xvfb xauth
      xdotool x11-apps imagemagick fonts-dejavu-core
    )
    # The mirror's sid Release file has expired.
    apt_opts+=(-o Acquire::Check-Valid-Until=false)
    mm_opts=(--aptopt='Acquire::Check-Valid-Until "false"') ;;
  buildd)
    root=${FLUX_FILL_ROOT_BUILDD:-$cache/buildd-root}
    # build-essential and the Build-Depends (the <!nocheck> ones too), as
    # Debian's builders have; "packages" is the field, for the stamp.
    packages=("$(awk '/^[^ \t#]/ { f = /^Build-Depends(-Arch|-Indep)?:/ } f && !/^#/' \
                 "$src/debian/control")") ;;
  *) echo "trixie-root: unknown suite '$suite' (trixie, sid or buildd)" >&2; exit 2 ;;
esac

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
  # XDG_CACHE_HOME names a host folder (where the roots are): inside, the
  # cache is HOME's, in /tmp.
  bwrap --bind "$root" / --proc /proc --dev /dev --tmpfs /tmp \
        --bind "$src" /w --setenv HOME /tmp --setenv FLUX_FILL_NATIVE 0 --chdir /w \
        --unsetenv LD_PRELOAD --unsetenv XDG_CACHE_HOME "$@"
}

# Any GIMP 3 console: gimp-console-3.0, gimp-console-3.2, ...
has_gimp3 () {   # ROOT
  local b
  for b in "$1"/usr/bin/gimp-console-3.*; do [ -x "$b" ] && return 0; done
  return 1
}

# A new root for the suite in DIR.  The buildd root: mmdebstrap's buildd
# variant (Essential, apt, build-essential), then what `apt-get build-dep`
# installs for debian/control, without Recommends, as sbuild does.
make_root () {   # DIR
  if [ "$suite" = buildd ]; then
    mmdebstrap --variant=buildd \
      --customize-hook='mkdir -p "$1/tmp/flux-fill-src/debian"' \
      --customize-hook="copy-in '$src/debian/control' '$src/debian/changelog' /tmp/flux-fill-src/debian" \
      --customize-hook='chroot "$1" env DEBIAN_FRONTEND=noninteractive apt-get -y -q --no-install-recommends build-dep /tmp/flux-fill-src/' \
      --customize-hook='rm -rf "$1/tmp/flux-fill-src"' \
      --customize-hook='chroot "$1" apt-get clean' \
      trixie "$1" >&2
  else
    mmdebstrap --variant=apt "${mm_opts[@]}" --include="$(IFS=,; echo "${packages[*]}")" \
      "$suite" "$1" >&2
  fi
}

root_ready () {
  if [ "$suite" = buildd ]; then [ -x "$root/usr/bin/dpkg-buildpackage" ]
  else has_gimp3 "$root"; fi
}

ensure_root () {
  local wanted have
  wanted=$(printf '%s\n' "${packages[@]}" | sort)
  have=$(cat "$root/.flux-fill-packages" 2>/dev/null || true)
  # The buildd root is rebuilt, never added to: it holds what the
  # Build-Depends bring and nothing more.
  if ! root_ready || { [ "$suite" = buildd ] && [ "$have" != "$wanted" ]; }; then
    need_host_tools
    echo "trixie-root: creating the $suite root $root (a minute or two)" >&2
    rm -rf "$root.tmp"
    mkdir -p "$(dirname "$root")"
    make_root "$root.tmp"
    rm -rf "$root"
    mv "$root.tmp" "$root"
    echo "$wanted" > "$root/.flux-fill-packages"
  elif [ "$have" != "$wanted" ]; then
    need_host_tools
    echo "trixie-root: adding packages to $root" >&2
    in_root sh -c "apt-get -qq ${apt_opts[*]} update && \
      DEBIAN_FRONTEND=noninteractive apt-get -qq -y --no-install-recommends ${apt_opts[*]} \
      install $(printf '%s ' "${packages[@]}")" >&2
    echo "$wanted" > "$root/.flux-fill-packages"
  fi
}

# The trixie suite runs natively where GIMP 3 (any 3.x) and what the tests
# use are installed, in the root elsewhere; FLUX_FILL_NATIVE=1 or 0 forces
# the choice.  The command sees FLUX_FILL_NATIVE=1 when it runs natively,
# 0 in a root.  The sid root is always a root.
native_gimp3 () {
  compgen -c gimp-console-3. | grep -q . && return 0
  command -v gimp-console >/dev/null && gimp-console --version 2>/dev/null | grep -q ' 3\.'
}
if [ "$suite" = trixie ]; then
  if [ -z "${FLUX_FILL_NATIVE:-}" ]; then
    if native_gimp3 && pkg-config --exists gimp-3.0 2>/dev/null \
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
fi
ensure_root
need_host_tools
in_root "$@"
