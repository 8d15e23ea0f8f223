import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { desc, eq } from 'drizzle-orm';
import { auditLog, siteFiles, siteSettings } from '../../db/schema';
import { ShiraseError } from '../../src/lib/errors';
import { saveSiteSettings, type SiteSettingsInput } from '../../src/lib/site/save-site-settings';
import { freshDatabase, startTestSite, type TestSite } from '../support/test-server';
import { signedInStaff } from '../support/staff';
import { solidPng } from '../support/images';
import { until } from '../support/until';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { backupDatabase } from '../../src/lib/site/backup';
import { openDatabase } from '../../db/open';

const ctx = { now: Date.UTC(2026, 10, 1), actor: { kind: 'user' as const, id: 'u1', label: 'admin@example.com' } };

/** The field issues a refused save names, by field and catalog key. */
function refusal(input: SiteSettingsInput): { field: string; key: string }[] {
  const { db, dir } = freshDatabase();
  try {
    saveSiteSettings(db, input, ctx);
  } catch (error) {
    expect(error).toBeInstanceOf(ShiraseError);
    expect(db.select().from(siteSettings).all()).toEqual([]);
    expect(db.select().from(siteFiles).all()).toEqual([]);
    return (error as ShiraseError).fields.map((f) => ({ field: f.field, key: f.key }));
  } finally {
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  }
  throw new Error('the save was accepted');
}

