#!/usr/bin/env bash
# A look at the plug-in as a user meets it: real GIMP 3 with its window
# under Xvfb, the FLUX Fill dialog opened from a script, a prompt typed
# and Fill clicked (xdotool), then Filters → Repeat (the last values).
# Not part of tests/run.sh: it needs X tools and clicks by position.
#
#   tests/manual/dialog-smoke.sh     screenshots and a result line go to
#                                    _build/dialog-smoke/
#
# Uses the plain build of tests/run.sh (_build/<root|native>-plain) and,
# on Debian 12, the Debian 13 root, where it adds xvfb, xdotool, x11-apps
# and imagemagick when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ "${FLUX_FILL_INNER:-}" != 1 ]; then
  exec tests/trixie-root.sh env FLUX_FILL_INNER=1 bash tests/manual/dialog-smoke.sh "$@"
fi

if ! { command -v Xvfb && command -v xdotool && command -v xwd && command -v convert; } >/dev/null; then
  apt-get -qq -o APT::Sandbox::User=root update >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get -qq -y -o APT::Sandbox::User=root \
    install xvfb xdotool x11-apps imagemagick >/dev/null
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
export REPLICATE_API_TOKEN=r8_smoke_token GIMP3_DIRECTORY=$PWD/$out/profile
export FLUX_SMOKE_RESULT=$PWD/$out/result.txt DISPLAY=:97
Xvfb :97 -screen 0 1280x900x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null; pkill -f "gimp-3.0 -n --no-splash" 2>/dev/null || true' EXIT
sleep 2
timeout 180 gimp-3.0 -n --no-splash --batch-interpreter=python-fu-eval \
  -b "exec(open('tests/manual/dialog_smoke.py').read())" >"$out/gimp.log" 2>&1 &

win=""
for _ in $(seq 1 90); do
  sleep 1
  win=$(xdotool search --onlyvisible --name '^FLUX Fill$' 2>/dev/null | head -1) && [ -n "$win" ] && break
done
[ -n "$win" ] || { echo "the dialog did not open; see $out/gimp.log"; exit 1; }
sleep 4
# No window manager: raise the dialog and give it the keyboard by hand.
xdotool windowraise "$win"
eval "$(xdotool getwindowgeometry --shell "$win")"
sleep 1; shot dialog
xdotool windowfocus --sync "$win"
# No click into the prompt: it has the focus as the dialog opens, and
# Enter fills.
xdotool type --delay 30 "a red barn"
sleep 0.5; shot typed
xdotool key Return
for _ in $(seq 1 60); do sleep 1; grep -q '^done' "$out/result.txt" 2>/dev/null && break; done
sleep 1; shot after
cat "$out/result.txt"
grep -q '^interactive: success .*a red barn' "$out/result.txt" &&
  grep -q '^with-last-vals: success .*a red barn' "$out/result.txt"
