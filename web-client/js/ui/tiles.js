// ui/tiles.js - the video tiles and their two layouts.
//
//   grid  (a meeting): every person a 16:9 tile, the column count chosen so
//         the tiles are as large as the room view allows;
//   stage (a training session, or anyone sharing a screen): one large tile
//         in #stage-main - a screen share if there is one (the trainer's
//         first), else the trainer's camera - and the rest in a strip.
//
// A person's camera tile (data-participant=ID) plays their sound too; a
// screen share gets its own tile (data-screen-of=ID).  Tiles keep their
// place by order of first arrival, so someone who reconnects comes back
// where they were.  The active speaker's tile is outlined.

import { h, icon, qualityBars } from './dom.js';
import { t } from '../i18n.js';

const GAP_PX = 8;

function initials(name) {
  const parts = String(name || '?').trim().split(/\s+/).filter(Boolean);
  return (parts.length > 1 ? parts[0][0] + parts[1][0] : (parts[0] || '?').slice(0, 2)).toUpperCase();
}

export class Tiles {
  constructor(state, { main, grid, self, selfVideo }) {
    this.state = state;
    this.mainEl = main;        // #stage-main
    this.gridEl = grid;        // #grid
    this.selfEl = self;        // our own tile
    this.selfVideo = selfVideo;
    this.cams = new Map();     // participant id -> tile
    this.screens = new Map();  // participant id -> tile
    this.sinkId = null;
    this.selfSending = false;
    this.selfScreen = null;    // our own screen share, as a tile
    new ResizeObserver(() => this.layout()).observe(grid.parentElement);
  }

  // --- making tiles ---

  _make(id, screen) {
    const video = h('video', { autoplay: true, playsInline: true });
    const caption = h('figcaption');
    const unmute = h('button', { type: 'button', class: 'unmute', hidden: true });
    const el = h('figure', { class: screen ? 'tile screen' : 'tile' },
      video, h('div', { class: 'avatar', 'aria-hidden': 'true' }), caption,
      h('div', { class: 'badges' }), unmute);
    if (screen) el.dataset.screenOf = id;
    else el.dataset.participant = id;
    const tile = { id, el, video, caption, unmute, screen, stream: new MediaStream() };
    video.srcObject = tile.stream;
    if (screen) video.muted = true;  // a screen share has no sound of its own
    unmute.addEventListener('click', () => {
      video.muted = false;
      video.play().then(() => { unmute.hidden = true; }, () => {});
    });
    if (this.sinkId) this._sink(tile);
    return tile;
  }

  _camTile(id) {
    let tile = this.cams.get(id);
    if (!tile) {
      tile = this._make(id, false);
      this.cams.set(id, tile);
      this._place(tile);
      this.render();
    }
    return tile;
  }

  // Insert a tile by the arrival order of its person (the self tile first).
  _place(tile) {
    const order = this.state.order;
    const at = order.indexOf(tile.id);
    const next = [...this.gridEl.children].find((el) => {
      const other = el.dataset.participant || el.dataset.screenOf;
      return other && order.indexOf(other) > at;
    });
    this.gridEl.insertBefore(tile.el, next || null);
  }

  // Start playback; if the browser refuses sound without a gesture, play
  // muted and offer a button to turn the sound on.
  _play(tile) {
    tile.video.play().catch(() => {
      if (tile.screen) return;
      tile.video.muted = true;
      tile.unmute.hidden = false;
      tile.video.play().catch(() => {});
    });
  }

  _sink(tile) {
    if (tile.video.setSinkId) tile.video.setSinkId(this.sinkId).catch(() => {});
  }

  // --- events ---

  /** A person is in the room (a meeting shows everyone, with or without video). */
  person(id) {
    if (this.state.kind === 'meeting') this._camTile(id);
  }

