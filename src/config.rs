//! Agent and model configuration: parsed from the JSON the JS wrapper hands
//! over, validated so that every error names the field and what was expected.
//!
//! Hand-written rather than `serde` derive: derive errors say "invalid type"
//! at a byte offset, and users need `models[1].cost: expected ...`.

mod fields;
mod headers;
mod limits;
mod routes;

pub(crate) use fields::{at_least, check_keys, flag, number, object, Fields};
pub use headers::check_text;
pub use limits::{Limits, Timeouts};

use crate::value::{Map, Value};

use crate::error::CascadeError;
use crate::pricing::{self, Price};
use crate::providers::{self, ProviderInfo, WireFormat};
use crate::quality::{Complexity, Domain, QualityConfig};
use crate::suggest::{unknown_field, unknown_key};

/// One tier as the user configured it, resolved against the provider table.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelConfig {
    pub name: String,
    /// Provider id as given (`openai`, `groq`, ... or a custom JS provider's name).
    pub provider: String,
    pub wire: WireFormat,
    /// Normalised base URL (no trailing slash), from the config or the provider default.
    pub base_url: String,
    pub api_key: Option<String>,
    /// USD per 1M tokens; `None` when neither given nor known: cost is then
    /// reported as unknown, never as $0.
    pub price: Option<Price>,
    pub quality_threshold: Option<f64>,
    pub max_tokens: Option<u32>,
    pub temperature: Option<f64>,
    /// Provider pass-through, merged into the request body last.
    pub parameters: Map<String, Value>,
    pub headers: Vec<(String, String)>,
    /// Anthropic prompt caching for the system prompt.
    pub cache_control: bool,
    /// Set from the agent's `browser` flag: requests leave from a web page,
    /// so wires that gate CORS behind an opt-in header (Anthropic) send it.
    pub browser: bool,
    /// Prompt and answer together, in tokens, as the provider states the
    /// model's limit. Only known when configured: after a prompt too long
    /// for one model, the cascade moves to a later one whose window is
    /// known to be larger, and to no other.
    pub context_window: Option<u32>,
    /// Which tier this model belongs to, as configured: models of one
    /// same-tier failover group (`models: [[a, b], c]`) share it, and a
    /// provider failure moves to the next model of the group.
    pub group: u32,
    /// This model's own client-side rate limit (`rateLimit`).
    pub rate_limit: Option<crate::reliability::rate_limit::RateLimitConfig>,
    /// Several API keys taken in turn (`keyRotation`); each call uses one.
    pub key_rotation: Option<crate::reliability::keys::KeyRotation>,
}

impl ModelConfig {
    /// A minimal config for tests and presets.
    pub fn new(name: &str, provider: &str) -> Result<Self, CascadeError> {
        let mut m = Map::new();
        m.insert("name".into(), Value::String(name.into()));
        m.insert("provider".into(), Value::String(provider.into()));
        parse_model(&Value::Object(m), "model")
    }

    /// Everything of this model's that must never be shown: the key, every
    /// header value the user set (a gateway's key may sit in any header),
    /// and the password and query values of the base URL (`?key=`).
    pub fn secrets(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.api_key.iter().map(|s| s.as_str()).collect();
        if let Some(r) = &self.key_rotation {
            out.extend(r.keys.iter().map(String::as_str));
        }
        out.extend(self.headers.iter().map(|(_, v)| v.as_str()).filter(|v| v.len() >= headers::MIN_SECRET_LEN));
        out.extend(headers::url_secrets(&self.base_url));
        out
    }

