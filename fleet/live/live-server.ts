// `--live`: an HTTP server on loopback that serves the live view of the run. It builds the page
// only when someone asks, at most once per refresh period (the build reads the run folder, about
// a second for an hour-long run), so a run nobody watches pays nothing and one watched by many
// pays once per interval.
import http from 'node:http';

export interface LiveServer {
  readonly url: string;
  close(): Promise<void>;
}

export interface LiveServerOptions {
  /** 127.0.0.1 port; 0 takes a free one */
  readonly port: number;
  /** how long a built page is served before it is built again */
  readonly refreshMs: number;
  readonly buildPage: () => Promise<string>;
}

export async function startLiveServer(options: LiveServerOptions): Promise<LiveServer> {
  let cached: { html: Promise<string>; atMs: number } | undefined;
  const page = (): Promise<string> => {
    const now = performance.now();
    if (!cached || now - cached.atMs >= options.refreshMs) {
      const html = options.buildPage();
      cached = { html, atMs: now };
      html.catch(() => (cached = undefined));
    }
    return cached.html;
  };
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url !== '/' && !req.url?.startsWith('/?'))) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('the live view is at /\n');
      return;
    }
    page().then(
      (html) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html),
      (error: unknown) => res.writeHead(503, { 'content-type': 'text/plain' }).end(`the live view cannot be built yet: ${error instanceof Error ? error.message : String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // loopback only: the view shows the target's URL and the run's figures
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
