//! How one form happens to be written: its digit style, item numbering and spacing, and
//! the lines noise may drop. Shared by the header/sections renderer and the results table.

use super::noise::Noiser;
use crate::thai::digits::to_thai_digits;

#[derive(Clone, Copy)]
pub(super) enum Digits {
    Arabic,
    Thai,
    /// Each number on its own, a few with both kinds of digit in one number.
    Mixed,
}

/// How one form happens to be written.
pub(super) struct Style {
    digits: Digits,
    thai_items: bool,
    pub stat_words: bool,
    pub party_prefix: bool,
    pub glue_labels: bool,
}

/// What a droppable line holds, named in the noise log only when it is dropped.
#[derive(Clone, Copy)]
pub(super) enum Field {
    Date,
    Location,
    Count(&'static str),
    Row(u32),
    Total,
}

impl Field {
    pub(super) fn path(self, form: &str) -> String {
        match self {
            Field::Date => format!("{form}.form_info.date"),
            Field::Location => format!("{form}.form_info.polling_station_number"),
            Field::Count(field) => format!("{form}.{field}"),
            Field::Row(number) => format!("{form}.vote_results[number={number}].vote_count"),
            Field::Total => format!("{form}.total"),
        }
    }
}

/// One line of a form; `field` is set when noise may drop it.
pub(super) struct Line {
    pub text: String,
    pub field: Option<Field>,
}

pub(super) fn fixed(text: impl Into<String>) -> Line {
    Line {
        text: text.into(),
        field: None,
    }
}

impl Noiser<'_> {
    pub(super) fn style(&mut self) -> Style {
        let digits = match self.rng_pick(4) {
            0 | 1 => Digits::Arabic,
            2 => Digits::Thai,
            _ => Digits::Mixed,
        };
        Style {
            digits,
            thai_items: self.chance(0.3),
            stat_words: self.chance(0.5),
            party_prefix: self.chance(0.7),
            glue_labels: self.chance(0.6),
        }
    }

    pub(super) fn rng_pick(&mut self, n: u32) -> u32 {
        use rand::Rng;
        self.rng.gen_range(0..n)
    }

    /// Arabic digits rewritten in the form's digit style.
    pub(super) fn styled(&mut self, s: String, style: &Style) -> String {
        let thai = match style.digits {
            Digits::Arabic => false,
            Digits::Thai => true,
            Digits::Mixed => match self.rng_pick(5) {
                0 | 1 => false,
                2 | 3 => true,
                _ => {
                    let mut out = String::with_capacity(s.len() * 3);
                    for c in s.chars() {
                        let mut buf = [0u8; 4];
                        let one = c.encode_utf8(&mut buf);
                        if self.chance(0.5) {
                            out.push_str(&to_thai_digits(one));
                        } else {
                            out.push_str(one);
                        }
                    }
                    return out;
                }
            },
        };
        if thai {
            to_thai_digits(&s)
        } else {
            s
        }
    }
}

impl Noiser<'_> {
    pub(super) fn styled_item(&mut self, item: &str, st: &Style) -> String {
        if st.thai_items {
            to_thai_digits(item)
        } else {
            item.to_string()
        }
    }
}
