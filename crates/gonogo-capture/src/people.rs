//! Who is who: attendees from the review and speakers from the transcript, and the names
//! people use for each other (full name, first name, last name, the handle, a short form
//! such as "Wes" for Wesley or "Fola" for Folasade) resolved to attendee handles.

use crate::context::Attendee;

#[derive(Debug, Clone)]
pub struct Person {
    pub handle: Option<String>,
    /// Lowercase full name, if known.
    pub full: Option<String>,
    /// Lowercase names this person answers to.
    pub names: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct People {
    pub list: Vec<Person>,
}

fn handle_names(handle: &str) -> Vec<String> {
    let h = handle.trim_start_matches('@').to_lowercase();
    let mut out = vec![h.clone()];
    // "@sre-fola" is also called "fola".
    if let Some(last) = h.rsplit(['-', '_', '.']).next()
        && last != h
        && last.len() >= 2
    {
        out.push(last.to_string());
    }
    out
}

fn name_parts(full: &str) -> Vec<String> {
    let l = full.to_lowercase();
    let mut out = vec![l.clone()];
    let parts: Vec<&str> = l.split_whitespace().collect();
    if parts.len() > 1 {
        out.extend(parts.iter().map(|p| p.to_string()));
    }
    out
}

impl People {
    pub fn new(attendees: &[Attendee]) -> People {
        let mut p = People::default();
        for a in attendees {
            let mut names = handle_names(&a.handle);
            if let Some(n) = &a.name {
                names.extend(name_parts(n));
            }
            p.list.push(Person {
                handle: Some(a.handle.clone()),
                full: a.name.as_ref().map(|n| n.to_lowercase()),
                names,
            });
        }
        p
    }

    /// The person who speaks under `speaker`, added (without a handle) when unknown.
    pub fn speaker(&mut self, speaker: &str) -> Option<usize> {
        let s = speaker.trim().to_lowercase();
        if s.is_empty() {
            return None;
        }
        if let Some(i) = self.list.iter().position(|p| p.full.as_deref() == Some(&s)) {
            return Some(i);
        }
        if let Some(i) = self.resolve(&s) {
            return Some(i);
        }
        // "Anna Berg" speaking, listed only as "@fin-anna".
        if let Some(first) = s.split_whitespace().next().filter(|f| *f != s)
            && let Some(i) = self.resolve(first).filter(|&i| self.list[i].full.is_none())
        {
            self.list[i].full = Some(s.clone());
            self.list[i].names.extend(name_parts(&s));
            return Some(i);
        }
        self.list.push(Person { handle: None, full: Some(s.clone()), names: name_parts(&s) });
        Some(self.list.len() - 1)
    }

    /// The one person a name (or handle) names; `None` when nobody or several match.
    pub fn resolve(&self, name: &str) -> Option<usize> {
        let n = name.trim().trim_start_matches('@').to_lowercase();
        if n.len() < 2 {
            return None;
        }
        let exact: Vec<usize> =
            self.list.iter().enumerate().filter(|(_, p)| p.names.contains(&n)).map(|(i, _)| i).collect();
        match exact.len() {
            1 => return Some(exact[0]),
            n if n > 1 => return None,
            _ => {}
        }
        // Short forms: "Wes" for Wesley, "Gio" for Giovanni.
        if n.len() >= 3 && !n.contains(' ') {
            let pre: Vec<usize> = self
                .list
                .iter()
                .enumerate()
                .filter(|(_, p)| p.names.iter().any(|x| x.len() > n.len() && x.starts_with(&n)))
                .map(|(i, _)| i)
                .collect();
            if pre.len() == 1 {
                return Some(pre[0]);
            }
        }
        None
    }

    pub fn handle(&self, i: usize) -> Option<String> {
        self.list.get(i).and_then(|p| p.handle.clone())
    }

    /// A name or two at the start of `words` (lowercase) that names one person: the
    /// person and how many words it took.
    pub fn name_at(&self, words: &[&str]) -> Option<(usize, usize)> {
        if words.len() >= 2
            && let Some(i) = self.resolve(&format!("{} {}", words[0], words[1]))
        {
            return Some((i, 2));
        }
        let w = *words.first()?;
        if STOP.contains(&w) {
            return None;
        }
        self.resolve(w).map(|i| (i, 1))
    }
}

/// Words that are never taken for a name, whatever the attendee list says.
const STOP: &[&str] = &[
    "okay", "ok", "so", "and", "but", "yes", "yeah", "no", "right", "good", "great", "then", "the", "all", "team",
    "everyone", "anyone", "well", "sure", "thanks", "perfect", "cool", "fine", "sorry",
];
