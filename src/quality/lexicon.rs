//! The judge's built-in vocabulary, hashed at compile time.
//!
//! Every check wants to know things like "is this word a hedge?" or "which
//! domain does this word point to?". Asking that with `str::contains` per
//! phrase would cost a scan of the whole draft per phrase; instead the
//! tokeniser looks each word up once in this open-addressing table (built
//! by a `const fn`, so no start-up cost and no allocation) and the checks
//! read the flags it leaves on the word.

/// English function words: they carry no topic.
pub(crate) const STOP: u32 = 1 << 0;
/// who / what / when / where / which / why / how.
pub(crate) const QWORD: u32 = 1 << 1;
/// Words that soften a claim.
pub(crate) const HEDGE: u32 = 1 << 2;
/// Words of a writer correcting course mid-answer.
pub(crate) const BACKTRACK: u32 = 1 << 3;
/// The query asks for reasoning rather than a fact.
pub(crate) const REASON: u32 = 1 << 4;
/// The query asks for rigour or construction (proofs, designs).
pub(crate) const DEEP: u32 = 1 << 5;
/// Specialist vocabulary that marks a harder query.
pub(crate) const TECH: u32 = 1 << 6;
/// Data that changes by the minute, so only a tool can answer it.
pub(crate) const LIVE: u32 = 1 << 7;
/// Instruction verbs and fillers: they say what to do, not what about.
pub(crate) const INSTR: u32 = 1 << 8;
/// Cardinal number words ("seven", "dozen").
pub(crate) const NUMWORD: u32 = 1 << 9;
pub(crate) const LANG_ES: u32 = 1 << 10;
pub(crate) const LANG_FR: u32 = 1 << 11;
pub(crate) const LANG_DE: u32 = 1 << 12;
pub(crate) const LANG_PT: u32 = 1 << 13;
pub(crate) const LANG_IT: u32 = 1 << 14;
/// Names of human languages ("French"): the user may want another language.
pub(crate) const LANGNAME: u32 = 1 << 15;
/// Names of programming languages.
pub(crate) const CODELANG: u32 = 1 << 16;
pub(crate) const MONTH: u32 = 1 << 17;
pub(crate) const YESNO: u32 = 1 << 18;
/// Auxiliary verbs that open a yes/no question.
pub(crate) const AUX: u32 = 1 << 19;
/// Words a finished sentence almost never ends on.
pub(crate) const DANGLING: u32 = 1 << 20;
/// Cues of a quick factual lookup ("capital", "define").
pub(crate) const LOOKUP: u32 = 1 << 21;
/// Words that introduce a final result ("answer", "total").
pub(crate) const RESULT: u32 = 1 << 22;
/// Words that, in a question, ask for a quantity.
pub(crate) const QUANTITY: u32 = 1 << 23;
/// Words that open a refusal or "I don't know" phrase: only at these do
/// the phrase lists need checking.
pub(crate) const PHRASE: u32 = 1 << 24;
/// Operator words and LaTeX operator names ("times", "plus", "cdot").
pub(crate) const OPWORD: u32 = 1 << 25;
/// Words that mark a figure as rounded ("approximately", "about").
pub(crate) const APPROX: u32 = 1 << 26;
/// Quantities defined relative to others ("twice", "half"): each one is a
/// step a solver can invert or misapply, a classic source of error.
pub(crate) const RELATION: u32 = 1 << 27;
/// Comparatives that relate quantities when followed by "than".
pub(crate) const COMPARATIVE: u32 = 1 << 28;

/// Domain tags live in one byte: low nibble = domain index + 1, high = weight.
const fn d(domain: u8, weight: u8) -> u8 {
    (weight << 4) | (domain + 1)
}
// Indices follow `Domain`'s declaration order.
const CODE: u8 = 0;
const MATH: u8 = 1;
const DATA: u8 = 2;
const MEDICAL: u8 = 3;
const LEGAL: u8 = 4;
const FINANCE: u8 = 5;
const CREATIVE: u8 = 6;
const TRANSLATION: u8 = 7;
const SUMMARIZATION: u8 = 8;

type Group = (&'static [&'static str], u32, u8);

