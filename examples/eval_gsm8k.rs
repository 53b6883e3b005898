//! Measure the judge as a cascade router on labelled drafts, with no model
//! calls: every record already holds a cheap model's draft, a strong
//! model's answer, and whether each was right.
//!
//!     cargo run --release --example eval_gsm8k -- /work/shared/data/gsm8k-cascade-dev.jsonl
//!
//! Prints the RouteLLM metrics (CPT(50%), CPT(80%), APGR) for the ranking
//! `1 - verdict.score`, then what the judge's own accept/escalate decision
//! costs and reaches under each preset. `EVAL_CHECKS=1` adds per-check
//! statistics; `EVAL_SHOW=n` prints the n most confidently wrong calls;
//! `EVAL_DUMP=file` writes one line per record (score, draft right, reason)
//! so that two versions of the judge can be compared record by record.

use std::collections::BTreeMap;
use std::time::Instant;

use cascade_edge::pricing::{estimate_tokens, lookup};
use cascade_edge::quality::eval::{at_decision, summarize, EvalRecord};
use cascade_edge::quality::{judge, JudgeInput, QualityConfig, Verdict};
use serde_json::Value;

struct Row {
    query: String,
    draft: String,
    draft_ok: bool,
    verifier_ok: bool,
    draft_model: String,
    verifier_model: String,
    answer_tokens: (u64, u64),
}

fn load(path: &str) -> Result<Vec<Row>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).map_err(|e| format!("{path}:{}: {e}", i + 1))?;
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let b = |k: &str| v.get(k).and_then(Value::as_bool).ok_or_else(|| format!("{path}:{}: missing {k}", i + 1));
        rows.push(Row {
            answer_tokens: (estimate_tokens(&s("draft")), estimate_tokens(&s("verifier"))),
            query: s("query"),
            draft: s("draft"),
            draft_ok: b("draft_correct")?,
            verifier_ok: b("verifier_correct")?,
            draft_model: s("draft_model"),
            verifier_model: s("verifier_model"),
        });
    }
    Ok(rows)
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".into(), |v| format!("{:.1}%", v * 100.0))
}

/// USD per query for the cascade: the draft always, the verifier when escalated.
fn cost(rows: &[Row], escalate: &[bool]) -> Option<(f64, f64)> {
    let (mut cascade, mut verifier_only) = (0.0, 0.0);
    for (r, &e) in rows.iter().zip(escalate) {
        let d = lookup("", &r.draft_model)?;
        // gpt-4-1106-preview is GPT-4 Turbo, billed as such.
        let vm = if r.verifier_model.starts_with("gpt-4-1106") { "gpt-4-turbo" } else { &r.verifier_model };
        let v = lookup("", vm)?;
        let q = estimate_tokens(&r.query) as f64;
        let draft_cost = (q * d.input_per_m + r.answer_tokens.0 as f64 * d.output_per_m) / 1e6;
        let ver_cost = (q * v.input_per_m + r.answer_tokens.1 as f64 * v.output_per_m) / 1e6;
        cascade += draft_cost + if e { ver_cost } else { 0.0 };
        verifier_only += ver_cost;
    }
    let n = rows.len().max(1) as f64;
    Some((cascade / n, verifier_only / n))
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: eval_gsm8k <records.jsonl>");
        std::process::exit(2);
    };
    let rows = match load(&path) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let cfg = QualityConfig::default();
    let started = Instant::now();
    let verdicts: Vec<Verdict> =
        rows.iter().map(|r| judge(&JudgeInput::text(&r.query, &r.draft), &cfg, None)).collect();
    let per_call = started.elapsed().as_secs_f64() * 1e6 / rows.len().max(1) as f64;
    let records: Vec<EvalRecord> = rows
        .iter()
        .zip(&verdicts)
        .map(|(r, v)| EvalRecord {
            escalation: v.escalation_score(),
            draft_correct: r.draft_ok,
            verifier_correct: r.verifier_ok,
        })
        .collect();

    let s = summarize(&records);
    println!("{path}: {} records, judged in {per_call:.1} µs each", s.records);
    println!("draft-only quality {:.1}%, verifier-only {:.1}%", s.draft_quality * 100.0, s.verifier_quality * 100.0);
    println!("ranking by 1 - score:");
    println!("  CPT(50%) {}", pct(s.cpt50));
    println!("  CPT(80%) {}", pct(s.cpt80));
    println!("  APGR     {}", s.apgr.map_or_else(|| "n/a".into(), |a| format!("{a:.3}")));
    let distinct = {
        let mut v: Vec<u64> = verdicts.iter().map(|v| v.score.to_bits()).collect();
        v.sort_unstable();
        v.dedup();
        v.len()
    };
    println!("  distinct scores: {distinct}");
    // Stability: the same metrics on each half (odd / even lines).
    let half = |k: usize| -> Vec<EvalRecord> { records.iter().skip(k).step_by(2).copied().collect() };
    let (a, b) = (summarize(&half(0)), summarize(&half(1)));
    println!(
        "  halves: APGR {:.3} / {:.3}, CPT(50%) {} / {}",
        a.apgr.unwrap_or(f64::NAN),
        b.apgr.unwrap_or(f64::NAN),
        pct(a.cpt50),
        pct(b.cpt50)
    );

    println!("at the judge's own decision:");
    for (name, _) in cascade_edge::quality::PRESETS {
        let Some(preset) = QualityConfig::preset(name) else { continue };
        let escalate: Vec<bool> =
            rows.iter().map(|r| !judge(&JudgeInput::text(&r.query, &r.draft), &preset, None).accepted).collect();
        let d = at_decision(&records, &escalate);
        let money = cost(&rows, &escalate).map_or_else(String::new, |(c, v)| {
            format!(", ${:.5}/query vs ${v:.5} verifier-only ({:.0}% saved)", c, (1.0 - c / v) * 100.0)
        });
        let default = if name == "balanced" { " (default)" } else { "" };
        println!(
            "  {name:<15}{default:<10} escalated {:.1}%, quality {:.1}% (gap recovered {}){money}",
            d.escalated_share * 100.0,
            d.quality * 100.0,
            pct(d.pgr)
        );
    }

    if let Ok(path) = std::env::var("EVAL_DUMP") {
        dump(&path, &rows, &verdicts);
    }
    if std::env::var("EVAL_CHECKS").is_ok() {
        check_stats(&rows, &verdicts);
    }
    if let Some(n) = std::env::var("EVAL_SHOW").ok().and_then(|v| v.parse::<usize>().ok()) {
        show_mistakes(&rows, &verdicts, n);
    }
}

