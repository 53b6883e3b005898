#!/usr/bin/env bash
# Optional test job: cascade-edge against a real LiteLLM proxy in front of
# aimock (tests/js/litellm.test.mjs), so Anthropic SSE written by LiteLLM's
# encoder goes through our decoder. Not part of scripts/test.sh: LiteLLM is
# a large Python install and takes ~20 s to start.
#   bash scripts/test-litellm.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

VENV=target/litellm-venv
if [ ! -x "$VENV/bin/litellm" ]; then
  echo "== installing litellm[proxy]==1.102.4 into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet 'litellm[proxy]==1.102.4'
fi
[ -f pkg/dist/node.js ] || bash scripts/build.sh

CASCADE_LITELLM=1 CASCADE_LITELLM_BIN="$PWD/$VENV/bin/litellm" \
  node --test --test-concurrency=1 --test-reporter=spec tests/js/litellm.test.mjs
