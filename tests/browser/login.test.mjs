// Headless Chromium against the real birdgate on etc/demo.yaml: the demo page,
// the visitor's OAuth login through the sandbox's authorize page, Cancel, and
// the persisted login across a restart and for another visitor; then the X
// API v2 section: app-only recent search, and the OAuth 2.0 (PKCE) login
// through the sandbox's i/oauth2/authorize page (Authorize, then Cancel).
//
//   BIRDGATE_BIN=build/birdgate BIRDGATE_SOURCE=. node tests/browser/login.test.mjs
//
// (tests/browser/run installs playwright-core first; CTest runs it as
// browser.login.) Prints one line per check and "N passed, M failed"; exits
// non-zero on any failure. BROWSER_SCREENSHOT=/tmp/demo.png saves the demo page
// after a search. Chromium is Debian's /usr/bin/chromium: nothing is downloaded.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const SOURCE = path.resolve(process.env.BIRDGATE_SOURCE || path.join(here, '..', '..'));
const BIN = path.resolve(process.env.BIRDGATE_BIN || path.join(SOURCE, 'build', 'birdgate'));
const CONFIG = path.join(SOURCE, 'etc', 'demo.yaml');
const CHROMIUM = '/usr/bin/chromium';
const STEP_TIMEOUT = 15000;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'birdgate-browser-'));
const STORE = 'sqlite:' + path.join(tmp, 'birdgate.db');

