//! Tuple packings: `let (a, b) = (x, y);` binds N names from a tuple of N expressions on one
//! line, so the function-length rule counts such a `let` as N lines (at least as many lines
//! as it binds names), the lines one `let` per name would take.

use syn::visit::Visit;

/// The tuple packings of a file: where each starts and the lines it adds to the count.
#[derive(Debug, Default)]
pub struct PackedLets(Vec<PackedLet>);

/// One packing: its `let` line and the lines it adds (names bound minus lines written).
#[derive(Debug)]
struct PackedLet {
    line: usize,
    extra: usize,
}

impl PackedLets {
    /// Every tuple packing in `syntax`.
    pub fn of(syntax: &syn::File) -> Self {
        let mut packed = PackedLets::default();
        packed.visit_file(syntax);
        packed
    }

    /// The lines added by the packings that start strictly between two 1-based lines.
    pub fn extra_between(&self, open: usize, close: usize) -> usize {
        let inside = self.0.iter().filter(|packed| open < packed.line && packed.line < close);
        inside.map(|packed| packed.extra).sum()
    }
}

impl<'ast> Visit<'ast> for PackedLets {
    fn visit_local(&mut self, local: &'ast syn::Local) {
        if let Some(names) = packed_names(local) {
            let line = local.let_token.span.start().line;
            let written = local.semi_token.spans[0].start().line + 1 - line;
            self.0.push(PackedLet { line, extra: names.saturating_sub(written) });
        }
        syn::visit::visit_local(self, local);
    }
}

/// How many names a `let` binds when it binds them from a tuple expression with as many
/// elements as its tuple pattern (`let (a, (b, c)) = (x, (y, z));` binds 3); `None` for
/// any other `let`.
fn packed_names(local: &syn::Local) -> Option<usize> {
    let syn::Expr::Tuple(tuple) = local.init.as_ref()?.expr.as_ref() else { return None };
    let pattern = match &local.pat {
        syn::Pat::Type(typed) => typed.pat.as_ref(),
        untyped => untyped,
    };
    let syn::Pat::Tuple(pattern) = pattern else { return None };
    (pattern.elems.len() == tuple.elems.len()).then(|| names_in(&local.pat))
}

/// How many names a pattern binds: `_` and `..` none, nested tuples the sum of theirs.
fn names_in(pattern: &syn::Pat) -> usize {
    match pattern {
        syn::Pat::Tuple(tuple) => tuple.elems.iter().map(names_in).sum(),
        syn::Pat::Type(typed) => names_in(&typed.pat),
        syn::Pat::Paren(inner) => names_in(&inner.pat),
        syn::Pat::Reference(inner) => names_in(&inner.pat),
        syn::Pat::Wild(_) | syn::Pat::Rest(_) => 0,
        _ => 1,
    }
}
