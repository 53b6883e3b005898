use super::*;
use crate::quality::checks::testing::with;

fn depth_of(q: &str, a: &str) -> Option<CheckOutcome> {
    with(q, a, depth)
}

const RAFT: &str = "Explain in detail how the Raft consensus algorithm handles leader election, log replication, \
                    and safety under network partitions, and compare it with Paxos.";

#[test]
fn shallow_answers_to_demanding_questions_lose() {
    let o =
        depth_of(RAFT, "Raft elects a leader by voting. The leader replicates logs. It is safer than Paxos.").unwrap();
    assert!(o.score < 0.4, "{o:?}");
    let o =
        depth_of("Explain in detail why the Roman Empire fell and compare it with the Han dynasty.", "Taxes.").unwrap();
    assert!(!o.passed, "{o:?}");
}

#[test]
fn the_loss_is_graded() {
    let sentence = "Raft keeps a replicated log consistent by electing one leader per term with majority votes. ";
    let scores: Vec<f64> =
        [1, 3, 6, 16].iter().map(|&n| depth_of(RAFT, &sentence.repeat(n)).map_or(1.0, |o| o.score)).collect();
    assert!(scores.windows(2).all(|w| w[0] < w[1] || w[1] == 1.0), "{scores:?}");
    assert_eq!(scores.last(), Some(&1.0));
}

#[test]
fn short_answers_to_simple_or_factual_questions_are_fine() {
    for (q, a) in [
        ("What is 2+2?", "4"),
        ("Capital of France?", "Paris"),
        ("What is the time complexity of Dijkstra's algorithm with a binary heap?", "O((V + E) log V)."),
        ("What is the time complexity of Dijkstra's algorithm when the priority queue is a binary heap?", "O(E log V)"),
        ("Who wrote Hamlet?", "Shakespeare."),
        ("Explain recursion in one sentence.", "A function that calls itself on a smaller input."),
        ("Briefly, why is the sky blue?", "Air scatters blue light more than red."),
    ] {
        assert!(depth_of(q, a).is_none_or(|o| o.passed), "{q} / {a}");
    }
}

#[test]
fn separately_asked_parts_must_be_touched() {
    let q = "Under the GDPR, when can a company rely on 'legitimate interests' as its lawful basis for processing \
             personal data, what test does it have to carry out, and when is that basis unavailable?";
    let thin = "A company can rely on legitimate interests when it has a good business reason for the processing. \
                It should make sure the processing is fair and tell people about it in its privacy notice.";
    let o = depth_of(q, thin).unwrap();
    assert!(o.score < 0.7 && o.detail.contains("3 things"), "{o:?}");
    let full = "It may rely on legitimate interests when processing is necessary for its own interest or a third \
                party's and that interest is not overridden by the rights of the people concerned. It must carry out \
                a three-part test: purpose, necessity and balancing. The basis is unavailable to public authorities \
                acting in their official tasks, and it cannot alone justify special-category data.";
    assert!(depth_of(q, full).is_none_or(|o| o.score > 0.9), "{:?}", depth_of(q, full));
}

#[test]
fn values_and_transformations_are_left_alone() {
    let q = "Tom has 3 boxes of 12 apples. How many apples does he have, and how many boxes?";
    assert!(depth_of(q, "36 apples and 3 boxes.").is_none());
    assert!(depth_of("Summarise in one sentence: Cats sleep a lot and hunt at night.", "Cats sleep by day.").is_none());
    assert!(depth_of("Translate into Spanish: \"Explain why the sky is blue.\"", "Explica por qué el cielo es azul.")
        .is_none());
}

#[test]
fn a_stated_length_sets_the_demand() {
    let q = "Describe the water cycle in 200 words.";
    let o = depth_of(q, "Water evaporates, condenses into clouds and falls as rain.").unwrap();
    assert!(o.score < 0.5, "{o:?}");
}
