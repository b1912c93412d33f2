//! The sorted orders (newest, most liked, most favorited, browsing): a collector that keeps the
//! top documents by a precomputed rank fast field and counts all matches in the same pass.
//!
//! Written for speed on the gallery's most frequent request (browsing a million items): ranks
//! are read in blocks (`get_vals`), and a document below the current k-th rank costs one
//! comparison. Ties on the rank are broken by the id hash (stable across segment merges),
//! then by doc address.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Cardinality, Column, ColumnValues};
use tantivy::index::SegmentId;
use tantivy::query::Weight;
use tantivy::{
    COLLECT_BLOCK_BUFFER_LEN, DocAddress, DocId, DocSet as _, Score, Searcher, SegmentOrdinal,
    SegmentReader, TERMINATED,
};

use crate::schema::ID_HASH;
use crate::types::COUNT_LIMIT;

/// Sort key of a document: (rank, id hash), larger first.
type Key = (u64, u64);
/// A kept document: larger keys first, then smaller doc ids (the `Reverse`).
type Entry = (Key, Reverse<DocId>);

/// Top `offset + limit` documents by the rank field `field`, descending, plus the match count.
#[derive(Clone, Copy)]
pub(crate) struct RankCollector<'a> {
    pub field: &'static str,
    pub offset: usize,
    pub limit: usize,
    /// Block maxima to skip with once a segment has counted its share of [`COUNT_LIMIT`] (see
    /// [`Collector::collect_segment`] below); `None` visits every match.
    pub skip: Option<BlockSkip<'a>>,
}

/// What [`RankCollector`] needs to skip blocks: the cache of block maxima, and the searcher
/// whose segments are live.
#[derive(Clone, Copy)]
pub(crate) struct BlockSkip<'a> {
    pub cache: &'a BlockMaxCache,
    pub searcher: &'a Searcher,
}

impl Collector for RankCollector<'_> {
    /// The requested page (offset applied), the number of matching documents, and whether
    /// that number is exact (else a lower bound, the matches counted before skipping began).
    type Fruit = (Vec<(Key, DocAddress)>, usize, bool);
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
            exact: true,
            ranks: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<(Vec<(Key, DocAddress)>, usize, bool)>,
    ) -> tantivy::Result<Self::Fruit> {
        let mut count = 0;
        let mut exact = true;
        let mut all = Vec::new();
        for (docs, n, segment_exact) in fruits {
            count += n;
            exact &= segment_exact;
            all.extend(docs);
        }
        all.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let page = all.into_iter().skip(self.offset).take(self.limit).collect();
        Ok((page, count, exact))
    }

    /// With [`BlockSkip`]: every match is visited (and counted) until the segment has counted
    /// its share of [`COUNT_LIMIT`] (the limit over the number of segments); from then on, a
    /// block of [`BLOCK`] documents whose largest rank is below the page's lowest is skipped
    /// (the matches' postings are advanced past it), and the count becomes a lower bound. A search matching tens of thousands of documents in a
    /// sorted order then reads only the blocks that can still hold a page entry: its cost no
    /// longer grows with the number of matches.
    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment_ord: u32,
        reader: &SegmentReader,
    ) -> tantivy::Result<<RankSegmentCollector as SegmentCollector>::Fruit> {
        let mut segment = self.for_segment(segment_ord, reader)?;
        let Some(skip) = self.skip else {
            let mut live = Vec::new();
            weight.for_each_no_score(reader, &mut |docs| {
                segment.collect_live(docs, reader.alive_bitset(), &mut live);
            })?;
            return Ok(segment.harvest());
        };
        let alive = reader.alive_bitset();
        let mut scorer = weight.scorer(reader, 1.0)?;
        let mut buffer = [0; COLLECT_BLOCK_BUFFER_LEN];
        let mut live = Vec::with_capacity(COLLECT_BLOCK_BUFFER_LEN);
        let mut kept = Vec::with_capacity(COLLECT_BLOCK_BUFFER_LEN);
        // Every match, in batches, until the segment has counted its share of COUNT_LIMIT.
        let quota = COUNT_LIMIT.div_ceil(skip.searcher.segment_readers().len().max(1));
        while segment.count < quota {
            let n = scorer.fill_buffer(&mut buffer);
            let docs = buffer.get(..n).unwrap_or_default();
            segment.collect_live(docs, alive, &mut live);
            if n < buffer.len() {
                return Ok(segment.harvest());
            }
        }
        let maxima = skip
            .cache
            .get(skip.searcher, reader, self.field, segment.rank.as_ref());
        let block_max = |doc: DocId| maxima.max.get((doc / BLOCK) as usize).copied();
        loop {
            let doc = scorer.doc();
            if doc == TERMINATED {
                break;
            }
            // Past the blocks that cannot hold a page entry, to the next one that can.
            let floor = segment.floor();
            if block_max(doc).is_some_and(|max| max < floor) {
                segment.exact = false;
                let mut next = doc / BLOCK + 1;
                while block_max(next * BLOCK).is_some_and(|max| max < floor) {
                    next += 1;
                }
                if block_max(next * BLOCK).is_none() {
                    break;
                }
                scorer.seek(next * BLOCK);
                continue;
            }
            // A batch may run into blocks that cannot hold a page entry: their documents are
            // left out (and the count stops being exact).
            let n = scorer.fill_buffer(&mut buffer);
            let docs = buffer.get(..n).unwrap_or_default();
            kept.clear();
            kept.extend(
                docs.iter()
                    .copied()
                    .filter(|&d| block_max(d).is_none_or(|max| max >= floor)),
            );
            segment.exact &= kept.len() == docs.len();
            segment.collect_live(&kept, alive, &mut live);
        }
        Ok(segment.harvest())
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
    /// Whether `count` is every match (false once blocks were skipped).
    exact: bool,
    ranks: Vec<u64>,
}

