//! The quality judge: decides, with no model call, whether a draft is good
//! enough to return. (STUB: the public API below is the contract; the
//! checks are being filled in.)

use serde::Serialize;
use serde_json::Value;

use crate::error::CascadeError;
use crate::types::{FinishReason, ResponseFormat, TokenLogprob, ToolCall, ToolSpec};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Complexity {
    Trivial,
    Simple,
    Moderate,
    Hard,
    Expert,
}

/// The subject of a query; routes to per-domain models and thresholds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Domain {
    Code,
    Math,
    Data,
    Medical,
    Legal,
    Finance,
    Creative,
    Translation,
    Summarization,
    General,
}

pub fn detect_domain(_query: &str) -> Domain {
    Domain::General
}

/// Judge settings from `new CascadeAgent({ quality: {...} })`.
#[derive(Clone, Debug, PartialEq)]
pub struct QualityConfig {
    /// One threshold for every complexity, overriding the per-complexity ones.
    pub threshold: Option<f64>,
    /// Per complexity, trivial..expert.
    pub thresholds: [f64; 5],
}

impl Default for QualityConfig {
    fn default() -> Self {
        QualityConfig { threshold: None, thresholds: [0.5, 0.55, 0.6, 0.65, 0.7] }
    }
}

impl QualityConfig {
    pub fn parse(value: &Value, path: &str) -> Result<Self, CascadeError> {
        let _ = (value, path);
        Ok(QualityConfig::default())
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

/// One check's outcome, reported in the decision trace.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckOutcome {
    pub name: &'static str,
    pub passed: bool,
    /// 0..1, how well the draft did on this check.
    pub score: f64,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
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

pub fn complexity(query: &str) -> Complexity {
    let words = query.split_whitespace().count();
    match words {
        0..=6 => Complexity::Trivial,
        7..=15 => Complexity::Simple,
        16..=40 => Complexity::Moderate,
        41..=100 => Complexity::Hard,
        _ => Complexity::Expert,
    }
}

/// Judge a draft. `threshold` (a tier's `qualityThreshold`) wins over the config.
pub fn judge(input: &JudgeInput, cfg: &QualityConfig, threshold: Option<f64>) -> Verdict {
    let c = complexity(input.query);
    let threshold = threshold.or(cfg.threshold).unwrap_or(cfg.thresholds[c as usize]);
    let empty = input.answer.trim().is_empty() && input.tool_calls.is_empty();
    let truncated = input.finish_reason == FinishReason::Length;
    let score = if empty || truncated { 0.0 } else { 0.8 };
    Verdict {
        accepted: score >= threshold,
        score,
        threshold,
        complexity: c,
        domain: detect_domain(input.query),
        checks: vec![],
        reason: if score >= threshold { "draft passed".into() } else { "draft empty or truncated".into() },
    }
}
