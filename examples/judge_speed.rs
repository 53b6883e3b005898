//! How long one `judge()` call takes: on a one-word answer, on 300 and
//! 500 words of explanatory prose (the common case), and on a worked
//! answer dense with calculations (the costliest case, since every
//! calculation is re-done).
//!
//!     cargo run --release --example judge_speed [calculation|prose|one-word]
//!
//! The judge runs on every draft before anything is returned, so its cost
//! adds straight to latency; this keeps that cost visible.

use std::hint::black_box;
use std::time::Instant;

use cascade_edge::quality::{judge, JudgeInput, QualityConfig};

const QUERY: &str = "A bakery sells 120 loaves a day at $3.50 each. Flour costs $0.80 per loaf and staff cost \
$150 a day. It opens 6 days a week. How much profit does it make in 4 weeks, and what share of revenue is profit?";

/// About 500 words of worked arithmetic: nearly every sentence calculates.
const DRAFT: &str = "Let's work through this one piece at a time, starting with a single day and then scaling up.

**Daily revenue.** The bakery sells 120 loaves each day, and every loaf goes for $3.50. Multiplying the two gives the money that comes in: 120 x $3.50 = $420 per day. Nothing else is sold, so this is the whole of the daily takings.

**Daily costs.** Two kinds of cost come out of that. Flour is a variable cost: it scales with the number of loaves baked, at $0.80 each, so flour costs 120 * $0.80 = $96 a day. Staff are a fixed cost of $150 a day whether the shop is busy or quiet. Adding them, the daily costs are $96 + $150 = $246.

**Daily profit.** Profit is what remains after costs: $420 - $246 = $174 on each day the bakery is open. It is worth pausing here to sanity-check the figure. Flour eats a little under a quarter of revenue (96 / 420 is about 0.23), and wages take roughly a third, so keeping around two fifths of the takings as profit is plausible for a small shop with low rent.

**Weekly profit.** The shop opens 6 days a week and is closed on the seventh, which earns nothing but also costs nothing, because staff are only paid on open days. A week's profit is therefore 6 x $174 = $1,044, on revenue of 6 x $420 = $2,520.

**Four weeks.** Over 4 weeks the bakery is open 4 x 6 = 24 days. Profit over the period is 24 x $174 = $4,176, which matches 4 x $1,044 = $4,176 computed from the weekly figure. Revenue over the same period is 24 x $420 = $10,080, and costs are 24 x $246 = $5,904; as a check, $10,080 - $5,904 = $4,176 again.

**Profit as a share of revenue.** The second part of the question asks what fraction of revenue ends up as profit. Dividing the four-week totals gives $4,176 / $10,080 = 0.414, or about 41.4%. Because every open day looks the same, the ratio does not depend on the period: a single day gives 174 / 420 = 0.414 as well.

**Things that would change the answer.** If flour prices rose to $1.00 a loaf, daily flour would cost 120 x $1.00 = $120 and daily profit would fall to $420 - $120 - $150 = $150, cutting the four-week profit to 24 x $150 = $3,600. If the shop instead opened a seventh day with the same sales, the period would have 28 open days and the profit would climb to 28 x $174 = $4,872. Seasonal swings in demand, spoilage of unsold loaves and rent are ignored here because the question does not mention them, but in a real business each would move the margin.

**Summary.** Revenue is $420 a day, costs are $246 a day, and profit is $174 a day. Over four weeks of six open days the bakery earns a profit of $4,176, which is about 41.4% of its $10,080 revenue.

#### 4176";

const PROSE_QUERY: &str = "How do vaccines train the immune system, and why do some need boosters?";

/// About 500 words of explanatory prose, the common case.
const PROSE: &str = "Vaccines work by giving the immune system a safe preview of a germ, so that it can prepare its defences before meeting the real thing.

The immune system has two broad layers. The innate layer reacts within minutes to anything that looks foreign, but it does not learn. The adaptive layer is slower and far more precise: B cells make antibodies that latch onto specific shapes on a germ, and T cells either help coordinate the response or kill infected cells directly. Crucially, the adaptive layer remembers. After an infection, a small population of long-lived memory B and T cells stays behind, ready to respond much faster and more strongly the next time.