const GROUPS: &[Group] = &[
    (&["the", "a", "an", "of", "to", "in", "on", "at", "by", "for", "with", "from", "and", "or", "but", "is",
       "are", "was", "were", "be", "been", "being", "it", "its", "this", "that", "these", "those", "as", "if",
       "then", "than", "so", "not", "no", "do", "does", "did", "have", "has", "had", "i", "you", "he", "she",
       "we", "they", "me", "him", "her", "us", "them", "my", "your", "his", "our", "their", "there", "here",
       "can", "could", "would", "should", "will", "shall", "may", "might", "must", "what", "which", "who",
       "whom", "whose", "when", "where", "why", "how", "all", "any", "each", "every", "some", "such", "very",
       "also", "just", "into", "about", "over", "under", "after", "before", "up", "down", "out", "off",
       "again", "more", "most", "other", "only", "own", "same", "too", "s", "t", "m", "re", "ve", "ll", "d",
       "am", "per", "one", "much", "many", "get", "got", "like", "between", "through", "during", "while",
       "because", "both", "few", "nor", "once", "until", "against", "above", "below", "whether", "however",
       "therefore", "thus", "hence", "yes", "okay", "ok", "let", "lets", "now", "well"], STOP, 0),
    (&["who", "what", "when", "where", "which", "why", "how", "whom", "whose"], QWORD, 0),
    (&["maybe", "perhaps", "possibly", "probably", "likely", "unlikely", "unsure", "uncertain", "approximately",
       "roughly", "seems", "seem", "seemingly", "apparently", "guess", "assume", "assuming", "assumption",
       "estimate", "estimated", "presumably", "arguably", "somewhat", "suppose", "supposedly", "unclear",
       "ambiguous", "rounded", "rounding", "approx"], HEDGE, 0),
    (&["wait", "oops", "actually", "mistake", "mistaken", "recalculate", "recalculating", "recompute",
       "correction", "incorrect", "wrong", "error", "erroneous", "revisit", "reconsider"], BACKTRACK, 0),
    (&["explain", "why", "compare", "contrast", "analyze", "analyse", "analysis", "evaluate", "justify",
       "discuss", "critique", "assess", "reason", "reasoning", "tradeoffs", "tradeoff", "trade", "implications",
       "implication", "pros", "cons", "differences", "difference", "relationship", "impact", "strategy",
       "recommend", "argue", "interpret", "step"], REASON, 0),
    (&["prove", "proof", "derive", "derivation", "design", "architect", "architecture", "optimize",
       "optimise", "implement", "formalize", "rigorous", "rigorously", "theorem", "lemma", "demonstrate",
       "construct", "scalable", "distributed", "refactor", "benchmark", "algorithmic"], DEEP, 0),
    (&["algorithm", "complexity", "asymptotic", "eigenvalue", "eigenvalues", "integral", "derivative",
       "differential", "concurrency", "concurrent", "consensus", "cryptographic", "quantum", "thermodynamics",
       "topology", "manifold", "stochastic", "bayesian", "regression", "compiler", "kernel", "latency",
       "throughput", "invariant", "polynomial", "recursion", "recursive", "gradient", "tensor", "protocol",
       "jurisdiction", "pharmacokinetics", "pathophysiology", "amortized", "fault", "tolerant",
       "transaction", "isolation", "backpropagation", "convex", "hilbert", "entropy", "equilibrium"],
       TECH, 0),
    (&["weather", "forecast", "today", "tonight", "tomorrow", "currently", "current", "now", "latest",
       "live", "price", "prices", "stock", "stocks", "quote", "exchange", "rate", "rates", "news", "time",
       "score", "scores", "traffic", "temperature", "recent", "trending", "headlines", "status", "flight",
       "flights", "availability", "balance", "search", "lookup", "look"], LIVE, 0),
    (&["explain", "describe", "write", "tell", "please", "give", "show", "list", "provide", "briefly",
       "detail", "detailed", "example", "examples", "help", "need", "want", "know", "make", "create",
       "generate", "answer", "question", "following", "using", "use", "find", "calculate", "compute",
       "determine", "short", "simple", "quick", "quickly", "brief", "thanks", "thank", "hi", "hello", "hey",
       "can", "could", "would", "kindly", "something", "thing", "things", "way", "ways", "mean", "means",
       "called", "name", "say", "said", "sure", "really", "good", "best", "new", "used", "words", "word",
       "sentence", "sentences", "paragraph", "summarize", "summarise", "translate", "respond", "reply",
       "tips", "tip", "ideas", "idea", "steps", "reasons", "facts", "suggestions", "advice", "better", "top",
       "main", "important", "common", "different", "several", "ways", "kinds", "types", "options"],
       INSTR, 0),
    (&["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
       "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty",
       "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand", "million", "billion",
       "dozen", "zero"], NUMWORD, 0),
    (&["el", "los", "las", "del", "que", "por", "para", "con", "una", "es", "está", "están", "son", "pero",
       "como", "más", "muy", "también", "porque", "cuando", "este", "esta", "y", "lo", "se", "su", "sus",
       "hay", "puede", "qué", "cómo", "ser"], LANG_ES, 0),
    (&["le", "les", "des", "du", "est", "une", "et", "pas", "pour", "avec", "dans", "sur", "qui", "que",
       "mais", "nous", "vous", "sont", "très", "aussi", "ce", "cette", "il", "elle", "être", "peut", "au",
       "aux", "ou", "comme", "plus", "leur"], LANG_FR, 0),
    (&["der", "die", "das", "und", "ist", "nicht", "ein", "eine", "mit", "für", "auf", "sich", "dem", "den",
       "zu", "auch", "wie", "sind", "oder", "aber", "ich", "sie", "es", "wird", "werden", "kann", "nur",
       "noch", "bei", "nach", "über", "wenn"], LANG_DE, 0),
    (&["os", "um", "uma", "não", "são", "com", "para", "também", "muito", "mas", "isso", "está", "é", "que",
       "do", "da", "dos", "das", "em", "no", "na", "se", "por", "como", "mais", "ele", "ela", "você"],
       LANG_PT, 0),
    (&["il", "lo", "gli", "della", "che", "è", "sono", "per", "con", "non", "una", "anche", "come", "più",
       "molto", "questo", "questa", "nel", "alla", "degli", "delle", "dei", "ma", "essere", "perché"],
       LANG_IT, 0),
    (&["english", "french", "spanish", "german", "italian", "portuguese", "chinese", "mandarin", "japanese",
       "korean", "russian", "arabic", "hindi", "dutch", "swedish", "polish", "turkish", "greek", "hebrew",
       "latin", "vietnamese", "thai", "indonesian", "ukrainian", "czech", "danish", "finnish", "norwegian",
       "language", "languages", "español", "français", "deutsch"], LANGNAME, d(TRANSLATION, 1)),
    (&["python", "javascript", "typescript", "rust", "golang", "java", "kotlin", "swift", "ruby", "php",
       "cpp", "csharp", "scala", "haskell", "bash", "shell", "powershell", "sql", "html", "css", "lua", "perl",
       "elixir", "dart", "julia", "matlab", "zig", "clojure", "ocaml", "fortran", "cobol", "js", "ts", "py"],
       CODELANG, d(CODE, 3)),
    (&["january", "february", "march", "april", "june", "july", "august", "september", "october",
       "november", "december", "century", "decade", "bc", "ad", "bce"], MONTH, 0),
    (&["yes", "no", "true", "false", "correct", "incorrect", "not", "never", "neither", "indeed",
       "absolutely", "certainly", "nope", "yep", "yeah"], YESNO, 0),
    (&["is", "are", "was", "were", "do", "does", "did", "can", "could", "should", "will", "would", "has",
       "have", "had", "may", "must", "shall", "am"], AUX, 0),
    (&["the", "a", "an", "of", "to", "and", "or", "with", "for", "from", "by", "that", "which", "because",
       "but", "if", "than", "into", "per", "plus", "minus", "times", "equals", "their", "its", "your", "my",
       "our", "whose", "whereas", "although", "gives"], DANGLING, 0),
    (&["capital", "define", "definition", "meaning", "spell", "spelling", "synonym", "antonym", "plural",
       "abbreviation", "acronym", "stands", "author", "wrote", "invented", "discovered", "founded", "born",
       "located", "tallest", "largest", "biggest", "smallest", "population", "currency", "color", "colour",
       "opposite"], LOOKUP, 0),
    (&["answer", "total", "result", "altogether", "overall", "final", "therefore", "thus", "so", "hence",
       "sum", "conclusion"], RESULT, 0),
    (&["many", "much", "percentage", "percent", "total", "sum", "average", "number", "amount", "cost",
       "costs", "price", "value", "difference", "product", "quotient", "remainder", "ratio", "rate", "area",
       "volume", "perimeter", "speed", "distance", "long", "old", "far", "often", "fast", "big", "tall",
       "heavy", "probability", "profit", "calculate", "compute", "evaluate", "solve"], QUANTITY, 0),
    (&["i", "as", "sorry", "no", "cannot", "can", "unable", "not", "insufficient", "hard", "difficult",
       "impossible", "it"], PHRASE, 0),
    (&["of", "times", "plus", "minus", "less", "equals", "equal", "divided", "multiplied", "x", "cdot", "div",
       "ast", "approx"], OPWORD, 0),
    (&["approximately", "approx", "about", "around", "roughly", "nearly", "almost", "rounded", "round",
       "rounding", "approximate"], APPROX, 0),
    (&["twice", "double", "triple", "half", "halves", "third", "thirds", "quarter", "quarters", "thrice"],
       RELATION, 0),
    (&["more", "less", "fewer", "older", "younger", "longer", "shorter", "taller", "cheaper", "bigger",
       "smaller", "larger", "higher", "lower", "heavier", "lighter", "faster", "slower", "greater"],
       COMPARATIVE, 0),
    // Domain vocabularies: the weight says how strongly a word points there.
    (&["debug", "compile", "compiler", "api", "regex", "programming", "refactor", "repository", "git",
       "docker", "kubernetes", "endpoint", "runtime", "syntax", "recursion", "struct", "enum", "async",
       "await", "segfault", "npm", "pip", "frontend", "backend", "django", "flask", "typescript", "json",
       "yaml", "http", "websocket", "iterator", "hashmap", "boolean", "parser", "snippet", "exception",
       "stacktrace", "linter", "webpack", "nodejs", "dockerfile", "sdk", "github", "unittest", "pytest"],
       0, d(CODE, 3)),
    (&["code", "function", "bug", "class", "method", "variable", "script", "program", "library",
       "framework", "loop", "array", "thread", "threads", "null", "pointer", "cargo", "react", "server",
       "client", "tests", "implement", "implementation", "deploy", "linux", "terminal", "command", "cli",
       "database", "query", "lambda", "closure", "dictionary", "integer", "parse", "string", "compiles"],
       0, d(CODE, 1)),
    (&["calculate", "compute", "solve", "equation", "equations", "integral", "derivative", "sum", "prime",
       "primes", "probability", "theorem", "algebra", "geometry", "triangle", "angle", "fraction",
       "fractions", "percent", "percentage", "average", "multiply", "divide", "divided", "plus", "minus",
       "squared", "square", "root", "factor", "factors", "polynomial", "matrix", "vector", "limit",
       "arithmetic", "math", "mathematics", "calculus", "digits", "digit", "sqrt", "logarithm", "modulo",
       "remainder", "quotient", "radius", "diameter", "circle", "perimeter", "area", "volume", "ratio",
       "integer", "integers", "numbers", "simplify", "expression", "proof", "prove", "infinitely",
       "lcm", "gcd", "factorial", "exponent", "fibonacci"], 0, d(MATH, 2)),
    (&["dataset", "csv", "table", "column", "columns", "row", "rows", "sql", "pandas", "dataframe",
       "spreadsheet", "excel", "chart", "plot", "visualization", "visualize", "statistics", "statistical",
       "correlation", "median", "distribution", "etl", "pipeline", "schema", "aggregate", "pivot",
       "analytics", "dashboard", "metrics", "outliers", "outlier", "histogram", "variance", "deviation",
       "records", "join", "groupby", "warehouse", "bigquery", "tableau", "cohort", "kpi", "data"],
       0, d(DATA, 2)),
    (&["symptom", "symptoms", "disease", "diagnosis", "diagnose", "treatment", "medication", "medications",
       "medicine", "dose", "dosage", "doctor", "patient", "patients", "clinical", "drug", "drugs", "pain",
       "fever", "infection", "cancer", "diabetes", "blood", "heart", "surgery", "therapy", "vaccine",
       "allergy", "allergic", "prescription", "health", "mg", "ibuprofen", "antibiotic", "antibiotics",
       "chronic", "syndrome", "pregnancy", "pregnant", "headache", "nausea", "injury", "hospital",
       "insulin", "cholesterol", "disorder", "nurse", "virus", "tumor", "medical", "vaccines", "immune",
       "immunity", "vaccination", "diseases", "infections"], 0, d(MEDICAL, 3)),
    (&["law", "laws", "legal", "contract", "contracts", "lawsuit", "court", "attorney", "lawyer",
       "liability", "clause", "clauses", "statute", "regulation", "regulations", "gdpr", "compliance",
       "copyright", "trademark", "patent", "tenant", "landlord", "sue", "plaintiff", "defendant",
       "jurisdiction", "rights", "agreement", "lease", "custody", "divorce", "criminal", "felony",
       "misdemeanor", "judge", "verdict", "constitution", "constitutional", "legally", "illegal", "nda",
       "indemnity", "arbitration", "testament", "estate", "probate", "visa", "immigration"], 0, d(LEGAL, 3)),
    (&["stock", "stocks", "invest", "investing", "investment", "investments", "portfolio", "interest",
       "loan", "loans", "mortgage", "tax", "taxes", "revenue", "dividend", "dividends", "bond", "bonds",
       "equity", "inflation", "retirement", "401k", "ira", "crypto", "bitcoin", "credit", "debt", "bank",
       "savings", "roi", "valuation", "accounting", "earnings", "etf", "etfs", "fund", "funds", "hedge",
       "trading", "trader", "broker", "forex", "compound", "annuity", "liquidity", "financial", "finance",
       "budget", "cash", "market", "markets", "apr", "fiscal"], 0, d(FINANCE, 2)),
    (&["poem", "poems", "haiku", "lyrics", "limerick", "sonnet", "rhyme", "rhymes", "screenplay", "slogan",
       "tagline", "joke", "jokes", "fiction", "fantasy", "fairy", "poetry", "riddle", "creative", "villain"],
       0, d(CREATIVE, 3)),
    (&["story", "stories", "song", "novel", "character", "characters", "narrative", "imagine", "tale",
       "verse", "plot", "dialogue", "hero", "metaphor", "essay", "blog", "tweet", "caption"],
       0, d(CREATIVE, 1)),
    (&["translate", "translation", "translated", "translating", "translator", "pronounce",
       "pronunciation"], 0, d(TRANSLATION, 3)),
    (&["summarize", "summarise", "summary", "summarization", "tldr", "condense", "recap", "gist",
       "synopsis", "digest"], 0, d(SUMMARIZATION, 3)),
    (&["shorten", "overview", "outline", "bullet", "bullets", "key", "points", "highlights", "abstract",
       "brief", "tl", "dr"], 0, d(SUMMARIZATION, 1)),
];

