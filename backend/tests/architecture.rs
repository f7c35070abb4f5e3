//! The import picture stays as the README draws it: layers that only import downwards, and
//! no import circles between modules or between the files of a module.
//!
//! Every `crate::…`, `super::…` and `self::…` path in `src/` (use declarations and paths in
//! code, test code included) is resolved to the module file it names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// Top-level modules from the bottom layer up; a module may import its own layer or lower.
const LAYERS: &[&[&str]] = &[
    &["config", "thai", "stats", "telemetry"],
    &["report", "eval", "outcome", "dataset", "rules"],
    &["providers", "datadog"],
    &["runner", "store"],
    &["service"],
    &["api", "cli", "server", "fuzzing"],
];

type ModPath = Vec<String>;

/// A source file and the module path it defines.
struct SourceFile {
    path: PathBuf,
    module: ModPath,
}

fn source_files(dir: &Path, module: &ModPath, out: &mut Vec<SourceFile>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read src")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            if module.is_empty() && name == "bin" {
                continue; // separate crates
            }
            let mut m = module.clone();
            m.push(name);
            source_files(&path, &m, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let mut m = module.clone();
            match (module.is_empty(), name.as_str()) {
                (true, "lib" | "main") => continue,
                (_, "mod") => {}
                _ => m.push(name),
            }
            out.push(SourceFile { path, module: m });
        }
    }
}

/// Collects the absolute module paths a file refers to.
struct Refs {
    /// Module path of the scope being visited (inline `mod x { … }` nests it).
    scope: ModPath,
    found: Vec<ModPath>,
}

impl Refs {
    fn resolve(&self, segments: &[String]) -> Option<ModPath> {
        let (first, rest) = segments.split_first()?;
        let mut base = match first.as_str() {
            "crate" => Vec::new(),
            "self" => self.scope.clone(),
            "super" => {
                let mut b = self.scope.clone();
                b.pop();
                b
            }
            _ => return None,
        };
        let mut rest = rest;
        while let Some((s, tail)) = rest.split_first() {
            if s != "super" {
                break;
            }
            base.pop();
            rest = tail;
        }
        base.extend(rest.iter().cloned());
        Some(base)
    }

    fn record(&mut self, segments: Vec<String>) {
        if let Some(p) = self.resolve(&segments) {
            self.found.push(p);
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let mut full = prefix.clone();
                if n.ident != "self" {
                    full.push(n.ident.to_string());
                }
                self.record(full);
            }
            syn::UseTree::Rename(r) => {
                let mut full = prefix.clone();
                full.push(r.ident.to_string());
                self.record(full);
            }
            syn::UseTree::Glob(_) => self.record(prefix.clone()),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(prefix, t);
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for Refs {
    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &u.tree);
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        let segments: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
        self.record(segments);
        syn::visit::visit_path(self, p);
    }

    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        self.scope.push(m.ident.to_string());
        syn::visit::visit_item_mod(self, m);
        self.scope.pop();
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        // Paths inside macro calls (format!, assert!, json!, view!…) are tokens: parse what
        // parses as expressions, so `crate::x::y(…)` inside `assert!(…)` still counts.
        if let Ok(args) = m.parse_body_with(
            syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
        ) {
            for e in &args {
                self.visit_expr(e);
            }
        }
        syn::visit::visit_macro(self, m);
    }
}

struct Graph {
    files: BTreeSet<ModPath>,
    /// file → files it imports (resolved to the deepest file module of each path).
    edges: BTreeMap<ModPath, BTreeSet<ModPath>>,
}

fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sources = Vec::new();
    source_files(&src, &Vec::new(), &mut sources);
    let files: BTreeSet<ModPath> = sources.iter().map(|s| s.module.clone()).collect();
    let mut edges: BTreeMap<ModPath, BTreeSet<ModPath>> = BTreeMap::new();
    for s in &sources {
        let text = std::fs::read_to_string(&s.path).expect("read source");
        let ast = syn::parse_file(&text)
            .unwrap_or_else(|e| panic!("{} does not parse: {e}", s.path.display()));
        let mut refs = Refs {
            scope: s.module.clone(),
            found: Vec::new(),
        };
        refs.visit_file(&ast);
        let targets = edges.entry(s.module.clone()).or_default();
        for p in refs.found {
            // The deepest prefix of the path that is a file of its own.
            let target = (1..=p.len())
                .rev()
                .map(|n| p[..n].to_vec())
                .find(|prefix| files.contains(prefix));
            if let Some(t) = target {
                if t != s.module {
                    targets.insert(t);
                }
            }
        }
    }
    Graph { files, edges }
}