    /// The base URL as it may be shown: password and query values masked.
    pub fn display_base_url(&self) -> String {
        headers::masked_url(&self.base_url)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct AgentConfig {
    /// Tiers, cheapest first (unless `keep_order`).
    pub models: Vec<ModelConfig>,
    pub quality: QualityConfig,
    pub keep_order: bool,
    pub defaults: CallOptions,
    /// Per-domain routes (`domains: { code: [...], medical: {...} }`).
    pub domains: Vec<DomainRoute>,
    /// Pre-routing: queries at or above this complexity skip the drafter(s)
    /// and go straight to the top tier.
    pub skip_drafter_from: Option<Complexity>,
    /// The agent runs in a browser (the JS browser entry says so).
    pub browser: bool,
    pub limits: Limits,
    pub timeouts: Timeouts,
    /// Retries of a failed call on the same model (`retry`, or the seed's `errorConfig`).
    pub retry: crate::reliability::RetryConfig,
    /// Per-endpoint circuit breakers (`circuitBreaker`); `None` when switched off.
    pub circuit_breaker: Option<crate::reliability::BreakerConfig>,
    /// Spending limits (`budget`); `None` for none.
    pub budget: Option<crate::reliability::budget::BudgetConfig>,
    /// A client-side rate limit over every call the agent makes (`rateLimit`).
    pub rate_limit: Option<crate::reliability::rate_limit::RateLimitConfig>,
    /// Background probes of each endpoint (`healthCheck`); `None` for none.
    pub health_check: Option<crate::reliability::health::HealthConfig>,
}

/// Where queries of one domain go, and how strictly they are judged.
#[derive(Clone, Debug, PartialEq)]
pub struct DomainRoute {
    pub domain: Domain,
    /// Own tiers; empty means the agent's `models`.
    pub models: Vec<ModelConfig>,
    pub threshold: Option<f64>,
    /// Never accept a draft here: go straight to the top tier.
    pub require_verifier: bool,
}

impl AgentConfig {
    pub fn route(&self, domain: Domain) -> Option<&DomainRoute> {
        self.domains.iter().find(|r| r.domain == domain)
    }
}

/// Per-call options (`agent.run(query, options)`), also used as agent defaults.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CallOptions {
    pub max_tokens: Option<u32>,
    pub temperature: Option<f64>,
    pub system_prompt: Option<String>,
    pub tools: Vec<crate::types::ToolSpec>,
    pub tool_choice: Option<Value>,
    pub response_format: Option<crate::types::ResponseFormat>,
    /// Tool loop: how many cascade runs at most (only used with a tool executor).
    pub max_steps: Option<u32>,
    /// Whose budget the run spends (`budget.perUser`).
    pub user_id: Option<String>,
}

impl CallOptions {
    /// `self` over `defaults`, field by field.
    pub fn or(&self, defaults: &CallOptions) -> CallOptions {
        CallOptions {
            max_tokens: self.max_tokens.or(defaults.max_tokens),
            temperature: self.temperature.or(defaults.temperature),
            system_prompt: self.system_prompt.clone().or_else(|| defaults.system_prompt.clone()),
            tools: if self.tools.is_empty() { defaults.tools.clone() } else { self.tools.clone() },
            tool_choice: self.tool_choice.clone().or_else(|| defaults.tool_choice.clone()),
            response_format: self.response_format.clone().or_else(|| defaults.response_format.clone()),
            max_steps: self.max_steps.or(defaults.max_steps),
            user_id: self.user_id.clone().or_else(|| defaults.user_id.clone()),
        }
    }
}

const MODEL_KEYS: &[&str] = &[
    "name",
    "provider",
    "cost",
    "inputCost",
    "outputCost",
    "apiKey",
    "baseUrl",
    "qualityThreshold",
    "maxTokens",
    "temperature",
    "parameters",
    "headers",
    "cacheControl",
    "rateLimit",
    "keyRotation",
    "contextWindow",
];

/// Snake-case and legacy spellings seen in the seeds, mapped to ours.
fn canonical_key(key: &str) -> &str {
    match key {
        "api_key" => "apiKey",
        "base_url" | "api_base" | "apiBase" => "baseUrl",
        "input_cost" => "inputCost",
        "output_cost" => "outputCost",
        "quality_threshold" => "qualityThreshold",
        "max_tokens" => "maxTokens",
        "rate_limit" | "rate_limit_config" | "rateLimitConfig" => "rateLimit",
        "key_rotation" => "keyRotation",
        "context_window" | "contextLength" | "context_length" => "contextWindow",
        "cache_control" => "cacheControl",
        other => other,
    }
}

pub fn parse_agent(value: &Value) -> Result<AgentConfig, CascadeError> {
    let obj = match value {
        Value::Array(_) => {
            let mut m = Map::new();
            m.insert("models".into(), value.clone());
            m
        }
        Value::Object(o) => o.clone(),
        other => {
            return Err(CascadeError::config(format!(
                "config: expected an array of models or an object with `models`, got {}",
                kind_of(other)
            )))
        }
    };
    if let Some(key) = obj.keys().find(|k| !AGENT_KEYS.contains(&k.as_str())) {
        return Err(unknown_key("config", key, AGENT_KEYS));
    }
    let keep_order = match obj.get("keepOrder") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(CascadeError::config(format!("config.keepOrder: expected a boolean, got {}", kind_of(other))))
        }
    };
    let browser = match obj.get("browser") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(CascadeError::config(format!("config.browser: expected a boolean, got {}", kind_of(other))))
        }
    };
    let mut domains = match obj.get("domains") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => routes::parse_domains(v, keep_order)?,
    };
    // With domain routes, `models` may be left out when `domains.default` gives them.
    let default_models = domains.iter().find(|d| d.domain == Domain::General && !d.models.is_empty());
    let empty = Value::Array(Vec::new());
    let models_v = match (obj.get("models"), default_models) {
        (Some(v), _) => v,
        (None, Some(_)) => &empty,
        (None, None) => {
            return Err(CascadeError::config("config.models: required, expected a non-empty array of models"))
        }
    };
    let list = models_v.as_array().ok_or_else(|| {
        CascadeError::config(format!("config.models: expected an array of models, got {}", kind_of(models_v)))
    })?;
    let mut models = match default_models {
        Some(d) if !obj.contains_key("models") => d.models.clone(),
        _ => parse_tiers(list, "models", keep_order)?,
    };
    if browser {
        let routed = domains.iter_mut().flat_map(|d| d.models.iter_mut());
        for m in models.iter_mut().chain(routed) {
            m.browser = true;
        }
    }
    let skip_drafter_from = match obj.get("preRouting") {
        None | Some(Value::Null) => None,
        Some(v) => routes::parse_pre_routing(v)?,
    };
    let quality = match obj.get("quality") {
        None | Some(Value::Null) => QualityConfig::default(),
        Some(v) => QualityConfig::parse(v, "quality")?,
    };
    let defaults = match obj.get("defaults") {
        None | Some(Value::Null) => CallOptions::default(),
        Some(v) => parse_call_options(v, "defaults")?,
    };
    let limits = match obj.get("limits") {
        None | Some(Value::Null) => Limits::default(),
        Some(v) => limits::parse_limits(v)?,
    };
    let timeouts = match obj.get("timeouts") {
        None | Some(Value::Null) => Timeouts::default(),
        Some(v) => limits::parse_timeouts(v)?,
    };
    let retry = match (obj.get("retry"), obj.get("errorConfig")) {
        (Some(v), _) if !v.is_null() => crate::reliability::retry::parse_retry(v)?,
        (_, Some(v)) if !v.is_null() => crate::reliability::retry::parse_error_config(v)?,
        _ => crate::reliability::RetryConfig::default(),
    };
    let circuit_breaker = match obj.get("circuitBreaker") {
        None => Some(crate::reliability::BreakerConfig::default()),
        Some(v) => crate::reliability::breaker::parse_breaker(v)?,
    };
    let budget = match obj.get("budget") {
        None => None,
        Some(v) => crate::reliability::budget::parse_budget(v)?,
    };
    let rate_limit = match obj.get("rateLimit") {
        None => None,
        Some(v) => crate::reliability::rate_limit::parse_rate_limit(v, "config.rateLimit")?,
    };
    let health_check = match obj.get("healthCheck") {
        None => None,
        Some(v) => crate::reliability::health::parse_health(v)?,
    };
    Ok(AgentConfig {
        models,
        quality,
        keep_order,
        defaults,
        domains,
        skip_drafter_from,
        browser,
        limits,
        timeouts,
        retry,
        circuit_breaker,
        budget,
        rate_limit,
        health_check,
    })
}

