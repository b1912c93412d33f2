//! Planning a picture: from the prompt's cues and the seeded generator to a scene, a time of day, a
//! palette and a set of features. Painting and describing both start from the same [`Plan`], so the
//! description always matches the picture.

use crate::palette::{Palette, hue_name, wrap};
use crate::rng::{Rng, fnv1a, mix64};
use crate::words::{self, Cues, Flag, SceneHint, Time, Tone};

/// What kind of picture is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scene {
    Mountains,
    Hills,
    Forest,
    Desert,
    Sea,
    City,
    Space,
    Waves,
    Blobs,
    Shapes,
    Bokeh,
    Studio,
}

impl Scene {
    /// Whether the scene is abstract (no sky, no time of day).
    pub(crate) fn is_abstract(self) -> bool {
        matches!(
            self,
            Self::Waves | Self::Blobs | Self::Shapes | Self::Bokeh | Self::Studio
        )
    }
}

/// Everything decided before the first pixel is painted.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub scene: Scene,
    pub time: Time,
    pub palette: Palette,
    /// Colour names for the description: the prompt's own words where it named colours.
    pub colour_names: [&'static str; 2],
    /// Draw a sun (day, dusk, dawn) or a moon (night).
    pub celestial: bool,
    pub clouds: bool,
    pub stars: bool,
    pub aurora: bool,
    pub rain: bool,
    /// Snow on the ground.
    pub snow: bool,
    /// Snow in the air.
    pub snowfall: bool,
    pub fog: bool,
    pub lake: bool,
    pub lighthouse: bool,
    pub trees: bool,
    pub planet: bool,
    pub painterly: bool,
    /// Seed for everything the painters choose.
    pub seed: u64,
}

fn weighted<T: Copy>(rng: &mut Rng, items: &[(T, f32)], fallback: T) -> T {
    let total: f32 = items.iter().map(|(_, w)| w).sum();
    let mut r = rng.unit() * total;
    for (item, w) in items {
        if r < *w {
            return *item;
        }
        r -= w;
    }
    fallback
}

fn choose_scene(cues: &Cues, rng: &mut Rng) -> Scene {
    let pastel = cues.tone == Some(Tone::Pastel);
    match cues.scene {
        Some(SceneHint::Portrait) => Scene::Studio,
        Some(SceneHint::Waves) => Scene::Waves,
        Some(SceneHint::Blobs) => Scene::Blobs,
        Some(SceneHint::Shapes) => Scene::Shapes,
        Some(SceneHint::Bokeh) => Scene::Bokeh,
        Some(SceneHint::Abstract) if cues.names(SceneHint::Sea) => Scene::Waves,
        Some(SceneHint::Abstract) => {
            let shapes = if pastel { 3.0 } else { 1.5 };
            let items = [
                (Scene::Waves, 2.0),
                (Scene::Blobs, 2.0),
                (Scene::Shapes, shapes),
                (Scene::Bokeh, 1.0),
            ];
            weighted(rng, &items, Scene::Waves)
        }
        Some(SceneHint::City) => Scene::City,
        Some(SceneHint::Space) => Scene::Space,
        Some(SceneHint::Sea) => Scene::Sea,
        Some(SceneHint::Desert) => Scene::Desert,
        Some(SceneHint::Forest) => Scene::Forest,
        Some(SceneHint::Mountains) => Scene::Mountains,
        Some(SceneHint::Hills) => Scene::Hills,
        None if cues.has(Flag::Rain) => {
            let items = [
                (Scene::City, 3.0),
                (Scene::Forest, 2.0),
                (Scene::Hills, 1.0),
                (Scene::Sea, 1.0),
            ];
            weighted(rng, &items, Scene::City)
        }
        None if cues.has(Flag::Snow) => {
            let items = [(Scene::Mountains, 2.0), (Scene::Forest, 2.0)];
            weighted(rng, &items, Scene::Mountains)
        }
        None if cues.has(Flag::Aurora) || cues.has(Flag::Stars) => {
            let items = [
                (Scene::Mountains, 2.0),
                (Scene::Space, 1.0),
                (Scene::Forest, 1.0),
            ];
            weighted(rng, &items, Scene::Mountains)
        }
        None if cues.time.is_some() || cues.has(Flag::Lake) || cues.has(Flag::Fog) => {
            // Light, weather or water without a named scene: an outdoor view.
            let items = [
                (Scene::Mountains, 4.0),
                (Scene::Hills, 2.0),
                (Scene::Forest, 2.0),
                (Scene::Sea, 2.5),
                (Scene::Desert, 0.5),
            ];
            weighted(rng, &items, Scene::Mountains)
        }
        None if pastel => {
            let items = [
                (Scene::Shapes, 2.0),
                (Scene::Blobs, 2.0),
                (Scene::Waves, 1.0),
            ];
            weighted(rng, &items, Scene::Shapes)
        }
        None => {
            let items = [
                (Scene::Mountains, 4.0),
                (Scene::Hills, 2.0),
                (Scene::Forest, 2.0),
                (Scene::Sea, 3.0),
                (Scene::Desert, 1.0),
                (Scene::Space, 1.0),
                (Scene::City, 1.5),
                (Scene::Waves, 1.5),
                (Scene::Blobs, 1.0),
                (Scene::Bokeh, 0.5),
            ];
            weighted(rng, &items, Scene::Mountains)
        }
    }
}

