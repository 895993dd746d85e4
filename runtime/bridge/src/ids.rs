//! Message ids: the ones this end sends, and the ones it saw lately.

use crate::text::{cat, decimal, hex};

/// Ids `h-<64 random bits, hex>-<counter>`: unique per sender.
#[derive(Debug)]
pub(crate) struct IdSource {
    base: String,
    counter: u64,
}

impl IdSource {
    pub fn new(random: u64) -> Self {
        IdSource {
            base: cat(&["h-", &hex(random, 16)]),
            counter: 0,
        }
    }

    pub fn next_id(&mut self) -> String {
        self.counter += 1;
        cat(&[&self.base, "-", &decimal(self.counter)])
    }
}

/// The last `limit` ids seen: enough to drop a replay, bounded in memory.
///
/// A linear scan: a few hundred short strings per message cost less than the
/// hashing code would add to the `.wasm`.
#[derive(Debug)]
pub(crate) struct RecentIds {
    limit: usize,
    order: Vec<String>,
}

impl RecentIds {
    pub fn new(limit: usize) -> Self {
        RecentIds {
            limit,
            order: Vec::new(),
        }
    }

    /// Records `id`; returns `false` when it was seen already.
    pub fn add(&mut self, id: &str) -> bool {
        if self.order.iter().any(|seen| seen == id) {
            return false;
        }
        // A `Vec` for a ring: `VecDeque`'s code costs more than the moves.
        if self.order.len() >= self.limit && !self.order.is_empty() {
            self.order.remove(0);
        }
        self.order.push(id.to_string());
        true
    }
}
