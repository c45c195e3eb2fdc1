/**
 * A small documentation site on 127.0.0.1, served over real HTTP: robots.txt (our own group, with a disallowed
 * folder and a crawl-delay; everyone else disallowed), a sitemap index pointing at a gzip sitemap, pages with chrome
 * around the content and anchored headings, ETag / Last-Modified validators that answer 304, a redirect, a canonical
 * link, a slow page, a binary file, a PDF, a page that needs JavaScript, an endless calendar, links off the site, and
 * a folder of faults. Pages can be changed or removed between crawls; every request is recorded.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export interface RecordedRequest {
  path: string;
  userAgent: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  at: number;
}

interface Page {
  status?: number;
  type: string;
  body: string | Buffer;
  headers?: Record<string, string>;
  /** Milliseconds before the answer starts; Infinity never answers. */
  delayMs?: number;
  /** No ETag / Last-Modified: the page is always sent whole. */
  noValidators?: boolean;
}

export interface FakeDocsSite {
  readonly origin: string;
  readonly requests: RecordedRequest[];
  /** Pages served now, by path (query included); change them between crawls. */
  readonly pages: Map<string, Page>;
  requestsFor(path: string): RecordedRequest[];
  close(): Promise<void>;
}

/** A page of the site: header, navigation, cookie banner and footer around the article. */
export function docsPage(
  title: string,
  article: string,
  options: { canonical?: string; extraHead?: string } = {},
): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title} · Skyforge Docs</title>
${options.canonical ? `<link rel="canonical" href="${options.canonical}">` : ''}${options.extraHead ?? ''}
<script>window.analytics = { track() {} };</script></head>
<body>
<div id="cookie-banner" class="cookie-consent">We use cookies to improve the docs. <button>Accept all cookies</button></div>
<header class="site-header"><a href="/">Skyforge</a>
  <nav><a href="/guide/">Guide</a> <a href="/guide/install">Install</a> <a href="/blog/">Blog</a> <a href="https://status.skyforge.example/">Status</a></nav>
</header>
<div class="layout">
<aside class="sidebar"><ul><li><a href="/guide/install">Install</a></li><li><a href="/guide/configure">Configure</a></li></ul></aside>
<main><article>
${article}
<p class="edit"><a href="https://git.example/skyforge/docs/edit/main/page.md">Edit this page</a></p>
</article></main>
</div>
<footer class="site-footer">© 2026 Skyforge Inc. · <a href="/privacy">Privacy</a> · Subscribe to our newsletter</footer>
</body></html>`;
}

/** The smallest PDF with one line of text, written by hand. */
export function tinyPdf(text: string): Buffer {
  const stream = `BT /F1 18 Tf 10 100 Td (${text}) Tj ET`;
  const objects = [
    '<</Type/Catalog/Pages 2 0 R>>',
    '<</Type/Pages/Kids[3 0 R]/Count 1>>',
    '<</Type/Page/Parent 2 0 R/MediaBox[0 0 600 144]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>',
    `<</Length ${stream.length}>>\nstream\n${stream}\nendstream`,
    '<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(body.length);
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<</Size ${objects.length + 1}/Root 1 0 R>>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

function sitemap(origin: string, entries: Array<[string, string]>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${entries.map(([path, lastmod]) => `  <url><loc>${origin}${path}</loc><lastmod>${lastmod}</lastmod></url>`).join('\n')}
</urlset>`;
}

