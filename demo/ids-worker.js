// A Cloudflare Worker that answers with a few ids and a traceparent built from them.
// Ids are drawn inside the request: Workers forbid randomness at module scope.
import { newTraceId, newSpanId } from 'spanwire';

export default {
  async fetch() {
    const traceId = newTraceId();
    const spanIds = [newSpanId(), newSpanId(), newSpanId()];
    return Response.json({ traceId, spanIds, traceparent: `00-${traceId}-${spanIds[0]}-01` });
  },
};
