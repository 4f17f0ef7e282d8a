#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The dialogs as a user meets them: real GIMP 3 with its window under Xvfb,
# a throwaway keyring and no token anywhere, driven with xdotool (keys
# only, no clicks by position).  tests/gui/dialog_smoke.py runs FLUX Fill
# in GIMP; this script waits for each window and types:
#
#   1. the dialog opens; a prompt typed without a click, then Esc;
#   2. it reopens with the prompt kept; more typed; Enter with no token
#      keeps the dialog open with the message; the token pasted, Fill: the
#      fill sends both parts of the prompt; the token is in the keyring
#      only once the service has accepted it;
#   3. Filters → Repeat (last values) fills again;
#   4. Advanced opened (a screenshot); a wrong token typed over the stored
#      one, Fill: refused, the dialog comes back, the stored token stays;
#   5. a record naming another service: Fill Again asks; Cancel sends
#      nothing, Continue fills at the configured service;
#   6. FLUX Edit with a selection: its line names the area, the model and
#      the cost; with none, "Edits the whole picture", scaled up, and OK
#      with no instruction says so; Kontext given a reference: the line
#      and OK refuse it, nothing is sent, No reference drops it; FLUX.2
#      chosen with Alt+M and Down takes the reference.  The line and the
#      messages are read from the plug-in's debug log (FLUX_FILL_DEBUG).
#
#   tests/gui/dialog-smoke.sh [--lang en|fr] [--build DIR] [--gimp 3.0|3.2]
#
# TAP on stdout, GIMP's output on stderr; screenshots in
# _build/<root|native>-gui/<lang>/ (GIMP 3.2, in the Debian unstable root:
# _build/root-gui-3.2/<lang>/).  DIR defaults to the plain build of
# tests/run.sh (_build/<root|native>-plain).  Each wait polls for what it
# waits for, bounded by FLUX_SMOKE_TIMEOUT seconds (default 90).
set -euo pipefail
cd "$(dirname "$0")/../.."

lang=en
build=
gimp=3.0
while [ $# -gt 0 ]; do
  case $1 in
    --lang) lang=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --gimp) gimp=$2; shift 2 ;;
    *) echo "dialog-smoke: unknown argument $1" >&2; exit 2 ;;
  esac
done

case $gimp in
  3.0) suite=() gui=gui ;;
  3.2) suite=(--suite sid) gui=gui-3.2 ;;
  *) echo "dialog-smoke: no GIMP '$gimp' (3.0 or 3.2)" >&2; exit 2 ;;
esac

# In the Debian 13 root (or natively; GIMP 3.2: the unstable root), then
# in a session bus of our own with a keyring in it: its secret-tool here
# sees what the plug-in stored.
if [ "${FLUX_FILL_INNER:-}" != 1 ]; then
  exec tests/trixie-root.sh "${suite[@]}" env FLUX_FILL_INNER=1 bash tests/gui/dialog-smoke.sh \
    --lang "$lang" --gimp "$gimp" ${build:+--build "$build"}
fi
where=$([ "${FLUX_FILL_NATIVE:-}" = 1 ] && echo native || echo root)
build=${build:-_build/$where-plain}
out=_build/$where-$gui/$lang
tools="Xvfb xdotool xwd convert dbus-run-session gnome-keyring-daemon secret-tool gimp-$gimp"
if [ -z "${FLUX_SMOKE_BUS:-}" ]; then
  echo "TAP version 13"
  for t in $tools; do
    command -v "$t" >/dev/null || {
      printf '1..1\nnot ok 1 - %s: the tools it needs (%s missing; see tests/trixie-root.sh)\n' \
        "$lang" "$t"; exit 0; }
  done
  [ -x "$build/plugin/flux-fill" ] || {
    printf '1..1\nnot ok 1 - %s: a plug-in to run (none in %s)\n' "$lang" "$build"; exit 0; }
  exec env FLUX_SMOKE_BUS=1 dbus-run-session -- bash tests/gui/dialog-smoke.sh \
    --lang "$lang" --build "$build" --gimp "$gimp"
fi

case $lang in
  en) loc=en_US.UTF-8 ;;
  fr) loc=fr_FR.UTF-8 ;;
  *) echo "dialog-smoke: no locale for '$lang'" >&2; exit 2 ;;
