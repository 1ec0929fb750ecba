//! PromQL: parsing with promql-parser, the byte range of a fault, and the selectors an
//! expression reads.
//!
//! promql-parser reports errors as text without a position, and its AST has no spans. A small
//! scanner of our own finds where a fault is (an unclosed parenthesis, an unknown function, a bad
//! duration) and where a selector or matcher stands, so diagnostics point at the right column.

use std::ops::Range;

use promql_parser::label::MatchOp;
pub use promql_parser::parser::Expr;
use promql_parser::parser::{self, LabelModifier};

/// A token of our scanner: enough of PromQL's lexical grammar to place diagnostics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub range: Range<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    Ident,
    Number,
    /// A quoted string; `closed` is false when the input ends inside it.
    Str {
        closed: bool,
    },
    Open(char),
    Close(char),
    Comma,
    Operator,
}

/// Splits `text` into tokens, skipping white space and `#` comments. Never fails: an unknown
/// character becomes a one-character operator token.
pub fn tokens(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let kind = match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' | b'\'' | b'`' => {
                i += 1;
                let mut closed = false;
                while i < bytes.len() {
                    if bytes[i] == b'\\' && c != b'`' {
                        i += 2;
                        continue;
                    }
                    if bytes[i] == c {
                        closed = true;
                        i += 1;
                        break;
                    }
                    i += 1;
                }
                i = i.min(bytes.len());
                TokenKind::Str { closed }
            }
            b'(' | b'{' | b'[' => {
                i += 1;
                TokenKind::Open(c as char)
            }
            b')' | b'}' | b']' => {
                i += 1;
                TokenKind::Close(c as char)
            }
            b',' => {
                i += 1;
                TokenKind::Comma
            }
            c if c.is_ascii_alphabetic() || c == b'_' || c == b':' => {
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b':')
                {
                    i += 1;
                }
                TokenKind::Ident
            }
            c if c.is_ascii_digit() || c == b'.' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                    i += 1;
                }
                TokenKind::Number
            }
            _ => {
                let two = text.get(i..i + 2).unwrap_or("");
                if ["==", "!=", ">=", "<=", "=~", "!~"].contains(&two) {
                    i += 2;
                } else {
                    i += text[i..].chars().next().map_or(1, char::len_utf8);
                }
                TokenKind::Operator
            }
        };
        out.push(Token {
            kind,
            range: start..i,
        });
    }
    out
}

const KEYWORDS: &[&str] = &[
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "offset",
    "bool",
    "and",
    "or",
    "unless",
    "atan2",
];

/// A PromQL parse error with the byte range of the fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub range: Range<usize>,
    /// What to put under the range.
    pub label: String,
}

/// Parses `text`, and on failure places the fault.
pub fn parse(text: &str) -> Result<Expr, ParseError> {
    parser::parse(text).map_err(|message| locate(text, message))
}

