//! A `stop_when_decided` run's confidence sequences, hand-drawn in SVG: per comparison the
//! difference A − B as records come in, the band it surely lies in, 0 and the margin of
//! equivalence; with where the run stopped and what stopping saved (in words: `words.rs`).

mod words;

pub use words::{decision_text, facts, named, state_word, summary};

use leptos::prelude::*;
use shared::{
    SequencePoint, SequentialComparison, SequentialDecision, SequentialResult, SequentialState,
};

use crate::format::{count, metric_label, points};

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 32.0;

/// An axis label in points, short: "+50", "0", "−2.5".
pub fn axis_points(v: f64) -> String {
    let p = (v * 1000.0).round() / 10.0;
    let digits = if p.fract() == 0.0 {
        format!("{:.0}", p.abs())
    } else {
        format!("{:.1}", p.abs())
    };
    match p {
        _ if digits == "0" => "0".into(),
        p if p > 0.0 => format!("+{digits}"),
        _ => format!("−{digits}"),
    }
}

/// The vertical range that holds every band, the difference and ±the margin: padded and
/// within −1…1 (−100…+100 points).
pub fn y_domain(trace: &[SequencePoint], margin: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (-margin.abs(), margin.abs());
    for p in trace {
        for v in [p.low, p.high, p.difference] {
            if v.is_finite() {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
    }
    let pad = ((hi - lo) * 0.08).max(0.005);
    let (lo, hi) = ((lo - pad).max(-1.0), (hi + pad).min(1.0));
    if hi - lo < 1e-9 {
        (-0.05, 0.05)
    } else {
        (lo, hi)
    }
}

/// Maps records and differences to the drawing.
#[derive(Debug, Clone, Copy)]
struct Scale {
    n_max: f64,
    lo: f64,
    hi: f64,
}

impl Scale {
    fn x(&self, n: f64) -> f64 {
        LEFT + (n / self.n_max).clamp(0.0, 1.0) * (WIDTH - LEFT - RIGHT)
    }

    fn y(&self, v: f64) -> f64 {
        let t = ((self.hi - v) / (self.hi - self.lo)).clamp(0.0, 1.0);
        TOP + t * (HEIGHT - TOP - BOTTOM)
    }
}

/// The band's outline: the high edge left to right, then the low edge back.
fn band_points(trace: &[SequencePoint], s: Scale) -> String {
    let upper = trace.iter().map(|p| (p.n, p.high));
    let lower = trace.iter().rev().map(|p| (p.n, p.low));
    upper
        .chain(lower)
        .map(|(n, v)| format!("{:.1},{:.1}", s.x(n as f64), s.y(v)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn line_points(trace: &[SequencePoint], s: Scale) -> String {
    trace
        .iter()
        .map(|p| format!("{:.1},{:.1}", s.x(p.n as f64), s.y(p.difference)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn or_letter(name: &str, letter: &str) -> String {
    if name.is_empty() {
        format!("config {letter}")
    } else {
        name.to_string()
    }
}

/// One comparison's chart and its decision.
#[component]
fn SequenceChart(comparison: SequentialComparison, margin: f64) -> impl IntoView {
    let c = comparison;
    let last_n = c.trace.last().map_or(c.n, |p| p.n.max(c.n));
    let (lo, hi) = y_domain(&c.trace, margin);
    let s = Scale {
        n_max: (last_n as f64).max(1.0),
        lo,
        hi,
    };
    let bottom = HEIGHT - BOTTOM;
    let y_ticks = [lo, 0.0, hi]
        .into_iter()
        .map(|v| {
            let y = s.y(v);
            view! { <text class="tick" x=LEFT - 6.0 y=y + 4.0 text-anchor="end">{format!("{} pts", axis_points(v))}</text> }
        })
        .collect_view();
    let x_ticks = [0.0, 0.5, 1.0]
        .into_iter()
        .map(|t| {
            let n = (t * s.n_max).round();
            let x = s.x(n);
            view! { <text class="tick" x=x y=bottom + 16.0 text-anchor="middle">{count(n as u64)}</text> }
        })
        .collect_view();
    let margins = [margin, -margin]
        .into_iter()
        .map(|m| {
            let y = s.y(m);
            // The upper margin's label above its line, the lower's below: apart when close.
            let label_y = if m >= 0.0 { y - 4.0 } else { y + 13.0 };
            let label = format!("{} margin", points(m));
            view! {
                <line class="margin" x1=LEFT x2=WIDTH - RIGHT y1=y y2=y/>
                <text class="tick margin-label" x=WIDTH - RIGHT - 4.0 y=label_y text-anchor="end">{label}</text>
            }
        })
        .collect_view();
    let decided = c.decided_at.map(|n| {
        let x = s.x(n as f64);
        view! { <line class="decided-at" x1=x x2=x y1=TOP y2=bottom/> }
    });
    let zero = s.y(0.0);
    let band = band_points(&c.trace, s);
    let line = line_points(&c.trace, s);
    let decision = decision_text(&c, margin);
    let badge = match c.decision {
        SequentialDecision::Undecided => "badge badge-running",
        _ => "badge badge-success",
    };
    let label = format!(
        "Difference A − B as paired records come in, with its confidence sequence: {decision}"
    );
    let numbers = format!(
        "A − B = {} after {} records; the sequence says {} to {}.",
        points(c.difference),
        count(c.n),
        points(c.low),
        points(c.high)
    );
    view! {
        <figure class="chart sequence-chart" data-testid="sequence-chart">
            <p class="sequence-title">
                <strong>{or_letter(&c.name_a, "A")}</strong> " (A) vs " <strong>{or_letter(&c.name_b, "B")}</strong> " (B): "
                <span class=badge data-testid="sequence-decision">{decision}</span>
            </p>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=label>
                <polygon class="sequence-band" points=band/>
                {margins}
                <line class="zero" x1=LEFT x2=WIDTH - RIGHT y1=zero y2=zero/>
                {decided}
                <polyline class="sequence-line" points=line/>
                <line class="gridline" x1=LEFT x2=LEFT y1=TOP y2=bottom/>
                {y_ticks}
                {x_ticks}
                <text class="tick" x=WIDTH - RIGHT y=HEIGHT - 2.0 text-anchor="end">"paired records"</text>
            </svg>
            <figcaption>{numbers}</figcaption>
        </figure>
    }
}

/// Where a sequential run stands or stopped: its facts, its sentence and one chart per
/// comparison of a config with the first.
#[component]
pub fn SequentialView(
    /// The run's sequences (live or final).
    result: SequentialResult,
) -> impl IntoView {
    let state = result.state;
    let about = format!(
        "{} · smallest difference {} · α {} · record order seed {}",
        metric_label(&result.metric),
        points(result.min_difference).trim_start_matches('+'),
        result.alpha,
        result.seed
    );
    let margin = result.min_difference;
    let charts = result
        .comparisons
        .iter()
        .cloned()
        .map(|c| view! { <SequenceChart comparison=c margin=margin/> })
        .collect_view();
    view! {
        <div class="sequential" data-testid="sequential" data-state=state.as_str()>
            <p class="sequential-facts">
                <span class=format!("badge badge-{}", if state == SequentialState::Running { "running" } else { "neutral" })
                    data-testid="sequential-state">{state_word(state)}</span>
                " " <span data-testid="sequential-facts">{facts(&result)}</span>
            </p>
            <p class="sequential-summary" data-testid="sequential-summary">{summary(&result)}</p>
            <p class="muted small">{about}</p>
            {charts}
            <p class="muted small">
                "The shaded band is an always-valid confidence sequence for A − B: it holds the true "
                "difference at every record with the stated probability, so the run may stop the moment "
                "it clears 0 (a winner) or lies inside the dashed margin (equivalent)."
            </p>
        </div>
    }
}

#[cfg(test)]
mod tests;
