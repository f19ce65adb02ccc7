//! Program order of a function's ops: a doubly linked list threaded through the
//! op ids, so that inserting next to an op or removing one costs O(1) however
//! long the function is (a `Vec` made rewrites of 100k-op models quadratic).
//!
//! Each op also carries an order key that grows along the list, so that two ops
//! are compared, and users sorted, without walking it. Keys are spaced
//! `STRIDE` apart; an insertion takes the midpoint of its neighbours' keys, and
//! only when a gap is used up is the whole list renumbered.

use crate::func::OpId;

/// The spacing of fresh keys: 32 insertions at one spot before a renumbering.
const STRIDE: u64 = 1 << 32;

#[derive(Clone, Copy, Debug, Default)]
struct Link {
    prev: Option<OpId>,
    next: Option<OpId>,
    key: u64,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct ProgramOrder {
    /// Indexed by `OpId::index()`; slots of removed ops are stale until reused.
    links: Vec<Link>,
    head: Option<OpId>,
    tail: Option<OpId>,
    len: usize,
}

impl ProgramOrder {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn last(&self) -> Option<OpId> {
        self.tail
    }

    /// Increases along program order (valid until the next insertion).
    pub fn key(&self, op: OpId) -> u64 {
        self.links[op.index()].key
    }

    pub fn push(&mut self, op: OpId) {
        let prev = self.tail;
        self.link(op, prev, None);
    }

    pub fn insert_before(&mut self, anchor: OpId, op: OpId) {
        let prev = self.links[anchor.index()].prev;
        self.link(op, prev, Some(anchor));
    }

    pub fn insert_after(&mut self, anchor: OpId, op: OpId) {
        let next = self.links[anchor.index()].next;
        self.link(op, Some(anchor), next);
    }

    pub fn remove(&mut self, op: OpId) {
        let Link { prev, next, .. } = self.links[op.index()];
        match prev {
            Some(p) => self.links[p.index()].next = next,
            None => self.head = next,
        }
        match next {
            Some(n) => self.links[n.index()].prev = prev,
            None => self.tail = prev,
        }
        self.links[op.index()] = Link::default();
        self.len -= 1;
    }

    pub fn iter(&self) -> Ops<'_> {
        Ops { order: self, front: self.head, back: self.tail, remaining: self.len }
    }

    /// Puts `op` between the adjacent `prev` and `next` (None: the ends).
    fn link(&mut self, op: OpId, prev: Option<OpId>, next: Option<OpId>) {
        if self.links.len() <= op.index() {
            self.links.resize(op.index() + 1, Link::default());
        }
        let key = match self.key_between(prev, next) {
            Some(key) => key,
            None => {
                self.renumber();
                self.key_between(prev, next).expect("renumbered keys leave room between neighbours")
            }
        };
        self.links[op.index()] = Link { prev, next, key };
        match prev {
            Some(p) => self.links[p.index()].next = Some(op),
            None => self.head = Some(op),
        }
        match next {
            Some(n) => self.links[n.index()].prev = Some(op),
            None => self.tail = Some(op),
        }
        self.len += 1;
    }

    /// A key strictly between the neighbours' (0 and u64::MAX stand for the ends).
    fn key_between(&self, prev: Option<OpId>, next: Option<OpId>) -> Option<u64> {
        let lo = prev.map_or(0, |p| self.key(p));
        match next {
            None => lo.checked_add(STRIDE),
            Some(n) => {
                let hi = self.key(n);
                (hi - lo > 1).then(|| lo + (hi - lo) / 2)
            }
        }
    }

    /// Keys STRIDE, 2·STRIDE, … along the list.
    fn renumber(&mut self) {
        let mut key = 0u64;
        let mut cursor = self.head;
        while let Some(op) = cursor {
            key += STRIDE;
            self.links[op.index()].key = key;
            cursor = self.links[op.index()].next;
        }
    }
}

/// The ops in program order, from either end.
pub struct Ops<'a> {
    order: &'a ProgramOrder,
    front: Option<OpId>,
    back: Option<OpId>,
    remaining: usize,
}

impl Iterator for Ops<'_> {
    type Item = OpId;

    fn next(&mut self) -> Option<OpId> {
        if self.remaining == 0 {
            return None;
        }
        let op = self.front?;
        self.remaining -= 1;
        self.front = self.order.links[op.index()].next;
        Some(op)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl DoubleEndedIterator for Ops<'_> {
    fn next_back(&mut self) -> Option<OpId> {
        if self.remaining == 0 {
            return None;
        }
        let op = self.back?;
        self.remaining -= 1;
        self.back = self.order.links[op.index()].prev;
        Some(op)
    }
}

