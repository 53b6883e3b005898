// The browser demo's page logic: the user brings their own keys, picks two
// models, and watches the cascade stream (the cascade itself is in
// cascade.js). Keys live in this module's memory (the inputs) and go only to
// the provider that needs them; localStorage is touched only when "remember"
// is ticked.
import { browserAgent, streamAnswer } from './cascade.js';

const PROVIDERS = {
  openai: { label: 'OpenAI', key: 'OpenAI API key', models: ['gpt-4o-mini', 'gpt-4.1-mini', 'gpt-4o', 'gpt-4.1'] },
  anthropic: { label: 'Anthropic', key: 'Anthropic API key', models: ['claude-haiku-4-5', 'claude-sonnet-4-5'] },
  openrouter: { label: 'OpenRouter', key: 'OpenRouter API key', models: ['openai/gpt-4o-mini', 'anthropic/claude-sonnet-4.5'] },
  groq: { label: 'Groq', key: 'Groq API key', models: ['llama-3.1-8b-instant', 'llama-3.3-70b-versatile'] },
  ollama: { label: 'Ollama (local)', key: null, models: ['llama3.2', 'qwen2.5'] },
  'openai-compatible': { label: 'OpenAI-compatible (set a base URL)', key: 'API key (if the server needs one)', models: [] },
};
const STORE = 'cascade-edge-demo:keys';
const $ = (id) => document.getElementById(id);

for (const tier of ['drafter', 'verifier']) {
  const select = $(`${tier}-provider`);
  for (const [id, p] of Object.entries(PROVIDERS)) select.add(new Option(p.label, id));
  select.value = tier === 'drafter' ? 'openai' : 'anthropic';
  select.addEventListener('change', () => {
    fillModels(tier);
    $(`${tier}-model`).value = PROVIDERS[select.value].models[0] ?? '';
    renderKeyInputs();
  });
  fillModels(tier);
}
$('drafter-model').value = 'gpt-4o-mini';
$('verifier-model').value = 'claude-sonnet-4-5';

function fillModels(tier) {
  const list = $(`${tier}-models`);
  list.replaceChildren(...PROVIDERS[$(`${tier}-provider`).value].models.map((m) => new Option(m)));
}

// One key input per provider in use; typed keys survive switching back and forth.
const typed = new Map();
function renderKeyInputs() {
  for (const input of $('keys').querySelectorAll('input')) typed.set(input.dataset.provider, input.value);
  const used = [...new Set([$('drafter-provider').value, $('verifier-provider').value])].filter((p) => PROVIDERS[p].key);
  $('keys').replaceChildren(
    ...used.map((p) => {
      const label = document.createElement('label');
      const input = Object.assign(document.createElement('input'), {
        id: `key-${p}`,
        type: 'password',
        autocomplete: 'off',
        spellcheck: false,
        value: typed.get(p) ?? '',
      });
      input.dataset.provider = p;
      label.append(`${PROVIDERS[p].key} `, input);
      return label;
    }),
  );
}

// "Remember on this device": load what was saved before; save or delete on change.
const saved = JSON.parse(localStorage.getItem(STORE) ?? 'null');
if (saved) {
  for (const [p, k] of Object.entries(saved)) typed.set(p, k);
  $('remember').checked = true;
}
renderKeyInputs();
$('remember').addEventListener('change', persistKeys);

function currentKeys() {
  const keys = Object.fromEntries(typed);
  for (const input of $('keys').querySelectorAll('input')) keys[input.dataset.provider] = input.value.trim();
  for (const p of Object.keys(keys)) if (!keys[p]) delete keys[p];
  return keys;
}

function persistKeys() {
  if ($('remember').checked) localStorage.setItem(STORE, JSON.stringify(currentKeys()));
  else localStorage.removeItem(STORE);
}

function tierConfig(tier, keys) {
  const provider = $(`${tier}-provider`).value;
  const config = { name: $(`${tier}-model`).value.trim(), provider };
  const baseUrl = $(`${tier}-base`).value.trim();
  if (baseUrl) config.baseUrl = baseUrl;
  if (keys[provider]) config.apiKey = keys[provider]; // this provider's key, and only its own
  return config;
}

const usd = (n) => (n == null ? 'unknown (no price for a model)' : `$${n.toFixed(7)}`);

$('ask').addEventListener('click', async () => {
  const status = $('status');
  const setStatus = (state, text = state) => {
    status.dataset.state = state;
    status.textContent = text;
  };
  const answer = $('answer');
  answer.textContent = '';
  answer.dataset.chunks = '0';
  for (const id of ['model', 'decision', 'cost', 'prices']) {
    $(id).textContent = '–';
    delete $(id).dataset.accepted;
  }
  $('ask').disabled = true;
  setStatus('running', 'loading the engine…');
  try {
    const keys = currentKeys();
    if ($('remember').checked) persistKeys();
    const agent = browserAgent([tierConfig('drafter', keys), tierConfig('verifier', keys)]);
    await agent.ready();
    $('prices').textContent = agent.models
      .map((m) => `${m.name}: ${m.inputCostPer1M == null ? 'unknown' : `$${m.inputCostPer1M} in / $${m.outputCostPer1M} out per 1M tokens`}`)
      .join(' · ');
    setStatus('running', 'asking…');
    const r = await streamAnswer(agent, $('question').value, {
      decision(e) {
        const d = $('decision');
        d.dataset.accepted = String(e.accepted);
        d.textContent =
          `${e.model}'s draft ${e.accepted ? 'accepted' : 'rejected'} ` +
          `(score ${e.score.toFixed(2)} ${e.accepted ? '≥' : '<'} threshold ${e.threshold.toFixed(2)}): ${e.reason}`;
      },
      escalated(e) {
        $('decision').textContent += ` → escalated to ${e.to}`;
        if (e.discard) answer.textContent = '';
      },
      text(text, model) {
        answer.textContent += text;
        answer.dataset.chunks = String(Number(answer.dataset.chunks) + 1);
        $('model').textContent = model;
      },
    });
    $('model').textContent = r.modelUsed;
    const cost = $('cost');
    cost.dataset.usd = String(r.totalCost);
    cost.dataset.saved = String(r.costSaved);
    cost.textContent = `${usd(r.totalCost)}` + (r.costSaved == null ? '' : ` (saved ${usd(r.costSaved)} against the verifier alone)`);
    setStatus('done');
  } catch (err) {
    setStatus('error', `${err.code ?? err.name}: ${err.message}`);
  } finally {
    $('ask').disabled = false;
  }
});
