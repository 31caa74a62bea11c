// The built-in browser driver: the reference Waddle's real web UI, through Playwright locators.
import { defineDriver } from '../driver.ts';
import { BrowserWaddleClient } from './browser-waddle-client.ts';

export const browserDriver = defineDriver({
  name: 'browser',
  kind: 'browser',
  description: 'the Waddle web client in headless Chromium with fake camera, mic and screen (what users feel)',
  capabilities: ['chat', 'reactions', 'presence', 'voice', 'video', 'screen', 'upload', 'media', 'history'],
  // the reference client keeps its session token in page memory (its WebSocket and uploads send
  // it, and the server takes it before the cookie); the login's cookie, the last user's, is used
  // only by the driver's download, which any logged-in user may make
  isolation: 'page',
  create: ({ page, target, username }) => new BrowserWaddleClient(page, { baseUrl: target, username }),
});
