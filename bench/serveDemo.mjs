import { startDemoServer } from '../examples/serve.mjs';

/**
 * The demo shop for a benchmark, on a free port, quiet: its server answers
 * `POST /collect` itself, so seeded histories never reach the demo's
 * collected log. Not Playwright routing (test/browser's stubCollector):
 * routing turns the browser's HTTP cache off, which a shopper's browser has.
 *
 * @param {string} [root] - another checkout's root (examples/, dist/), default this one
 */
export const serveDemo = (root) =>
  startDemoServer({
    port: 0,
    root,
    log: () => {},
    collect: false,
    routes: {
      'POST /collect': (req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"accepted":true}');
      },
    },
  });