/// Measurement units and scale words, with their ids: the high nibble is
/// the family (1 time, 2 length, 3 money, 4 mass, 5 volume), the low one
/// the unit; family 15 holds scale words ("dozen") whose low nibble
/// indexes `SCALES`. Two units of one family in the same calculation mean
/// a conversion the text leaves implicit.
const UNITS: &[(&[&str], u8)] = &[
    (&["year", "years", "yr", "yrs"], 0x11),
    (&["month", "months"], 0x12),
    (&["week", "weeks"], 0x13),
    (&["day", "days"], 0x14),
    (&["hour", "hours", "hr", "hrs"], 0x15),
    (&["minute", "minutes", "min", "mins"], 0x16),
    (&["second", "seconds", "sec", "secs"], 0x17),
    (&["mile", "miles", "mi"], 0x21),
    (&["yard", "yards", "yd"], 0x22),
    (&["foot", "feet", "ft"], 0x23),
    (&["inch", "inches"], 0x24),
    (&["kilometer", "kilometers", "kilometre", "kilometres", "km"], 0x25),
    (&["meter", "meters", "metre", "metres"], 0x26),
    (&["centimeter", "centimeters", "centimetre", "centimetres", "cm"], 0x27),
    (&["millimeter", "millimeters", "mm"], 0x28),
    (&["dollar", "dollars"], 0x31),
    (&["cent", "cents"], 0x32),
    (&["pound", "pounds", "lb", "lbs"], 0x41),
    (&["ounce", "ounces", "oz"], 0x42),
    (&["kilogram", "kilograms", "kg"], 0x43),
    (&["gram", "grams"], 0x44),
    (&["gallon", "gallons", "gal"], 0x51),
    (&["quart", "quarts"], 0x52),
    (&["pint", "pints"], 0x53),
    (&["cup", "cups"], 0x54),
    (&["liter", "liters", "litre", "litres"], 0x55),
    (&["milliliter", "milliliters", "ml"], 0x56),
    (&["dozen", "dozens"], 0xf0),
    (&["hundred", "hundreds"], 0xf1),
    (&["thousand", "thousands"], 0xf2),
    (&["million", "millions"], 0xf3),
    (&["billion", "billions"], 0xf4),
];