esac
export LANG=$loc LANGUAGE=$lang LC_ALL=$loc
rm -rf "$out"; mkdir -p "$out/profile/plug-ins/flux-fill"
cp "$build/plugin/flux-fill" "$out/profile/plug-ins/flux-fill/"
for mo in "$build"/i18n/*/LC_MESSAGES/flux-fill.mo; do
  [ -f "$mo" ] || continue
  l=$(basename "$(dirname "$(dirname "$mo")")")
  mkdir -p "$out/profile/plug-ins/flux-fill/locale/$l/LC_MESSAGES"
  cp "$mo" "$out/profile/plug-ins/flux-fill/locale/$l/LC_MESSAGES/"
done
: >"$out/checks"; : >"$out/steps"
limit=${FLUX_SMOKE_TIMEOUT:-90}
expected=42            # the checks below and dialog_smoke.py's, all of them

token=r8_gui_smoke_token_4b7e
wrong=r8_gui_wrong_token_c2d9
pids=()
cleanup () {
  local p
  for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

# Polls CMD every 0.2 s until it succeeds, for at most $limit seconds.
until_true () {
  local end=$((SECONDS + limit))
  until "$@"; do
    [ $SECONDS -lt $end ] || return 1
    sleep 0.2
  done
}
# The stand-in that knows the token, and another one the record names.
# Each ends when its stdin (a pipe this script holds) closes.
exec 7> >(exec python3 tests/standin/replicate_standin.py --token "$token" >"$out/standin.port")
exec 8> >(exec python3 tests/standin/replicate_standin.py --token "$token" >"$out/other.port")
port () { until_true test -s "$out/$1.port" && cut -d' ' -f2 "$out/$1.port"; }
api=$(port standin) && other=$(port other) || { echo "the stand-ins did not start" >&2; exit 1; }
export FLUX_FILL_STANDIN_URL=http://127.0.0.1:$api REPLICATE_BASE_URL=http://127.0.0.1:$api
export FLUX_SMOKE_OTHER_URL=http://127.0.0.1:$other FLUX_SMOKE_DIR=$PWD/$out
export FLUX_SMOKE_PROMPT="a red barn" FLUX_SMOKE_INSTRUCTION="make the sky stormy"
export FLUX_FILL_DEBUG=$PWD/$out/debug.log
unset REPLICATE_API_TOKEN
export GIMP3_DIRECTORY=$PWD/$out/profile HOME=$PWD/$out/home
export XDG_DATA_HOME=$HOME/.local/share XDG_CONFIG_HOME=$HOME/.config
export XDG_RUNTIME_DIR=$PWD/$out/run
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null

# An X server on a display nobody else uses.  The root has a /tmp of its
# own, but the abstract socket (@/tmp/.X11-unix/XN, where clients look
# first) is shared with every process of the network namespace: a number
# whose socket is there, or that Xvfb could not take ("server already
# running" when another took it just now), is left for the next.
x_ready () { test -s "$out/display"; }
x_started () { x_ready || ! kill -0 "$xvfb" 2>/dev/null; }
for n in $(shuf -i 20-199 -n 40); do
  grep -q "@/tmp/.X11-unix/X$n\$" /proc/net/unix && continue
  : >"$out/display"
  setsid Xvfb ":$n" -displayfd 6 -screen 0 1280x900x24 -nolisten tcp 6>"$out/display" \
    2>"$out/xvfb.log" &
  xvfb=$!
  if until_true x_started && x_ready && ! grep -q "already running" "$out/xvfb.log"; then
    pids+=($xvfb)
    break
  fi
  kill "$xvfb" 2>/dev/null || true
  wait "$xvfb" 2>/dev/null || true
  : >"$out/display"
done
x_ready || { echo "Xvfb did not start; see $out/xvfb.log" >&2; exit 1; }
export DISPLAY=:$(cat "$out/display")

setsid "gimp-$gimp" -n --no-splash --batch-interpreter=python-fu-eval \
  -b "exec(open('tests/gui/dialog_smoke.py').read())" >"$out/gimp.log" 2>&1 &
gimp=$!
pids+=($gimp)

ok () { echo "ok - $lang: $1" >>"$out/checks"; }
not_ok () { echo "not ok - $lang: $1" >>"$out/checks"; }
check () { if "${@:2}"; then ok "$1"; else not_ok "$1"; fi; }
finish () {
  local n=0 line
  say "done"
  kill "$gimp" 2>/dev/null || true
  echo "1..$expected"
  while IFS= read -r line; do
    case $line in
      ok\ -*|not\ ok\ -*) n=$((n + 1)); echo "${line/ - / $n - }" ;;
      *) echo "$line" ;;
    esac
  done <"$out/checks"
  echo "# screenshots: $out"
  exit 0
}
# A check that ends the run: later steps would wait for windows that
# never come; the plan then says how many checks did not run.
must () { if "${@:2}"; then ok "$1"; else not_ok "$1"; tail -n 20 "$out/gimp.log" >&2; finish; fi; }

step_started () { grep -qx "start $1" "$out/steps"; }
step_ended () { grep -q "^end $1 " "$out/steps"; }
title="FLUX Fill"     # of the windows waited for
visible () { xdotool search --onlyvisible --name "^$title\$" 2>/dev/null || true; }
# A $title window other than those in $seen (an earlier one).
new_window () {
  local w
  for w in $(visible); do
    case " $seen " in *" $w "*) ;; *) win=$w; return 0 ;; esac
  done
  return 1
}
gone () { ! visible | grep -qx "$1"; }
height () { xdotool getwindowgeometry --shell "$1" | sed -n 's/^HEIGHT=//p'; }
taller () { [ "$(height "$win")" -gt "$1" ]; }
# Drawn and done changing: two captures in a row alike ($1: xwd's
# -id WINDOW or -root; the dialog in $win by default).
settled () {
  local a b
  a=$(xwd ${1:--id "$win"} -silent 2>/dev/null | md5sum)
  sleep 0.3
  b=$(xwd ${1:--id "$win"} -silent 2>/dev/null | md5sum)
  [ "$a" = "$b" ]
}
# No window manager: raise the window and give it the keyboard by hand,
# before every key (GIMP's own windows may take it as they appear).
focus () { xdotool windowraise "$win" windowfocus --sync "$win" 2>/dev/null; }
keys () { focus; xdotool key --clearmodifiers "$@"; }
# From stdin: a token is in no process's arguments.
typing () { focus; printf %s "$1" | xdotool type --delay 20 --file -; }
shot () {
  until_true settled || say "$1: the dialog kept changing"
  xwd -id "$win" -silent | convert xwd:- "$out/$1.png"
}
# The whole screen, GIMP's image window made as large as the screen.
screen () {
  local w
  for w in $(xdotool search --onlyvisible --name ' GIMP$' 2>/dev/null); do
    xdotool windowsize "$w" 1280 900 2>/dev/null || true
  done
  # GIMP's marching ants never stop: a few seconds for the rest to draw.
  limit=5 until_true settled -root || true
  xwd -root -silent | convert xwd:- "$out/$1.png"
}
# The window of STEP, once it shows and is drawn.  The one before it is
# gone by then (see done_with): any FLUX Fill window is this step's.
window_of () {
  say "waiting for the window of $1"
  seen=
  until_true step_started "$1" && until_true new_window && until_true settled
}
# The window of STEP opened from GIMP's own menus, as a user would: the
# command search (/) in the window showing the image the step names
# (GIMP's single window shows one: the title says which), its menu label
# typed, Enter.  dialog_smoke.py waits for STEP.done.
all_windows () { xdotool search --onlyvisible --name '' 2>/dev/null | sort; }
# The window showing image $1 (its title "[Untitled]-ID.VIEW (…) – GIMP"), in $shows.
showing () {
  shows=$(xdotool search --onlyvisible --name "\[[^]]*\]-$1\.[0-9]+ " 2>/dev/null | head -n 1)
  [ -n "$shows" ]
}
# A window that was not among $1, in $popup.
popped () { popup=$(comm -13 <(echo "$1") <(all_windows) | head -n 1); [ -n "$popup" ]; }
menu_window_of () {
  local id shows popup before
  say "waiting for the image of $1"
  seen=
  until_true step_started "$1" || return 1
  id=$(sed -n "s/^image $1 //p" "$out/steps")
  until_true showing "$id" || return 1
  before=$(all_windows)
  xdotool windowraise "$shows" windowfocus --sync "$shows" key --clearmodifiers slash
  # The search pops up in a window of its own, which no window manager
  # gives the keyboard: this script does.
  until_true popped "$before" || return 1
  xdotool windowfocus --sync "$popup"
  printf %s "$menu_label" | xdotool type --delay 20 --file -
  until_true settled "-id $popup" || true
  xdotool key --clearmodifiers Return
  until_true new_window && until_true settled
}
# A window we are done with: gone before the next one is looked for (a
# new plug-in process may get the same window id).
done_with () { until_true gone "$win" || say "window $win still there"; }
say () { echo "dialog-smoke $lang: ${SECONDS}s: $*" >&2; }
# A FLUX Fill window again, after the one in $win.
back () { seen="$seen $win"; until_true new_window && until_true settled; }
# A message in this language, from the plug-in's catalogue.
translated () {
  python3 - "$build/i18n" "$lang" "$1" <<'EOF'
import gettext, sys
print(gettext.translation("flux-fill", sys.argv[1], [sys.argv[2]], fallback=True).gettext(sys.argv[3]))
EOF
}
# The Alt+letter of a label in this language.
mnemonic () {
  local s
  s=$(translated "$1")
  s=${s#*_}
  echo "alt+${s:0:1}" | tr '[:upper:]' '[:lower:]'
}
# Whether the last "WHAT: …" of the plug-in's debug log (the dialog's
# line, or its message) holds each MSGID in this language, its %s and %d
# standing for anything.
says () {
  python3 - "$build/i18n" "$lang" "$out/debug.log" "$@" <<'EOF'
import gettext, re, sys
tr = gettext.translation("flux-fill", sys.argv[1], [sys.argv[2]], fallback=True)
what = sys.argv[4] + ": "
try:
    said = [l.split(what, 1)[1].strip() for l in open(sys.argv[3], encoding="utf-8") if what in l]
except FileNotFoundError:
    said = []
last = said[-1] if said else ""
for msgid in sys.argv[5:]:
    parts = re.split(r"%[0-9.]*[sdu]", tr.gettext(msgid))
    if not re.search(".*?".join(re.escape(p) for p in parts), last):
        sys.exit(f"says: {what}{last!r} lacks {msgid!r}")
EOF
}
# Opens an expander by its Alt+letter: one press, when no other label
# shares the letter (else GTK only moves the focus).
open_section () {
  local before
  before=$(height "$win")
  keys "$1"
  until_true settled || true
  taller "$before"
}
# The last "WHAT: …" of the debug log.
said () { grep -a "flux-fill: $1: " "$out/debug.log" | tail -n 1; }
flux2_line () { said "dialog line" | grep -q 'FLUX\.2.\[pro\]'; }
stored () { secret-tool lookup application flux-fill base-url "$REPLICATE_BASE_URL" 2>/dev/null; }
stored_is () { [ "$(stored)" = "$1" ]; }
nothing_stored () { [ -z "$(stored)" ]; }
fill_key=$(mnemonic "_Fill")
token_key=$(mnemonic "API t_oken")
advanced_key=$(mnemonic "_Advanced")
service_key=$(mnemonic "Service and API to_ken")
continue_key=$(mnemonic "C_ontinue")
win=

# 1. The first dialog: no token, the Service section open.  No click
# into the prompt: it has the focus as the dialog opens.
must "the FLUX Fill dialog opens" window_of esc
shot 1-first-dialog
typing "$FLUX_SMOKE_PROMPT"
shot 2-typed
keys Escape
done_with

# 2. Reopened with the prompt kept: more typed at its end; Enter with no
# token anywhere keeps the dialog open with the message on top.
must "the dialog opens again after Esc" window_of fill
shot 3-reopened
keys ctrl+End
typing " at dusk"
before=$(height "$win")
keys Return
check "Enter with no token: the dialog stays open and shows a message" \
  until_true taller "$before"
shot 4-no-token-message
step_ended fill && not_ok "the dialog closed at Enter with no token"
keys "$token_key"
typing "$token"
check "a typed token is not in the keyring before the service accepted it" nothing_stored
keys "$fill_key"
done_with
must "Fill with the pasted token ends the run" until_true step_ended fill
check "the token is in the keyring once the fill was accepted" stored_is "$token"

# 3. Filters → Repeat: no dialog (dialog_smoke.py checks it).

# 4. Advanced (seed "random", context "automatic"); a wrong token typed
# over the stored one: refused, and the dialog comes back with why.
must "the dialog opens with a result active" window_of wrong
check "Advanced opens with $advanced_key" open_section "$advanced_key"
shot 5-advanced
# Were two labels to share its letter, the first press would focus the
# other, the second the section's title, and Space open it.
h0=$(height "$win")
if open_section "$service_key"; then
  ok "the Service section opens with $service_key"
else
  keys "$service_key"; keys space
  if until_true taller "$h0"; then
    not_ok "the Service section opens with $service_key (it took two and Space) # TODO another label has that letter"
  else
    not_ok "the Service section opens with $service_key"; finish
  fi
fi
keys "$token_key"
typing "$wrong"
shot 6-wrong-typed
keys "$fill_key"
must "a refused token: the dialog comes back" back
shot 7-refused
check "a refused typed token leaves the stored one in the keyring" stored_is "$token"
keys Escape
done_with

# 5. A record naming another service: the question, Cancel, then Continue.
must "Fill Again of a record naming another service asks first" window_of confirm-cancel
shot 8-question
keys Escape
done_with
must "the question comes again" window_of confirm-continue
keys "$continue_key"
done_with

# 6. FLUX Edit: with a selection, with none, and Kontext with a reference.
title=$(translated "FLUX Edit")
menu_label=$(translated "FLUX E_dit…" | sed 's/_//; s/…$//')
must "the FLUX Edit dialog opens from the menu with a selection" menu_window_of edit-selection
check "with a selection, the line names the area, the model and the cost" \
  says "dialog line" "Sends a %d × %d px area to %s for %s, back at %d × %d px · about \$%s"
typing "$FLUX_SMOKE_INSTRUCTION"
shot 10-edit-selection
keys Escape
done_with
touch "$out/edit-selection.done"
must "the FLUX Edit dialog opens from the menu with no selection" menu_window_of edit-whole
check "with no selection, the line says it edits the whole picture, scaled up" \
  says "dialog line" "Edits the whole picture: sends %d × %d px to %s for %s, back at %d × %d px · about \$%s" \
  "It comes back at about %s MP, scaled up %s×: select an area for more detail."
shot 11-edit-whole
keys ctrl+a Delete
before=$(height "$win")
# Enter in the instruction: OK, whatever letter a language gives Edit.
keys Return
check "Enter (OK) with no instruction: the dialog stays open and says so" \
  eval 'until_true taller "$before" && says "dialog message" "Type the instruction first: what to change, such as “make the shirt red linen”."'
shot 12-edit-no-instruction
keys Escape
done_with
touch "$out/edit-whole.done"
must "the FLUX Edit dialog opens with Kontext and a reference" window_of edit-reference
check "the line says Kontext takes no reference" \
  says "dialog line" "reference: %s edits the picture alone and takes no reference image"
typing "$FLUX_SMOKE_INSTRUCTION"
before=$(height "$win")
keys Return
check "Enter (OK) with Kontext and a reference: the dialog stays open with the refusal" \
  eval 'until_true taller "$before" && says "dialog message" "reference: %s edits the picture alone and takes no reference image"'
shot 13-edit-refused
# No reference, by its letter: were another label to share it (one in a
# closed section too), the press only focuses it and Space clicks it.
refusing () { says "dialog line" "reference: %s edits the picture alone and takes no reference image"; }
keys "$(mnemonic "_No reference")"
if limit=3 until_true eval '! refusing'; then
  ok "No reference drops it: the line no longer refuses"
else
  keys space
  if until_true eval '! refusing'; then
    not_ok "No reference drops it (it took Space) # TODO another label has its letter"
  else
    not_ok "No reference drops it: the line no longer refuses"
  fi
fi
keys Escape
done_with
must "the FLUX Edit dialog opens with a reference again" window_of edit-flux2
keys "$(mnemonic "_Model")" Down
check "FLUX.2 chosen: the line names it and costs the reference, no refusal" \
  until_true eval 'flux2_line && ! says "dialog line" "reference: %s edits the picture alone and takes no reference image"'
shot 14-edit-flux2
check "FLUX Edit's Advanced opens with $advanced_key" open_section "$advanced_key"
check "FLUX Edit's Service section, with its two prices, opens with $service_key" \
  open_section "$service_key"
shot 15-edit-sections
keys Escape
done_with

until_true grep -qx done "$out/steps" || not_ok "dialog_smoke.py did not finish"
screen 9-end
finish
