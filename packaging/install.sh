#!/usr/bin/env bash
# Builds flux-fill and installs it into your GIMP 3 user profile:
#   ~/.config/GIMP/3.0/plug-ins/flux-fill/flux-fill   (or $GIMP3_DIRECTORY/plug-ins/...)
# Then restart GIMP and find it under Filters → Generative → FLUX Fill…
#
# Needs libgimp-3.0-dev, libcurl4-openssl-dev, libjson-glib-dev, meson and
# ninja (Debian 13: apt install libgimp-3.0-dev libcurl4-openssl-dev
# libjson-glib-dev meson ninja-build gettext).  On a machine without GIMP 3
# (Debian 12) it builds inside the Debian 13 root of tests/trixie-root.sh,
# so the binary is for a GIMP 3 run from that root.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=${GIMP3_DIRECTORY:-${XDG_CONFIG_HOME:-$HOME/.config}/GIMP/3.0}
dest=$profile/plug-ins/flux-fill

if pkg-config --exists gimp-3.0 2>/dev/null; then
  build=_build/native-release
  [ -f $build/build.ninja ] || meson setup $build --buildtype=release -Dplugindir="$profile/plug-ins"
  meson compile -C $build
  meson install -C $build --no-rebuild
else
  echo "install: no GIMP 3 development files here; building in the Debian 13 root" >&2
  build=_build/root-release
  tests/trixie-root.sh sh -c "[ -f $build/build.ninja ] || meson setup $build --buildtype=release; meson compile -C $build"
  mkdir -p "$dest"
  install -m 755 $build/plugin/flux-fill "$dest/flux-fill"
fi
echo "Installed $dest/flux-fill"
echo "Set REPLICATE_API_TOKEN (and optionally REPLICATE_BASE_URL) before starting GIMP,"
echo "then use Filters → Generative → FLUX Fill…"