fn choose_time(cues: &Cues, scene: Scene, rng: &mut Rng) -> Time {
    if let Some(t) = cues.time {
        return t;
    }
    if cues.tone == Some(Tone::Neon) || scene == Scene::Space {
        return Time::Night;
    }
    if cues.has(Flag::Aurora) {
        return Time::Night;
    }
    let items: &[(Time, f32)] = match scene {
        Scene::City => &[(Time::Night, 3.0), (Time::Dusk, 2.0), (Time::Day, 0.5)],
        _ if scene.is_abstract() => &[(Time::Day, 1.0)],
        _ if cues.has(Flag::Rain) => &[(Time::Dusk, 2.0), (Time::Day, 0.5), (Time::Night, 1.5)],
        _ => &[
            (Time::Dusk, 4.0),
            (Time::Day, 2.5),
            (Time::Dawn, 1.5),
            (Time::Night, 2.0),
        ],
    };
    weighted(rng, items, Time::Dusk)
}

/// Default (light, shadow) hue pairs when the prompt names no colour.
fn default_hues(cues: &Cues, scene: Scene, time: Time) -> &'static [(f32, f32)] {
    let snow = cues.has(Flag::Snow);
    match (cues.tone, scene, time) {
        (Some(Tone::Neon), _, _) => &[(320.0, 190.0), (290.0, 185.0), (195.0, 320.0)],
        (Some(Tone::Pastel), _, _) => &[
            (340.0, 180.0),
            (30.0, 200.0),
            (270.0, 160.0),
            (200.0, 340.0),
            (160.0, 20.0),
        ],
        (_, Scene::Waves | Scene::Blobs | Scene::Shapes | Scene::Bokeh, _) => &[
            (330.0, 200.0),
            (270.0, 180.0),
            (15.0, 330.0),
            (200.0, 265.0),
            (40.0, 190.0),
            (345.0, 260.0),
            (185.0, 215.0),
        ],
        (_, Scene::Studio, _) => &[(30.0, 210.0), (210.0, 30.0), (350.0, 190.0), (160.0, 330.0)],
        (_, Scene::Space, _) => &[(250.0, 300.0), (220.0, 180.0), (275.0, 200.0)],
        (_, _, Time::Day) if snow => &[(210.0, 200.0), (200.0, 220.0)],
        (_, _, Time::Night) if snow => &[(215.0, 190.0), (235.0, 180.0)],
        (_, _, Time::Dusk | Time::Dawn) if snow => &[(330.0, 230.0), (25.0, 220.0)],
        (_, Scene::Sea, Time::Day) => &[(205.0, 185.0), (195.0, 215.0)],
        (_, Scene::Sea, Time::Night) => &[(225.0, 200.0)],
        (_, Scene::Sea, _) => &[(28.0, 220.0), (15.0, 250.0), (40.0, 200.0)],
        (_, Scene::Desert, Time::Day) => &[(40.0, 28.0), (200.0, 30.0)],
        (_, Scene::Desert, Time::Night) => &[(230.0, 30.0)],
        (_, Scene::Desert, _) => &[(25.0, 15.0), (30.0, 280.0)],
        (_, Scene::City, Time::Night) => &[(240.0, 30.0), (260.0, 200.0)],
        (_, _, Time::Dusk) => &[
            (28.0, 275.0),
            (15.0, 300.0),
            (38.0, 230.0),
            (350.0, 260.0),
            (45.0, 250.0),
        ],
        (_, _, Time::Dawn) => &[(340.0, 250.0), (25.0, 210.0), (45.0, 320.0), (10.0, 280.0)],
        (_, _, Time::Day) => &[
            (205.0, 150.0),
            (195.0, 30.0),
            (215.0, 280.0),
            (190.0, 200.0),
        ],
        (_, _, Time::Night) => &[
            (225.0, 270.0),
            (235.0, 190.0),
            (255.0, 320.0),
            (210.0, 230.0),
        ],
    }
}

