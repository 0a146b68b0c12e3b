//! The wasm heap: a small size-class allocator in place of the standard library's
//! dlmalloc, which was 9 KB of the shipped wasm (about 4 KB after gzip).
//!
//! ```text
//! small (up to 32 KiB)  power-of-two classes from 16 bytes, one free list each; a block
//!                       of class k is aligned to 2^k, so any alignment up to its size
//!                       holds. New blocks are cut from a bump region (64 KiB at a
//!                       time); the padding skipped to align one is cut into smaller
//!                       aligned blocks and kept, so nothing is lost.
//! large                 a power-of-two number of 64 KiB pages from the end of memory,
//!                       kept on one free list after use and reused by a request of
//!                       the same page count (so no block ever changes size).
//! ```
//!
//! Freed memory is reused and never returned (wasm memory cannot shrink), so memory
//! settles at the high-water mark of each class, which the soak benchmark checks.
//! Single-threaded, as wasm32 here is. The logic is plain Rust over addresses, tested
//! natively against a fake memory; on wasm32 `memory.grow` backs it.

use core::alloc::Layout;

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
    /// Free large blocks: each holds `[next, size]` at its start.
    large: usize,
}

/// The class of a small request, or `None` for a large one.
fn class_of(layout: Layout) -> Option<usize> {
    let need = layout.size().max(layout.align()).max(1 << MIN_CLASS);
    let class = need.next_power_of_two().trailing_zeros() as usize;
    (class <= MAX_CLASS).then_some(class)
}

/// The pages a large block of `size` bytes takes: a power of two, so few sizes occur.
fn pages_for(size: usize) -> usize {
    size.div_ceil(PAGE).max(1).next_power_of_two()
}

impl<G: FnMut(usize) -> Option<usize>> Heap<G> {
    pub const fn new(grow: G) -> Self {
        Heap { grow, free: [0; CLASSES], bump: 0, bump_end: 0, large: 0 }
    }

    /// # Safety
    /// `block` is a free block of at least 16 bytes this heap owns.
    unsafe fn push(&mut self, class: usize, block: usize) {
        if let Some(head) = self.free.get_mut(class) {
            // SAFETY: per the contract, the block is ours and unused.
            unsafe { *(block as *mut usize) = *head };
            *head = block;
        }
    }

    /// Cuts `[from, to)` (16-byte aligned) into the largest aligned blocks and keeps them.
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
        if start + size > self.bump_end || self.bump_end == 0 {
            let Some(old_end) = (self.grow)(CHUNK / PAGE) else { return core::ptr::null_mut() };
            if old_end != self.bump_end {
                // Memory grew elsewhere in between (a large block): keep the rest.
                // SAFETY: the old region's rest is ours and unused.
                unsafe { self.keep(self.bump, self.bump_end) };
                self.bump = old_end;
            }
            self.bump_end = old_end + CHUNK;
            start = (self.bump + size - 1) & !(size - 1);
        }
        // SAFETY: the padding before `start` is ours and unused.
        unsafe { self.keep(self.bump, start) };
        self.bump = start + size;
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
        let size = pages_for(layout.size()) * PAGE;
        // A freed large block of the same size.
        let mut link: *mut usize = &mut self.large;
        // SAFETY: the list holds freed large blocks, each `[next, size]`.
        unsafe {
            while *link != 0 {
                let block = *link;
                let next = *(block as *const usize);
                let block_size = *((block + core::mem::size_of::<usize>()) as *const usize);
                if block_size == size {
                    *link = next;
                    return block as *mut u8;
                }
                link = block as *mut usize;
            }
        }
        match (self.grow)(size / PAGE) {
            Some(old_end) => old_end as *mut u8,
            None => core::ptr::null_mut(),
        }
    }

    /// # Safety
    /// As `GlobalAlloc::dealloc`.
    pub unsafe fn dealloc(&mut self, ptr: *mut u8, layout: Layout) {
        let block = ptr as usize;
        match class_of(layout) {
            // SAFETY: the caller gives back a block of this class.
            Some(class) => unsafe { self.push(class, block) },
            None => {
                let size = pages_for(layout.size()) * PAGE;
                // SAFETY: the block is ours, at least a page.
                unsafe {
                    *(block as *mut usize) = self.large;
                    *((block + core::mem::size_of::<usize>()) as *mut usize) = size;
                }
                self.large = block;
            }
        }
    }

    /// # Safety
    /// As `GlobalAlloc::realloc`.
    pub unsafe fn realloc(&mut self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
            return core::ptr::null_mut();
        };
        let same = match (class_of(layout), class_of(new_layout)) {
            (Some(a), Some(b)) => a == b,
            (None, None) => pages_for(layout.size()) == pages_for(new_size),
            _ => false,
        };
        if same {
            return ptr;
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

    fn grow(pages: usize) -> Option<usize> {
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

    /// xorshift: a fixed, repeatable stream.
    fn rng(mut x: u64) -> impl FnMut() -> u64 {
        move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        }
    }

    #[test]
    fn random_workload_aligned_disjoint_contents_kept_and_memory_reused() {
        let mut memory = fake(512);
        let base = memory.base;
        let end_ptr: *const usize = &memory.end;
        let mut h = heap(&mut memory);
        let mut next = rng(7);
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
