// The routing proxy as a Cloudflare Worker: point ANTHROPIC_BASE_URL (Claude
// Code, the Anthropic SDK) or an OpenAI client's baseURL at the Worker's URL.
// Provider keys and the proxy keys clients must present come from bindings.
import { createProxy } from 'cascade-edge/proxy';

let proxy;

export default {
  fetch(request, env) {
    // One handler per isolate: its agents, breakers and stats live as long as it does.
    proxy ??= createProxy({
      keys: (env.PROXY_KEYS ?? '').split(',').filter(Boolean),
      // Provider keys (ANTHROPIC_API_KEY, OPENAI_API_KEY) and base URLs are read from env.
      agent: { env },
    });
    return proxy(request);
  },
};
