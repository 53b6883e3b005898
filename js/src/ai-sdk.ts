/**
 * `cascade-edge/ai-sdk`: a cascade as a Vercel AI SDK language model
 * (`LanguageModelV4`, the specification `ai` 7 calls), so `generateText`,
 * `streamText`, tools and structured output run through the cascade.
 *
 * An entry of its own that imports nothing at run time, neither from `ai`
 * (types only, erased) nor from the core (the caller passes the agent it
 * made): apps that do not import this path carry none of it, and it works
 * with whichever runtime entry made the agent.
 *
 * The AI SDK runs tools itself, step by step, so each `doGenerate` is one
 * cascade without `onToolCall`: a draft that asks for tools is judged like
 * any draft, and the calls are returned for the SDK to run. Which model
 * answered, what it cost and why it was accepted or escalated are in
 * `providerMetadata.cascade`.
 */
import type {
  JSONObject,
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4Content,
  LanguageModelV4FinishReason,
  LanguageModelV4GenerateResult,
  LanguageModelV4Prompt,
  LanguageModelV4StreamPart,
  LanguageModelV4StreamResult,
  LanguageModelV4Usage,
  SharedV4Warning,
} from '@ai-sdk/provider';
import type { CascadeAgent } from './agent.js';
import type { CascadeResult, Message, RunOptions, StreamEvent, Tool, ToolCall } from './types.js';

/** What the model needs of an agent: its `run` and `stream`. */
export type CascadeRunner = Pick<CascadeAgent, 'run' | 'stream'>;

export interface CascadeModelOptions {
  /** Shown by the AI SDK as the model's id (telemetry, errors). Default `cascade`. */
  modelId?: string;
  /** Run options applied to every call (`timeoutMs`, `userId`, `systemPrompt`, ...); the SDK's own win. */
  runOptions?: Omit<RunOptions, 'tools' | 'toolChoice' | 'responseFormat' | 'signal' | 'onToolCall'>;
}

/** The cascade's decision, as it appears under `providerMetadata.cascade`. */
export function decisionMetadata(r: CascadeResult): JSONObject {
  return {
    modelUsed: r.modelUsed,
    provider: r.provider,
    draftAccepted: r.draftAccepted,
    cascaded: r.cascaded,
    reason: r.reason,
    totalCost: r.totalCost,
    costSaved: r.costSaved,
    savingsPercentage: r.savingsPercentage,
    complexity: r.complexity,
    domain: r.domain,
    steps: r.steps,
    // Plain JSON (no undefined): the SDK passes metadata through as JSON.
    attempts: JSON.parse(JSON.stringify(r.attempts)),
  };
}

/** A cascade as an AI SDK language model: `generateText({ model: cascadeModel(agent), ... })`. */
export function cascadeModel(agent: CascadeRunner, options: CascadeModelOptions = {}): LanguageModelV4 {
  return new CascadeLanguageModel(agent, options);
}

export class CascadeLanguageModel implements LanguageModelV4 {
  readonly specificationVersion = 'v4' as const;
  readonly provider = 'cascade-edge';
  readonly modelId: string;
  /** No URL is passed through as is: files are refused with a warning. */
  readonly supportedUrls: Record<string, RegExp[]> = {};
  readonly #agent: CascadeRunner;
  readonly #runOptions: CascadeModelOptions['runOptions'];

  constructor(agent: CascadeRunner, options: CascadeModelOptions = {}) {
    if (!agent || typeof agent.run !== 'function' || typeof agent.stream !== 'function') {
      throw new TypeError('cascadeModel: expected a CascadeAgent (new CascadeAgent(...) from cascade-edge)');
    }
    this.#agent = agent;
    this.modelId = options.modelId ?? 'cascade';
    this.#runOptions = options.runOptions;
  }

