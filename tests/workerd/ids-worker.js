// A Cloudflare Worker that uses the package: it answers with the outcome of the id
// checks, and with what happened when an id was asked for at module scope.
import { newTraceId, newSpanId } from 'spanwire';
import { checkBothIdKinds } from '../js/id-checks.mjs';

// Workers forbid crypto.getRandomValues at module scope: asking for an id here must
// throw a clear Error (not trap the module), and ids must work later in a request.
let moduleScope;
try {
  moduleScope = { id: newTraceId() };
} catch (err) {
  moduleScope = { error: String(err), cause: String(err.cause) };
}

export default {
  async fetch(request) {
    const n = Number(new URL(request.url).searchParams.get('n') ?? 100_000);
    try {
      const summaries = checkBothIdKinds(newTraceId, newSpanId, n);
      const traceparent = `00-${newTraceId()}-${newSpanId()}-01`;
      return Response.json({ ok: true, summaries, traceparent, moduleScope });
    } catch (err) {
      return Response.json({ ok: false, error: String(err), moduleScope }, { status: 500 });
    }
  },
};
