// Spans, loggers and Braintrust slugs: the public names (implemented in logger.js).
export {
  Span, Logger, initLogger, currentLogger, startSpan, traced, flush, parseSlug, formatSlug,
} from './logger.js';
