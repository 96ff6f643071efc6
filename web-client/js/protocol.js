// protocol.js - the Veche signalling protocol v1 (docs/protocol.md) and the
// two RTCPeerConnections it drives.  No DOM code here: the UI listens to the
// events below and calls the methods.
//
//   publish PC:   our offer (sendonly tracks, each with a source) -> server
//                 answer; offered again whenever we add or drop a track
//   subscribe PC: server offer (one sendonly m-line per remote track) -> our
//                 answer; the server offers again whenever tracks come or go.
//                 An ended track's m-line goes inactive and is later reused
//                 (same mid) for another track of the same kind: `ontrack`
//                 fires again on the same receiver, and midInfo, refreshed
//                 from every offer, says whose track it now is.
//
// Recovery: when the WebSocket closes unexpectedly, nothing arrives from the
// server for DEAD_MS, a PeerConnection fails or stays disconnected for
// DISCONNECTED_GRACE_MS, or the server reports media-failed, the connection
// reconnects on its own with backoff: a new WebSocket, `join` with
// `resume: {participant, key}`, then new subscribe and publish PCs (the same
// tracks as before, if we may still send).
//
// Events (CustomEvent, data in `detail`):
//   joined / rejoined   the `joined` message (rejoined: after a reconnect)
//   participant-joined  {id, name, role, muted, hand, floor}
//   participant-left    {id, hidden}  hidden: still in the room, no longer
//                       shown to us (a training's activist whose floor ended)
//   track               {participant, trackId, kind, source, mid, track}
//   track-added         {participant, track: {id, kind, source}}
//   track-removed       {participant, trackId, source, track|null}
//   chat hand floor muted locked speaker quality   the server's event message
//   attendance attendance-delta quorum   the live roll of an event (its
//                       moderators only; protocol v2: a snapshot, then deltas)
//   vote                the event's current vote and this person's ballot (everyone in it)
//   vote-progress       how many have voted in the open vote (coalesced, everyone in it)
//   agenda              {event, items, current}  an event's agenda changed
//   speakers            {list, away, speaking, now, since, deadline, limit, item}
//                       a meeting's speakers list changed
//   room-size           {present}  a training's size, to its activists (every
//                       2 s at most, when it changed)
//   publish-stopped     {reason}  we no longer send (floor taken, refused)
//   reconnecting        {reason, attempt, delay}
//   error               {code, reason, request}  (request: the refused type)
//   closed              {reason, code}  (left, removed, or gave up)