const AGENT_KEYS: &[&str] = &[
    "models",
    "quality",
    "keepOrder",
    "defaults",
    "domains",
    "preRouting",
    "browser",
    "limits",
    "timeouts",
    "retry",
    "errorConfig",
    "circuitBreaker",
    "budget",
    "rateLimit",
    "healthCheck",
];

impl AgentConfig {
    /// Every tier, routed ones included.
    pub fn all_models(&self) -> impl Iterator<Item = &ModelConfig> {
        self.models.iter().chain(self.domains.iter().flat_map(|d| d.models.iter()))
    }

    /// Refuse a provider id that is neither built in nor a custom provider
    /// the wrapper registered, at construction rather than on the first
    /// run, with the nearest known id as a suggestion.
    pub fn check_providers(&self, custom: &[&str]) -> Result<(), CascadeError> {
        for m in self.all_models() {
            if m.wire != WireFormat::Custom || custom.contains(&m.provider.as_str()) {
                continue;
            }
            let mut known: Vec<&str> = providers::PROVIDERS.iter().map(|p| p.id).collect();
            known.extend_from_slice(custom);
            let hint = crate::suggest::closest(&m.provider, known.iter().copied())
                .map(|k| format!("did you mean {k:?}? "))
                .unwrap_or_default();
            return Err(CascadeError::config(format!(
                "model {:?}: unknown provider {:?} ({hint}expected a built-in provider ({}), or a custom provider object / registerProvider name)",
                m.name,
                m.provider,
                known.join(", ")
            )));
        }
        Ok(())
    }
}

