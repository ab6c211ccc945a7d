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
  /** The collected log's path. Default examples/generated/collected.ndjson. */
  collected?: string;
  log?: (line: string) => void;
}

/** A running demo server. */
export interface DemoServer {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts the demo shop's static server. */
export declare function startDemoServer(options?: DemoServerOptions): Promise<DemoServer>;
