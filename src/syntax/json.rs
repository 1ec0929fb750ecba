//! JSON with positions: a small strict parser (RFC 8259) that keeps the byte range of every value
//! and key, so diagnostics on a linted dashboard point at the line and column of the value at
//! fault (serde_json keeps no positions). [`string_offsets`] maps a byte of a decoded string back
//! to the file through its escapes, so a fault inside a PromQL expression lands on its column.

use std::ops::Range;

/// A value and the bytes it spans in the text (quotes, brackets and braces included).
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub range: Range<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// A number as written, checked against JSON's grammar.
    Number(String),
    String(String),
    Array(Vec<Node>),
    /// Members in file order, repeated keys included.
    Object(Vec<Member>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub key: String,
    /// The key's bytes, quotes included.
    pub key_range: Range<usize>,
    pub value: Node,
}

/// A syntax error at a byte offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub message: String,
    pub offset: usize,
}

/// Deeper nesting than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 256;

/// Parses one JSON value surrounded by optional whitespace (a UTF-8 byte order mark is skipped).
pub fn parse(text: &str) -> Result<Node, Error> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        at: if text.starts_with('\u{feff}') { 3 } else { 0 },
        depth: 0,
    };
    parser.space();
    let node = parser.value()?;
    parser.space();
    if parser.at < parser.bytes.len() {
        return Err(parser.error(format!("unexpected {} after the document", parser.found())));
    }
    Ok(node)
}

impl Node {
    /// The member `key` of an object (the last one when it is repeated, as JavaScript reads it).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.member(key).map(|m| &m.value)
    }

    pub fn member(&self, key: &str) -> Option<&Member> {
        match &self.value {
            Value::Object(members) => members.iter().rev().find(|m| m.key == key),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// A number that is a whole number within `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match &self.value {
            Value::Number(n) => n.parse::<i64>().ok().or_else(|| {
                let f = n.parse::<f64>().ok()?;
                (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
            }),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// What the value is, for messages: `a string`, `an object`.
    pub fn kind(&self) -> &'static str {
        match &self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }

    /// The node at a JSON pointer (`/panels/0/gridPos`, RFC 6901), with the range of the key
    /// that holds it when its parent is an object.
    pub fn pointer(&self, pointer: &str) -> Option<(&Node, Option<Range<usize>>)> {
        let mut node = self;
        let mut key = None;
        for token in pointer.split('/').skip(1) {
            let token = token.replace("~1", "/").replace("~0", "~");
            match &node.value {
                Value::Object(_) => {
                    let member = node.member(&token)?;
                    key = Some(member.key_range.clone());
                    node = &member.value;
                }
                Value::Array(items) => {
                    node = items.get(token.parse::<usize>().ok()?)?;
                    key = None;
                }
                _ => return None,
            }
        }
        Some((node, key))
    }

    /// The value as serde_json reads it (a repeated key keeps its last value).
    pub fn to_serde(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => n.parse::<serde_json::Number>().map_or(J::Null, J::Number),
            Value::String(s) => J::String(s.clone()),
            Value::Array(items) => J::Array(items.iter().map(Node::to_serde).collect()),
            Value::Object(members) => J::Object(
                members
                    .iter()
                    .map(|m| (m.key.clone(), m.value.to_serde()))
                    .collect(),
            ),
        }
    }
}

/// For a string literal spanning `range` of `text` (its quotes included): the file offset of
/// each byte of the decoded string, and of its end (the closing quote). A byte decoded from an
/// escape maps to the escape's backslash, so a range of the decoded string maps to the range of
/// the text that wrote it.
pub fn string_offsets(text: &str, range: Range<usize>) -> Vec<usize> {
    let bytes = text.as_bytes();
    let end = range.end.saturating_sub(1).max(range.start);
    let mut offsets = Vec::with_capacity(end - range.start);
    let mut i = range.start + 1;
    while i < end {
        if bytes[i] != b'\\' {
            offsets.push(i);
            i += 1;
            continue;
        }
        let start = i;
        let decoded_len = match bytes.get(i + 1) {
            Some(b'u') => {
                let unit = hex4(&bytes[i + 2..]).unwrap_or(0xfffd);
                i += 6;
                let c = if (0xd800..0xdc00).contains(&unit)
                    && bytes.get(i) == Some(&b'\\')
                    && bytes.get(i + 1) == Some(&b'u')
                {
                    let low = hex4(&bytes[i + 2..]).unwrap_or(0);
                    if (0xdc00..0xe000).contains(&low) {
                        i += 6;
                        char::from_u32(0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00))
                    } else {
                        None
                    }
                } else {
                    char::from_u32(unit)
                };
                c.unwrap_or('\u{fffd}').len_utf8()
            }
            _ => {
                i += 2;
                1
            }
        };
        offsets.extend(std::iter::repeat_n(start, decoded_len));
    }
    offsets.push(end);
    offsets
}