  /** Remote media arrived: {participant, kind, source, track}. */
  track({ participant, kind, source, track }) {
    if (!participant) return;
    let tile;
    if (kind === 'video' && source === 'screen') {
      tile = this.screens.get(participant);
      if (!tile) {
        tile = this._make(participant, true);
        this.screens.set(participant, tile);
        this._place(tile);
      }
    } else {
      tile = this._camTile(participant);
    }
    // The server reuses an ended track's m-line for the next track of the
    // same kind, and the browser hands the new one out on the same
    // receiver, i.e. the same MediaStreamTrack: it belongs to this tile now
    // and to no other (say, the tile of whoever had it before).
    for (const other of [...this.cams.values(), ...this.screens.values()]) {
      if (other !== tile && other.stream.getTracks().includes(track)) {
        other.stream.removeTrack(track);
        if (other.screen && other.stream.getTracks().length === 0) {
          this._drop(this.screens, other.id);
        }
      }
    }
    for (const old of tile.stream.getTracks().filter((x) => x.kind === kind)) {
      if (old !== track) tile.stream.removeTrack(old);  // one audio and one video per tile
    }
    if (!tile.stream.getTracks().includes(track)) tile.stream.addTrack(track);
    this._play(tile);
    this.render();
  }

  /** Remote media ended: {participant, source, track}. */
  trackRemoved({ participant, source, track }) {
    const screen = this.screens.get(participant);
    if (screen && (source === 'screen' || (track && screen.stream.getTracks().includes(track)))) {
      this._drop(this.screens, participant);
    } else {
      const tile = this.cams.get(participant);
      if (tile && track) tile.stream.removeTrack(track);
    }
    this.render();
  }

  /** A person left: their tiles go (they keep their place if they return). */
  left(id) {
    this._drop(this.cams, id);
    this._drop(this.screens, id);
    this.render();
  }

  _drop(map, id) {
    const tile = map.get(id);
    if (!tile) return;
    tile.video.srcObject = null;
    tile.el.remove();
    map.delete(id);
  }

  /** Remove every remote tile (leaving, or rebuilt after a reconnect). */
  clear() {
    for (const id of [...this.cams.keys()]) this._drop(this.cams, id);
    for (const id of [...this.screens.keys()]) this._drop(this.screens, id);
    if (this.selfScreen) this.gridEl.append(this.selfScreen.el);
    this.mainEl.replaceChildren();
    this.render();
  }

  /** Play remote sound on this output device. */
  setSink(deviceId) {
    this.sinkId = deviceId;
    for (const tile of [...this.cams.values(), ...this.screens.values()]) this._sink(tile);
  }

  /** Show our own screen share (a track) on the stage, or stop (null). */
  setSelfScreen(track) {
    if (this.selfScreen) {
      this.selfScreen.video.srcObject = null;
      this.selfScreen.el.remove();
      this.selfScreen = null;
    }
    if (track) {
      const tile = this._make(this.state.me, true);
      delete tile.el.dataset.screenOf;
      tile.el.dataset.selfScreen = '';
      tile.stream.addTrack(track);
      this.selfScreen = tile;
      this.gridEl.append(tile.el);
      this._play(tile);
    }
    this.render();
  }

  /** Whether our own camera is being sent (shows the self view in a training). */
  setSelf(stream, sending) {
    if (this.selfVideo.srcObject !== stream) this.selfVideo.srcObject = stream;
    this.selfSending = sending;
    this.render();
  }

  // --- drawing ---

  _label(tile) {
    const p = this.state.people.get(tile.id);
    const name = p ? p.name : tile.id;
    const own = tile === this.selfScreen;
    tile.caption.textContent = own ? t('your_screen') : tile.screen ? t('screen_of', { name }) : name;
    tile.video.setAttribute('aria-label', own ? t('your_screen')
      : t(tile.screen ? 'screen_of' : 'video_of', { name }));
    tile.unmute.textContent = t('enable_sound');
    tile.el.querySelector('.avatar').textContent = initials(name);
    const hasVideo = tile.stream.getVideoTracks().length > 0;
    tile.el.classList.toggle('no-video', !hasVideo);
    tile.el.classList.toggle('empty', !hasVideo && tile.stream.getAudioTracks().length === 0 &&
      this.state.kind === 'training');
    tile.el.classList.toggle('speaking', !tile.screen && this.state.speaker === tile.id);
    // On a meeting's speakers list: framed and labelled like a raised hand.
    const asking = !!p && !!this.state.speakers && this.state.speakers.list.includes(p.id);
    tile.el.classList.toggle('hand-raised', !tile.screen && !!p && (!!p.hand || asking));
    const badges = tile.el.querySelector('.badges');
    badges.replaceChildren();
    if (p && !tile.screen) {
      if (p.muted) badges.append(icon('micOff', 'badge-muted'));
      if (p.hand) {
        badges.append(h('span', { class: 'hand-badge', title: t('hand_raised') },
          icon('hand', 'badge-hand'), t('hand_short')));
      } else if (asking) {
        badges.append(h('span', { class: 'hand-badge', title: t('agenda.asking') },
          icon('hand', 'badge-hand'), t('agenda.asking_short')));
      }
      if (p.quality) badges.append(qualityBars(p.quality));
    }
  }