fn layer_of(module: &str) -> usize {
    LAYERS
        .iter()
        .position(|l| l.contains(&module))
        .unwrap_or_else(|| panic!("top-level module `{module}` is in no layer of LAYERS"))
}

/// A cycle in `edges`, if any, as the list of its nodes.
fn find_cycle<N: Ord + Clone>(edges: &BTreeMap<N, BTreeSet<N>>) -> Option<Vec<N>> {
    fn dfs<N: Ord + Clone>(
        n: &N,
        edges: &BTreeMap<N, BTreeSet<N>>,
        state: &mut BTreeMap<N, u8>,
        stack: &mut Vec<N>,
    ) -> Option<Vec<N>> {
        state.insert(n.clone(), 1);
        stack.push(n.clone());
        for m in edges.get(n).into_iter().flatten() {
            match state.get(m).copied().unwrap_or(0) {
                1 => {
                    let start = stack.iter().position(|x| x == m).unwrap_or(0);
                    let mut cycle = stack[start..].to_vec();
                    cycle.push(m.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = dfs(m, edges, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.clone(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in edges.keys() {
        if state.get(n).copied().unwrap_or(0) == 0 {
            if let Some(c) = dfs(n, edges, &mut state, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn layers_only_import_downwards() {
    let g = graph();
    let mut wrong = Vec::new();
    for (from, targets) in &g.edges {
        for to in targets {
            let (a, b) = (&from[0], &to[0]);
            if a != b && layer_of(b) > layer_of(a) {
                wrong.push(format!("{} imports {}", from.join("/"), to.join("/")));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports that point up:\n{}",
        wrong.join("\n")
    );
    // The rule, spelled out: the run path never reaches the HTTP service.
    for (from, targets) in &g.edges {
        if ["store", "providers", "runner"].contains(&from[0].as_str()) {
            for to in targets {
                assert!(
                    !["service", "api", "server"].contains(&to[0].as_str()),
                    "{} imports {}",
                    from.join("/"),
                    to.join("/")
                );
            }
        }
    }
}

#[test]
fn no_import_circles_between_modules() {
    let g = graph();
    let mut top: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, targets) in &g.edges {
        for to in targets {
            if from[0] != to[0] {
                top.entry(from[0].clone())
                    .or_default()
                    .insert(to[0].clone());
            }
        }
    }
    assert_eq!(find_cycle(&top), None, "a circle between top-level modules");
}

#[test]
fn no_import_circles_between_the_files_of_a_module() {
    let g = graph();
    // A module's root file re-exports its children, which may use those re-exports: edges
    // between a file and its own ancestors are the module's facade, not circles.
    let mut edges: BTreeMap<ModPath, BTreeSet<ModPath>> = BTreeMap::new();
    for (from, targets) in &g.edges {
        for to in targets {
            let related = from.starts_with(to) || to.starts_with(from);
            if from[0] == to[0] && !related {
                edges.entry(from.clone()).or_default().insert(to.clone());
            }
        }
    }
    let cycle = find_cycle(&edges).map(|c| c.iter().map(|m| m.join("/")).collect::<Vec<_>>());
    assert_eq!(cycle, None, "a circle between files");
}

#[test]
fn the_checks_see_real_imports() {
    // Guards the guard: if parsing or resolution broke, the tests above would pass on an
    // empty graph.
    let g = graph();
    assert!(g.files.len() > 80, "{} files", g.files.len());
    let has = |from: &str, to: &str| {
        let from: ModPath = from.split('/').map(str::to_string).collect();
        let to: ModPath = to.split('/').map(str::to_string).collect();
        g.edges.get(&from).is_some_and(|t| t.contains(&to))
    };
    assert!(has("service/execute", "runner"), "use crate::runner::{{…}}");
    assert!(
        has("runner/trial", "outcome"),
        "use crate::outcome::RecordOutcome"
    );
    assert!(
        has("dataset/render", "dataset/layout"),
        "use super::layout::…"
    );
    assert!(
        has("api/tasks", "service/status"),
        "use crate::service::status::RunUpdate"
    );
    let mut cyclic = BTreeMap::new();
    cyclic.insert("a", BTreeSet::from(["b"]));
    cyclic.insert("b", BTreeSet::from(["a"]));
    assert!(find_cycle(&cyclic).is_some());
}
