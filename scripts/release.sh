#!/usr/bin/env bash
# Ready the package for publishing, without publishing it: build pkg/, pack
# it, install the tarball in a scratch project and use it there as a user
# would (ESM and CommonJS), then show what `npm publish` would send.
#   scripts/release.sh            the checks and `npm publish --dry-run`
# Publishing itself stays a deliberate step: `npm publish ./cascade-edge-<v>.tgz`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"

bash scripts/setup.sh
bash scripts/build.sh

work=$(mktemp -d "${TMPDIR:-/tmp}/cascade-edge-release-XXXXXX")
trap 'rm -rf "$work"' EXIT
tarball=$(cd "$work" && npm pack "$ROOT/pkg" --silent | tail -1)
echo "[release] packed $tarball"
listing=$(tar -tzf "$work/$tarball")
grep -qx 'package/LICENSE' <<<"$listing" || { echo "[release] LICENSE is missing from the tarball"; exit 1; }

# A scratch project that installs only the tarball (no workspace links).
mkdir -p "$work/project"
cd "$work/project"
npm init -y >/dev/null
npm install --no-audit --no-fund --silent "$work/$tarball"
node --input-type=module -e '
  const { CascadeAgent, scoreDraft, ready } = await import("cascade-edge");
  await ready();
  const s = scoreDraft("What is 2+2?", "4");
  if (typeof s.score !== "number") throw new Error("scoreDraft did not score");
  new CascadeAgent([{ name: "gpt-4o-mini", provider: "openai", apiKey: "sk-release-check" }]);
  console.log("[release] ESM import, scoreDraft and an agent: ok");
'
node -e '
  const { scoreDraft } = require("cascade-edge");
  if (typeof scoreDraft !== "function") throw new Error("no scoreDraft from require");
  console.log("[release] CommonJS require: ok");
'
cd "$work"
npm publish --dry-run "$work/$tarball" 2>&1 | sed 's/^/[release] /'
echo "[release] ready: publish with npm publish $tarball (from a clean build)"
