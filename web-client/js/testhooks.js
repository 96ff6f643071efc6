// testhooks.js - window.veche, for the browser tests: the connection, what
// each remote track receives (stats) and what the page shows as data
// (state).  Read-only: nothing here changes the page.
//
//   window.veche.conn      the VecheConnection (or null)
//   window.veche.stats()   per remote track {participant, kind, source,
//                          videoWidth, framesDecoded, packetsReceived, bytesReceived,
//                          audioEnergy (totalAudioEnergy: what was heard), ...}
//   window.veche.state()   {connection, room, kind, me, role, people, chat, event,
//                          access, account, attendance, quorum, agenda, speakers, ...}

let app = null;   // {conn(), state, media, tiles, account(), attendance} from app.js

/** Per remote track being received: what arrives and what is decoded. */
async function stats() {
  const conn = app.conn();
  if (!conn) return [];
  const report = await conn.subscribeStats();
  const inbound = [];
  if (report) report.forEach((s) => { if (s.type === 'inbound-rtp') inbound.push(s); });
  return conn.remoteTracks().map((rt) => {
    // A reused mid has had other SSRCs before: the current one counts.
    const s = inbound.find((x) => rt.ssrc != null && x.ssrc === rt.ssrc) ||
      inbound.find((x) => x.mid === rt.mid) || {};
    const tile = rt.source === 'screen' ? app.tiles.screens.get(rt.participant)
      : app.tiles.cams.get(rt.participant);
    return {
      kind: rt.kind, source: rt.source, participant: rt.participant, trackId: rt.trackId,
      mid: rt.mid, ssrc: rt.ssrc,
      videoWidth: rt.kind === 'video' ? ((tile && tile.video.videoWidth) || s.frameWidth || 0) : 0,
      framesDecoded: s.framesDecoded || 0, packetsReceived: s.packetsReceived || 0,
      bytesReceived: s.bytesReceived || 0, audioEnergy: s.totalAudioEnergy || 0,
    };
  });
}

/** What the page shows, as data. */
function snapshot() {
  const conn = app.conn();
  const { state: st, media } = app;
  return {
    connection: conn ? conn.state : 'none', room: st.room, kind: st.kind, me: st.me,
    role: st.role, locked: st.locked, speaker: st.speaker, hands: [...st.hands],
    reconnects: conn ? conn.reconnects : 0, publishing: conn ? conn.publishing() : [],
    mic: !!media.mic && media.micOn, camera: !!media.camera && media.camOn, screen: !!media.screen,
    people: st.list().map((p) => ({
      id: p.id, name: p.name, role: p.role, title: p.title, muted: p.muted, hand: p.hand,
      floor: p.floor,
      quality: p.quality, sources: Object.keys(st.sources(p.id)),
    })),
    chat: st.chat.map((m) => ({ from: m.from, name: m.name, text: m.text })),
    event: conn ? conn.event : null, access: conn ? conn.access : null,
    account: app.account ? app.account() : null,
    attendance: app.attendance && app.attendance.roll && app.attendance.roll.counts ? {
      present: app.attendance.roll.counts.present, total: app.attendance.roll.counts.total,
      people: [...app.attendance.roll.present.values()], seq: app.attendance.roll.seq,
    } : null,
    quorum: app.attendance ? app.attendance.quorum : null,
    attendanceStats: app.attendance ? { ...app.attendance.stats,
      rosterLoaded: !!(app.attendance.roll && app.attendance.roll.roster) } : null,
    agenda: st.agenda ? { current: st.agenda.current, items: st.agenda.items.map((i) => ({ ...i })) }
      : null,
    speakers: st.speakers ? { ...st.speakers, list: [...st.speakers.list] } : null,
  };
}

export function installTestHooks(hooks) {
  app = hooks;
  window.veche = {
    get conn() { return app.conn(); },
    stats,
    state: snapshot,
  };
}
