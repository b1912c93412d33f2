//! Indexing and search benchmark on synthetic gallery data (no criterion, no network).
//!
//! ```text
//! cargo run --release -p atelier-search --example search_bench -- [N]
//! ```
//!
//! Synthesizes N documents (default 200,000; prompts of 200–1000 characters drawn from a
//! Zipf-distributed vocabulary, 10 % of them Chinese/Japanese), bulk-indexes them into a temporary
//! folder (`bulk_upsert`, which merges the result into one segment), reports documents per
//! second, then runs 2,000 mixed queries (single words, three
//! words, typos, CJK, filtered, sorted, browsing) with 20 hits each and prints p50/p99 latency.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use atelier_search::{GalleryDoc, SearchIndex, SearchQuery, Sort};

const DEFAULT_DOCS: usize = 200_000;
const QUERIES: usize = 2_000;
const LATIN_VOCAB: usize = 30_000;
const DAY_MS: i64 = 86_400_000;
const START_MS: i64 = 1_704_067_200_000;

/// Real prompt words; the most frequent ranks of the vocabulary.
const WORDS: &str = "a the of in with and on portrait photo cinematic lighting light dramatic \
    woman man girl boy cat dog city street night neon rain snow forest mountain lake ocean beach \
    sunset sunrise golden hour soft shadows detailed highly realistic hyperrealistic octane render \
    unreal engine 8k 4k studio background bokeh depth field lens 35mm 85mm film grain vintage \
    retro futuristic cyberpunk steampunk fantasy castle dragon knight armor sword magic wizard \
    witch spaceship robot android alien planet galaxy stars moon sky clouds storm lightning fire \
    smoke water reflection mirror glass crystal flower garden rose cherry blossom tree autumn \
    winter summer spring leaves field grass desert dunes canyon river waterfall bridge tower \
    lighthouse cliff waves ship boat harbor market cafe kitchen bedroom library museum temple \
    shrine palace ruins village cottage cabin farmhouse skyscraper subway train station airport \
    car motorcycle bicycle horse fox wolf bear owl eagle butterfly koi fish whale jellyfish coral \
    illustration painting watercolor oil sketch pencil charcoal ink anime manga comic pixel art \
    vector minimalist abstract surreal baroque renaissance impressionist expressionist poster \
    logo icon sticker tattoo fashion editorial magazine cover product shot macro close wide \
    angle aerial drone view isometric symmetrical composition vibrant pastel muted monochrome \
    black white red blue green yellow purple orange pink teal gold silver bronze copper rusty \
    elegant cozy moody eerie mysterious serene peaceful chaotic epic majestic tiny giant ancient \
    modern wearing holding standing sitting walking running flying floating dancing smiling \
    looking camera hair eyes face hands dress suit jacket hat glasses umbrella lantern candle";

/// Chinese and Japanese prompt words.
const CJK_WORDS: &str = "一只 橘猫 雨中 撑伞 电影感 光影 城市 夜景 霓虹灯 少女 古风 山水 水墨画 \
    樱花 森林 湖泊 日落 金色 光线 梦幻 宇宙 星空 机器人 赛博朋克 古堡 龙 骑士 魔法 花园 \
    海边 灯塔 悬崖 海浪 街道 咖啡馆 书店 寺庙 宫殿 雪山 瀑布 桜の木 眠る猫 夜の街 雨の日 \
    少年 少女の肖像 着物 神社 富士山 海辺 猫カフェ 東京 京都 和風 水彩画 油絵 アニメ 写真";

/// A tiny deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap()
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Zipf(s = 1) sampling over ranks by inverse CDF.
struct Zipf {
    cdf: Vec<f64>,
}

impl Zipf {
    fn new(n: usize) -> Self {
        let mut acc = 0.0;
        let mut cdf = Vec::with_capacity(n);
        for rank in 1..=n {
            acc += 1.0 / rank as f64;
            cdf.push(acc);
        }
        for c in &mut cdf {
            *c /= acc;
        }
        Zipf { cdf }
    }

    fn sample(&self, rng: &mut Rng) -> usize {
        let u = rng.unit();
        self.cdf.partition_point(|&c| c < u).min(self.cdf.len() - 1)
    }
}

struct Corpus {
    latin: Vec<String>,
    latin_zipf: Zipf,
    cjk: Vec<String>,
    cjk_zipf: Zipf,
}

impl Corpus {
    fn new(rng: &mut Rng) -> Self {
        let mut latin: Vec<String> = WORDS.split_whitespace().map(str::to_owned).collect();
        let syllables = [
            "ka", "lo", "mi", "ren", "ta", "vor", "shi", "el", "dra", "qu", "ni", "bar", "zen",
            "lu", "pha", "tor", "gy", "ven", "sol", "ma", "rik", "do", "fen", "cy",
        ];
        while latin.len() < LATIN_VOCAB {
            let parts = 2 + rng.below(3);
            let word: String = (0..parts)
                .map(|_| syllables[rng.below(syllables.len())])
                .collect();
            latin.push(word);
        }
        let cjk: Vec<String> = CJK_WORDS.split_whitespace().map(str::to_owned).collect();
        Corpus {
            latin_zipf: Zipf::new(latin.len()),
            latin,
            cjk_zipf: Zipf::new(cjk.len()),
            cjk,
        }
    }