// ------------------------------------------------------------ birdgate

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class Birdgate {
  constructor(port) {
    this.port = port;
    this.base = `http://127.0.0.1:${port}`;
    this.proc = null;
    this.starts = 0;
  }

  logPath() {
    return path.join(tmp, `birdgate-${this.starts}.log`);
  }

  async start() {
    this.starts += 1;
    const log = fs.openSync(this.logPath(), 'w');
    const env = { ...process.env, BIRDGATE_PORT: String(this.port), BIRDGATE_STORE: STORE,
                  BIRDGATE_STREAMS: path.join(tmp, 'streams') };
    const proc = spawn(BIN, [CONFIG], { env, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    this.proc = proc;
    this.exited = new Promise((resolve) => {
      proc.once('exit', (code, signal) => resolve({ code, signal }));
      proc.once('error', (err) => resolve({ code: null, signal: null, error: err }));
    });
    let done = null;
    this.exited.then((r) => { done = r; });
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline) {
      if (done) {
        throw new Error(`birdgate ${BIN} exited (${done.error ? done.error.message : 'code ' + done.code +
          ', signal ' + done.signal}) before listening:\n${this.logTail()}`);
      }
      if (await this.listening()) return;
      await sleep(50);
    }
    throw new Error(`nothing listens on port ${this.port} after 20 s:\n${this.logTail()}`);
  }

  listening() {
    return new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port: this.port });
      s.setTimeout(500);
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
      s.once('timeout', () => { s.destroy(); resolve(false); });
    });
  }

  // SIGTERM, wait; returns the exit code (null if it had to be killed).
  async stop(timeoutMs = 15000) {
    const proc = this.proc;
    if (!proc) return null;
    this.proc = null;
    if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
    proc.kill('SIGTERM');
    const r = await Promise.race([this.exited, sleep(timeoutMs).then(() => null)]);
    if (r === null) {
      proc.kill('SIGKILL');
      await this.exited;
      throw new Error(`birdgate did not stop within ${timeoutMs / 1000} s of SIGTERM`);
    }
    return r.code;
  }

  logTail(lines = 30) {
    try {
      return fs.readFileSync(this.logPath(), 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

// -------------------------------------------------------------- checks

const results = [];
let failed = 0;
let passed = 0;

async function check(name, fn, { needs = [] } = {}) {
  const missing = needs.filter((n) => !results.some((r) => r.name === n && r.ok));
  if (missing.length) {
    failed += 1;
    results.push({ name, ok: false });
    console.log(`FAIL ${name}: not run, it needs: ${missing.join('; ')}`);
    return false;
  }
  const t0 = Date.now();
  try {
    await fn();
    passed += 1;
    results.push({ name, ok: true });
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
    return true;
  } catch (err) {
    failed += 1;
    results.push({ name, ok: false });
    const msg = (err && err.message ? err.message : String(err)).split('\n').slice(0, 8).join('\n     ');
    console.log(`FAIL ${name}: ${msg}`);
    return false;
  }
}

function expect(cond, message) {
  if (!cond) throw new Error(message);
}

// ---------------------------------------------------------- page helpers

const CHECKS = {
  page: 'the demo page loads at / with jQuery served locally',
  login: 'log in through the sandbox as @birdgate_dev and land back on / (the Referer)',
  persistLogin: 'log in through persist/ as @gramener from /index.html and land back there',
  xLogin: 'v2: "Log in with X (OAuth 2.0)" goes through the sandbox\'s OAuth 2.0 page and lands back on /',
};

// Clicks "Show my timeline" with the automatic login off; returns
// {fail: window.lastFailMessage, status: text, user: screen name or ''}.
async function myTimeline(page) {
  await page.locator('#timeline-auto').uncheck();
  await page.evaluate(() => { window.lastFailMessage = undefined; });
  await page.locator('#timeline-button').click();
  await page.waitForFunction(() => window.lastFailMessage !== undefined && window.lastFailMessage !== null ||
    !document.querySelector('#timeline-user').hidden, null, { timeout: STEP_TIMEOUT });
  return page.evaluate(() => ({
    fail: window.lastFailMessage,
    status: document.querySelector('#timeline-status').textContent,
    user: document.querySelector('#timeline-user').hidden ? '' :
      document.querySelector('#timeline-screen-name').textContent,
    tweets: document.querySelectorAll('#timeline-result li').length,
  }));
}

// Clicks "Show the persisted timeline"; returns {user, error, tweets}.
async function persistTimeline(page) {
  await page.locator('#persist-button').click();
  await page.waitForFunction(() => document.querySelector('#persist-status .error') ||
    !document.querySelector('#persist-user').hidden, null, { timeout: STEP_TIMEOUT });
  return page.evaluate(() => ({
    user: document.querySelector('#persist-user').hidden ? '' :
      document.querySelector('#persist-screen-name').textContent,
    error: (document.querySelector('#persist-status .error') || { textContent: '' }).textContent,
    tweets: document.querySelectorAll('#persist-result li').length,
  }));
}

// Where the browser is, for failure messages: url, status line and h1 or text.
async function whereIs(page) {
  await page.waitForLoadState('load', { timeout: 5000 }).catch(() => {});
  const text = await page.evaluate(() => {
    const h1 = document.querySelector('h1');
    return (h1 ? 'h1 "' + h1.textContent.trim() + '"' : 'text "' + document.body.innerText.trim() + '"')
      .slice(0, 200);
  }).catch(() => '(no page)');
  return `${page.url()}, ${text}`;
}

async function onSandboxPage(page, base) {
  await page.waitForURL((u) => u.href.startsWith(base + '/sandbox/oauth/authorize?'), { timeout: STEP_TIMEOUT })
    .catch(async () => {
      throw new Error(`expected the sandbox's authorize page, the browser is on ${await whereIs(page)}`);
    });
  const h1 = await page.locator('h1').textContent();
  expect(/birdgate demo/.test(h1), `the sandbox page should name the app "birdgate demo", its h1 is "${h1}"`);
}

async function authorizeAs(page, base, screenName) {
  await onSandboxPage(page, base);
  await page.locator(`input[name="screen_name"][value="${screenName}"]`).check();
  await page.locator('button[name="action"][value="authorize"]').click();
}

// The sandbox's OAuth 2.0 authorize page (X's i/oauth2/authorize).
async function onSandboxV2Page(page, base) {
  await page.waitForURL((u) => u.href.startsWith(base + '/sandbox/i/oauth2/authorize?'), { timeout: STEP_TIMEOUT })
    .catch(async () => {
      throw new Error(`expected the sandbox's OAuth 2.0 authorize page, the browser is on ${await whereIs(page)}`);
    });
  const h1 = await page.locator('h1').textContent();
  expect(/birdgate demo/.test(h1), `the sandbox page should name the app "birdgate demo", its h1 is "${h1}"`);
}

// Clicks "Show me and my tweets" (v2); returns {fail, status, name, username, tweets}.
async function xMe(page) {
  await page.evaluate(() => { window.lastXFailMessage = undefined; });
  await page.locator('#x-me-button').click();
  await page.waitForFunction(() => (window.lastXFailMessage !== undefined && window.lastXFailMessage !== null) ||
    /^\d+ tweets$/.test(document.querySelector('#x-me-status').textContent), null, { timeout: STEP_TIMEOUT });
  return page.evaluate(() => ({
    fail: window.lastXFailMessage,
    status: document.querySelector('#x-me-status').textContent,
    name: document.querySelector('#x-me-user').hidden ? '' : document.querySelector('#x-me-name').textContent,
    username: document.querySelector('#x-me-user').hidden ? '' :
      document.querySelector('#x-me-username').textContent,
    tweets: document.querySelectorAll('#x-me-result li').length,
    loginLinks: document.querySelectorAll('#x-me-status a.x-login-again').length,
  }));
}

// ---------------------------------------------------------------- main

async function main() {
  for (const [what, file] of [['birdgate binary (BIRDGATE_BIN)', BIN], ['demo config', CONFIG],
    ['Chromium (run ./scripts/setup)', CHROMIUM]]) {
    if (!fs.existsSync(file)) {
      console.log(`FAIL setup: no ${what} at ${file}`);
      return 1;
    }
  }
  const port = await freePort();
  const bg = new Birdgate(port);
  running = bg;
  const base = bg.base;
  let browser = null;
  const outside = [];
  const pageErrors = [];

  console.log(`# birdgate ${BIN} on ${base}, config ${CONFIG}, store ${STORE}`);
  try {
    await bg.start();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 60000,
    });
    console.log(`# chromium ${browser.version()}, playwright-core ${await playwrightVersion()}`);

    const watch = (ctx) => {
      ctx.setDefaultTimeout(STEP_TIMEOUT);
      ctx.on('request', (req) => {
        const u = req.url();
        if (!u.startsWith(base + '/') && !u.startsWith('data:') && !u.startsWith('about:')) outside.push(u);
      });
      ctx.on('page', (p) => p.on('pageerror', (e) => pageErrors.push(`${p.url()}: ${e.message}`)));
      return ctx;
    };
    const visitor = watch(await browser.newContext());
    const page = await visitor.newPage();

    await check(CHECKS.page, async () => {
      const resp = await page.goto(base + '/');
      expect(resp && resp.status() === 200, `GET / answered ${resp && resp.status()}`);
      expect((await page.title()) === 'birdgate demo', `title is "${await page.title()}"`);
      const jq = await page.evaluate(() => window.jQuery && window.jQuery.fn.jquery);
      expect(jq, 'jQuery is not loaded (is libjs-jquery installed? run ./scripts/setup)');
    });

    await check('search: $.getJSON(twitter-open/search/tweets.json) lists tweets containing the query', async () => {
      await page.locator('#search-q').fill('beer');
      await page.locator('#search-count').fill('5');
      await page.locator('#search-button').click();
      await page.waitForFunction(() => document.querySelectorAll('#search-result li').length > 0 ||
        document.querySelector('#search-status .error'));
      const err = await page.locator('#search-status .error').count();
      expect(!err, `search failed: ${await page.locator('#search-status').textContent()}`);
      const texts = await page.locator('#search-result .text').allTextContents();
      expect(texts.length === 5, `expected 5 tweets, got ${texts.length}`);
      const bad = texts.filter((t) => !/beer/i.test(t));
      expect(!bad.length, `tweets without "beer": ${JSON.stringify(bad)}`);
      if (process.env.BROWSER_SCREENSHOT) {
        await page.screenshot({ path: process.env.BROWSER_SCREENSHOT, fullPage: true });
        console.log(`# screenshot: ${process.env.BROWSER_SCREENSHOT}`);
      }
    }, { needs: [CHECKS.page] });

    await check('POST: $.post(twitter/search) passes XSRF with jQuery\'s header and lists tweets', async () => {
      await page.locator('#post-q').fill('gramener');
      await page.locator('#post-button').click();
      await page.waitForFunction(() => document.querySelectorAll('#post-result li').length > 0 ||
        document.querySelector('#post-status .error'));
      const status = await page.locator('#post-status').textContent();
      expect(!(await page.locator('#post-status .error').count()), `POST failed: ${status}`);
    }, { needs: [CHECKS.page] });

    await check('parallel: $.when of two requests shows both durations', async () => {
      await page.locator('#parallel-button').click();
      await page.waitForFunction(() => document.querySelector('#parallel-two').textContent ||
        document.querySelector('#parallel-status .error'));
      const one = await page.locator('#parallel-one').textContent();
      const two = await page.locator('#parallel-two').textContent();
      expect(/^\d+ ms$/.test(one) && /^\d+ ms$/.test(two),
        `times "${one}" / "${two}": ${await page.locator('#parallel-status').textContent()}`);
    }, { needs: [CHECKS.page] });

    await check('before login: twitter/statuses/home_timeline.json fails with msg "access token missing"', async () => {
      const r = await myTimeline(page);
      expect(r.fail === 'access token missing', `window.lastFailMessage is ${JSON.stringify(r.fail)}` +
        ` (status shown: "${r.status}")`);
      expect(/401/.test(r.status), `the page should show the 401, it shows "${r.status}"`);
      expect(await page.locator('#timeline-status .error').isVisible(), 'the error is not visible');
    }, { needs: [CHECKS.page] });

    await check('before any persist login: persist/statuses/home_timeline.json shows 401 access token missing', async () => {
      const r = await persistTimeline(page);
      expect(/401/.test(r.error) && /access token missing/.test(r.error), `shows "${r.error}" (user "${r.user}")`);
    }, { needs: [CHECKS.page] });

    await check('Cancel on the sandbox page shows "Login cancelled" with a #retry link, no redirect loop', async () => {
      await page.goto(base + '/');
      await page.locator('#login').click();
      await onSandboxPage(page, base);
      const navs = [];
      const onReq = (req) => { if (req.isNavigationRequest() && req.frame() === page.mainFrame()) navs.push(req.url()); };
      page.on('request', onReq);
      try {
        await page.locator('button[name="action"][value="cancel"]').click();
        await page.waitForFunction(() => document.querySelector('h1') &&
          document.querySelector('h1').textContent.trim() === 'Login cancelled', null, { timeout: STEP_TIMEOUT })
          .catch(async () => { throw new Error(`after Cancel the browser is on ${await whereIs(page)}`); });
        const url = page.url();
        await sleep(1000);
        expect(page.url() === url, `the page moved on from ${url} to ${page.url()}`);
        expect(navs.length <= 3, `${navs.length} navigations after Cancel: ${navs.join(' -> ')}`);
        expect(await page.locator('a#retry').count() === 1, 'no a#retry link on the cancelled page');
      } finally {
        page.off('request', onReq);
      }
      // The retry link starts a new login: the sandbox page again.
      await page.locator('a#retry').click();
      await onSandboxPage(page, base);
    }, { needs: [CHECKS.page] });

    await check(CHECKS.login, async () => {
      // The seed's flow as is: the failed call sends the browser to twitter/.
      await page.goto(base + '/');
      await page.locator('#timeline-auto').check();
      await page.locator('#timeline-button').click();
      await authorizeAs(page, base, 'birdgate_dev');
      await page.waitForURL(base + '/', { timeout: STEP_TIMEOUT }).catch(async () => {
        throw new Error(`after Authorize the browser is on ${await whereIs(page)}, not ${base}/`);
      });
      const cookies = await visitor.cookies(base);
      const sid = cookies.find((c) => c.name === 'sid');
      expect(sid, `no sid cookie after login (cookies: ${cookies.map((c) => c.name).join(', ') || 'none'})`);
      expect(sid.httpOnly, 'the sid cookie is not HttpOnly');
    }, { needs: [CHECKS.page] });

    await check('after login: the same call shows @birdgate_dev\'s timeline', async () => {
      const r = await myTimeline(page);
      expect(r.fail === null || r.fail === undefined, `the call failed with ${JSON.stringify(r.fail)}: ${r.status}`);
      await page.waitForFunction(() => document.querySelector('#timeline-screen-name').textContent !== '');
      const user = await page.locator('#timeline-screen-name').textContent();
      expect(user === '@birdgate_dev', `the page shows the timeline of "${user}", not @birdgate_dev`);
      expect(r.tweets > 0, `no tweets shown: "${r.status}"`);
    }, { needs: [CHECKS.login] });

    await check(CHECKS.persistLogin, async () => {
      await page.goto(base + '/index.html');
      await page.locator('#persist-login').click();
      await authorizeAs(page, base, 'gramener');
      await page.waitForURL(base + '/index.html', { timeout: STEP_TIMEOUT }).catch(async () => {
        throw new Error(`after Authorize the browser is on ${await whereIs(page)}, not ${base}/index.html`);
      });
      const r = await persistTimeline(page);
      expect(r.user === '@gramener', `persist/ shows "${r.user}" ${r.error}`);
    }, { needs: [CHECKS.page] });

    const secondVisitor = async () => {
      const other = watch(await browser.newContext());
      try {
        expect(!(await other.cookies(base)).length, 'a new browser context should start without cookies');
        const p2 = await other.newPage();
        await p2.goto(base + '/');
        const r = await persistTimeline(p2);
        expect(r.user === '@gramener', `the other visitor's persist/ shows "${r.user}" ${r.error}`);
        const mine = await myTimeline(p2);
        expect(mine.fail === 'access token missing',
          `the other visitor's twitter/ call gave ${JSON.stringify(mine.fail)} (user "${mine.user}"): ` +
          'it must not get the first visitor\'s login');
        const firstSid = (await visitor.cookies(base)).find((c) => c.name === 'sid');
        const otherSid = (await other.cookies(base)).find((c) => c.name === 'sid');
        expect(!firstSid || !otherSid || firstSid.value !== otherSid.value, 'both visitors share one sid');
      } finally {
        await other.close();
      }
    };

    await check('another visitor (no cookies) uses the persisted token but not the first visitor\'s login',
      secondVisitor, { needs: [CHECKS.persistLogin] });

    // ---------------------------------------------------- X API v2
    await check('v2: x/2/tweets/search/recent (app-only bearer) lists tweets containing the query', async () => {
      await page.goto(base + '/');
      await page.locator('#x-search-q').fill('beer');
      await page.locator('#x-search-button').click();
      await page.waitForFunction(() => document.querySelectorAll('#x-search-result li').length > 0 ||
        document.querySelector('#x-search-status .error'));
      const err = await page.locator('#x-search-status .error').count();
      expect(!err, `v2 search failed: ${await page.locator('#x-search-status').textContent()}`);
      const texts = await page.locator('#x-search-result .text').allTextContents();
      expect(texts.length > 0, 'no tweets shown');
      const bad = texts.filter((t) => !/beer/i.test(t));
      expect(!bad.length, `tweets without "beer": ${JSON.stringify(bad)}`);
      const authors = await page.locator('#x-search-result .screen-name').allTextContents();
      expect(authors.length === texts.length && authors.every((a) => /^@\w+$/.test(a)),
        `authors from includes.users: ${JSON.stringify(authors)}`);
    }, { needs: [CHECKS.page] });

    await check('v2 before login: x-user/2/users/me fails with msg "access token missing" and offers the login link',
      async () => {
        await page.goto(base + '/');
        const r = await xMe(page);
        expect(r.fail === 'access token missing', `window.lastXFailMessage is ${JSON.stringify(r.fail)}` +
          ` (status shown: "${r.status}")`);
        expect(/401/.test(r.status), `the page should show the 401, it shows "${r.status}"`);
        expect(r.loginLinks === 1, `the status should offer the login link: "${r.status}"`);
        expect(!r.username, `a user is shown before login: "${r.username}"`);
      }, { needs: [CHECKS.page] });

    await check('v2: Cancel on the sandbox\'s OAuth 2.0 page shows "Login cancelled", no loop, no session', async () => {
      const other = watch(await browser.newContext());
      try {
        const p2 = await other.newPage();
        await p2.goto(base + '/');
        await p2.locator('#x-login').click();
        await onSandboxV2Page(p2, base);
        const navs = [];
        p2.on('request', (req) => { if (req.isNavigationRequest() && req.frame() === p2.mainFrame()) navs.push(req.url()); });
        await p2.locator('button[name="action"][value="cancel"]').click();
        await p2.waitForFunction(() => document.querySelector('h1') &&
          document.querySelector('h1').textContent.trim() === 'Login cancelled', null, { timeout: STEP_TIMEOUT })
          .catch(async () => { throw new Error(`after Cancel the browser is on ${await whereIs(p2)}`); });
        const url = p2.url();
        expect(url.startsWith(base + '/x-user/?') && /error=access_denied/.test(url), `the cancel page is at ${url}`);
        await sleep(1000);
        expect(p2.url() === url, `the page moved on from ${url} to ${p2.url()}`);
        expect(navs.length <= 3, `${navs.length} navigations after Cancel: ${navs.join(' -> ')}`);
        await p2.goto(base + '/');
        const r = await xMe(p2);
        expect(r.fail === 'access token missing', `after Cancel, x-user/2/users/me gave ${JSON.stringify(r.fail)}` +
          ` (user "${r.username}")`);
      } finally {
        await other.close();
      }
    }, { needs: [CHECKS.page] });

    await check(CHECKS.xLogin, async () => {
      await page.goto(base + '/');
      await page.locator('#x-login').click();
      await onSandboxV2Page(page, base);
      await page.locator('input[name="screen_name"][value="birdgate_dev"]').check();
      await page.locator('button[name="action"][value="authorize"]').click();
      await page.waitForURL(base + '/', { timeout: STEP_TIMEOUT }).catch(async () => {
        throw new Error(`after Authorize the browser is on ${await whereIs(page)}, not ${base}/`);
      });
    }, { needs: [CHECKS.page] });

    await check('v2 after login: 2/users/me shows @birdgate_dev and their tweets', async () => {
      const r = await xMe(page);
      expect(r.fail === null || r.fail === undefined, `the call failed with ${JSON.stringify(r.fail)}: ${r.status}`);
      expect(r.username === '@birdgate_dev', `the page shows "${r.username}", not @birdgate_dev`);
      expect(r.name, 'no name shown');
      expect(/^\d+ tweets$/.test(r.status), `status "${r.status}"`);
      const texts = await page.locator('#x-me-result .text').allTextContents();
      expect(texts.length === r.tweets, `${r.tweets} items, ${texts.length} texts`);
    }, { needs: [CHECKS.xLogin] });

    await check('SIGTERM stops birdgate with exit code 0', async () => {
      const code = await bg.stop();
      expect(code === 0, `exit code ${code}:\n${bg.logTail(10)}`);
    });

    await check('birdgate starts again on the same store', async () => {
      await bg.start();
    });

    await check('after the restart: persist/ still signs as @gramener', async () => {
      await page.goto(base + '/');
      const r = await persistTimeline(page);
      expect(r.user === '@gramener', `persist/ shows "${r.user}" ${r.error}`);
    }, { needs: [CHECKS.persistLogin, 'birdgate starts again on the same store'] });

    await check('after the restart: another visitor uses the persisted token but not the first visitor\'s login',
      secondVisitor, { needs: [CHECKS.persistLogin, 'birdgate starts again on the same store'] });

    await check('no JavaScript errors, nothing loaded from outside birdgate', async () => {
      expect(!pageErrors.length, `JavaScript errors: ${pageErrors.join('; ')}`);
      expect(!outside.length, `requests outside ${base}: ${outside.join(', ')}`);
    });
  } catch (err) {
    failed += 1;
    console.log(`FAIL ${err && err.message ? err.message : err}`);
  } finally {
    if (browser) await browser.close().catch(() => {});
    try {
      const code = await bg.stop();
      if (code !== null && code !== 0) {
        failed += 1;
        console.log(`FAIL birdgate exited with ${code} at the end`);
      }
    } catch (err) {
      failed += 1;
      console.log(`FAIL stopping birdgate: ${err.message}`);
    }
  }
  if (failed) {
    console.log(`# birdgate's log (${bg.logPath()}):\n${bg.logTail()}`);
  } else {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

async function playwrightVersion() {
  try {
    const pkg = path.join(here, 'node_modules', 'playwright-core', 'package.json');
    return JSON.parse(fs.readFileSync(pkg, 'utf8')).version;
  } catch {
    return '?';
  }
}

// Never leave birdgate behind: on a hard stop, Ctrl-C or CTest's timeout.
let running = null;
function killBirdgate() {
  if (running && running.proc && running.proc.exitCode === null) running.proc.kill('SIGKILL');
}
process.on('exit', killBirdgate);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    console.log(`FAIL interrupted by ${sig}`);
    killBirdgate();
    process.exit(1);
  });
}
const hardStop = setTimeout(() => {
  console.log('FAIL the test did not finish within 240 s');
  killBirdgate();
  process.exit(1);
}, 240000);
hardStop.unref();

main().then((code) => { process.exitCode = code; }, (err) => {
  console.log(`FAIL ${err && err.stack ? err.stack : err}`);
  process.exitCode = 1;
});
