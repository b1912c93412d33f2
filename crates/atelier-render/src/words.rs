//! Reading a prompt: which words (English and Chinese) steer colour, scene, time of day and weather.
//! Everything not listed here only feeds the hash that picks the random parameters.

/// A kind of picture a prompt asks for, most specific first (see [`SceneHint::priority`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SceneHint {
    Portrait,
    Waves,
    Blobs,
    Shapes,
    Bokeh,
    Abstract,
    City,
    Space,
    Sea,
    Desert,
    Forest,
    Mountains,
    Hills,
}

impl SceneHint {
    /// Lower wins when a prompt names several scenes.
    fn priority(self) -> u8 {
        match self {
            Self::Portrait => 0,
            Self::Waves => 1,
            Self::Blobs => 2,
            Self::Shapes => 3,
            Self::Bokeh => 4,
            Self::Abstract => 5,
            Self::City => 6,
            Self::Space => 7,
            Self::Sea => 8,
            Self::Desert => 9,
            Self::Forest => 10,
            Self::Mountains => 11,
            Self::Hills => 12,
        }
    }
}

/// The light of the scene.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Time {
    Day,
    Dawn,
    Dusk,
    Night,
}

/// An overall colour treatment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    Neon,
    Pastel,
    Dark,
    Light,
}

/// Features a prompt can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flag {
    Rain,
    Snow,
    Fog,
    Aurora,
    Lighthouse,
    Stars,
    Moon,
    Sun,
    Lake,
    Painterly,
}

/// What one keyword says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cue {
    Hue(f32, &'static str),
    Scene(SceneHint),
    Time(Time),
    Tone(Tone),
    Flag(Flag),
}

struct Entry {
    en: &'static [&'static str],
    zh: &'static [&'static str],
    cues: &'static [Cue],
}

use Cue::{Flag as F, Hue, Scene as S, Time as T, Tone as N};

const RED: Cue = Hue(2.0, "red");
const ORANGE: Cue = Hue(26.0, "orange");
const GOLD: Cue = Hue(42.0, "gold");
const YELLOW: Cue = Hue(52.0, "yellow");
const GREEN: Cue = Hue(130.0, "green");
const TEAL: Cue = Hue(176.0, "teal");
const BLUE: Cue = Hue(218.0, "blue");
const PURPLE: Cue = Hue(272.0, "purple");
const PINK: Cue = Hue(330.0, "pink");

