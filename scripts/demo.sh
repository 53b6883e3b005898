#!/usr/bin/env bash
# The main job: a cascade demo. Offline by default (a local fake provider
# answering from recorded fixtures); with OPENAI_API_KEY and/or
# ANTHROPIC_API_KEY set, it runs against the real providers.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
bash scripts/build.sh >/dev/null
exec node examples/demo/demo.mjs "$@"
