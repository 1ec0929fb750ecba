//! The AlertManager DSL: global settings, the route tree, receivers, inhibit rules, time
//! intervals and notification templates, as typed values.
//!
//! Like the rule DSL, nothing here validates: [`lower`] checks everything at once against what
//! AlertManager 0.25 itself rejects (and more: routes that can never match, receivers no route
//! uses, alerts that reach only the catch-all, inhibit rules on labels no alert carries) and
//! reports each fault at the Rust line that declared it.
//!
//! Secrets (the Slack webhook URL, PagerDuty keys, the SMTP password, a webhook's or Webex's
//! bearer token, OpsGenie and VictorOps API keys) are only ever a [`SecretFile`]: a path to a file AlertManager reads at start-up. There is no
//! constructor that takes a secret's value, so a secret cannot end up in `generated/`.
//!
//! [`route`] is the routing engine (`amtool config routes test`, in Rust), and the emitter is
//! [`crate::alertmanager::emit`].

pub mod checks;
pub mod codes;
pub mod dsl;
pub mod emit;
pub mod file;
pub mod ir;
pub mod lower;
pub mod route;
pub mod schema;

pub use dsl::*;
pub use ir::Config;
