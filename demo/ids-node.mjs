// Prints a few ids and a traceparent built from them, in Node.
import { newTraceId, newSpanId } from 'spanwire';

export function sample() {
  const traceId = newTraceId();
  const spanIds = [newSpanId(), newSpanId(), newSpanId()];
  return { traceId, spanIds, traceparent: `00-${traceId}-${spanIds[0]}-01` };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { traceId, spanIds, traceparent } = sample();
  console.log(`node     trace id     ${traceId}`);
  for (const id of spanIds) console.log(`node     span id      ${id}`);
  console.log(`node     traceparent  ${traceparent}`);
}
