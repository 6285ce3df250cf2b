//! How a queue finds and marks the entries of a batch being sent or settled.

use super::*;

/// Marks a `Sending` entry of a failed batch, one the peer acked meanwhile, `Sent`.
pub(super) fn mark_sent<M>(entry: &mut Entry<M>, stats: &mut OutboxStats) {
    stats.shift(EntryState::Sending, EntryState::Sent, 1);
    entry.state = EntryState::Sent;
}

pub(super) fn mark_sending<M>(entry: &mut Entry<M>, encoder: &mut impl Encoder<M>) {
    entry.state = EntryState::Sending;
    encoder.encode(entry.seq, &entry.message);
}

/// The `Sending` entries of a batch, found by sequence number.
pub(super) fn batch_entries<M>(
    entries: &mut VecDeque<Entry<M>>,
    batch: Batch,
) -> impl Iterator<Item = &mut Entry<M>> {
    let start = entries.partition_point(|entry| entry.seq < batch.first);
    let within = entries.range_mut(start..).take_while(move |entry| entry.seq <= batch.last);
    within.filter(|entry| entry.state == EntryState::Sending)
}
