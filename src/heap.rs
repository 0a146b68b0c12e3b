//! The wasm heap: a small size-class allocator in place of the standard library's
//! dlmalloc, which was 9 KB of the shipped wasm (about 4 KB after gzip).
//!
//! ```text
//! small (up to 32 KiB)  power-of-two classes from 16 bytes, one free list each; a block
//!                       of class k is aligned to 2^k, so any alignment up to its size
//!                       holds. New blocks are cut from a bump region (64 KiB at a
//!                       time); the padding skipped to align one is cut into smaller
//!                       aligned blocks and kept, so nothing is lost.
//! large                 whole 64 KiB pages. Freed blocks are kept on one list in
//!                       address order, merged with free neighbours; a request takes
//!                       the smallest free block that holds it (the rest stays free),
//!                       else new pages from the end of memory. A block grows in place
//!                       into a free neighbour or at the end of memory, and shrinks by
//!                       freeing its tail.
//! ```
//!
//! Large blocks are whole pages, not a power of two of them: a 1 MiB string with its
//! quotes would otherwise take 2 MiB, and the export queue's byte bound
//! (`export::batch`) would hold twice the memory it counts.
//!
//! A call can stop half way without unwinding Rust: in wasm a stack overflow is thrown
//! as a JS `RangeError` by the engine's stack check, at the entry of a function or (when
//! an interrupt is pending) at a loop's head, and the JS layer carries on with this heap
//! (pkg/src/instance.js restarts the module only when the recorder was left borrowed).
//! So the heap is whole at every such point, at worst with a block leaked:
//! - the helpers that change it (`push`, `keep`, `split`, `header`) are always inlined,
//!   and `grow` (a function pointer on wasm32) is called before anything changes;
//! - `alloc` and `dealloc` change nothing before calling `small`, `large_alloc` or
//!   `large_free`, and `realloc` nothing before its calls but the last, `dealloc` of the
//!   old block once the new one is whole (an overflow there leaks the new block);
//! - the loops that walk the large list only read; the one that writes, `keep`'s, runs
//!   after the bump region stopped holding what it frees (see `small`), and each of its
//!   `push`es is two stores with no check between them.
//!
//! Freed memory is reused and never returned (wasm memory cannot shrink), so memory
//! settles at the high-water mark of each class, which the soak benchmark checks.
//! Single-threaded, as wasm32 here is. The logic is plain Rust over addresses, tested
//! natively against a fake memory; on wasm32 `memory.grow` backs it.

use core::alloc::Layout;
use core::sync::atomic::{compiler_fence, Ordering};

/// A wasm page.
pub const PAGE: usize = 65536;
const MIN_CLASS: usize = 4; // 16 bytes: room for the free-list link, and the usual alignment
const MAX_CLASS: usize = 15; // 32 KiB
const CLASSES: usize = MAX_CLASS + 1;
/// How much the bump region takes from memory at a time.
const CHUNK: usize = PAGE;

/// The size-class heap over memory that grows by pages at its end.
pub struct Heap<G: FnMut(usize) -> Option<usize>> {
    /// `grow(pages)`: adds pages at the end of memory; returns the old end (bytes).
    grow: G,
    free: [usize; CLASSES],
    bump: usize,
    bump_end: usize,
    /// Free large blocks in address order: each holds `[next, pages]` at its start.
    large: usize,
}

/// The class of a small request, or `None` for a large one.
#[inline(always)]
fn class_of(layout: Layout) -> Option<usize> {
    let need = layout.size().max(layout.align()).max(1 << MIN_CLASS);
    let class = need.next_power_of_two().trailing_zeros() as usize;
    (class <= MAX_CLASS).then_some(class)
}

/// The pages a large block of `size` bytes takes.
#[inline(always)]
fn pages_for(size: usize) -> usize {
    size.div_ceil(PAGE).max(1)
}

const WORD: usize = core::mem::size_of::<usize>();

/// The link and the page count a free large block holds at its start.
///
/// # Safety
/// `block` is a free large block of the heap (or its head link's owner).
#[inline(always)]
unsafe fn header(block: usize) -> (*mut usize, *mut usize) {
    (block as *mut usize, (block + WORD) as *mut usize)
}

/// Takes the first `pages` of the free block `block` (of `size` pages); returns what
/// its list link must now point to: the free rest, or the block's successor.
///
/// # Safety
/// `block` is on the free list, with at least `pages` pages.
#[inline(always)]
unsafe fn split(block: usize, size: usize, pages: usize) -> usize {
    // SAFETY: per the contract; the rest starts inside the block, page-aligned.
    unsafe {
        let next = *header(block).0;
        if size == pages {
            return next;
        }
        let rest = block + pages * PAGE;
        let (link, count) = header(rest);
        *link = next;
        *count = size - pages;
        rest
    }
}

