//! A short English sentence saying what a plan draws — alt text for generated pictures.

use crate::plan::{Plan, Scene};
use crate::words::{Time, Tone};

/// Describes the picture `plan` draws, e.g. "a misty mountain landscape at dusk in teal and gold".
pub(crate) fn sentence(plan: &Plan) -> String {
    let mut out = String::from(subject(plan));
    if !plan.scene.is_abstract() {
        out.push(' ');
        out.push_str(match plan.time {
            Time::Day => "by day",
            Time::Dawn => "at dawn",
            Time::Dusk => "at dusk",
            Time::Night => "at night",
        });
        if plan.aurora {
            out.push_str(" under the northern lights");
        }
        if plan.rain {
            out.push_str(" in the rain");
        } else if plan.snowfall {
            out.push_str(" in falling snow");
        }
    }
    out.push_str(" in ");
    let tone = match plan.palette.tone {
        Some(Tone::Pastel) => "pastel ",
        Some(Tone::Neon) => "neon ",
        Some(Tone::Dark) => "deep ",
        Some(Tone::Light) => "pale ",
        None => "",
    };
    let [a, b] = plan.colour_names;
    if a == b {
        out.push_str("shades of ");
        out.push_str(tone);
        out.push_str(a);
    } else {
        out.push_str(tone);
        out.push_str(a);
        out.push_str(" and ");
        out.push_str(b);
    }
    if plan.painterly {
        out.push_str(", with painterly brushwork");
    }
    out
}

fn subject(plan: &Plan) -> &'static str {
    let misty = plan.fog;
    match plan.scene {
        Scene::Mountains if plan.lake => "a mountain lake landscape",
        Scene::Mountains if plan.snow => "a snowy mountain landscape",
        Scene::Mountains if misty => "a misty mountain landscape",
        Scene::Mountains => "a layered mountain landscape",
        Scene::Hills if plan.lake => "rolling hills around a still lake",
        Scene::Hills if plan.snow => "snowy rolling hills",
        Scene::Hills => "rolling hills",
        Scene::Forest if plan.snow => "a snowy pine forest",
        Scene::Forest if plan.lake => "a pine forest by a lake",
        Scene::Forest => "a misty pine forest",
        Scene::Desert => "desert dunes",
        Scene::Sea if plan.lighthouse => "a lighthouse on a cliff above the sea",
        Scene::Sea => "a calm seascape",
        Scene::City => "a city skyline over the water",
        Scene::Space if plan.planet => "a planet in a starry sky",
        Scene::Space => "a deep starry sky",
        Scene::Waves => "layered paper-cut waves",
        Scene::Blobs => "soft flowing colour blobs",
        Scene::Shapes => "minimalist abstract shapes",
        Scene::Bokeh => "soft out-of-focus lights",
        Scene::Studio => "a backlit portrait silhouette against a studio backdrop",
    }
}
