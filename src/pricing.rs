//! Prices and the cost of a call.
//!
//! Prices are USD per 1M tokens, input and output apart, because a cascade's
//! savings hinge on that split (drafts are output-heavy). An unknown price is
//! `None`, and a cost computed from it is unknown, never $0: a silent $0
//! would make every saving figure a lie.

use crate::types::Usage;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Price {
    pub input_per_m: f64,
    pub output_per_m: f64,
    /// Prompt-cache rates where the provider bills them apart.
    pub cache_read_per_m: Option<f64>,
    pub cache_write_per_m: Option<f64>,
}

impl Price {
    pub const fn per_million(input: f64, output: f64) -> Price {
        Price { input_per_m: input, output_per_m: output, cache_read_per_m: None, cache_write_per_m: None }
    }

    /// The original's `cost`: one blended USD-per-1K figure for both directions.
    pub fn blended_per_thousand(cost: f64) -> Price {
        Price::per_million(cost * 1000.0, cost * 1000.0)
    }

    /// A single figure to order tiers by.
    pub fn blended(&self) -> f64 {
        (self.input_per_m + self.output_per_m) / 2.0
    }

    /// USD for one call's usage. Cache tokens fall back to Anthropic's
    /// published multipliers (write 1.25x, read 0.1x of input) when unset.
    pub fn cost(&self, usage: &Usage) -> f64 {
        let read = self.cache_read_per_m.unwrap_or(self.input_per_m * 0.1);
        let write = self.cache_write_per_m.unwrap_or(self.input_per_m * 1.25);
        (usage.input_tokens as f64 * self.input_per_m
            + usage.output_tokens as f64 * self.output_per_m
            + usage.cache_read_tokens as f64 * read
            + usage.cache_write_tokens as f64 * write)
            / 1_000_000.0
    }
}

/// Known list prices (USD per 1M input / output tokens), matched by the
/// longest prefix so dated ids (`gpt-4o-2024-08-06`, `claude-3-5-haiku-20241022`)
/// find their family. Checked against the providers' price pages, 2025-26.
const TABLE: &[(&str, f64, f64)] = &[
    // OpenAI
    ("gpt-4o-mini", 0.15, 0.60),
    ("gpt-4o", 2.50, 10.00),
    ("gpt-4.1-nano", 0.10, 0.40),
    ("gpt-4.1-mini", 0.40, 1.60),
    ("gpt-4.1", 2.00, 8.00),
    ("gpt-4-turbo", 10.00, 30.00),
    ("gpt-4", 30.00, 60.00),
    ("gpt-3.5-turbo", 0.50, 1.50),
    ("gpt-5-nano", 0.05, 0.40),
    ("gpt-5-mini", 0.25, 2.00),
    ("gpt-5", 1.25, 10.00),
    ("o1-mini", 1.10, 4.40),
    ("o1", 15.00, 60.00),
    ("o3-mini", 1.10, 4.40),
    ("o3", 2.00, 8.00),
    ("o4-mini", 1.10, 4.40),
    // Anthropic
    ("claude-3-haiku", 0.25, 1.25),
    ("claude-3-5-haiku", 0.80, 4.00),
    ("claude-haiku-4-5", 1.00, 5.00),
    ("claude-3-5-sonnet", 3.00, 15.00),
    ("claude-3-7-sonnet", 3.00, 15.00),
    ("claude-sonnet-4", 3.00, 15.00),
    ("claude-3-opus", 15.00, 75.00),
    ("claude-opus-4-5", 5.00, 25.00),
    ("claude-opus-4", 15.00, 75.00),
    // Groq
    ("llama-3.1-8b-instant", 0.05, 0.08),
    ("llama-3.3-70b-versatile", 0.59, 0.79),
    ("llama-3.2-1b-preview", 0.04, 0.04),
    ("llama-3.2-3b-preview", 0.06, 0.06),
    ("mixtral-8x7b-32768", 0.24, 0.24),
    ("gemma2-9b-it", 0.20, 0.20),
    // Together (ids as Together spells them)
    ("meta-llama/Llama-3.3-70B-Instruct-Turbo", 0.88, 0.88),
    ("meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo", 0.18, 0.18),
    ("meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo", 0.88, 0.88),
    ("Qwen/Qwen2.5-72B-Instruct-Turbo", 1.20, 1.20),
    ("mistralai/Mixtral-8x7B-Instruct-v0.1", 0.60, 0.60),
    // DeepSeek
    ("deepseek-chat", 0.27, 1.10),
    ("deepseek-reasoner", 0.55, 2.19),
];

