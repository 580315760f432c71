#!/usr/bin/env bash
# System libraries WeasyPrint needs to lay out the PDF (Pango, HarfBuzz, fonts), and with
# --browser what the tests drive: headless Chromium and LibreOffice (Debian's, never a download).
# Installs them with apt-get when missing and running as root; otherwise says what is needed.
set -euo pipefail

needed=()
# ldconfig lives in /sbin, outside the PATH cron and service users get.
ldconfig=$(command -v ldconfig || echo /sbin/ldconfig)
if [ "${1:-}" = "--browser" ]; then
  [ -x /usr/bin/chromium ] || needed+=(chromium)
  # LibreOffice, headless, as the real client that opens the Word paper (Writer) and the DfE
  # return (Calc): each looked for on its own (soffice comes with either).
  office=${HIGHNEEDS_OFFICE_PROGRAM:-/usr/lib/libreoffice/program}
  [ -f "$office/libswlo.so" ] || needed+=(libreoffice-writer-nogui)
  [ -f "$office/libsclo.so" ] || needed+=(libreoffice-calc-nogui)
fi
"$ldconfig" -p 2>/dev/null | grep -q 'libpango-1.0.so' || needed+=(libpango-1.0-0)
"$ldconfig" -p 2>/dev/null | grep -q 'libpangoft2-1.0.so' || needed+=(libpangoft2-1.0-0)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || needed+=(fonts-dejavu-core)
# Without uv, make bootstraps it in a venv of its own (Debian's Python refuses pip installs).
if ! command -v uv >/dev/null 2>&1 && ! python3 -m uv --version >/dev/null 2>&1; then
  python3 -c 'import ensurepip' 2>/dev/null || needed+=(python3-venv)
fi

if [ ${#needed[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages (the PDF; with --browser, the test clients): ${needed[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # apt's own lines (debconf's notes among them) only if it fails: set-up is one line a step.
  log=$(mktemp)
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${needed[@]}"; } \
    >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "Installing ${needed[*]} with apt-get failed (its output is above)." >&2
    exit 1
  fi
  rm -f "$log"
else
  echo "WeasyPrint needs these system packages: ${needed[*]}" >&2
  echo "Install them (e.g. sudo apt-get install ${needed[*]}) and run make again." >&2
  exit 1
fi
