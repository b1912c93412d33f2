//! The sorted orders (newest, most liked, most favorited, browsing): a collector that keeps the
//! top documents by a precomputed rank fast field and counts all matches in the same pass.
//!
//! Written for speed on the gallery's most frequent request (browsing a million items): ranks
//! are read in blocks (`get_vals`), and a document below the current k-th rank costs one
//! comparison. Ties on the rank are broken by the id hash (stable across segment merges),
//! then by doc address.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Cardinality, Column, ColumnValues};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::schema::ID_HASH;

/// Sort key of a document: (rank, id hash), larger first.
type Key = (u64, u64);
/// A kept document: larger keys first, then smaller doc ids (the `Reverse`).
type Entry = (Key, Reverse<DocId>);

/// Top `offset + limit` documents by the rank field `field`, descending, plus the match count.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RankCollector {
    pub field: &'static str,
    pub offset: usize,
    pub limit: usize,
}

impl Collector for RankCollector {
    /// The requested page (offset applied) and the number of matching documents.
    type Fruit = (Vec<(Key, DocAddress)>, usize);
    type Child = RankSegmentCollector;

    fn for_segment(
        &self,
        segment_ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<RankSegmentCollector> {
        Ok(RankSegmentCollector {
            rank: dense_column(reader, self.field)?,
            hash: dense_column(reader, ID_HASH)?,
            segment_ord,
            keep: self.offset + self.limit,
            top: BinaryHeap::new(),
            count: 0,
            ranks: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<(Vec<(Key, DocAddress)>, usize)>,
    ) -> tantivy::Result<Self::Fruit> {
        let mut count = 0;
        let mut all = Vec::new();
        for (docs, n) in fruits {
            count += n;
            all.extend(docs);
        }
        all.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let page = all.into_iter().skip(self.offset).take(self.limit).collect();
        Ok((page, count))
    }
}

/// A u64 fast field's values by doc id. Every document has its ranks, so the column is dense
/// and read directly: tantivy's `first_or_default_col` adapter would look each row up through
/// the column index and unpack ranges value by value.
fn dense_column(
    reader: &SegmentReader,
    field: &str,
) -> tantivy::Result<Arc<dyn ColumnValues<u64>>> {
    let column: Column<u64> = reader.fast_fields().u64(field)?;
    Ok(if column.get_cardinality() == Cardinality::Full {
        column.values
    } else {
        column.first_or_default_col(0)
    })
}

/// Per-segment state of [`RankCollector`].
pub(crate) struct RankSegmentCollector {
    rank: Arc<dyn ColumnValues<u64>>,
    hash: Arc<dyn ColumnValues<u64>>,
    segment_ord: SegmentOrdinal,
    keep: usize,
    /// Min-heap of the best `keep` entries seen.
    top: BinaryHeap<Reverse<Entry>>,
    count: usize,
    ranks: Vec<u64>,
}

impl RankSegmentCollector {
    /// The lowest rank that may still enter the heap (0 until it is full; `u64::MAX` when
    /// nothing is kept).
    #[inline]
    fn floor(&self) -> u64 {
        if self.keep == 0 {
            return u64::MAX;
        }
        match self.top.peek() {
            Some(Reverse(((min_rank, _), _))) if self.top.len() == self.keep => *min_rank,
            _ => 0,
        }
    }

    #[inline]
    fn offer(&mut self, doc: DocId, rank: u64) {
        if self.keep == 0 {
            return;
        }
        if self.top.len() == self.keep
            && let Some(Reverse(((min_rank, _), _))) = self.top.peek()
            && rank < *min_rank
        {
            return;
        }
        let entry = ((rank, self.hash.get_val(doc)), Reverse(doc));
        if self.top.len() < self.keep {
            self.top.push(Reverse(entry));
        } else if let Some(mut min) = self.top.peek_mut()
            && entry > min.0
        {
            *min = Reverse(entry);
        }
    }
}

impl SegmentCollector for RankSegmentCollector {
    type Fruit = (Vec<(Key, DocAddress)>, usize);

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.count += 1;
        let rank = self.rank.get_val(doc);
        self.offer(doc, rank);
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        self.count += docs.len();
        let mut ranks = std::mem::take(&mut self.ranks);
        ranks.resize(docs.len(), 0);
        match (docs.first(), docs.last()) {
            // A run of consecutive documents (browsing everything): unpack the range at once.
            (Some(&first), Some(&last)) if (last - first) as usize + 1 == docs.len() => {
                self.rank.get_range(u64::from(first), &mut ranks);
            }
            _ => self.rank.get_vals(docs, &mut ranks),
        }
        // Most documents fall below the k-th best rank: test them against a copy of it first
        // (a tight loop over the block), and offer only those that may enter the heap.
        let mut floor = self.floor();
        for (&doc, &rank) in docs.iter().zip(&ranks) {
            if rank >= floor {
                self.offer(doc, rank);
                floor = self.floor();
            }
        }
        self.ranks = ranks;
    }

    fn harvest(self) -> Self::Fruit {
        let segment_ord = self.segment_ord;
        let docs = self
            .top
            .into_iter()
            .map(|Reverse((key, Reverse(doc)))| (key, DocAddress::new(segment_ord, doc)))
            .collect();
        (docs, self.count)
    }
}