impl<G: FnMut(usize) -> Option<usize>> Heap<G> {
    pub const fn new(grow: G) -> Self {
        Heap { grow, free: [0; CLASSES], bump: 0, bump_end: 0, large: 0 }
    }

    /// # Safety
    /// `block` is a free block of at least 16 bytes this heap owns.
    #[inline(always)]
    unsafe fn push(&mut self, class: usize, block: usize) {
        if let Some(head) = self.free.get_mut(class) {
            // SAFETY: per the contract, the block is ours and unused.
            unsafe { *(block as *mut usize) = *head };
            *head = block;
        }
    }

    /// Cuts `[from, to)` (16-byte aligned) into the largest aligned blocks and keeps them.
    #[inline(always)]
    unsafe fn keep(&mut self, mut from: usize, to: usize) {
        while from < to {
            let mut class = (from.trailing_zeros() as usize).min(MAX_CLASS);
            while from + (1 << class) > to {
                class -= 1;
            }
            // SAFETY: the range is unused memory we own.
            unsafe { self.push(class, from) };
            from += 1 << class;
        }
    }

    /// A block of class `class`, from its free list or the bump region.
    unsafe fn small(&mut self, class: usize) -> *mut u8 {
        let head = self.free.get(class).copied().unwrap_or(0);
        if head != 0 {
            // SAFETY: a free block holds the link to the next one.
            let next = unsafe { *(head as *const usize) };
            if let Some(slot) = self.free.get_mut(class) {
                *slot = next;
            }
            return head as *mut u8;
        }
        let size = 1usize << class;
        let mut start = (self.bump + size - 1) & !(size - 1);
        let mut rest = (0, 0); // the old bump region's rest, when a new one starts elsewhere
        if start + size > self.bump_end || self.bump_end == 0 {
            let Some(old_end) = (self.grow)(CHUNK / PAGE) else { return core::ptr::null_mut() };
            if old_end != self.bump_end {
                // Memory grew elsewhere in between (a large block): keep the rest.
                rest = (self.bump, self.bump_end);
                self.bump = old_end;
            }
            self.bump_end = old_end + CHUNK;
            start = (self.bump + size - 1) & !(size - 1);
        }
        let padding = self.bump;
        self.bump = start + size;
        // The bump region no longer holds what `keep` frees, and that is stored before
        // its loop (the fence keeps the compiler from sinking the store past it): an
        // overflow thrown at the loop's check leaves blocks not yet kept leaked, never
        // in a free list and the bump region at once.
        compiler_fence(Ordering::SeqCst);
        // SAFETY: the old region's rest and the padding before `start` are ours and unused.
        unsafe {
            self.keep(rest.0, rest.1);
            self.keep(padding, start);
        }
        start as *mut u8
    }

    /// # Safety
    /// As `GlobalAlloc::alloc`.
    pub unsafe fn alloc(&mut self, layout: Layout) -> *mut u8 {
        if let Some(class) = class_of(layout) {
            // SAFETY: forwarded.
            return unsafe { self.small(class) };
        }
        if layout.align() > PAGE {
            return core::ptr::null_mut();
        }
        // SAFETY: forwarded.
        unsafe { self.large_alloc(pages_for(layout.size())) }
    }

    /// A large block of `pages`: the rest of the smallest free block that holds them,
    /// or new pages.
    unsafe fn large_alloc(&mut self, pages: usize) -> *mut u8 {
        // SAFETY (the block): the list holds free large blocks, each with its header.
        unsafe {
            let mut best: Option<(*mut usize, usize, usize)> = None; // (link to it, block, pages)
            let mut link: *mut usize = &mut self.large;
            while *link != 0 {
                let block = *link;
                let size = *header(block).1;
                if size >= pages && !matches!(best, Some((_, _, best_size)) if best_size <= size) {
                    best = Some((link, block, size));
                }
                link = header(block).0;
            }
            if let Some((link, block, size)) = best {
                *link = split(block, size, pages);
                return block as *mut u8;
            }
        }
        match (self.grow)(pages) {
            Some(old_end) => old_end as *mut u8,
            None => core::ptr::null_mut(),
        }
    }

