#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds flux-fill and installs it (the executable and its locale/ catalogues
# beside it) into the GIMP 3 user profiles that GIMP reads:
#
#   $GIMP3_DIRECTORY/plug-ins/flux-fill/            if set, and only there;
#   otherwise every existing ${XDG_CONFIG_HOME:-~/.config}/GIMP/3.<n>
#   (3.0, 3.2, ...), or, when none exists yet, the profile of the installed
#   GIMP's version (3.0 when no GIMP 3 is found).
#
# Never into GIMP's Flatpak (~/.var/app/org.gimp.GIMP): a binary linked
# against this system's libraries cannot run in its sandbox; it says so
# and names the Flatpak extension to build instead (README).
#
# It prints each folder it installed into.  Then restart GIMP and find it
# under Filters → Generative → FLUX Fill…; its Service section keeps your
# API token in the desktop keyring.
#
#   packaging/install.sh --uninstall    removes plug-ins/flux-fill from the
#                                       same profiles (and any an older
#                                       version put into the Flatpak's),
#                                       and flux-fill-batch
#   packaging/install.sh --yes          builds the Debian 13 root (below)
#                                       without asking
#
# It also installs the command flux-fill-batch (the plug-in on files, without
# opening GIMP) as ~/.local/bin/flux-fill-batch, and warns when that folder
# is not on PATH.
#
# FLUX_FILL_PREBUILT=path/to/flux-fill installs that binary instead of
# building; its catalogues are taken from FLUX_FILL_PREBUILT_LOCALE (a folder
# of LANG/LC_MESSAGES/flux-fill.mo), else from locale/ beside it, else from
# ../i18n when it sits in a meson build folder.
#
# Building needs libgimp-3.0-dev, libcurl4-openssl-dev, libjson-glib-dev,
# libsecret-1-dev, meson and ninja (Debian 13: apt install libgimp-3.0-dev
# libcurl4-openssl-dev libjson-glib-dev libsecret-1-dev meson ninja-build
# gettext).  On a machine without GIMP 3's headers (Debian 12) it builds
# inside the Debian 13 root of tests/trixie-root.sh, so the binary is for
# a GIMP 3 run from that root.  Building that root downloads about 1.7 GB
# of Debian packages: it says so and asks first (--yes answers for you;
# without a terminal to ask on and without --yes it refuses).
# Whatever fails, nothing half-made is left behind.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=install
yes=0
for arg in "$@"; do
  case $arg in
    --uninstall) mode=uninstall ;;
    --yes) yes=1 ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "install: unknown argument '$arg' (--uninstall, --yes, --help)" >&2; exit 2 ;;
  esac
done

# Temporary files and folders, removed however the script ends.
leftovers=()
cleanup () {
  local f
  for f in "${leftovers[@]}"; do rm -rf -- "$f"; done
}
trap cleanup EXIT

config=${XDG_CONFIG_HOME:-$HOME/.config}
flatpak_config=$HOME/.var/app/org.gimp.GIMP/config