/// Multipliers of the scale words, indexed by the low nibble of their id.
pub(crate) const SCALES: [f64; 5] = [12.0, 100.0, 1e3, 1e6, 1e9];

const SLOTS: usize = 4096;
const EMPTY: u16 = u16::MAX;

const fn total_words() -> usize {
    let mut n = 0;
    let mut g = 0;
    while g < GROUPS.len() {
        n += GROUPS[g].0.len();
        g += 1;
    }
    let mut u = 0;
    while u < UNITS.len() {
        n += UNITS[u].0.len();
        u += 1;
    }
    n
}
const CAP: usize = total_words();

/// FNV-1a, the same one the tokeniser runs over lower-cased bytes.
#[inline(always)]
pub(crate) const fn fnv_step(h: u32, b: u8) -> u32 {
    (h ^ b as u32).wrapping_mul(0x0100_0193)
}
pub(crate) const FNV_SEED: u32 = 0x811c_9dc5;

/// The tokeniser's hash of a word at run time (ASCII lower-cased first).
#[cfg(test)]
pub(crate) fn hash_lower(word: &str) -> u32 {
    word.bytes().fold(FNV_SEED, |h, b| fnv_step(h, b.to_ascii_lowercase()))
}

/// The tokeniser's hash of a lower-case word, usable in constants.
pub(crate) const fn hash(word: &str) -> u32 {
    fnv(word.as_bytes())
}

