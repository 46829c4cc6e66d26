//! A `<canvas>` showing a daily series. Redraws when the series changes, when the window is
//! resized, and when the colour scheme switches between light and dark.

use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;

use crate::charts::{draw_daily, Palette};
use crate::flock::stats::Summary;

fn prefers_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// The chart of `summary`, described by `label` for people who cannot see it.
#[component]
pub fn ChartCanvas(
    /// The data.
    #[prop(into)]
    summary: Signal<Summary>,
    /// What the chart shows, in words.
    #[prop(into)]
    label: Signal<String>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let redraws = RwSignal::new(0u32);
    let error = RwSignal::new(None::<String>);
    // Window resizes and colour-scheme changes both come through the resize/change events.
    let resize = window_event_listener(leptos::ev::resize, move |_| redraws.update(|n| *n += 1));
    on_cleanup(move || resize.remove());
    Effect::new(move |_| {
        redraws.track();
        let summary = summary.get();
        let Some(element) = canvas.get() else { return };
        let width = element
            .parent_element()
            .map_or(640, |p| p.client_width().max(320)) as u32;
        element.set_width(width);
        element.set_height(280);
        let outcome = match CanvasBackend::with_canvas_object(element.clone()) {
            Some(backend) => draw_daily(
                backend.into_drawing_area(),
                &summary,
                &Palette::for_scheme(prefers_dark()),
            ),
            None => Err("This browser gave no 2D canvas to draw on.".into()),
        };
        match outcome {
            Ok(()) => {
                let _ = element.set_attribute("data-ready", "true");
                error.set(None);
            }
            Err(e) => error.set(Some(e)),
        }
    });
    // Follow the system switching between light and dark.
    if let Some(query) =
        web_sys::window().and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
    {
        let listener = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
            redraws.try_update(|n| *n += 1);
        });
        let _ = query.add_event_listener_with_callback("change", listener.as_ref().unchecked_ref());
        let held = StoredValue::new_local(Some((query, listener)));
        on_cleanup(move || {
            if let Some(Some((query, listener))) = held.try_update_value(Option::take) {
                let _ = query.remove_event_listener_with_callback(
                    "change",
                    listener.as_ref().unchecked_ref(),
                );
            }
        });
    }
    view! {
        <div class="chart">
            <canvas node_ref=canvas role="img" aria-label=move || label.get() data-testid="chart"></canvas>
            {move || error.get().map(|e| view! { <p class="notice notice--error">{e}</p> })}
        </div>
    }
}