    /// Puts `pages` at `block` on the free list, merged with free neighbours.
    ///
    /// # Safety
    /// The pages are this heap's and unused.
    unsafe fn large_free(&mut self, block: usize, mut pages: usize) {
        // SAFETY: the list holds free large blocks in address order, each with its header.
        unsafe {
            let (mut prev, mut next) = (0, self.large);
            while next != 0 && next < block {
                prev = next;
                next = *header(next).0;
            }
            if next == block + pages * PAGE {
                pages += *header(next).1;
                next = *header(next).0;
            }
            if prev != 0 && prev + *header(prev).1 * PAGE == block {
                *header(prev).0 = next;
                *header(prev).1 += pages;
                return;
            }
            *header(block).0 = next;
            *header(block).1 = pages;
            if prev == 0 {
                self.large = block;
            } else {
                *header(prev).0 = block;
            }
        }
    }

    /// Grows the large block at `block` from `pages` to `new_pages` where it lies: into
    /// a free block right after it, or at the end of memory. Returns whether it did.
    unsafe fn large_grow(&mut self, block: usize, pages: usize, new_pages: usize) -> bool {
        let end = block + pages * PAGE;
        let need = new_pages - pages;
        // SAFETY: the list holds free large blocks, each with its header.
        unsafe {
            let mut link: *mut usize = &mut self.large;
            while *link != 0 && *link < end {
                link = header(*link).0;
            }
            if *link == end {
                let size = *header(end).1;
                if size >= need {
                    *link = split(end, size, need);
                    return true;
                }
                return false;
            }
        }
        // At the end of memory: `grow(0)` reads where it is.
        if (self.grow)(0) == Some(end) {
            return (self.grow)(need) == Some(end);
        }
        false
    }

    /// # Safety
    /// As `GlobalAlloc::dealloc`.
    pub unsafe fn dealloc(&mut self, ptr: *mut u8, layout: Layout) {
        let block = ptr as usize;
        match class_of(layout) {
            // SAFETY: the caller gives back a block of this class.
            Some(class) => unsafe { self.push(class, block) },
            // SAFETY: the caller gives back a large block of this size.
            None => unsafe { self.large_free(block, pages_for(layout.size())) },
        }
    }

    /// # Safety
    /// As `GlobalAlloc::realloc`.
    pub unsafe fn realloc(&mut self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
            return core::ptr::null_mut();
        };
        match (class_of(layout), class_of(new_layout)) {
            (Some(a), Some(b)) if a == b => return ptr,
            (None, None) => {
                let (pages, new_pages) = (pages_for(layout.size()), pages_for(new_size));
                let block = ptr as usize;
                if new_pages <= pages {
                    if new_pages < pages {
                        // SAFETY: the tail is ours and no longer used.
                        unsafe { self.large_free(block + new_pages * PAGE, pages - new_pages) };
                    }
                    return ptr;
                }
                // SAFETY: the block is ours, of `pages`.
                if unsafe { self.large_grow(block, pages, new_pages) } {
                    return ptr;
                }
            }
            _ => {}
        }
        // SAFETY: forwarded; the copy stays within both blocks.
        unsafe {
            let new = self.alloc(new_layout);
            if !new.is_null() {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            new
        }
    }
}

#[cfg(target_arch = "wasm32")]
mod global {
    use core::alloc::{GlobalAlloc, Layout};
    use core::cell::UnsafeCell;

    use super::{Heap, PAGE};
    use crate::single_thread::SingleThread;

    /// `memory.grow` on memory 0: the old end in bytes, or `None` when refused.
    type Grow = fn(usize) -> Option<usize>;

    /// Memory stops a page short of 4 GiB: a block's end address must fit a `usize`
    /// (the free list would read one ending at 2^32 as its terminator, 0).
    const MAX_PAGES: usize = (1 << 16) - 1;

    fn grow(pages: usize) -> Option<usize> {
        if core::arch::wasm32::memory_size(0).saturating_add(pages) > MAX_PAGES {
            return None;
        }
        let old = core::arch::wasm32::memory_grow(0, pages);
        (old != usize::MAX).then(|| old * PAGE)
    }

    /// The heap, in a static: the wasm32 build has one thread (see `SingleThread`).
    struct Global(SingleThread<UnsafeCell<Heap<Grow>>>);

