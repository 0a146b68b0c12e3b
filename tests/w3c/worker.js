// The W3C test-suite service as a Cloudflare Worker (run in workerd by the Node test).
import * as spanwire from 'spanwire';
import { handle } from './service.mjs';

let ready = false;

export default {
  async fetch(request) {
    if (!ready) {
      spanwire.initLogger({ projectName: 'w3c-test-suite', exporter: false });
      ready = true;
    }
    try {
      const body = await request.json().catch(() => null);
      const statuses = await handle(spanwire, request.headers, body);
      return Response.json({ statuses });
    } catch (err) {
      return Response.json({ error: String(err?.stack ?? err) }, { status: 500 });
    }
  },
};