fn locate(text: &str, message: String) -> ParseError {
    let toks = tokens(text);
    let whole = trimmed(text);
    let end = text.trim_end().len();
    let found = |range: Range<usize>, label: &str| (range, label.to_string());
    let (range, label) =
        if message.starts_with("unclosed left") || message.starts_with("unexpected right") {
            match unbalanced(text, &toks) {
                Some((range, true)) => found(range, "this is never closed"),
                Some((range, false)) => found(range, "closes nothing"),
                None => found(whole, "here"),
            }
        } else if message.starts_with("unterminated quoted string") {
            match toks
                .iter()
                .find(|t| t.kind == TokenKind::Str { closed: false })
            {
                Some(t) => found(
                    t.range.start..t.range.start + 1,
                    "this string is never closed",
                ),
                None => found(whole, "here"),
            }
        } else if let Some(bad) = message.strip_prefix("bad number or duration syntax: ") {
            match toks.iter().find(|t| &text[t.range.clone()] == bad.trim()) {
                Some(t) => found(t.range.clone(), "not a number or duration"),
                None => found(whole, "here"),
            }
        } else if let Some(regex) = message.strip_prefix("illegal regex for ") {
            match toks.iter().find(|t| {
                matches!(t.kind, TokenKind::Str { .. }) && text[t.range.clone()].contains(regex)
            }) {
                Some(t) => found(t.range.clone(), "not a valid RE2 regular expression"),
                None => found(whole, "here"),
            }
        } else if let Some(name) = quoted_after(&message, "unknown function with name ") {
            match call_of(text, &toks, &name) {
                Some((name_range, _)) => found(name_range, "no such function"),
                None => found(whole, "here"),
            }
        } else if let Some(name) = quoted_after(&message, "in call to function ") {
            match call_of(text, &toks, &name) {
                Some((_, call_range)) => found(call_range, "wrong argument type"),
                None => found(whole, "here"),
            }
        } else if message.contains("unexpected end of input") {
            found(end..end, "input ends here")
        } else if message == "invalid promql query" {
            invalid_query_fault(text, &toks).unwrap_or_else(|| found(whole, "cannot be parsed"))
        } else {
            found(whole, "here")
        };
    let message = match message.as_str() {
        "invalid promql query" => invalid_query_message(&label),
        _ => message,
    };
    ParseError {
        message,
        range,
        label,
    }
}

fn invalid_query_message(label: &str) -> String {
    match label {
        "expression ends after an operator" => "unexpected end of input".into(),
        "missing operator before this" => "unexpected token: missing operator".into(),
        _ => "invalid PromQL expression".into(),
    }
}

fn trimmed(text: &str) -> Range<usize> {
    let start = text.len() - text.trim_start().len();
    start..text.trim_end().len().max(start)
}

fn quoted_after(message: &str, prefix: &str) -> Option<String> {
    let rest = &message[message.find(prefix)? + prefix.len()..];
    let rest = rest.strip_prefix('\'')?;
    Some(rest[..rest.find('\'')?].to_string())
}

/// The first closer without an opener (`false`), or the last opener without a closer (`true`).
fn unbalanced(text: &str, toks: &[Token]) -> Option<(Range<usize>, bool)> {
    let mut stack: Vec<&Token> = Vec::new();
    for t in toks {
        match t.kind {
            TokenKind::Open(_) => stack.push(t),
            TokenKind::Close(c) => {
                let expected = match c {
                    ')' => '(',
                    '}' => '{',
                    _ => '[',
                };
                match stack.pop() {
                    Some(open) if text[open.range.clone()].starts_with(expected) => {}
                    Some(open) => return Some((open.range.clone(), true)),
                    None => return Some((t.range.clone(), false)),
                }
            }
            _ => {}
        }
    }
    stack.first().map(|t| (t.range.clone(), true))
}

/// The name's range and the whole call's range of the first call of function `name`.
fn call_of(text: &str, toks: &[Token], name: &str) -> Option<(Range<usize>, Range<usize>)> {
    let at = toks.windows(2).position(|w| {
        w[0].kind == TokenKind::Ident
            && &text[w[0].range.clone()] == name
            && w[1].kind == TokenKind::Open('(')
    })?;
    let mut depth = 0;
    for t in &toks[at + 1..] {
        match t.kind {
            TokenKind::Open(_) => depth += 1,
            TokenKind::Close(_) => {
                depth -= 1;
                if depth == 0 {
                    return Some((toks[at].range.clone(), toks[at].range.start..t.range.end));
                }
            }
            _ => {}
        }
    }
    Some((
        toks[at].range.clone(),
        toks[at].range.start..text.trim_end().len(),
    ))
}