  // The tile for #stage-main, or null for the plain grid.
  _mainTile() {
    const st = this.state;
    const moderators = new Set(st.list().filter((p) => p.role === 'trainer' || p.role === 'chair')
      .map((p) => p.id));
    const screens = [...this.screens.values()];
    const screen = screens.find((s) => moderators.has(s.id)) || this.selfScreen || screens[0];
    if (screen) return screen;
    if (st.kind !== 'training') return null;
    const trainer = [...this.cams.values()].find((c) => moderators.has(c.id) &&
      c.stream.getTracks().length > 0);
    return trainer || [...this.cams.values()].find((c) => c.stream.getVideoTracks().length) || null;
  }

  /** Bring names, badges, the speaker and the layout up to date. */
  render() {
    const all = [...this.cams.values(), ...this.screens.values()];
    if (this.selfScreen) all.push(this.selfScreen);
    for (const tile of all) this._label(tile);
    const self = this.state.people.get(this.state.me);
    this.selfEl.classList.toggle('speaking', !!self && this.state.speaker === self.id);
    this.selfEl.classList.toggle('empty', this.state.kind === 'training' && !this.selfSending);
    const selfBadges = this.selfEl.querySelector('.badges');
    selfBadges.replaceChildren();
    if (self && self.muted) selfBadges.append(icon('micOff', 'badge-muted'));
    if (self && self.hand) selfBadges.append(icon('hand', 'badge-hand'));
    this.selfEl.classList.toggle('hand-raised', !!self && !!self.hand);
    if (self && self.quality) selfBadges.append(qualityBars(self.quality));

    const main = this._mainTile();
    const current = this.mainEl.firstElementChild;
    if (current && (!main || current !== main.el)) {
      const tile = all.find((x) => x.el === current);
      if (tile) { this._place(tile); this._play(tile); } else current.remove();
    }
    if (main && this.mainEl.firstElementChild !== main.el) {
      this.mainEl.append(main.el);
      this._play(main);
    }
    const stage = !!main;
    this.gridEl.parentElement.classList.toggle('stage', stage);
    this.mainEl.hidden = !main;
    // Only when the tiles changed: layout() reads sizes, which forces a
    // layout of the page, and a big room redraws often (size changes come
    // from the ResizeObserver).
    const n = [...this.gridEl.children].filter((el) => !el.classList.contains('empty') &&
      !el.hidden).length;
    const key = `${stage} ${n}`;
    if (key !== this.layoutKey) {
      this.layoutKey = key;
      this.layout();
    }
  }

  /** Choose the grid's column count so 16:9 tiles are as large as they fit. */
  layout() {
    const grid = this.gridEl;
    if (grid.parentElement.classList.contains('stage')) {
      grid.style.removeProperty('grid-template-columns');
      return;
    }
    const n = [...grid.children].filter((el) => !el.classList.contains('empty') && !el.hidden).length;
    const W = grid.clientWidth;
    const H = grid.parentElement.clientHeight;
    if (!n || !W) return;
    let best = 1;
    let bestW = 0;
    for (let c = 1; c <= n; c++) {
      const r = Math.ceil(n / c);
      const w = Math.min((W - GAP_PX * (c - 1)) / c, ((H - GAP_PX * (r - 1)) / r) * 16 / 9);
      if (w > bestW + 0.5) { bestW = w; best = c; }
    }
    const width = Math.max(Math.floor(bestW), Math.min(W, 160));
    grid.style.gridTemplateColumns = `repeat(${best}, ${width}px)`;
  }
}