const PC_CONFIG = { iceServers: [], bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' };
const PING_MS = 10000;
const DEAD_MS = 30000;
const DISCONNECTED_GRACE_MS = 5000;
const CONNECT_TIMEOUT_MS = 8000;
const BACKOFF_MS = [300, 1000, 2000, 4000, 8000, 15000];
// Join refusals that another attempt cannot fix.
const FATAL = new Set(['room-locked', 'room-full', 'bad-request', 'forbidden', 'blocked',
  'sign-in-required', 'no-such-event', 'not-admitted', 'invitation-expired', 'invitation-used',
  'invitation-invalid', 'unsupported', 'event-not-started', 'event-ended', 'event-cancelled']);
// Errors that end the connection for good when they come unasked (an
// administrator blocked the account): no reconnecting.
const ENDING = new Set(['blocked']);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The first BUNDLEd mid of an SDP (a place for candidates that carry none).
function firstMid(sdp) {
  const m = /^a=group:BUNDLE (\S+)/m.exec(sdp || '') || /^a=mid:(\S+)/m.exec(sdp || '');
  return m ? m[1] : null;
}

// mid -> {participant, trackId, kind, ssrc} from the a=mid / a=msid /
// a=ssrc lines of an SDP (inactive m-lines carry no msid: not listed).
function parseMsids(sdp) {
  const out = new Map();
  for (const section of sdp.split(/\r?\nm=/).slice(1)) {
    const kind = section.split(' ', 1)[0];
    const mid = /^a=mid:(\S+)/m.exec(section);
    const msid = /^a=msid:(\S+) (\S+)/m.exec(section);
    const ssrc = /^a=ssrc:(\d+) /m.exec(section);
    if (mid && msid) {
      out.set(mid[1], { participant: msid[1], trackId: msid[2], kind,
        ssrc: ssrc ? Number(ssrc[1]) : null });
    }
  }
  return out;
}

function requestError(msg) {
  return Object.assign(new Error(msg.reason || msg.code), { code: msg.code });
}

// One RTCPeerConnection plus what the protocol needs around it: a serial
// queue so offers, answers and candidates are applied in arrival order, a
// buffer for remote candidates that arrive before the remote description,
// and a watch on its connection state.
class Side {
  constructor(name, conn) {
    this.name = name;                 // 'publish' or 'subscribe'
    this.pc = new RTCPeerConnection({ ...PC_CONFIG, iceServers: conn.iceServers || [] });
    this.chain = Promise.resolve();
    this.pendingRemote = [];          // remote candidates waiting for the SDP
    this.pendingLocal = [];           // local candidates waiting for our SDP to be sent
    this.canTrickle = false;          // true once the server has our SDP
    this.discTimer = null;
    this.pc.onicecandidate = (e) => {
      // null = gathering done: "" tells the server there are no more.
      const c = e.candidate ? { candidate: e.candidate.candidate, mid: e.candidate.sdpMid }
                            : { candidate: '' };
      if (this.canTrickle) conn._sendCandidate(this.name, c);
      else this.pendingLocal.push(c);
    };
    this.pc.onconnectionstatechange = () => conn._pcState(this);
    this.pc.oniceconnectionstatechange = () => {
      if (this.pc.iceConnectionState === 'connected') conn._mark(`${this.name}-ice`);
    };
  }

  // Run fn after everything queued before it; errors are reported, not thrown.
  run(fn, conn) {
    this.chain = this.chain.then(fn).catch((err) =>
      conn._localError(`${this.name}: ${err && err.message ? err.message : err}`));
    return this.chain;
  }

  // The server now has our SDP: send the candidates gathered meanwhile.
  startTrickle(conn) {
    this.canTrickle = true;
    for (const c of this.pendingLocal.splice(0)) conn._sendCandidate(this.name, c);
  }

  async addRemoteCandidate(msg) {
    if (!this.pc.remoteDescription) {
      this.pendingRemote.push(msg);
      return;
    }
    // The server omits mid: with BUNDLE any bundled m-line will do.
    const sdpMid = msg.mid != null ? String(msg.mid) : firstMid(this.pc.remoteDescription.sdp);
    try {
      await this.pc.addIceCandidate({ candidate: msg.candidate, sdpMid });
    } catch (err) {
      // An end-of-candidates the browser does not want is harmless.
      if (msg.candidate) console.warn('[veche] addIceCandidate failed', msg.candidate, err);
    }
  }

  async flushRemote() {
    for (const msg of this.pendingRemote.splice(0)) await this.addRemoteCandidate(msg);
  }

  // Forget the callbacks, then close (sends DTLS close_notify).
  close() {
    clearTimeout(this.discTimer);
    this.pc.onicecandidate = null;
    this.pc.onconnectionstatechange = null;
    this.pc.ontrack = null;
    this.pc.close();
  }
}

export class VecheConnection extends EventTarget {
  // url: wss://host:port/ws
  constructor(url) {
    super();
    this.url = url;
    this.ws = null;
    this.state = 'idle';             // idle | joining | joined | reconnecting | closed
    this.marks = {};                 // first join's milestones: name -> performance.now() ms
    this.closed = false;
    this.joinArgs = null;            // {room, name, kind, moderatorKey} or {event}
    this.room = null;
    this.participantId = null;
    this.iceServers = [];            // from `joined`: [{urls, username, credential}]
    this.kind = null;                // meeting | training
    this.event = null;               // the event id of an event's room
    this.access = null;              // our role in that event (chair, secretary, ...)
    this.role = null;                // chair | trainer | member | activist
    this.moderatorKey = null;
    this.resumeKey = null;
    this.floor = false;
    this.muted = false;
    this.pub = null;                 // Side
    this.sub = null;                 // Side
    this.pubSources = new Map();     // publish transceiver -> source
    this.wanted = new Map();         // source -> {track, stream}: what we mean to send
    this.pubChain = Promise.resolve();
    this.midInfo = new Map();        // subscribe mid -> {participant, trackId, kind}
    this.trackInfo = new Map();      // track id -> {participant, kind, source}
    this.requests = new Map();       // request id -> {resolve, reject, type}
    this.nextId = 1;
    this.lastRx = 0;
    this.timers = [];
    this.reconnects = 0;             // successful reconnections so far
  }

  get moderator() {
    return this.role === 'chair' || this.role === 'trainer';
  }

  // May we send media now (the server decides; this mirrors its policy)?
  get maySend() {
    return this.kind !== 'training' || this.moderator || this.floor;
  }

  _emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  _send(msg) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  // Send a request with an id; resolves with the reply, rejects on `error`.
  _request(msg) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.requests.set(id, { resolve, reject, type: msg.type });
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN) {
        this.requests.delete(id);
        reject(Object.assign(new Error('not connected'), { code: 'lost' }));
        return;
      }
      this._send({ ...msg, id });
    });
  }

  _rejectAll(reason, code) {
    for (const { reject } of this.requests.values()) reject(Object.assign(new Error(reason), { code }));
    this.requests.clear();
  }

  _sendCandidate(pc, c) {
    const msg = { type: 'candidate', pc, candidate: c.candidate };
    if (c.mid != null) msg.mid = c.mid;
    this._send(msg);
  }

  _localError(reason) {
    console.error('[veche]', reason);
    this._emit('error', { code: 'client', reason });
  }

  // Open a WebSocket and make it the current one; resolves when it is open.
  _openSocket() {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url, 'veche-v1');
      this.ws = ws;
      const timer = setTimeout(() => { ws.close(); reject(new Error('connection timed out')); },
        CONNECT_TIMEOUT_MS);
      ws.onopen = () => { clearTimeout(timer); this.lastRx = Date.now(); resolve(); };
      ws.onerror = () => { clearTimeout(timer); reject(new Error(`cannot connect to ${this.url}`)); };
      ws.onmessage = (e) => { if (ws === this.ws) this._onMessage(e.data); };
      ws.onclose = (e) => {
        clearTimeout(timer);
        reject(new Error(`connection closed (${e.code})`));
        if (ws !== this.ws) return;
        const reason = e.reason || `connection closed (${e.code})`;
        // 1008 (policy) with a fatal code as its reason: e.g. blocked.
        if (e.code === 1008 && (ENDING.has(e.reason) || FATAL.has(e.reason))) {
          this._shutdown(reason, e.reason);
          return;
        }
        this._rejectAll(reason, 'lost');
        if (this.state === 'joined') this._lost(reason);
        else if (this.state === 'joining') this._shutdown(reason, 'closed');
      };
    });
  }

  // Drop the current WebSocket without telling anyone (it is being replaced).
  _dropSocket() {
    const ws = this.ws;
    this.ws = null;
    if (!ws) return;
    ws.onmessage = ws.onclose = ws.onerror = ws.onopen = null;
    try { ws.close(1000); } catch { /* already closed */ }
  }

  _joinMessage(resume) {
    const { room, name, kind, moderatorKey, event, invitation } = this.joinArgs;
    // An event's room: the server takes the room and the name from the
    // event and the signed-in person (the WebSocket carries the cookie).
    if (event || invitation) {
      const msg = { type: 'join' };
      if (event) msg.event = event;
      else if (!resume) msg.invitation = invitation;
      if (resume) msg.resume = resume;
      return msg;
    }
    const msg = { type: 'join', room, name };
    if (kind) msg.kind = kind;
    const key = this.moderatorKey || moderatorKey;
    if (key) msg.moderatorKey = key;
    if (resume) msg.resume = resume;
    return msg;
  }

  _applyJoined(j) {
    this.room = j.room;
    this.participantId = j.participant;
    this.kind = j.kind || 'meeting';
    this.role = j.role || 'member';
    this.event = j.event || null;    // an event's room: its id, our access role
    this.access = j.access || null;
    // TURN relays with credentials made for us (the server's turn_urls);
    // every RTCPeerConnection made from now on uses them.
    this.iceServers = Array.isArray(j.ice_servers) ? j.ice_servers : [];
    if (j.event && this.joinArgs) this.joinArgs.event = j.event;
    if (j.moderatorKey) this.moderatorKey = j.moderatorKey;
    this.resumeKey = j.resumeKey || null;
    this.floor = !!j.floor;
    this.muted = !!j.muted;
    this.trackInfo.clear();
    for (const p of j.participants || []) {
      for (const t of p.tracks || []) {
        this.trackInfo.set(t.id, { participant: p.id, kind: t.kind, source: t.source });
      }
    }
  }

  // Connect and join: {room, name, kind?, moderatorKey?} or {event} (an
  // event's room, as the signed-in person).  Receives the
  // others' media at once; sending is up to publish().  Resolves with the
  // `joined` message; rejects (code set for server refusals) otherwise.
  async join(args) {
    this.joinArgs = { ...args };
    this.state = 'joining';
    this._mark('join');
    let joined;
    try {
      await this._openSocket();
      this._mark('socket');
      joined = await this._request(this._joinMessage(null));
      this._mark('joined');
    } catch (err) {
      this._shutdown(err.message, err.code || 'closed');
      throw err;
    }
    this._applyJoined(joined);
    this.state = 'joined';
    this._startTimers();
    this._emit('joined', joined);
    this._subscribe();
    return joined;
  }

  _subscribe() {
    this.midInfo.clear();
    this.sub = new Side('subscribe', this);
    this.sub.pc.ontrack = (e) => this._onTrack(e);
    this._send({ type: 'subscribe' });
    this._mark('subscribe');
  }

  _startTimers() {
    this._stopTimers();
    this.timers.push(setInterval(() => this._send({ type: 'ping' }), PING_MS));
    this.timers.push(setInterval(() => {
      if (this.state === 'joined' && Date.now() - this.lastRx > DEAD_MS) {
        this._lost('no answer from the server');
      }
    }, 2000));
  }

  _stopTimers() {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  // A PeerConnection changed state: failed, or disconnected for too long,
  // means reconnecting.
  // The first time something happened since this connection was made (the
  // join's milestones, read by the browser tests: first_frame.test.mjs).
  _mark(name) {
    if (!(name in this.marks)) this.marks[name] = Math.round(performance.now());
  }

  _pcState(side) {
    const state = side.pc.connectionState;
    if (state === 'connected') this._mark(`${side.name}-connected`);
    console.debug(`[veche] ${side.name} pc ${state}`);
    if (state === 'failed') {
      this._lost(`${side.name} connection failed`);
    } else if (state === 'disconnected') {
      clearTimeout(side.discTimer);
      side.discTimer = setTimeout(() => {
        if (['disconnected', 'failed'].includes(side.pc.connectionState)) {
          this._lost(`${side.name} connection interrupted`);
        }
      }, DISCONNECTED_GRACE_MS);
    } else {
      clearTimeout(side.discTimer);
    }
  }

  // --- sending media ---

  /** Send these tracks: [{track, source, stream?}] (source: camera,
   *  microphone or screen), replacing any track of the same source. */
  publish(list) {
    for (const { track, source, stream } of list) {
      this.wanted.set(source, { track, stream: stream || new MediaStream([track]) });
    }
    return this._queuePublish();
  }

  /** Stop sending the track of `source` (e.g. the screen share). */
  unpublish(source) {
    this.wanted.delete(source);
    return this._queuePublish();
  }

  /** Put another device's track on the same m-line (no renegotiation). */
  async replaceTrack(source, track) {
    const w = this.wanted.get(source);
    if (!w) return;
    w.track = track;
    for (const [tr, src] of this.pubSources) {
      if (src === source && !tr.stopped) await tr.sender.replaceTrack(track);
    }
  }

  /** Sources being sent (or about to be). */
  publishing() {
    return [...this.wanted.keys()];
  }

  _queuePublish() {
    const run = this.pubChain.then(() => this._syncPublish());
    this.pubChain = run.catch(() => {});
    return run;
  }

  // Close the publish PC and forget what we send.
  _dropPublish(reason) {
    if (this.pub) this.pub.close();
    this.pub = null;
    this.pubSources = new Map();
    const had = this.wanted.size > 0;
    this.wanted.clear();
    if (had) this._emit('publish-stopped', { reason });
  }

  // Bring the publish PC in line with `wanted`, offering again if anything
  // changed.  Rejects with the server's error (e.g. code 'forbidden').
  async _syncPublish() {
    if (this.state !== 'joined') return;
    if (!this.pub) {
      if (this.wanted.size === 0) return;
      this.pub = new Side('publish', this);
      this.pubSources = new Map();
    }
    const side = this.pub;
    const pc = side.pc;
    const added = [];
    const removed = [];
    for (const [tr, source] of this.pubSources) {
      const w = this.wanted.get(source);
      if (w && tr.sender.track !== w.track) await tr.sender.replaceTrack(w.track);
      if (!w) removed.push(tr);
    }
    const have = new Set(this.pubSources.values());
    for (const [source, w] of this.wanted) {
      if (have.has(source)) continue;
      const tr = pc.addTransceiver(w.track, { direction: 'sendonly', streams: [w.stream] });
      this.pubSources.set(tr, source);
      added.push(tr);
    }
    if (this.wanted.size === 0) {
      // Nothing left to send: the server closes its side and removes our
      // tracks; the next publish starts a new connection.
      this.pub = null;
      this.pubSources = new Map();
      side.close();
      await this._request({ type: 'unpublish' }).catch(() => {});
      return;
    }
    for (const tr of removed) {
      await tr.sender.replaceTrack(null);
      tr.stop();
      this.pubSources.delete(tr);
    }
    if (added.length === 0 && removed.length === 0) return;
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    const sources = {};
    for (const [tr, source] of this.pubSources) if (tr.mid != null) sources[tr.mid] = source;
    let answer;
    try {
      // Our candidates go after the answer: if the server refuses the
      // offer (say, an activist without the floor), it gets none of them.
      answer = await this._request({ type: 'publish', sdp: pc.localDescription.sdp, sources });
      if (side === this.pub) side.startTrickle(this);
    } catch (err) {
      if (side !== this.pub) throw err;   // reconnected meanwhile
      if (!pc.remoteDescription) {
        // Refused before anything was connected: start from scratch.
        this._dropPublish(err.message);
      } else {
        // A refused re-offer: roll back and forget the tracks it added.
        await pc.setLocalDescription({ type: 'rollback' }).catch(() => {});
        for (const tr of added) {
          const source = this.pubSources.get(tr);
          this.pubSources.delete(tr);
          this.wanted.delete(source);
          tr.stop();
        }
      }
      throw err;
    }
    if (side !== this.pub) return;
    await side.run(async () => {
      await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
      await side.flushRemote();
    }, this);
  }

  // --- receiving media ---

  // A subscribe offer: apply it and answer, strictly one after another.
  _onSubscribeOffer(sdp) {
    const side = this.sub;
    this._mark('subscribe-offer');
    side.run(async () => {
      for (const [mid, info] of parseMsids(sdp)) this.midInfo.set(mid, info);
      await side.pc.setRemoteDescription({ type: 'offer', sdp });
      await side.flushRemote();
      const answer = await side.pc.createAnswer();
      await side.pc.setLocalDescription(answer);
      if (side !== this.sub) return;
      this._send({ type: 'answer', pc: 'subscribe', sdp: side.pc.localDescription.sdp });
      this._mark('subscribe-answer');
      side.startTrickle(this);
    }, this);
  }

  _onTrack(e) {
    this._mark('subscribe-track');
    const mid = e.transceiver && e.transceiver.mid;
    const info = this.midInfo.get(mid) || {
      participant: e.streams[0] ? e.streams[0].id : null, trackId: e.track.id, kind: e.track.kind,
    };
    const known = this.trackInfo.get(info.trackId);
    const source = known ? known.source : (e.track.kind === 'audio' ? 'microphone' : 'camera');
    this._emit('track', { ...info, kind: e.track.kind, source, mid, track: e.track });
  }

  // The receiving MediaStreamTrack of a remote track, or null.
  _receiverTrack(participant, trackId) {
    if (!this.sub) return null;
    for (const [mid, info] of this.midInfo) {
      if (info.participant !== participant || info.trackId !== trackId) continue;
      const tr = this.sub.pc.getTransceivers().find((t) => t.mid === mid);
      return tr ? tr.receiver.track : null;
    }
    return null;
  }

  /** Remote tracks being received: [{mid, participant, trackId, kind, ssrc, source, track}]. */
  remoteTracks() {
    if (!this.sub) return [];
    const out = [];
    for (const tr of this.sub.pc.getTransceivers()) {
      const info = this.midInfo.get(tr.mid);
      if (info && tr.currentDirection !== 'inactive' && !tr.stopped) {
        const known = this.trackInfo.get(info.trackId);
        out.push({ mid: tr.mid, ...info, source: known ? known.source : null,
          track: tr.receiver.track });
      }
    }
    return out;
  }

  /** getStats() of the subscribe connection (null before it exists). */
  async subscribeStats() {
    return this.sub ? this.sub.pc.getStats() : null;
  }

  // --- requests (rights are checked by the server) ---

  /** Any request; resolves when the server has done it. */
  request(type, fields = {}) {
    return this._request({ type, ...fields });
  }

  chat(text) { return this.request('chat', { text }); }
  raiseHand() { return this.request('raise-hand'); }
  lowerHand(participant) {
    return this.request('lower-hand', participant ? { participant } : {});
  }
  giveFloor(participant) { return this.request('give-floor', { participant }); }
  takeFloor(participant) { return this.request('take-floor', { participant }); }
  mute(participant = this.participantId) { return this.request('mute', { participant }); }
  muteAll() { return this.request('mute-all'); }
  /** A moderator turns someone's chat off (muted) or back on. */
  muteChat(participant, muted = true) {
    return this.request(muted ? 'mute-chat' : 'unmute-chat', { participant });
  }
  unmute() { return this.request('unmute'); }
  remove(participant, reason) {
    return this.request('remove', reason ? { participant, reason } : { participant });
  }
  lock(locked = true) { return this.request(locked ? 'lock' : 'unlock'); }
  // Votes (docs/protocol.md, "Votes"): the chair opens and closes; entitled
  // members cast and may change until the close.  `vote` events carry the state.
  openVote(fields) { return this.request('vote-open', fields); }
  castVote(vote, option) { return this.request('vote-cast', { vote, option }); }
  closeVote(vote) { return this.request('vote-close', { vote }); }

  // The agenda of an event's meeting (the chair, the secretary).
  agendaAdd(title, speaker) {
    return this.request('agenda-add', speaker ? { title, speaker } : { title });
  }
  agendaNext() { return this.request('agenda-next'); }
  agendaPrevious() { return this.request('agenda-previous'); }
  agendaGo(item) { return this.request('agenda-go', { item }); }

  // The speakers list of a meeting.
  speakRequest() { return this.request('speak-request'); }
  speakWithdraw() { return this.request('speak-withdraw'); }
  /** participant: null for the first waiting; seconds: null for the list's limit. */
  speakersGive(participant = null, seconds = null) {
    const f = {};
    if (participant) f.participant = participant;
    if (seconds != null) f.seconds = seconds;
    return this.request('speakers-give', f);
  }
  speakersSkip(participant) { return this.request('speakers-skip', { participant }); }
  speakersMove(participant, position) {
    return this.request('speakers-move', { participant, position });
  }
  speakersLimit(seconds) { return this.request('speakers-limit', { seconds }); }
  speakersDone() { return this.request('speakers-done'); }

  // --- incoming messages ---

  _onMessage(text) {
    if (this.closed) return;
    this.lastRx = Date.now();
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      this._localError('the server sent invalid JSON');
      return;
    }
    const waiting = msg.id != null ? this.requests.get(msg.id) : null;
    if (waiting) this.requests.delete(msg.id);
    switch (msg.type) {
      case 'error':
        if (msg.code === 'media-failed') {
          this._lost(msg.reason || 'media failed');
          return;
        }
        if (!waiting && ENDING.has(msg.code) && this.state !== 'closed') {
          this._emit('error', { code: msg.code, reason: msg.reason, request: null });
          this._shutdown(msg.reason || msg.code, msg.code);
          return;
        }
        this._emit('error', { code: msg.code, reason: msg.reason, request: waiting && waiting.type });
        if (waiting) waiting.reject(requestError(msg));
        return;
      case 'offer':
        if (msg.pc === 'subscribe' && this.sub) this._onSubscribeOffer(msg.sdp);
        break;
      case 'candidate': {
        const side = msg.pc === 'publish' ? this.pub : this.sub;
        if (side) side.run(() => side.addRemoteCandidate(msg), this);
        break;
      }
      case 'participant-joined':
        this._emit('participant-joined', msg.participant);
        break;
      case 'participant-left':
        this._emit('participant-left', { id: msg.participant, hidden: msg.hidden === true });
        break;
      case 'track-added':
        this.trackInfo.set(msg.track.id, {
          participant: msg.participant, kind: msg.track.kind, source: msg.track.source,
        });
        this._emit('track-added', { participant: msg.participant, track: msg.track });
        break;  // the media itself arrives with the next subscribe offer
      case 'track-removed': {
        const info = this.trackInfo.get(msg.track);
        this._emit('track-removed', {
          participant: msg.participant, trackId: msg.track, source: info ? info.source : null,
          track: this._receiverTrack(msg.participant, msg.track),
        });
        this.trackInfo.delete(msg.track);
        break;
      }
      case 'floor':
        if (msg.participant === this.participantId) {
          this.floor = !!msg.granted;
          // Taken back: the server has already closed its side.
          if (!this.maySend) this._dropPublish('floor taken');
        }
        this._emit('floor', msg);
        break;
      case 'muted':
        if (msg.participant === this.participantId) this.muted = !!msg.muted;
        this._emit('muted', msg);
        break;
      case 'chat': case 'hand': case 'locked': case 'speaker': case 'quality': case 'knock':
      case 'chat-muted':
      case 'attendance': case 'attendance-delta': case 'quorum': case 'vote': case 'recording':
      case 'vote-progress': case 'recording-warning':
      case 'agenda': case 'speakers': case 'room-size':
        this._emit(msg.type, msg);
        break;
      case 'left':
        if (!waiting) this._shutdown('left the room', 'left');
        break;
      case 'removed':  // a moderator removed us; removedCode says how (docs/protocol.md)
        this.removedCode = msg.code || '';
        this._shutdown(msg.reason || '', 'removed');
        return;
      default:
        break;  // joined, answer, ok, pong: handled by the waiting request
    }
    if (waiting) waiting.resolve(msg);
  }

  // --- recovery ---

  // The connection is broken: start reconnecting (once).
  _lost(reason) {
    if (this.closed || this.state !== 'joined') return;
    console.warn('[veche] connection lost:', reason);
    this.state = 'reconnecting';
    this._stopTimers();
    this._dropSocket();
    this._rejectAll(reason, 'lost');
    // Keep the old PCs open until the server has let go of us: closing
    // them first would look like a media failure to it.
    this.stale = [this.pub, this.sub].filter(Boolean);
    for (const side of this.stale) {
      clearTimeout(side.discTimer);
      side.pc.onconnectionstatechange = null;
      side.pc.ontrack = null;
      side.pc.onicecandidate = null;
    }
    this.pub = null;
    this.sub = null;
    this.pubSources = new Map();
    this.pubChain = Promise.resolve();
    this._reconnectLoop(reason);
  }

  async _reconnectLoop(reason) {
    for (let attempt = 0; !this.closed; attempt++) {
      const base = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)];
      const delay = Math.round(base * (0.8 + 0.4 * Math.random()));
      this._emit('reconnecting', { reason, attempt: attempt + 1, delay });
      await sleep(delay);
      if (this.closed) return;
      let joined;
      try {
        await this._openSocket();
        joined = await this._request(this._joinMessage(
          { participant: this.participantId, key: this.resumeKey }));
      } catch (err) {
        this._dropSocket();
        if (err.code && FATAL.has(err.code)) {
          this._shutdown(err.message, err.code);
          return;
        }
        console.warn('[veche] reconnect attempt failed:', err.message);
        continue;
      }
      if (this.closed) return;
      const previous = this.participantId;
      for (const side of this.stale || []) side.close();
      this.stale = [];
      this._applyJoined(joined);
      this.state = 'joined';
      this.reconnects++;
      this._startTimers();
      this._emit('rejoined', { ...joined, previous });
      this._subscribe();
      if (!this.maySend) this._dropPublish('no floor');
      else if (this.wanted.size) {
        this._queuePublish().catch((err) => {
          if (err.code !== 'lost') this._dropPublish(err.message);
        });
      }
      return;
    }
  }

  // --- leaving ---

  /** Leave the room and close everything. */
  async leave() {
    if (this.closed) return;
    if (this.state === 'joined') {
      const left = this._request({ type: 'leave' });
      await Promise.race([left.catch(() => {}), sleep(2000)]);
    }
    this._shutdown('left the room', 'left');
  }

  _shutdown(reason, code) {
    if (this.closed) return;
    this.closed = true;
    this.state = 'closed';
    this._stopTimers();
    for (const side of [this.pub, this.sub, ...(this.stale || [])]) if (side) side.close();
    this.pub = this.sub = null;
    this.stale = [];
    this._rejectAll(reason, code === 'left' ? 'lost' : code);
    this._dropSocket();
    this._emit('closed', { reason, code, removedCode: this.removedCode || '' });
  }
}

// wss://host/ws for a page served over https, ws:// otherwise.
export function defaultUrl(loc = location) {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/ws`;
}
