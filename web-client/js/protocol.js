// protocol.js - the Veche signalling protocol v1 (docs/protocol.md) and the
// two RTCPeerConnections it drives.  No DOM code here: the UI listens to the
// events below.
//
//   publish PC:   our offer (sendonly audio + video) -> server answer
//   subscribe PC: server offer (one sendonly m-line per remote track) -> our
//                 answer; the server offers again whenever tracks come or go
//
// Events (CustomEvent, data in `detail`):
//   joined              {room, participant, participants: [{id, name, tracks}]}
//   participant-joined  {id, name}
//   participant-left    {id}
//   track               {participant, trackId, kind, mid, track}  remote media
//   track-removed       {participant, trackId, track|null}
//   error               {code, reason}  (server errors, `removed`, local failures)
//   closed              {reason}        (left, or the WebSocket went away)

const PC_CONFIG = { iceServers: [], bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' };
const PING_MS = 25000;

// The first BUNDLEd mid of an SDP (a place for candidates that carry none).
function firstMid(sdp) {
  const m = /^a=group:BUNDLE (\S+)/m.exec(sdp || '') || /^a=mid:(\S+)/m.exec(sdp || '');
  return m ? m[1] : null;
}

// mid -> {participant, trackId, kind} from the a=mid / a=msid lines of an SDP.
function parseMsids(sdp) {
  const out = new Map();
  for (const section of sdp.split(/\r?\nm=/).slice(1)) {
    const kind = section.split(' ', 1)[0];
    const mid = /^a=mid:(\S+)/m.exec(section);
    const msid = /^a=msid:(\S+) (\S+)/m.exec(section);
    if (mid && msid) out.set(mid[1], { participant: msid[1], trackId: msid[2], kind });
  }
  return out;
}

// One RTCPeerConnection plus what the protocol needs around it: a serial
// queue so offers, answers and candidates are applied in arrival order, and
// a buffer for remote candidates that arrive before the remote description.
class Side {
  constructor(name, conn) {
    this.name = name;                 // 'publish' or 'subscribe'
    this.pc = new RTCPeerConnection(PC_CONFIG);
    this.chain = Promise.resolve();
    this.pendingRemote = [];          // remote candidates waiting for the SDP
    this.pendingLocal = [];           // local candidates waiting for our SDP to be sent
    this.canTrickle = false;          // true once the server has our SDP
    this.pc.onicecandidate = (e) => {
      // null = gathering done: "" tells the server there are no more.
      const c = e.candidate ? { candidate: e.candidate.candidate, mid: e.candidate.sdpMid }
                            : { candidate: '' };
      if (this.canTrickle) conn._sendCandidate(this.name, c);
      else this.pendingLocal.push(c);
    };
    this.pc.onconnectionstatechange = () => {
      const state = this.pc.connectionState;
      console.debug(`[veche] ${name} pc ${state}`);
      if (state === 'failed') conn._emit('error', { code: 'media-failed', reason: `${name} connection failed` });
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
    // The server may omit mid: with BUNDLE any bundled m-line will do.
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

  close() {
    this.pc.onicecandidate = null;
    this.pc.close();
  }
}

export class VecheConnection extends EventTarget {
  // url: wss://host:port/ws
  constructor(url) {
    super();
    this.url = url;
    this.ws = null;
    this.room = null;
    this.participantId = null;
    this.pub = null;                 // Side
    this.sub = null;                 // Side
    this.midInfo = new Map();        // subscribe mid -> {participant, trackId, kind}
    this.requests = new Map();       // request id -> {resolve, reject, type}
    this.nextId = 1;
    this.closed = false;
    this.pingTimer = null;
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
      this.requests.set(id, { resolve, reject });
      this._send({ ...msg, id });
    });
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

  _openSocket() {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url, 'veche-v1');
      this.ws = ws;
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error(`cannot connect to ${this.url}`));
      ws.onmessage = (e) => this._onMessage(e.data);
      ws.onclose = (e) => {
        reject(new Error(`connection closed (${e.code})`));
        this._shutdown(e.reason || `connection closed (${e.code})`);
      };
    });
  }

  // Connect, join `room` as `name`, receive others' media and send `stream`
  // (may be null to only watch).  Resolves with the `joined` message.
  async join(room, name, stream) {
    await this._openSocket();
    const joined = await this._request({ type: 'join', room, name });
    this.room = joined.room;
    this.participantId = joined.participant;
    this._emit('joined', joined);
    this.pingTimer = setInterval(() => this._send({ type: 'ping' }), PING_MS);
    this.sub = new Side('subscribe', this);
    this.sub.pc.ontrack = (e) => this._onTrack(e);
    this._send({ type: 'subscribe' });
    if (stream && stream.getTracks().length) await this.publish(stream);
    return joined;
  }

  // Offer our tracks on the publish connection and apply the server's answer.
  async publish(stream) {
    if (!this.pub) this.pub = new Side('publish', this);
    const side = this.pub;
    for (const track of stream.getTracks()) {
      side.pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
    }
    const offer = await side.pc.createOffer();
    await side.pc.setLocalDescription(offer);
    const reply = this._request({ type: 'publish', sdp: side.pc.localDescription.sdp });
    side.startTrickle(this);
    const answer = await reply;
    await side.run(async () => {
      await side.pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
      await side.flushRemote();
    }, this);
  }

  // A subscribe offer: apply it and answer, strictly one after another.
  _onSubscribeOffer(sdp) {
    const side = this.sub;
    side.run(async () => {
      for (const [mid, info] of parseMsids(sdp)) this.midInfo.set(mid, info);
      await side.pc.setRemoteDescription({ type: 'offer', sdp });
      await side.flushRemote();
      const answer = await side.pc.createAnswer();
      await side.pc.setLocalDescription(answer);
      this._send({ type: 'answer', pc: 'subscribe', sdp: side.pc.localDescription.sdp });
      side.startTrickle(this);
    }, this);
  }

  _onTrack(e) {
    const mid = e.transceiver && e.transceiver.mid;
    const info = this.midInfo.get(mid) || {
      participant: e.streams[0] ? e.streams[0].id : null, trackId: e.track.id, kind: e.track.kind,
    };
    this._emit('track', { ...info, kind: e.track.kind, mid, track: e.track });
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

  /** Remote tracks currently known: [{mid, participant, trackId, kind, track}]. */
  remoteTracks() {
    if (!this.sub) return [];
    const out = [];
    for (const tr of this.sub.pc.getTransceivers()) {
      const info = this.midInfo.get(tr.mid);
      if (info && tr.currentDirection !== 'inactive' && !tr.stopped) {
        out.push({ mid: tr.mid, ...info, track: tr.receiver.track });
      }
    }
    return out;
  }

  /** getStats() of the subscribe connection (null before it exists). */
  async subscribeStats() {
    return this.sub ? this.sub.pc.getStats() : null;
  }

  _onMessage(text) {
    if (this.closed) return;
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
        this._emit('error', { code: msg.code, reason: msg.reason });
        if (waiting) waiting.reject(Object.assign(new Error(msg.reason), { code: msg.code }));
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
        this._emit('participant-left', { id: msg.participant });
        break;
      case 'track-added':
        break;  // the media arrives with the next subscribe offer ('track')
      case 'track-removed':
        this._emit('track-removed', {
          participant: msg.participant, trackId: msg.track,
          track: this._receiverTrack(msg.participant, msg.track),
        });
        break;
      case 'left':
        if (!waiting) this._shutdown('left the room');  // e.g. after media-failed
        break;
      case 'removed':  // a moderator removed us
        this._emit('error', { code: 'removed', reason: msg.reason || '' });
        this._shutdown('left the room');
        break;
      default:
        break;  // joined, answer, pong: handled by the waiting request
    }
    if (waiting) waiting.resolve(msg);
  }

  // Leave the room and close everything.
  async leave() {
    if (this.closed) return;
    if (this.room) {
      const left = this._request({ type: 'leave' });
      await Promise.race([left.catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
    }
    this._shutdown('left the room');
  }

  _shutdown(reason) {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pingTimer);
    if (this.pub) this.pub.close();
    if (this.sub) this.sub.close();
    for (const { reject } of this.requests.values()) reject(new Error(reason));
    this.requests.clear();
    if (this.ws) {
      this.ws.onclose = null;
      this.ws.close(1000);
    }
    this._emit('closed', { reason });
  }
}

// wss://host/ws for a page served over https, ws:// otherwise.
export function defaultUrl(loc = location) {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/ws`;
}
