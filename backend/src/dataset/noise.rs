//! Scanner and handwriting noise, applied while the OCR text is written and logged for the
//! record's metadata.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

use serde::{Deserialize, Serialize};

/// How much scanner/handwriting noise the OCR text carries. The label is never noisy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NoiseLevel {
    /// Clean text (digit styles still vary between Thai and Arabic).
    None,
    /// Rare digit confusions and letter noise, extra whitespace.
    Light,
    /// What a decent OCR of handwritten forms gives: confusions, a few dropped lines, row
    /// shifts, number bleed, unreadable counts.
    #[default]
    Realistic,
    /// Several times the realistic rates.
    Heavy,
}

impl NoiseLevel {
    /// Lower-case name, as used in metadata and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            NoiseLevel::None => "none",
            NoiseLevel::Light => "light",
            NoiseLevel::Realistic => "realistic",
            NoiseLevel::Heavy => "heavy",
        }
    }
}

impl std::str::FromStr for NoiseLevel {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" | "clean" => Ok(NoiseLevel::None),
            "light" => Ok(NoiseLevel::Light),
            "realistic" => Ok(NoiseLevel::Realistic),
            "heavy" => Ok(NoiseLevel::Heavy),
            other => Err(format!(
                "unknown noise level \"{other}\" (none, light, realistic, heavy)"
            )),
        }
    }
}

/// Chance of each kind of noise per opportunity (a number, a row, a line, a form).
#[derive(Debug, Clone, Copy, Default)]
struct Probs {
    /// A handwritten digit read as its look-alike.
    digit: f64,
    /// A count written as "…" or "?".
    unreadable: f64,
    /// The words column of a count left blank.
    words_missing: f64,
    /// A row or count line missing from the OCR output.
    drop_line: f64,
    /// Per party-list form: a run of vote cells booked one row down.
    shift: f64,
    /// The row number glued to the vote digits.
    bleed: f64,
    /// A Thai letter in a name read as its look-alike.
    letter: f64,
    /// Extra spaces in a line.
    space: f64,
}

impl Probs {
    fn for_level(level: NoiseLevel) -> Probs {
        let realistic = Probs {
            digit: 0.04,
            unreadable: 0.012,
            words_missing: 0.06,
            drop_line: 0.008,
            shift: 0.4,
            bleed: 0.02,
            letter: 0.08,
            space: 0.1,
        };
        match level {
            NoiseLevel::None => Probs::default(),
            NoiseLevel::Light => Probs {
                digit: 0.01,
                words_missing: 0.01,
                letter: 0.02,
                space: 0.03,
                ..Probs::default()
            },
            NoiseLevel::Realistic => realistic,
            NoiseLevel::Heavy => Probs {
                digit: 0.12,
                unreadable: 0.04,
                words_missing: 0.15,
                drop_line: 0.03,
                shift: 0.8,
                bleed: 0.06,
                letter: 0.2,
                space: 0.25,
            },
        }
    }
}

/// Applies noise with the record's random stream and remembers what it did.
pub(crate) struct Noiser<'r> {
    pub rng: &'r mut ChaCha8Rng,
    p: Probs,
    events: Vec<Value>,
    spaces: usize,
}

/// Handwritten look-alikes (vote-forms §5).
fn confusable(c: char) -> Option<char> {
    Some(match c {
        '1' => '7',
        '7' => '1',
        '5' => '6',
        '6' => '5',
        '3' => '8',
        '8' => '3',
        '4' => '9',
        '9' => '4',
        '0' => '6',
        _ => return None,
    })
}

/// OCR look-alike Thai letters.
fn letter_twin(c: char) -> Option<char> {
    Some(match c {
        'ช' => 'ซ',
        'ซ' => 'ช',
        'ด' => 'ต',
        'บ' => 'ป',
        'ผ' => 'พ',
        _ => return None,
    })
}

impl<'r> Noiser<'r> {
    /// A noiser for `level` drawing from `rng`.
    pub fn new(rng: &'r mut ChaCha8Rng, level: NoiseLevel) -> Self {
        Noiser {
            rng,
            p: Probs::for_level(level),
            events: Vec::new(),
            spaces: 0,
        }
    }

    /// The log of applied noise, for the record's `metadata.noise`.
    pub fn finish(mut self) -> Vec<Value> {
        if self.spaces > 0 {
            self.events
                .push(json!({"kind": "extra_whitespace", "lines": self.spaces}));
        }
        self.events
    }

    fn hit(&mut self, p: f64) -> bool {
        p > 0.0 && self.rng.gen_bool(p.min(1.0))
    }

