use super::*;
use crate::quality::checks::testing::with;

fn fin(text: &str) -> Option<Final> {
    extract(&Text::new(text), &[])
}

#[test]
fn final_answer_forms() {
    assert_eq!(fin("so 540.\n#### 540").map(|f| f.value), Some(540.0));
    assert_eq!(fin("Thus \\boxed{42}.").map(|f| f.value), Some(42.0));
    assert_eq!(fin("The answer is $1,200.").map(|f| (f.value, f.kind)), Some((1200.0, Kind::Explicit)));
    assert_eq!(fin("Final answer: forty").map(|f| f.value), Some(40.0));
    assert_eq!(fin("Working...\nSo he pays **$36** in total.").map(|f| f.value), Some(36.0));
    let f = fin("She slept 8 + 6 + 4 + 25 = 43 hours.").unwrap();
    assert_eq!((f.value, f.kind), (43.0, Kind::Equals));
    let f = fin("So, Tracy obtained 8 pieces of wire after cutting it into 6-inch pieces.").unwrap();
    assert_eq!((f.value, f.kind, f.ambiguous), (8.0, Kind::Sentence, true));
    assert_eq!(fin("The temperature fell to -5 degrees.").map(|f| f.value), Some(-5.0));
    assert!(fin("No numbers here.").is_none());
    assert!(fin("").is_none());
    let given = extract(&Text::new("15% of 80 is 12."), &[15.0, 0.15, 80.0]).unwrap();
    assert_eq!((given.value, given.ambiguous), (12.0, false));
}

fn check(q: &str, a: &str) -> (Option<CheckOutcome>, Option<CheckOutcome>, Option<CheckOutcome>) {
    let r = crate::quality::checks::arith::scan(&Text::new(a));
    with(q, a, |c| (arithmetic(c, &r), final_answer(c, &r), working(c, &r)))
}

const Q: &str =
    "James runs 3 sprints 3 times a week. He runs 60 meters each sprint. How many total meters does he run a week?";

#[test]
fn a_clean_worked_answer_passes() {
    let a = "Each session is 3 x 60 = 180 meters.\nA week is 180 x 3 = 540 meters.\n#### 540";
    let (ar, fa, wk) = check(Q, a);
    assert!(ar.unwrap().passed);
    assert_eq!(fa.unwrap().score, 1.0);
    assert!(wk.unwrap().score >= 0.99);
}

#[test]
fn wrong_steps_and_bad_finals_are_caught() {
    let (ar, _, _) = check(Q, "Each session is 3 x 60 = 190 meters.\n#### 570");
    let ar = ar.unwrap();
    assert!(ar.veto && ar.detail.contains("180"), "{ar:?}");
    // An answer that contradicts the working.
    let (_, fa, _) = check(Q, "Each session is 3 x 60 = 180 meters, so 180 x 3 = 540.\n#### 480");
    assert!(fa.unwrap().score <= 0.5);
    // A fractional measure worked from whole numbers is doubtful, a
    // fractional count more so.
    let (_, fa, _) = check(Q, "He runs 60 / 7 = 8.57 meters a day on average.\n#### 8.57");
    assert!(fa.unwrap().score <= 0.5);
    let q = "James has 3 bags of 60 marbles. He shares them with 7 friends. How many marbles does each get?";
    let (_, fa, _) = check(q, "Each gets 180 / 7 = 25.71 marbles.\n#### 25.71");
    assert!(fa.unwrap().score < 0.5);
    // Numbers but no conclusion.
    let (_, fa, _) = check(Q, "Let me think. 3 sprints and 60 meters, so we need to multiply things");
    assert!(fa.is_some_and(|o| o.score < 0.5));
}

#[test]
fn measures_take_decimals_and_approximations() {
    let q = "How many kilometers is a marathon of 26.2 miles?";
    let (_, fa, _) = check(q, "26.2 miles is about 42.2 km (26.2 × 1.609 ≈ 42.16).");
    let fa = fa.unwrap();
    assert_eq!(fa.score, 1.0, "{fa:?}");
    let (_, fa, _) = check("How many hours is 150 minutes?", "150 minutes is 2.5 hours.");
    assert_eq!(fa.unwrap().score, 1.0);
    let (_, fa, _) =
        check("How many liters does the 20 liter tank hold after 26 are poured out?", "It holds -6 liters.");
    assert!(fa.unwrap().score < 0.5);
    // Several figures that are one value at two precisions are not ambiguous.
    let f = fin("That is about 42.2 km, or 42.16 km exactly.").unwrap();
    assert!(!f.ambiguous);
    let f = fin("So the trip takes 3 hours and costs 45 dollars.").unwrap();
    assert!(f.ambiguous);
}

#[test]
fn ignoring_the_given_quantities_costs() {
    let q = "A farmer has 12 cows and 7 horses. Each cow eats 4 bales and each horse eats 3 bales a week. How many bales are eaten in a week?";
    let (_, _, good) =
        check(q, "Cows eat 12 x 4 = 48 bales and horses eat 7 x 3 = 21 bales, so 48 + 21 = 69 bales.\n#### 69");
    let (_, _, bad) = check(q, "The cows eat 12 x 4 = 48 bales in a week, so that is the total.\n#### 48");
    assert!(good.unwrap().score > bad.unwrap().score);
}

#[test]
fn not_numeric_not_applicable() {
    let (ar, fa, wk) = check("Why is the sky blue?", "Because of Rayleigh scattering.");
    assert!(ar.is_none() && fa.is_none() && wk.is_none());
}
