//! Hand-drawn SVG chart: one row per metric, a dot and a 95% whisker per experiment.

use leptos::prelude::*;
use shared::MetricEstimate;

use crate::format::pct;

const PAD_R: f64 = 24.0;
const TOP: f64 = 26.0;
const LANE: f64 = 14.0;

/// Where things go: wide, the metric's name left of its row; on a phone, the chart is drawn
/// at the screen's own scale with each name above its row, so the text stays readable.
#[derive(Debug, Clone, Copy)]
struct Geometry {
    width: f64,
    /// Where the plot starts.
    plot_x: f64,
    /// Height of the name line above each row (0 when names are on the left).
    name_h: f64,
}

impl Geometry {
    fn for_window() -> Geometry {
        let inner = web_sys::window()
            .and_then(|w| w.inner_width().ok())
            .and_then(|w| w.as_f64())
            .unwrap_or(1280.0);
        if inner < 640.0 {
            Geometry {
                width: 360.0,
                plot_x: 28.0,
                name_h: 16.0,
            }
        } else {
            Geometry {
                width: 720.0,
                plot_x: 220.0,
                name_h: 0.0,
            }
        }
    }

    fn x_of(&self, v: f64, (lo, hi): (f64, f64)) -> f64 {
        let t = ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
        self.plot_x + t * (self.width - self.plot_x - PAD_R)
    }
}

/// The axis range that holds every interval: padded, on a 5-point grid, at least 10 points
/// wide, within 0–100 %. A chart of 92 % vs 95 % then fills the width instead of sharing its
/// last twentieth.
pub fn domain<'a>(estimates: impl Iterator<Item = &'a MetricEstimate>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for e in estimates {
        for v in [e.ci_low, e.ci_high, e.value] {
            if v.is_finite() {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let step = 0.05;
    let mut lo = ((lo - 0.02) / step).floor() * step;
    let mut hi = ((hi + 0.02) / step).ceil() * step;
    while hi - lo < 0.1 - 1e-9 {
        lo -= step / 2.0;
        hi += step / 2.0;
    }
    let (lo, hi) = (lo.max(0.0), hi.min(1.0));
    if hi - lo < 0.1 {
        // Pushed against 0 or 1: widen inward.
        return if lo == 0.0 { (0.0, 0.1) } else { (0.9, 1.0) };
    }
    (lo, hi)
}

/// The chart. Row `i` holds `rows[i].1[j]`, the estimate of experiment `j` (None = not
/// measured); colours follow the legend, which names the experiments in the same order.
#[component]
pub fn CiChart(
    /// Experiment names, in series order.
    names: Vec<String>,
    /// (metric label, one estimate per experiment).
    rows: Vec<(String, Vec<Option<MetricEstimate>>)>,
) -> impl IntoView {
    let g = Geometry::for_window();
    let k = names.len().max(1) as f64;
    let row_h = g.name_h + LANE * k + 14.0;
    let height = TOP + row_h * rows.len() as f64 + 8.0;
    let range = domain(rows.iter().flat_map(|(_, es)| es.iter().flatten()));
    let zoomed = range != (0.0, 1.0);
    let grid = (0..=4)
        .map(|i| range.0 + (range.1 - range.0) * f64::from(i) / 4.0)
        .map(|t| {
            let x = g.x_of(t, range);
            view! {
                <line class="gridline" x1=x x2=x y1=TOP - 6.0 y2=height - 4.0/>
                <text class="tick" x=x y=14.0 text-anchor="middle">{pct(t)}</text>
            }
        })
        .collect_view();
    let body = rows
        .into_iter()
        .enumerate()
        .map(|(i, (metric, estimates))| {
            let y0 = TOP + row_h * i as f64;
            let band = (i % 2 == 0).then(|| {
                view! { <rect class="band" x=0.0 y=y0 width=g.width height=row_h/> }
            });
            let marks = estimates
                .into_iter()
                .enumerate()
                .filter_map(|(j, e)| e.map(|e| (j, e)))
                .map(|(j, e)| {
                    let y = y0 + g.name_h + 10.0 + LANE * j as f64;
                    let class = format!("series series-{}", j % 6);
                    let (lo, hi, v) = (
                        g.x_of(e.ci_low, range),
                        g.x_of(e.ci_high, range),
                        g.x_of(e.value, range),
                    );
                    view! {
                        <g class=class>
                            <line class="whisker" x1=lo x2=hi y1=y y2=y/>
                            <line class="cap" x1=lo x2=lo y1=y - 4.0 y2=y + 4.0/>
                            <line class="cap" x1=hi x2=hi y1=y - 4.0 y2=y + 4.0/>
                            <circle class="dot" cx=v cy=y r=4.5/>
                        </g>
                    }
                })
                .collect_view();
            let (label_x, label_y, anchor) = if g.name_h > 0.0 {
                (g.plot_x, y0 + g.name_h - 3.0, "start")
            } else {
                (g.plot_x - 10.0, y0 + row_h / 2.0 + 4.0, "end")
            };
            view! {
                {band}
                <text class="row-label" x=label_x y=label_y text-anchor=anchor>
                    {metric.clone()}
                </text>
                {marks}
            }
        })
        .collect_view();
    let legend = names
        .into_iter()
        .enumerate()
        .map(|(j, n)| {
            view! {
                <li>
                    <span class=format!("swatch series-{}", j % 6) aria-hidden="true"></span>
                    {n}
                </li>
            }
        })
        .collect_view();
    view! {
        <figure class="chart" data-testid="ci-chart">
            <ul class="legend">{legend}</ul>
            <svg
                viewBox=format!("0 0 {} {height}", g.width)
                role="img"
                aria-label="Each metric per experiment: a dot at the value, a whisker over the 95% confidence interval"
            >
                {grid}
                {body}
            </svg>
            <figcaption>
                {zoomed.then(|| format!("The axis shows {} to {}, the range of the data. ", pct(range.0), pct(range.1)))}
                "Dots are point estimates; whiskers are 95% confidence intervals. Overlapping "
                "whiskers alone do not decide: see the paired verdicts."
            </figcaption>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(value: f64, lo: f64, hi: f64) -> MetricEstimate {
        let mut m: MetricEstimate = serde_json::from_value(
            serde_json::json!({"value": 0, "ci_low": 0, "ci_high": 0, "n": 1, "method": "wilson"}),
        )
        .expect("estimate");
        (m.value, m.ci_low, m.ci_high) = (value, lo, hi);
        m
    }

    #[test]
    fn the_axis_fits_the_data() {
        let close = [e(0.93, 0.90, 0.95), e(0.95, 0.92, 0.97)];
        assert_eq!(rounded(domain(close.iter())), (0.85, 1.0));
        let wide = [e(0.1, 0.02, 0.3), e(0.9, 0.8, 0.99)];
        assert_eq!(rounded(domain(wide.iter())), (0.0, 1.0));
        let tight = [e(0.5, 0.5, 0.5)];
        let (lo, hi) = domain(tight.iter());
        assert!(lo < 0.5 && hi > 0.5 && hi - lo >= 0.1 - 1e-9, "{lo} {hi}");
        assert_eq!(domain(std::iter::empty()), (0.0, 1.0));
    }

    fn rounded((lo, hi): (f64, f64)) -> (f64, f64) {
        ((lo * 100.0).round() / 100.0, (hi * 100.0).round() / 100.0)
    }
}
