//! Rust expressions laid out as rustfmt (edition 2021, default settings) lays them out, so the
//! generated modules are `rustfmt --check` clean as written: builder chains, calls, arguments.
//!
//! The rules kept: a line holds 100 columns; a call's arguments stay on one line when they take
//! at most 60 (`fn_call_width`), else one per line with a trailing comma; a chain stays on one
//! line when it takes at most 60 (`chain_width`), else one call per line, indented; a call whose
//! only argument is itself a call that must break "overflows" (`.rule(Record::new(` ... `))`).

const MAX_WIDTH: usize = 100;
const CALL_WIDTH: usize = 60;
const CHAIN_WIDTH: usize = 60;

/// An expression: a literal or path (`"up"`, `mins(5)`), a call, or a chain of method calls.
#[derive(Clone, Debug)]
pub enum Expr {
    Atom(String),
    Call(String, Vec<Expr>),
    Chain(Box<Expr>, Vec<(String, Vec<Expr>)>),
}

impl Expr {
    pub fn atom(text: impl Into<String>) -> Expr {
        Expr::Atom(text.into())
    }

    pub fn call(function: impl Into<String>, args: Vec<Expr>) -> Expr {
        Expr::Call(function.into(), args)
    }

    /// Adds `.method(args)` to the chain.
    pub fn method(self, method: &str, args: Vec<Expr>) -> Expr {
        match self {
            Expr::Chain(head, mut calls) => {
                calls.push((method.to_string(), args));
                Expr::Chain(head, calls)
            }
            other => Expr::Chain(Box::new(other), vec![(method.to_string(), args)]),
        }
    }

    /// On one line, when it can be.
    fn flat(&self) -> Option<String> {
        let text = match self {
            Expr::Atom(text) => text.clone(),
            Expr::Call(function, args) => format!("{function}({})", flat_args(args)?),
            Expr::Chain(head, calls) => {
                let mut text = head.flat()?;
                for (method, args) in calls {
                    text.push_str(&format!(".{method}({})", flat_args(args)?));
                }
                text
            }
        };
        (!text.contains('\n')).then_some(text)
    }

    /// Laid out on a line indented `indent`, after `used` columns of text on its first line,
    /// followed by `after` columns (`,`, `)`).
    pub fn render(&self, indent: usize, used: usize, after: usize) -> String {
        match self {
            Expr::Atom(text) => text.clone(),
            Expr::Call(function, args) => {
                let start = used + function.len() + 1;
                let inner = call_args(args, indent, start, after + 1);
                format!("{function}({})", macro_args(function, inner))
            }
            Expr::Chain(head, calls) => {
                if let Some(flat) = self.flat() {
                    let calls_ok = calls.iter().all(|(_, a)| args_fit(a, 0, 0));
                    let head_ok = match &**head {
                        Expr::Call(_, a) => args_fit(a, 0, 0),
                        _ => true,
                    };
                    // rustfmt holds a chain of one call to the line's width only.
                    if (flat.len() <= CHAIN_WIDTH || calls.len() == 1)
                        && used + flat.len() + after <= MAX_WIDTH
                        && calls_ok
                        && head_ok
                    {
                        return flat;
                    }
                }
                // A chain's head that breaks leaves a column free on its line, as rustfmt does.
                let head_text = head.render(indent, used, 1);
                let (last, rest) = calls.split_last().expect("a chain has calls");
                // The last call overflowing after a one-line prefix, as rustfmt prefers when
                // it is long or no longer than the call on a line of its own.
                let prefix: Option<String> = (!head_text.contains('\n'))
                    .then(|| {
                        let mut text = head_text.clone();
                        for (method, args) in rest {
                            text.push_str(&format!(".{method}({})", flat_args(args)?));
                        }
                        Some(text)
                    })
                    .flatten();
                if let Some(prefix) = prefix {
                    // A chain of one call overflows to the line's width, a longer one to `chain_width`.
                    let budget = if calls.len() == 1 {
                        MAX_WIDTH - indent
                    } else {
                        (MAX_WIDTH - indent).min(CHAIN_WIDTH)
                    };
                    if prefix.len() < budget {
                        let (method, args) = last;
                        let start = used + prefix.len() + method.len() + 2;
                        let overflowed =
                            format!(".{method}({})", call_args(args, indent, start, after + 1));
                        let first = overflowed.lines().next().unwrap_or("").len();
                        let could_fit = first <= budget - prefix.len();
                        let lines = overflowed.lines().count();
                        let own_line = format!(
                            ".{method}({})",
                            call_args(args, indent + 4, indent + 4 + method.len() + 2, after + 1)
                        );
                        if could_fit && (lines >= 5 || own_line.lines().count() >= lines) {
                            return format!("{prefix}{overflowed}");
                        }
                    }
                }
                let pad = if head_text.contains('\n') {
                    indent
                } else {
                    indent + 4
                };
                let mut out = head_text;
                for (i, (method, args)) in calls.iter().enumerate() {
                    let end = if i + 1 == calls.len() { after } else { 0 };
                    out.push('\n');
                    out.push_str(&" ".repeat(pad));
                    let start = pad + method.len() + 2;
                    out.push_str(&format!(
                        ".{method}({})",
                        call_args(args, pad, start, end + 1)
                    ));
                }
                out
            }
        }
    }
}

