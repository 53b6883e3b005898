//! Robustness: the judge runs on whatever a provider returns, so no input
//! may make it panic, loop, or leave its score outside 0..1.

use cascade_edge::json;
use cascade_edge::json_out::ToJson;
use cascade_edge::quality::{judge, JudgeInput, QualityConfig};
use cascade_edge::types::{FinishReason, ResponseFormat, TokenLogprob, ToolCall, ToolSpec};

const PIECES: &[&str] = &[
    "é",
    "ß",
    "İ",
    "ﬁ",
    "👍🏽",
    "👨‍👩‍👧",
    "\u{301}",
    "\u{200b}",
    "\u{feff}",
    "\u{0}",
    "日本語",
    "한국어",
    "العربية",
    "עברית",
    "Ω",
    "∑",
    "≈",
    "×",
    "÷",
    "−",
    "–",
    "—",
    "½",
    "²",
    "١٢",
    "\r\n",
    "\n",
    "\t",
    " ",
    "```",
    "```json\n",
    "<<",
    ">>",
    "####",
    "**",
    "\\frac{",
    "}{",
    "\\times",
    "(",
    ")",
    "[",
    "{",
    "}",
    "=",
    "+",
    "-",
    "*",
    "/",
    "%",
    "$",
    ",",
    ".",
    "1",
    "23",
    "4,567",
    "8.9",
    "0",
    "-3",
    "1/0",
    "1e308",
    "99999999999999999999",
    "x",
    "I can't help",
    "as an AI",
    "answer",
    "how many",
    "twice",
    "dozen",
    "hours",
    "minutes",
    "approximately",
    "the",
    "because",
    "{\"a\": 1}",
];

/// A deterministic sequence (no randomness in tests either).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }
    fn text(&mut self, len: usize) -> String {
        (0..len).map(|_| PIECES[self.next() % PIECES.len()]).collect()
    }
}

fn check(input: &JudgeInput) {
    for cfg in [QualityConfig::default(), QualityConfig::preset("strict").unwrap()] {
        let v = judge(input, &cfg, None);
        assert!((0.0..=1.0).contains(&v.score), "{} for {:?}", v.score, input.answer);
        assert!(!v.reason.is_empty());
        assert!(v.checks.iter().all(|c| (0.0..=1.0).contains(&c.score)));
        cascade_edge::value::from_str(&v.to_json()).unwrap();
    }
}

#[test]
fn random_mixtures_of_awkward_text() {
    let mut rng = Lcg(7);
    for round in 0..400 {
        let (ql, al) = (rng.next() % 12, rng.next() % 60);
        let q = rng.text(ql);
        let a = rng.text(al);
        let mut input = JudgeInput::text(&q, &a);
        if round % 3 == 0 {
            input.finish_reason = FinishReason::Unknown;
        }
        check(&input);
    }
}

#[test]
fn every_char_boundary_prefix_of_a_tricky_draft() {
    let draft = "Ünïcödé: 3 × 4 = 12 → <<3*4=12>>12 äpfel; ½ of 8 ≈ 4 👍🏽 \\frac{1}{4} \\times 8 = 2. ```py\nprint('日本')\n```\n#### 12";
    let q = "How many äpfel? ½ of them, twice as many, 日本?";
    for (i, _) in draft.char_indices() {
        let input = JudgeInput::text(q, &draft[..i]);
        check(&input);
    }
}

#[test]
fn structured_inputs_with_junk() {
    let schema = ResponseFormat::JsonSchema { name: None, schema: json!({"$ref": "#", "items": {"$ref": "#"}}) };
    let tools =
        vec![ToolSpec { name: "t".into(), description: "weather now".into(), parameters: json!({"$ref": "#"}) }];
    let calls = vec![ToolCall::new("1", "t", "[[[[[[1]]]]]]"), ToolCall::new("2", "t", "{\"a\":")];
    let lp = vec![
        TokenLogprob { token: "a".into(), logprob: f64::NAN, top_logprobs: vec![] },
        TokenLogprob { token: "b".into(), logprob: f64::NEG_INFINITY, top_logprobs: vec![] },
    ];
    let deep = "[".repeat(5000);
    for answer in ["", "{}", "[1,2,3]", deep.as_str(), "```json\n{\"a\": [1, 2]\n```"] {
        let mut input = JudgeInput::text("weather now as json?", answer);
        input.response_format = Some(&schema);
        input.tools = &tools;
        input.tool_calls = &calls;
        input.logprobs = Some(&lp);
        check(&input);
    }
}