    fn latin_word(&self, rng: &mut Rng) -> &str {
        &self.latin[self.latin_zipf.sample(rng)]
    }

    fn cjk_word(&self, rng: &mut Rng) -> &str {
        &self.cjk[self.cjk_zipf.sample(rng)]
    }

    fn prompt(&self, rng: &mut Rng) -> String {
        let target = 200 + rng.below(800);
        let cjk = rng.below(10) == 0;
        let mut prompt = String::with_capacity(target + 16);
        while prompt.len() < target {
            if cjk {
                prompt.push_str(self.cjk_word(rng));
                prompt.push_str(if rng.below(4) == 0 { "，" } else { "" });
            } else {
                if !prompt.is_empty() {
                    prompt.push_str(if rng.below(8) == 0 { ", " } else { " " });
                }
                prompt.push_str(self.latin_word(rng));
            }
        }
        prompt
    }
}

const MODELS: [&str; 6] = [
    "nanobanana",
    "midjourney",
    "flux",
    "sdxl",
    "dalle",
    "imagen",
];
const ASPECTS: [&str; 5] = ["1:1", "3:4", "4:3", "16:9", "9:16"];
const SOURCES: [&str; 3] = ["x", "import", "demo"];
const CATEGORIES: [&str; 12] = [
    "Photography",
    "Portrait",
    "Illustration",
    "Anime",
    "Landscape",
    "Architecture",
    "Fantasy",
    "Sci-Fi",
    "Product",
    "Fashion",
    "Food",
    "Animals",
];

fn make_doc(i: usize, corpus: &Corpus, rng: &mut Rng) -> GalleryDoc {
    let author = rng.below(5_000);
    // Skewed like real likes: most items have few, a handful have hundreds.
    let u = rng.below(1000) as u64;
    let likes = i64::try_from(u * u * u * u / 1_000_000_000).unwrap();
    GalleryDoc {
        id: format!("g{i:08}"),
        prompt: corpus.prompt(rng),
        author_handle: format!("@{}{author}", corpus.latin[author % 500]),
        author_name: format!("Author {author}"),
        categories: (0..1 + rng.below(2))
            .map(|_| CATEGORIES[rng.below(CATEGORIES.len())].to_owned())
            .collect(),
        model: MODELS[rng.below(MODELS.len())].to_owned(),
        aspect: ASPECTS[rng.below(ASPECTS.len())].to_owned(),
        source: SOURCES[rng.below(SOURCES.len())].to_owned(),
        posted_at: START_MS + i64::try_from(rng.below(730)).unwrap() * DAY_MS,
        likes,
        favorites: likes / 3,
        views: likes * 20,
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Single,
    ThreeWords,
    Typo,
    Cjk,
    Filtered,
    Sorted,
    Browse,
}

impl Kind {
    const ALL: [Kind; 7] = [
        Kind::Single,
        Kind::ThreeWords,
        Kind::Typo,
        Kind::Cjk,
        Kind::Filtered,
        Kind::Sorted,
        Kind::Browse,
    ];

    fn name(self) -> &'static str {
        match self {
            Kind::Single => "single word",
            Kind::ThreeWords => "3 words",
            Kind::Typo => "typo",
            Kind::Cjk => "CJK",
            Kind::Filtered => "filtered",
            Kind::Sorted => "sorted",
            Kind::Browse => "browse (no text)",
        }
    }
}

/// A word from the real-word head of the vocabulary (queries look for things people write).
fn query_word<'a>(corpus: &'a Corpus, rng: &mut Rng) -> &'a str {
    loop {
        let w = corpus.latin_word(rng);
        if w.len() > 2 {
            return w;
        }
    }
}

fn typo(word: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.len() >= 4 {
        let i = 1 + rng.below(chars.len() - 2);
        chars.swap(i, i + 1);
    }
    chars.into_iter().collect()
}

fn make_query(kind: Kind, corpus: &Corpus, rng: &mut Rng) -> SearchQuery {
    let mut q = SearchQuery {
        limit: 20,
        ..SearchQuery::default()
    };
    match kind {
        Kind::Single => q.text = query_word(corpus, rng).to_owned(),
        Kind::ThreeWords => {
            q.text = (0..3)
                .map(|_| query_word(corpus, rng))
                .collect::<Vec<_>>()
                .join(" ")
        }
        Kind::Typo => {
            let word = loop {
                let w = query_word(corpus, rng);
                if w.chars().count() >= 6 {
                    break w;
                }
            };
            q.text = typo(word, rng);
        }
        Kind::Cjk => q.text = corpus.cjk_word(rng).to_owned(),
        Kind::Filtered => {
            q.text = query_word(corpus, rng).to_owned();
            q.model = Some(MODELS[rng.below(MODELS.len())].to_owned());
            q.category = Some(CATEGORIES[rng.below(CATEGORIES.len())].to_owned());
            let from = START_MS + i64::try_from(rng.below(365)).unwrap() * DAY_MS;
            q.from_ms = Some(from);
            q.to_ms = Some(from + 180 * DAY_MS);
        }
        Kind::Sorted => {
            q.text = query_word(corpus, rng).to_owned();
            q.sort = [Sort::Newest, Sort::MostLiked, Sort::MostFavorited][rng.below(3)];
        }
        Kind::Browse => {
            q.sort = [Sort::Relevance, Sort::Newest, Sort::MostLiked][rng.below(3)];
            if rng.below(2) == 0 {
                q.aspect = Some(ASPECTS[rng.below(ASPECTS.len())].to_owned());
            }
        }
    }
    q
}

