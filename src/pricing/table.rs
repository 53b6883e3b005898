//! The built-in list prices, USD per 1M input / output tokens.
//!
//! One row per model as its provider names it, without a date: the lookup
//! strips a documented date or `-latest` suffix itself. A snapshot whose
//! price differs from its family's (gpt-4o-2024-05-13) gets its own row,
//! which wins because exact ids are tried first. Checked against the
//! providers' price pages, 2025-26; a model whose price could not be
//! confirmed is left out, so that it is reported unknown rather than guessed.

pub(super) const TABLE: &[(&str, f64, f64)] = &[
    // OpenAI
    ("gpt-5", 1.25, 10.00),
    ("gpt-5-mini", 0.25, 2.00),
    ("gpt-5-nano", 0.05, 0.40),
    ("gpt-5-pro", 15.00, 120.00),
    ("gpt-5-chat-latest", 1.25, 10.00),
    ("gpt-4.5-preview", 75.00, 150.00),
    ("gpt-4.1", 2.00, 8.00),
    ("gpt-4.1-mini", 0.40, 1.60),
    ("gpt-4.1-nano", 0.10, 0.40),
    ("gpt-4o", 2.50, 10.00),
    ("gpt-4o-2024-05-13", 5.00, 15.00),
    ("gpt-4o-mini", 0.15, 0.60),
    ("chatgpt-4o-latest", 5.00, 15.00),
    ("gpt-4-turbo", 10.00, 30.00),
    ("gpt-4", 30.00, 60.00),
    ("gpt-4-32k", 60.00, 120.00),
    ("gpt-3.5-turbo", 0.50, 1.50),
    ("o1", 15.00, 60.00),
    ("o1-pro", 150.00, 600.00),
    ("o1-mini", 1.10, 4.40),
    ("o3", 2.00, 8.00),
    ("o3-pro", 20.00, 80.00),
    ("o3-mini", 1.10, 4.40),
    ("o4-mini", 1.10, 4.40),
    // Anthropic
    ("claude-opus-4-5", 5.00, 25.00),
    ("claude-opus-4-1", 15.00, 75.00),
    ("claude-opus-4", 15.00, 75.00),
    ("claude-sonnet-4-5", 3.00, 15.00),
    ("claude-sonnet-4", 3.00, 15.00),
    ("claude-haiku-4-5", 1.00, 5.00),
    ("claude-3-7-sonnet", 3.00, 15.00),
    ("claude-3-5-sonnet", 3.00, 15.00),
    ("claude-3-5-haiku", 0.80, 4.00),
    ("claude-3-opus", 15.00, 75.00),
    ("claude-3-haiku", 0.25, 1.25),
    // Groq
    ("llama-3.1-8b-instant", 0.05, 0.08),
    ("llama-3.3-70b-versatile", 0.59, 0.79),
    ("llama-3.2-1b-preview", 0.04, 0.04),
    ("llama-3.2-3b-preview", 0.06, 0.06),
    ("mixtral-8x7b-32768", 0.24, 0.24),
    ("gemma2-9b-it", 0.20, 0.20),
    // Together (ids as Together spells them)
    ("meta-llama/Llama-3.3-70B-Instruct-Turbo", 0.88, 0.88),
    ("meta-llama/Llama-3.2-3B-Instruct-Turbo", 0.06, 0.06),
    ("meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo", 0.18, 0.18),
    ("meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo", 0.88, 0.88),
    ("Qwen/Qwen2.5-72B-Instruct-Turbo", 1.20, 1.20),
    ("mistralai/Mixtral-8x7B-Instruct-v0.1", 0.60, 0.60),
    // DeepSeek
    ("deepseek-chat", 0.27, 1.10),
    ("deepseek-reasoner", 0.55, 2.19),
];

/// Other documented names of a row above: the providers' aliases, and the
/// spellings routers use for the same model (OpenRouter writes Claude's
/// versions with a dot).
pub(super) const ALIASES: &[(&str, &str)] = &[
    // OpenAI: the older GPT-4 Turbo previews are billed as GPT-4 Turbo.
    ("gpt-4-turbo-preview", "gpt-4-turbo"),
    ("gpt-4-1106-preview", "gpt-4-turbo"),
    ("gpt-4-0125-preview", "gpt-4-turbo"),
    ("gpt-4-0613", "gpt-4"),
    ("gpt-3.5-turbo-0125", "gpt-3.5-turbo"),
    // Anthropic's short ids for the 4 family.
    ("claude-opus-4-0", "claude-opus-4"),
    ("claude-sonnet-4-0", "claude-sonnet-4"),
    // Vertex AI's name for the October 2024 Sonnet.
    ("claude-3-5-sonnet-v2", "claude-3-5-sonnet"),
    // OpenRouter's spellings.
    ("claude-opus-4.5", "claude-opus-4-5"),
    ("claude-opus-4.1", "claude-opus-4-1"),
    ("claude-sonnet-4.5", "claude-sonnet-4-5"),
    ("claude-haiku-4.5", "claude-haiku-4-5"),
    ("claude-3.7-sonnet", "claude-3-7-sonnet"),
    ("claude-3.5-sonnet", "claude-3-5-sonnet"),
    ("claude-3.5-haiku", "claude-3-5-haiku"),
    // DeepSeek kept the coder name when it folded that model into chat.
    ("deepseek-coder", "deepseek-chat"),
];
