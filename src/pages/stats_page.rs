//! Network statistics: daily submissions and validations as charts, with totals and averages
//! beside them and the same numbers as a table. The range is in the URL.

use leptos::prelude::*;

use crate::app::{use_settings, use_view};
use crate::components::{ChartCanvas, ErrorPanel, TabLink};
use crate::flock::format::grouped;
use crate::flock::stats::{summarize, CountKind, DailyCount, Range, Summary};
use crate::flock::view::View;
use crate::net::fetch_daily;
use crate::remote::{use_remote, Load};

/// The stats page.
#[component]
pub fn StatsPage() -> impl IntoView {
    let view = use_view();
    let range = Memo::new(move |_| match view.get() {
        View::Stats { range } => range,
        _ => Range::default(),
    });
    let tabs = Range::ALL
        .into_iter()
        .map(|r| {
            view! {
                <TabLink
                    href=View::Stats { range: r }.href()
                    active=Signal::derive(move || range.get() == r)
                    label=r.label()
                    test_id=format!("range-{}", r.as_str())
                />
            }
        })
        .collect_view();
    view! {
        <section class="stats">
            <div class="page-head">
                <h1>"Network stats"</h1>
                <nav class="tabs" aria-label="Range">{tabs}</nav>
            </div>
            <DailyPanel kind=CountKind::Submission range=range />
            <DailyPanel kind=CountKind::Validation range=range />
        </section>
    }
}

#[component]
fn DailyPanel(kind: CountKind, range: Memo<Range>) -> impl IntoView {
    let settings = use_settings();
    let series = use_remote(
        move || settings.get(),
        move |settings, controller| async move { fetch_daily(&settings, kind, &controller).await },
    );
    view! {
        <section class="panel stats__panel" data-testid=format!("panel-{}", kind.as_str())>
            <h2>{kind.label()}</h2>
            {move || match series.get() {
                Load::Loading => view! { <p class="loading" role="status" data-testid="loading">"Loading…"</p> }.into_any(),
                Load::Failed(e) => view! { <ErrorPanel error=e on_retry=Callback::new(move |()| series.retry()) /> }.into_any(),
                Load::Ready(days) => view! { <DailyFigures kind=kind days=days range=range /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn DailyFigures(kind: CountKind, days: Vec<DailyCount>, range: Memo<Range>) -> impl IntoView {
    let summary = Memo::new(move |_| summarize(&days, range.get()));
    let label = Signal::derive(move || describe(kind, &summary.get()));
    let figures = move || {
        let s = summary.get();
        let last = s.days.last().copied();
        view! {
            <dl class="figures" data-testid="figures">
                <div><dt>"Total"</dt><dd data-testid="total">{grouped(s.total)}</dd></div>
                <div><dt>"Average per day"</dt><dd data-testid="average">{grouped(s.daily_average.round() as u64)}</dd></div>
                <div><dt>"Busiest day"</dt><dd>{s.peak.map(|p| format!("{} ({})", grouped(p.count), p.date)).unwrap_or_else(|| "—".into())}</dd></div>
                <div><dt>"Today so far"</dt><dd>{last.map(|d| format!("{} ({})", grouped(d.count), d.date)).unwrap_or_else(|| "—".into())}</dd></div>
            </dl>
        }
    };
    let table = move || {
        let s = summary.get();
        let rows = s
            .days
            .iter()
            .zip(s.moving_average.iter())
            .rev()
            .map(|(d, avg)| view! {
                <tr><td>{d.date.to_string()}</td><td class="num">{grouped(d.count)}</td><td class="num">{format!("{avg:.1}")}</td></tr>
            })
            .collect_view();
        view! {
            <table class="table" data-testid="stats-table">
                <thead><tr><th scope="col">"Day (UTC)"</th><th scope="col" class="num">"Count"</th><th scope="col" class="num">"7-day average"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
    };
    // The chart's text alternative is the table under it: one click opens it and moves there.
    let details = NodeRef::<leptos::html::Details>::new();
    let show_table = move |_| {
        if let Some(element) = details.get() {
            element.set_open(true);
            let _ = element.focus();
        }
    };
    view! {
        {figures}
        <ChartCanvas summary=summary label=label />
        <p class="hint">
            "Bars: each day (the last one is today so far). Line: 7-day average. "
            <button type="button" class="link-button" data-testid="show-table" on:click=show_table>"The same numbers as a table"</button>
        </p>
        <details class="stats__table" node_ref=details tabindex="-1">
            <summary>"The numbers as a table"</summary>
            <div class="table-wrap">{table}</div>
        </details>
    }
}

/// The chart in words, for its accessible label.
fn describe(kind: CountKind, summary: &Summary) -> String {
    match (summary.days.first(), summary.days.last()) {
        (Some(first), Some(last)) => format!(
            "{} from {} to {}: {} in all, {} per day on average.",
            kind.label(),
            first.date,
            last.date,
            grouped(summary.total),
            grouped(summary.daily_average.round() as u64)
        ),
        _ => format!("{}: no data.", kind.label()),
    }
}
