//! The function-length rule: every non-test function body holds at most
//! [`MAX_FN_LINES`] lines of code.
//!
//! A body runs from its block's opening brace line to its closing brace line; the lines
//! strictly inside are counted, minus blank and comment lines. Closures and nested items
//! count toward the function that holds them. Items marked `#[cfg(test)]` or `#[test]` are
//! skipped. A `let` binding N names from a tuple of N expressions counts as N lines
//! ([`PackedLets`]).

use super::lines::{code_lines, count_between};
use super::packed_let::PackedLets;
use super::report::{CheckResult, Violation};
use super::source::{is_test_only, SourceFile};
use super::MAX_FN_LINES;
use syn::visit::Visit;

/// Checks every function in non-test files.
pub fn function_length(files: &[SourceFile]) -> CheckResult {
    let mut result = CheckResult::new("fn-length", "function length <= 8 lines", 0, Vec::new());
    files.iter().filter(|file| !file.is_test).for_each(|file| scan_file(file, &mut result));
    result
}

fn scan_file(file: &SourceFile, result: &mut CheckResult) {
    match syn::parse_file(&file.text) {
        Ok(syntax) => FnVisitor::new(file, &syntax, result).visit_file(&syntax),
        Err(error) => {
            result.violations.push(Violation::new(&file.path, 1, "file", error.to_string()))
        }
    }
}

struct FnVisitor<'a> {
    file: &'a SourceFile,
    code: Vec<bool>,
    packed: PackedLets,
    result: &'a mut CheckResult,
}

impl<'a> FnVisitor<'a> {
    fn new(file: &'a SourceFile, syntax: &syn::File, result: &'a mut CheckResult) -> Self {
        FnVisitor { file, code: code_lines(&file.text), packed: PackedLets::of(syntax), result }
    }

    fn measure(&mut self, name: &syn::Ident, block: &syn::Block) {
        let open = block.brace_token.span.open().start().line;
        let close = block.brace_token.span.close().start().line;
        let lines = count_between(&self.code, open, close) + self.packed.extra_between(open, close);
        self.result.scanned += 1;
        if lines > MAX_FN_LINES {
            self.report(name, lines);
        }
    }

    fn report(&mut self, name: &syn::Ident, lines: usize) {
        let line = name.span().start().line;
        let found =
            Violation::new(&self.file.path, line, name.to_string(), format!("{lines} lines"));
        self.result.violations.push(found);
    }
}

impl<'ast> Visit<'ast> for FnVisitor<'_> {
    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        if !is_test_only(&item.attrs) {
            self.measure(&item.sig.ident, &item.block);
            syn::visit::visit_item_fn(self, item);
        }
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        if !is_test_only(&item.attrs) {
            self.measure(&item.sig.ident, &item.block);
            syn::visit::visit_impl_item_fn(self, item);
        }
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        if let Some(block) = item.default.as_ref().filter(|_| !is_test_only(&item.attrs)) {
            self.measure(&item.sig.ident, block);
        }
        syn::visit::visit_trait_item_fn(self, item);
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        if !is_test_only(&item.attrs) {
            syn::visit::visit_item_mod(self, item);
        }
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        if !is_test_only(&item.attrs) {
            syn::visit::visit_item_impl(self, item);
        }
    }
}
