// bigroom.test.mjs - a trainer's page with a 10,000-person course roster
// (issue 14), against the real server: the roster is imported with
// vechectl into the server's database (run.sh exports VECHE_DATA_DIR and
// VECHE_VECHECTL), the trainer's session cookie is set in the page, and
// 200 activists join over the signalling socket (bigroom_helper.py).
//
// Checks: the attendance panel shows the counts and renders within 300 ms
// of the snapshot's arrival; every redraw (the present list, the whole
// roster of 10,000 once loaded over HTTP, a search) takes under 300 ms and
// draws only the visible rows; while 200 people join, the page's event
// loop never stalls for 300 ms, and the counts end at 201/10000.
//
// On a shared, overloaded machine the page's process is itself descheduled
// for long stretches, which no page can help: the page's stall with nothing
// happening is measured first (3 s, the same 20 ms timer) and twice that is
// allowed on top of each 300 ms bound.  On an idle machine that baseline is
// a few ms; a page that rebuilt a 10,000-row list per change stalls for
// seconds on any machine.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BASE, ORIGIN, Session, state, waitFor } from './lib.mjs';

const HELPER = fileURLToPath(new URL('./bigroom_helper.py', import.meta.url));
const ROSTER = 10000;
const JOINERS = 200;
const RENDER_MS = 300;
const s = new Session();
let lesson = null;
let page = null;

before(() => s.start());
after(() => s.end());

const stats = async () => (await state(page)).attendanceStats;
let baseline = null;   // the page's longest stall with nothing happening (ms)
const bound = () => RENDER_MS + 2 * baseline;

/** The page's longest event-loop stall over ms, measured in the page. */
const stallOver = (ms) => page.evaluate((wait) => new Promise((resolve) => {
  let max = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    max = Math.max(max, now - last - 20);
    last = now;
  }, 20);
  setTimeout(() => { clearInterval(timer); resolve(max); }, wait);
}), ms);

test('bigroom: a 10,000-person roster and a training under way', { timeout: 120000 },
  s.recorded(async () => {
    const { VECHE_DATA_DIR: data, VECHE_VECHECTL: ctl } = process.env;
    assert.ok(data && ctl, 'run.sh exports VECHE_DATA_DIR and VECHE_VECHECTL');
    const out = spawnSync('python3', [HELPER, 'setup', data, ctl, String(ROSTER), String(JOINERS)],
      { encoding: 'utf8', timeout: 100000 });
    assert.equal(out.status, 0, out.stderr);
    lesson = JSON.parse(out.stdout);
    assert.equal(lesson.activists.length, JOINERS);
  }));

test('bigroom: the attendance panel renders in under 300 ms, counts first', { timeout: 60000 },
  s.recorded(async () => {
    assert.ok(lesson, 'set up');
    page = await s.page('trainer');
    const [name, value] = lesson.trainer.split('=');
    await page.context().addCookies([{ name, value, url: ORIGIN }]);
    await page.goto(`${BASE}?event=${lesson.event}`);
    await page.waitForFunction(() => window.veche.state().attendance?.total === 10000,
      null, { timeout: 30000 });
    await page.locator('#attendance').waitFor({ state: 'visible', timeout: 10000 });
    assert.equal(await page.textContent('#attendance-count'), '1/10000');
    assert.equal(await page.textContent('#att-counts'), '1 present of 10000');
    const st = await stats();
    baseline = await stallOver(3000);
    console.log(`# snapshot to panel ${st.snapshotToPanelMs.toFixed(1)} ms,`
      + ` slowest redraw ${st.maxRenderMs.toFixed(1)} ms; idle stall ${baseline.toFixed(0)} ms`);
    assert.ok(st.snapshotToPanelMs !== null && st.snapshotToPanelMs < bound(),
      `snapshot to panel: ${st.snapshotToPanelMs} ms (bound ${bound()})`);
    assert.ok(st.maxRenderMs < bound(), `slowest redraw ${st.maxRenderMs} ms`);
  }));

