//! Fuzz targets for every decoder and parser that reads what a provider, a
//! transport or a user sends: the SSE and NDJSON decoders, the JSON reader,
//! each wire's response and stream parser, custom providers' results,
//! error bodies, the transport's response text, configuration, and the
//! judge behind `scoreDraft`. In wasm a panic traps the instance (and a
//! Worker with it), so the bar is: no input panics.
//!
//! Why not cargo-fuzz or proptest: cargo-fuzz needs nightly and a fresh CI
//! machine has only stable; proptest would add a dependency tree to a
//! 2-core build whose budget is tight, and its strategies shrink values we
//! do not need shrunk (a failing case here is one seed and one document).
//! A SplitMix64 source and a mutator aimed at these grammars
//! (`tests/support/`) are small, deterministic and replay from a seed.
//!
//! Runs as a normal test: `cargo test --test fuzz`. Cases per target come
//! from `CASCADE_FUZZ_CASES` (absolute) or `CASCADE_FUZZ_SCALE` (times the
//! defaults, which keep CI to a few seconds per target); `CASCADE_FUZZ_SEED`
//! draws other cases; `CASCADE_FUZZ_REPLAY=target:seed` replays one case.
//! Results of the long run: bench/fuzz.md.

#[path = "../support/mutate.rs"]
mod mutate;
#[path = "../support/rng.rs"]
mod rng;

mod bodies;
mod config;
mod harness;
mod judge;
mod seeds;
mod streams;
mod tree;

use rng::Rng;

/// A document to feed a target: a seed with its bytes mutated, or its JSON
/// edited (which keeps it readable, so the edit reaches the field readers),
/// sometimes a seed untouched (the valid path must hold too), now and then
/// pure noise.
fn mutated(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    match rng.below(32) {
        0 => (0..rng.size(512)).map(|_| rng.next_u64() as u8).collect(),
        1 | 2 => rng.pick(seeds).clone(),
        3..=14 => {
            let seed = rng.pick(seeds);
            tree::edit_document(rng, seed).unwrap_or_else(|| seed.clone())
        }
        _ => {
            let mut doc = rng.pick(seeds).clone();
            mutate::mutate(rng, &mut doc, seeds::all());
            doc
        }
    }
}

/// Where to cut a body into network chunks: a few random places, every
/// byte, or small runs (which land inside CRLFs and multi-byte characters).
fn cuts(rng: &mut Rng, len: usize) -> Vec<usize> {
    let mut at: Vec<usize> = match rng.below(8) {
        // Byte by byte only where that stays quick: a 4 MB body would be
        // 4 million calls for the same coverage as small runs give.
        0 if len < 1 << 16 => (1..len).collect(),
        1 => {
            let mut v = Vec::new();
            let mut i = 0;
            while i < len {
                i += rng.between(1, 3);
                v.push(i.min(len));
            }
            v
        }
        _ => (0..rng.below(8)).map(|_| rng.below(len + 1)).collect(),
    };
    at.sort_unstable();
    at
}

/// `body` in the pieces `cuts` gives (empty pieces included: a transport
/// may hand over an empty chunk).
fn pieces<'a>(body: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut out = Vec::with_capacity(cuts.len() + 1);
    let mut from = 0;
    for &c in cuts {
        let c = c.clamp(from, body.len());
        out.push(&body[from..c]);
        from = c;
    }
    out.push(&body[from..]);
    out
}