fn percentile(sorted: &[Duration], p: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (p * sorted.len()).div_ceil(100);
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

fn dir_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// The 1-minute load average (Linux), to tell a quiet run from one sharing the CPUs.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args
        .iter()
        .find_map(|a| a.replace('_', "").parse().ok())
        .unwrap_or(DEFAULT_DOCS);

    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let corpus = Corpus::new(&mut rng);
    eprintln!("synthesizing {n} documents…");
    let docs: Vec<GalleryDoc> = (0..n).map(|i| make_doc(i, &corpus, &mut rng)).collect();
    let text_bytes: usize = docs.iter().map(|d| d.prompt.len()).sum();

    let load_before = load_average();
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path()).unwrap();
    eprintln!("indexing…");
    let started = Instant::now();
    let written = index.bulk_upsert(docs).unwrap();
    let index_secs = started.elapsed().as_secs_f64();
    assert_eq!(index.doc_count(), written);

    // Warm up (page cache, lazily opened structures), then measure.
    let mut qrng = Rng(0x51_7cc1_b727_220a);
    for i in 0..200 {
        let q = make_query(Kind::ALL[i % Kind::ALL.len()], &corpus, &mut qrng);
        index.search(&q).unwrap();
    }
    // SEARCH_BENCH_ROUNDS=k repeats the query set k times (for profiling).
    let rounds: usize = std::env::var("SEARCH_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let only = std::env::var("SEARCH_BENCH_ONLY").ok();
    let mut timings: Vec<(Kind, Duration, u64)> = Vec::with_capacity(QUERIES * rounds);
    let mut slowest: Vec<(Duration, String)> = Vec::new();
    for i in 0..QUERIES * rounds {
        if i % QUERIES == 0 {
            qrng = Rng(0x51_7cc1_b727_220a);
        }
        let kind = Kind::ALL[i % Kind::ALL.len()];
        let q = make_query(kind, &corpus, &mut qrng);
        if only.as_deref().is_some_and(|o| o != kind.name()) {
            continue;
        }
        let started = Instant::now();
        let page = index.search(&q).unwrap();
        let took = started.elapsed();
        timings.push((kind, took, page.total));
        slowest.push((
            took,
            format!("{} {:?} sort={}", kind.name(), q.text, q.sort.as_str()),
        ));
        slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
        slowest.truncate(5);
    }

    println!("## atelier-search benchmark\n");
    println!("| metric | value |");
    println!("|---|---|");
    println!("| documents | {written} |");
    println!(
        "| prompt text | {:.0} MB (avg {} chars) |",
        text_bytes as f64 / 1e6,
        text_bytes / n.max(1)
    );
    println!("| bulk_upsert time (incl. the final merge) | {index_secs:.1} s |");
    println!(
        "| indexing rate | {:.0} docs/s ({:.1} MB/s of prompt text) |",
        written as f64 / index_secs,
        text_bytes as f64 / 1e6 / index_secs
    );
    println!("| segments | {} |", index.segment_count());
    println!(
        "| index size on disk | {:.0} MB |",
        dir_size(dir.path()) as f64 / 1e6
    );
    println!(
        "| load average (1 min) before / after | {load_before} / {} |",
        load_average()
    );
    println!();
    println!("| query kind | queries | avg total hits | p50 ms | p99 ms | max ms |");
    println!("|---|---|---|---|---|---|");
    let mut all: Vec<Duration> = timings.iter().map(|t| t.1).collect();
    all.sort();
    for kind in Kind::ALL {
        let mut ds: Vec<Duration> = timings
            .iter()
            .filter(|t| t.0 == kind)
            .map(|t| t.1)
            .collect();
        ds.sort();
        let totals: Vec<u64> = timings
            .iter()
            .filter(|t| t.0 == kind)
            .map(|t| t.2)
            .collect();
        let avg_total = totals.iter().sum::<u64>() / (totals.len().max(1) as u64);
        println!(
            "| {} | {} | {avg_total} | {:.2} | {:.2} | {:.2} |",
            kind.name(),
            ds.len(),
            percentile(&ds, 50),
            percentile(&ds, 99),
            percentile(&ds, 100),
        );
    }
    println!(
        "| **all** | {} | | **{:.2}** | **{:.2}** | {:.2} |",
        all.len(),
        percentile(&all, 50),
        percentile(&all, 99),
        percentile(&all, 100),
    );
    println!();
    println!("Slowest queries:");
    for (took, what) in slowest {
        println!("- {:.2} ms: {what}", took.as_secs_f64() * 1000.0);
    }
}
