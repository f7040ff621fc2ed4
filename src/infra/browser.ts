import { chromium, type Browser, type Page } from 'playwright-core';

export interface BrowserPool {
  /**
   * Runs `use` with a page from the pool and gives the page back afterwards. At most `pages` pages
   * are open at once; further callers wait their turn. A page that errored or closed is discarded.
   */
  withPage<T>(use: (page: Page) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface BrowserPoolOptions {
  /** Debian's chromium (`apt-get install chromium`); playwright-core ships no browser of its own. */
  executablePath: string;
  pages: number;
  /** Called once for each new page (e.g. to install request routes for fonts). */
  preparePage?: (page: Page) => Promise<void>;
}

/**
 * One Chromium per process, launched on first use (a process that never prints never starts it),
 * shared by every print job, with a small pool of reusable pages: starting a browser costs about
 * a second, a page tens of milliseconds, a reused page nothing. If Chromium dies, the next caller
 * launches a fresh one.
 */
export function createBrowserPool(opts: BrowserPoolOptions): BrowserPool {
  let browser: Promise<Browser> | null = null;
  const idle: Page[] = [];
  const waiting: (() => void)[] = [];
  let open = 0;
  let closed = false;

  const launch = (): Promise<Browser> => {
    if (!browser) {
      const launching = chromium.launch({
        executablePath: opts.executablePath,
        // Hinting tuned for screens shifts glyphs in PDFs; print wants the outlines as designed.
        args: ['--font-render-hinting=none', '--disable-gpu', '--disable-dev-shm-usage'],
      });
      browser = launching;
      launching.then(
        (b) =>
          b.on('disconnected', () => {
            if (browser === launching) browser = null;
            idle.length = 0;
          }),
        () => {
          if (browser === launching) browser = null;
        },
      );
    }
    return browser;
  };

  const acquire = async (): Promise<Page> => {
    for (;;) {
      if (closed) throw new Error('The browser pool is closed');
      const page = idle.pop();
      if (page && !page.isClosed()) return page;
      if (page) {
        open -= 1;
        continue;
      }
      if (open < opts.pages) {
        open += 1;
        try {
          const fresh = await (await launch()).newPage();
          await opts.preparePage?.(fresh);
          return fresh;
        } catch (err) {
          open -= 1;
          throw new Error(`Could not start Chromium at ${opts.executablePath} (install it: apt-get install chromium): ${(err as Error).message}`, { cause: err });
        }
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  };

  const release = (page: Page, healthy: boolean) => {
    if (healthy && !closed && !page.isClosed()) idle.push(page);
    else {
      open -= 1;
      void page.close().catch(() => undefined);
    }
    waiting.shift()?.();
  };

  return {
    async withPage(use) {
      const page = await acquire();
      let healthy = false;
      try {
        const result = await use(page);
        healthy = true;
        return result;
      } finally {
        release(page, healthy);
      }
    },
    async close() {
      closed = true;
      for (const wake of waiting.splice(0)) wake();
      const running = browser;
      browser = null;
      idle.length = 0;
      if (running) await (await running.catch(() => null))?.close();
    },
  };
}
