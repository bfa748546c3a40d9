// Two attendees on one review page: one marks the partial item done; the banner changes on
// their page, and the other's page updates without a reload. Prints a JSON summary.
// usage: node page.mjs BASE_URL REVIEW_ID SCREENSHOT.png
import { chromium } from 'playwright-core';

const [base, id, shot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
const out = {};
try {
  const ctx = await browser.newContext({ viewport: { width: 1200, height: 1400 } });
  const a = await ctx.newPage();
  const b = await ctx.newPage();
  await a.goto(`${base}/reviews/${id}`);
  await b.goto(`${base}/reviews/${id}`);
  out.before = (await a.textContent('#verdict-h')).trim();
  // Mark that page B is never reloaded: a reload would lose this.
  await b.evaluate(() => { window.__notReloaded = true; });
  await b.waitForFunction(() => /Live/.test(document.getElementById('live-status').textContent), null, { timeout: 5000 });
  // Keyboard: reach the select of the partial item by its label, choose, submit.
  await a.getByLabel('Status of Rollback tested in staging').selectOption('done');
  // Page B notes the moment its banner changes, by the same clock as this script.
  await b.evaluate(() => {
    new MutationObserver(() => {
      const h = document.getElementById('verdict-h');
      if (h && /Verdict: GO$/.test(h.textContent.trim()) && !window.__changedAt) window.__changedAt = Date.now();
    }).observe(document.getElementById('live'), { childList: true, subtree: true, characterData: true });
  });
  await Promise.all([a.waitForNavigation(), a.click('#mark-7')]);
  // The change is committed once A's POST has been answered.
  const committed = Date.now();
  out.after = (await a.textContent('#verdict-h')).trim();
  await b.waitForFunction(() => /Verdict: GO$/.test(document.getElementById('verdict-h').textContent.trim()), null, { timeout: 5000 });
  const changedAt = await b.evaluate(() => window.__changedAt || Date.now());
  out.other_page_ms = Math.max(0, changedAt - committed);
  out.other = (await b.textContent('#verdict-h')).trim();
  out.other_not_reloaded = await b.evaluate(() => window.__notReloaded === true);
  out.other_status = (await b.textContent('#live-status')).trim();
  out.row = (await b.textContent('#checklist-7 .status')).trim();
  await b.screenshot({ path: shot, fullPage: false });
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
