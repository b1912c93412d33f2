//! One painter per kind of scene, and the passes they share (the sky, weather, the final touches).

mod abstract_art;
mod city;
mod landscape;
mod sea;
mod shapes;
mod space;
mod studio;

use crate::canvas::Canvas;
use crate::noise::Noise;
use crate::plan::{Plan, Scene};
use crate::rng::Rng;
use crate::sky::{self, Body};
use crate::weather;
use crate::words::Time;

/// Paints the planned picture at `w` × `h`.
pub(crate) fn paint(plan: &Plan, w: usize, h: usize) -> Canvas {
    let mut canvas = Canvas::new(w, h);
    let mut rng = Rng::new(plan.seed);
    let noise = Noise::new(&mut rng);
    match plan.scene {
        Scene::Mountains | Scene::Hills | Scene::Forest | Scene::Desert => {
            landscape::paint(&mut canvas, plan, &noise, &mut rng);
        }
        Scene::Sea => sea::paint(&mut canvas, plan, &noise, &mut rng),
        Scene::City => city::paint(&mut canvas, plan, &noise, &mut rng),
        Scene::Space => space::paint(&mut canvas, plan, &noise, &mut rng),
        Scene::Waves => abstract_art::waves(&mut canvas, plan, &noise, &mut rng),
        Scene::Blobs => abstract_art::blobs(&mut canvas, plan, &noise, &mut rng),
        Scene::Shapes => shapes::paint(&mut canvas, plan, &noise, &mut rng),
        Scene::Bokeh => abstract_art::bokeh(&mut canvas, plan, &noise, &mut rng),
        Scene::Studio => studio::paint(&mut canvas, plan, &noise, &mut rng),
    }
    weather::apply(&mut canvas, plan, &noise, &mut rng);
    canvas
}

/// The sky of an outdoor scene whose horizon is at `horizon` pixels, hidden below `limit`: the
/// gradient, stars, aurora, the sun or moon with its glow, and clouds. Returns the sun or moon.
pub(crate) fn sky_pass(
    canvas: &mut Canvas,
    plan: &Plan,
    horizon: f32,
    limit: &[f32],
    noise: &Noise,
    rng: &mut Rng,
) -> Option<Body> {
    let mut rng_sky = rng.fork();
    let rng = &mut rng_sky;
    sky::gradient(canvas, plan, horizon);
    if plan.stars {
        let density = if plan.aurora || plan.time != Time::Night {
            0.6
        } else {
            1.0
        };
        sky::stars(canvas, horizon, density, rng);
        if !plan.aurora && !plan.clouds && rng.chance(0.35) {
            sky::milky_way(canvas, plan, limit, noise, rng);
        }
    }
    if plan.aurora {
        sky::aurora(canvas, plan, horizon, limit, noise, rng);
    }
    let body = plan
        .celestial
        .then(|| Body::place(canvas, plan, horizon, rng));
    if let Some(b) = body {
        sky::glow(canvas, plan, b, horizon, limit);
        sky::disc(canvas, plan, b, noise, rng);
    }
    if plan.clouds {
        sky::clouds(canvas, plan, body, horizon, limit, noise, rng);
    }
    body
}
