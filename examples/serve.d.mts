import type { IncomingMessage, ServerResponse } from 'node:http';

/** The header csp.html is served with. */
export declare const STRICT_CSP: string;

/** Options of {@link startDemoServer}. */
export interface DemoServerOptions {
  /** Port on 127.0.0.1; 0 picks a free one. Default 8080. */
  port?: number;
  /** Repository root (holds examples/ and dist/). Default: the parent of examples/. */
  root?: string;
  /** A shop's own event log to train from (regenerates the data). */
  events?: string;
  /** A shop's own catalogue to serve (regenerates the data). */
  catalog?: string;
  /** Extra handlers keyed by `"METHOD /path"`, e.g. `"POST /collect"`. */
  routes?: Record<string, (req: IncomingMessage, res: ServerResponse) => void>;
  /** Run the reference collector: `POST /collect` appends to the collected log, `GET /report.json` reports it. Default true. */
  collect?: boolean;
  /** The collected log's path. Default `collected.ndjson` in the data folder. */
  collected?: string;
  log?: (line: string) => void;
}

/** A running demo server. */
export interface DemoServer {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  port: number;
  /** The reference collector's URL (the child `likewise collect`), when it runs. */
  collector?: string;
  /** The folder the data is served from (see {@link dataDir}). */
  data: string;
  close(): Promise<void>;
}

/** `examples/generated`, or `examples/generated-own` with a shop's own events or catalogue. */
export declare function dataDir(
  examples: string,
  options: { events?: string; catalog?: string },
): string;

/** Starts the demo shop's static server. */
export declare function startDemoServer(options?: DemoServerOptions): Promise<DemoServer>;

/** On SIGINT or SIGTERM, closes the demo (its collector child too) and exits 0. */
export declare function stopOnSignals(
  demo: { close(): Promise<void> },
  proc?: {
    on(signal: string, listener: () => void): unknown;
    off(signal: string, listener: () => void): unknown;
    exit(code: number): void;
  },
): void;