/// Places promql-parser's position-less "invalid promql query": an expression that ends on an
/// operator or keyword, or two operands in a row with no operator between them.
fn invalid_query_fault(text: &str, toks: &[Token]) -> Option<(Range<usize>, String)> {
    let is_word = |t: &Token, words: &[&str]| {
        t.kind == TokenKind::Ident && words.contains(&&text[t.range.clone()])
    };
    let last = toks.last()?;
    if last.kind == TokenKind::Operator || last.kind == TokenKind::Comma || is_word(last, KEYWORDS)
    {
        return Some((
            last.range.clone(),
            "expression ends after an operator".into(),
        ));
    }
    let operand_end = |t: &Token| {
        matches!(
            t.kind,
            TokenKind::Number | TokenKind::Str { .. } | TokenKind::Close(_)
        ) || (t.kind == TokenKind::Ident && !is_word(t, KEYWORDS))
    };
    let operand_start = |t: &Token| {
        matches!(t.kind, TokenKind::Number | TokenKind::Str { .. })
            || (t.kind == TokenKind::Ident && !is_word(t, KEYWORDS))
    };
    let mut depth_brace = 0;
    for w in toks.windows(2) {
        match w[0].kind {
            TokenKind::Open('{') => depth_brace += 1,
            TokenKind::Close('}') => depth_brace -= 1,
            _ => {}
        }
        // Inside a selector's braces and after `by (`, names follow each other legitimately
        // only with commas, so the same rule holds there.
        if depth_brace == 0 && operand_end(&w[0]) && operand_start(&w[1]) {
            return Some((w[1].range.clone(), "missing operator before this".into()));
        }
    }
    None
}

/// How a selector is used by the function or aggregation directly around it.
#[derive(Clone, Debug, PartialEq)]
pub struct SelectorUse {
    /// The metric name, when the selector has one (`__name__` matchers count).
    pub name: Option<String>,
    /// The label matchers besides the name: label, operator (`=`, `!=`, `=~`, `!~`), value.
    pub matchers: Vec<(String, &'static str, String)>,
    /// The range of a range selector (`x[5m]`), in milliseconds.
    pub range_ms: Option<u64>,
    /// The function whose argument this selector is, directly or through a subquery.
    pub function: Option<&'static str>,
    /// Every function and aggregation around the selector, outermost first (`sum`, `rate`).
    pub enclosing: Vec<String>,
    /// The byte range of the name (or of the braces for a nameless selector) in the text.
    pub span: Range<usize>,
    /// The byte ranges of each matcher's label name, in the order of `matchers`.
    pub matcher_spans: Vec<Range<usize>>,
}

/// An aggregation's grouping labels: `sum by (a, b)` or `without (c)`, with the span of the
/// clause.
#[derive(Clone, Debug, PartialEq)]
pub struct Grouping {
    pub op: String,
    pub by: bool,
    pub labels: Vec<String>,
    pub span: Range<usize>,
}

/// Everything the checks read from one expression.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Analysis {
    pub selectors: Vec<SelectorUse>,
    pub groupings: Vec<Grouping>,
    /// Every function called, with the span of its name.
    pub calls: Vec<(&'static str, Range<usize>)>,
    /// Whether the top-level expression filters with a comparison (`>`, `==`, ...) without `bool`.
    pub has_comparison: bool,
}

/// Walks a parsed expression; `text` is what it was parsed from, for spans.
pub fn analyse(expr: &Expr, text: &str) -> Analysis {
    let mut walker = Walker {
        text,
        toks: tokens(text),
        used_name_tokens: Vec::new(),
        used_call_tokens: Vec::new(),
        used_group_tokens: Vec::new(),
        enclosing: Vec::new(),
        out: Analysis::default(),
    };
    walker.out.has_comparison = has_comparison(expr);
    walker.expr(expr, None);
    walker.out
}

fn has_comparison(expr: &Expr) -> bool {
    match expr {
        Expr::Binary(b) => {
            let filtering = b.op.is_comparison_operator() && !b.return_bool();
            filtering || has_comparison(&b.lhs) || has_comparison(&b.rhs)
        }
        Expr::Paren(p) => has_comparison(&p.expr),
        Expr::Aggregate(a) => has_comparison(&a.expr),
        Expr::Call(c) => c.args.args.iter().any(|a| has_comparison(a)),
        Expr::Subquery(s) => has_comparison(&s.expr),
        Expr::Unary(u) => has_comparison(&u.expr),
        _ => false,
    }
}

struct Walker<'a> {
    text: &'a str,
    toks: Vec<Token>,
    used_name_tokens: Vec<usize>,
    used_call_tokens: Vec<usize>,
    used_group_tokens: Vec<usize>,
    enclosing: Vec<String>,
    out: Analysis,
}

