//! Picking up a stream that failed half-way after its text was shown (live
//! mode, or a failover group on the final tier). The consumer already has
//! that text, so the next model must neither repeat it nor contradict it:
//!
//! - where the wire takes an assistant prefill (Anthropic), the shown text
//!   is sent as the start of the answer and only the continuation is shown;
//! - elsewhere, or when the prefill is refused, the next model starts over
//!   and its text is held back until it has reproduced what was shown,
//!   then only the rest is shown. If it says something else, the stream
//!   cannot be mended: when the shown text was a live draft (whose consumer
//!   takes `discard` events, as for any rejected draft) the new answer is
//!   shown whole after a discard; otherwise the run ends with an error,
//!   never a spliced answer.

use crate::config::ModelConfig;
use crate::error::{CascadeError, ErrorCode, FailureClass};
use crate::types::{ChatRequest, Completion, Message, Role};

#[derive(Clone, Debug, PartialEq)]
pub(super) struct Resume {
    /// What the consumer has been shown so far.
    delivered: String,
    /// Continue by prefill (true) or by restarting and matching (false).
    prefill: bool,
    /// Prefill: the trailing whitespace left off the prefill (providers refuse
    /// it there), which the continuation usually starts with.
    ws: String,
    /// Prefill: how much of `ws` the continuation has repeated so far; past
    /// the first other character, nothing more is dropped.
    ws_seen: Option<usize>,
    /// Restart: how many bytes of `delivered` the new text has matched.
    matched: usize,
    /// Restart: the new text differs from what was shown.
    pub diverged: bool,
    /// The shown text was a live draft: a restart that differs may be shown
    /// whole after a `discard`, instead of ending the run.
    may_discard: bool,
    /// Such a discard is due (taken once by `take_discard`).
    discard_due: bool,
    /// After a discard: the new answer is shown as it comes.
    passthrough: bool,
    /// The text this call has shown (added to `delivered` if it fails too).
    shown: String,
}

impl Resume {
    pub fn new(delivered: String, prefill: bool, may_discard: bool) -> Resume {
        let ws = delivered.get(delivered.trim_end().len()..).unwrap_or("").to_string();
        Resume {
            delivered,
            prefill,
            ws,
            ws_seen: Some(0),
            matched: 0,
            diverged: false,
            may_discard,
            discard_due: false,
            passthrough: false,
            shown: String::new(),
        }
    }

    /// Whether the consumer must now drop what it was shown (once).
    pub fn take_discard(&mut self) -> bool {
        std::mem::take(&mut self.discard_due)
    }

    pub fn prefills(&self) -> bool {
        self.prefill
    }

    /// The prefill was refused: start over and match instead.
    pub fn restart(self) -> Resume {
        Resume::new(self.delivered, false, self.may_discard)
    }

    /// The call failed too: what has been shown in all, for the next model
    /// (which may or may not take a prefill).
    pub fn failed_again(self, prefill: bool, may_discard: bool) -> Resume {
        let mut delivered = if self.passthrough { String::new() } else { self.delivered };
        delivered.push_str(&self.shown);
        Resume::new(delivered, prefill, self.may_discard && may_discard)
    }

    /// The request with the shown text as the start of the answer, when prefilling.
    pub fn request(&self, req: &ChatRequest) -> Option<ChatRequest> {
        if !self.prefill {
            return None;
        }
        let mut out = req.clone();
        out.messages.push(Message::new(Role::Assistant, self.delivered.trim_end()));
        Some(out)
    }

    /// What to show of one piece of new text.
    pub fn filter<'t>(&mut self, t: &'t str) -> std::borrow::Cow<'t, str> {
        use std::borrow::Cow;
        let out = if self.passthrough {
            t
        } else if self.prefill {
            match self.ws_seen {
                Some(seen) => {
                    let rest = self.ws.get(seen..).unwrap_or("");
                    let n = common_prefix(t, rest);
                    // Past the first character that is not the expected
                    // whitespace, nothing more is held back.
                    self.ws_seen = if n < t.len() { None } else { Some(seen.saturating_add(n)) };
                    t.get(n..).unwrap_or("")
                }
                None => t,
            }
        } else if self.diverged {
            ""
        } else {
            let rest = self.delivered.get(self.matched..).unwrap_or("");
            let n = common_prefix(t, rest);
            self.matched = self.matched.saturating_add(n);
            if n < t.len() && n < rest.len() {
                if self.may_discard {
                    // Shown whole after a discard: what it had matched, and this.
                    self.passthrough = true;
                    self.discard_due = true;
                    let mut whole = self.delivered.get(..self.matched.saturating_sub(n)).unwrap_or("").to_string();
                    whole.push_str(t);
                    self.shown = whole.clone();
                    return Cow::Owned(whole);
                }
                self.diverged = true;
                ""
            } else {
                t.get(n..).unwrap_or("")
            }
        };
        self.shown.push_str(out);
        Cow::Borrowed(out)
    }

    /// The whole answer, from the new model's own text: what was shown
    /// before plus what this call showed. `None` when a restart ended
    /// without reproducing all that was shown (or said something else).
    pub fn complete(&self, content: &str) -> Option<String> {
        if self.passthrough {
            return Some(content.to_string());
        }
        if self.prefill {
            let mut whole = self.delivered.clone();
            let skip = common_prefix(content, &self.ws);
            whole.push_str(content.get(skip..).unwrap_or(""));
            return Some(whole);
        }
        (!self.diverged && self.matched >= self.delivered.len() && content.starts_with(&self.delivered))
            .then(|| content.to_string())
    }
}

