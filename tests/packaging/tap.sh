# SPDX-License-Identifier: GPL-3.0-or-later
# TAP lines for the packaging tests, sourced by them: "result STATUS
# DESCRIPTION [DETAIL-FILE]" prints "ok N - …" for STATUS 0, else "not ok
# N - …" and the file's last lines as comments.
n=0
result () {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n - $2"
  else
    echo "not ok $n - $2"
    [ -n "${3:-}" ] && [ -f "$3" ] && tail -n 40 "$3" | sed 's/^/# /'
  fi
}
