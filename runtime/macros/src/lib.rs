//! Attribute macros of `eje-runtime`; use them through `eje_runtime::{track_critic, trace_decision}`.
//!
//! Both macros keep the function's signature and wrap its body, sync or async, in a call to the
//! runtime: `#[track_critic("bias_critic")]` becomes `CriticHandle::track` (or `track_future`),
//! `#[trace_decision("main_pipeline")]` becomes `Runtime::decide` (or `decide_future`). The handle
//! is bound once per function, in a `static`, from `eje_runtime::global()`.
//!
//! Architecture Invariant: the expansion names only `::eje_runtime` paths and `std`, so the
//! macros work wherever `eje-runtime` is a dependency and nothing else is.

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{quote, ToTokens};
use syn::parse::{Parse, ParseStream};
use syn::{parse_macro_input, Ident, ItemFn, LitStr, ReturnType, Token};

/// The macro's one argument: `"name"` or `key = "name"` (`critic_name = "bias_critic"`, as in the
/// seed's Python decorator).
struct NameArg(LitStr);

impl Parse for NameArg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            input.parse::<Option<Token![,]>>()?;
            return Ok(NameArg(lit));
        }
        let key: Ident = input.parse()?;
        input.parse::<Token![=]>()?;
        let lit: LitStr = input.parse()?;
        input.parse::<Option<Token![,]>>()?;
        if !matches!(
            key.to_string().as_str(),
            "critic_name" | "name" | "pipeline"
        ) {
            return Err(syn::Error::new(
                key.span(),
                format!("unknown argument `{key}`, expected a string literal or `name = \"...\"`"),
            ));
        }
        Ok(NameArg(lit))
    }
}

/// Records every call of the function as a call of the critic `name`: count, latency, failure
/// (an `Err` or a panic) and the verdict returned. The return type implements
/// `eje_runtime::HasVerdict`. Works on sync and async fns and methods.
///
/// ```text
/// #[eje_runtime::track_critic("bias_critic")]
/// fn evaluate_bias(text: &str) -> Result<CriticOutput, MyError> { ... }
/// ```
#[proc_macro_attribute]
pub fn track_critic(attr: TokenStream, item: TokenStream) -> TokenStream {
    let NameArg(name) = parse_macro_input!(attr as NameArg);
    let function = parse_macro_input!(item as ItemFn);
    if name.value().is_empty() {
        return syn::Error::new(name.span(), "a critic needs a non-empty name")
            .to_compile_error()
            .into();
    }
    let handle = quote! {
        {
            static __EJE_CRITIC: ::std::sync::OnceLock<::eje_runtime::CriticHandle> =
                ::std::sync::OnceLock::new();
            __EJE_CRITIC.get_or_init(|| ::eje_runtime::global().critic(#name))
        }
    };
    wrap(function, |body, is_async| {
        if is_async {
            quote! { #handle.track_future(async move #body).await }
        } else {
            quote! { #handle.track(move || #body) }
        }
    })
}

/// Runs the function as one decision of the pipeline `name`: a `decision` span that the critic
/// calls inside it are children of, and the decision metrics (count by verdict and status,
/// latency, in-flight). The return type implements `eje_runtime::HasVerdict`.
///
/// ```text
/// #[eje_runtime::trace_decision("main_pipeline")]
/// fn process_request(data: &Request) -> Verdict { ... }
/// ```
#[proc_macro_attribute]
pub fn trace_decision(attr: TokenStream, item: TokenStream) -> TokenStream {
    let NameArg(name) = parse_macro_input!(attr as NameArg);
    let function = parse_macro_input!(item as ItemFn);
    wrap(function, |body, is_async| {
        if is_async {
            quote! { ::eje_runtime::global().decide_future(#name, async move #body).await }
        } else {
            quote! { ::eje_runtime::global().decide(#name, move || #body) }
        }
    })
}

/// Replaces the body of `function` by `call(typed_body, is_async)`. The body is put in a block
/// whose value is bound with the declared return type, so `?` and `return` inside it know their
/// type (the way async-trait does it); with `impl Trait` in return position there is no type to
/// write, and the body is left as is.
fn wrap(
    mut function: ItemFn,
    call: impl FnOnce(TokenStream2, bool) -> TokenStream2,
) -> TokenStream {
    let is_async = function.sig.asyncness.is_some();
    let block = &function.block;
    let typed = match &function.sig.output {
        ReturnType::Type(_, ty) if !mentions_impl(ty.to_token_stream()) => {
            let ret = Ident::new("__eje_ret", Span::mixed_site());
            quote! {{
                #[allow(unreachable_code, clippy::diverging_sub_expression)]
                let #ret: #ty = #block;
                #[allow(unreachable_code, clippy::let_and_return)]
                #ret
            }}
        }
        _ => block.to_token_stream(),
    };
    let new_body = call(typed, is_async);
    function.block = Box::new(syn::parse_quote!({ #new_body }));
    function.into_token_stream().into()
}

fn mentions_impl(tokens: TokenStream2) -> bool {
    tokens.into_iter().any(|token| match token {
        proc_macro2::TokenTree::Ident(ident) => ident == "impl",
        proc_macro2::TokenTree::Group(group) => mentions_impl(group.stream()),
        _ => false,
    })
}