const fn fnv(bytes: &[u8]) -> u32 {
    let mut h = FNV_SEED;
    let mut i = 0;
    while i < bytes.len() {
        h = fnv_step(h, bytes[i]);
        i += 1;
    }
    h
}

struct Table {
    slots: [u16; SLOTS],
    /// Hash and length settle a lookup: with 32-bit hashes a stray match
    /// is a one-in-billions event, and cheaper than comparing strings.
    hashes: [u32; CAP],
    lens: [u8; CAP],
    flags: [u32; CAP],
    domain: [u8; CAP],
    unit: [u8; CAP],
}

const fn build() -> Table {
    let mut t = Table {
        slots: [EMPTY; SLOTS],
        hashes: [0; CAP],
        lens: [0; CAP],
        flags: [0; CAP],
        domain: [0; CAP],
        unit: [0; CAP],
    };
    let mut len = 0usize;
    let mut g = 0;
    while g < GROUPS.len() + UNITS.len() {
        let (list, flags, dom, unit) = if g < GROUPS.len() {
            let (list, flags, dom) = GROUPS[g];
            (list, flags, dom, 0)
        } else {
            let (list, unit) = UNITS[g - GROUPS.len()];
            (list, 0, 0, unit)
        };
        let mut i = 0;
        while i < list.len() {
            let w = list[i];
            let h = fnv(w.as_bytes());
            let mut s = (h as usize) & (SLOTS - 1);
            loop {
                let idx = t.slots[s];
                if idx == EMPTY {
                    t.hashes[len] = h;
                    t.lens[len] = w.len() as u8;
                    t.flags[len] = flags;
                    t.domain[len] = dom;
                    t.unit[len] = unit;
                    t.slots[s] = len as u16;
                    len += 1;
                    break;
                }
                let j = idx as usize;
                if t.hashes[j] == h && t.lens[j] as usize == w.len() {
                    t.flags[j] |= flags;
                    if unit != 0 {
                        t.unit[j] = unit;
                    }
                    // A later, stronger domain vote wins a shared word.
                    if dom != 0 && (t.domain[j] == 0 || (dom >> 4) > (t.domain[j] >> 4)) {
                        t.domain[j] = dom;
                    }
                    break;
                }
                s = (s + 1) & (SLOTS - 1);
            }
            i += 1;
        }
        g += 1;
    }
    t
}