fn choose_hues(
    cues: &Cues,
    scene: Scene,
    time: Time,
    rng: &mut Rng,
) -> ([f32; 2], [&'static str; 2]) {
    match cues.hues.as_slice() {
        [(a, an), (b, bn), ..] => {
            // The light hue (horizon, sun) is the warmer one at dusk and dawn; by day and night the
            // sky takes the cooler one. The description keeps the prompt's order.
            let warm_first = matches!(time, Time::Dusk | Time::Dawn);
            let (p, q) = if (warmth(*a) >= warmth(*b)) == warm_first {
                (*a, *b)
            } else {
                (*b, *a)
            };
            ([p, q], [*an, *bn])
        }
        [(p, pn)] => {
            // An analogous second hue, turned away from muddy yellow-greens.
            let step = rng.pick(&[-40.0, -28.0, 28.0, 40.0], 30.0);
            let greenish = |h: f32| (50.0..160.0).contains(&wrap(h));
            let q = if greenish(p + step) && !greenish(*p) {
                p - step
            } else {
                p + step
            };
            ([*p, q], [*pn, *pn])
        }
        [] => {
            let (p, q) = rng.pick(default_hues(cues, scene, time), (28.0, 275.0));
            let p = p + rng.range(-8.0, 8.0);
            let q = q + rng.range(-8.0, 8.0);
            ([p, q], [hue_name(p), hue_name(q)])
        }
    }
}

/// How warm a hue is: 1 at orange, 0 at its opposite (blue-cyan).
fn warmth(h: f32) -> f32 {
    let d = h - 35.0;
    let d = (d - crate::math::floorf(d / 360.0) * 360.0).abs();
    let d = if d > 180.0 { 360.0 - d } else { d };
    1.0 - d / 180.0
}

/// Normalises a prompt for hashing: lower case, single spaces.
fn normalise(prompt: &str) -> String {
    prompt
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl Plan {
    /// Plans the picture for `prompt` and `seed`.
    pub(crate) fn new(prompt: &str, seed: u64) -> Self {
        let cues = words::read(prompt);
        let mut rng = Rng::new(fnv1a(normalise(prompt).as_bytes()) ^ mix64(seed));
        let scene = choose_scene(&cues, &mut rng);
        let time = choose_time(&cues, scene, &mut rng);
        let (hues, mut colour_names) = choose_hues(&cues, scene, time, &mut rng);
        let mut palette = Palette::new(hues[0], hues[1], time, cues.tone);
        if scene == Scene::Forest && cues.hues.is_empty() {
            palette.green_land(time, rng.range(120.0, 160.0));
            colour_names[1] = "green";
        }
        let night = time == Time::Night;
        let landscape = matches!(
            scene,
            Scene::Mountains | Scene::Hills | Scene::Forest | Scene::Desert
        );
        let rain = cues.has(Flag::Rain);
        let snow = cues.has(Flag::Snow);
        let celestial = match time {
            _ if rain => false,
            Time::Dusk | Time::Dawn => cues.has(Flag::Sun) || rng.chance(0.85),
            Time::Day => cues.has(Flag::Sun) || rng.chance(0.5),
            Time::Night => {
                cues.has(Flag::Moon)
                    || matches!(scene, Scene::Sea | Scene::Desert)
                    || rng.chance(0.65)
            }
        };
        let clouds = rain
            || match time {
                Time::Night => rng.chance(0.2),
                _ => rng.chance(0.6),
            };
        let aurora =
            cues.has(Flag::Aurora) || (night && snow && !rain && landscape && rng.chance(0.35));
        let lake =
            landscape && scene != Scene::Desert && (cues.has(Flag::Lake) || rng.chance(0.25));
        let lighthouse = scene == Scene::Sea && (cues.has(Flag::Lighthouse) || rng.chance(0.2));
        let trees = scene == Scene::Forest
            || (scene == Scene::Mountains && (snow || cues.names(SceneHint::Forest)))
            || (scene == Scene::Hills && rng.chance(0.4));
        Self {
            scene,
            time,
            palette,
            colour_names,
            celestial,
            clouds,
            stars: night && !rain && (scene != Scene::City || rng.chance(0.5)),
            aurora,
            rain,
            snow,
            snowfall: snow && !aurora && rng.chance(0.4),
            fog: cues.has(Flag::Fog) || rng.chance(0.3),
            lake,
            lighthouse,
            trees,
            planet: scene == Scene::Space && rng.chance(0.7),
            painterly: cues.has(Flag::Painterly),
            seed: rng.next_u64(),
        }
    }
}