#[test]
fn very_long_and_repetitive_inputs_stay_bounded() {
    let long = "The quick brown fox jumps over the lazy dog 12 + 30 = 42. ".repeat(2000);
    let v = judge(&JudgeInput::text(&long, &long), &QualityConfig::default(), None);
    assert!(!v.accepted);
    let one_word = "na ".repeat(5000);
    assert!(!judge(&JudgeInput::text("Sing", &one_word), &QualityConfig::default(), None).accepted);
    let parens = format!("{} = 1", "(".repeat(3000));
    check(&JudgeInput::text("What is it?", &parens));
}

// ---------------------------------------------------------------------------
// Cases the demo showed the judge getting wrong, kept as regressions.

use cascade_edge::quality::{judge_turn, Complexity, Turn, Verdict};

fn verdict(query: &str, answer: &str) -> Verdict {
    judge(&JudgeInput::text(query, answer), &QualityConfig::default(), None)
}

#[track_caller]
fn accepted(query: &str, answer: &str) {
    let v = verdict(query, answer);
    assert!(v.accepted, "{query} / {answer}: {}", v.reason);
}

#[track_caller]
fn rejected(query: &str, answer: &str) -> Verdict {
    let v = verdict(query, answer);
    assert!(!v.accepted, "{query} / {answer}: {}", v.reason);
    v
}

#[test]
fn translations_are_judged_as_translations() {
    let q = "Translate into Spanish: \"Where is the nearest train station?\"";
    accepted(q, "¿Dónde está la estación de tren más cercana?");
    accepted(q, "In Spanish: «¿Dónde está la estación de tren más cercana?»");
    // The quoted question's "how many" asks nothing of the draft.
    accepted("Translate 'How many apples are left?' into French", "Combien de pommes reste-t-il ?");
    accepted("Translate 'thank you' into Japanese", "ありがとうございます");
    accepted("Rewrite more politely: \"Where's my order?\"", "Could you please let me know where my order is?");
    // Left in the source language, or put into the wrong one: doubted.
    let untranslated = "Where is the nearest train station? It is the question you asked about, in English.";
    let v = rejected(q, untranslated);
    assert!(v.reason.contains("Spanish was asked for"), "{}", v.reason);
    rejected("Translate into Japanese: \"Good morning, how are you today?\"", "Buenos días, ¿cómo estás hoy?");
}

#[test]
fn measured_amounts_may_be_decimal() {
    let q = "How many kilometers is a marathon of 26.2 miles?";
    accepted(q, "26.2 miles is about 42.2 km (26.2 × 1.609 ≈ 42.16).");
    accepted(q, "26.2 miles is approximately 42.2 kilometres.");
    accepted(
        "How many kilometres are there in 26.2 miles?",
        "26.2 miles is about 42.2 kilometres (26.2 × 1.609 = 42.16 km), which is the length of a marathon.",
    );
    accepted("How many hours are 150 minutes?", "150 minutes is 2.5 hours.");
    accepted("How many pounds is 3 kg?", "3 kg is about 6.61 pounds.");
    accepted("Convert 100°F to Celsius", "37.8°C");
    // Counting things still wants a whole number.
    let v = rejected("A box holds 12 eggs. How many eggs are in 3 boxes?", "There are 36.5 eggs.");
    assert!(v.reason.contains("count"), "{}", v.reason);
}

#[test]
fn short_exact_technical_answers_pass() {
    for q in [
        "What is the time complexity of Dijkstra's algorithm with a binary heap?",
        "What is the time complexity of Dijkstra's algorithm when the priority queue is a binary heap?",
    ] {
        accepted(q, "O((V + E) log V).");
        accepted(q, "O(E log V)");
    }
    accepted("What is 2+2?", "4");
    accepted("Capital of France?", "Paris");
    accepted("What is the capital of France?", "Paris.");
}

const RAFT: &str = "Explain in detail how the Raft consensus algorithm handles leader election, log replication, \
                    and safety under network partitions, and compare it with Paxos.";

const RAFT_ANSWER: &str = "Raft splits consensus into leader election, log replication and a set of safety rules. \
Every server is a follower, a candidate or the leader, and time is divided into numbered terms. A follower that hears \
no heartbeat within a randomised election timeout becomes a candidate, increments its term, votes for itself and asks \
the others for votes. A server grants at most one vote per term, and only to a candidate whose log is at least as up to \
date as its own; a candidate with votes from a majority becomes leader. Randomised timeouts make split votes rare. \
The leader accepts client commands, appends them to its log and sends AppendEntries messages carrying the new entries \
together with the index and term of the entry before them; a follower rejects entries that do not match its log, and \
the leader backs up until the logs agree and then overwrites the follower's conflicting suffix. An entry from the \
current term is committed once a majority stores it, and committed entries are applied to the state machine in order. \
Under a network partition only the side with a majority can elect a leader or commit entries; a stale leader in the \
minority keeps failing to reach a majority, and when the partition heals it sees a higher term and steps down, and its \
uncommitted entries are replaced. The voting rule guarantees that any new leader already holds every committed entry. \
Compared with Paxos, Raft offers the same safety and liveness under the same failure model, but it builds everything \
around a strong leader and a log without holes, which makes it easier to understand and implement; Multi-Paxos allows \
more flexible ordering of proposals at the cost of a more intricate protocol.";

