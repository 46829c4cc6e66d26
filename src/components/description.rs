//! A task description shown as text. The API sends plain text or HTML; either way it is reduced
//! to paragraphs and list items by the core and rendered as text nodes, never as HTML.

use leptos::prelude::*;

use crate::flock::format::{description_blocks, Block};

/// The description `text`, formatted, with no markup from the API executed.
#[component]
pub fn Description(
    /// The description as the API sent it.
    text: String,
) -> impl IntoView {
    let blocks = description_blocks(&text);
    if blocks.is_empty() {
        return view! { <p class="description description--empty">"No description given."</p> }
            .into_any();
    }
    let rendered = blocks
        .into_iter()
        .map(|block| match block {
            Block::Paragraph(text) => view! { <p>{text}</p> }.into_any(),
            Block::Item(text) => view! { <p class="description__item">"• "{text}</p> }.into_any(),
        })
        .collect_view();
    view! { <div class="description" data-testid="description">{rendered}</div> }.into_any()
}
