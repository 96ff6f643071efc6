// state.js - what the page knows about the room, kept from the server's
// messages: the people (with role, mute, hand, floor, quality), raised hands
// in order, the floor, the active speaker, the lock and the chat.  The UI
// modules read it and re-render on its 'change' event; only the server's
// messages change it (the client mirrors, the server decides).

export class RoomState extends EventTarget {
  constructor() {
    super();
    this.clear();
  }

  clear() {
    this.room = null;
    this.kind = 'meeting';
    this.me = null;               // our participant id
    this.role = null;
    this.roleTitle = null;     // our role in the event ("secretary"), or null
    this.locked = false;
    this.present = 0;             // people in the room (joined, room-size)
    this.speaker = null;
    this.hands = [];              // participant ids, in the order raised
    this.people = new Map();      // id -> person
    this.goneNames = new Map();   // id -> name of who left (the speakers list
                                  // keeps one whose connection dropped)
    this.chat = [];               // [{seq, from, name, text, ts}]
    this.order = [];              // ids in order of first arrival (tile positions)
    this.agenda = null;           // an event's {items, current}, or null
    this.speakers = null;         // a meeting's speakers list (_speakers), or null
  }

  /** The current agenda item ({id, position, title, speaker, ...}) or null. */
  currentItem() {
    if (!this.agenda || this.agenda.current == null) return null;
    return this.agenda.items.find((i) => i.id === this.agenda.current) || null;
  }

  // The speakers list with its deadline on our clock: the server sends its
  // own `now`, so a wrong clock here does not change the time left.
  _speakers(s) {
    if (!s) return null;
    const skew = Date.now() - (s.now || Date.now());
    return {
      list: [...(s.list || [])], away: [...(s.away || [])], speaking: s.speaking || null,
      limit: s.limit || 0,
      item: s.item ?? null, deadline: s.deadline ? s.deadline + skew : null,
    };
  }

  get moderator() {
    return this.role === 'chair' || this.role === 'trainer';
  }

  _changed(what) {
    this.dispatchEvent(new CustomEvent('change', { detail: what }));
  }

  _person(p) {
    const old = this.people.get(p.id);
    const person = {
      id: p.id, name: p.name ?? (old ? old.name : p.id), role: p.role ?? (old && old.role),
      title: p.title ?? (old ? old.title : null),
      muted: !!p.muted, hand: !!p.hand, floor: !!p.floor, chatMuted: !!p.chatMuted,
      quality: old ? old.quality : null, tracks: new Map(),
    };
    for (const t of p.tracks || []) person.tracks.set(t.id, { kind: t.kind, source: t.source });
    this.people.set(p.id, person);
    if (!this.order.includes(p.id)) this.order.push(p.id);
    return person;
  }

  /** From a `joined` message (first join or after a reconnect); `name` is ours. */
  fromJoined(j, name) {
    const keepOrder = this.room === j.room ? this.order : [];
    const chatKnown = this.room === j.room ? this.chat : [];
    this.clear();
    this.order = keepOrder;
    this.room = j.room;
    this.kind = j.kind || 'meeting';
    this.me = j.participant;
    this.role = j.role || 'member';
    // Our role in the event as people call it (the server sends others' as
    // `title`): a member of a meeting without a vote observes.
    this.roleTitle = j.access === 'member' && j.voting === false && this.kind === 'meeting'
      ? 'observer' : (j.access || null);
    this.locked = !!j.locked;
    // How many are in the room: in a training an activist is sent the
    // trainer and who speaks or publishes, and this count (docs/protocol.md).
    this.present = j.present || 0;
    this.speaker = j.speaker || null;
    this.hands = [...(j.hands || [])];
    this.agenda = j.agenda || null;
    this.speakers = this._speakers(j.speakers);
    // The chat history of the server, plus anything we saw it has forgotten.
    const seen = new Set((j.chat || []).map((c) => c.seq));
    this.chat = [...chatKnown.filter((c) => !seen.has(c.seq)), ...(j.chat || [])]
      .sort((a, b) => a.seq - b.seq);
    this._person({ id: j.participant, name, role: this.role, title: this.roleTitle, muted: j.muted,
      hand: this.hands.includes(j.participant), floor: j.floor });
    for (const p of j.participants || []) this._person(p);
    this._changed('all');
  }

  /** One server event (the protocol module's event name and detail). */
  apply(type, d) {
    switch (type) {
      case 'participant-joined':
        this._person(d);
        if (d.hand && !this.hands.includes(d.id)) this.hands.push(d.id);
        break;
      case 'participant-left':
        // The speakers list is the server's: one whose connection dropped
        // keeps its place (away) for a while, and a `speakers` follows.
        if (this.people.has(d.id)) this.goneNames.set(d.id, this.people.get(d.id).name);
        this.people.delete(d.id);
        this.hands = this.hands.filter((h) => h !== d.id);
        if (this.speaker === d.id) this.speaker = null;
        break;
      case 'track-added': {
        const p = this.people.get(d.participant);
        if (p) p.tracks.set(d.track.id, { kind: d.track.kind, source: d.track.source });
        break;
      }
      case 'track-removed': {
        const p = this.people.get(d.participant);
        if (p) p.tracks.delete(d.trackId);
        break;
      }
      case 'hand': {
        const p = this.people.get(d.participant);
        if (p) p.hand = !!d.raised;
        this.hands = this.hands.filter((h) => h !== d.participant);
        if (d.raised) this.hands.push(d.participant);
        break;
      }
      case 'floor': {
        const p = this.people.get(d.participant);
        if (p) p.floor = !!d.granted;
        break;
      }
      case 'muted': {
        const p = this.people.get(d.participant);
        if (p) p.muted = !!d.muted;
        break;
      }
      case 'chat-muted': {
        const p = this.people.get(d.participant);
        if (p) p.chatMuted = !!d.muted;
        break;
      }
      case 'locked':
        this.locked = !!d.locked;
        break;
      case 'room-size':
        this.present = d.present || 0;
        break;
      case 'speaker':
        this.speaker = d.participant || null;
        break;
      case 'chat':
        if (!this.chat.some((c) => c.seq === d.seq)) this.chat.push(d);
        break;
      case 'agenda':
        this.agenda = { items: d.items || [], current: d.current ?? null };
        break;
      case 'speakers':
        this.speakers = this._speakers(d);
        break;
      default:
        return;
    }
    this._changed(type);
  }

  /** Set the shown connection quality of a person ('good' | 'fair' | 'poor' | null). */
  setQuality(id, level) {
    const p = this.people.get(id);
    if (!p || p.quality === level) return;
    p.quality = level;
    this._changed('quality');
  }

  /** A person's sources being sent, e.g. {camera: true, microphone: true}. */
  sources(id) {
    const out = {};
    const p = this.people.get(id);
    if (p) for (const t of p.tracks.values()) out[t.source] = true;
    return out;
  }

  name(id) {
    const p = this.people.get(id);
    return p ? p.name : (this.goneNames.get(id) ?? id);
  }

  /** People as a list: us first, then moderators, then in arrival order. */
  list() {
    const rank = (p) => (p.id === this.me ? 0 : (p.role === 'chair' || p.role === 'trainer') ? 1 : 2);
    const pos = new Map(this.order.map((id, i) => [id, i]));  // not indexOf: 500 people
    return [...this.people.values()].sort((a, b) =>
      rank(a) - rank(b) || (pos.get(a.id) ?? 0) - (pos.get(b.id) ?? 0));
  }
}
