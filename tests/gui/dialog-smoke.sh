#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A look at the plug-in as a new user meets it: real GIMP 3 with its
# window under Xvfb and a keyring but no token anywhere.  The FLUX Fill
# dialog opens (from a script) with the Service section open; a prompt is
# typed and Enter pressed; the dialog stays, saying where the token goes,
# the prompt kept; the token is pasted (Alt+O) and Fill pressed
# (Alt+F); then Filters → Repeat fills again with the token from the
# keyring.  Not part of tests/run.sh: it drives a window with xdotool.
#
#   tests/manual/dialog-smoke.sh     screenshots and a result line go to
#                                    _build/dialog-smoke/
#
# Uses the plain build of tests/run.sh (_build/<root|native>-plain) and,
# on Debian 12, the Debian 13 root, where it adds xvfb, xdotool, x11-apps,
# imagemagick and a keyring when missing.  FLUX_FILL_BUILD picks another
# build folder.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ "${FLUX_FILL_INNER:-}" != 1 ]; then
  exec tests/trixie-root.sh env FLUX_FILL_INNER=1 bash tests/manual/dialog-smoke.sh "$@"
fi

if ! { command -v Xvfb && command -v xdotool && command -v xwd && command -v convert &&
       command -v gnome-keyring-daemon && command -v secret-tool; } >/dev/null; then
  apt-get -qq -o APT::Sandbox::User=root update >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get -qq -y -o APT::Sandbox::User=root \
    install xvfb xdotool x11-apps imagemagick dbus gnome-keyring libsecret-tools >/dev/null
fi

where=$([ "${FLUX_FILL_NATIVE:-}" = 1 ] && echo native || echo root)
build=${FLUX_FILL_BUILD:-_build/$where-plain}
out=_build/dialog-smoke
[ -x "$build/plugin/flux-fill" ] || { echo "build it first: tests/run.sh"; exit 1; }
rm -rf "$out"; mkdir -p "$out/profile/plug-ins/flux-fill"
cp "$build/plugin/flux-fill" "$out/profile/plug-ins/flux-fill/"

shot () { xwd -root -silent | convert xwd:- "$out/$1.png"; }

exec 3< <(sleep 600 | python3 tests/standin/replicate_standin.py --token r8_smoke_token)
read -r _ api _ <&3
export FLUX_FILL_STANDIN_URL=http://127.0.0.1:$api REPLICATE_BASE_URL=http://127.0.0.1:$api
# No token in the environment: the user pastes it into the dialog, which
# keeps it in a keyring (a throwaway gnome-keyring of this run).
unset REPLICATE_API_TOKEN
export GIMP3_DIRECTORY=$PWD/$out/profile HOME=$PWD/$out/home
export XDG_DATA_HOME=$HOME/.local/share XDG_RUNTIME_DIR=$PWD/$out/run
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
export FLUX_SMOKE_RESULT=$PWD/$out/result.txt DISPLAY=:97
Xvfb :97 -screen 0 1280x900x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null; pkill -f "gimp-3.0 -n --no-splash" 2>/dev/null || true' EXIT
sleep 2
timeout 240 dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1;
  exec gimp-3.0 -n --no-splash --batch-interpreter=python-fu-eval \
  -b "exec(open(\"tests/manual/dialog_smoke.py\").read())"' >"$out/gimp.log" 2>&1 &

# The FLUX Fill dialog's window, once it is shown (not $1, an older one).
dialog () {
  local w
  for _ in $(seq 1 90); do
    sleep 1
    w=$(xdotool search --onlyvisible --name '^FLUX Fill$' 2>/dev/null | grep -v "^${1:-none}$" | head -1) &&
      [ -n "$w" ] && { echo "$w"; return 0; }
  done
  return 1
}
# No window manager: raise the dialog and give it the keyboard by hand.
take () {
  sleep 3
  xdotool windowraise "$1"
  sleep 1
  xdotool windowfocus --sync "$1"
}

win=$(dialog) || { echo "the dialog did not open; see $out/gimp.log"; exit 1; }
take "$win"
shot dialog-service            # no token yet: the Service section is open
# No click into the prompt: it has the focus as the dialog opens, and
# Enter fills.
xdotool type --delay 30 "a red barn"
sleep 0.5; shot typed
xdotool key Return
# No token anywhere: checked before the dialog closes, which stays open
# with the message on top and the prompt kept.
sleep 2
[ "$(xdotool search --onlyvisible --name '^FLUX Fill$' 2>/dev/null | head -1)" = "$win" ] ||
  { echo "the dialog closed without a token; see $out/gimp.log"; exit 1; }
shot error-kept
xdotool key alt+o              # the API token field, by its mnemonic
xdotool type --delay 20 "r8_smoke_token"
sleep 0.5; shot token-typed
xdotool key alt+f              # Fill: the token goes to the keyring
for _ in $(seq 1 60); do sleep 1; grep -q '^done' "$out/result.txt" 2>/dev/null && break; done
sleep 1; shot after
cat "$out/result.txt"
grep -q '^interactive: success .*a red barn' "$out/result.txt" &&
  grep '^with-last-vals: success' "$out/result.txt" | grep -qF "active=['LayerMask'] layers=[('a red barn', ['a red barn (seed" &&
  grep -q '^keyring: r8_smoke_token' "$out/result.txt"