fn parse_tiers(list: &[Value], path: &str, keep_order: bool) -> Result<Vec<ModelConfig>, CascadeError> {
    if list.is_empty() {
        return Err(CascadeError::config(format!("config.{path}: expected at least one model, got an empty array")));
    }
    let mut models = Vec::with_capacity(list.len());
    for (i, m) in list.iter().enumerate() {
        let group = u32::try_from(i).unwrap_or(u32::MAX);
        match m {
            // A same-tier failover group: equivalent models, tried in order
            // when one fails, never when one's draft is rejected.
            Value::Array(members) => {
                if members.is_empty() {
                    return Err(CascadeError::config(format!(
                        "config.{path}[{i}]: expected a model or a non-empty array of equivalent models, got an empty array"
                    )));
                }
                for (j, member) in members.iter().enumerate() {
                    let mut model = parse_model(member, &format!("{path}[{i}][{j}]"))?;
                    model.group = group;
                    models.push(model);
                }
            }
            _ => {
                let mut model = parse_model(m, &format!("{path}[{i}]"))?;
                model.group = group;
                models.push(model);
            }
        }
    }
    if !keep_order {
        sort_tiers(&mut models, |_, _| {});
    }
    Ok(models)
}

/// The tier of each model, counted from 0 in the order they are tried:
/// consecutive models of one failover group share a tier.
pub fn tier_numbers(models: &[ModelConfig]) -> Vec<usize> {
    let mut out = Vec::with_capacity(models.len());
    let mut tier = 0usize;
    let mut prev: Option<u32> = None;
    for m in models {
        if prev.is_some_and(|g| g != m.group) {
            tier = tier.saturating_add(1);
        }
        prev = Some(m.group);
        out.push(tier);
    }
    out
}

/// Puts tiers cheapest first, stably: models of equal (or unknown) price
/// keep the given order, and unknown prices go last, where they can do the
/// least harm. `beside(i, j)` is called for every exchange, so that data
/// kept in step with the tiers moves with them. Tiers are few; an insertion
/// sort is a fraction of a library sort's wasm.
pub fn sort_tiers(models: &mut [ModelConfig], mut beside: impl FnMut(usize, usize)) {
    // A failover group moves as one, ranked by its first model's price:
    // the sort is stable, so its members stay together and in their order.
    let mut group_keys: Vec<(u32, f64)> = Vec::new();
    for m in models.iter() {
        if !group_keys.iter().any(|(g, _)| *g == m.group) {
            group_keys.push((m.group, m.price.map(|p| p.blended()).unwrap_or(f64::INFINITY)));
        }
    }
    let key =
        |m: &ModelConfig| group_keys.iter().find(|(g, _)| *g == m.group).map(|(_, k)| *k).unwrap_or(f64::INFINITY);
    for i in 1..models.len() {
        let mut j = i;
        while let Some(prev) = j.checked_sub(1) {
            let out_of_order = match (models.get(prev), models.get(j)) {
                (Some(a), Some(b)) => key(a) > key(b),
                _ => false,
            };
            if !out_of_order {
                break;
            }
            models.swap(prev, j);
            beside(prev, j);
            j = prev;
        }
    }
}