#[rustfmt::skip]
const TABLE: &[Entry] = &[
    // Colours.
    Entry { en: &["red", "reddish", "crimson", "scarlet", "ruby", "cherry", "fire", "flame"], zh: &["红", "赤", "火"], cues: &[RED] },
    Entry { en: &["orange", "amber", "tangerine", "copper", "autumn", "rust"], zh: &["橙", "橘", "秋"], cues: &[ORANGE] },
    Entry { en: &["gold", "golden", "brass"], zh: &["金"], cues: &[GOLD] },
    Entry { en: &["yellow", "lemon", "sunflower"], zh: &["黄"], cues: &[YELLOW] },
    Entry { en: &["green", "emerald", "jade", "mint", "olive", "lush"], zh: &["绿", "翠"], cues: &[GREEN] },
    Entry { en: &["teal", "turquoise", "aqua", "cyan", "aquamarine"], zh: &["青", "碧"], cues: &[TEAL] },
    Entry { en: &["blue", "bluish", "azure", "navy", "cobalt", "sapphire", "indigo"], zh: &["蓝"], cues: &[BLUE] },
    Entry { en: &["purple", "purplish", "violet", "lavender", "lilac", "amethyst"], zh: &["紫"], cues: &[PURPLE] },
    Entry { en: &["pink", "rose", "magenta", "fuchsia", "blossom", "sakura"], zh: &["粉", "樱"], cues: &[PINK] },
    Entry { en: &["black", "dark", "noir", "shadow", "gothic"], zh: &["黑", "暗"], cues: &[N(Tone::Dark)] },
    Entry { en: &["white", "silver", "ivory", "bright"], zh: &["白", "银"], cues: &[N(Tone::Light)] },
    Entry { en: &["neon", "cyberpunk", "synthwave", "vaporwave"], zh: &["霓虹", "赛博"], cues: &[N(Tone::Neon)] },
    Entry { en: &["pastel", "soft", "gentle", "dreamy"], zh: &["马卡龙", "粉彩", "柔和", "梦幻"], cues: &[N(Tone::Pastel)] },
    // Time of day.
    Entry { en: &["sunset", "dusk", "twilight", "evening", "golden hour"], zh: &["日落", "黄昏", "夕阳", "傍晚", "晚霞"], cues: &[T(Time::Dusk), F(Flag::Sun)] },
    Entry { en: &["sunrise", "dawn", "morning"], zh: &["日出", "黎明", "清晨", "早晨"], cues: &[T(Time::Dawn), F(Flag::Sun)] },
    Entry { en: &["night", "midnight", "nocturne", "nighttime"], zh: &["夜", "晚上"], cues: &[T(Time::Night)] },
    Entry { en: &["moon", "moonlit", "moonlight", "lunar"], zh: &["月"], cues: &[T(Time::Night), F(Flag::Moon)] },
    Entry { en: &["day", "noon", "sunny", "daylight", "afternoon", "summer", "sun"], zh: &["白天", "阳光", "正午", "夏"], cues: &[T(Time::Day), F(Flag::Sun)] },
    Entry { en: &["star", "starry", "starlight", "stars"], zh: &["星"], cues: &[T(Time::Night), F(Flag::Stars)] },
    Entry { en: &["aurora", "northern lights", "borealis", "polar lights"], zh: &["极光"], cues: &[T(Time::Night), F(Flag::Aurora), F(Flag::Stars)] },
    // Weather.
    Entry { en: &["rain", "rainy", "storm", "stormy", "drizzle", "umbrella", "raining", "wet"], zh: &["雨", "伞"], cues: &[F(Flag::Rain)] },
    Entry { en: &["snow", "snowy", "winter", "ice", "icy", "frozen", "glacier", "frost", "arctic", "snowing"], zh: &["雪", "冬", "冰"], cues: &[F(Flag::Snow)] },
    Entry { en: &["fog", "foggy", "mist", "misty", "haze", "hazy"], zh: &["雾"], cues: &[F(Flag::Fog)] },
    // Scenes.
    Entry { en: &["portrait", "headshot", "face", "selfie", "studio", "person", "woman", "girl"], zh: &["人像", "肖像", "头像", "女孩", "男孩"], cues: &[S(SceneHint::Portrait)] },
    Entry { en: &["abstract", "minimalist", "minimal", "geometric", "pattern"], zh: &["抽象", "极简", "几何", "图案"], cues: &[S(SceneHint::Abstract)] },
    Entry { en: &["shape", "shapes", "boho", "bauhaus", "arch", "arches"], zh: &["形状"], cues: &[S(SceneHint::Shapes)] },
    Entry { en: &["gradient", "blob", "blobs", "fluid", "liquid", "swirl"], zh: &["渐变", "流体"], cues: &[S(SceneHint::Blobs)] },
    Entry { en: &["bokeh", "sparkle", "glitter", "fairy lights"], zh: &["散景", "光斑"], cues: &[S(SceneHint::Bokeh)] },
    Entry { en: &["flow", "flowing", "ribbon", "ribbons", "paper cut", "papercut"], zh: &["剪纸", "波纹"], cues: &[S(SceneHint::Waves)] },
    Entry { en: &["city", "cities", "street", "urban", "skyline", "downtown", "metropolis", "building", "skyscraper", "tokyo", "town"], zh: &["城市", "街", "都市", "高楼", "大楼", "城"], cues: &[S(SceneHint::City)] },
    Entry { en: &["space", "galaxy", "nebula", "cosmos", "cosmic", "universe", "planet", "astronaut", "milky way", "orbit"], zh: &["宇宙", "星空", "银河", "星系", "太空", "行星", "宇航员"], cues: &[S(SceneHint::Space), T(Time::Night), F(Flag::Stars)] },
    Entry { en: &["ocean", "sea", "seascape", "beach", "coast", "shore", "harbor", "harbour", "island", "bay", "wave", "waves", "sail", "boat"], zh: &["海", "洋", "沙滩", "海滩", "海岸", "浪", "岛", "船"], cues: &[S(SceneHint::Sea)] },
    Entry { en: &["lighthouse"], zh: &["灯塔"], cues: &[S(SceneHint::Sea), F(Flag::Lighthouse)] },
    Entry { en: &["lake", "river", "pond", "reflection"], zh: &["湖", "河", "倒影"], cues: &[F(Flag::Lake)] },
    Entry { en: &["desert", "dune", "sand", "sahara", "canyon"], zh: &["沙漠", "沙丘"], cues: &[S(SceneHint::Desert)] },
    Entry { en: &["forest", "woods", "tree", "pine", "woodland", "jungle", "grove"], zh: &["森林", "树", "林"], cues: &[S(SceneHint::Forest)] },
    Entry { en: &["mountain", "peak", "alps", "alpine", "valley", "cliff", "summit", "range", "landscape"], zh: &["山", "峰", "谷", "风景"], cues: &[S(SceneHint::Mountains)] },
    Entry { en: &["hill", "meadow", "field", "countryside", "prairie", "farm"], zh: &["丘", "草原", "田"], cues: &[S(SceneHint::Hills)] },
    Entry { en: &["painting", "oil", "watercolor", "watercolour", "canvas", "impasto", "gouache", "brush"], zh: &["油画", "水彩", "画"], cues: &[F(Flag::Painterly)] },
];