A vaccine exploits that memory without the danger of the disease. Depending on the type, it contains a weakened or inactivated germ, a harmless piece of one such as a surface protein, or instructions (mRNA or a viral vector) that let your own cells briefly make that protein. Either way, immune cells encounter the characteristic shapes, called antigens, and mount a response. Many vaccines also include an adjuvant, an ingredient that acts as an alarm signal so the innate layer takes the antigen seriously and passes it to the adaptive layer.

Over the following weeks, B cells that happen to recognise the antigen multiply and refine their antibodies in structures called germinal centres, a process that improves how tightly the antibodies bind. Some become plasma cells that pump out antibodies; others become memory cells. Helper T cells support this, and killer T cells learn to spot infected cells. If the real germ arrives later, this prepared army responds in days rather than weeks, often clearing the infection before it causes serious illness.

Boosters exist for several reasons. First, protection can fade: antibody levels fall over months or years, and some memory cells are lost, so a reminder dose tops them up and often produces better antibodies than the first round did. Second, some vaccines use antigens that provoke a weaker response, such as inactivated germs or purified proteins, and need several doses to build durable memory. Third, the germ itself may change. Influenza mutates so quickly that a new formulation is needed every year, and coronavirus variants have shifted enough that updated boosters restore a closer match.

Timing matters too. Spacing doses allows each round of germinal-centre training to mature, which is why schedules often leave weeks or months between them. Age and health also play a role: older adults and people with weakened immune systems may respond less strongly and benefit from extra or higher doses.

In short, a vaccine is a rehearsal. It teaches the adaptive immune system what to look for, leaves behind memory cells that can act quickly, and boosters refresh or update that memory when it fades or when the germ changes.";

fn time(input: &JudgeInput, cfg: &QualityConfig) -> f64 {
    for _ in 0..200 {
        black_box(judge(black_box(input), cfg, None));
    }
    let (runs, iters) = (15, 2000);
    let mut best = f64::INFINITY;
    for _ in 0..runs {
        let t = Instant::now();
        for _ in 0..iters {
            black_box(judge(black_box(input), cfg, None));
        }
        best = best.min(t.elapsed().as_secs_f64() * 1e6 / iters as f64);
    }
    best
}

/// About the first `n` words of `text`, ending with a whole sentence.
fn first_words(text: &str, n: usize) -> &str {
    let cut = words_prefix(text, n);
    cut.rfind(". ").or_else(|| cut.rfind(".\n")).and_then(|p| cut.get(..=p)).unwrap_or(cut)
}

/// The first `n` words of `text`, cut at a word boundary.
fn words_prefix(text: &str, n: usize) -> &str {
    let mut seen = 0;
    let mut in_word = false;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if in_word {
                seen += 1;
                if seen == n {
                    return text.get(..i).unwrap_or(text);
                }
            }
            in_word = false;
        } else {
            in_word = true;
        }
    }
    text
}

fn main() {
    let cfg = QualityConfig::default();
    let prose_300 = first_words(PROSE, 310);
    let cases = [
        ("What is the capital of France?", "Paris", "one-word answer"),
        (PROSE_QUERY, prose_300, "prose draft"),
        (PROSE_QUERY, PROSE, "prose draft"),
        (QUERY, DRAFT, "calculation-dense draft"),
    ];
    // An argument keeps only the cases whose label holds it (for profiling one).
    let only = std::env::args().nth(1).unwrap_or_default();
    for (query, answer, what) in cases.into_iter().filter(|c| c.2.contains(only.as_str())) {
        let input = JudgeInput::text(query, answer);
        let v = judge(&input, &cfg, None);
        let words = answer.split_whitespace().count();
        println!("{words}-word {what}: accepted={} score={:.3}", v.accepted, v.score);
        println!("  {}", v.reason);
        println!("  judge(): {:.2} µs per call (best of 15 runs of 2000)", time(&input, &cfg));
    }
}
