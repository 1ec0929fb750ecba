//! YAML with positions: a small tree built from yaml-rust2's marked events, so diagnostics on a
//! linted file point at the line and column of the key or value at fault (serde_yaml keeps no
//! positions).

use std::ops::Range;

use crate::diagnostics::TextMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// A scalar; `start` is the byte offset of its first character (the quote of a quoted one,
    /// the first content character of a block scalar).
    Scalar {
        value: String,
        style: Style,
        start: usize,
    },
    Seq {
        start: usize,
        items: Vec<Node>,
    },
    /// Entries in file order; keys are nodes too, for their positions.
    Map {
        start: usize,
        entries: Vec<(Node, Node)>,
    },
}

impl Node {
    pub fn start(&self) -> usize {
        match self {
            Node::Scalar { start, .. } | Node::Seq { start, .. } | Node::Map { start, .. } => {
                *start
            }
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// What the node is, for messages: `a string`, `a list`, `a mapping`.
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Scalar { .. } => "a scalar",
            Node::Seq { .. } => "a list",
            Node::Map { .. } => "a mapping",
        }
    }
}

/// A YAML syntax error at a byte offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub message: String,
    pub offset: usize,
}

/// Parses the first document of `text`; an empty file is `None`.
pub fn parse(text: &str) -> Result<Option<Node>, Error> {
    Ok(load(text, false)?.into_iter().next())
}

/// Parses every document of `text` (a Kubernetes manifest of several resources, separated by
/// `---`); empty documents are left out.
pub fn parse_all(text: &str) -> Result<Vec<Node>, Error> {
    load(text, true)
}

fn load(text: &str, all: bool) -> Result<Vec<Node>, Error> {
    let offsets = CharOffsets::new(text);
    let mut builder = Builder {
        offsets: &offsets,
        stack: Vec::new(),
        anchors: Vec::new(),
        root: None,
        done: false,
        all,
        roots: Vec::new(),
    };
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut builder, all).map_err(|e| Error {
        message: e.info().to_string(),
        offset: offsets.byte(e.marker().index()),
    })?;
    let Builder {
        mut roots, root, ..
    } = builder;
    roots.extend(root);
    Ok(roots)
}

/// Marks count characters; this maps them to byte offsets.
struct CharOffsets {
    /// Empty when the text is ASCII (the two coincide).
    bytes: Vec<usize>,
    len: usize,
}

impl CharOffsets {
    fn new(text: &str) -> CharOffsets {
        let bytes = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices().map(|(i, _)| i).collect()
        };
        CharOffsets {
            bytes,
            len: text.len(),
        }
    }

    fn byte(&self, index: usize) -> usize {
        if self.bytes.is_empty() {
            index.min(self.len)
        } else {
            self.bytes.get(index).copied().unwrap_or(self.len)
        }
    }
}

struct Builder<'a> {
    offsets: &'a CharOffsets,
    stack: Vec<(Node, usize)>,
    anchors: Vec<(usize, Node)>,
    root: Option<Node>,
    done: bool,
    /// Whether to read every document; each finished one is moved to `roots`.
    all: bool,
    roots: Vec<Node>,
}