impl RankSegmentCollector {
    /// Collects the live documents of `docs` (`live` is scratch space).
    fn collect_live(
        &mut self,
        docs: &[DocId],
        alive: Option<&tantivy::fastfield::AliveBitSet>,
        live: &mut Vec<DocId>,
    ) {
        match alive {
            None => self.collect_block(docs),
            Some(alive) => {
                live.clear();
                live.extend(docs.iter().copied().filter(|&d| alive.is_alive(d)));
                self.collect_block(live);
            }
        }
    }

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
    type Fruit = (Vec<(Key, DocAddress)>, usize, bool);

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
        (docs, self.count, self.exact)
    }
}

/// Documents per block of [`BlockMaxima`].
const BLOCK: u32 = 512;
/// Cached maxima kept before entries of segments no longer searched are dropped.
const CACHE_ENTRIES: usize = 48;

/// The largest rank of each block of [`BLOCK`] documents of one segment, and the blocks in
/// descending order of it. Computed once per segment and rank field: a segment's values never
/// change (deletes only hide documents).
struct BlockMaxima {
    max: Vec<u64>,
    order: Vec<u32>,
}

impl BlockMaxima {
    fn of(rank: &dyn ColumnValues<u64>, max_doc: DocId) -> Self {
        let mut values = vec![0u64; BLOCK as usize];
        let max: Vec<u64> = (0..max_doc.div_ceil(BLOCK))
            .map(|b| {
                let start = b * BLOCK;
                let len = (max_doc - start).min(BLOCK) as usize;
                let block = &mut values[..len];
                rank.get_range(u64::from(start), block);
                block.iter().copied().max().unwrap_or(0)
            })
            .collect();
        let mut order: Vec<u32> = (0..max_doc.div_ceil(BLOCK)).collect();
        order.sort_by_key(|&b| Reverse(max[b as usize]));
        Self { max, order }
    }
}

/// Block maxima by segment and rank field (see [`top_of_all`]).
#[derive(Default)]
pub(crate) struct BlockMaxCache {
    entries: Mutex<HashMap<(SegmentId, &'static str), Arc<BlockMaxima>>>,
}

impl std::fmt::Debug for BlockMaxCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.entries.lock().map_or(0, |e| e.len());
        f.debug_struct("BlockMaxCache")
            .field("entries", &n)
            .finish()
    }
}

impl BlockMaxCache {
    fn get(
        &self,
        searcher: &Searcher,
        reader: &SegmentReader,
        field: &'static str,
        rank: &dyn ColumnValues<u64>,
    ) -> Arc<BlockMaxima> {
        let key = (reader.segment_id(), field);
        if let Some(found) = self.lock().get(&key) {
            return Arc::clone(found);
        }
        // Computed outside the lock: two searches may both compute it, at no harm.
        let maxima = Arc::new(BlockMaxima::of(rank, reader.max_doc()));
        let mut entries = self.lock();
        if entries.len() >= CACHE_ENTRIES {
            let live: HashSet<SegmentId> = searcher
                .segment_readers()
                .iter()
                .map(SegmentReader::segment_id)
                .collect();
            entries.retain(|(segment, _), _| live.contains(segment));
        }
        entries.insert(key, Arc::clone(&maxima));
        maxima
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<(SegmentId, &'static str), Arc<BlockMaxima>>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The page `offset..offset + limit` of every live document by the rank field `field`, in the
/// same order as [`RankCollector`], and the number of live documents — browsing the whole
/// gallery, its most frequent request. Instead of reading every document's rank, it reads the
/// blocks of [`BLOCK`] documents in descending order of their largest rank and stops at the
/// first block whose largest rank is below the page's lowest: a top-20 page of a million items
/// reads a few dozen blocks.
pub(crate) fn top_of_all(
    searcher: &Searcher,
    cache: &BlockMaxCache,
    field: &'static str,
    offset: usize,
    limit: usize,
) -> tantivy::Result<(Vec<(Key, DocAddress)>, usize)> {
    let collector = RankCollector {
        field,
        offset,
        limit,
        skip: None,
    };
    let mut fruits = Vec::with_capacity(searcher.segment_readers().len());
    let mut ranks = vec![0u64; BLOCK as usize];
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let ord = SegmentOrdinal::try_from(ord).unwrap_or(SegmentOrdinal::MAX);
        let mut segment = collector.for_segment(ord, reader)?;
        let maxima = cache.get(searcher, reader, field, segment.rank.as_ref());
        let alive = reader.alive_bitset();
        for &block in &maxima.order {
            let block_max = maxima.max.get(block as usize).copied().unwrap_or(0);
            // Full and every rank left below the lowest kept: nothing more can enter.
            if block_max < segment.floor() {
                break;
            }
            let start = block * BLOCK;
            let len = (reader.max_doc() - start).min(BLOCK) as usize;
            let values = &mut ranks[..len];
            segment.rank.get_range(u64::from(start), values);
            for (doc, &rank) in (start..).zip(values.iter()) {
                if rank >= segment.floor() && alive.is_none_or(|a| a.is_alive(doc)) {
                    segment.offer(doc, rank);
                }
            }
        }
        let (docs, _, _) = segment.harvest();
        fruits.push((docs, reader.num_docs() as usize, true));
    }
    let (docs, count, _) = collector.merge_fruits(fruits)?;
    Ok((docs, count))
}
