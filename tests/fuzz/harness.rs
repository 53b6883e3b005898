//! Runs a target's cases, each under `catch_unwind`, and turns a panic into
//! a report that replays it: target, case seed, panic site and input.

use std::cell::RefCell;
use std::fmt::Debug;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;
use std::time::Instant;

use crate::rng::{mix, seed_of, Rng};

/// Panics that belong to another engineer's file and are being fixed there.
/// A case whose panic message contains `needle` in `target` is counted, not
/// failed, so the branch stays green until the fix lands; the integrator
/// empties this list once it has.
pub struct KnownIssue {
    pub target: &'static str,
    /// All of these are in the panic message (which starts with its site).
    pub needles: &'static [&'static str],
    pub note: &'static str,
}

pub const KNOWN_ISSUES: &[KnownIssue] = &[];

/// Base seed of a run: fixed by default, so CI draws the same cases every
/// time and a red build is never luck; a long run passes another.
fn base_seed() -> u64 {
    env_u64("CASCADE_FUZZ_SEED").unwrap_or(0x00C0_FFEE)
}

fn env_u64(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    let v = v.trim();
    match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => v.parse().ok(),
    }
}

/// Cases for a target: `CASCADE_FUZZ_CASES` if set, else the target's
/// default (sized for a few seconds in a debug build) times
/// `CASCADE_FUZZ_SCALE`, which the long run sets to 100.
fn case_count(default: u64) -> u64 {
    env_u64("CASCADE_FUZZ_CASES").unwrap_or_else(|| default.saturating_mul(env_u64("CASCADE_FUZZ_SCALE").unwrap_or(1)))
}

thread_local! {
    /// Set while a case runs: the hook stores the panic here instead of
    /// printing it, since a run may catch thousands.
    static CAUGHT: RefCell<Option<String>> = const { RefCell::new(None) };
    static CAPTURING: RefCell<bool> = const { RefCell::new(false) };
}

fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if CAPTURING.with(|c| *c.borrow()) {
                CAUGHT.with(|c| *c.borrow_mut() = Some(info.to_string()));
            } else {
                default(info);
            }
        }));
    });
}

struct Failure {
    case: u64,
    seed: u64,
    panic: String,
    input: String,
}

/// Run `cases` of `target`: `generate` draws an input from the case's own
/// seed, `exercise` feeds it to the code under test. Only `exercise` is
/// guarded: a panic while generating is a bug in the fuzzer itself.
///
/// `CASCADE_FUZZ_REPLAY=target:seed` runs that one case alone and prints
/// its input and panic, known issue or not.
pub fn run<I: Debug>(target: &str, default_cases: u64, generate: impl Fn(&mut Rng) -> I, exercise: impl Fn(&I)) {
    install_hook();
    let replay = std::env::var("CASCADE_FUZZ_REPLAY").ok();
    let seeds: Vec<(u64, u64)> = match replay.as_deref().and_then(|r| r.split_once(':')) {
        Some((t, s)) if t == target => {
            let s = s.trim_start_matches("0x");
            vec![(0, u64::from_str_radix(s, 16).expect("CASCADE_FUZZ_REPLAY=target:hexseed"))]
        }
        Some(_) => return,
        None => {
            let base = mix(base_seed() ^ seed_of(target));
            (0..case_count(default_cases)).map(|i| (i, mix(base.wrapping_add(i)))).collect()
        }
    };
    let started = Instant::now();
    let mut failures: Vec<Failure> = Vec::new();
    let mut known = vec![0u64; KNOWN_ISSUES.len()];
    let mut slowest = (0.0f64, 0u64);
    for &(case, seed) in &seeds {
        let input = generate(&mut Rng::new(seed));
        if replay.is_some() {
            eprintln!("fuzz {target}: replaying seed {seed:016x} on {input:?}");
        }
        let t = Instant::now();
        CAPTURING.with(|c| *c.borrow_mut() = true);
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| exercise(&input)));
        CAPTURING.with(|c| *c.borrow_mut() = false);
        let took = t.elapsed().as_secs_f64();
        if took > slowest.0 {
            slowest = (took, seed);
        }
        if outcome.is_ok() {
            continue;
        }
        let msg = CAUGHT.with(|c| c.borrow_mut().take()).unwrap_or_else(|| "(no message)".into());
        if replay.is_some() {
            eprintln!("fuzz {target}: {}", msg.replace('\n', " "));
        }
        if let Some(i) =
            KNOWN_ISSUES.iter().position(|k| k.target == target && k.needles.iter().all(|n| msg.contains(n)))
        {
            known[i] += 1;
            continue;
        }
        let input = format!("{input:?}");
        save(target, seed, &msg, &input);
        failures.push(Failure { case, seed, panic: msg, input });
        if failures.len() >= 10 {
            break;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "fuzz {target}: {} cases in {secs:.2}s, {} panics; slowest case {:.1} ms (seed {:016x})",
        seeds.len(),
        failures.len(),
        slowest.0 * 1000.0,
        slowest.1
    );
    for (k, n) in KNOWN_ISSUES.iter().zip(&known).filter(|(_, n)| **n > 0) {
        eprintln!("fuzz {target}: {n} cases hit a known issue: {}", k.note);
    }
    if failures.is_empty() {
        return;
    }
    let mut report = format!("{target}: {} of {} cases panicked\n", failures.len(), seeds.len());
    for f in &failures {
        let shown: String = f.input.chars().take(600).collect();
        report.push_str(&format!(
            "\n  case {} seed {:016x}: {}\n  replay: CASCADE_FUZZ_REPLAY={target}:{:016x} cargo test --test fuzz {target}\n  input: {shown}{}\n",
            f.case,
            f.seed,
            f.panic.replace('\n', " "),
            f.seed,
            if shown.len() < f.input.len() { " …(whole input in target/fuzz-failures/)" } else { "" },
        ));
    }
    panic!("{report}");
}

/// Keep the whole input of a failure: the report shows only its start.
fn save(target: &str, seed: u64, msg: &str, input: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-failures");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("{target}-{seed:016x}.txt")), format!("{msg}\n\n{input}\n"));
}