    /// True with probability `p`, independent of the noise level (style choices).
    pub fn chance(&mut self, p: f64) -> bool {
        self.rng.gen_bool(p.clamp(0.0, 1.0))
    }

    /// The Arabic digits of a handwritten count as read: maybe unreadable, maybe with one
    /// digit confused. `field` names the count in the log.
    pub fn count(&mut self, value: u64, field: impl FnOnce() -> String) -> String {
        let digits = value.to_string();
        if self.hit(self.p.unreadable) {
            let mark = if self.rng.gen_bool(0.5) { "…" } else { "?" };
            self.events
                .push(json!({"kind": "unreadable", "field": field(), "from": digits, "to": mark}));
            return mark.to_string();
        }
        if self.hit(self.p.digit) {
            let positions: Vec<usize> = digits
                .char_indices()
                .filter(|(_, c)| confusable(*c).is_some())
                .map(|(i, _)| i)
                .collect();
            if !positions.is_empty() {
                let at = positions[self.rng.gen_range(0..positions.len())];
                let confused: String = digits
                    .char_indices()
                    .map(|(i, c)| {
                        if i == at {
                            confusable(c).unwrap_or(c)
                        } else {
                            c
                        }
                    })
                    .collect();
                self.events.push(json!({"kind": "digit_confusion", "field": field(), "from": digits, "to": confused}));
                return confused;
            }
        }
        digits
    }

    /// Whether the words column of a count is illegible (logged when it is).
    pub fn words_missing(&mut self, field: impl FnOnce() -> String) -> bool {
        let hit = self.hit(self.p.words_missing);
        if hit {
            self.events
                .push(json!({"kind": "words_missing", "field": field()}));
        }
        hit
    }

    /// The vote digits, maybe with the row number glued in front ("27 11" → "2711").
    pub fn bleed(&mut self, number: u32, digits: String, field: impl FnOnce() -> String) -> String {
        if !digits.starts_with(|c: char| c.is_ascii_digit()) || !self.hit(self.p.bleed) {
            return digits;
        }
        let glued = format!("{number}{digits}");
        self.events
            .push(json!({"kind": "number_bleed", "field": field(), "from": digits, "to": glued}));
        glued
    }

    /// A name as read, maybe with one look-alike letter swapped.
    pub fn name(&mut self, name: &str, field: impl FnOnce() -> String) -> String {
        if !self.hit(self.p.letter) {
            return name.to_string();
        }
        let positions: Vec<usize> = name
            .char_indices()
            .filter(|(_, c)| letter_twin(*c).is_some())
            .map(|(i, _)| i)
            .collect();
        if positions.is_empty() {
            return name.to_string();
        }
        let at = positions[self.rng.gen_range(0..positions.len())];
        let noisy: String = name
            .char_indices()
            .map(|(i, c)| {
                if i == at {
                    letter_twin(c).unwrap_or(c)
                } else {
                    c
                }
            })
            .collect();
        self.events
            .push(json!({"kind": "letter_noise", "field": field(), "from": name, "to": noisy}));
        noisy
    }

    /// Picks a run of rows whose vote cells move one row down (the last cell of the run goes
    /// to its first row): `Some((first, len))` as indices into the rows.
    pub fn shift(&mut self, rows: usize, form: &str) -> Option<(usize, usize)> {
        if rows < 3 || !self.hit(self.p.shift) {
            return None;
        }
        let len = self.rng.gen_range(2..=4usize).min(rows);
        let first = self.rng.gen_range(0..=rows - len);
        self.events.push(json!({
            "kind": "row_shift", "field": format!("{form}.vote_results"),
            "from": first + 1, "to": first + len,
        }));
        Some((first, len))
    }

    /// Whether a droppable line goes missing (logged with its field).
    pub fn drop_line(&mut self, text: &str, field: impl FnOnce() -> String) -> bool {
        let hit = self.hit(self.p.drop_line);
        if hit {
            self.events
                .push(json!({"kind": "dropped_line", "field": field(), "from": text, "to": ""}));
        }
        hit
    }

    /// The line with extra spaces between words, or as it was.
    pub fn whitespace(&mut self, line: String) -> String {
        if !self.hit(self.p.space) {
            return line;
        }
        self.spaces += 1;
        let mut out = String::with_capacity(line.len() + 8);
        if self.rng.gen_bool(0.3) {
            out.push_str("  ");
        }
        for (i, word) in line.split(' ').enumerate() {
            if i > 0 {
                out.push_str(if self.rng.gen_bool(0.4) { "   " } else { " " });
            }
            out.push_str(word);
        }
        if self.rng.gen_bool(0.3) {
            out.push_str(" \t");
        }
        out
    }
}