test('bigroom: the whole roster of 10,000 is a virtualized, searchable list', { timeout: 60000 },
  s.recorded(async () => {
    assert.ok(page, 'the trainer is in');
    await page.click('#roll-details summary');
    await page.selectOption('#att-view', 'all');
    await waitFor(async () => (await stats()).rosterLoaded && (await stats()).rows === ROSTER,
      { timeout: 30000, describe: async () => JSON.stringify(await stats()) });
    const drawn = await page.locator('#attendance-list li').count();
    assert.ok(drawn > 0 && drawn < 100, `${drawn} rows in the DOM for ${ROSTER}`);
    assert.equal(await page.getAttribute('#attendance-list li:first-child', 'aria-setsize'),
      String(ROSTER));
    // scrolled to the end, the last person is drawn
    await page.locator('#att-viewport').evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await page.locator('#attendance-list li', { hasText: 'Активист Номер 9998' })
      .waitFor({ state: 'attached', timeout: 5000 });
    await page.fill('#att-search', 'Номер 4242');
    await waitFor(async () => (await stats()).rows === 1, { timeout: 5000 });
    assert.match(await page.textContent('#attendance-list'), /Активист Номер 4242/);
    await page.fill('#att-search', '');
    await waitFor(async () => (await stats()).rows === ROSTER, { timeout: 5000 });
    const st = await stats();
    console.log(`# ${st.renders} redraws, slowest ${st.maxRenderMs.toFixed(1)} ms`);
    assert.ok(st.maxRenderMs < bound(), `slowest redraw ${st.maxRenderMs} ms (bound ${bound()})`);
  }));

test('bigroom: the page stays responsive while 200 people join', { timeout: 120000 },
  s.recorded(async () => {
    assert.ok(page, 'the trainer is in');
    await page.selectOption('#att-view', 'present');
    await page.evaluate(() => {
      window.longTasks = [];
      new PerformanceObserver((l) => { for (const e of l.getEntries()) window.longTasks.push(Math.round(e.duration)); })
        .observe({ entryTypes: ['longtask'] });
      window.lag = { max: 0, last: performance.now() };
      window.lagTimer = setInterval(() => {
        const now = performance.now();
        window.lag.max = Math.max(window.lag.max, now - window.lag.last - 20);
        window.lag.last = now;
      }, 20);
    });
    // VECHE_PROFILE=1: where the page's time goes while they join (CDP).
    const cdp = process.env.VECHE_PROFILE ? await page.context().newCDPSession(page) : null;
    if (cdp) { await cdp.send('Profiler.enable'); await cdp.send('Profiler.start'); }
    const port = new URL(BASE).port;
    const joiner = spawn('python3', [HELPER, 'join', port, String(lesson.event), '10'],
      { stdio: ['pipe', 'pipe', 'inherit'] });
    joiner.stdin.write(`${JSON.stringify(lesson.activists)}\n`);
    let out = '';
    joiner.stdout.on('data', (d) => { out += d; });
    try {
      await waitFor(async () => out.includes('JOINED'), { timeout: 90000, describe: () => out });
      assert.match(out, new RegExp(`JOINED ${JOINERS} `));
      await waitFor(async () => (await page.textContent('#attendance-count')) === '201/10000',
        { timeout: 20000, describe: async () => page.textContent('#attendance-count') });
      const lag = await page.evaluate(() => { clearInterval(window.lagTimer); return window.lag.max; });
      if (cdp) {
        const { profile } = await cdp.send('Profiler.stop');
        const self = new Map();
        const dt = profile.timeDeltas || [];
        const byId = new Map(profile.nodes.map((n) => [n.id, n]));
        (profile.samples || []).forEach((id, i) => {
          const f = byId.get(id).callFrame;
          const key = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
          self.set(key, (self.get(key) || 0) + (dt[i] || 0) / 1000);
        });
        const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 15);
        for (const [k, ms] of top) console.log(`# profile ${ms.toFixed(0)} ms ${k}`);
      }
      console.log(`# long tasks: ${JSON.stringify(await page.evaluate(() => window.longTasks))}`);
      const st = await stats();
      console.log(`# while ${JOINERS} joined: longest stall ${lag.toFixed(0)} ms,`
        + ` slowest redraw ${st.maxRenderMs.toFixed(1)} ms (idle stall ${baseline.toFixed(0)} ms)`);
      assert.ok(lag < bound(), `the page stalled ${lag} ms (bound ${bound()})`);
      assert.ok(st.maxRenderMs < bound(), `slowest redraw ${st.maxRenderMs} ms (bound ${bound()})`);
      assert.equal((await state(page)).attendance.people.length, 201);
    } finally {
      joiner.stdin.end();
      await new Promise((r) => joiner.on('exit', r));
    }
    await page.context().close();
  }));
