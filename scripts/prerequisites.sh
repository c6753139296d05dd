#!/usr/bin/env bash
# Makes sure this machine has what Tutor needs besides the .NET SDK (Debian/Ubuntu packages): redis-server, ffmpeg,
# npm (the build fetches the voice-activity model from the npm registry), and the offline speech engines: flite (the
# tutor's English voice), espeak-ng (its other languages, and the child's voice in tests and the simulator), pocketsphinx with its English model, and Chromium for
# the browser tests (TUTOR_SKIP_BROWSER=1 leaves it out, e.g. for ./run.sh on a server).
# Installs them with apt-get when it can (as root, or with password-less sudo); otherwise says exactly what to run.
set -euo pipefail

need_dotnet_major=10
if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET SDK is not installed. Install .NET ${need_dotnet_major}: https://learn.microsoft.com/dotnet/core/install/linux" >&2
  exit 1
fi
if ! dotnet --list-sdks | grep -q "^${need_dotnet_major}\."; then
  echo "error: Tutor needs the .NET ${need_dotnet_major} SDK; this machine has: $(dotnet --list-sdks | tr '\n' ' ')" >&2
  exit 1
fi

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
# flite: the worker loads its English voice (libflite) in-process; the dashboard's demo buttons speak with its command.
{ [ -f /usr/lib/x86_64-linux-gnu/libflite_cmu_us_slt.so.1 ] || [ -f /usr/lib/aarch64-linux-gnu/libflite_cmu_us_slt.so.1 ]; } \
  && command -v flite >/dev/null 2>&1 || missing+=(flite)
command -v pocketsphinx_continuous >/dev/null 2>&1 || missing+=(pocketsphinx)
[ -f /usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict ] || missing+=(pocketsphinx-en-us)
# The browser the parents' page is tested in (Playwright drives Debian's Chromium; it downloads no browser of its own).
[ "${TUTOR_SKIP_BROWSER:-}" = "1" ] || command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing ${missing[*]} (Debian packages)…"
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo)
else
  echo "error: ${missing[*]} missing and this user cannot install packages. Run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: ${missing[*]} missing and apt-get is not available. Install them with your package manager." >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts redis-server as a service on install; Tutor runs its own on a free port, so that one is not needed.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
  "${as_root[@]}" systemctl disable --now redis-server >/dev/null 2>&1 || true
fi
for package in "${missing[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || { echo "error: installing $package failed" >&2; exit 1; }
done
echo "Installed ${missing[*]}."
