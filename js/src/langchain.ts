/**
 * `cascade-edge/langchain`: `CascadeChatModel`, a cascade as a LangChain.js
 * chat model on `@langchain/core`, so it works in chains, agents and
 * anywhere a `BaseChatModel` is taken: `invoke`, `stream`, `batch`,
 * `bindTools`, `withStructuredOutput`, and callbacks that see the usage.
 *
 * An entry of its own: it imports `@langchain/core` (an optional peer
 * dependency) at run time, and nothing of the core but types, since the
 * caller passes the agent it made. Apps that do not import this path carry
 * none of it.
 *
 * Structured output uses the provider's JSON-schema response format by
 * default rather than LangChain's tool-call trick: a cascade judges the
 * draft's JSON against the schema, which it cannot do for a forced tool
 * call. `method: 'functionCalling'` keeps LangChain's own way.
 */
import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BaseChatModelParams,
  type BindToolsInput,
} from '@langchain/core/language_models/chat_models';
import type { BaseLanguageModelInput, StructuredOutputMethodOptions } from '@langchain/core/language_models/base';
import { AIMessageChunk, type BaseMessage, type UsageMetadata } from '@langchain/core/messages';
import { ChatGenerationChunk, type ChatResult } from '@langchain/core/outputs';
import { RunnableLambda, type Runnable } from '@langchain/core/runnables';
import { convertToOpenAITool } from '@langchain/core/utils/function_calling';
import { toJsonSchema } from '@langchain/core/utils/json_schema';
import { interopParseAsync, isInteropZodSchema } from '@langchain/core/utils/types';
import type { CascadeAgent } from './agent.js';
import type { CascadeResult, Message, ResponseFormat, RunOptions, Tool, ToolCall } from './types.js';

export interface CascadeChatModelCallOptions extends BaseChatModelCallOptions {
  /** OpenAI-shaped tools, as `bindTools` leaves them. */
  tools?: Tool[];
  /** The cascade's response format (set by `withStructuredOutput`). */
  responseFormat?: ResponseFormat;
  /** Cascade run options for this call (`userId`, `timeoutMs`, `maxTokens`...). */
  runOptions?: Omit<RunOptions, 'tools' | 'toolChoice' | 'responseFormat' | 'signal' | 'onToolCall'>;
}

export interface CascadeChatModelFields extends BaseChatModelParams {
  /** The agent to run: `new CascadeAgent(...)` from `cascade-edge`. */
  agent: Pick<CascadeAgent, 'run' | 'stream'>;
  /** Run options for every call; a call's own `runOptions` win. */
  runOptions?: CascadeChatModelCallOptions['runOptions'];
}

export class CascadeChatModel extends BaseChatModel<CascadeChatModelCallOptions, AIMessageChunk> {
  readonly #agent: CascadeChatModelFields['agent'];
  readonly #runOptions: CascadeChatModelFields['runOptions'];

  static lc_name(): string {
    return 'CascadeChatModel';
  }

  constructor(fields: CascadeChatModelFields) {
    const { agent, runOptions, ...rest } = fields ?? ({} as CascadeChatModelFields);
    super(rest);
    if (!agent || typeof agent.run !== 'function' || typeof agent.stream !== 'function') {
      throw new TypeError('CascadeChatModel: expected { agent } with a CascadeAgent (new CascadeAgent(...) from cascade-edge)');
    }
    this.#agent = agent;
    this.#runOptions = runOptions;
  }

  _llmType(): string {
    return 'cascade-edge';
  }

  override bindTools(tools: BindToolsInput[], kwargs?: Partial<CascadeChatModelCallOptions>): Runnable<BaseLanguageModelInput, AIMessageChunk, CascadeChatModelCallOptions> {
    return this.withConfig({ ...kwargs, tools: tools.map((t) => convertToOpenAITool(t) as Tool) });
  }

