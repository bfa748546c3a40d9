//! A YAML document as a tree of nodes that remember where they stand in the source.
//!
//! The review decoder works on this tree rather than on serde so that it can report every
//! problem of a file in one run, keep scalars exactly as written (`version: 2.10` stays
//! "2.10"), and point each finding at the line and column of the value.

use crate::diag::{Diagnostic, Pos};
use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use std::collections::HashMap;

/// Guards against alias bombs ("billion laughs"): no review needs this many nodes.
const MAX_NODES: usize = 2_000_000;
/// Guards against stack exhaustion on pathological nesting.
const MAX_DEPTH: usize = 128;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    /// The scalar's text, and whether it was written plain (only plain scalars can be
    /// `null`, booleans or numbers).
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub at: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_at: Pos,
    pub value: Node,
}

impl Node {
    pub fn kind(&self) -> &'static str {
        match &self.value {
            Value::Null => "null",
            Value::Scalar { .. } => "a scalar",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

fn pos(span: &Span) -> Pos {
    let len =
        if span.end.line() == span.start.line() { span.end.col().saturating_sub(span.start.col()).max(1) } else { 1 };
    Pos { line: span.start.line() as u32, column: span.start.col() as u32 + 1, len: len as u32 }
}

fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// Parses one YAML document. A syntax error stops the parse (what follows one is
/// unreliable) and no tree is returned; structural problems such as duplicate keys are
/// collected beside the tree, so that the decoder can report its own problems too.
pub fn parse(src: &str) -> (Option<Node>, Vec<Diagnostic>) {
    let mut b =
        Builder { parser: Parser::new_from_str(src), anchors: HashMap::new(), nodes: 0, errors: Vec::new(), src };
    match b.document() {
        Ok(node) => (Some(node), b.errors),
        Err(e) => {
            b.errors.push(e);
            (None, b.errors)
        }
    }
}

struct Builder<'a> {
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
    anchors: HashMap<usize, Node>,
    nodes: usize,
    errors: Vec<Diagnostic>,
    src: &'a str,
}

impl<'a> Builder<'a> {
    fn next(&mut self) -> Result<(Event<'a>, Span), Diagnostic> {
        match self.parser.next_event() {
            Some(Ok(ev)) => Ok(ev),
            Some(Err(e)) => {
                let m = e.marker();
                let mut d = Diagnostic::new(
                    format!("invalid YAML: {}", e.info()),
                    Pos { line: m.line() as u32, column: m.col() as u32 + 1, len: 1 },
                );
                if let Some(line) = self.src.lines().nth(m.line().saturating_sub(1))
                    && (line.contains(": @") || line.trim_start().starts_with("- @"))
                {
                    d = d.with_hint("a handle must be quoted in YAML: write \"@name\", not @name");
                }
                Err(d)
            }
            None => Err(Diagnostic::new("unexpected end of YAML", Pos::START)),
        }
    }

    fn document(&mut self) -> Result<Node, Diagnostic> {
        let mut root = None;
        loop {
            let (ev, span) = self.next()?;
            match ev {
                Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
                Event::DocumentStart(_) => {
                    if root.is_some() {
                        return Err(Diagnostic::new(
                            "a review file holds one YAML document; a second one starts here",
                            pos(&span),
                        ));
                    }
                    root = Some(self.node(0)?);
                }
                Event::StreamEnd => break,
                _ => return Err(Diagnostic::new("unexpected YAML event", pos(&span))),
            }
        }
        root.ok_or_else(|| Diagnostic::new("the file is empty", Pos::START))
    }

    fn count(&mut self, at: Pos) -> Result<(), Diagnostic> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(Diagnostic::new(format!("the document has more than {MAX_NODES} nodes (aliases expand)"), at));
        }
        Ok(())
    }

    fn node(&mut self, depth: usize) -> Result<Node, Diagnostic> {
        let (ev, span) = self.next()?;
        self.node_from(ev, span, depth)
    }

    fn node_from(&mut self, ev: Event<'a>, span: Span, depth: usize) -> Result<Node, Diagnostic> {
        let at = pos(&span);
        if depth > MAX_DEPTH {
            return Err(Diagnostic::new(format!("nesting deeper than {MAX_DEPTH} levels"), at));
        }
        self.count(at)?;
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                // `!!str 0.5` is text, as if quoted; other tags change nothing here.
                let plain = style == ScalarStyle::Plain && tag.as_ref().is_none_or(|t| t.suffix != "str");
                let value = if plain && is_null(&text) {
                    Value::Null
                } else {
                    Value::Scalar { text: text.into_owned(), plain }
                };
                let node = Node { value, at };
                self.remember(anchor, &node);
                Ok(node)
            }
            Event::Alias(id) => match self.anchors.get(&id) {
                Some(n) => {
                    let n = n.clone();
                    self.nodes += approx_size(&n);
                    self.count(at)?;
                    Ok(Node { value: n.value, at })
                }
                None => Err(Diagnostic::new("alias to an unknown anchor", at)),
            },
            Event::SequenceStart(anchor, _) => {
                let mut items = Vec::new();
                loop {
                    let (ev, span) = self.next()?;
                    if matches!(ev, Event::SequenceEnd) {
                        break;
                    }
                    items.push(self.node_from(ev, span, depth + 1)?);
                }
                let node = Node { value: Value::Seq(items), at };
                self.remember(anchor, &node);
                Ok(node)
            }
            Event::MappingStart(anchor, _) => {
                let mut entries: Vec<Entry> = Vec::new();
                loop {
                    let (ev, span) = self.next()?;
                    if matches!(ev, Event::MappingEnd) {
                        break;
                    }
                    let key = self.node_from(ev, span, depth + 1)?;
                    let value = self.node(depth + 1)?;
                    let key_text = match key.value {
                        Value::Scalar { text, .. } => text,
                        Value::Null => String::new(),
                        _ => {
                            self.errors
                                .push(Diagnostic::new("a key must be a plain word, not a list or mapping", key.at));
                            continue;
                        }
                    };
                    if let Some(first) = entries.iter().find(|e| e.key == key_text) {
                        self.errors.push(Diagnostic::new(
                            format!("duplicate key `{key_text}` (first set on line {})", first.key_at.line),
                            key.at,
                        ));
                        continue;
                    }
                    entries.push(Entry { key: key_text, key_at: key.at, value });
                }
                let node = Node { value: Value::Map(entries), at };
                self.remember(anchor, &node);
                Ok(node)
            }
            _ => Err(Diagnostic::new("unexpected YAML event", at)),
        }
    }

    fn remember(&mut self, anchor: usize, node: &Node) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
    }
}