/** The site's pages at the first crawl. */
function initialPages(origin: string): Map<string, Page> {
  const pages = new Map<string, Page>();
  const html = (body: string, extra: Partial<Page> = {}): Page => ({
    type: 'text/html; charset=utf-8',
    body,
    ...extra,
  });
  pages.set('/robots.txt', {
    type: 'text/plain',
    body: `# Skyforge docs
User-agent: answerloop
Disallow: /guide/private/
Crawl-delay: 0.05

User-agent: *
Disallow: /

Sitemap: ${origin}/sitemap-index.xml
`,
  });
  pages.set('/sitemap-index.xml', {
    type: 'application/xml',
    body: `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>${origin}/sitemaps/guide.xml.gz</loc></sitemap>
</sitemapindex>`,
  });
  pages.set('/sitemaps/guide.xml.gz', {
    type: 'application/gzip',
    body: gzipSync(
      sitemap(origin, [
        ['/guide/', '2026-11-01'],
        ['/guide/install', '2026-11-02'],
        ['/guide/configure', '2026-11-03'],
        ['/guide/private/roadmap', '2026-11-04'],
        ['/guide/old-upgrade', '2026-11-05'],
        ['/guide/changelog', '2026-11-06'],
      ]),
    ),
  });
  pages.set(
    '/guide/',
    html(
      docsPage(
        'Guide',
        `<h1 id="guide">Skyforge guide</h1>
<p>Skyforge keeps files in sync across every device of a team. This guide covers installation, configuration and upgrades.</p>
<ul>
<li><a href="/guide/install#linux">Install on Linux</a></li>
<li><a href="/guide/configure">Configure sync</a></li>
<li><a href="/guide/print/configure">Printable configuration page</a></li>
<li><a href="/guide/quotas">Storage quotas</a></li>
<li><a href="/guide/slow-page">Large teams</a></li>
<li><a href="/guide/logo.png">Logo</a></li>
<li><a href="/guide/manual.pdf">The manual as PDF</a></li>
<li><a href="/guide/app">Interactive setup</a></li>
<li><a href="/guide/calendar/2026/1">Release calendar</a></li>
<li><a href="/guide/search?q=sync">Search</a></li>
<li><a href="/guide/private/roadmap">Roadmap</a></li>
<li><a href="/blog/launch">Launch post</a></li>
<li><a href="mailto:help@skyforge.example">Mail us</a></li>
</ul>`,
      ),
    ),
  );
  pages.set(
    '/guide/install',
    html(
      docsPage(
        'Install',
        `<h1 id="install">Install Skyforge</h1>
<p>Skyforge runs on Linux, macOS and Windows. Download the installer for your system from the downloads page.</p>
<h2 id="linux">On Linux <a class="headerlink" href="#linux">¶</a></h2>
<p>Install the package with apt install skyforge. The sync daemon starts at boot and listens on port 7443.</p>
<section id="windows"><h2>On Windows</h2><p>Run the MSI installer as an administrator. The tray icon turns green once the first sync finishes.</p></section>`,
      ),
    ),
  );
  pages.set(
    '/guide/configure',
    html(
      docsPage(
        'Configure',
        `<h1 id="configure">Configure sync</h1>
<p>Open Settings and choose which folders to sync. Selective sync keeps large folders off laptops.</p>
<h2 id="bandwidth">Bandwidth limits</h2>
<p>Set sync.maxUploadKbps to cap uploads per device; the default is unlimited.</p>`,
        { canonical: '/guide/configure' },
      ),
    ),
  );
  pages.set(
    '/guide/print/configure',
    html(
      docsPage(
        'Configure (print)',
        '<h1>Configure sync</h1><p>Open Settings and choose which folders to sync.</p>',
        { canonical: `${origin}/guide/configure` },
      ),
    ),
  );
  pages.set(
    '/guide/quotas',
    html(
      docsPage(
        'Quotas',
        `<h1 id="quotas">Storage quotas</h1>
<p>Every Team plan seat includes 1 TB of storage. When a team reaches its quota, uploads pause until files are removed.</p>`,
      ),
    ),
  );
  pages.set(
    '/guide/slow-page',
    html(
      docsPage(
        'Large teams',
        '<h1 id="large-teams">Large teams</h1><p>Teams above 500 seats get a dedicated relay server for faster sync.</p>',
      ),
      { delayMs: 300 },
    ),
  );
  pages.set('/guide/old-upgrade', {
    status: 301,
    type: 'text/html',
    body: '',
    headers: { location: '/guide/upgrade' },
  });
  pages.set(
    '/guide/upgrade',
    html(
      docsPage(
        'Upgrade',
        '<h1 id="upgrade">Upgrade Skyforge</h1><p>Upgrades keep your settings. Stop the daemon, install the new package, start it again.</p>',
      ),
    ),
  );
  pages.set(
    '/guide/changelog',
    html(
      docsPage(
        'Changelog',
        '<h1 id="changelog">Changelog</h1><p>Version 4.2 added selective sync for shared drives.</p>',
      ),
    ),
  );
  pages.set('/guide/logo.png', {
    type: 'image/png',
    body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0, 0x49, 0x48, 0x44, 0x52]),
  });
  pages.set('/guide/manual.pdf', {
    type: 'application/pdf',
    body: tinyPdf('The Skyforge manual covers offline mode and conflict files.'),
  });
  pages.set(
    '/guide/app',
    html(
      `<!doctype html><html><head><title>Interactive setup</title><script src="/static/app.js"></script></head><body><div id="root"></div><noscript>Enable JavaScript.</noscript></body></html>`,
    ),
  );
  pages.set(
    '/guide/private/roadmap',
    html(docsPage('Roadmap', '<h1>Secret roadmap</h1><p>Not for crawlers.</p>')),
  );
  pages.set(
    '/blog/launch',
    html(docsPage('Launch', '<h1>Launch</h1><p>The blog is not part of the guide.</p>')),
  );
  pages.set(
    '/guide/search?q=sync',
    html(docsPage('Search', '<h1>Search results</h1><p>Results for sync.</p>')),
  );
  return pages;
}