/// Providers that run on the user's own hardware: no per-token bill.
const SELF_HOSTED: &[&str] = &["ollama", "vllm"];

/// The list price of `model` at `provider`, if known.
pub fn lookup(provider: &str, model: &str) -> Option<Price> {
    if SELF_HOSTED.contains(&provider) {
        return Some(Price::per_million(0.0, 0.0));
    }
    find(model).or_else(|| {
        // Routers name models `vendor/model` (OpenRouter, LiteLLM): try the model part.
        model.rsplit_once('/').and_then(|(_, m)| find(m))
    })
}

fn find(model: &str) -> Option<Price> {
    let m = model.trim();
    TABLE
        .iter()
        .filter(|(id, _, _)| {
            m.len() >= id.len()
                && m[..id.len()].eq_ignore_ascii_case(id)
                && (m.len() == id.len() || matches!(m.as_bytes()[id.len()], b'-' | b':' | b'@' | b'.'))
        })
        .max_by_key(|(id, _, _)| id.len())
        .map(|&(_, i, o)| Price::per_million(i, o))
}

/// Rough token count for text a provider did not count for us: about four
/// characters a token for English, never zero for non-empty text.
pub fn estimate_tokens(text: &str) -> u64 {
    let chars = text.chars().count() as u64;
    if chars == 0 {
        0
    } else {
        chars.div_ceil(4).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_prefix_wins_and_dated_ids_match() {
        assert_eq!(lookup("openai", "gpt-4o-mini").unwrap().input_per_m, 0.15);
        assert_eq!(lookup("openai", "gpt-4o-2024-08-06").unwrap().input_per_m, 2.50);
        assert_eq!(lookup("anthropic", "claude-3-5-haiku-20241022").unwrap().output_per_m, 4.00);
        assert_eq!(lookup("openai", "o1-mini").unwrap().input_per_m, 1.10);
        assert_eq!(lookup("openrouter", "openai/gpt-4o-mini").unwrap().input_per_m, 0.15);
    }

    #[test]
    fn unknown_is_none_and_local_is_free() {
        assert!(lookup("openai", "my-finetune").is_none());
        assert!(lookup("openai", "gpt-4omega").is_none());
        assert_eq!(lookup("ollama", "llama3.2:3b").unwrap().blended(), 0.0);
    }

    #[test]
    fn cost_prices_each_direction() {
        let p = Price::per_million(1.0, 4.0);
        let u = Usage { input_tokens: 1000, output_tokens: 500, ..Default::default() };
        assert!((p.cost(&u) - (0.001 + 0.002)).abs() < 1e-12);
        let blended = Price::blended_per_thousand(0.002);
        assert!((blended.cost(&u) - 0.003).abs() < 1e-12);
    }

    #[test]
    fn cache_tokens_priced_apart() {
        let p = Price::per_million(3.0, 15.0);
        let u = Usage { cache_read_tokens: 1_000_000, cache_write_tokens: 1_000_000, ..Default::default() };
        assert!((p.cost(&u) - (0.3 + 3.75)).abs() < 1e-9);
    }

    #[test]
    fn estimates_are_never_zero_for_text() {
        assert_eq!(estimate_tokens(""), 0);
        assert_eq!(estimate_tokens("4"), 1);
        assert_eq!(estimate_tokens("abcdefgh"), 2);
    }
}