# The existing GIMP 3.<n> profiles under BASE/GIMP, oldest version first.
existing_profiles () {   # BASE
  local d
  for d in "$1"/GIMP/3.*; do
    [ -d "$d" ] && [[ ${d##*/} =~ ^3\.[0-9]+$ ]] && printf '%s\n' "$d"
  done | sort -V
}

# major.minor of the installed GIMP 3: the newest gimp-console-3.*, then
# gimp, then gimp-console.
gimp_version () {
  local b v
  for b in $(compgen -c gimp-console-3. | sort -u -t. -k2,2nr) gimp gimp-console; do
    command -v "$b" >/dev/null 2>&1 || continue
    v=$("$b" --version 2>/dev/null | sed -n 's/.*version \([0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' | head -n 1)
    case $v in 3.*) echo "$v"; return 0 ;; esac
  done
  return 1
}

profiles=()
flatpak_profiles=()
if [ -n "${GIMP3_DIRECTORY:-}" ]; then
  profiles=("$GIMP3_DIRECTORY")
else
  mapfile -t profiles < <(existing_profiles "$config")
  mapfile -t flatpak_profiles < <(existing_profiles "$flatpak_config")
  if [ ${#profiles[@]} -eq 0 ] && [ $mode = install ]; then
    if version=$(gimp_version); then
      profiles=("$config/GIMP/$version")
    else
      echo "install: no GIMP 3 found and no GIMP 3 profile in $config/GIMP; installing for GIMP 3.0" >&2
      profiles=("$config/GIMP/3.0")
    fi
  fi
fi

# The command-line tool, on the user's PATH.
batch_cmd=$HOME/.local/bin/flux-fill-batch

if [ $mode = uninstall ]; then
  removed=0
  for p in "${profiles[@]}" "${flatpak_profiles[@]}"; do
    if [ -e "$p/plug-ins/flux-fill" ]; then
      rm -rf "$p/plug-ins/flux-fill"
      echo "Removed $p/plug-ins/flux-fill"
      removed=1
    fi
  done
  [ $removed = 1 ] || echo "flux-fill was not installed in any GIMP 3 profile"
  if [ -e "$batch_cmd" ]; then
    rm -f "$batch_cmd"
    echo "Removed $batch_cmd"
  fi
  echo "A token saved from the plug-in stays in your keyring; remove it with:"
  echo "  secret-tool clear application flux-fill"
  exit 0
fi

# Everything that goes into each profile's plug-ins/flux-fill: the
# executable, locale/LANG/LC_MESSAGES/flux-fill.mo and the help pages
# (help/LANG/, registered with GIMP from beside the executable).
stage=$(mktemp -d)
leftovers+=("$stage")
cp -R docs/help "$stage/help"
stage_catalogues () {   # FOLDER holding LANG/LC_MESSAGES/flux-fill.mo
  local mo lang
  for mo in "$1"/*/LC_MESSAGES/flux-fill.mo; do
    [ -f "$mo" ] || continue
    lang=${mo#"$1"/}; lang=${lang%%/*}
    install -D -m 644 "$mo" "$stage/locale/$lang/LC_MESSAGES/flux-fill.mo"
  done
}

if [ -n "${FLUX_FILL_PREBUILT:-}" ]; then
  [ -x "$FLUX_FILL_PREBUILT" ] || { echo "install: $FLUX_FILL_PREBUILT is not an executable" >&2; exit 1; }
  install -m 755 "$FLUX_FILL_PREBUILT" "$stage/flux-fill"
  bindir=$(dirname "$FLUX_FILL_PREBUILT")
  if [ -n "${FLUX_FILL_PREBUILT_LOCALE:-}" ]; then
    stage_catalogues "$FLUX_FILL_PREBUILT_LOCALE"
  elif [ -d "$bindir/locale" ]; then
    stage_catalogues "$bindir/locale"
  else
    stage_catalogues "$bindir/../i18n"
  fi
else
  if pkg-config --exists gimp-3.0 2>/dev/null; then
    build=_build/native-release
    [ -f $build/build.ninja ] || meson setup $build --buildtype=release
    meson compile -C $build
  else
    build=_build/root-release
    root=${FLUX_FILL_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/flux-fill/trixie-root}
    if ! compgen -G "$root/usr/bin/gimp-console-3.*" >/dev/null; then
      echo "install: no GIMP 3 development files here (libgimp-3.0-dev); flux-fill can be"
      echo "  built in a Debian 13 root instead.  That downloads about 1.7 GB of Debian 13"
      echo "  packages (GIMP 3, its headers, compilers, test tools) from deb.debian.org with"
      echo "  mmdebstrap into $root"
      missing=$(for t in mmdebstrap bwrap; do command -v $t >/dev/null || echo $t; done)
      [ -z "$missing" ] || echo "  and first installs $(echo $missing | sed 's/bwrap/bubblewrap/') on this machine with apt-get."
      if [ $yes != 1 ]; then
        if [ ! -t 0 ]; then
          echo "install: not building the root without asking: run again with --yes to build it," >&2
          echo "  or install GIMP 3's development files (Debian 13: apt install libgimp-3.0-dev)." >&2
          exit 1
        fi
        read -r -p "Build it? [y/N] " answer
        case $answer in
          y|Y|yes|Yes) ;;
          *) echo "install: nothing was downloaded or installed." >&2; exit 1 ;;
        esac
      fi
    fi
    echo "install: building in the Debian 13 root $root" >&2
    FLUX_FILL_SUITE=trixie tests/trixie-root.sh sh -c \
      "[ -f $build/build.ninja ] || meson setup $build --buildtype=release; meson compile -C $build"
  fi
  install -m 755 $build/plugin/flux-fill "$stage/flux-fill"
  stage_catalogues $build/i18n
fi

# Each profile's copy is made beside it and swapped in whole.
for p in "${profiles[@]}"; do
  dest=$p/plug-ins/flux-fill
  mkdir -p "$p/plug-ins"
  fresh=$(mktemp -d "$p/plug-ins/.flux-fill.XXXXXX")
  leftovers+=("$fresh")
  cp -R "$stage"/. "$fresh"/
  chmod 755 "$fresh"
  rm -rf "$dest"
  mv "$fresh" "$dest"
  echo "Installed into $dest"
done
if [ ${#flatpak_profiles[@]} -gt 0 ]; then
  echo "Not installed into GIMP's Flatpak (${flatpak_profiles[*]}): this binary uses this"
  echo "  system's libraries, which its sandbox does not have.  For the Flatpak GIMP build"
  echo "  and install the extension instead (README, \"Flatpak\"):"
  echo "  flatpak-builder --user --install --force-clean _build/flatpak packaging/flatpak/org.gimp.GIMP.Plugin.FluxFill.json"
fi
# flux-fill-batch, with this checkout's path in it (for the Debian 13 root
# where no GIMP 3 is installed) unless the path would need quoting.
mkdir -p "${batch_cmd%/*}"
batch_tmp=$(mktemp "$batch_cmd.XXXXXX")
leftovers+=("$batch_tmp")
case $PWD in
  *[\|\"\\\&]*|*$'\n'*) cp tools/flux-fill-batch "$batch_tmp" ;;
  *) sed "s|^CHECKOUT_HINT = \"\"\$|CHECKOUT_HINT = \"$PWD\"|" tools/flux-fill-batch >"$batch_tmp" ;;
esac
chmod 755 "$batch_tmp"
mv -f "$batch_tmp" "$batch_cmd"
echo "Installed the command flux-fill-batch as $batch_cmd (FLUX Fill on image files)"
case ":$PATH:" in
  *":${batch_cmd%/*}:"*) ;;
  *) echo "Note: ${batch_cmd%/*} is not on your PATH; add it (e.g. PATH=\"\$HOME/.local/bin:\$PATH\" in ~/.profile) to run flux-fill-batch by name" ;;
esac
echo "Restart GIMP and open Filters → Generative → FLUX Fill…: enter your API token in"
echo "  the dialog's Service section, which keeps it in your desktop keyring (GNOME Keyring,"
echo "  KWallet, KeePassXC).  Without a keyring, set REPLICATE_API_TOKEN in GIMP's environment."