/** The calendar: every month links to the next, for ever. */
function calendarPage(path: string): Page | undefined {
  const match = /^\/guide\/calendar\/(\d+)\/(\d+)$/.exec(path);
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const next = month === 12 ? `/guide/calendar/${year + 1}/1` : `/guide/calendar/${year}/${month + 1}`;
  return {
    type: 'text/html',
    body: docsPage(
      `Calendar ${year}-${month}`,
      `<h1>Releases in ${year}-${month}</h1><p>No release this month.</p><p><a href="${next}">Next month</a></p>`,
    ),
    noValidators: true,
  };
}

export async function startFakeDocsSite(options: { robots?: string } = {}): Promise<FakeDocsSite> {
  const requests: RecordedRequest[] = [];
  let pages = new Map<string, Page>();
  const validators = (page: Page) => {
    const etag = `"${createHash('sha1').update(page.body).digest('hex').slice(0, 16)}"`;
    return { etag, lastModified: new Date(Date.UTC(2026, 10, 1)).toUTCString() };
  };
  const open = new Set<ServerResponse>();
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const path = request.url ?? '/';
    requests.push({
      path,
      userAgent: request.headers['user-agent'] ?? '',
      ...(request.headers['if-none-match'] ? { ifNoneMatch: String(request.headers['if-none-match']) } : {}),
      ...(request.headers['if-modified-since']
        ? { ifModifiedSince: String(request.headers['if-modified-since']) }
        : {}),
      at: Date.now(),
    });
    const page = pages.get(path) ?? calendarPage(path);
    if (!page) {
      response.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not found</h1>');
      return;
    }
    const send = () => {
      const headers: Record<string, string> = { 'content-type': page.type, ...page.headers };
      if (!page.noValidators && (page.status ?? 200) === 200) {
        const { etag, lastModified } = validators(page);
        headers.etag = etag;
        headers['last-modified'] = lastModified;
        if (request.headers['if-none-match'] === etag) {
          response.writeHead(304, { etag }).end();
          return;
        }
      }
      response.writeHead(page.status ?? 200, headers).end(page.body);
    };
    if (page.delayMs === Infinity) {
      open.add(response);
      return;
    }
    if (page.delayMs) setTimeout(send, page.delayMs);
    else send();
  };
  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  pages = initialPages(origin);
  if (options.robots !== undefined) pages.set('/robots.txt', { type: 'text/plain', body: options.robots });
  return {
    origin,
    requests,
    pages,
    requestsFor: (path) => requests.filter((request) => request.path === path),
    async close() {
      for (const response of open) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
