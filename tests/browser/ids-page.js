// Runs the id checks in the page and writes the outcome into #result.
import { newTraceId, newSpanId } from 'spanwire';
import { checkBothIdKinds } from '../js/id-checks.mjs';

const out = document.getElementById('result');
try {
  const summaries = checkBothIdKinds(newTraceId, newSpanId);
  out.textContent = JSON.stringify({ ok: true, summaries, sample: [newTraceId(), newSpanId()] });
} catch (err) {
  out.textContent = JSON.stringify({ ok: false, error: String(err) });
}
out.dataset.done = 'true';
