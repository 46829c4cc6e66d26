//! Turning API values into what people read: parameter counts (`15 B`), and descriptions,
//! which arrive as plain text or as HTML.
//!
//! Descriptions are never injected as HTML. [`description_blocks`] reduces them to paragraphs
//! and list items of plain text (tags dropped, entities decoded, script and style content
//! discarded); the view renders those as text nodes, so markup from the API cannot execute.

/// A parameter count in short human form: `15 B`, `9.5 B`, `50 M`, `3.2 K`, `950`.
pub fn human_count(n: u64) -> String {
    const SCALES: [(u64, &str); 4] = [
        (1_000_000_000_000, "T"),
        (1_000_000_000, "B"),
        (1_000_000, "M"),
        (1_000, "K"),
    ];
    for (scale, suffix) in SCALES {
        if n >= scale {
            let tenths = (n as u128 * 10 + scale as u128 / 2) / scale as u128;
            let whole = tenths / 10;
            let frac = tenths % 10;
            return if frac == 0 || whole >= 100 {
                format!("{} {suffix}", (tenths + 5) / 10)
            } else {
                format!("{whole}.{frac} {suffix}")
            };
        }
    }
    n.to_string()
}

/// A size in bytes for people, in binary units: `1.5 GiB`, `20.0 MiB`, `512 B`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [(u64, &str); 4] = [
        (1 << 40, "TiB"),
        (1 << 30, "GiB"),
        (1 << 20, "MiB"),
        (1 << 10, "KiB"),
    ];
    for (size, unit) in UNITS {
        if n >= size {
            return format!("{:.1} {unit}", n as f64 / size as f64);
        }
    }
    format!("{n} B")
}

/// A number with thousands separators: `15,000,000,000`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// One block of a description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// A paragraph of text.
    Paragraph(String),
    /// An item of a bulleted list.
    Item(String),
}

/// Tags that end a block of text.
const BLOCK_TAGS: [&str; 18] = [
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "blockquote",
    "section",
    "article",
    "pre",
    "hr",
];
/// Tags whose content is not text for people and is dropped whole.
const DROPPED_TAGS: [&str; 8] = [
    "script", "style", "iframe", "noscript", "template", "object", "svg", "textarea",
];

/// Reduce a description (plain text or HTML) to blocks of plain text.
pub fn description_blocks(raw: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut text = String::new();
    let mut in_item = false;
    let mut rest = raw;

    let flush = |text: &mut String, in_item: bool, blocks: &mut Vec<Block>| {
        let collapsed = collapse_whitespace(&decode_entities(text));
        if !collapsed.is_empty() {
            blocks.push(if in_item {
                Block::Item(collapsed)
            } else {
                Block::Paragraph(collapsed)
            });
        }
        text.clear();
    };

    while !rest.is_empty() {
        // Plain-text descriptions separate paragraphs with blank lines.
        if rest.starts_with("\n\n") || rest.starts_with("\r\n\r\n") {
            flush(&mut text, in_item, &mut blocks);
            rest = rest.trim_start_matches(['\r', '\n']);
            continue;
        }
        if let Some(tag) = parse_tag(rest) {
            rest = &rest[tag.len..];
            if DROPPED_TAGS.contains(&tag.name.as_str()) && !tag.closing && !tag.self_closing {
                rest = skip_past_closing(rest, &tag.name);
                continue;
            }
            if BLOCK_TAGS.contains(&tag.name.as_str()) {
                flush(&mut text, in_item, &mut blocks);
                in_item = tag.name == "li" && !tag.closing;
            }
            continue;
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            text.push(c);
        }
        rest = chars.as_str();
    }
    flush(&mut text, in_item, &mut blocks);
    blocks
}

/// A tag at the start of the input.
struct Tag {
    name: String,
    closing: bool,
    self_closing: bool,
    /// Bytes the tag spans.
    len: usize,
}

/// Recognise `<name …>`, `</name>`, `<!-- … -->` or `<!…>` at the start of `s`. A `<` that does
/// not open a tag (`a < b`) is text.
fn parse_tag(s: &str) -> Option<Tag> {
    let after = s.strip_prefix('<')?;
    if let Some(comment) = after.strip_prefix("!--") {
        let end = comment.find("-->").map_or(s.len(), |i| 1 + 3 + i + 3);
        return Some(Tag {
            name: String::new(),
            closing: false,
            self_closing: true,
            len: end,
        });
    }
    let (closing, body) = match after.strip_prefix('/') {
        Some(b) => (true, b),
        None => (false, after),
    };
    let first = body.chars().next()?;
    if !(first.is_ascii_alphabetic() || (first == '!' && !closing)) {
        return None;
    }
    let end = tag_end(s)?;
    let name: String = body
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    let self_closing = s[..end].trim_end_matches('>').ends_with('/');
    Some(Tag {
        name,
        closing,
        self_closing,
        len: end,
    })
}

