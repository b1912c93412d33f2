//! Wording: an [`Analysis`] written as a prompt, in English or in Chinese, adjectives first, then
//! the shape, the palette and the qualities measured.

use super::{Analysis, Brightness, Busyness, Contrast, Light, Saturation, Shape};

/// `items` joined as "a", "a and b", "a, b and c" (or with the Chinese forms).
fn list(items: &[String], chinese: bool) -> String {
    let (comma, and) = if chinese {
        ("、", "和")
    } else {
        (", ", " and ")
    };
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{}{and}{last}", rest.join(comma)),
    }
}

pub(super) fn render_en(a: &Analysis) -> String {
    let mut adjectives: Vec<&str> = Vec::new();
    match a.busyness {
        Busyness::Minimal => adjectives.push("minimal"),
        Busyness::Busy => adjectives.push("busy, detailed"),
        Busyness::Balanced => {}
    }
    match a.brightness {
        Brightness::Dark => adjectives.push("dark"),
        Brightness::Dim => adjectives.push("dim"),
        Brightness::Bright => adjectives.push("bright"),
        Brightness::HighKey => adjectives.push("high-key"),
        Brightness::Balanced => {}
    }
    let shape = match a.shape {
        Shape::Square => "square image",
        Shape::Landscape => "landscape-format image",
        Shape::Portrait => "portrait-format image",
    };
    let mut out = String::from("A ");
    if !adjectives.is_empty() {
        out.push_str(&adjectives.join(", "));
        out.push(' ');
    }
    out.push_str(shape);
    if let Some((w, h)) = a.ratio {
        out.push_str(&format!(" ({w}:{h})"));
    }
    let colours: Vec<String> = a.palette.iter().map(|s| s.name(false)).collect();
    out.push_str(" dominated by ");
    out.push_str(&list(&colours, false));
    out.push_str(match a.contrast {
        Contrast::Low => ", low contrast",
        Contrast::Soft => ", soft contrast",
        Contrast::Strong => ", strong contrast",
    });
    out.push_str(match a.saturation {
        Saturation::BlackAndWhite => ", black and white",
        Saturation::Muted => ", muted colours",
        Saturation::Natural => ", natural colours",
        Saturation::Vivid => ", vivid colours",
    });
    if a.centre {
        out.push_str(", with a clear centre of interest");
    }
    if let Some(light) = a.light {
        out.push_str(match light {
            Light::Above => ", lit from above",
            Light::Below => ", lit from below",
            Light::Left => ", light falling from the left",
            Light::Right => ", light falling from the right",
        });
    }
    out
}

pub(super) fn render_zh(a: &Analysis) -> String {
    let mut adjectives: Vec<&str> = Vec::new();
    match a.busyness {
        Busyness::Minimal => adjectives.push("简约"),
        Busyness::Busy => adjectives.push("繁复细致"),
        Busyness::Balanced => {}
    }
    match a.brightness {
        Brightness::Dark => adjectives.push("暗调"),
        Brightness::Dim => adjectives.push("昏暗"),
        Brightness::Bright => adjectives.push("明亮"),
        Brightness::HighKey => adjectives.push("高调明亮"),
        Brightness::Balanced => {}
    }
    let shape = match a.shape {
        Shape::Square => "方形图像",
        Shape::Landscape => "横幅图像",
        Shape::Portrait => "竖幅图像",
    };
    let mut out = String::from("一张");
    if !adjectives.is_empty() {
        out.push_str(&adjectives.join("、"));
        out.push('的');
    }
    out.push_str(shape);
    if let Some((w, h)) = a.ratio {
        out.push_str(&format!("（{w}:{h}）"));
    }
    let colours: Vec<String> = a.palette.iter().map(|s| s.name(true)).collect();
    out.push_str("，以");
    out.push_str(&list(&colours, true));
    out.push_str("为主");
    out.push_str(match a.contrast {
        Contrast::Low => "，对比度低",
        Contrast::Soft => "，对比柔和",
        Contrast::Strong => "，对比强烈",
    });
    out.push_str(match a.saturation {
        Saturation::BlackAndWhite => "，黑白",
        Saturation::Muted => "，色彩低饱和",
        Saturation::Natural => "，色彩自然",
        Saturation::Vivid => "，色彩鲜艳",
    });
    if a.centre {
        out.push_str("，中心主体突出");
    }
    if let Some(light) = a.light {
        out.push_str(match light {
            Light::Above => "，光线来自上方",
            Light::Below => "，光线来自下方",
            Light::Left => "，光线来自左侧",
            Light::Right => "，光线来自右侧",
        });
    }
    out
}
