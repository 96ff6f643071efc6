// reconnect.test.mjs - automatic recovery through a real Veche server.
// Two people meet; one page's network goes away (its browser context goes
// offline, so new connections fail, and its WebSocket is cut) and comes
// back a few seconds later.  With no action from anyone the page must show
// "reconnecting…", come back as the same participant (join with `resume`),
// publish and subscribe again on new PeerConnections, and media must flow
// both ways again; the other page keeps the returning person's tile in the
// same place.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Session, join, roomName, sleep, state, waitFor, waitForMedia,
} from './lib.mjs';

const ROOM = roomName('reconnect');
const s = new Session();
const p = {};
let setupError = null;

before(async () => {
  await s.start();
  try {
    p.a = await s.page('petra');
    p.a.id = await join(p.a, { room: ROOM, name: 'Petra' });
    p.b = await s.page('quinn');
    p.b.id = await join(p.b, { room: ROOM, name: 'Quinn' });
    p.c = await s.page('rita');
    p.c.id = await join(p.c, { room: ROOM, name: 'Rita' });
  } catch (err) {
    setupError = err;
  }
});

after(() => s.end());

// The order of participants' tiles on a page.
const tileOrder = (page) => page.$$eval('#grid [data-participant]', (els) =>
  els.map((el) => el.dataset.participant));

test('a page whose connection drops comes back on its own as the same participant',
  { timeout: 120000 }, s.recorded(async (t) => {
    if (setupError) throw setupError;
    await Promise.all([waitForMedia(p.a, p.b.id), waitForMedia(p.b, p.a.id), waitForMedia(p.c, p.b.id)]);
    const orderBefore = await tileOrder(p.a);
    const pcsBefore = await p.b.evaluate(() => [window.veche.conn.pub.pc, window.veche.conn.sub.pc]
      .map((pc) => pc.localDescription.sdp.match(/a=ice-ufrag:(\S+)/)[1]));
    // Cut Quinn: offline (reconnect attempts fail for a while) and the
    // WebSocket closed under the page.
    await p.b.context().setOffline(true);
    await p.b.evaluate(() => window.veche.conn.ws.close(4000, 'test: network cut'));
    await p.b.locator('#reconnecting').waitFor({ state: 'visible', timeout: 5000 });
    t.diagnostic(`banner: ${await p.b.textContent('#reconnecting-text')}`);
    // The others see Quinn leave (the server noticed the drop).
    await waitFor(async () => !(await state(p.a)).people.some((x) => x.id === p.b.id),
      { timeout: 10000 });
    await sleep(2500);
    assert.equal((await state(p.b)).connection, 'reconnecting', 'still reconnecting while offline');
    await p.b.context().setOffline(false);
    // Back without anyone doing anything: same id, banner gone.
    await waitFor(async () => {
      const st = await state(p.b);
      return st.connection === 'joined' && st.reconnects >= 1 && st;
    }, { timeout: 30000, describe: async () => JSON.stringify(await state(p.b)) });
    assert.equal((await state(p.b)).me, p.b.id, 'Quinn has the same participant id');
    await p.b.locator('#reconnecting').waitFor({ state: 'hidden', timeout: 5000 });
    await waitFor(async () => (await state(p.a)).people.some((x) => x.id === p.b.id), { timeout: 10000 });
    // New PeerConnections, media flowing again both ways.
    const pcsAfter = await p.b.evaluate(() => [window.veche.conn.pub.pc, window.veche.conn.sub.pc]
      .map((pc) => pc.localDescription.sdp.match(/a=ice-ufrag:(\S+)/)[1]));
    assert.notDeepEqual(pcsAfter, pcsBefore, 'new PeerConnections');
    const results = await Promise.all([waitForMedia(p.a, p.b.id), waitForMedia(p.c, p.b.id),
      waitForMedia(p.b, p.a.id), waitForMedia(p.b, p.c.id)]);
    t.diagnostic(`after: Petra <- Quinn ${JSON.stringify(results[0])}; Quinn <- Petra ${JSON.stringify(results[2])}`);
    // Petra's page shows Quinn's tile where it was.
    assert.deepEqual(await tileOrder(p.a), orderBefore, 'tile order kept');
    assert.equal(await p.a.textContent(`[data-participant="${p.b.id}"] figcaption`), 'Quinn');
  }));

test('a PeerConnection disconnected for over 5 s makes the page reconnect on its own',
  { timeout: 90000 }, s.recorded(async (t) => {
    if (setupError) throw setupError;
    // Rita's subscribe PeerConnection reports 'disconnected' while her
    // WebSocket stays open, as when ICE breaks on a phone moving between
    // networks.  (ICE cannot be broken on 127.0.0.1: the state is faked.)
    // Disconnected for more than 5 s means reconnecting.
    const cutAt = Date.now();
    await p.c.evaluate(() => {
      const pc = window.veche.conn.sub.pc;
      Object.defineProperty(pc, 'connectionState', { get: () => 'disconnected' });
      pc.dispatchEvent(new Event('connectionstatechange'));
    });
    await waitFor(async () => {
      const st = await state(p.c);
      return st.connection !== 'joined' || st.reconnects >= 1;
    }, { timeout: 10000, interval: 100 });
    const waited = Date.now() - cutAt;
    t.diagnostic(`reconnecting after ${waited} ms disconnected`);
    assert.ok(waited >= 4500, `reconnected too early (${waited} ms)`);
    await waitFor(async () => {
      const st = await state(p.c);
      return st.connection === 'joined' && st.reconnects >= 1;
    }, { timeout: 30000, describe: async () => JSON.stringify(await state(p.c)) });
    assert.equal((await state(p.c)).me, p.c.id, 'Rita has the same participant id');
    const r = await waitForMedia(p.a, p.c.id);
    await waitForMedia(p.c, p.a.id);
    t.diagnostic(`Petra <- Rita after recovery: ${JSON.stringify(r)}`);
  }));