impl Builder<'_> {
    fn push_value(&mut self, node: Node) {
        match self.stack.last_mut() {
            Some((Node::Seq { items, .. }, _)) => items.push(node),
            Some((Node::Map { entries, .. }, _)) => {
                // Keys and values arrive in turn: a pending key is stored with a placeholder.
                match entries.last_mut() {
                    Some((
                        _,
                        value @ Node::Seq {
                            start: usize::MAX, ..
                        },
                    )) => *value = node,
                    _ => entries.push((
                        node,
                        Node::Seq {
                            start: usize::MAX,
                            items: Vec::new(),
                        },
                    )),
                }
            }
            _ => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
        }
    }

    fn anchor(&mut self, id: usize, node: &Node) {
        if id > 0 {
            self.anchors.push((id, node.clone()));
        }
    }
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, event: Event, mark: Marker) {
        if self.done {
            return;
        }
        let at = self.offsets.byte(mark.index());
        match event {
            Event::Scalar(value, style, anchor, _) => {
                let node = Node::Scalar {
                    value,
                    style: match style {
                        TScalarStyle::SingleQuoted => Style::SingleQuoted,
                        TScalarStyle::DoubleQuoted => Style::DoubleQuoted,
                        TScalarStyle::Literal => Style::Literal,
                        TScalarStyle::Folded => Style::Folded,
                        _ => Style::Plain,
                    },
                    start: at,
                };
                self.anchor(anchor, &node);
                self.push_value(node);
            }
            Event::SequenceStart(anchor, _) => self.stack.push((
                Node::Seq {
                    start: at,
                    items: Vec::new(),
                },
                anchor,
            )),
            Event::MappingStart(anchor, _) => self.stack.push((
                Node::Map {
                    start: at,
                    entries: Vec::new(),
                },
                anchor,
            )),
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((mut node, anchor)) = self.stack.pop() {
                    // A block mapping's mark is at its first `:`; its first key starts it.
                    if let Node::Map { start, entries } = &mut node {
                        if let Some((key, _)) = entries.first() {
                            *start = key.start();
                        }
                    }
                    self.anchor(anchor, &node);
                    self.push_value(node);
                }
            }
            Event::Alias(id) => {
                let node = self
                    .anchors
                    .iter()
                    .rev()
                    .find(|(a, _)| *a == id)
                    .map(|(_, n)| n.clone())
                    .unwrap_or(Node::Scalar {
                        value: String::new(),
                        style: Style::Plain,
                        start: at,
                    });
                self.push_value(node);
            }
            Event::DocumentEnd if self.all => {
                let empty = |n: &Node| matches!(n, Node::Scalar { value, style: Style::Plain, .. } if value.is_empty());
                self.roots.extend(self.root.take().filter(|n| !empty(n)));
                self.anchors.clear();
            }
            Event::DocumentEnd => self.done = self.root.is_some(),
            _ => {}
        }
    }
}

/// Where a scalar's text stands in `text`: the range of its first line and, when its value
/// stands there verbatim (plain or quoted without escapes, or a literal block), the offset where
/// each line of the value starts.
pub fn scalar_layout(text: &str, node: &Node) -> (Range<usize>, Option<Vec<usize>>) {
    let Node::Scalar {
        value,
        style,
        start,
    } = node
    else {
        return (node.start()..node.start(), None);
    };
    let start = *start;
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let first_line = start..line_end;
    let verbatim_at = |from: usize| text.get(from..from + value.len()) == Some(value.as_str());
    match style {
        Style::Plain if !value.contains('\n') && verbatim_at(start) => {
            (start..start + value.len(), Some(vec![start]))
        }
        Style::SingleQuoted | Style::DoubleQuoted
            if !value.contains('\n') && verbatim_at(start + 1) =>
        {
            (start + 1..start + 1 + value.len(), Some(vec![start + 1]))
        }
        Style::Literal => {
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let indent = start - line_start;
            let mut starts = Vec::new();
            let mut file_line = line_start;
            let body = value.strip_suffix('\n').unwrap_or(value);
            for (k, line) in body.split('\n').enumerate() {
                let at = if k == 0 { start } else { file_line + indent };
                if !line.is_empty() && text.get(at..at + line.len()) != Some(line) {
                    return (first_line, None);
                }
                starts.push(at.min(text.len()));
                file_line = text[file_line..]
                    .find('\n')
                    .map_or(text.len(), |i| file_line + i + 1);
            }
            let last = starts.last().copied().unwrap_or(start);
            let end = last + body.rsplit('\n').next().map_or(0, str::len);
            (start..end, Some(starts))
        }
        _ => (first_line, None),
    }
}

/// Where each byte of a scalar's value stands in `text` ([`scalar_layout`] as a map): verbatim
/// on one line, line by line for a literal block, else the whole of its first line.
pub fn text_map(text: &str, node: &Node) -> TextMap {
    match scalar_layout(text, node) {
        (_, Some(lines)) if lines.len() == 1 => TextMap::Verbatim(lines[0]),
        (_, Some(lines)) => TextMap::Lines(lines),
        (range, None) => match node {
            Node::Scalar {
                value,
                style: style @ (Style::DoubleQuoted | Style::SingleQuoted),
                start,
            } => match quoted_offsets(text, *start, *style == Style::DoubleQuoted) {
                Some((decoded, offsets)) if decoded == *value => TextMap::Offsets(offsets),
                _ => TextMap::Whole(range),
            },
            Node::Scalar {
                value,
                style: Style::Plain,
                start,
            } => match plain_offsets(text, *start, value) {
                Some(offsets) => TextMap::Offsets(offsets),
                None => TextMap::Whole(range),
            },
            _ => TextMap::Whole(range),
        },
    }
}