describe('saving the site settings', () => {
  it('refuses a logo that is not an image by its content, whatever it is called', () => {
    expect(refusal({ logo: Buffer.from('<html><body>not an image</body></html>') })).toEqual([{ field: 'logo', key: 'errors.field.logoType' }]);
    expect(refusal({ favicon: Buffer.from('GIF89a\x01\x00\x01\x00') })).toEqual([{ field: 'favicon', key: 'errors.field.faviconType' }]);
  });

  it('refuses a logo over 256 KiB', () => {
    const big = solidPng('#0b5cad', 8, 300 * 1024);
    expect(refusal({ logo: big })).toEqual([{ field: 'logo', key: 'errors.field.imageTooLarge' }]);
  });

  it('refuses an SVG that could run or load anything, and accepts plain drawing', () => {
    for (const svg of [
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg"><image href="https://tracker.example/x.png"/></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><rect width="1" height="1"/></a></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div>x</div></foreignObject></svg>',
      // Namespace prefixes resolve: each of these is a script element to a browser.
      '<svg xmlns="http://www.w3.org/2000/svg" xmlns:h="http://www.w3.org/2000/svg"><h:script>alert(1)</h:script></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg"><h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script></svg>',
      '<s:svg xmlns:s="http://www.w3.org/2000/svg"><s:g><s:script>alert(1)</s:script></s:g></s:svg>',
      '<svg xmlns="http://www.w3.org/2000/svg"><g xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></g></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg"><SCRIPT>alert(1)</SCRIPT></svg>',
      // Handlers and links however spelled; loads through CSS, entities and style-sheet instructions.
      '<svg xmlns="http://www.w3.org/2000/svg" xmlns:e="http://www.w3.org/2000/svg"><rect e:onclick="alert(1)" width="1" height="1"/></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg"><rect onmouseover\n="alert(1)" width="1" height="1"/></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg" xmlns:l="http://www.w3.org/1999/xlink"><use l:href="https://tracker.example/x.svg#a"/></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg"><use href=" data:image/svg+xml,&lt;svg onload=alert(1)&gt;"/></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg"><style>@\\69mport "https://tracker.example/x.css";</style></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg"><style><![CDATA[rect { fill: url( "https://tracker.example/x" ) }]]></style></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(https://tracker.example/x)" width="1" height="1"/></svg>',
      '<?xml-stylesheet href="https://tracker.example/x.css"?><svg xmlns="http://www.w3.org/2000/svg"/>',
      '<svg xmlns="http://www.w3.org/2000/svg"><!DOCTYPE svg [<!ENTITY x "&#60;script&#62;">]>&x;</svg>',
      '<svg xmlns="http://www.w3.org/2000/svg"><animate attributeName="href" to="javascript:alert(1)"/></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg"><rect width="1"',
      '<svg xmlns="http://www.w3.org/2000/svg">' + '<g>'.repeat(100) + '</g>'.repeat(100) + '</svg>',
    ]) {
      expect(refusal({ logo: Buffer.from(svg) }), svg).toEqual([{ field: 'logo', key: 'errors.field.svgNotPlain' }]);
    }
    const { db, dir } = freshDatabase();
    saveSiteSettings(
      db,
      {
        logo: Buffer.from(
          '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="url(#g)"/></svg>',
        ),
      },
      ctx,
    );
    expect(db.select({ contentType: siteFiles.contentType }).from(siteFiles).where(eq(siteFiles.kind, 'logo')).get()).toEqual({ contentType: 'image/svg+xml' });
    // What drawing programs write: a prefixed root, editor bookkeeping, links inside the drawing, a style sheet.
    saveSiteSettings(
      db,
      {
        logo: Buffer.from(
          '<?xml version="1.0" encoding="UTF-8"?>\n<!-- Created with Inkscape -->\n<s:svg xmlns:s="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ' +
            'xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd" ' +
            'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/" viewBox="0 0 10 10" inkscape:version="1.3">' +
            '<sodipodi:namedview id="nv" pagecolor="#ffffff"/><s:metadata><rdf:RDF><dc:title>Logo</dc:title></rdf:RDF></s:metadata>' +
            '<s:style><![CDATA[.a { fill: url(#g); }]]></s:style><s:defs><s:linearGradient id="g"><s:stop offset="0" stop-color="#0b5cad"/></s:linearGradient></s:defs>' +
            '<s:g inkscape:label="Layer 1" data-name="mark"><s:path class="a" d="M0 0h10v10z"/><s:use xlink:href="#g" x="1"/></s:g></s:svg>',
        ),
      },
      ctx,
    );
    expect(db.select({ contentType: siteFiles.contentType }).from(siteFiles).where(eq(siteFiles.kind, 'logo')).get()).toEqual({ contentType: 'image/svg+xml' });
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses accent colours that text on them would not be readable on, in light and dark', () => {
    // White on #ffcc00 is about 1.6:1; dark text on #1a1a40 is about 1.1:1.
    expect(refusal({ accentColor: '#ffcc00', accentColorDark: '#1a1a40' })).toEqual([
      { field: 'accentColor', key: 'errors.field.accentContrast' },
      { field: 'accentColorDark', key: 'errors.field.accentDarkContrast' },
    ]);
    expect(refusal({ accentColor: 'blue' })).toEqual([{ field: 'accentColor', key: 'errors.field.colorFormat' }]);
  });

  it('accepts only http and https links', () => {
    expect(refusal({ mainSiteUrl: 'javascript:alert(1)', supportUrl: 'ftp://example.com/' })).toEqual([
      { field: 'mainSiteUrl', key: 'errors.field.linkNotHttp' },
      { field: 'supportUrl', key: 'errors.field.linkNotHttp' },
    ]);
    expect(refusal({ supportUrl: 'example.com/support' })).toEqual([{ field: 'supportUrl', key: 'errors.field.linkNotHttp' }]);
  });

  it('refuses a time zone that does not exist and a site name on two lines', () => {
    expect(refusal({ timeZone: 'Mars/Olympus', siteName: 'Acme\nStatus' })).toEqual([
      { field: 'siteName', key: 'errors.field.siteNameOneLine' },
      { field: 'timeZone', key: 'errors.field.timeZoneUnknown' },
    ]);
  });

  it('records every change in the audit log, with the files by hash and size, never their bytes', () => {
    const { db, dir } = freshDatabase();
    const logo = solidPng('#0b5cad');
    saveSiteSettings(db, { siteName: 'Acme Status', accentColor: '#0B5CAD', logo }, ctx);
    saveSiteSettings(db, { siteName: 'Acme Status', accentColor: '#0b5cad', removeLogo: true }, { ...ctx, now: ctx.now + 1 });
    const rows = db.select().from(auditLog).where(eq(auditLog.action, 'settings.edit')).orderBy(desc(auditLog.id)).all();
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.actorLabel === 'admin@example.com')).toBe(true);
    const first = JSON.parse(rows[1]!.after!);
    expect(first).toMatchObject({ siteName: 'Acme Status', accentColor: '#0b5cad', files: { logo: { contentType: 'image/png', bytes: logo.length } } });
    expect(first.files.theme.contentType).toBe('text/css; charset=utf-8');
    const second = JSON.parse(rows[0]!.after!);
    expect(second.files.logo).toBeUndefined();
    expect(JSON.parse(rows[0]!.before!).files.logo.bytes).toBe(logo.length);
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is in a backup, logo bytes and all', async () => {
    const { db, dir } = freshDatabase();
    const logo = solidPng('#2f5fb3');
    saveSiteSettings(db, { siteName: 'Backed Up', logo }, ctx);
    await backupDatabase(db, join(dir, 'copy.db'));
    const copy = openDatabase(join(dir, 'copy.db'));
    expect(copy.select({ siteName: siteSettings.siteName }).from(siteSettings).get()).toEqual({ siteName: 'Backed Up' });
    expect(copy.select({ body: siteFiles.body }).from(siteFiles).where(eq(siteFiles.kind, 'logo')).get()?.body.equals(logo)).toBe(true);
    copy.$client.close();
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

/** Bytes as a browser's file part. */
const asBlob = (bytes: Buffer) => new Blob([new Uint8Array(bytes)]);

/** A settings form as a browser sends it: multipart, with the files. */
async function postSettings(site: TestSite, cookie: string, fields: Record<string, string | Blob>): Promise<Response> {
  const body = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string') body.append(name, value);
    else body.append(name, value, 'upload.png');
  }
  return fetch(site.url + '/admin/settings', { method: 'POST', body, redirect: 'manual', headers: { cookie, origin: site.url } });
}

describe('branding on the public site', () => {
  let site: TestSite;
  let exportDir: string;
  beforeAll(async () => {
    site = await startTestSite({ seed: true });
    exportDir = mkdtempSync(join(tmpdir(), 'shirase-brand-export-'));
  });
  afterAll(async () => {
    await site?.close();
    rmSync(exportDir, { recursive: true, force: true });
  });

  // First, on the demo as it comes: the settings tests below brand this site and change its language.
  describe('the embed', () => {
    it('lets /embed and /ja/embed be framed by any site, and nothing else', async () => {
      for (const path of ['/embed', '/ja/embed']) {
        const res = await fetch(site.url + path);
        expect(res.status, path).toBe(200);
        expect(res.headers.get('content-security-policy'), path).toContain('frame-ancestors *');
        expect(res.headers.get('content-security-policy'), path).toContain("script-src 'self'");
        expect(res.headers.get('x-frame-options'), path).toBeNull();
      }
      expect(await (await fetch(site.url + '/ja/embed')).text()).toContain('ステータスページを開く');
      for (const path of ['/', '/ja/', '/history', '/api', '/embed.js', '/api/v2/status.json', '/styles.css']) {
        const res = await fetch(site.url + path);
        expect(res.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
        expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      }
    });

    it('shows the overall status, active incidents and a link out', async () => {
      const html = await (await fetch(site.url + '/embed', { headers: { 'accept-language': 'en' } })).text();
      expect(html).toMatch(/<h1 class="embed-status" data-indicator="\w+">/);
      expect(html).toContain('target="_blank"');
      expect(html).toContain('Open the status page');
      expect(html).not.toMatch(/<script(?![^>]*src="\/live\.js")/);
    });

    it('lists an incident as soon as it is opened, linked out of the frame', async () => {
      const { incidentId: id } = openIncident(site.db, { name: 'Embedded outage', status: 'investigating', body: 'Looking.' }, { now: Date.now() });
      const html = await until(async () => {
        const body = await (await fetch(site.url + '/embed', { headers: { 'accept-language': 'en' } })).text();
        return body.includes('Embedded outage') && body;
      });
      expect(html).toContain(`<a href="/incidents/${id}" target="_blank" rel="noopener">Embedded outage</a>`);
    });

    it('serves /embed.js as a script that reads the open status API', async () => {
      const res = await fetch(site.url + '/embed.js');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      const script = await res.text();
      expect(script).toContain("origin + '/api/v2/status.json'");
      expect(script).toContain('All Systems Operational');
      expect(script).toContain('すべてのシステムが正常に稼働しています');
      const api = await fetch(site.url + '/api/v2/status.json', { headers: { origin: 'http://elsewhere.example' } });
      expect(api.headers.get('access-control-allow-origin')).toBe('*');
    });
  });

  it('lets only admins change the settings', async () => {
    const editor = await signedInStaff(site, 'editor');
    // The demo's row holds only its uptime target.
    const before = site.db.select().from(siteSettings).all();
    expect((await editor.get('/admin/settings')).status).toBe(403);
    const res = await postSettings(site, editor.cookie, { siteName: 'Taken over' });
    expect(res.status).toBe(403);
    expect(site.db.select().from(siteSettings).all()).toEqual(before);
  });

  it('keeps what was typed when a field is refused', async () => {
    const admin = await signedInStaff(site);
    const before = site.db.select().from(siteSettings).all();
    const res = await postSettings(site, admin.cookie, {
      siteName: 'Kept Name',
      accentColor: '#ffee00',
      footerText: 'Kept footer',
      logo: asBlob(solidPng('#112233')),
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('value="Kept Name"');
    expect(html).toContain('Kept footer');
    expect(html).toContain('White text on #ffee00 has a contrast of');
    expect(site.db.select().from(siteSettings).all()).toEqual(before);
  });

  it('shows a saved logo, accent colour, links and footer on the public pages at once', async () => {
    const admin = await signedInStaff(site);
    const logo = solidPng('#0b5cad');
    const res = await postSettings(site, admin.cookie, {
      siteName: 'Acme Status',
      accentColor: '#0b5cad',
      accentColorDark: '#7cb8ff',
      mainSiteUrl: 'https://acme.example/',
      supportUrl: 'https://acme.example/support',
      footerText: 'Acme Inc.',
      footerTextJa: 'アクメ株式会社',
      customCss: '.banner { border-radius: 0; }',
      logo: asBlob(logo),
    });
    expect(res.status).toBe(303);
    const page = await (await fetch(site.url + '/', { headers: { 'accept-language': 'en' } })).text();
    const logoPath = /<img class="brand-logo" src="(\/brand\/logo-[\w-]{16}\.png)"/.exec(page)?.[1];
    const themePath = /<link rel="stylesheet" href="(\/brand\/theme-[\w-]{16}\.css)"/.exec(page)?.[1];
    expect(logoPath).toBeDefined();
    expect(themePath).toBeDefined();
    expect(page).toContain('<title>Acme Status</title>');
    expect(page).toContain('class="site-header accented"');
    expect(page).toContain('href="https://acme.example/support"');
    expect(page).toContain('Acme Inc.');
    expect(await (await fetch(site.url + '/ja/')).text()).toContain('アクメ株式会社');

    const image = await fetch(site.url + logoPath!);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(image.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(Buffer.from(await image.arrayBuffer()).equals(logo)).toBe(true);
    const theme = await (await fetch(site.url + themePath!)).text();
    expect(theme).toContain('--accent: #0b5cad');
    expect(theme).toContain('@media (prefers-color-scheme: dark) { :root { --accent: #7cb8ff; --on-accent: #121417; } }');
    expect(theme).toContain('.banner { border-radius: 0; }');
    // The stylesheet is a file of this origin: the policy still allows styles from 'self' only.
    expect((await fetch(site.url + '/')).headers.get('content-security-policy')).toContain("style-src 'self';");
    expect((await fetch(site.url + '/brand/logo-AAAAAAAAAAAAAAAA.png')).status).toBe(404);
  });

  it('uses the site name and default language set there instead of the environment', async () => {
    const admin = await signedInStaff(site);
    expect((await postSettings(site, admin.cookie, { siteName: 'Acme Status', defaultLocale: 'ja', timeZone: 'Etc/UTC' })).status).toBe(303);
    const page = await fetch(site.url + '/');
    expect(page.headers.get('content-language')).toBe('ja');
    expect(await page.text()).toContain('Etc/UTC');
    const status = (await (await fetch(site.url + '/api/v2/status.json')).json()) as { page: { name: string; time_zone: string } };
    expect(status.page).toMatchObject({ name: 'Acme Status', time_zone: 'Etc/UTC' });
  });

  it('writes the logo, favicon and stylesheet into the static copy', async () => {
    const admin = await signedInStaff(site);
    const favicon = solidPng('#b3261e', 16);
    expect(
      (
        await postSettings(site, admin.cookie, {
          accentColor: '#0b5cad',
          customCss: 'h1 { letter-spacing: .01em; }',
          logo: asBlob(solidPng('#1a7f5a')),
          favicon: asBlob(favicon),
        })
      ).status,
    ).toBe(303);
    await site.server.exportTo(exportDir);
    const index = readFileSync(join(exportDir, 'index.html'), 'utf8');
    for (const kind of ['logo', 'favicon', 'theme']) {
      const path = new RegExp(`"(/brand/${kind}-[\\w-]{16}\\.(png|css))"`).exec(index)?.[1];
      expect(path, kind).toBeDefined();
      expect(existsSync(join(exportDir, path!.slice(1))), kind).toBe(true);
    }
    expect(readFileSync(join(exportDir, /"\/(brand\/favicon-[\w-]{16}\.png)"/.exec(index)![1]!)).equals(favicon)).toBe(true);
    expect(existsSync(join(exportDir, 'embed', 'index.html'))).toBe(true);
    expect(existsSync(join(exportDir, 'ja', 'embed', 'index.html'))).toBe(true);
    expect(readFileSync(join(exportDir, 'embed.js'), 'utf8')).toContain('/api/v2/status.json');
  });
});