impl Walker<'_> {
    fn tok_text(&self, i: usize) -> &str {
        &self.text[self.toks[i].range.clone()]
    }

    /// The next unused token satisfying `pred`, marked used in `used`.
    fn claim(&mut self, which: u8, pred: impl Fn(&Walker, usize) -> bool) -> Option<usize> {
        let used = match which {
            0 => &self.used_name_tokens,
            1 => &self.used_call_tokens,
            _ => &self.used_group_tokens,
        };
        let found = (0..self.toks.len()).find(|&i| !used.contains(&i) && pred(self, i))?;
        match which {
            0 => self.used_name_tokens.push(found),
            1 => self.used_call_tokens.push(found),
            _ => self.used_group_tokens.push(found),
        }
        Some(found)
    }

    fn followed_by_open_paren(&self, i: usize) -> bool {
        self.toks.get(i + 1).map(|t| t.kind) == Some(TokenKind::Open('('))
    }

    fn expr(&mut self, expr: &Expr, function: Option<&'static str>) {
        match expr {
            Expr::Aggregate(a) => {
                let op = a.op.to_string();
                let op_tok = self.claim(1, |w, i| {
                    w.toks[i].kind == TokenKind::Ident && w.tok_text(i).eq_ignore_ascii_case(&op)
                });
                if let Some(modifier) = &a.modifier {
                    let (by, labels) = match modifier {
                        LabelModifier::Include(l) => (true, l.labels.clone()),
                        LabelModifier::Exclude(l) => (false, l.labels.clone()),
                    };
                    let keyword = if by { "by" } else { "without" };
                    let span = self
                        .claim(2, |w, i| {
                            w.toks[i].kind == TokenKind::Ident && w.tok_text(i) == keyword
                        })
                        .map(|i| self.clause_span(i))
                        .or_else(|| op_tok.map(|i| self.toks[i].range.clone()))
                        .unwrap_or(0..0);
                    self.out.groupings.push(Grouping {
                        op: op.clone(),
                        by,
                        labels,
                        span,
                    });
                }
                if let Some(param) = &a.param {
                    self.expr(param, None);
                }
                self.enclosing.push(op);
                self.expr(&a.expr, None);
                self.enclosing.pop();
            }
            Expr::Unary(u) => self.expr(&u.expr, function),
            Expr::Binary(b) => {
                self.expr(&b.lhs, None);
                self.expr(&b.rhs, None);
            }
            Expr::Paren(p) => self.expr(&p.expr, function),
            Expr::Subquery(s) => self.expr(&s.expr, function),
            Expr::NumberLiteral(_) | Expr::StringLiteral(_) | Expr::Extension(_) => {}
            Expr::VectorSelector(vs) => self.selector(vs, None, function),
            Expr::MatrixSelector(ms) => {
                self.selector(&ms.vs, Some(ms.range.as_millis() as u64), function)
            }
            Expr::Call(call) => {
                let name = call.func.name;
                let tok = self.claim(1, |w, i| {
                    w.toks[i].kind == TokenKind::Ident
                        && w.tok_text(i) == name
                        && w.followed_by_open_paren(i)
                });
                let span = tok.map(|i| self.toks[i].range.clone()).unwrap_or(0..0);
                self.out.calls.push((name, span));
                self.enclosing.push(name.to_string());
                for arg in &call.args.args {
                    self.expr(arg, Some(name));
                }
                self.enclosing.pop();
            }
        }
    }

    /// From a `by`/`without` keyword to the `)` closing its label list.
    fn clause_span(&self, keyword: usize) -> Range<usize> {
        let start = self.toks[keyword].range.start;
        let end = self.toks[keyword..]
            .iter()
            .find(|t| t.kind == TokenKind::Close(')'))
            .map_or(self.toks[keyword].range.end, |t| t.range.end);
        start..end
    }

    fn selector(
        &mut self,
        vs: &parser::VectorSelector,
        range_ms: Option<u64>,
        function: Option<&'static str>,
    ) {
        let mut name = vs.name.clone();
        let mut matchers = Vec::new();
        for m in &vs.matchers.matchers {
            if m.name == "__name__" && matches!(m.op, MatchOp::Equal) {
                name.get_or_insert_with(|| m.value.clone());
                continue;
            }
            let op = match m.op {
                MatchOp::Equal => "=",
                MatchOp::NotEqual => "!=",
                MatchOp::Re(_) => "=~",
                MatchOp::NotRe(_) => "!~",
            };
            matchers.push((m.name.clone(), op, m.value.clone()));
        }
        // The name token: an identifier equal to the name, not a function call, and not a label
        // inside braces or a grouping list (those are followed by a matcher or a comma).
        let name_tok = match &vs.name {
            Some(n) => self.claim(0, |w, i| {
                w.toks[i].kind == TokenKind::Ident
                    && w.tok_text(i) == n
                    && !w.followed_by_open_paren(i)
                    && !w.inside_braces(i)
            }),
            None => self.claim(0, |w, i| w.toks[i].kind == TokenKind::Open('{')),
        };
        let (span, brace_from) = match name_tok {
            Some(i) => (self.toks[i].range.clone(), i),
            None => (0..0, 0),
        };
        let mut matcher_spans = Vec::new();
        let brace_end = self.toks[brace_from..]
            .iter()
            .position(|t| t.kind == TokenKind::Close('}'))
            .map_or(brace_from, |p| brace_from + p);
        for (label, _, _) in &matchers {
            let found =
                (brace_from..=brace_end.min(self.toks.len().saturating_sub(1))).find(|&i| {
                    self.toks[i].kind == TokenKind::Ident
                        && self.tok_text(i) == label
                        && self.toks.get(i + 1).map(|t| t.kind) == Some(TokenKind::Operator)
                });
            matcher_spans.push(found.map_or(span.clone(), |i| self.toks[i].range.clone()));
        }
        self.out.selectors.push(SelectorUse {
            name,
            matchers,
            range_ms,
            function,
            enclosing: self.enclosing.clone(),
            span,
            matcher_spans,
        });
    }

    fn inside_braces(&self, i: usize) -> bool {
        let mut depth = 0i32;
        for t in &self.toks[..i] {
            match t.kind {
                TokenKind::Open('{') => depth += 1,
                TokenKind::Close('}') => depth -= 1,
                _ => {}
            }
        }
        depth > 0
    }
}

