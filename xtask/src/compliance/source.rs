//! Finding the workspace's Rust sources and telling test code from library code.
//!
//! Test code is exempt from the function-length rule: files under a `tests/` or `benches/`
//! directory, and files of modules declared `#[cfg(test)] mod name;` (with everything
//! below them).

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

/// Directories never scanned (`vendor`: third-party crates patched for us, kept as their
/// authors wrote them but for the patch).
const SKIPPED_DIRS: &[&str] = &["target", ".git", "node_modules", "vendor"];

/// One Rust source file of the workspace.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path, relative to the workspace root.
    pub path: PathBuf,
    /// The whole text.
    pub text: String,
    /// Whether the file is test code (exempt from the function-length rule).
    pub is_test: bool,
    /// Whether the file is a crate root (`src/lib.rs` or `src/main.rs` beside a manifest).
    pub is_crate_root: bool,
}

impl SourceFile {
    /// A source from its relative path and text, classified by its path alone.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        let path = path.into();
        let is_test = in_test_directory(&path);
        SourceFile { path, text: text.into(), is_test, is_crate_root: false }
    }
}

/// Reads every `.rs` file under `root`, classified.
pub fn discover(root: &Path) -> io::Result<Vec<SourceFile>> {
    let mut paths = Vec::new();
    collect(root, &mut paths)?;
    paths.sort();
    let mut files = paths.iter().map(|path| load(root, path)).collect::<io::Result<Vec<_>>>()?;
    TestFiles::mark(&mut files);
    Ok(files)
}

fn collect(dir: &Path, paths: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        visit(entry?.path(), paths)?;
    }
    Ok(())
}

fn visit(path: PathBuf, paths: &mut Vec<PathBuf>) -> io::Result<()> {
    let skipped = path.file_name().is_some_and(|name| SKIPPED_DIRS.iter().any(|dir| name == *dir));
    if path.is_dir() && !skipped {
        return collect(&path, paths);
    }
    if path.extension().is_some_and(|extension| extension == "rs") {
        paths.push(path);
    }
    Ok(())
}

fn load(root: &Path, path: &Path) -> io::Result<SourceFile> {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let mut file = SourceFile::new(relative, std::fs::read_to_string(path)?);
    file.is_crate_root = is_crate_root(path);
    Ok(file)
}

fn is_crate_root(path: &Path) -> bool {
    let named_root = path.ends_with("src/lib.rs") || path.ends_with("src/main.rs");
    let package_dir = path.parent().and_then(Path::parent);
    named_root && package_dir.is_some_and(|dir| dir.join("Cargo.toml").is_file())
}

fn in_test_directory(path: &Path) -> bool {
    let parent = path.parent().unwrap_or(Path::new(""));
    parent.components().any(|part| matches!(part.as_os_str().to_str(), Some("tests" | "benches")))
}

/// The module directories whose files are test code.
#[derive(Debug, Default)]
pub struct TestFiles {
    dirs: BTreeSet<PathBuf>,
    files: BTreeSet<PathBuf>,
}

impl TestFiles {
    /// Marks as test code every file declared by a `#[cfg(test)] mod name;`, and below it.
    pub fn mark(files: &mut [SourceFile]) {
        let mut tests = TestFiles::default();
        files.iter().for_each(|file| tests.add_declared_by(file));
        files.iter_mut().for_each(|file| file.is_test |= tests.contains(&file.path));
    }

    fn add_declared_by(&mut self, file: &SourceFile) {
        let Ok(syntax) = syn::parse_file(&file.text) else {
            return;
        };
        let dir = module_dir(&file.path);
        for name in cfg_test_module_declarations(&syntax) {
            self.files.insert(dir.join(format!("{name}.rs")));
            self.dirs.insert(dir.join(&name));
        }
    }

    fn contains(&self, path: &Path) -> bool {
        self.files.contains(path) || self.dirs.iter().any(|dir| path.starts_with(dir))
    }
}

/// The directory holding the child modules of the module in `path`.
pub fn module_dir(path: &Path) -> PathBuf {
    let parent = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let stem = path.file_stem().and_then(|stem| stem.to_str()).unwrap_or_default();
    match stem {
        "lib" | "main" | "mod" => parent,
        _ => parent.join(stem),
    }
}

fn cfg_test_module_declarations(syntax: &syn::File) -> Vec<String> {
    let declared = syntax.items.iter().filter_map(|item| match item {
        syn::Item::Mod(module) if module.content.is_none() && is_test_only(&module.attrs) => {
            Some(module.ident.to_string())
        }
        _ => None,
    });
    declared.collect()
}

/// Whether attributes mark an item as test-only: `#[cfg(test)]`, or a `#[test]`-like attribute.
pub fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        let last = attr.path().segments.last().map(|segment| segment.ident.to_string());
        let cfg_test = attr.path().is_ident("cfg")
            && attr.parse_args::<syn::Ident>().is_ok_and(|ident| ident == "test");
        cfg_test || last.as_deref() == Some("test")
    })
}
