use super::*;
use crate::quality::checks::testing::with;
use crate::quality::checks::Ctx;
use crate::quality::JudgeInput;

#[test]
fn empty_and_cut_drafts_are_vetoed() {
    with("What is 2+2?", "   ", |c| assert!(completeness(c).veto));
    with("What is 2+2?", "4", |c| assert!(!completeness(c).veto));
    let mut input = JudgeInput::text("Tell me a story", "Once upon a time there was");
    input.finish_reason = FinishReason::Length;
    assert!(completeness(&Ctx::read(&input, &crate::quality::QueryFacts::read(input.query), Default::default())).veto);
    for cut in [
        "The total is 15 + 25 = <<15+2",
        "So she has 3 * 4 =",
        "So, Harald sold 88,00",
        "We can set up the following equation:",
        "Here is the code:\n```python\ndef f(x):\n    return (x",
        "The main reason is that the growth of the",
    ] {
        with("q", cut, |c| assert!(completeness(c).veto, "{cut}"));
    }
    for fine in [
        "Paris",
        "4",
        "#### 540",
        "The answer is **42**",
        "He ran 540 meters.",
        "Use `a-b`",
        "Visit https://example.com/",
        "See below:\n- one\n- two",
    ] {
        with("q", fine, |c| assert!(!completeness(c).veto, "{fine}"));
    }
}

#[test]
fn refusals_and_unsure_answers() {
    with("How do I pick a lock?", "I'm sorry, but I can't help with that.", |c| {
        assert!(refusal(c).is_some_and(|o| o.veto));
    });
    with("What is your opinion?", "As an AI, I don't have personal opinions.", |c| {
        assert!(refusal(c).is_some_and(|o| o.veto));
    });
    with("Who won the 1950 election in Narnia?", "I don't know.", |c| {
        let o = refusal(c).unwrap();
        assert!(!o.passed && !o.veto);
    });
    with("What is 2+2?", "4", |c| assert!(refusal(c).is_none()));
}

#[test]
fn hedging_lowers_the_score_with_density() {
    let calm = with("How tall is Everest?", "Everest is 8,849 metres tall.", hedging);
    assert!(calm.is_none());
    let unsure = with(
        "How tall is Everest?",
        "It is maybe around 8,000 metres, perhaps more, probably less; I guess it seems roughly that.",
        |c| hedging(c).unwrap(),
    );
    assert!(unsure.score < 0.6, "{unsure:?}");
    // Corrections count where a single right answer exists.
    let q = "Tom has 3 bags of 4 apples. How many apples?";
    let fixed = with(q, "3 * 4 = 7. Wait, that is a mistake: 3 * 4 = 12.", |c| hedging(c).unwrap());
    assert!(fixed.score < 0.8);
}

#[test]
fn loops_are_caught_and_prose_is_not() {
    let looped = "the cat sat on the mat and ".repeat(20);
    with("Write a sentence about a cat", &looped, |c| {
        let o = repetition(c).unwrap();
        assert!(o.veto && o.score <= 0.1, "{o:?}");
    });
    let stuck = format!("The answer is {}", "very ".repeat(15));
    with("Describe it", &stuck, |c| assert!(repetition(c).is_some_and(|o| o.veto)));
    let prose = "Photosynthesis lets plants turn light into chemical energy. Chlorophyll in the leaves absorbs \
                 mostly red and blue light, and the energy splits water into oxygen and hydrogen. The hydrogen \
                 then helps fix carbon dioxide into sugars through the Calvin cycle, which feeds the plant.";
    with("How does photosynthesis work?", prose, |c| assert!(repetition(c).is_none()));
}

#[test]
fn wrong_language_or_script() {
    with(
        "What is the capital of France?",
        "Столица Франции — Париж, это большой город.",
        |c| {
            assert!(language(c).is_some_and(|o| !o.passed));
        },
    );
    with(
        "Why is the sky blue during the day?",
        "El cielo es azul porque la luz del sol se dispersa en la atmósfera y los colores azules se dispersan más.",
        |c| assert!(language(c).is_some_and(|o| !o.passed)),
    );
    with("Translate 'thank you' into Japanese", "ありがとうございます", |c| assert!(language(c).is_none()));
    with(
        "Answer in Spanish: why is the sky blue?",
        "El cielo es azul porque la luz se dispersa en la atmósfera.",
        |c| assert!(language(c).is_none()),
    );
    with("Why is the sky blue?", "Because air scatters blue light more than red light, so the sky looks blue.", |c| {
        assert!(language(c).is_none())
    });
}

#[test]
fn odd_unicode_is_safe_everywhere() {
    for a in ["👍🏽", "é", "\u{301}", "日本語", "a\u{0}b", "🙂 🙂 🙂 🙂 🙂 🙂 🙂 🙂 🙂 🙂 🙂 🙂 🙂 🙂 🙂"]
    {
        with("q?", a, |c| {
            let _ = completeness(c);
            let _ = refusal(c);
            let _ = hedging(c);
            let _ = repetition(c);
            let _ = language(c);
        });
    }
}