/// Divides every duration in `text` (range selectors, subquery ranges and steps, `offset`) by
/// `factor`, keeping the rest of the text as it is: how a test stack compresses time.
pub fn scale_durations(text: &str, factor: u64) -> String {
    let toks = tokens(text);
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut in_brackets = false;
    for (i, t) in toks.iter().enumerate() {
        match t.kind {
            TokenKind::Open('[') => in_brackets = true,
            TokenKind::Close(']') => in_brackets = false,
            _ => {}
        }
        let after_offset = i > 0
            && toks[i - 1].kind == TokenKind::Ident
            && text[toks[i - 1].range.clone()].eq_ignore_ascii_case("offset");
        let scalable =
            matches!(t.kind, TokenKind::Number | TokenKind::Ident) && (in_brackets || after_offset);
        if !scalable {
            continue;
        }
        // Inside brackets `30m:1m` scans as one or two tokens; scale each side of a colon.
        let piece = &text[t.range.clone()];
        let scaled: Vec<String> = piece
            .split(':')
            .map(
                |part| match crate::syntax::duration::Duration::parse(part) {
                    Ok(d) if !part.is_empty() => {
                        crate::syntax::duration::Duration::millis((d.as_millis() / factor).max(1))
                            .to_string()
                    }
                    _ => part.to_string(),
                },
            )
            .collect();
        out.push_str(&text[last..t.range.start]);
        out.push_str(&scaled.join(":"));
        last = t.range.end;
    }
    out.push_str(&text[last..]);
    out
}