static TABLE: Table = build();

/// What the vocabulary knows about one word.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Entry {
    pub flags: u32,
    /// Domain index (as in `Domain`) and its weight 1..=3, if the word votes.
    pub domain: Option<(u8, u8)>,
    /// Measurement unit or scale id (see `UNITS`), 0 for none.
    pub unit: u8,
}

/// Look a word up by the hash of its lower-cased bytes and its length.
#[inline]
pub(crate) fn lookup(hash: u32, len: usize) -> Option<Entry> {
    let mut s = (hash as usize) & (SLOTS - 1);
    for _ in 0..SLOTS {
        let idx = *TABLE.slots.get(s)?;
        if idx == EMPTY {
            return None;
        }
        let j = idx as usize;
        if *TABLE.hashes.get(j)? == hash && usize::from(*TABLE.lens.get(j)?) == len {
            let dom = *TABLE.domain.get(j)?;
            let domain = if dom == 0 { None } else { Some(((dom & 0x0f) - 1, dom >> 4)) };
            return Some(Entry { flags: *TABLE.flags.get(j)?, domain, unit: *TABLE.unit.get(j)? });
        }
        s = (s + 1) & (SLOTS - 1);
    }
    None
}

/// Flags of a word given as text.
#[cfg(test)]
pub(crate) fn flags_of(word: &str) -> u32 {
    lookup(hash_lower(word), word.len()).map_or(0, |e| e.flags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_found_with_merged_flags() {
        let f = flags_of("However");
        assert!(f & STOP != 0);
        assert_eq!(flags_of("zzzz-not-a-word"), 0);
        let e = lookup(hash_lower("Python"), 6).unwrap();
        assert!(e.flags & CODELANG != 0);
        assert_eq!(e.domain, Some((CODE, 3)));
        // "que" is Spanish, French and Portuguese at once.
        let q = flags_of("que");
        assert!(q & LANG_ES != 0 && q & LANG_FR != 0 && q & LANG_PT != 0);
        assert_eq!(hash("answer"), hash_lower("ANSWER"));
    }

    #[test]
    fn units_carry_their_ids() {
        assert_eq!(lookup(hash_lower("Minutes"), 7).map(|e| e.unit), Some(0x16));
        assert_eq!(lookup(hash_lower("dozen"), 5).map(|e| (e.unit, e.flags & NUMWORD != 0)), Some((0xf0, true)));
        assert_eq!(lookup(hash_lower("apples"), 6), None);
    }

    #[test]
    fn distinct_words_never_share_a_hash() {
        let mut seen: Vec<(u32, usize, &str)> = Vec::new();
        let units = UNITS.iter().map(|(l, _)| (*l, 0u32, 0u8));
        for (list, _, _) in GROUPS.iter().copied().chain(units) {
            for w in list {
                let key = (hash_lower(w), w.len());
                if let Some(other) = seen.iter().find(|s| (s.0, s.1) == key) {
                    assert_eq!(other.2, *w, "hash collision");
                }
                seen.push((key.0, key.1, w));
            }
        }
    }

    #[test]
    fn every_listed_word_is_reachable() {
        for (list, flags, _) in GROUPS {
            for w in *list {
                let e = lookup(hash_lower(w), w.len());
                assert!(e.is_some(), "{w} missing");
                assert_eq!(e.unwrap().flags & flags, *flags, "{w} lost a flag");
            }
        }
    }
}
