//! The quality judge: decides, with no model call and in microseconds,
//! whether a draft is good enough to return or the query must move up a
//! tier.
//!
//! The query and the draft are tokenised once (`text`), the query is read
//! for what a good answer must contain (`intent`, `complexity`, `domain`),
//! then independent checks look for evidence of a bad draft (`checks`) and
//! `judge` weighs that evidence into a score and a decision. `eval` holds
//! the routing metrics used to measure all of this on labelled data.
//!
//! The judge reads whatever a provider or caller sends, so it must not
//! panic on it. Integer arithmetic on byte offsets, word indexes and
//! counts saturates: each such value is bounded by the length of a text
//! already in memory, far below its type's limit, so saturating never
//! changes a result; it only rules out an overflow panic (debug) or a
//! silent wrap (release) should that bound ever be broken.

use crate::shape::{Shape, Sink};
use crate::types::{FinishReason, ResponseFormat, TokenLogprob, ToolCall, ToolSpec};

pub mod calibrate;
mod checks;
mod complexity;
mod config;
mod domain;
mod draft_options;
pub mod eval;
mod intent;
mod judge;
mod lexicon;
mod numbers;
mod request;
mod text;
mod unicode;
mod vocab;

pub use checks::logprobs::MAX_LOGPROB_TOKENS;
pub use config::{QualityConfig, PRESETS};
pub use domain::{detect_domain, Domain};
pub use draft_options::{read_draft_options, DraftOptions};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Complexity {
    Trivial,
    Simple,
    Moderate,
    Hard,
    Expert,
}

impl Complexity {
    /// The level's name as serialised ("trivial" .. "expert").
    pub fn as_str(self) -> &'static str {
        match self {
            Complexity::Trivial => "trivial",
            Complexity::Simple => "simple",
            Complexity::Moderate => "moderate",
            Complexity::Hard => "hard",
            Complexity::Expert => "expert",
        }
    }
}

/// What the judge looks at.
#[derive(Clone, Copy, Debug)]
pub struct JudgeInput<'a> {
    pub query: &'a str,
    pub answer: &'a str,
    pub finish_reason: FinishReason,
    pub logprobs: Option<&'a [TokenLogprob]>,
    pub tool_calls: &'a [ToolCall],
    pub tools: &'a [ToolSpec],
    pub response_format: Option<&'a ResponseFormat>,
}

impl<'a> JudgeInput<'a> {
    pub fn text(query: &'a str, answer: &'a str) -> Self {
        JudgeInput {
            query,
            answer,
            finish_reason: FinishReason::Stop,
            logprobs: None,
            tool_calls: &[],
            tools: &[],
            response_format: None,
        }
    }
}

/// Where a draft sits in the conversation, beyond the query and the draft
/// themselves. Kept apart from `JudgeInput` so that callers that build a
/// `JudgeInput` field by field keep compiling; `judge` uses the default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Turn {
    /// The conversation already holds tool results (a later step of a tool
    /// loop): a plain-text answer to a question that needs live data is
    /// then the expected final answer, not one made up from memory.
    pub has_tool_results: bool,
}

/// One check's outcome, reported in the decision trace.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckOutcome {
    pub name: &'static str,
    pub passed: bool,
    /// 0..1, how well the draft did on this check.
    pub score: f64,
    /// Empty when there is nothing to say (left out of the JSON).
    pub detail: String,
    /// How strongly this check moves the verdict (0 = for the trace only):
    /// the judge multiplies its score by `score ^ weight`.
    pub weight: f64,
    /// A hard failure: the draft is rejected whatever the score.
    pub veto: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub accepted: bool,
    pub score: f64,
    pub threshold: f64,
    pub complexity: Complexity,
    pub domain: Domain,
    pub checks: Vec<CheckOutcome>,
    /// One line a person can read: why it was accepted or rejected.
    pub reason: String,
}

impl Shape for CheckOutcome {
    fn shape<S: Sink>(&self, s: &mut S) {
        s.str("name", self.name);
        s.flag("passed", self.passed);
        s.f64("score", self.score);
        s.f64("weight", self.weight);
        s.flag("veto", self.veto);
        s.optional_str("detail", Some(self.detail.as_str()).filter(|d| !d.is_empty()));
    }
}

impl Shape for Verdict {
    fn shape<S: Sink>(&self, s: &mut S) {
        s.flag("accepted", self.accepted);
        s.f64("score", self.score);
        s.f64("threshold", self.threshold);
        s.str("complexity", self.complexity.as_str());
        s.str("domain", self.domain.as_str());
        s.list("checks", &self.checks);
        s.str("reason", &self.reason);
    }
}

impl Verdict {
    /// How strongly this draft should go to a stronger model (0..1), for
    /// ranking drafts when only a budget of escalations is available.
    pub fn escalation_score(&self) -> f64 {
        1.0 - self.score
    }
}

/// A query read once: its words, what a good answer must contain, how hard
/// it is and what it is about. The engine reads the query before the first
/// call (routing needs the complexity and domain) and every judgement of
/// the run reuses it.
pub struct QueryFacts<'q> {
    pub(crate) text: text::Text<'q>,
    pub(crate) intent: intent::Intent,
    pub(crate) complexity_score: f64,
    pub complexity: Complexity,
    pub domain: Domain,
}

impl<'q> QueryFacts<'q> {
    pub fn read(query: &'q str) -> QueryFacts<'q> {
        let text = text::Text::new(query);
        let intent = intent::read(&text);
        let arithmetic = intent.arithmetic.is_some();
        let complexity_score = complexity::score(&text, arithmetic);
        let domain = domain::detect(&text, arithmetic);
        QueryFacts { complexity: complexity::level(complexity_score), domain, text, intent, complexity_score }
    }
}

/// How hard a query is, from its wording alone.
pub fn complexity(query: &str) -> Complexity {
    QueryFacts::read(query).complexity
}

/// `v` with `decimals` digits after the point (at most 6), for messages.
/// The judge formats its scores with this instead of `{:.2}`: the
/// standard float formatting costs the wasm build several kilobytes.
pub fn format_fixed(v: f64, decimals: u32) -> String {
    checks::fixed(v, decimals)
}

/// Judge a draft. `threshold` (a tier's `qualityThreshold`) wins over the config.
pub fn judge(input: &JudgeInput, cfg: &QualityConfig, threshold: Option<f64>) -> Verdict {
    judge::run(input, Turn::default(), cfg, threshold)
}

/// `judge`, told where the draft sits in the conversation (for example a
/// tool loop's final step, after tool results came back).
pub fn judge_turn(input: &JudgeInput, turn: Turn, cfg: &QualityConfig, threshold: Option<f64>) -> Verdict {
    judge::run(input, turn, cfg, threshold)
}

/// `judge_turn` with the query already read: `facts` must be of `input.query`.
pub fn judge_read(
    input: &JudgeInput,
    facts: &QueryFacts,
    turn: Turn,
    cfg: &QualityConfig,
    threshold: Option<f64>,
) -> Verdict {
    judge::run_read(input, facts, turn, cfg, threshold)
}
