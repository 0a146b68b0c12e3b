// The shape of a trace, shared by the page's waterfall (www/app.js) and the tree the
// demo prints (demo/run.mjs).

/**
 * The children of each span id, each list by start time; the roots (spans whose
 * parent is not among `spans`) are under ''.
 * @param {{ spanId: string, parentSpanId?: string, startMs: number }[]} spans
 * @returns {Map<string, typeof spans>}
 */
export function childrenByParent(spans) {
  const children = new Map();
  const ids = new Set(spans.map((s) => s.spanId));
  for (const s of spans) {
    const p = s.parentSpanId !== undefined && ids.has(s.parentSpanId) ? s.parentSpanId : '';
    if (!children.has(p)) children.set(p, []);
    children.get(p).push(s);
  }
  for (const list of children.values()) list.sort((a, b) => a.startMs - b.startMs);
  return children;
}