pub fn parse_model(value: &Value, path: &str) -> Result<ModelConfig, CascadeError> {
    let raw = value
        .as_object()
        .ok_or_else(|| CascadeError::config(format!("{path}: expected a model object, got {}", kind_of(value))))?;
    let mut obj = Map::new();
    for (k, v) in raw {
        let key = canonical_key(k);
        if !MODEL_KEYS.contains(&key) {
            return Err(unknown_field(path, k, MODEL_KEYS));
        }
        obj.insert(key.to_string(), v.clone());
    }
    let name = req_string(&obj, "name", path)?;
    check_text(&name, &format!("{path}.name"))?;
    let provider = req_string(&obj, "provider", path)?;
    check_text(&provider, &format!("{path}.provider"))?;
    let info: Option<&ProviderInfo> = providers::lookup(&provider);
    let base_url = match opt_string(&obj, "baseUrl", path)? {
        Some(u) => {
            check_text(&u, &format!("{path}.baseUrl"))?;
            if !(u.starts_with("http://") || u.starts_with("https://")) {
                return Err(CascadeError::config(format!(
                    "{path}.baseUrl: expected an http:// or https:// URL, got {u:?}"
                )));
            }
            u.trim_end_matches('/').to_string()
        }
        None => match info.and_then(|i| i.default_base_url) {
            Some(u) => u.to_string(),
            None if info.is_none() => String::new(), // custom JS provider: no URL
            None => {
                return Err(CascadeError::config(format!(
                    "{path}.baseUrl: required for provider {provider:?} (expected the server's URL, e.g. http://localhost:8000/v1)"
                )))
            }
        },
    };
    let wire = info.map(|i| i.wire).unwrap_or(WireFormat::Custom);
    let cost = opt_number(&obj, "cost", path)?;
    let input_cost = opt_number(&obj, "inputCost", path)?;
    let output_cost = opt_number(&obj, "outputCost", path)?;
    let price = match (input_cost, output_cost, cost) {
        (Some(i), Some(o), _) => Some(Price::per_million(i, o)),
        (Some(_), None, _) | (None, Some(_), _) => {
            return Err(CascadeError::config(format!(
                "{path}: inputCost and outputCost go together (USD per 1M tokens); give both, or `cost` alone"
            )))
        }
        (None, None, Some(c)) => Some(Price::blended_per_thousand(c)),
        (None, None, None) => pricing::lookup(&provider, &name),
    };
    let quality_threshold = opt_number(&obj, "qualityThreshold", path)?;
    if let Some(t) = quality_threshold {
        if t > 1.0 {
            return Err(CascadeError::config(format!(
                "{path}.qualityThreshold: expected a number from 0 to 1, got {}",
                Value::from(t)
            )));
        }
    }
    let max_tokens = opt_u32(&obj, "maxTokens", path)?;
    let context_window = opt_u32(&obj, "contextWindow", path)?;
    let temperature = opt_number(&obj, "temperature", path)?;
    if let Some(t) = temperature {
        if t > 2.0 {
            return Err(CascadeError::config(format!(
                "{path}.temperature: expected a number from 0 to 2, got {}",
                Value::from(t)
            )));
        }
    }
    let parameters = match obj.get("parameters") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(other) => {
            return Err(CascadeError::config(format!("{path}.parameters: expected an object, got {}", kind_of(other))))
        }
    };
    let headers = match obj.get("headers") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(m)) => {
            let mut hs = Vec::with_capacity(m.len());
            for (k, v) in m {
                match v {
                    Value::String(s) => {
                        headers::check_header(k, s, &format!("{path}.headers"))?;
                        hs.push((k.clone(), s.clone()))
                    }
                    other => {
                        return Err(CascadeError::config(format!(
                            "{path}.headers.{k}: expected a string, got {}",
                            kind_of(other)
                        )))
                    }
                }
            }
            hs
        }
        Some(other) => {
            return Err(CascadeError::config(format!(
                "{path}.headers: expected an object of strings, got {}",
                kind_of(other)
            )))
        }
    };
    let cache_control = match obj.get("cacheControl") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(CascadeError::config(format!(
                "{path}.cacheControl: expected a boolean, got {}",
                kind_of(other)
            )))
        }
    };
    Ok(ModelConfig {
        name,
        provider,
        wire,
        base_url,
        api_key: api_key(&obj, path)?,
        price,
        quality_threshold,
        max_tokens,
        temperature,
        parameters,
        headers,
        cache_control,
        context_window,
        browser: false,
        group: 0,
        rate_limit: match obj.get("rateLimit") {
            None => None,
            Some(v) => crate::reliability::rate_limit::parse_rate_limit(v, &format!("{path}.rateLimit"))?,
        },
        key_rotation: match obj.get("keyRotation") {
            None => None,
            Some(v) => crate::reliability::keys::parse_key_rotation(v, &format!("{path}.keyRotation"))?,
        },
    })
}