/// What a prompt asks for, in the order its words appear.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Cues {
    /// Named colours, first mention first, each at most once.
    pub hues: Vec<(f32, &'static str)>,
    /// The most specific scene named, if any.
    pub scene: Option<SceneHint>,
    /// Every scene named, in prompt order.
    pub scenes: Vec<SceneHint>,
    /// The first time of day named.
    pub time: Option<Time>,
    /// The first tone named.
    pub tone: Option<Tone>,
    /// Every feature named.
    pub flags: Vec<Flag>,
}

impl Cues {
    /// Whether the prompt asked for `flag`.
    pub(crate) fn has(&self, flag: Flag) -> bool {
        self.flags.contains(&flag)
    }

    /// Whether the prompt named `scene` anywhere.
    pub(crate) fn names(&self, scene: SceneHint) -> bool {
        self.scenes.contains(&scene)
    }
}

fn english_match(word: &str, key: &str) -> bool {
    match word.strip_prefix(key) {
        Some(rest) => matches!(rest, "" | "s" | "es" | "y" | "ing" | "ed" | "ish"),
        None => false,
    }
}

/// Reads the cues of `prompt`.
pub(crate) fn read(prompt: &str) -> Cues {
    let lower = prompt.to_lowercase();
    let mut hits: Vec<(usize, Cue)> = Vec::new();

    // English: runs of ASCII letters and digits, with their byte offsets.
    let mut words: Vec<(usize, &str)> = Vec::new();
    let mut start = None;
    for (i, ch) in lower
        .char_indices()
        .chain(std::iter::once((lower.len(), ' ')))
    {
        match (ch.is_ascii_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                words.push((s, &lower[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    for entry in TABLE {
        for key in entry.en {
            let parts: Vec<&str> = key.split(' ').collect();
            let n = parts.len();
            for (wi, window) in words.windows(n).enumerate() {
                let last = n - 1;
                let ok = window
                    .iter()
                    .zip(&parts)
                    .enumerate()
                    .all(|(k, ((_, w), p))| {
                        if k == last {
                            english_match(w, p)
                        } else {
                            w == p
                        }
                    });
                if ok {
                    let pos = words.get(wi).map_or(0, |(p, _)| *p);
                    hits.extend(entry.cues.iter().map(|c| (pos, *c)));
                }
            }
        }
    }

    // Chinese: substrings, longest keys first; a matched span is blanked so that 黄昏 (dusk) does not
    // also count as 黄 (yellow).
    let mut zh_keys: Vec<(&str, &Entry)> = TABLE
        .iter()
        .flat_map(|e| e.zh.iter().map(move |k| (*k, e)))
        .collect();
    zh_keys.sort_by_key(|(k, _)| std::cmp::Reverse(k.chars().count()));
    let mut work = lower.clone();
    for (key, entry) in zh_keys {
        while let Some(pos) = work.find(key) {
            hits.extend(entry.cues.iter().map(|c| (pos, *c)));
            work.replace_range(pos..pos + key.len(), &" ".repeat(key.len()));
        }
    }

    hits.sort_by_key(|(pos, _)| *pos);
    let mut cues = Cues::default();
    for (_, cue) in hits {
        match cue {
            Cue::Hue(h, name) => {
                if !cues.hues.iter().any(|(_, n)| *n == name) {
                    cues.hues.push((h, name));
                }
            }
            Cue::Scene(s) => {
                if !cues.scenes.contains(&s) {
                    cues.scenes.push(s);
                }
            }
            Cue::Time(t) => {
                cues.time.get_or_insert(t);
            }
            Cue::Tone(t) => {
                cues.tone.get_or_insert(t);
            }
            Cue::Flag(f) => {
                if !cues.flags.contains(&f) {
                    cues.flags.push(f);
                }
            }
        }
    }
    cues.scene = cues.scenes.iter().copied().min_by_key(|s| s.priority());
    cues
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_colours_scenes_and_times() {
        let c = read("A deep blue ocean with golden light at sunset");
        assert_eq!(c.hues, vec![(218.0, "blue"), (42.0, "gold")]);
        assert_eq!(c.scene, Some(SceneHint::Sea));
        assert_eq!(c.time, Some(Time::Dusk));
        let c = read("neon city street at night in the rain");
        assert_eq!(c.tone, Some(Tone::Neon));
        assert_eq!(c.scene, Some(SceneHint::City));
        assert_eq!(c.time, Some(Time::Night));
        assert!(c.has(Flag::Rain));
        let c = read("snowy forest under the northern lights");
        assert!(c.has(Flag::Snow) && c.has(Flag::Aurora));
        assert_eq!(c.scene, Some(SceneHint::Forest));
    }

    #[test]
    fn words_match_whole_words_only() {
        assert!(read("reddish clouds").hues.iter().any(|h| h.1 == "red"));
        assert!(read("a redundant season").hues.is_empty());
        assert_eq!(read("a redundant season").scene, None);
    }

    #[test]
    fn chinese_keywords() {
        let c = read("一只在雨中撑伞的橘猫");
        assert!(c.has(Flag::Rain));
        assert_eq!(c.hues, vec![(26.0, "orange")]);
        let c = read("黄昏时的蓝色大海");
        assert_eq!(c.time, Some(Time::Dusk));
        assert_eq!(c.hues, vec![(218.0, "blue")], "黄昏 is not 黄");
        assert_eq!(c.scene, Some(SceneHint::Sea));
        assert_eq!(read("宇宙星空").scene, Some(SceneHint::Space));
    }

    #[test]
    fn most_specific_scene_wins() {
        assert_eq!(
            read("portrait of an astronaut").scene,
            Some(SceneHint::Portrait)
        );
        assert_eq!(read("a lighthouse on a cliff").scene, Some(SceneHint::Sea));
        assert_eq!(
            read("abstract ocean waves").scene,
            Some(SceneHint::Abstract)
        );
    }
}
