// quality.js - connection quality per person: the server's `quality` report
// (the loss it sees on each publisher's uplink) combined with what we see
// ourselves on the subscribe PeerConnection (loss on each person's tracks
// since the last sample).  The worse of the two is shown: good | fair | poor.

const LEVELS = ['good', 'fair', 'poor'];
const SERVER_STALE_MS = 7000;

function level(loss) {
  return loss < 0.02 ? 'good' : loss < 0.08 ? 'fair' : 'poor';
}

function worse(a, b) {
  if (!a) return b || null;
  if (!b) return a;
  return LEVELS.indexOf(a) >= LEVELS.indexOf(b) ? a : b;
}

export class QualityMeter {
  constructor() {
    this.server = new Map();   // id -> level, from the last `quality` event
    this.serverAt = 0;
    this.prev = new Map();     // inbound-rtp id -> {lost, received}
    this.local = new Map();    // id -> level seen by us
  }

  /** The server's `quality` event. */
  fromServer(msg) {
    this.server = new Map(Object.entries(msg.participants || {}).map(([id, v]) => [id, v.level]));
    this.serverAt = Date.now();
  }

  /** Sample our subscribe PC: per person, loss since the previous sample. */
  async sample(conn) {
    const report = conn ? await conn.subscribeStats() : null;
    const perPerson = new Map();   // id -> {lost, received}
    if (report) {
      report.forEach((s) => {
        if (s.type !== 'inbound-rtp') return;
        const info = conn.midInfo.get(s.mid);
        if (!info) return;
        const before = this.prev.get(s.id) || { lost: 0, received: 0 };
        const now = { lost: Math.max(0, s.packetsLost || 0), received: s.packetsReceived || 0 };
        this.prev.set(s.id, now);
        const sum = perPerson.get(info.participant) || { lost: 0, received: 0 };
        sum.lost += Math.max(0, now.lost - before.lost);
        sum.received += Math.max(0, now.received - before.received);
        perPerson.set(info.participant, sum);
      });
    }
    this.local = new Map();
    for (const [id, d] of perPerson) {
      if (d.lost + d.received > 0) this.local.set(id, level(d.lost / (d.lost + d.received)));
    }
  }

  /** The level to show for a person (null: nothing known). */
  levelOf(id) {
    const server = Date.now() - this.serverAt < SERVER_STALE_MS ? this.server.get(id) : null;
    return worse(server, this.local.get(id));
  }

  /** For ourselves: our uplink (the server's view) and our downlink overall. */
  ownLevel(id) {
    const server = Date.now() - this.serverAt < SERVER_STALE_MS ? this.server.get(id) : null;
    let down = null;
    for (const l of this.local.values()) down = worse(down, l);
    return worse(server, down);
  }
}
