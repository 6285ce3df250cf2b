//! Two rules against packing code to pass the function-length rule, on non-test code:
//!
//! - `bool-match`: no `match` with a `true` or `false` arm; a bool is tested with `if`.
//! - `tuple-param`: no function parameter typed as a tuple (`x: (A, B)`, `(a, b): (A, B)`,
//!   `&(A, B)`): values that travel together are a named struct, and unrelated values are
//!   separate parameters. Exempt: `()`, closures, and the methods of a trait impl, whose
//!   signature the trait dictates.

use super::report::{CheckResult, Violation};
use super::source::{is_test_only, SourceFile};
use std::path::Path;
use syn::spanned::Spanned;
use syn::visit::Visit;

/// What to do instead of a `match` on a bool.
const BOOL_MATCH_FIX: &str = "match on a bool: write if/else";
/// What to do instead of a tuple parameter.
const TUPLE_PARAM_FIX: &str = "tuple parameter: name the bundle (a struct) or split it";

/// The `bool-match` and `tuple-param` checks over every non-test file.
pub fn packing(files: &[SourceFile]) -> [CheckResult; 2] {
    let mut found = Found::default();
    for file in files.iter().filter(|file| !file.is_test) {
        found.scan(file);
    }
    found.into_results()
}

/// What the scan found: how many matches and functions it looked at, and the violations.
#[derive(Default)]
struct Found {
    matches: usize,
    bool_matches: Vec<Violation>,
    functions: usize,
    tuple_params: Vec<Violation>,
}

impl Found {
    fn scan(&mut self, file: &SourceFile) {
        // A file that does not parse is reported by the function-length check.
        if let Ok(syntax) = syn::parse_file(&file.text) {
            Scope::new(&file.path, self).visit_file(&syntax);
        }
    }

    fn into_results(self) -> [CheckResult; 2] {
        let bool_match = "no match on a bool";
        let tuple_param = "no tuple parameters";
        [
            CheckResult::new("bool-match", bool_match, self.matches, self.bool_matches),
            CheckResult::new("tuple-param", tuple_param, self.functions, self.tuple_params),
        ]
    }
}

/// The visitor: the file, the function it is in, and whether that function's signature is
/// dictated by a trait.
struct Scope<'a> {
    path: &'a Path,
    function: String,
    in_trait_impl: bool,
    found: &'a mut Found,
}

impl<'a> Scope<'a> {
    fn new(path: &'a Path, found: &'a mut Found) -> Self {
        Scope { path, function: "item".to_owned(), in_trait_impl: false, found }
    }

    /// Checks a signature's parameters (unless a trait dictates it), then walks the body
    /// as `function`.
    fn enter_fn(&mut self, sig: &syn::Signature, walk: impl FnOnce(&mut Self)) {
        if !self.in_trait_impl {
            self.check_params(sig);
        }
        let outer = std::mem::replace(&mut self.function, sig.ident.to_string());
        let trait_impl = std::mem::replace(&mut self.in_trait_impl, false);
        walk(self);
        self.function = outer;
        self.in_trait_impl = trait_impl;
    }

    fn check_params(&mut self, sig: &syn::Signature) {
        self.found.functions += 1;
        let name = sig.ident.to_string();
        for param in sig.inputs.iter().filter(|input| is_tuple_param(input)) {
            let line = param.span().start().line;
            self.found.tuple_params.push(Violation::new(self.path, line, &name, TUPLE_PARAM_FIX));
        }
    }

    fn check_match(&mut self, expr: &syn::ExprMatch) {
        self.found.matches += 1;
        if expr.arms.iter().any(|arm| is_bool_literal(&arm.pat)) {
            let line = expr.match_token.span.start().line;
            let found = Violation::new(self.path, line, &self.function, BOOL_MATCH_FIX);
            self.found.bool_matches.push(found);
        }
    }
}

/// Whether a parameter (not `self`) is typed as a tuple.
fn is_tuple_param(input: &syn::FnArg) -> bool {
    matches!(input, syn::FnArg::Typed(typed) if is_tuple(&typed.ty))
}

/// Whether a type is a non-empty tuple, behind references and parentheses too.
fn is_tuple(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Tuple(tuple) => !tuple.elems.is_empty(),
        syn::Type::Reference(reference) => is_tuple(&reference.elem),
        syn::Type::Paren(inner) => is_tuple(&inner.elem),
        syn::Type::Group(inner) => is_tuple(&inner.elem),
        _ => false,
    }
}

/// Whether a match arm's pattern is `true` or `false` (alone or in an or-pattern).
fn is_bool_literal(pattern: &syn::Pat) -> bool {
    match pattern {
        syn::Pat::Lit(literal) => matches!(literal.lit, syn::Lit::Bool(_)),
        syn::Pat::Or(or) => or.cases.iter().any(is_bool_literal),
        _ => false,
    }
}

impl<'ast> Visit<'ast> for Scope<'_> {
    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        if !is_test_only(&item.attrs) {
            self.enter_fn(&item.sig, |scope| syn::visit::visit_item_fn(scope, item));
        }
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        if !is_test_only(&item.attrs) {
            self.enter_fn(&item.sig, |scope| syn::visit::visit_impl_item_fn(scope, item));
        }
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        if !is_test_only(&item.attrs) {
            self.enter_fn(&item.sig, |scope| syn::visit::visit_trait_item_fn(scope, item));
        }
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        if !is_test_only(&item.attrs) {
            let outer = std::mem::replace(&mut self.in_trait_impl, item.trait_.is_some());
            syn::visit::visit_item_impl(self, item);
            self.in_trait_impl = outer;
        }
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        if !is_test_only(&item.attrs) {
            syn::visit::visit_item_mod(self, item);
        }
    }

    fn visit_expr_match(&mut self, expr: &'ast syn::ExprMatch) {
        self.check_match(expr);
        syn::visit::visit_expr_match(self, expr);
    }
}