pub fn parse_call_options(value: &Value, path: &str) -> Result<CallOptions, CascadeError> {
    let obj = match value {
        Value::Null => return Ok(CallOptions::default()),
        Value::Object(o) => o,
        other => return Err(CascadeError::config(format!("{path}: expected an object, got {}", kind_of(other)))),
    };
    let mut out = CallOptions::default();
    for (k, v) in obj {
        if v.is_null() {
            continue;
        }
        match canonical_key(k) {
            "maxTokens" => out.max_tokens = opt_u32(obj, k, path)?,
            "temperature" => out.temperature = opt_number(obj, k, path)?,
            "systemPrompt" | "system_prompt" => out.system_prompt = opt_string(obj, k, path)?,
            "tools" => out.tools = parse_tools(v, &format!("{path}.tools"))?,
            "toolChoice" | "tool_choice" => out.tool_choice = Some(v.clone()),
            "maxSteps" | "max_steps" => out.max_steps = opt_u32(obj, k, path)?,
            "userId" | "user_id" => out.user_id = opt_string(obj, k, path)?,
            // Read by the JS wrapper; in `defaults` they reach the engine too.
            "timeoutMs" => {
                limits::duration(obj, k, path)?;
            }
            "mode" | "signal" | "onToolCall" => {}
            "responseFormat" | "response_format" => {
                out.response_format = Some(crate::types::ResponseFormat::from_value(v).map_err(|_| {
                    CascadeError::config(format!(
                        "{path}.responseFormat: expected {{type: 'text'}}, {{type: 'json_object'}} or {{type: 'json_schema', schema}}"
                    ))
                })?)
            }
            _ => return Err(unknown_key(path, k, CALL_KEYS)),
        }
    }
    Ok(out)
}

const CALL_KEYS: &[&str] = &[
    "maxTokens",
    "temperature",
    "systemPrompt",
    "tools",
    "toolChoice",
    "maxSteps",
    "userId",
    "responseFormat",
    "timeoutMs",
    "signal",
    "onToolCall",
    "mode",
];

/// The key, checked like a header value since it becomes one.
fn api_key(obj: &Map<String, Value>, path: &str) -> Result<Option<String>, CascadeError> {
    let key = opt_string(obj, "apiKey", path)?.filter(|k| !k.is_empty());
    if let Some(k) = &key {
        // Never echo the key itself: say only what is wrong with it.
        if headers::bad_char(k).is_some() {
            return Err(CascadeError::config(format!(
                "{path}.apiKey: contains a line break, NUL or other control character (check how the key was pasted or read)"
            )));
        }
    }
    Ok(key)
}

/// Tools in the OpenAI shape (`{type:'function', function:{name, description, parameters}}`)
/// or the flat `{name, description, parameters}`.
pub fn parse_tools(value: &Value, path: &str) -> Result<Vec<crate::types::ToolSpec>, CascadeError> {
    let arr = value
        .as_array()
        .ok_or_else(|| CascadeError::config(format!("{path}: expected an array of tools, got {}", kind_of(value))))?;
    let mut out = Vec::with_capacity(arr.len());
    for (i, t) in arr.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let f = t.get("function").unwrap_or(t);
        let name = f
            .get("name")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| CascadeError::config(format!("{p}.name: required, expected a non-empty string")))?;
        out.push(crate::types::ToolSpec {
            name: name.to_string(),
            description: f.get("description").and_then(Value::as_str).unwrap_or("").to_string(),
            parameters: f.get("parameters").cloned().unwrap_or(Value::Object(Map::new())),
        });
    }
    Ok(out)
}

pub fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn req_string(obj: &Map<String, Value>, key: &str, path: &str) -> Result<String, CascadeError> {
    match obj.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(Value::String(_)) => {
            Err(CascadeError::config(format!("{path}.{key}: expected a non-empty string, got \"\"")))
        }
        None | Some(Value::Null) => Err(CascadeError::config(format!("{path}.{key}: required, expected a string"))),
        Some(other) => Err(CascadeError::config(format!("{path}.{key}: expected a string, got {}", kind_of(other)))),
    }
}

fn opt_string(obj: &Map<String, Value>, key: &str, path: &str) -> Result<Option<String>, CascadeError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(CascadeError::config(format!("{path}.{key}: expected a string, got {}", kind_of(other)))),
    }
}

fn opt_number(obj: &Map<String, Value>, key: &str, path: &str) -> Result<Option<f64>, CascadeError> {
    fields::number(obj, key, path, "a non-negative number", fields::at_least(0.0))
}

fn opt_u32(obj: &Map<String, Value>, key: &str, path: &str) -> Result<Option<u32>, CascadeError> {
    fields::number(obj, key, path, "a positive integer", |n| {
        n.as_u64().and_then(|v| u32::try_from(v).ok()).filter(|v| *v > 0)
    })
}
