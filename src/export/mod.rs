//! Export policy, independent of any transport: the bounded batch queue and the
//! retry schedule. The JS side sends with `fetch`.
