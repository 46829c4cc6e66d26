//! Charts drawn with plotters. Drawing functions are generic over the backend; the canvas
//! component only owns the `<canvas>` and redraws when the data, the size or the colour scheme
//! changes.

use plotters::prelude::*;

use crate::flock::stats::Summary;

/// Colours for light or dark pages.
pub struct Palette {
    /// Background.
    pub background: RGBColor,
    /// Axis and label text.
    pub text: RGBColor,
    /// Grid lines.
    pub grid: RGBColor,
    /// Daily bars.
    pub bars: RGBColor,
    /// The 7-day average line.
    pub line: RGBColor,
}

impl Palette {
    /// The palette matching the page's colour scheme.
    pub fn for_scheme(dark: bool) -> Palette {
        if dark {
            Palette {
                background: RGBColor(0x18, 0x1b, 0x21),
                text: RGBColor(0xc9, 0xcf, 0xda),
                grid: RGBColor(0x2a, 0x2f, 0x39),
                bars: RGBColor(0x7a, 0xa2, 0xff),
                line: RGBColor(0xf0, 0xc0, 0x60),
            }
        } else {
            Palette {
                background: RGBColor(0xff, 0xff, 0xff),
                text: RGBColor(0x3b, 0x42, 0x50),
                grid: RGBColor(0xe6, 0xe9, 0xef),
                bars: RGBColor(0x1d, 0x4e, 0xd8),
                line: RGBColor(0xd9, 0x77, 0x06),
            }
        }
    }
}

/// Draw daily counts as bars with their 7-day average as a line.
pub fn draw_daily<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    summary: &Summary,
    palette: &Palette,
) -> Result<(), String> {
    let failed = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("drawing failed: {e:?}");
    root.fill(&palette.background).map_err(failed)?;
    let days = summary.days.len();
    if days == 0 {
        return root.present().map_err(failed);
    }
    let top = summary
        .days
        .iter()
        .map(|d| d.count)
        .max()
        .unwrap_or(0)
        .max(1) as f64
        * 1.1;
    let labels = summary.days.clone();
    // Long ranges cross years: then the labels say which.
    let label_format = if days > 180 { "%b %Y" } else { "%b %d" };
    let mut chart = ChartBuilder::on(&root)
        .margin(12)
        .x_label_area_size(28)
        .y_label_area_size(56)
        .build_cartesian_2d(0f64..days as f64, 0f64..top)
        .map_err(failed)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(palette.grid)
        .bold_line_style(palette.grid)
        .axis_style(palette.text)
        .label_style(("sans-serif", 12).into_font().color(&palette.text))
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&|x| {
            labels
                .get(*x as usize)
                .map(|d| d.date.format(label_format).to_string())
                .unwrap_or_default()
        })
        .y_label_formatter(&|y| crate::flock::format::human_count(*y as u64))
        .draw()
        .map_err(failed)?;
    let bar = palette.bars.mix(0.75).filled();
    chart
        .draw_series(summary.days.iter().enumerate().map(|(i, d)| {
            Rectangle::new(
                [(i as f64 + 0.1, 0.0), (i as f64 + 0.9, d.count as f64)],
                bar,
            )
        }))
        .map_err(failed)?;
    chart
        .draw_series(LineSeries::new(
            summary
                .moving_average
                .iter()
                .enumerate()
                .map(|(i, v)| (i as f64 + 0.5, *v)),
            palette.line.stroke_width(2),
        ))
        .map_err(failed)?;
    root.present().map_err(failed)
}