/// One line per record (score, draft correct, reason), for diffing two
/// versions of the judge record by record.
fn dump(path: &str, rows: &[Row], verdicts: &[Verdict]) {
    let lines: Vec<String> = rows
        .iter()
        .zip(verdicts)
        .enumerate()
        .map(|(i, (r, v))| format!("{i}\t{:.4}\t{}\t{}", v.score, u8::from(r.draft_ok), v.reason))
        .collect();
    if let Err(e) = std::fs::write(path, lines.join("\n") + "\n") {
        eprintln!("{path}: {e}");
    }
}

/// Per check: how often it fired (concern or veto) on right and wrong drafts.
fn check_stats(rows: &[Row], verdicts: &[Verdict]) {
    let mut stats: BTreeMap<&str, [u32; 4]> = BTreeMap::new();
    for (r, v) in rows.iter().zip(verdicts) {
        for c in &v.checks {
            let e = stats.entry(c.name).or_default();
            let fired = c.veto || (c.weight > 0.0 && c.score < 1.0);
            if fired {
                e[usize::from(r.draft_ok)] += 1;
            }
            if c.veto {
                e[2 + usize::from(r.draft_ok)] += 1;
            }
        }
    }
    println!("check           fired on wrong/right drafts   vetoed wrong/right");
    for (name, [fw, fr, vw, vr]) in stats {
        println!("  {name:<14} {fw:>6} / {fr:<6}                {vw:>5} / {vr}");
    }
}

fn show_mistakes(rows: &[Row], verdicts: &[Verdict], n: usize) {
    let mut idx: Vec<usize> = (0..rows.len()).collect();
    idx.sort_by(|&a, &b| verdicts[b].score.total_cmp(&verdicts[a].score));
    println!("\nwrong drafts the judge trusts most:");
    for &i in idx.iter().filter(|&&i| !rows[i].draft_ok).take(n) {
        println!(
            "--- score {:.3}: {}\nQ: {}\nD: {}\n",
            verdicts[i].score, verdicts[i].reason, rows[i].query, rows[i].draft
        );
    }
    println!("\nright drafts the judge doubts most:");
    for &i in idx.iter().rev().filter(|&&i| rows[i].draft_ok).take(n) {
        println!(
            "--- score {:.3}: {}\nQ: {}\nD: {}\n",
            verdicts[i].score, verdicts[i].reason, rows[i].query, rows[i].draft
        );
    }
}