/// `value` as a double-quoted PromQL string literal.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether `name` is a valid metric name in Prometheus's classic (non-UTF-8) scheme.
pub fn is_metric_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// Whether `name` is a valid label name in Prometheus's classic scheme.
pub fn is_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_error(text: &str, expect: &str) {
        let got = match parse(text) {
            Ok(_) => "ok".to_string(),
            Err(e) => format!(
                "{} at {:?} ({}): {}",
                e.message,
                &text[e.range.clone()],
                e.range.start,
                e.label
            ),
        };
        assert_eq!(got, expect, "{text}");
    }

    #[test]
    fn faults_are_placed() {
        check_error(
            "sum(rate(x[5m])",
            "unclosed left parenthesis at \"(\" (3): this is never closed",
        );
        check_error(
            "sum(x))",
            "unexpected right parenthesis ')' at \")\" (6): closes nothing",
        );
        check_error(
            "rate(x[5m]) >",
            "unexpected end of input at \">\" (12): expression ends after an operator",
        );
        check_error(
            "foo bar",
            "unexpected token: missing operator at \"bar\" (4): missing operator before this",
        );
        check_error(
            "nosuch(x)",
            "unknown function with name 'nosuch' at \"nosuch\" (0): no such function",
        );
        check_error("1 + rate(x)", "expected type matrix in call to function 'rate', got vector at \"rate(x)\" (4): wrong argument type");
        check_error(
            "rate(x[5x])",
            "bad number or duration syntax: 5x at \"5x\" (7): not a number or duration",
        );
        check_error(
            "x{a=\"b}",
            "unterminated quoted string \" at \"\\\"\" (4): this string is never closed",
        );
    }

    #[test]
    fn durations_are_scaled() {
        let scale = |t: &str| scale_durations(t, 60);
        assert_eq!(scale("rate(x[5m])"), "rate(x[5s])");
        assert_eq!(
            scale("avg_over_time(x[30d:1h]) offset 1h"),
            "avg_over_time(x[12h:1m]) offset 1m"
        );
        assert_eq!(scale("x{a=\"5m\"} > 5"), "x{a=\"5m\"} > 5");
        assert_eq!(scale("rate(x[90s])"), "rate(x[1s500ms])");
    }

    #[test]
    fn selectors_are_found_with_spans() {
        let text = "sum by (critic) (rate(eje_x_total{critic=\"a\"}[5m])) / sum(up)";
        let a = analyse(&parse(text).unwrap(), text);
        let got: Vec<_> = a
            .selectors
            .iter()
            .map(|s| {
                format!(
                    "{:?} {:?} {:?} {:?}",
                    s.name,
                    &text[s.span.clone()],
                    s.function,
                    s.matcher_spans
                        .iter()
                        .map(|r| &text[r.clone()])
                        .collect::<Vec<_>>()
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                "Some(\"eje_x_total\") \"eje_x_total\" Some(\"rate\") [\"critic\"]",
                "Some(\"up\") \"up\" None []"
            ]
        );
        assert_eq!(a.groupings.len(), 1);
        assert_eq!(&text[a.groupings[0].span.clone()], "by (critic)");
    }
}
