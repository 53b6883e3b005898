//! The words the judge knows, grouped by what they signal.
//!
//! Kept apart from the table machinery in `lexicon` so that the lists can
//! grow without that file growing: each group is a list of lower-case
//! words, the lexicon flags they set, and the domain they vote for.

use super::lexicon::*;

/// Domain tags live in one byte: low nibble = domain index + 1, high = weight.
const fn d(domain: u8, weight: u8) -> u8 {
    (weight << 4) | domain.saturating_add(1)
}
// Indices follow `Domain`'s declaration order.
pub(crate) const CODE: u8 = 0;
const MATH: u8 = 1;
const DATA: u8 = 2;
const MEDICAL: u8 = 3;
const LEGAL: u8 = 4;
const FINANCE: u8 = 5;
const CREATIVE: u8 = 6;
const TRANSLATION: u8 = 7;
const SUMMARIZATION: u8 = 8;

/// Words (lower case, separated by spaces), lexicon flags, domain vote.
pub(crate) type Group = (&'static str, u32, u8);

// Word lists read best as lines of words; rustfmt would put one word a line.
#[rustfmt::skip]
pub(crate) const GROUPS: &[Group] = &[
    ("the a an of to in on at by for with from and or but is \
        are was were be been being it its this that these those as if \
        then than so not no do does did have has had i you he she \
        we they me him her us them my your his our their there here \
        can could would should will shall may might must what which who \
        whom whose when where why how all any each every some such very \
        also just into about over under after before up down out off \
        again more most other only own same too s t m re ve ll d \
        am per one much many get got like between through during while \
        because both few nor once until against above below whether however \
        therefore thus hence yes okay ok let lets now well", STOP, 0),
    ("who what when where which why how whom whose", QWORD, 0),
    ("maybe perhaps possibly probably likely unlikely unsure uncertain approximately \
        roughly seems seem seemingly apparently guess assume assuming assumption \
        estimate estimated presumably arguably somewhat suppose supposedly unclear \
        ambiguous rounded rounding approx", HEDGE, 0),
    ("wait oops actually mistake mistaken recalculate recalculating recompute \
        correction incorrect wrong error erroneous revisit reconsider", BACKTRACK, 0),
    ("explain why compare contrast analyze analyse analysis evaluate justify \
        discuss critique assess reason reasoning tradeoffs tradeoff trade implications \
        implication pros cons differences difference relationship impact strategy \
        recommend argue interpret step", REASON, 0),
    ("prove proof derive derivation design architect architecture optimize \
        optimise implement formalize rigorous rigorously theorem lemma demonstrate \
        construct scalable distributed refactor benchmark algorithmic", DEEP, 0),
    ("algorithm complexity asymptotic eigenvalue eigenvalues integral derivative \
        differential concurrency concurrent consensus cryptographic quantum thermodynamics \
        topology manifold stochastic bayesian regression compiler kernel latency \
        throughput invariant polynomial recursion recursive gradient tensor protocol \
        jurisdiction pharmacokinetics pathophysiology amortized fault tolerant \
        transaction isolation backpropagation convex hilbert entropy equilibrium",
       TECH, 0),
    ("weather forecast today tonight tomorrow currently current now latest \
        live price prices stock stocks quote exchange rate rates news time \
        score scores traffic temperature recent trending headlines status flight \
        flights availability balance search lookup look", LIVE, 0),
    ("explain describe write tell please give show list provide briefly \
        detail detailed example examples help need want know make create \
        generate answer question following using use find calculate compute \
        determine short simple quick quickly brief thanks thank hi hello hey \
        can could would kindly something thing things way ways mean means \
        called name say said sure really good best new used words word \
        sentence sentences paragraph summarize summarise translate respond reply \
        tips tip ideas idea steps reasons facts suggestions advice better top \
        main important common different several ways kinds types options pick \
        choose select prefer happen happens work works matter matters",
       INSTR, 0),
    ("two three four five six seven eight nine ten eleven twelve \
        thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty \
        forty fifty sixty seventy eighty ninety hundred thousand million billion \
        dozen zero", NUMWORD, 0),
    ("el los las del que por para con una es está están son pero \
        como más muy también porque cuando este esta y lo se su sus \
        hay puede qué cómo ser la de dónde donde", LANG_ES, 0),
    ("le les des du est une et pas pour avec dans sur qui que \
        mais nous vous sont très aussi ce cette il elle être peut au \
        aux ou comme plus leur la de où", LANG_FR, 0),
    ("der die das und ist nicht ein eine mit für auf sich dem den \
        zu auch wie sind oder aber ich sie es wird werden kann nur \
        noch bei nach über wenn", LANG_DE, 0),
    ("os um uma não são com para também muito mas isso está é que \
        do da dos das em no na se por como mais ele ela você de \
        onde",
       LANG_PT, 0),
    ("il lo gli della che è sono per con non una anche come più \
        molto questo questa nel alla degli delle dei ma essere perché la \
        dove",
       LANG_IT, 0),
    ("english french spanish german italian portuguese chinese mandarin japanese \
        korean russian arabic hindi dutch swedish polish turkish greek hebrew \
        latin vietnamese thai indonesian ukrainian czech danish finnish norwegian \
        language languages español français deutsch", LANGNAME, d(TRANSLATION, 1)),
    ("python javascript typescript rust golang java kotlin swift ruby php \
        cpp csharp scala haskell bash shell powershell sql html css lua perl \
        elixir dart julia matlab zig clojure ocaml fortran cobol js ts py",
       CODELANG, d(CODE, 3)),
    ("january february march april june july august september october \
        november december century decade bc ad bce", MONTH, 0),
    ("yes no true false correct incorrect not never neither indeed \
        absolutely certainly nope yep yeah", YESNO, 0),
    ("is are was were do does did can could should will would has \
        have had may must shall am", AUX, 0),
    ("the a an of to and or with for from by that which because \
        but if than into per plus minus times equals their its your my \
        our whose whereas although gives", DANGLING, 0),
    ("capital define definition meaning spell spelling synonym antonym plural \
        abbreviation acronym stands author wrote invented discovered founded born \
        located tallest largest biggest smallest population currency color colour \
        opposite", LOOKUP, 0),
    ("answer total result altogether overall final therefore thus so hence \
        sum conclusion", RESULT, 0),
    ("many much percentage percent total sum average number amount cost \
        costs price value difference product quotient remainder ratio rate area \
        volume perimeter speed distance long old far often fast big tall \
        heavy probability profit calculate compute evaluate solve", QUANTITY, 0),
    ("i as sorry no cannot can unable not insufficient hard difficult \
        impossible it", PHRASE, 0),
    ("of times plus minus less equals equal divided multiplied x cdot div \
        ast approx", OPWORD, 0),
    ("approximately approx about around roughly nearly almost rounded round \
        rounding approximate", APPROX, 0),
    ("twice double triple half halves third thirds quarter quarters thrice",
       RELATION, 0),
    ("more less fewer older younger longer shorter taller cheaper bigger \
        smaller larger higher lower heavier lighter faster slower greater",
       COMPARATIVE, 0),
    ("translate translation rewrite rephrase paraphrase reword summarize summarise \
        summary condense shorten proofread correct fix edit polish convert \
        transliterate punctuate tldr", TRANSFORM, 0),
    ("describe elaborate detail detailed details thorough thoroughly comprehensive \
        comprehensively depth precise extensive extensively outline",
       ELABORATE, 0),
    ("briefly brief short shorter concise concisely succinct succinctly quick \
        quickly tldr oneliner", BRIEF, 0),
    // Domain vocabularies: the weight says how strongly a word points there.
    ("debug compile compiler api regex programming refactor repository git \
        docker kubernetes endpoint runtime syntax recursion struct enum async \
        await segfault npm pip frontend backend django flask typescript json \
        yaml http websocket iterator hashmap boolean parser snippet exception \
        stacktrace linter webpack nodejs dockerfile sdk github unittest pytest",
       0, d(CODE, 3)),
    ("code function bug class method variable script program library \
        framework loop array thread threads null pointer cargo react server \
        client tests implement implementation deploy linux terminal command cli \
        database query lambda closure dictionary integer parse string compiles",
       0, d(CODE, 1)),
    ("calculate compute solve equation equations integral derivative sum prime \
        primes probability theorem algebra geometry triangle angle fraction \
        fractions percent percentage average multiply divide divided plus minus \
        squared square root factor factors polynomial matrix vector limit \
        arithmetic math mathematics calculus digits digit sqrt logarithm modulo \
        remainder quotient radius diameter circle perimeter area volume ratio \
        integer integers numbers simplify expression proof prove infinitely \
        lcm gcd factorial exponent fibonacci", 0, d(MATH, 2)),
    ("dataset csv table column columns row rows sql pandas dataframe \
        spreadsheet excel chart plot visualization visualize statistics statistical \
        correlation median distribution etl pipeline schema aggregate pivot \
        analytics dashboard metrics outliers outlier histogram variance deviation \
        records join groupby warehouse bigquery tableau cohort kpi data",
       0, d(DATA, 2)),
    ("symptom symptoms disease diagnosis diagnose treatment medication medications \
        medicine dose dosage doctor patient patients clinical drug drugs pain \
        fever infection cancer diabetes blood heart surgery therapy vaccine \
        allergy allergic prescription health mg ibuprofen antibiotic antibiotics \
        chronic syndrome pregnancy pregnant headache nausea injury hospital \
        insulin cholesterol disorder nurse virus tumor medical vaccines immune \
        immunity vaccination diseases infections", 0, d(MEDICAL, 3)),
    ("law laws legal contract contracts lawsuit court attorney lawyer \
        liability clause clauses statute regulation regulations gdpr compliance \
        copyright trademark patent tenant landlord sue plaintiff defendant \
        jurisdiction rights agreement lease custody divorce criminal felony \
        misdemeanor judge verdict constitution constitutional legally illegal nda \
        indemnity arbitration testament estate probate visa immigration", 0, d(LEGAL, 3)),
    ("stock stocks invest investing investment investments portfolio interest \
        loan loans mortgage tax taxes revenue dividend dividends bond bonds \
        equity inflation retirement 401k ira crypto bitcoin credit debt bank \
        savings roi valuation accounting earnings etf etfs fund funds hedge \
        trading trader broker forex compound annuity liquidity financial finance \
        budget cash market markets apr fiscal", 0, d(FINANCE, 2)),
    ("poem poems haiku lyrics limerick sonnet rhyme rhymes screenplay slogan \
        tagline joke jokes fiction fantasy fairy poetry riddle creative villain",
       0, d(CREATIVE, 3)),
    ("story stories song novel character characters narrative imagine tale \
        verse plot dialogue hero metaphor essay blog tweet caption",
       0, d(CREATIVE, 1)),
    ("translate translation translated translating translator pronounce \
        pronunciation", 0, d(TRANSLATION, 3)),
    ("summarize summarise summary summarization tldr condense recap gist \
        synopsis digest", 0, d(SUMMARIZATION, 3)),
    ("shorten overview outline bullet bullets key points highlights abstract \
        brief tl dr", 0, d(SUMMARIZATION, 1)),
];

/// Measurement units and scale words, with their ids: the high nibble is
/// the family (1 time, 2 length, 3 money, 4 mass, 5 volume, 6 other
/// measures), the low one
/// the unit; family 15 holds scale words ("dozen") whose low nibble
/// indexes `SCALES`. Two units of one family in the same calculation mean
/// a conversion the text leaves implicit.
#[rustfmt::skip]
pub(crate) const UNITS: &[(&str, u8)] = &[
    ("year years yr yrs", 0x11),
    ("month months", 0x12),
    ("week weeks", 0x13),
    ("day days", 0x14),
    ("hour hours hr hrs", 0x15),
    ("minute minutes min mins", 0x16),
    ("second seconds sec secs", 0x17),
    ("mile miles mi", 0x21),
    ("yard yards yd", 0x22),
    ("foot feet ft", 0x23),
    ("inch inches", 0x24),
    ("kilometer kilometers kilometre kilometres km", 0x25),
    ("meter meters metre metres", 0x26),
    ("centimeter centimeters centimetre centimetres cm", 0x27),
    ("millimeter millimeters mm", 0x28),
    ("dollar dollars", 0x31),
    ("cent cents", 0x32),
    ("pound pounds lb lbs", 0x41),
    ("ounce ounces oz", 0x42),
    ("kilogram kilograms kg", 0x43),
    ("gram grams", 0x44),
    ("gallon gallons gal", 0x51),
    ("quart quarts", 0x52),
    ("pint pints", 0x53),
    ("cup cups", 0x54),
    ("liter liters litre litres", 0x55),
    ("milliliter milliliters ml", 0x56),
    ("euro euros", 0x33),
    ("ton tons tonne tonnes", 0x45),
    ("milligram milligrams mg", 0x46),
    // Family 6: other measures, never part of a conversion check.
    ("degree degrees celsius fahrenheit kelvin", 0x61),
    ("calorie calories kcal kilocalorie kilocalories joule joules kj", 0x62),
    ("watt watts kw kwh volt volts amp amps", 0x63),
    ("acre acres hectare hectares square cubic", 0x64),
    ("byte bytes kb mb gb tb kilobytes megabytes gigabytes terabytes", 0x65),
    ("percent percentage mph kph knot knots", 0x66),
    ("dozen dozens", 0xf0),
    ("hundred hundreds", 0xf1),
    ("thousand thousands", 0xf2),
    ("million millions", 0xf3),
    ("billion billions", 0xf4),
];

/// Multipliers of the scale words, indexed by the low nibble of their id.
pub(crate) const SCALES: [f64; 5] = [12.0, 100.0, 1e3, 1e6, 1e9];
