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

mod table;

use table::{ALIASES, TABLE};

/// Providers that run on the user's own hardware: no per-token bill.
const SELF_HOSTED: &[&str] = &["ollama", "vllm"];

/// The list price of `model` at `provider`, if known.
///
/// Only a model's exact id (any case) or a documented form of it is
/// priced: a date suffix (`-2024-08-06`, `-20241022`, Vertex's
/// `@20241022`), `-latest`, a router's `vendor/` prefix (OpenRouter,
/// LiteLLM), or an alias the provider publishes. Matching by prefix priced
/// `o3-pro` as `o3` and a typo as the model it resembles; an unknown price
/// is reported as such instead.
pub fn lookup(provider: &str, model: &str) -> Option<Price> {
    if SELF_HOSTED.contains(&provider) {
        return Some(Price::per_million(0.0, 0.0));
    }
    find(model)
}

fn find(model: &str) -> Option<Price> {
    let m = model.trim();
    router_forms(m).find_map(|c| exact(c).or_else(|| undated(c).and_then(exact)))
}

/// `m`, then what follows each `/` in it: `openrouter/openai/gpt-4o` is
/// tried whole, as `openai/gpt-4o`, and as `gpt-4o`. The whole name comes
/// first because Together's own ids contain a slash.
fn router_forms(m: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(m), |s| s.split_once('/').map(|(_, rest)| rest)).filter(|s| !s.is_empty())
}

fn exact(name: &str) -> Option<Price> {
    let id = ALIASES.iter().find(|(alias, _)| alias.eq_ignore_ascii_case(name)).map_or(name, |&(_, id)| id);
    TABLE.iter().find(|(known, _, _)| known.eq_ignore_ascii_case(id)).map(|&(_, i, o)| Price::per_million(i, o))
}

/// `name` without the one documented suffix that names a version of the
/// same model at the same price: a snapshot date or `-latest`.
fn undated(name: &str) -> Option<&str> {
    let bytes = name.as_bytes();
    let cut = |n: usize| name.len().checked_sub(n);
    if let Some(k) = cut(7).filter(|&k| bytes.get(k..).is_some_and(|t| t.eq_ignore_ascii_case(b"-latest"))) {
        return name.get(..k);
    }
    let digits = |d: &[&u8]| d.iter().all(|c| c.is_ascii_digit());
    if let Some(k) = cut(11) {
        // -YYYY-MM-DD (OpenAI's snapshots)
        if let Some([b'-' | b'@', y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2]) = bytes.get(k..) {
            if digits(&[y1, y2, y3, y4, m1, m2, d1, d2]) {
                return name.get(..k);
            }
        }
    }
    if let Some(k) = cut(9) {
        // -YYYYMMDD (Anthropic), @YYYYMMDD (Vertex AI)
        if let Some([b'-' | b'@', date @ ..]) = bytes.get(k..) {
            if date.iter().all(u8::is_ascii_digit) {
                return name.get(..k);
            }
        }
    }
    None
}

/// The priced model whose name is closest to `model`, when `model` looks
/// like a typo of it (`gpt-4o-mnii` for `gpt-4o-mini`).
pub fn suggest(model: &str) -> Option<&'static str> {
    let m = model.trim();
    let known = || TABLE.iter().map(|&(id, _, _)| id).chain(ALIASES.iter().map(|&(alias, _)| alias));
    router_forms(m).find_map(|c| crate::suggest::closest(c, known()))
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

    fn price(model: &str) -> Option<(f64, f64)> {
        lookup("openai", model).map(|p| (p.input_per_m, p.output_per_m))
    }

    #[test]
    fn exact_and_dated_ids_match() {
        assert_eq!(price("gpt-4o-mini"), Some((0.15, 0.60)));
        assert_eq!(price("GPT-4o"), Some((2.50, 10.00)));
        assert_eq!(price("gpt-4o-2024-08-06"), Some((2.50, 10.00)));
        assert_eq!(price("gpt-4o-mini-2024-07-18"), Some((0.15, 0.60)));
        assert_eq!(price("claude-3-5-haiku-20241022"), Some((0.80, 4.00)));
        assert_eq!(price("claude-3-5-haiku-latest"), Some((0.80, 4.00)));
        assert_eq!(price("claude-sonnet-4-20250514"), Some((3.00, 15.00)));
        assert_eq!(price("claude-sonnet-4-0"), Some((3.00, 15.00)));
        assert_eq!(price("claude-opus-4-1-20250805"), Some((15.00, 75.00)));
        assert_eq!(price("claude-3-5-sonnet-v2@20241022"), Some((3.00, 15.00)));
        assert_eq!(price("claude-opus-4-5@20251101"), Some((5.00, 25.00)));
        assert_eq!(price("o1-mini"), Some((1.10, 4.40)));
        assert_eq!(price("deepseek-coder"), price("deepseek-chat"));
        assert_eq!(price("meta-llama/Llama-3.2-3B-Instruct-Turbo"), Some((0.06, 0.06)));
    }

    #[test]
    fn a_snapshot_priced_apart_keeps_its_own_price() {
        assert_eq!(price("gpt-4o-2024-05-13"), Some((5.00, 15.00)));
        assert_eq!(price("chatgpt-4o-latest"), Some((5.00, 15.00)));
    }

    #[test]
    fn router_prefixes_name_the_same_model() {
        assert_eq!(lookup("openrouter", "openai/gpt-4o-mini").map(|p| p.input_per_m), Some(0.15));
        assert_eq!(lookup("litellm", "anthropic/claude-3-5-haiku-latest").map(|p| p.input_per_m), Some(0.80));
        assert_eq!(lookup("openrouter", "anthropic/claude-sonnet-4.5").map(|p| p.input_per_m), Some(3.00));
        assert_eq!(price("together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo"), Some((0.88, 0.88)));
    }

    #[test]
    fn a_longer_name_is_not_priced_as_its_prefix() {
        // Each of these was once priced as a shorter, cheaper id.
        assert_eq!(price("o3-pro"), Some((20.00, 80.00)));
        assert_eq!(price("o3-pro-2025-06-10"), Some((20.00, 80.00)));
        assert_eq!(price("o1-pro"), Some((150.00, 600.00)));
        assert_eq!(price("gpt-5-pro"), Some((15.00, 120.00)));
        assert_eq!(price("gpt-4.5-preview"), Some((75.00, 150.00)));
        assert_eq!(price("gpt-4o-mnii"), None);
        assert_eq!(price("gpt-4o-audio-preview"), None);
        assert_eq!(price("o3-deep-research"), None);
        assert_eq!(price("gpt-4o:free"), None);
    }

    #[test]
    fn multibyte_names_are_unknown_not_a_panic() {
        for name in ["aé", "é", "gé", "o3é", "日本語-latest", "gpt-4o-2024-08-0é", "é-20241022", "/é/", "a/"]
        {
            assert_eq!(price(name), None, "{name}");
            let _ = suggest(name);
        }
    }

    #[test]
    fn typos_get_a_suggestion() {
        assert_eq!(suggest("gpt-4o-mnii"), Some("gpt-4o-mini"));
        assert_eq!(suggest("openai/gpt4o"), Some("gpt-4o"));
        assert_eq!(suggest("claude-sonet-4-5"), Some("claude-sonnet-4-5"));
        assert_eq!(suggest("my-finetune"), None);
    }

    #[test]
    fn unknown_is_none_and_local_is_free() {
        assert!(lookup("openai", "my-finetune").is_none());
        assert!(lookup("openai", "gpt-4omega").is_none());
        assert!(lookup("openai", "").is_none());
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
