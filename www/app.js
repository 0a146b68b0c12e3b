// The demo page: a click starts a span, calls the demo Worker through `tracedFetch`
// (the Worker's origin is allowed in `propagateTo`, so the request carries our
// traceparent), then reads the whole trace back from the local OTLP receiver and
// draws it as a waterfall: one row per span, coloured by service.
// Bundled by demo/run.mjs with esbuild; config.json (written by the demo) says where
// the Worker and the receiver listen.
import { initLogger, configureHttp, tracedFetch } from 'spanwire';
import { childrenByParent } from './trace-tree.js';

const $ = (sel) => document.querySelector(sel);
const COLORS = ['#2b59c3', '#e07a1f', '#2a9d6f', '#8e44ad', '#c0392b', '#16a085'];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const config = await (await fetch('./config.json', { cache: 'no-store' })).json();
const logger = initLogger({
  serviceName: 'demo-browser',
  exporter: { url: config.otlpUrl, protocol: 'json' },
  batch: { delayMs: 100 },
});
// Same origin is the browser default; the Worker is another origin, so open it explicitly.
configureHttp(logger, { propagateTo: ['same-origin', config.workerOrigin] });

/** Spans of `traceId` from the receiver once the tree is whole and stable (bounded wait). */
async function loadTrace(traceId, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let spans = [];
  while (Date.now() < deadline) {
    const res = await fetch(`${config.receiverOrigin}/v1/spans?traceId=${traceId}`, { cache: 'no-store' });
    spans = await res.json();
    const ids = new Set(spans.map((s) => s.spanId));
    const parented = spans.every((s) => s.parentSpanId === undefined || ids.has(s.parentSpanId));
    // A client span that got an answer has its server span below it once that service exported.
    const answered = spans
      .filter((s) => s.kind === 'client' && s.attributes['http.response.status_code'] < 500)
      .every((c) => spans.some((s) => s.parentSpanId === c.spanId));
    if (spans.length > 0 && parented && answered && spans.length === last) return spans;
    last = parented && answered ? spans.length : -1;
    await sleep(150);
  }
  return spans;
}

/** Spans in tree order (depth first, children by start time) with their depth. */
function treeOrder(spans) {
  const children = childrenByParent(spans);
  const out = [];
  const walk = (id, depth) => {
    for (const s of children.get(id) ?? []) {
      out.push({ span: s, depth });
      walk(s.spanId, depth + 1);
    }
  };
  walk('', 0);
  return out;
}

function draw(spans, traceId) {
  if (spans.length === 0) {
    $('#summary').textContent = `trace ${traceId}: no spans reached the receiver (is it running? see the demo's output)`;
    $('#legend').replaceChildren();
    $('#waterfall').replaceChildren();
    return;
  }
  const rows = treeOrder(spans);
  const start = Math.min(...spans.map((s) => s.startMs));
  const end = Math.max(...spans.map((s) => s.startMs + s.durationMs));
  const total = Math.max(end - start, 0.001);
  const services = [...new Set(rows.map((r) => r.span.service))];
  const color = (svc) => COLORS[services.indexOf(svc) % COLORS.length];

  $('#summary').textContent =
    `trace ${traceId} · ${spans.length} spans · ${services.length} services · ${total.toFixed(1)} ms`;
  $('#legend').replaceChildren(...services.map((svc) => {
    const el = document.createElement('span');
    el.style.setProperty('--c', color(svc));
    el.textContent = svc;
    return el;
  }));

  const head = document.createElement('div');
  head.className = 'row head';
  head.innerHTML = '<div class="label" style="--depth:0">service · span</div><div class="track"></div><div class="dur">duration</div>';
  const els = rows.map(({ span, depth }) => {
    const row = document.createElement('div');
    row.className = 'row';
    row.dataset.spanId = span.spanId;
    row.dataset.service = span.service;
    row.style.setProperty('--c', color(span.service));
    const label = document.createElement('div');
    label.className = 'label';
    label.style.setProperty('--depth', depth);
    const svc = document.createElement('span');
    svc.className = 'svc';
    svc.textContent = span.service;
    const kind = document.createElement('span');
    kind.className = 'kind';
    kind.textContent = span.kind;
    label.append(svc, document.createTextNode(span.name), kind);
    label.title = span.attributes['url.full'] ?? span.name;
    const track = document.createElement('div');
    track.className = 'track';
    const bar = document.createElement('div');
    bar.className = span.status.code === 'error' ? 'bar error' : 'bar';
    bar.style.left = `${((span.startMs - start) / total) * 100}%`;
    bar.style.width = `${(span.durationMs / total) * 100}%`;
    track.append(bar);
    const dur = document.createElement('div');
    dur.className = 'dur';
    dur.textContent = `${span.durationMs.toFixed(1)} ms`;
    row.append(label, track, dur);
    return row;
  });
  $('#waterfall').replaceChildren(head, ...els);
}

$('#go').addEventListener('click', async () => {
  $('#go').disabled = true;
  $('#status').textContent = 'calling the Worker…';
  delete $('#waterfall').dataset.done;
  const root = logger.startSpan({ name: 'click #go' });
  const traceId = root.rootSpanId;
  document.body.dataset.traceId = traceId;
  try {
    const res = await tracedFetch(root, `${config.workerUrl}/api/checkout?sku=42`);
    const body = await res.json();
    $('#status').textContent = `Worker answered ${res.status}: ${body.inventory?.inStock} in stock at ${body.pricing?.priceCents} cents`;
  } catch (err) {
    root.setStatus({ code: 'error', message: String(err) });
    $('#status').textContent = `failed: ${err}`;
  } finally {
    root.end();
  }
  await logger.flush({ timeoutMs: 5000 });
  const spans = await loadTrace(traceId);
  draw(spans, traceId);
  $('#waterfall').dataset.spans = String(spans.length);
  $('#waterfall').dataset.done = '';
  $('#go').disabled = false;
});

$('#go').disabled = false;
$('#status').textContent = 'ready';
document.body.dataset.ready = '';
