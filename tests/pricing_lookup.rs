//! The built-in price table as a configuration sees it: a tier without a
//! price gets its model's list price, or none at all, never a relative's.

use cascade_edge::config::parse_agent;
use cascade_edge::json;

#[test]
fn a_pro_model_is_not_ordered_as_its_cheaper_namesake() {
    // o3-pro was once priced as o3 ($2/$8), below gpt-4o ($2.50/$10), so
    // this cascade drafted on the most expensive model of the two.
    let cfg = parse_agent(&json!([
        {"name": "gpt-4o", "provider": "openai"},
        {"name": "o3-pro", "provider": "openai"}
    ]))
    .expect("valid config");
    let names: Vec<&str> = cfg.models.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["gpt-4o", "o3-pro"]);
    let o3_pro = cfg.models.get(1).and_then(|m| m.price).expect("o3-pro has a list price");
    assert_eq!((o3_pro.input_per_m, o3_pro.output_per_m), (20.0, 80.0));
}

#[test]
fn a_typo_has_no_price_rather_than_its_neighbours() {
    let cfg = parse_agent(&json!([{"name": "gpt-4o-mnii", "provider": "openai"}])).expect("valid config");
    assert_eq!(cfg.models.first().map(|m| m.price), Some(None));
}

#[test]
fn a_multibyte_name_without_a_price_is_accepted() {
    let cfg = parse_agent(&json!([{"name": "aé", "provider": "openai"}])).expect("valid config");
    assert_eq!(cfg.models.first().map(|m| m.price), Some(None));
}