/// The file offset of each byte of a plain scalar's `value` written over several lines from
/// `start`: YAML folds each line break (with the next line's indentation) into a space, and each
/// further empty line into a newline; everything else stands verbatim.
fn plain_offsets(text: &str, start: usize, value: &str) -> Option<Vec<usize>> {
    let mut offsets = Vec::with_capacity(value.len() + 1);
    let mut i = start;
    let skip_break = |mut j: usize| -> Option<usize> {
        // A line break, the trailing blanks before it, and the next line's indentation.
        j += text[j..].len() - text[j..].trim_start_matches([' ', '\t']).len();
        let rest = &text[j..];
        let width = if rest.starts_with("\r\n") {
            2
        } else if rest.starts_with('\n') {
            1
        } else {
            return None;
        };
        j += width;
        Some(j + text[j..].len() - text[j..].trim_start_matches([' ', '\t']).len())
    };
    for c in value.chars() {
        let here = text[i..].chars().next()?;
        if here == c {
            offsets.extend(std::iter::repeat_n(i, c.len_utf8()));
            i += c.len_utf8();
        } else if c == ' ' || c == '\n' {
            offsets.push(i);
            i = skip_break(i)?;
        } else {
            return None;
        }
    }
    offsets.push(i);
    Some(offsets)
}

/// Decodes the quoted scalar whose opening quote is at `start`, as YAML 1.2 does (escapes in a
/// double-quoted one, `''` in a single-quoted one, line folding in both), and returns the value
/// with the file offset of each of its bytes (and of its end). The caller compares the value
/// with the parser's, so a case this does not model falls back to the whole scalar.
fn quoted_offsets(text: &str, start: usize, double: bool) -> Option<(String, Vec<usize>)> {
    let quote = if double { '"' } else { '\'' };
    let bytes = text.as_bytes();
    if bytes.get(start) != Some(&(quote as u8)) {
        return None;
    }
    let mut out = String::new();
    let mut offsets = Vec::new();
    let push = |out: &mut String, offsets: &mut Vec<usize>, c: char, at: usize| {
        out.push(c);
        offsets.extend(std::iter::repeat_n(at, c.len_utf8()));
    };
    let mut i = start + 1;
    loop {
        let c = text[i..].chars().next()?;
        match c {
            c if c == quote => {
                if !double && text[i + 1..].starts_with('\'') {
                    push(&mut out, &mut offsets, '\'', i);
                    i += 2;
                    continue;
                }
                offsets.push(i);
                return Some((out, offsets));
            }
            '\\' if double => {
                let next = text[i + 1..].chars().next()?;
                let simple = match next {
                    '0' => Some('\0'),
                    'a' => Some('\u{7}'),
                    'b' => Some('\u{8}'),
                    't' | '\t' => Some('\t'),
                    'n' => Some('\n'),
                    'v' => Some('\u{b}'),
                    'f' => Some('\u{c}'),
                    'r' => Some('\r'),
                    'e' => Some('\u{1b}'),
                    ' ' => Some(' '),
                    '"' => Some('"'),
                    '/' => Some('/'),
                    '\\' => Some('\\'),
                    'N' => Some('\u{85}'),
                    '_' => Some('\u{a0}'),
                    'L' => Some('\u{2028}'),
                    'P' => Some('\u{2029}'),
                    _ => None,
                };
                if let Some(decoded) = simple {
                    push(&mut out, &mut offsets, decoded, i);
                    i += 1 + next.len_utf8();
                    continue;
                }
                let digits = match next {
                    'x' => 2,
                    'u' => 4,
                    'U' => 8,
                    '\n' | '\r' => {
                        // An escaped line break: the lines join, the next one's indentation
                        // dropped.
                        i += 1;
                        i += text[i..].len() - text[i..].trim_start_matches(['\r', '\n']).len();
                        i += text[i..].len() - text[i..].trim_start_matches([' ', '\t']).len();
                        continue;
                    }
                    _ => return None,
                };
                let hex = text.get(i + 2..i + 2 + digits)?;
                let decoded = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
                push(&mut out, &mut offsets, decoded, i);
                i += 2 + digits;
            }
            '\n' | '\r' => {
                // Folding: trailing blanks before the break go, the next lines' indentation
                // goes; one break is a space, each further (empty) line a newline.
                while out.ends_with([' ', '\t']) {
                    out.pop();
                    offsets.pop();
                }
                let mut breaks = 0;
                let mut j = i;
                loop {
                    let rest = &text[j..];
                    if rest.starts_with("\r\n") {
                        j += 2;
                    } else if rest.starts_with('\n') || rest.starts_with('\r') {
                        j += 1;
                    } else {
                        break;
                    }
                    breaks += 1;
                    j += text[j..].len() - text[j..].trim_start_matches([' ', '\t']).len();
                }
                if breaks == 1 {
                    push(&mut out, &mut offsets, ' ', i);
                } else {
                    for _ in 1..breaks {
                        push(&mut out, &mut offsets, '\n', i);
                    }
                }
                i = j;
            }
            c => {
                push(&mut out, &mut offsets, c, i);
                i += c.len_utf8();
            }
        }
    }
}