/// A call's outcome when it continued shown text: the whole answer, or,
/// if it contradicted what was shown, an error that ends the run (never a
/// spliced answer).
pub(super) fn completed(
    resume: Option<&Resume>,
    model: &ModelConfig,
    outcome: Result<Completion, CascadeError>,
) -> Result<Completion, CascadeError> {
    let Some(r) = resume else { return outcome };
    let mut c = outcome?;
    match r.complete(&c.content) {
        Some(whole) => {
            c.content = whole;
            Ok(c)
        }
        None => Err(CascadeError::new(
            ErrorCode::Stream,
            format!(
                "{} ({}) could not continue the answer already shown: its own answer differs, so the stream ends here",
                model.provider, model.name
            ),
        )
        .with_class(FailureClass::Client)
        .for_model(&model.provider, &model.name)),
    }
}

/// Bytes `a` and `b` share at their start, cut back to a character boundary of both.
fn common_prefix(a: &str, b: &str) -> usize {
    let mut n = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    while n > 0 && !(a.is_char_boundary(n) && b.is_char_boundary(n)) {
        n = n.saturating_sub(1);
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(r: &mut Resume, pieces: &[&str]) -> String {
        pieces.iter().map(|p| r.filter(p).to_string()).collect()
    }

    #[test]
    fn a_prefill_continues_without_repeating_the_space_it_left_off() {
        let mut r = Resume::new("The capital of France is ".into(), true, false);
        let req = r.request(&ChatRequest::default()).unwrap();
        assert_eq!(req.messages.last().map(|m| m.content.as_str()), Some("The capital of France is"));
        assert_eq!(shown(&mut r, &[" ", "Paris", ". It is"]), "Paris. It is");
        assert_eq!(r.complete(" Paris. It is").as_deref(), Some("The capital of France is Paris. It is"));
        // A continuation that does not start with the space is shown whole.
        let mut r = Resume::new("Hello, ".into(), true, false);
        assert_eq!(shown(&mut r, &["world"]), "world");
        assert_eq!(r.complete("world").as_deref(), Some("Hello, world"));
    }

    #[test]
    fn a_restart_is_shown_only_past_what_was_shown_and_only_if_it_agrees() {
        let mut r = Resume::new("The capital of Fr".into(), false, false);
        assert!(r.request(&ChatRequest::default()).is_none());
        assert_eq!(shown(&mut r, &["The cap", "ital of France", " is Paris."]), "ance is Paris.");
        assert_eq!(r.complete("The capital of France is Paris.").as_deref(), Some("The capital of France is Paris."));
        let mut r = Resume::new("The capital of Fr".into(), false, false);
        assert_eq!(shown(&mut r, &["The capital is Paris."]), "");
        assert!(r.diverged);
        assert_eq!(r.complete("The capital is Paris."), None);
        // A restart that stops short of what was shown cannot complete it.
        let mut r = Resume::new("The capital of Fr".into(), false, false);
        assert_eq!(shown(&mut r, &["The cap"]), "");
        assert_eq!(r.complete("The cap"), None);
    }

    #[test]
    fn a_live_draft_that_cannot_be_matched_is_discarded_and_the_new_answer_shown_whole() {
        let mut r = Resume::new("The capital of Fr".into(), false, true);
        assert_eq!(shown(&mut r, &["The cap"]), "");
        assert!(!r.take_discard());
        assert_eq!(shown(&mut r, &["ital is Paris", "."]), "The capital is Paris.");
        assert!(r.take_discard());
        assert!(!r.take_discard(), "once");
        assert_eq!(r.complete("The capital is Paris.").as_deref(), Some("The capital is Paris."));
    }

    #[test]
    fn multi_byte_text_is_never_split() {
        let mut r = Resume::new("Ça va é".into(), false, false);
        assert_eq!(shown(&mut r, &["Ça va è"]), "");
        assert!(r.diverged, "é and è share their first byte only");
        assert_eq!(common_prefix("é", "è"), 0);
    }

    #[test]
    fn a_second_failure_carries_everything_shown() {
        let mut r = Resume::new("One, ".into(), true, false);
        assert_eq!(r.filter(" two, "), "two, ");
        let r = r.failed_again(true, false);
        assert_eq!(r.complete(" three").as_deref(), Some("One, two, three"));
    }
}
