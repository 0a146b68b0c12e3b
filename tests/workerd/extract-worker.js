// A Cloudflare Worker that extracts the shared cases (tests/js/extract-cases.mjs) and
// answers with what it got: in workerd the header values reach wasm memory by the
// character-loop path, which Node never takes.
import { extractTraceContext, injectTraceContext } from 'spanwire';
import { EXTRACT_CASES, summarize } from '../js/extract-cases.mjs';

export default {
  async fetch() {
    try {
      const got = EXTRACT_CASES.map(({ name, headers }) => ({ name, got: summarize(extractTraceContext(headers), injectTraceContext) }));
      return Response.json({ ok: true, got });
    } catch (err) {
      return Response.json({ ok: false, error: String(err) }, { status: 500 });
    }
  },
};