/// Where a mapping's key stands: verbatim when it is written plain.
pub fn key_map(text: &str, key: &Node) -> TextMap {
    let name = key.as_str().unwrap_or("");
    let start = key.start();
    if text.get(start..start + name.len()) == Some(name) {
        TextMap::Verbatim(start)
    } else {
        TextMap::Whole(start..start + name.len().max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_scalars_map_each_byte_through_escapes_and_folding() {
        let text =
            "expr: \"(\\n  count by (job) (up)\\n) > foo{x=\\\"y\\\"} +\n  1\"\nb: 'it''s'\n";
        let doc = parse(text).unwrap().unwrap();
        let Node::Map { entries, .. } = &doc else {
            panic!("a map")
        };
        let expr = &entries[0].1;
        let value = expr.as_str().unwrap();
        assert_eq!(value, "(\n  count by (job) (up)\n) > foo{x=\"y\"} + 1");
        let map = text_map(text, expr);
        let at = |needle: &str| {
            let i = value.find(needle).unwrap();
            let r = map.map(value, i..i + needle.len());
            &text[r]
        };
        assert_eq!(at("count"), "count");
        assert_eq!(at("foo"), "foo");
        assert_eq!(at("y"), "y");
        assert_eq!(at("1"), "1");
        let single = &entries[1].1;
        let map = text_map(text, single);
        let value = single.as_str().unwrap();
        assert_eq!(value, "it's");
        let r = map.map(value, 3..4);
        assert_eq!(&text[r], "s");
    }

    #[test]
    fn plain_scalars_over_several_lines_map_each_byte() {
        let text = "d: reads {{ $labels.job }} and\n  {{ $labels.pod\n  }} here\n";
        let doc = parse(text).unwrap().unwrap();
        let Node::Map { entries, .. } = &doc else {
            panic!("a map")
        };
        let node = &entries[0].1;
        let value = node.as_str().unwrap();
        assert_eq!(value, "reads {{ $labels.job }} and {{ $labels.pod }} here");
        let map = text_map(text, node);
        let i = value.find("$labels.pod").unwrap();
        assert_eq!(&text[map.map(value, i..i + 11)], "$labels.pod");
        let i = value.find("here").unwrap();
        assert_eq!(&text[map.map(value, i..i + 4)], "here");
    }

    #[test]
    fn positions_of_keys_and_values() {
        let text = "groups:\n  - name: g\n    rules:\n      - record: a:b:c\n        expr: |\n          sum(x)\n            / y\n      - alert: \"X\"\n        labels: {a: b}\n";
        let root = parse(text).unwrap().unwrap();
        let Node::Map { entries, .. } = &root else {
            panic!("{root:?}")
        };
        let Node::Seq { items, .. } = &entries[0].1 else {
            panic!()
        };
        let Node::Map { entries: group, .. } = &items[0] else {
            panic!()
        };
        let Node::Seq { items: rules, .. } = &group[1].1 else {
            panic!()
        };
        let Node::Map { entries: rule, .. } = &rules[0] else {
            panic!()
        };
        let expr = &rule[1].1;
        let (range, lines) = scalar_layout(text, expr);
        assert_eq!(&text[range], "sum(x)\n            / y");
        let lines = lines.unwrap();
        assert_eq!(&text[lines[1]..lines[1] + 3], "  /");
        let Node::Map { entries: alert, .. } = &rules[1] else {
            panic!()
        };
        let (range, _) = scalar_layout(text, &alert[0].1);
        assert_eq!(&text[range], "X");
        assert_eq!(&text[alert[1].0.start()..alert[1].0.start() + 6], "labels");
    }

    #[test]
    fn every_document() {
        let text = "a: 1\n---\nb: 2\n---\n";
        let docs = parse_all(text).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(&text[docs[1].start()..docs[1].start() + 1], "b");
        assert_eq!(parse(text).unwrap().unwrap().start(), 0);
    }

    #[test]
    fn syntax_errors_have_offsets() {
        let err = parse("a: b\n  c: d\n").unwrap_err();
        assert_eq!(err.offset, 8);
    }
}