impl ExactSizeIterator for Ops<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(i: usize) -> OpId {
        OpId::new(i)
    }

    fn keys_increase(order: &ProgramOrder) -> bool {
        let keys: Vec<u64> = order.iter().map(|op| order.key(op)).collect();
        keys.windows(2).all(|w| w[0] < w[1])
    }

    #[test]
    fn insertions_and_removals_keep_order_and_keys() {
        let mut order = ProgramOrder::default();
        order.push(id(0));
        order.push(id(1));
        order.insert_before(id(0), id(2));
        order.insert_after(id(0), id(3));
        order.insert_after(id(1), id(4));
        assert_eq!(order.iter().collect::<Vec<_>>(), [2, 0, 3, 1, 4].map(id));
        assert_eq!(order.iter().rev().collect::<Vec<_>>(), [4, 1, 3, 0, 2].map(id));
        assert!(keys_increase(&order));
        order.remove(id(2));
        order.remove(id(4));
        order.remove(id(3));
        assert_eq!(order.iter().collect::<Vec<_>>(), [0, 1].map(id));
        assert_eq!((order.len(), order.last()), (2, Some(id(1))));
        // A removed id's slot is reused.
        order.insert_before(id(1), id(2));
        assert_eq!(order.iter().collect::<Vec<_>>(), [0, 2, 1].map(id));
        assert!(keys_increase(&order));
    }

    #[test]
    fn a_used_up_gap_renumbers() {
        // Always inserting right after the first op halves one gap each time:
        // after 32 of them the list is renumbered, and order holds throughout.
        let mut order = ProgramOrder::default();
        order.push(id(0));
        order.push(id(1));
        for i in 2..200 {
            order.insert_after(id(0), id(i));
            assert!(keys_increase(&order), "after inserting {i}");
        }
        let ops: Vec<OpId> = order.iter().collect();
        assert_eq!(ops.len(), 200);
        assert_eq!((ops[0], ops[1], ops[199]), (id(0), id(199), id(1)));
        // Before the head, too.
        for i in 200..300 {
            order.insert_before(order.iter().next().unwrap(), id(i));
        }
        assert_eq!(order.iter().next(), Some(id(299)));
        assert!(keys_increase(&order));
    }

    #[test]
    fn random_edits_match_a_vec() {
        // Inserts before/after random ops, removals and pushes, checked against
        // the plain Vec it replaces, including reuse of freed ids.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let (mut order, mut model) = (ProgramOrder::default(), Vec::<OpId>::new());
        let mut free: Vec<OpId> = Vec::new();
        let mut fresh = 0;
        for step in 0..20_000 {
            let op = free.pop().unwrap_or_else(|| {
                fresh += 1;
                id(fresh - 1)
            });
            match (model.len(), next(5)) {
                (0, _) | (_, 0) => {
                    order.push(op);
                    model.push(op);
                }
                (n, 1) => {
                    let i = next(n);
                    order.insert_before(model[i], op);
                    model.insert(i, op);
                }
                (n, 2) => {
                    let i = next(n);
                    order.insert_after(model[i], op);
                    model.insert(i + 1, op);
                }
                (n, _) => {
                    free.push(op);
                    let gone = model.remove(next(n));
                    order.remove(gone);
                    free.push(gone);
                }
            }
            if step % 997 == 0 {
                assert_eq!(order.iter().collect::<Vec<_>>(), model, "step {step}");
                assert!(keys_increase(&order), "step {step}");
            }
        }
        assert_eq!(order.iter().rev().collect::<Vec<_>>(), model.iter().rev().copied().collect::<Vec<_>>());
        assert_eq!((order.len(), order.last()), (model.len(), model.last().copied()));
    }

    #[test]
    fn iterating_from_both_ends_meets_once() {
        let mut order = ProgramOrder::default();
        for i in 0..5 {
            order.push(id(i));
        }
        let mut it = order.iter();
        assert_eq!((it.next(), it.next_back(), it.next(), it.next_back()), (Some(id(0)), Some(id(4)), Some(id(1)), Some(id(3))));
        assert_eq!((it.len(), it.next(), it.next_back()), (1, Some(id(2)), None));
    }
}
