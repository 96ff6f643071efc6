// churn.test.mjs - someone on a flaky network: Una stays in the room, Vlad
// leaves and joins again five times (a new participant each time).  The
// server reuses the m-lines of Vlad's ended tracks for his next ones (same
// mid, new SSRC and msid: server/sfu/negotiate.c), so after every cycle Una's
// page must show the new Vlad's picture and sound in the new Vlad's tile
// (and no tile for the old one), decode it (framesDecoded growing,
// videoWidth > 0), and her subscribe connection must not grow: at most
// 2 m-lines per other person plus 2.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Session, join, roomName, state, waitFor, waitForMedia } from './lib.mjs';

const ROOM = roomName('churn');
const CYCLES = 5;
const s = new Session();
const p = {};
let setupError = null;

before(async () => {
  await s.start();
  try {
    p.a = await s.page('una');
    p.a.id = await join(p.a, { room: ROOM, name: 'Una' });
    p.b = await s.page('vlad');
  } catch (err) {
    setupError = err;
  }
});

after(() => s.end());

// Una's subscribe connection: the m-lines of the remote description and
// what each mid carries now.
const subscribeView = (page) => page.evaluate(() => {
  const pc = window.veche.conn.sub.pc;
  const sdp = pc.remoteDescription ? pc.remoteDescription.sdp : '';
  const sections = sdp.split(/\r?\nm=/).slice(1).map((sec) => ({
    kind: sec.split(' ', 1)[0],
    mid: (/^a=mid:(\S+)/m.exec(sec) || [])[1],
    dir: (/^a=(sendonly|inactive|sendrecv|recvonly)$/m.exec(sec) || [])[1],
    msid: (/^a=msid:(\S+ \S+)/m.exec(sec) || [])[1] || null,
    ssrc: Number((/^a=ssrc:(\d+) /m.exec(sec) || [])[1] || 0),
  }));
  return { sections, transceivers: pc.getTransceivers().length };
});

// What Una's tile of participant id plays: [{kind, readyState}] and the
// video element's size.
const tileMedia = (page, id) => page.evaluate((pid) => {
  const el = document.querySelector(`[data-participant="${pid}"] video`);
  if (!el || !el.srcObject) return null;
  return {
    tracks: el.srcObject.getTracks().map((t) => ({ kind: t.kind, state: t.readyState })),
    videoWidth: el.videoWidth,
  };
}, id);

test('someone leaving and rejoining five times: the right tile, media decoded, the SDP stays small',
  { timeout: 240000 }, s.recorded(async (t) => {
    if (setupError) throw setupError;
    const ids = [];
    const mids = new Map();    // kind -> Set of mids Vlad's tracks came on
    for (let cycle = 1; cycle <= CYCLES + 1; cycle++) {
      const id = await join(p.b, { room: ROOM, name: `Vlad ${cycle}` });
      ids.push(id);
      const got = await waitForMedia(p.a, id);
      // The new Vlad's tile plays one live audio and one live video track,
      // with a picture; the previous Vlad has no tile left.
      const tile = await waitFor(async () => {
        const m = await tileMedia(p.a, id);
        return m && m.videoWidth > 0 && m.tracks.length === 2 &&
          m.tracks.every((x) => x.state === 'live') && m;
      }, { timeout: 15000, describe: async () => JSON.stringify(await tileMedia(p.a, id)) });
      assert.deepEqual(tile.tracks.map((x) => x.kind).sort(), ['audio', 'video']);
      for (const old of ids.slice(0, -1)) {
        assert.equal(await p.a.$(`[data-participant="${old}"]`), null, `no tile for ${old}`);
      }
      assert.equal(await p.a.textContent(`[data-participant="${id}"] figcaption`), `Vlad ${cycle}`);
      // What Una receives is Vlad's, mapped by mid and SSRC.
      const stats = (await p.a.evaluate(() => window.veche.stats()))
        .filter((x) => x.participant === id);
      assert.equal(stats.length, 2, JSON.stringify(stats));
      const view = await subscribeView(p.a);
      for (const st of stats) {
        const sec = view.sections.find((x) => x.mid === st.mid);
        assert.ok(sec, `mid ${st.mid} in the offer`);
        assert.equal(sec.dir, 'sendonly');
        assert.equal(sec.msid, `${id} ${st.trackId}`);
        assert.equal(sec.ssrc, st.ssrc);
        if (!mids.has(st.kind)) mids.set(st.kind, new Set());
        mids.get(st.kind).add(st.mid);
      }
      // Bounded: 2 m-lines per other person (one here) plus 2.
      assert.ok(view.sections.length <= 2 * 1 + 2,
        `${view.sections.length} m-lines: ${JSON.stringify(view.sections)}`);
      assert.ok(view.transceivers <= 2 * 1 + 2, `${view.transceivers} transceivers`);
      t.diagnostic(`cycle ${cycle}: Una <- Vlad ${JSON.stringify(got)}; m-lines ${
        JSON.stringify(view.sections.map((x) => `${x.mid}:${x.kind}:${x.dir}`))}`);
      if (cycle > CYCLES) break;
      // Leave; Una sees him go before he comes back.
      await p.b.click('#leave');
      await waitFor(async () => !(await state(p.a)).people.some((x) => x.id === id),
        { timeout: 10000 });
    }
    // The same two m-lines carried all six Vlads.
    assert.deepEqual([...mids.values()].map((x) => x.size), [1, 1],
      `mids used: ${JSON.stringify([...mids].map(([k, v]) => [k, [...v]]))}`);
    // And Vlad, the last one, gets Una.
    await waitForMedia(p.b, p.a.id);
  }));
