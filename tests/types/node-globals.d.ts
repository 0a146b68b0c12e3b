// The fetch globals @types/node@20 declares (from undici-types), reduced to what the
// package types and the node-* files here use, so that tests/node/types.test.mjs can
// type-check without the DOM lib, as a Node project does. Like @types/node@20, and
// unlike lib.dom, there is no `RequestInfo`: the package types must not name it.
// A global script (no import or export). Never run.

interface Headers {
  get(name: string): string | null;
  set(name: string, value: string): void;
  has(name: string): boolean;
  delete(name: string): void;
}
declare var Headers: {
  prototype: Headers;
  new (init?: Headers | Record<string, string> | [string, string][]): Headers;
};

interface RequestInit {
  method?: string;
  headers?: Headers | Record<string, string> | [string, string][];
  body?: string | null;
}

interface Request {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
}
declare var Request: { prototype: Request; new (input: string | URL | Request, init?: RequestInit): Request };

interface ResponseInit {
  status?: number;
  headers?: Headers | Record<string, string> | [string, string][];
}

interface Response {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: Headers;
  text(): Promise<string>;
}
declare var Response: { prototype: Response; new (body?: string | null, init?: ResponseInit): Response };

interface URL {
  readonly href: string;
  readonly origin: string;
  readonly protocol: string;
  readonly hostname: string;
  readonly port: string;
  readonly pathname: string;
  readonly search: string;
}
declare var URL: { prototype: URL; new (url: string | URL, base?: string | URL): URL };

declare function fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
