//! `evaluateCascade` and `calibrate` answers as JSON: camelCase fields in
//! declaration order, floats as serde_json wrote them when these types
//! were derived (`1.0`, not `1`), so the text is what it was.

use super::{Calibration, Evaluation, Levels, ModelPrice, Outcome, Prices, QualitySettings};
use crate::json_out::{JsonOut, ToJson};
use crate::quality::eval::CurvePoint;

fn float(o: &mut JsonOut, key: &str, v: f64) {
    o.key(key);
    o.float_exact(v);
}

fn opt_float(o: &mut JsonOut, key: &str, v: Option<f64>) {
    o.key(key);
    o.opt_float_exact(v);
}

impl Outcome {
    fn fields(&self, o: &mut JsonOut) {
        float(o, "escalatedShare", self.escalated_share);
        float(o, "quality", self.quality);
        opt_float(o, "gapRecovered", self.gap_recovered);
        float(o, "costPerQuery", self.cost_per_query);
        float(o, "verifierOnlyCostPerQuery", self.verifier_only_cost_per_query);
        float(o, "savingsPercentage", self.savings_percentage);
    }
}

impl ToJson for Outcome {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        self.fields(o);
        o.end_object();
    }
}

impl ToJson for ModelPrice {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        if let Some(m) = &self.model {
            o.str_field("model", m);
        }
        float(o, "inputCost", self.input_cost);
        float(o, "outputCost", self.output_cost);
        o.end_object();
    }
}

impl ToJson for Prices {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.key("draft");
        self.draft.write_json(o);
        o.key("verifier");
        self.verifier.write_json(o);
        o.end_object();
    }
}

impl ToJson for CurvePoint {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        float(o, "share", self.share);
        float(o, "quality", self.quality);
        float(o, "pgr", self.pgr);
        o.end_object();
    }
}

impl ToJson for Evaluation {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.u64_field("count", self.count as u64);
        opt_float(o, "cpt50", self.cpt50);
        opt_float(o, "cpt80", self.cpt80);
        opt_float(o, "apgr", self.apgr);
        o.key("decision");
        o.begin_object();
        self.decision.outcome.fields(o);
        float(o, "draftOnlyQuality", self.decision.draft_only_quality);
        float(o, "verifierOnlyQuality", self.decision.verifier_only_quality);
        float(o, "draftOnlyCostPerQuery", self.decision.draft_only_cost_per_query);
        o.end_object();
        o.key("prices");
        self.prices.write_json(o);
        if let Some(curve) = &self.curve {
            o.key("curve");
            o.each(curve);
        }
        o.end_object();
    }
}

/// Levels of thresholds (floats) or of counts (integers).
trait Level: Copy {
    fn write(self, o: &mut JsonOut);
}

impl Level for f64 {
    fn write(self, o: &mut JsonOut) {
        o.float_exact(self);
    }
}

impl Level for usize {
    fn write(self, o: &mut JsonOut) {
        o.u64(self as u64);
    }
}

impl<T: Level> ToJson for Levels<T> {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        for (k, v) in [
            ("trivial", self.trivial),
            ("simple", self.simple),
            ("moderate", self.moderate),
            ("hard", self.hard),
            ("expert", self.expert),
        ] {
            o.key(k);
            v.write(o);
        }
        o.end_object();
    }
}

impl ToJson for QualitySettings {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.key("thresholds");
        self.thresholds.write_json(o);
        o.end_object();
    }
}

impl ToJson for Calibration {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        float(o, "targetQuality", self.target_quality);
        float(o, "target", self.target);
        o.bool_field("met", self.met);
        float(o, "threshold", self.threshold);
        o.key("thresholds");
        self.thresholds.write_json(o);
        o.bool_field("perComplexity", self.per_complexity);
        o.key("reached");
        self.reached.write_json(o);
        o.key("global");
        self.global.write_json(o);
        o.key("counts");
        self.counts.write_json(o);
        float(o, "draftOnlyQuality", self.draft_only_quality);
        float(o, "verifierOnlyQuality", self.verifier_only_quality);
        o.key("quality");
        self.quality.write_json(o);
        o.end_object();
    }
}