fn approx_size(n: &Node) -> usize {
    match &n.value {
        Value::Seq(items) => 1 + items.iter().map(approx_size).sum::<usize>(),
        Value::Map(entries) => 1 + entries.iter().map(|e| 1 + approx_size(&e.value)).sum::<usize>(),
        _ => 1,
    }
}

/// The tree as JSON, typing plain scalars by YAML 1.2's core schema (`true`, `12`, `0.5`);
/// quoted scalars stay strings. The server takes reviews as JSON too, and the schema tests
/// validate this form.
pub fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &node.value {
        Value::Null => J::Null,
        Value::Scalar { text, plain: false } => J::String(text.clone()),
        Value::Scalar { text, plain: true } => match text.as_str() {
            "true" => J::Bool(true),
            "false" => J::Bool(false),
            t => {
                // A number keeps the text it was written with (`2.10` stays `2.10`) where JSON
                // can spell it; YAML-only spellings (`.5`, `+1`) become their value.
                if let Ok(n) = serde_json::from_str::<serde_json::Number>(t) {
                    J::Number(n)
                } else if let Some(n) =
                    t.parse::<f64>().ok().filter(|f| f.is_finite()).and_then(serde_json::Number::from_f64)
                {
                    J::Number(n)
                } else {
                    J::String(t.to_string())
                }
            }
        },
        Value::Seq(items) => J::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => J::Object(entries.iter().map(|e| (e.key.clone(), to_json(&e.value))).collect()),
    }
}

/// Writes a JSON value as block-style YAML that [`parse`] and [`to_json`] read back to the
/// same value: strings double-quoted, numbers as their text, keys in their order. The server
/// stores reviews in this form, so the lines its verdict names are lines of a file a person
/// can download and read.
pub fn emit(value: &serde_json::Value) -> String {
    let mut out = String::new();
    match value {
        serde_json::Value::Object(m) if !m.is_empty() => emit_map_after_first_pad(m, 0, &mut out),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    out
}

fn scalar(v: &serde_json::Value) -> String {
    use serde_json::Value as J;
    match v {
        J::Null => "null".into(),
        J::Bool(b) => b.to_string(),
        J::Number(n) => n.to_string(),
        J::String(s) => serde_json::to_string(s).expect("a string serializes"),
        J::Array(a) if a.is_empty() => "[]".into(),
        J::Object(o) if o.is_empty() => "{}".into(),
        _ => String::new(),
    }
}

fn key(k: &str) -> String {
    let plain =
        !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') && !k.starts_with('-');
    if plain { k.to_string() } else { serde_json::to_string(k).expect("a string serializes") }
}

fn emit_value(v: &serde_json::Value, indent: usize, out: &mut String) {
    match v {
        serde_json::Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            let pad = " ".repeat(indent);
            out.push_str(&pad);
            emit_map_after_first_pad(m, indent, out);
        }
        serde_json::Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            emit_seq(a, indent, out);
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

fn emit_map_after_first_pad(m: &serde_json::Map<String, serde_json::Value>, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    for (i, (k, v)) in m.iter().enumerate() {
        if i > 0 {
            out.push_str(&pad);
        }
        out.push_str(&key(k));
        out.push(':');
        emit_value(v, indent + 2, out);
    }
}

fn emit_seq(a: &[serde_json::Value], indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    for item in a {
        out.push_str(&pad);
        out.push_str("- ");
        match item {
            serde_json::Value::Object(m) if !m.is_empty() => emit_map_after_first_pad(m, indent + 2, out),
            serde_json::Value::Array(inner) if !inner.is_empty() => {
                // A list in a list: its items on the following lines, deeper.
                out.push('\n');
                emit_seq(inner, indent + 2, out);
            }
            other => {
                out.push_str(&scalar(other));
                out.push('\n');
            }
        }
    }
}