fn flat_args(args: &[Expr]) -> Option<String> {
    let parts: Option<Vec<String>> = args.iter().map(Expr::flat).collect();
    Some(parts?.join(", "))
}

/// Whether `args` stay on one line starting at column `used` with `after` columns after them:
/// within `fn_call_width`, unless the only argument is a literal (which rustfmt lets run to the
/// line's end).
fn args_fit(args: &[Expr], used: usize, after: usize) -> bool {
    let Some(flat) = flat_args(args) else {
        return false;
    };
    // A lone literal, or a lone chain of one call, may run to the line's end.
    let literal = match args {
        [Expr::Atom(_)] => true,
        [Expr::Chain(_, calls)] => calls.len() == 1,
        _ => false,
    };
    (literal || flat.len() <= CALL_WIDTH) && used + flat.len() + after <= MAX_WIDTH
}

/// The arguments of a call whose `(` ends at column `used`, on a line indented `indent`.
fn call_args(args: &[Expr], indent: usize, used: usize, after: usize) -> String {
    if args_fit(args, used, after) {
        return flat_args(args).unwrap_or_default();
    }
    // A single call argument overflows: `.rule(Record::new(` ... `))`, its own arguments one
    // per line, or, when its only argument is a call too, overflowing in turn:
    // `.opsgenie(OpsGenie::new(SecretFile::at(` ... `)))`.
    if let [Expr::Call(function, inner)] = args {
        let inner_args = match inner.as_slice() {
            [Expr::Call(..)] => call_args(inner, indent, used + function.len() + 1, after + 1),
            _ => one_per_line(inner, indent),
        };
        return format!("{function}({})", macro_args(function, inner_args));
    }
    one_per_line(args, indent)
}

/// A macro's arguments one per line end without a comma, as a person writes `format!(..)`
/// (rustfmt keeps a macro's trailing comma as written).
fn macro_args(function: &str, mut args: String) -> String {
    if function.ends_with('!') {
        if let Some(at) = args.rfind(",\n") {
            if args[at + 2..].trim().is_empty() {
                args.remove(at);
            }
        }
    }
    args
}

fn one_per_line(args: &[Expr], indent: usize) -> String {
    let pad = " ".repeat(indent + 4);
    let mut out = String::from("\n");
    for arg in args {
        out.push_str(&pad);
        out.push_str(&arg.render(indent + 4, indent + 4, 1));
        out.push_str(",\n");
    }
    out.push_str(&" ".repeat(indent));
    out
}

/// The body of a function returning `vec![items]`, at indentation 4, as rustfmt writes it.
pub fn vec_body(items: Vec<String>) -> String {
    let flat = items.join(", ");
    // `    vec![` and `]`.
    if flat.len() <= CALL_WIDTH && 4 + 5 + flat.len() < MAX_WIDTH {
        return format!("    vec![{flat}]\n");
    }
    let mut out = String::from("    vec![\n");
    for item in items {
        out.push_str(&format!("        {item},\n"));
    }
    out.push_str("    ]\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Layouts rustfmt 1.8 (edition 2021) gives, copied from its output.
    #[test]
    fn chains_of_one_call_and_heads_that_reach_the_edge() {
        let query = |expr: &str, legend: &str| {
            Expr::call("Query::new", vec![Expr::atom(expr)])
                .method("legend", vec![Expr::atom(legend)])
        };
        let panel = Expr::call("Stat::new", vec![Expr::atom("\"x\"")])
            .method("min", vec![Expr::atom("0.0")])
            // A chain of one call, alone in a call: on one line while the line holds it.
            .method(
                "query",
                vec![query(
                    r##"r#"sum(eje_decisions_in_flight{job=~"$job"})"#"##,
                    "\"in flight\"",
                )],
            )
            // A head that would end at column 100 breaks.
            .method(
                "query",
                vec![query(
                    r##"r#"sum by (user_type) (job_user_type:eje_requests:rate5m{job=~"$job"})"#"##,
                    "\"x\"",
                )],
            )
            .method("into", Vec::new());
        let expected = r##"Stat::new("x")
            .min(0.0)
            .query(Query::new(r#"sum(eje_decisions_in_flight{job=~"$job"})"#).legend("in flight"))
            .query(
                Query::new(
                    r#"sum by (user_type) (job_user_type:eje_requests:rate5m{job=~"$job"})"#,
                )
                .legend("x"),
            )
            .into()"##;
        assert_eq!(panel.render(8, 8, 1), expected);
    }
}