    unsafe impl GlobalAlloc for Global {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: single-threaded, and the heap never calls back into the allocator.
            unsafe { (*self.0.get()).alloc(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: as above.
            unsafe { (*self.0.get()).dealloc(ptr, layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            // SAFETY: as above.
            unsafe { (*self.0.get()).realloc(ptr, layout, new_size) }
        }
    }

    #[global_allocator]
    static HEAP: Global = Global(SingleThread::new(UnsafeCell::new(Heap::new(grow as Grow))));
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    /// A fake memory: a page-aligned buffer that "grows" up to its size.
    struct Fake {
        base: usize,
        end: usize,
        limit: usize,
    }

    fn fake(pages: usize) -> Fake {
        let layout = Layout::from_size_align(pages * PAGE, PAGE).unwrap();
        // SAFETY: a fresh allocation, leaked for the test's life.
        let base = unsafe { std::alloc::alloc_zeroed(layout) } as usize;
        Fake { base, end: base, limit: base + pages * PAGE }
    }

    fn heap(memory: &mut Fake) -> Heap<impl FnMut(usize) -> Option<usize> + '_> {
        Heap::new(move |pages| {
            let old = memory.end;
            (old + pages * PAGE <= memory.limit).then(|| {
                memory.end += pages * PAGE;
                old
            })
        })
    }

    #[test]
    fn random_workload_aligned_disjoint_contents_kept_and_memory_reused() {
        let mut memory = fake(512);
        let base = memory.base;
        let end_ptr: *const usize = &memory.end;
        let mut h = heap(&mut memory);
        let mut next = crate::test_rng::xorshift(7);
        let mut live: Vec<(usize, Layout, u8)> = Vec::new();
        let mut high = 0;
        for round in 0..2 {
            for step in 0..8_000u32 {
                let r = next();
                if live.len() > 100 || (r % 3 == 0 && !live.is_empty()) {
                    let (ptr, layout, fill) = live.swap_remove((r as usize / 3) % live.len());
                    for i in 0..layout.size() {
                        assert_eq!(unsafe { *((ptr + i) as *const u8) }, fill, "contents kept");
                    }
                    if r % 2 == 0 {
                        unsafe { h.dealloc(ptr as *mut u8, layout) };
                    } else {
                        // Grow or shrink, keeping the prefix.
                        let new_size = 1 + (next() % 70_000) as usize;
                        let p = unsafe { h.realloc(ptr as *mut u8, layout, new_size) } as usize;
                        assert_ne!(p, 0);
                        let new_layout = Layout::from_size_align(new_size, layout.align()).unwrap();
                        for i in 0..layout.size().min(new_size) {
                            assert_eq!(unsafe { *((p + i) as *const u8) }, fill, "realloc keeps the prefix");
                        }
                        unsafe { core::ptr::write_bytes(p as *mut u8, fill, new_size) };
                        assert_eq!(p % new_layout.align(), 0);
                        live.push((p, new_layout, fill));
                    }
                    continue;
                }
                let size = match r % 10 {
                    0 => 40_000 + (next() % 100_000) as usize, // large
                    1..=3 => 1 + (next() % 2_000) as usize,
                    _ => 1 + (next() % 64) as usize,
                };
                let align = 1usize << (next() % 5);
                let layout = Layout::from_size_align(size, align).unwrap();
                let p = unsafe { h.alloc(layout) } as usize;
                assert_ne!(p, 0, "round {round} step {step}: out of memory");
                assert_eq!(p % align, 0, "aligned");
                assert!(p >= base && p + size <= unsafe { *end_ptr }, "inside memory");
                for &(q, l, _) in &live {
                    assert!(p + size <= q || q + l.size() <= p, "disjoint from live blocks");
                }
                let fill = (step % 251) as u8;
                unsafe { core::ptr::write_bytes(p as *mut u8, fill, size) };
                live.push((p, layout, fill));
            }
            for (ptr, layout, _) in live.drain(..) {
                unsafe { h.dealloc(ptr as *mut u8, layout) };
            }
            let used = unsafe { *end_ptr } - base;
            if round == 0 {
                high = used;
            } else {
                assert!(used <= high * 2, "the second round reuses memory: {used} after {high}");
            }
        }
    }

    #[test]
    fn padding_is_kept_and_reused() {
        let mut memory = fake(4);
        let end_ptr: *const usize = &memory.end;
        let mut h = heap(&mut memory);
        let small = Layout::from_size_align(16, 8).unwrap();
        let big = Layout::from_size_align(4096, 8).unwrap();
        let a = unsafe { h.alloc(small) } as usize;
        let b = unsafe { h.alloc(big) } as usize; // skips padding up to 4 KiB alignment
        assert_eq!(b % 4096, 0);
        // The padding was cut into one block of each class from 16 bytes to 2 KiB: they
        // serve the next requests of those sizes without growing memory.
        let grown = unsafe { *end_ptr };
        for class in 4..12 {
            let p = unsafe { h.alloc(Layout::from_size_align(1 << class, 8).unwrap()) } as usize;
            assert!(p > a && p < b, "class {class}: from the padding before the 4 KiB block");
            assert_eq!(p % (1 << class), 0);
        }
        assert_eq!(unsafe { *end_ptr }, grown);
    }

    fn large(pages: usize) -> Layout {
        Layout::from_size_align(pages * PAGE - 100, 8).unwrap()
    }

    #[test]
    fn large_blocks_take_whole_pages_and_free_ones_are_split_and_merged() {
        let mut memory = fake(64);
        let end_ptr: *const usize = &memory.end;
        let mut h = heap(&mut memory);
        let end = || unsafe { *end_ptr };
        // Three pages, not four: a large block is not rounded to a power of two.
        let a = unsafe { h.alloc(large(3)) } as usize;
        let b = unsafe { h.alloc(large(5)) } as usize;
        let c = unsafe { h.alloc(large(2)) } as usize;
        assert_eq!((b - a, c - b), (3 * PAGE, 5 * PAGE));
        let top = end();
        // The smallest free block that fits is used, and its rest stays free.
        unsafe { h.dealloc(b as *mut u8, large(5)) };
        unsafe { h.dealloc(a as *mut u8, large(3)) }; // merged with b's pages: 8 free
        let d = unsafe { h.alloc(large(6)) } as usize;
        assert_eq!(d, a, "a and b merged into one block of 8 pages");
        let e = unsafe { h.alloc(large(2)) } as usize;
        assert_eq!(e, a + 6 * PAGE, "the rest of the merged block");
        assert_eq!(end(), top, "no new pages");
        // Freed in any order, neighbours merge both ways.
        unsafe { h.dealloc(c as *mut u8, large(2)) };
        unsafe { h.dealloc(d as *mut u8, large(6)) };
        unsafe { h.dealloc(e as *mut u8, large(2)) };
        let f = unsafe { h.alloc(large(10)) } as usize;
        assert_eq!((f, end()), (a, top), "all ten pages are one block again");
        unsafe { h.dealloc(f as *mut u8, large(10)) };
    }

    #[test]
    fn large_blocks_grow_in_place_and_shrink_by_freeing_their_tail() {
        let mut memory = fake(64);
        let end_ptr: *const usize = &memory.end;
        let mut h = heap(&mut memory);
        let end = || unsafe { *end_ptr };
        let a = unsafe { h.alloc(large(2)) } as usize;
        unsafe { core::ptr::write_bytes(a as *mut u8, 7, 2 * PAGE - 100) };
        // At the end of memory: grows there.
        let p = unsafe { h.realloc(a as *mut u8, large(2), 4 * PAGE - 100) } as usize;
        assert_eq!((p, end()), (a, a + 4 * PAGE));
        assert_eq!(unsafe { *((a + 2 * PAGE - 101) as *const u8) }, 7, "contents kept");
        // Shrinking frees the tail, which the next request gets.
        let p = unsafe { h.realloc(a as *mut u8, large(4), PAGE - 100) } as usize;
        assert_eq!(p, a);
        let b = unsafe { h.alloc(large(3)) } as usize;
        assert_eq!((b, end()), (a + PAGE, a + 4 * PAGE));
        // Into a free neighbour: b is freed, a grows over it.
        unsafe { h.dealloc(b as *mut u8, large(3)) };
        let p = unsafe { h.realloc(a as *mut u8, large(1), 3 * PAGE - 100) } as usize;
        assert_eq!((p, end()), (a, a + 4 * PAGE));
        let c = unsafe { h.alloc(large(1)) } as usize;
        assert_eq!(c, a + 3 * PAGE, "the neighbour's rest stayed free");
        // Neither: moved, contents kept.
        let p = unsafe { h.realloc(a as *mut u8, large(3), 5 * PAGE - 100) } as usize;
        assert_eq!(p, a + 4 * PAGE);
        assert_eq!(unsafe { *((p + 2 * PAGE - 101) as *const u8) }, 7, "contents kept");
    }

    #[test]
    fn out_of_memory_is_null_not_a_panic() {
        let mut memory = fake(2);
        let mut h = heap(&mut memory);
        let huge = Layout::from_size_align(10 * PAGE, 8).unwrap();
        assert!(unsafe { h.alloc(huge) }.is_null());
        let too_aligned = Layout::from_size_align(8, 2 * PAGE).unwrap();
        assert!(unsafe { h.alloc(too_aligned) }.is_null());
    }
}