#[test]
fn shallow_answers_to_expert_questions_are_rejected() {
    let v = rejected(RAFT, "Raft elects a leader by voting. The leader replicates logs. It is safer than Paxos.");
    assert!(v.checks.iter().any(|c| c.name == "depth" && c.score < 0.5), "{v:?}");
    let v = verdict(RAFT, RAFT_ANSWER);
    assert!(v.accepted && v.complexity >= Complexity::Hard, "{}", v.reason);
    // The penalty is graded: a middling answer loses less than a thin one.
    let middling: String = RAFT_ANSWER.split(". ").take(5).collect::<Vec<_>>().join(". ");
    let thin = verdict(RAFT, "Raft elects a leader by voting. The leader replicates logs. It is safer than Paxos.");
    assert!(verdict(RAFT, &middling).score > thin.score);
    let q = "Under the GDPR, when can a company rely on 'legitimate interests' as its lawful basis for processing \
             personal data, what test does it have to carry out, and when is that basis unavailable?";
    rejected(
        q,
        "A company can rely on legitimate interests when it has a good business reason for the processing. \
                 It should make sure the processing is fair and tell people about it in its privacy notice.",
    );
}

#[test]
fn reasons_read_as_english() {
    let q = "Derive the asymptotic complexity of this recursive algorithm, prove its invariant holds, and design a \
             concurrent version with lower latency.";
    let v = verdict(q, RAFT_ANSWER);
    assert_eq!(v.complexity, Complexity::Expert);
    assert!(!v.reason.contains("a expert"), "{}", v.reason);
    let v = verdict(
        "Explain why the sky is blue.",
        "Sunlight scatters off air molecules, and blue light, with its \
        shorter wavelength, scatters far more than red, so the sky we see is lit mostly by scattered blue light.",
    );
    assert!(v.reason.starts_with("Accepted (0.") && v.reason.contains(" >= 0."), "{}", v.reason);
}

#[test]
fn tool_results_already_in_the_conversation_allow_a_text_answer() {
    let tools = vec![ToolSpec {
        name: "get_weather".into(),
        description: "Current weather for a city".into(),
        parameters: json!({"type": "object", "required": ["city"], "properties": {"city": {"type": "string"}}}),
    }];
    let mut input = JudgeInput::text("What's the weather in Oslo right now?", "It is 4 °C and raining in Oslo.");
    input.tools = &tools;
    let cfg = QualityConfig::default();
    assert!(!judge(&input, &cfg, None).accepted, "a first step must call the tool");
    let v = judge_turn(&input, Turn { has_tool_results: true }, &cfg, None);
    assert!(v.accepted, "{}", v.reason);
}

#[test]
fn a_lead_in_ending_in_a_colon_before_tool_calls_is_not_cut_off() {
    let tools = vec![ToolSpec {
        name: "update_list".into(),
        description: "Replace the shopping list".into(),
        parameters: json!({"type": "object", "required": ["items"], "properties": {"items": {"type": "array"}}}),
    }];
    let calls = vec![ToolCall::new("call_1", "update_list", r#"{"items": ["milk", "eggs"]}"#)];
    let mut input = JudgeInput::text("Add milk and eggs to my shopping list.", "Okay, I will update the list:");
    input.tools = &tools;
    input.tool_calls = &calls;
    let v = judge(&input, &QualityConfig::default(), None);
    assert!(v.checks.iter().all(|c| !c.veto), "{}", v.reason);
    assert!(v.accepted, "{}", v.reason);
    // With no tool call after it, the same text does promise more and stop.
    let v = judge(
        &JudgeInput::text("Add milk and eggs to my shopping list.", "Okay, I will update the list:"),
        &QualityConfig::default(),
        None,
    );
    assert!(v.checks.iter().any(|c| c.name == "completeness" && c.veto), "{}", v.reason);
}

#[test]
fn function_values_in_a_calculation_are_not_vetoed_as_wrong() {
    let q = "Is x = 1 a root of f(x) = x^3 - 6x^2 + 11x - 6? And x = 2?";
    let a = "Substitute each value.\nf(1) = 1 - 6 + 11 - 6 = 0, so x = 1 is a root.\n\
             P(2) = 8 - 24 + 22 - 6 = 0, so x = 2 is a root too.";
    let v = verdict(q, a);
    assert!(v.checks.iter().all(|c| !c.veto), "{}", v.reason);
    let v = verdict("What is 2 + 2?", "2 + 2 = 5");
    assert!(v.checks.iter().any(|c| c.name == "arithmetic" && c.veto), "{}", v.reason);
}