  async doGenerate(call: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> {
    const { messages, options, warnings } = translate(call, this.#runOptions);
    const r = await this.#agent.run(messages, options);
    const content: LanguageModelV4Content[] = [];
    if (r.thinking) content.push({ type: 'reasoning', text: r.thinking });
    if (r.content) content.push({ type: 'text', text: r.content });
    for (const c of r.toolCalls ?? []) content.push(toolCallPart(c));
    return {
      content,
      finishReason: finishReason(r),
      usage: usage(r),
      providerMetadata: { cascade: decisionMetadata(r) },
      response: { modelId: r.modelUsed },
      warnings,
    };
  }

  async doStream(call: LanguageModelV4CallOptions): Promise<LanguageModelV4StreamResult> {
    const { messages, options, warnings } = translate(call, this.#runOptions);
    // The cascade's own signal, so that a reader who stops reading stops the run too.
    const stop = new AbortController();
    const outer = options.signal;
    const onOuter = () => stop.abort(outer?.reason);
    if (outer?.aborted) onOuter();
    else outer?.addEventListener('abort', onOuter, { once: true });
    const events = this.#agent.stream(messages, { ...options, signal: stop.signal })[Symbol.asyncIterator]();
    const textId = 'text-0';
    let textOpen = false;

    const toParts = (e: StreamEvent): LanguageModelV4StreamPart[] => {
      if (e.type === 'chunk' && e.text) {
        const out: LanguageModelV4StreamPart[] = [];
        if (!textOpen) {
          out.push({ type: 'text-start', id: textId });
          textOpen = true;
        }
        out.push({ type: 'text-delta', id: textId, delta: e.text });
        return out;
      }
      if (e.type === 'complete') {
        const r = e.result;
        const out: LanguageModelV4StreamPart[] = [];
        if (textOpen) out.push({ type: 'text-end', id: textId });
        for (const c of r.toolCalls ?? []) out.push(toolCallPart(c));
        out.push({ type: 'response-metadata', modelId: r.modelUsed });
        out.push({ type: 'finish', finishReason: finishReason(r), usage: usage(r), providerMetadata: { cascade: decisionMetadata(r) } });
        return out;
      }
      if (e.type === 'error') return [{ type: 'error', error: e.error }];
      return [];
    };

    const stream = new ReadableStream<LanguageModelV4StreamPart>({
      start(controller) {
        controller.enqueue({ type: 'stream-start', warnings });
      },
      // Events that carry nothing for the SDK (routing, the judge's
      // decision) are skipped here, so that each pull delivers a part.
      async pull(controller) {
        for (;;) {
          let next: IteratorResult<StreamEvent>;
          try {
            next = await events.next();
          } catch (error) {
            controller.enqueue({ type: 'error', error });
            controller.close();
            return;
          }
          if (next.done) {
            outer?.removeEventListener('abort', onOuter);
            controller.close();
            return;
          }
          const parts = toParts(next.value);
          for (const p of parts) controller.enqueue(p);
          if (parts.length) return;
        }
      },
      cancel() {
        outer?.removeEventListener('abort', onOuter);
        stop.abort();
      },
    });
    return { stream };
  }
}

function toolCallPart(c: ToolCall): LanguageModelV4Content & { type: 'tool-call' } {
  return { type: 'tool-call', toolCallId: c.id, toolName: c.name, input: c.argumentsRaw || JSON.stringify(c.arguments ?? {}) };
}

const FINISH: Record<CascadeResult['finishReason'], LanguageModelV4FinishReason['unified']> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool-calls',
  content_filter: 'content-filter',
  unknown: 'other',
};

function finishReason(r: CascadeResult): LanguageModelV4FinishReason {
  return { unified: FINISH[r.finishReason] ?? 'other', raw: r.finishReason };
}

function usage(r: CascadeResult): LanguageModelV4Usage {
  return {
    inputTokens: { total: r.usage.inputTokens, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: r.usage.outputTokens, text: undefined, reasoning: undefined },
    raw: { inputTokens: r.usage.inputTokens, outputTokens: r.usage.outputTokens, estimated: r.usage.estimated },
  };
}

/** The SDK's call as the cascade's messages and run options, with a warning for each setting it cannot honour. */
function translate(
  call: LanguageModelV4CallOptions,
  base: CascadeModelOptions['runOptions'],
): { messages: Message[]; options: RunOptions; warnings: SharedV4Warning[] } {
  const warnings: SharedV4Warning[] = [];
  const options: RunOptions = { ...base };
  if (call.maxOutputTokens !== undefined) options.maxTokens = call.maxOutputTokens;
  if (call.temperature !== undefined) options.temperature = call.temperature;
  if (call.abortSignal) options.signal = call.abortSignal;
  for (const key of ['topP', 'topK', 'stopSequences', 'presencePenalty', 'frequencyPenalty', 'seed'] as const) {
    if (call[key] !== undefined) {
      warnings.push({ type: 'unsupported', feature: key, details: "set it per model in the cascade's `parameters`" });
    }
  }
  const tools: Tool[] = [];
  for (const t of call.tools ?? []) {
    if (t.type === 'function') {
      tools.push({ type: 'function', function: { name: t.name, description: t.description, parameters: t.inputSchema as Record<string, unknown> } });
    } else {
      warnings.push({ type: 'unsupported', feature: `provider tool ${t.id}` });
    }
  }
  if (tools.length) {
    options.tools = tools;
    const choice = call.toolChoice;
    if (choice) options.toolChoice = choice.type === 'tool' ? { type: 'function', function: { name: choice.toolName } } : choice.type;
  }
  const format = call.responseFormat;
  if (format?.type === 'json') {
    options.responseFormat = format.schema
      ? { type: 'json_schema', name: format.name ?? 'response', schema: format.schema as Record<string, unknown> }
      : { type: 'json_object' };
  }
  return { messages: messages(call.prompt, warnings), options, warnings };
}

function messages(prompt: LanguageModelV4Prompt, warnings: SharedV4Warning[]): Message[] {
  const out: Message[] = [];
  const skipped = (what: string) => warnings.push({ type: 'unsupported', feature: what, details: 'left out of the prompt' });
  for (const m of prompt) {
    if (m.role === 'system') {
      out.push({ role: 'system', content: m.content });
    } else if (m.role === 'user') {
      let text = '';
      for (const p of m.content) {
        if (p.type === 'text') text += p.text;
        else skipped(`${p.type} part (${p.mediaType})`);
      }
      out.push({ role: 'user', content: text });
    } else if (m.role === 'assistant') {
      let text = '';
      const calls: ToolCall[] = [];
      for (const p of m.content) {
        if (p.type === 'text') text += p.text;
        else if (p.type === 'tool-call') {
          const raw = typeof p.input === 'string' ? p.input : JSON.stringify(p.input ?? {});
          calls.push({ id: p.toolCallId, name: p.toolName, arguments: parseObject(raw), argumentsRaw: raw });
        } else if (p.type === 'tool-result') out.push(toolResult(p.toolCallId, p.output));
        else if (p.type !== 'reasoning') skipped(`assistant ${p.type} part`);
      }
      out.push(calls.length ? { role: 'assistant', content: text, toolCalls: calls } : { role: 'assistant', content: text });
    } else if (m.role === 'tool') {
      for (const p of m.content) {
        if (p.type === 'tool-result') out.push(toolResult(p.toolCallId, p.output));
        else skipped(p.type);
      }
    }
  }
  return out;
}

type ToolOutput = Extract<LanguageModelV4Prompt[number], { role: 'tool' }>['content'][number] & { type: 'tool-result' };

function toolResult(id: string, output: ToolOutput['output']): Message {
  let content: string;
  switch (output.type) {
    case 'text':
    case 'error-text':
      content = output.value;
      break;
    case 'json':
    case 'error-json':
      content = JSON.stringify(output.value);
      break;
    case 'execution-denied':
      content = `The tool call was not run${output.reason ? `: ${output.reason}` : ''}.`;
      break;
    default:
      content = JSON.stringify(output);
  }
  return { role: 'tool', toolCallId: id, content };
}

function parseObject(raw: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(raw);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}