fn hex4(bytes: &[u8]) -> Option<u32> {
    let digits = std::str::from_utf8(bytes.get(..4)?).ok()?;
    u32::from_str_radix(digits, 16).ok()
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    depth: usize,
}

impl Parser<'_> {
    fn error(&self, message: String) -> Error {
        Error {
            message,
            offset: self.at,
        }
    }

    /// What stands at the cursor, for messages.
    fn found(&self) -> String {
        match self.text[self.at..].chars().next() {
            None => "end of file".to_string(),
            Some(c) => format!("`{c}`"),
        }
    }

    fn space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    fn value(&mut self) -> Result<Node, Error> {
        let start = self.at;
        let value = match self.bytes.get(self.at) {
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b'"') => Value::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(b't') => self.word("true", Value::Bool(true))?,
            Some(b'f') => self.word("false", Value::Bool(false))?,
            Some(b'n') => self.word("null", Value::Null)?,
            _ => return Err(self.error(format!("expected a value, found {}", self.found()))),
        };
        Ok(Node {
            value,
            range: start..self.at,
        })
    }

    fn word(&mut self, word: &str, value: Value) -> Result<Value, Error> {
        if self.text[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error(format!("expected a value, found {}", self.found())))
        }
    }

    fn nest(&mut self) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(format!("nested deeper than {MAX_DEPTH} levels")));
        }
        self.at += 1;
        self.space();
        Ok(())
    }

    fn object(&mut self) -> Result<Value, Error> {
        self.nest()?;
        let mut members = Vec::new();
        if self.bytes.get(self.at) == Some(&b'}') {
            self.at += 1;
            self.depth -= 1;
            return Ok(Value::Object(members));
        }
        loop {
            if self.bytes.get(self.at) != Some(&b'"') {
                return Err(self.error(format!(
                    "expected a key in double quotes, found {}",
                    self.found()
                )));
            }
            let key_start = self.at;
            let key = self.string()?;
            let key_range = key_start..self.at;
            self.space();
            if self.bytes.get(self.at) != Some(&b':') {
                return Err(self.error(format!("expected `:` after a key, found {}", self.found())));
            }
            self.at += 1;
            self.space();
            let value = self.value()?;
            members.push(Member {
                key,
                key_range,
                value,
            });
            self.space();
            match self.bytes.get(self.at) {
                Some(b',') => {
                    self.at += 1;
                    self.space();
                }
                Some(b'}') => {
                    self.at += 1;
                    self.depth -= 1;
                    return Ok(Value::Object(members));
                }
                _ => {
                    return Err(self.error(format!(
                        "expected `,` or `}}` after an object member, found {}",
                        self.found()
                    )))
                }
            }
        }
    }

    fn array(&mut self) -> Result<Value, Error> {
        self.nest()?;
        let mut items = Vec::new();
        if self.bytes.get(self.at) == Some(&b']') {
            self.at += 1;
            self.depth -= 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value()?);
            self.space();
            match self.bytes.get(self.at) {
                Some(b',') => {
                    self.at += 1;
                    self.space();
                }
                Some(b']') => {
                    self.at += 1;
                    self.depth -= 1;
                    return Ok(Value::Array(items));
                }
                _ => {
                    return Err(self.error(format!(
                        "expected `,` or `]` after an array item, found {}",
                        self.found()
                    )))
                }
            }
        }
    }

    fn string(&mut self) -> Result<String, Error> {
        self.at += 1;
        let mut out = String::new();
        loop {
            let run = self.at;
            while let Some(&b) = self.bytes.get(self.at) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.at += 1;
            }
            out.push_str(&self.text[run..self.at]);
            match self.bytes.get(self.at) {
                None => return Err(self.error("unterminated string".to_string())),
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => out.push(self.escape()?),
                Some(_) => {
                    return Err(self.error(
                        "control character in a string: write it as an escape (`\\n`, `\\t`, `\\u0000`)"
                            .to_string(),
                    ))
                }
            }
        }
    }

    fn escape(&mut self) -> Result<char, Error> {
        let c = match self.bytes.get(self.at + 1) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let unit = hex4(&self.bytes[self.at + 2..])
                    .ok_or_else(|| self.error("`\\u` takes four hex digits".to_string()))?;
                self.at += 6;
                if (0xd800..0xdc00).contains(&unit) && self.text[self.at..].starts_with("\\u") {
                    if let Some(low) = hex4(&self.bytes[self.at + 2..]) {
                        if (0xdc00..0xe000).contains(&low) {
                            self.at += 6;
                            let c = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
                            return Ok(char::from_u32(c).unwrap_or('\u{fffd}'));
                        }
                    }
                }
                return Ok(char::from_u32(unit).unwrap_or('\u{fffd}'));
            }
            _ => {
                return Err(self.error(format!(
                    "unknown escape `\\{}`",
                    self.text[self.at + 1..].chars().next().unwrap_or(' ')
                )))
            }
        };
        self.at += 2;
        Ok(c)
    }

    fn number(&mut self) -> Result<Value, Error> {
        let start = self.at;
        let digits = |p: &mut Parser| {
            let from = p.at;
            while let Some(b'0'..=b'9') = p.bytes.get(p.at) {
                p.at += 1;
            }
            p.at - from
        };
        if self.bytes.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        let int_start = self.at;
        let n = digits(self);
        if n == 0 || (n > 1 && self.bytes[int_start] == b'0') {
            self.at = int_start;
            return Err(self.error("invalid number".to_string()));
        }
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            if digits(self) == 0 {
                return Err(self.error("expected digits after `.`".to_string()));
            }
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.at) {
            self.at += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.at) {
                self.at += 1;
            }
            if digits(self) == 0 {
                return Err(self.error("expected digits in the exponent".to_string()));
            }
        }
        Ok(Value::Number(self.text[start..self.at].to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(text: &str, expect: &str) {
        let got = match parse(text) {
            Ok(node) => {
                let back = node.to_serde().to_string();
                assert_eq!(
                    node.to_serde(),
                    serde_json::from_str::<serde_json::Value>(text).unwrap(),
                    "{text}"
                );
                back
            }
            Err(e) => format!("error at {}: {}", e.offset, e.message),
        };
        assert_eq!(got, expect, "{text}");
    }

    #[test]
    fn parses_what_serde_json_parses() {
        check(
            r#" {"a": [1, -2.5e3, true, null], "b": "x\"\u00e9\ud83d\ude00"} "#,
            r#"{"a":[1,-2500.0,true,null],"b":"x\"é😀"}"#,
        );
        check("[]", "[]");
        check("{}", "{}");
    }

    #[test]
    fn refuses_what_json_refuses() {
        check(
            "{\"a\": 1,}",
            "error at 8: expected a key in double quotes, found `}`",
        );
        check(
            "[1 2]",
            "error at 3: expected `,` or `]` after an array item, found `2`",
        );
        check("[01]", "error at 1: invalid number");
        check(
            "{'a': 1}",
            "error at 1: expected a key in double quotes, found `'`",
        );
        check("\"a\nb\"", "error at 2: control character in a string: write it as an escape (`\\n`, `\\t`, `\\u0000`)");
        check("[1] x", "error at 4: unexpected `x` after the document");
        check("{\"a\": tru}", "error at 6: expected a value, found `t`");
        check(
            &"[".repeat(300),
            "error at 256: nested deeper than 256 levels",
        );
    }

    #[test]
    fn ranges_and_pointers() {
        let text = r#"{"panels": [{"gridPos": {"w": 30}}], "a/b": 1}"#;
        let root = parse(text).unwrap();
        let (node, key) = root.pointer("/panels/0/gridPos/w").unwrap();
        assert_eq!(&text[node.range.clone()], "30");
        assert_eq!(&text[key.unwrap()], "\"w\"");
        let (node, _) = root.pointer("/a~1b").unwrap();
        assert_eq!(&text[node.range.clone()], "1");
        assert!(root.pointer("/panels/1").is_none());
    }

    #[test]
    fn decoded_bytes_map_back_through_escapes() {
        let text = r#"  "a\"b\u00e9c\ud83d\ude00d\\" "#;
        let root = parse(text).unwrap();
        let decoded = root.as_str().unwrap();
        assert_eq!(decoded, "a\"béc😀d\\");
        let offsets = string_offsets(text, root.range.clone());
        assert_eq!(offsets.len(), decoded.len() + 1);
        let at = |needle: &str| offsets[decoded.find(needle).unwrap()];
        assert_eq!(&text[at("b")..at("b") + 1], "b");
        assert_eq!(&text[at("c")..at("c") + 1], "c");
        assert_eq!(&text[at("d")..at("d") + 1], "d");
        assert_eq!(&text[at("é")..at("c")], "\\u00e9");
        assert_eq!(&text[at("😀")..at("d")], "\\ud83d\\ude00");
        assert_eq!(&text[*offsets.last().unwrap()..], "\" ");
    }
}