  override withStructuredOutput<RunOutput extends Record<string, any> = Record<string, any>>(
    schema: Record<string, any>,
    config?: StructuredOutputMethodOptions<boolean>,
  ): Runnable<BaseLanguageModelInput, RunOutput> {
    if (config?.method === 'functionCalling' || config?.includeRaw) {
      return super.withStructuredOutput<RunOutput>(schema, config as StructuredOutputMethodOptions<false>);
    }
    const zod = isInteropZodSchema(schema);
    const jsonSchema = (zod ? toJsonSchema(schema as never) : schema) as Record<string, unknown>;
    const name = config?.name ?? (typeof schema.title === 'string' ? schema.title : 'response');
    const bound = this.withConfig({ responseFormat: { type: 'json_schema', name, schema: jsonSchema } });
    const parse = RunnableLambda.from(async (message: AIMessageChunk): Promise<RunOutput> => {
      const text = typeof message.content === 'string' ? message.content : textOf(message.content);
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new Error(`CascadeChatModel: the answer is not JSON: ${text.slice(0, 200)}`);
      }
      return (zod ? await interopParseAsync(schema as never, value) : value) as RunOutput;
    });
    return bound.pipe(parse) as Runnable<BaseLanguageModelInput, RunOutput>;
  }

  async _generate(messages: BaseMessage[], options: this['ParsedCallOptions'], _runManager?: CallbackManagerForLLMRun): Promise<ChatResult> {
    const r = await this.#agent.run(toCascade(messages), this.#options(options));
    const message = finalMessage(r, r.content);
    return {
      generations: [{ text: r.content, message, generationInfo: { finish_reason: r.finishReason } }],
      llmOutput: { tokenUsage: tokenUsage(r), cascade: decision(r) },
    };
  }

  async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const stream = this.#agent.stream(toCascade(messages), this.#options(options));
    for await (const e of stream) {
      if (e.type === 'chunk' && e.text) {
        yield new ChatGenerationChunk({ text: e.text, message: new AIMessageChunk({ content: e.text }) });
        await runManager?.handleLLMNewToken(e.text);
      } else if (e.type === 'complete') {
        // The last chunk carries what only the end knows: tool calls, usage, the decision.
        yield new ChatGenerationChunk({
          text: '',
          message: finalMessage(e.result, ''),
          generationInfo: { finish_reason: e.result.finishReason },
        });
      } else if (e.type === 'error') {
        throw e.error;
      }
    }
  }

  #options(options: this['ParsedCallOptions']): RunOptions {
    const run: RunOptions = { ...this.#runOptions, ...options.runOptions };
    if (options.signal) run.signal = options.signal;
    if (options.tools?.length) {
      run.tools = options.tools;
      const choice = options.tool_choice;
      if (choice === 'any') run.toolChoice = 'required';
      else if (typeof choice === 'string' && !['auto', 'none', 'required'].includes(choice)) {
        run.toolChoice = { type: 'function', function: { name: choice } };
      } else if (choice !== undefined) run.toolChoice = choice;
    }
    if (options.responseFormat) run.responseFormat = options.responseFormat;
    return run;
  }
}

function decision(r: CascadeResult): Record<string, unknown> {
  return {
    modelUsed: r.modelUsed,
    provider: r.provider,
    draftAccepted: r.draftAccepted,
    cascaded: r.cascaded,
    reason: r.reason,
    totalCost: r.totalCost,
    costSaved: r.costSaved,
    savingsPercentage: r.savingsPercentage,
    attempts: r.attempts,
  };
}

function tokenUsage(r: CascadeResult) {
  return {
    promptTokens: r.usage.inputTokens,
    completionTokens: r.usage.outputTokens,
    totalTokens: r.usage.inputTokens + r.usage.outputTokens,
  };
}

function usageMetadata(r: CascadeResult): UsageMetadata {
  return { input_tokens: r.usage.inputTokens, output_tokens: r.usage.outputTokens, total_tokens: r.usage.inputTokens + r.usage.outputTokens };
}

function finalMessage(r: CascadeResult, content: string): AIMessageChunk {
  const calls = r.toolCalls ?? [];
  return new AIMessageChunk({
    content,
    tool_call_chunks: calls.map((c, index) => ({ type: 'tool_call_chunk', id: c.id, name: c.name, args: c.argumentsRaw, index })),
    usage_metadata: usageMetadata(r),
    response_metadata: { model_name: r.modelUsed, finish_reason: r.finishReason, cascade: decision(r) },
  });
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((p) => (typeof p === 'string' ? p : p?.type === 'text' && typeof p.text === 'string' ? p.text : '')).join('');
}

/** LangChain's messages as the cascade's. */
function toCascade(messages: BaseMessage[]): Message[] {
  return messages.map((m): Message => {
    const type = m.getType();
    const content = textOf(m.content);
    if (type === 'system') return { role: 'system', content };
    if (type === 'human' || type === 'generic') return { role: 'user', content };
    if (type === 'tool') return { role: 'tool', content, toolCallId: (m as unknown as { tool_call_id: string }).tool_call_id };
    if (type === 'ai') {
      const calls = ((m as AIMessageChunk).tool_calls ?? []).map(
        (c): ToolCall => ({ id: c.id ?? '', name: c.name, arguments: c.args, argumentsRaw: JSON.stringify(c.args) }),
      );
      return calls.length ? { role: 'assistant', content, toolCalls: calls } : { role: 'assistant', content };
    }
    return { role: 'user', content };
  });
}
