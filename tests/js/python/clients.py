"""The official Python SDKs against the proxy: each call's result as one
JSON line on stdout, for tests/js/proxy-python.test.mjs to check."""
import json
import sys

import anthropic
import openai

base, key, model = sys.argv[1], sys.argv[2], sys.argv[3]
question = [{"role": "user", "content": "What is the capital of France?"}]
out = {}

a = anthropic.Anthropic(api_key=key, base_url=base, max_retries=0)
msg = a.messages.create(model=model, max_tokens=100, messages=question)
out["anthropic"] = {"text": msg.content[0].text, "model": msg.model, "stop": msg.stop_reason, "output_tokens": msg.usage.output_tokens}
with a.messages.stream(model=model, max_tokens=100, messages=question) as stream:
    final = stream.get_final_message()
out["anthropic_stream"] = {"text": final.content[0].text, "model": final.model, "stop": final.stop_reason}

o = openai.OpenAI(api_key=key, base_url=base + "/v1", max_retries=0)
c = o.chat.completions.create(model=model, messages=question)
out["openai"] = {"text": c.choices[0].message.content, "model": c.model, "finish": c.choices[0].finish_reason}
pieces, usage, models = [], None, set()
for chunk in o.chat.completions.create(model=model, messages=question, stream=True, stream_options={"include_usage": True}):
    models.add(chunk.model)
    if chunk.usage:
        usage = chunk.usage.completion_tokens
    for choice in chunk.choices:
        if choice.delta.content:
            pieces.append(choice.delta.content)
out["openai_stream"] = {"text": "".join(pieces), "models": sorted(models), "completion_tokens": usage}

try:
    anthropic.Anthropic(api_key="wrong-key", base_url=base, max_retries=0).messages.create(model=model, max_tokens=10, messages=question)
    out["refused"] = None
except anthropic.AuthenticationError as e:
    out["refused"] = {"status": e.status_code, "type": e.body["error"]["type"] if isinstance(e.body, dict) else None}

print(json.dumps(out))
