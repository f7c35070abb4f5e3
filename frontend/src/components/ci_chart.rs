//! Hand-drawn SVG chart: one row per metric, a dot and a 95% whisker per experiment.

use leptos::prelude::*;
use shared::MetricEstimate;

use crate::format::pct;

const WIDTH: f64 = 720.0;
const LABEL_W: f64 = 220.0;
const PAD_R: f64 = 24.0;
const TOP: f64 = 26.0;
const LANE: f64 = 14.0;

fn x_of(v: f64) -> f64 {
    LABEL_W + v.clamp(0.0, 1.0) * (WIDTH - LABEL_W - PAD_R)
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
    let k = names.len().max(1) as f64;
    let row_h = LANE * k + 14.0;
    let height = TOP + row_h * rows.len() as f64 + 8.0;
    let grid = [0.0, 0.25, 0.5, 0.75, 1.0]
        .into_iter()
        .map(|t| {
            let x = x_of(t);
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
                view! { <rect class="band" x=0.0 y=y0 width=WIDTH height=row_h/> }
            });
            let marks = estimates
                .into_iter()
                .enumerate()
                .filter_map(|(j, e)| e.map(|e| (j, e)))
                .map(|(j, e)| {
                    let y = y0 + 10.0 + LANE * j as f64;
                    let class = format!("series series-{}", j % 6);
                    let (lo, hi, v) = (x_of(e.ci_low), x_of(e.ci_high), x_of(e.value));
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
            let label_y = y0 + row_h / 2.0 + 4.0;
            view! {
                {band}
                <text class="row-label" x=LABEL_W - 10.0 y=label_y text-anchor="end">
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
                viewBox=format!("0 0 {WIDTH} {height}")
                role="img"
                aria-label="Each metric per experiment: a dot at the value, a whisker over the 95% confidence interval"
            >
                {grid}
                {body}
            </svg>
            <figcaption>
                "Dots are point estimates; whiskers are 95% confidence intervals. Overlapping "
                "whiskers alone do not decide: see the paired verdicts."
            </figcaption>
        </figure>
    }
}
