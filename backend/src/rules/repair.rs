//! Arithmetic repair of section 1–2 counts (identities I1, I2 and the total/row sum of
//! vote-forms §3). A value is replaced only when the identities single out one fix.

use super::cell::{confusions, Val};
use super::parse::{ALLOCATED, BAD, GOOD, NO_VOTE, PRESENT, REMAINING, USED};

/// The eight counts of sections 1–2 of one form.
pub(super) struct Ballots {
    pub vals: [Val; 8],
    /// Digits as written, per count, for look-alike repair.
    pub texts: [String; 8],
}

fn get(vals: &[Val; 8], i: usize) -> Option<u64> {
    vals[i].v
}

/// What I1 or I2 says field `i` must be, given the others.
fn implied(vals: &[Val; 8], i: usize) -> Option<u64> {
    let g = |j| get(vals, j);
    match i {
        USED => match (g(GOOD), g(BAD), g(NO_VOTE)) {
            (Some(a), Some(b), Some(c)) => a.checked_add(b)?.checked_add(c),
            _ => g(ALLOCATED)?.checked_sub(g(REMAINING)?),
        },
        GOOD => g(USED)?.checked_sub(g(BAD)?)?.checked_sub(g(NO_VOTE)?),
        BAD => g(USED)?.checked_sub(g(GOOD)?)?.checked_sub(g(NO_VOTE)?),
        NO_VOTE => g(USED)?.checked_sub(g(GOOD)?)?.checked_sub(g(BAD)?),
        ALLOCATED => g(USED)?.checked_add(g(REMAINING)?),
        REMAINING => g(ALLOCATED)?.checked_sub(g(USED)?),
        _ => None,
    }
}

fn i1_holds(vals: &[Val; 8]) -> Option<bool> {
    let sum = get(vals, GOOD)?
        .checked_add(get(vals, BAD)?)?
        .checked_add(get(vals, NO_VOTE)?)?;
    Some(sum == get(vals, USED)?)
}

fn i2_holds(vals: &[Val; 8]) -> Option<bool> {
    Some(get(vals, ALLOCATED)?.checked_sub(get(vals, USED)?) == Some(get(vals, REMAINING)?))
}

impl Ballots {
    /// Fills unknown counts that an identity determines.
    pub fn fill(&mut self) {
        for _ in 0..2 {
            for i in [USED, GOOD, BAD, NO_VOTE, ALLOCATED, REMAINING] {
                if self.vals[i].v.is_none() {
                    if let Some(v) = implied(&self.vals, i) {
                        self.vals[i] = Val::derived(v);
                    }
                }
            }
        }
    }

    /// Sets the good ballots from a witness (the total line or the row sum) when the read
    /// value is missing or weaker and different.
    pub fn witness_good(&mut self, witness: Val) {
        let Some(w) = witness.v else { return };
        let cur = self.vals[GOOD];
        if cur.v == Some(w) {
            self.vals[GOOD].trust = cur.trust.max(witness.trust);
        } else if cur.v.is_none() || witness.trust > cur.trust {
            self.vals[GOOD] = witness;
        }
    }

    /// How well replacing field `i` by `v` fits the other evidence.
    fn score(&self, i: usize, v: u64) -> u32 {
        let mut trial = self.vals;
        trial[i] = Val::derived(v);
        let mut score = 0;
        if i1_holds(&trial) == Some(true) {
            score += 2;
        }
        if i2_holds(&trial) == Some(true) {
            score += 2;
        }
        if i == USED && get(&self.vals, PRESENT) == Some(v) {
            score += 1;
        }
        if confusions(&self.texts[i]).any(|c| c == v) {
            score += 1;
        }
        score
    }

    /// When I1 or I2 fails, replaces the one weak field whose implied value fits best.
    pub fn fix_conflicts(&mut self) {
        for _ in 0..2 {
            let fields: &[usize] = match (i1_holds(&self.vals), i2_holds(&self.vals)) {
                (Some(false), _) => &[USED, GOOD, BAD, NO_VOTE],
                (_, Some(false)) => &[USED, ALLOCATED, REMAINING],
                _ => return,
            };
            let mut best: Option<(u32, usize, u64)> = None;
            let mut tie = false;
            for &i in fields.iter().filter(|&&i| self.vals[i].weak()) {
                let mut trial = self.vals;
                trial[i].v = None;
                let Some(v) = implied(&trial, i) else {
                    continue;
                };
                let s = self.score(i, v);
                match best {
                    Some((b, _, _)) if s < b => {}
                    Some((b, _, _)) if s == b => tie = true,
                    _ => {
                        best = Some((s, i, v));
                        tie = false;
                    }
                }
            }
            match best {
                Some((s, i, v)) if !tie && s >= 3 => self.vals[i] = Val::derived(v),
                _ => return,
            }
        }
    }

    /// Runs every repair in order.
    pub fn repair(&mut self, good_witness: Val) {
        self.witness_good(good_witness);
        self.fill();
        self.fix_conflicts();
        self.fill();
    }
}

#[cfg(test)]
mod tests {
    use super::super::cell::Trust;
    use super::*;

    fn ballots(v: [Option<u64>; 8]) -> Ballots {
        let vals = v.map(|v| Val {
            v,
            trust: if v.is_some() {
                Trust::Digits
            } else {
                Trust::None
            },
        });
        let texts = v.map(|v| v.map(|n| n.to_string()).unwrap_or_default());
        Ballots { vals, texts }
    }

    fn values(b: &Ballots) -> [Option<u64>; 8] {
        b.vals.map(|v| v.v)
    }

    #[test]
    fn fills_one_missing_count() {
        let mut b = ballots([
            Some(806),
            Some(460),
            Some(620),
            None,
            Some(439),
            Some(4),
            Some(17),
            None,
        ]);
        b.repair(Val::default());
        assert_eq!(values(&b)[USED], Some(460));
        assert_eq!(values(&b)[REMAINING], Some(160));
    }

    #[test]
    fn fixes_a_confused_digit() {
        // bad 4 read as 9: I1 fails; used agrees with I2 and voters present.
        let mut b = ballots([
            Some(806),
            Some(460),
            Some(620),
            Some(460),
            Some(439),
            Some(9),
            Some(17),
            Some(160),
        ]);
        b.repair(Val::default());
        assert_eq!(
            values(&b)[BAD],
            Some(9),
            "good or bad: a tie without a witness"
        );
        b.repair(Val {
            v: Some(439),
            trust: Trust::Words,
        });
        assert_eq!(values(&b)[BAD], Some(4));
        // used 460 read as 466: I2 and I1 both point at it.
        let mut b = ballots([
            Some(806),
            Some(460),
            Some(620),
            Some(466),
            Some(439),
            Some(4),
            Some(17),
            Some(160),
        ]);
        b.repair(Val::default());
        assert_eq!(values(&b)[USED], Some(460));
    }

    #[test]
    fn leaves_what_it_cannot_decide() {
        let mut b = ballots([
            None,
            None,
            None,
            Some(460),
            Some(439),
            Some(40),
            Some(17),
            None,
        ]);
        b.repair(Val::default());
        assert_eq!(values(&b)[BAD], Some(40));
        assert_eq!(values(&b)[ALLOCATED], None);
    }
}