/// Index just past the `>` that ends the tag at the start of `s`, honouring quoted attribute
/// values (`onerror="a>b"`). A tag never closed runs to the end of the input.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(i + 1),
            _ => {}
        }
    }
    Some(s.len())
}

/// Skip to just after `</name>` (case-insensitive), or to the end.
fn skip_past_closing<'a>(s: &'a str, name: &str) -> &'a str {
    let lower = s.to_ascii_lowercase();
    let needle = format!("</{name}");
    match lower.find(&needle) {
        Some(at) => {
            let rest = &s[at..];
            let end = rest.find('>').map_or(rest.len(), |i| i + 1);
            &rest[end..]
        }
        None => "",
    }
}

/// Decode the HTML entities descriptions use: named basics and numeric references.
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest[1..].find(';').map(|i| i + 1).filter(|&i| i <= 10);
        let decoded = end.and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" | "#39" => Some('\''),
                "nbsp" => Some(' '),
                "hellip" => Some('…'),
                "mdash" => Some('—'),
                "ndash" => Some('–'),
                "rsquo" => Some('’'),
                "lsquo" => Some('‘'),
                "ldquo" => Some('“'),
                "rdquo" => Some('”'),
                _ => name.strip_prefix('#').and_then(|num| {
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => num.parse().ok(),
                    };
                    code.and_then(char::from_u32)
                }),
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                // A bare `&` (as in "FLock & Chasm") is text.
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_like_the_api_docs() {
        assert_eq!(human_count(15_000_000_000), "15 B");
        assert_eq!(human_count(9_500_000_000), "9.5 B");
        assert_eq!(human_count(8_000_000_000), "8 B");
        assert_eq!(human_count(50_000_000), "50 M");
        assert_eq!(human_count(1_240), "1.2 K");
        assert_eq!(human_count(999_960_000), "1000 M");
        assert_eq!(human_count(950), "950");
        assert_eq!(human_count(u64::MAX), "18446744 T");
        assert_eq!(grouped(15_000_000_000), "15,000,000,000");
        assert_eq!(grouped(950), "950");
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(20 * 1024 * 1024), "20.0 MiB");
        assert_eq!(human_bytes(1_610_612_736), "1.5 GiB");
    }

    #[test]
    fn plain_text_stays_text_with_paragraphs() {
        let blocks = description_blocks("FLock & OneKey: Q&A data.\n\nSecond  paragraph.");
        assert_eq!(
            blocks,
            vec![
                Block::Paragraph("FLock & OneKey: Q&A data.".into()),
                Block::Paragraph("Second paragraph.".into())
            ]
        );
    }

    #[test]
    fn html_becomes_paragraphs_and_items() {
        let blocks = description_blocks(
            "<p>FLock introduces SEEK48, an <b>advanced</b> AI idol producer.</p><ul><li>Write lyrics</li><li>Plan&nbsp;a debut</li></ul>",
        );
        assert_eq!(
            blocks,
            vec![
                Block::Paragraph("FLock introduces SEEK48, an advanced AI idol producer.".into()),
                Block::Item("Write lyrics".into()),
                Block::Item("Plan a debut".into()),
            ]
        );
    }

    #[test]
    fn scripts_handlers_and_links_leave_only_harmless_text() {
        let hostile = "<p>Safe <b>bold</b> text &lt;kept&gt;.</p><img src=x onerror=\"window.__xss='desc';alert('desc')\"><script>window.__xss='desc-script';alert(3)</script><p><a href=\"javascript:window.__xss='link';alert(4)\">click me</a></p><iframe src=\"javascript:alert(5)\"></iframe><SCRIPT>x</SCRIPT>";
        let blocks = description_blocks(hostile);
        assert_eq!(
            blocks,
            vec![
                Block::Paragraph("Safe bold text <kept>.".into()),
                Block::Paragraph("click me".into())
            ]
        );
        // `<kept>` is now text: it is rendered as a text node, never parsed again.
    }

    #[test]
    fn stray_angle_brackets_and_unclosed_tags_do_not_eat_text() {
        assert_eq!(
            description_blocks("a < b and c > d"),
            vec![Block::Paragraph("a < b and c > d".into())]
        );
        assert_eq!(
            description_blocks("before <img src=x onerror=alert(1)"),
            vec![Block::Paragraph("before".into())]
        );
        assert_eq!(
            description_blocks("<!-- note --><p>&#128064; &#x1F440; &bogus; &</p>"),
            vec![Block::Paragraph("👀 👀 &bogus; &".into())]
        );
        assert_eq!(description_blocks(""), Vec::<Block>::new());
    }
}
