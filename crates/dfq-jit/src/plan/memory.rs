//! Arena layout: each buffer lives from the step that writes it to the last step
//! that reads it; buffers whose lives do not overlap share memory (first fit).

use super::steps::Step;
use super::Buffer;

/// Slack after every buffer: vector loops may read (never write) up to this far.
pub(crate) const SLACK: usize = 64;

/// Assigns arena offsets; returns the arena size before the scratch. The arena
/// starts with the table of I/O pointers (8 bytes per slot).
pub(crate) fn assign(buffers: &mut [Buffer], steps: &[(Step, String)], io_slots: usize) -> usize {
    let base = (8 * io_slots).next_multiple_of(64);
    let mut first = vec![usize::MAX; buffers.len()];
    let mut last = vec![0usize; buffers.len()];
    for (i, (step, _)) in steps.iter().enumerate() {
        let (inputs, output) = step.io();
        first[output] = first[output].min(i);
        last[output] = last[output].max(i);
        for b in inputs {
            last[b] = last[b].max(i);
        }
    }
    let mut order: Vec<usize> = (0..buffers.len()).filter(|&b| buffers[b].io.is_none() && first[b] != usize::MAX).collect();
    order.sort_by_key(|&b| first[b]);
    // (offset, end offset, last step) of placed buffers.
    let mut live: Vec<(usize, usize, usize)> = Vec::new();
    let mut top = base;
    for b in order {
        live.retain(|&(_, _, end)| end >= first[b]);
        live.sort_unstable();
        let size = (buffers[b].bytes + SLACK).next_multiple_of(64);
        let mut at = base;
        for &(start, end, _) in &live {
            if at + size <= start {
                break;
            }
            at = at.max(end);
        }
        buffers[b].offset = at;
        live.push((at, at + size, last[b]));
        top = top.max(at + size);
    }
    top
}
